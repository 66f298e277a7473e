// The panel's stylesheet. Colours come from the web app's theme variables (Mattermost sets
// them on the page for the user's theme, light or dark); the fallbacks are the default theme.
export const PANEL_CSS = `
.ycal-panel {
    --ycal-fg: var(--center-channel-color, #3f4350);
    --ycal-fg-rgb: var(--center-channel-color-rgb, 63, 67, 80);
    --ycal-accent: var(--button-bg, #1c58d9);
    --ycal-accent-rgb: var(--button-bg-rgb, 28, 88, 217);
    box-sizing: border-box;
    height: 100%;
    min-width: 0;
    overflow-x: hidden;
    overflow-y: auto;
    padding: 12px 16px 24px;
    background: var(--center-channel-bg, #ffffff);
    color: var(--ycal-fg);
    font-size: 14px;
    line-height: 20px;
    overflow-wrap: anywhere;
}
.ycal-panel *, .ycal-panel *::before, .ycal-panel *::after { box-sizing: border-box; }
.ycal-panel :focus-visible { outline: 2px solid var(--ycal-accent); outline-offset: 2px; }
.ycal-days { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 16px; }
.ycal-days__button, .ycal-days__date input {
    min-height: 28px;
    border: 1px solid rgba(var(--ycal-fg-rgb), 0.16);
    border-radius: 4px;
    background: transparent;
    color: inherit;
    font: inherit;
    font-size: 12px;
    font-weight: 600;
}
.ycal-days__button { padding: 2px 10px; cursor: pointer; }
.ycal-days__button:hover { background: rgba(var(--ycal-fg-rgb), 0.08); }
.ycal-days__button[aria-pressed="true"] {
    border-color: var(--ycal-accent);
    background: rgba(var(--ycal-accent-rgb), 0.08);
    color: var(--ycal-accent);
}
.ycal-days__date { display: inline-flex; min-width: 0; max-width: 100%; }
.ycal-days__date input { max-width: 100%; padding: 2px 6px; font-weight: 400; }
.ycal-title { margin: 0; font-size: 16px; line-height: 24px; font-weight: 600; }
.ycal-muted { margin: 0 0 12px; color: rgba(var(--ycal-fg-rgb), 0.64); font-size: 12px; }
.ycal-summary { margin-top: 2px; }
.ycal-note, .ycal-alert {
    margin: 0 0 12px;
    padding: 8px 12px;
    border-radius: 4px;
    background: rgba(var(--ycal-fg-rgb), 0.06);
    font-size: 12px;
}
.ycal-alert { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; border-left: 3px solid var(--error-text, #d24b4e); }
.ycal-empty { margin: 16px 0; color: rgba(var(--ycal-fg-rgb), 0.72); }
.ycal-meetings { display: flex; flex-direction: column; gap: 8px; margin: 0; padding: 0; list-style: none; }
.ycal-meeting {
    display: flex;
    flex-direction: column;
    gap: 2px;
    min-width: 0;
    padding: 8px 12px;
    border: 1px solid rgba(var(--ycal-fg-rgb), 0.12);
    border-radius: 8px;
}
.ycal-meeting--now {
    border-color: var(--ycal-accent);
    background: rgba(var(--ycal-accent-rgb), 0.08);
    box-shadow: inset 4px 0 0 var(--ycal-accent);
}
.ycal-meeting--past { opacity: 0.6; }
.ycal-meeting--all-day { background: rgba(var(--ycal-fg-rgb), 0.04); }
.ycal-meeting--declined .ycal-meeting__title, .ycal-meeting--declined .ycal-meeting__when { text-decoration: line-through; }
.ycal-meeting__head { display: flex; flex-wrap: wrap; gap: 0 8px; font-size: 12px; color: rgba(var(--ycal-fg-rgb), 0.72); }
.ycal-meeting__relative { color: var(--ycal-accent); font-weight: 600; }
.ycal-meeting__title { font-weight: 600; }
.ycal-meeting__title a { color: inherit; text-decoration: none; }
.ycal-meeting__title a:hover { text-decoration: underline; }
.ycal-meeting__meta { font-size: 12px; color: rgba(var(--ycal-fg-rgb), 0.64); }
.ycal-join, .ycal-button {
    align-self: flex-start;
    display: inline-block;
    margin-top: 6px;
    padding: 4px 12px;
    border: 1px solid var(--ycal-accent);
    border-radius: 4px;
    background: transparent;
    color: var(--ycal-accent);
    font: inherit;
    font-size: 12px;
    font-weight: 600;
    text-decoration: none;
    cursor: pointer;
}
.ycal-join:hover { background: rgba(var(--ycal-accent-rgb), 0.08); text-decoration: none; }
.ycal-join--primary, .ycal-button { background: var(--ycal-accent); color: var(--button-color, #ffffff); }
.ycal-join--primary:hover { background: var(--ycal-accent); opacity: 0.88; }
.ycal-button:disabled { opacity: 0.6; cursor: default; }
.ycal-link-button { padding: 0; border: 0; background: none; color: var(--link-color, var(--ycal-accent)); font: inherit; font-weight: 600; cursor: pointer; }
.ycal-connect p { margin: 0 0 8px; }
.ycal-command {
    display: block;
    padding: 6px 8px;
    border-radius: 4px;
    background: rgba(var(--ycal-fg-rgb), 0.08);
    font-size: 12px;
    overflow-wrap: anywhere;
}
.ycal-visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
}
`;

/** Adds the stylesheet to the page once. */
export function installStyles(doc: Document): void {
    const id = 'ycal-panel-styles';
    if (doc.getElementById(id)) {
        return;
    }
    const style = doc.createElement('style');
    style.id = id;
    style.textContent = PANEL_CSS;
    doc.head.appendChild(style);
}
