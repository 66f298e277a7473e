import React from 'react';

import type {DayChoice, Panel as PanelData} from '../api';
import type {Changes} from '../changes';
import {langOf, texts, userLocale} from '../i18n';
import type {Texts} from '../i18n';
import type {MattermostStore} from '../registry';
import {currentPlace, useSelected} from '../store';

import {DayPicker} from './DayPicker';
import {MeetingRow} from './MeetingRow';

/** What the panel needs from the outside; the tests give fakes. */
export interface PanelDeps {
    store: MattermostStore;
    load(day: DayChoice): Promise<PanelData>;
    run(command: string, place: {channelId: string; teamId: string}): Promise<void>;
    changes: Changes;
}

const MINUTE_MS = 60_000;

/**
 * When to ask again: just after the server's clock turns the minute, so "in 12 min" moves
 * on time (the server renders it); a minute after a failure or a non-day answer.
 */
export function nextRefreshDelay(panel: PanelData | null): number {
    if (panel?.status !== 'day') {
        return MINUTE_MS;
    }
    return MINUTE_MS - (panel.now_ms % MINUTE_MS) + 500;
}

/** The panel's background is dark: the date field's own controls follow. */
function darkBackground(el: HTMLElement | null): boolean {
    if (!el || typeof getComputedStyle !== 'function') {
        return false;
    }
    const m = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g);
    // No colour, or a transparent one: nothing to go by.
    if (!m || m.length < 3 || (m.length > 3 && Number(m[3]) === 0)) {
        return false;
    }
    const [r, g, b] = m.map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

interface Loaded {
    panel: PanelData | null;
    /** The last request failed (what is shown, if anything, is older). */
    failed: boolean;
    /** Counts finished requests, to re-arm the minute timer after each. */
    done: number;
}

export function makePanel(deps: PanelDeps): React.ComponentType {
    return function TodayPanel(): React.ReactElement {
        const locale = useSelected(deps.store, userLocale);
        const t = texts(langOf(locale));
        const [choice, setChoice] = React.useState<DayChoice>('today');
        const [loaded, setLoaded] = React.useState<Loaded>({panel: null, failed: false, done: 0});
        const seq = React.useRef(0);
        const root = React.useRef<HTMLDivElement>(null);
        const [dark, setDark] = React.useState(false);

        const reload = React.useCallback(() => {
            const n = ++seq.current;
            deps.load(choice).then(
                (panel) => {
                    if (n === seq.current) {
                        setLoaded((l) => ({panel, failed: false, done: l.done + 1}));
                    }
                },
                () => {
                    if (n === seq.current) {
                        setLoaded((l) => ({...l, failed: true, done: l.done + 1}));
                    }
                },
            );
        }, [choice]);

        // A new day chosen, or another language: ask now.
        React.useEffect(reload, [reload, locale]);
        React.useEffect(() => deps.changes.subscribe(reload), [reload]);
        React.useEffect(() => {
            const timer = setTimeout(reload, nextRefreshDelay(loaded.panel));
            return () => clearTimeout(timer);
        }, [loaded.done, reload]);
        React.useEffect(() => {
            const onVisible = () => {
                if (document.visibilityState === 'visible') {
                    reload();
                }
            };
            document.addEventListener('visibilitychange', onVisible);
            return () => document.removeEventListener('visibilitychange', onVisible);
        }, [reload]);
        React.useLayoutEffect(() => setDark(darkBackground(root.current)));

        const {panel, failed} = loaded;
        const day = panel?.status === 'day' ? panel : null;
        return (
            <div
                ref={root}
                className='ycal-panel'
                lang={langOf(locale)}
                style={{colorScheme: dark ? 'dark' : 'light'}}
            >
                <DayPicker
                    t={t}
                    choice={choice}
                    day={day?.day}
                    min={day?.first_day}
                    max={day?.last_day}
                    onChoose={(c) => setChoice(c === day?.today ? 'today' : c)}
                />
                {failed && (
                    <div
                        className='ycal-alert'
                        role='alert'
                    >
                        <span>{t.load_failed}</span>
                        <button
                            type='button'
                            className='ycal-link-button'
                            onClick={reload}
                        >
                            {t.retry}
                        </button>
                    </div>
                )}
                {!panel && !failed && <p className='ycal-muted'>{t.loading}</p>}
                {panel && <Body panel={panel} t={t} deps={deps}/>}
            </div>
        );
    };
}

function Body({panel, t, deps}: {panel: PanelData; t: Texts; deps: PanelDeps}): React.ReactElement {
    const [running, setRunning] = React.useState(false);
    switch (panel.status) {
    case 'not_connected':
        return (
            <div className='ycal-connect'>
                <p>{panel.message}</p>
                <code className='ycal-command'>{panel.command}</code>
                <button
                    type='button'
                    className='ycal-button'
                    disabled={running}
                    onClick={() => {
                        setRunning(true);
                        deps.run(panel.command, currentPlace(deps.store.getState())).
                            catch(() => undefined).
                            finally(() => setRunning(false));
                    }}
                >
                    {t.connect}
                </button>
            </div>
        );
    case 'problem':
        return <p className='ycal-alert'>{panel.message}</p>;
    default:
        return (
            <section aria-labelledby='ycal-day-title'>
                <h2
                    id='ycal-day-title'
                    className='ycal-title'
                >
                    {panel.title}
                </h2>
                <p className='ycal-muted ycal-summary'>{panel.summary}</p>
                {panel.notes.map((n) => (
                    <p
                        key={n}
                        className='ycal-note'
                    >
                        {n}
                    </p>
                ))}
                {panel.empty && <p className='ycal-empty'>{panel.empty}</p>}
                {panel.meetings.length > 0 && (
                    <ul className='ycal-meetings'>
                        {panel.meetings.map((m) => (
                            <MeetingRow
                                key={m.id}
                                meeting={m}
                                t={t}
                            />
                        ))}
                    </ul>
                )}
            </section>
        );
    }
}

/** A fixed text in the user's language (the panel's title, the buttons' tooltip). */
export function makeText(store: MattermostStore, key: keyof Texts): React.ComponentType {
    return function Text(): React.ReactElement {
        const locale = useSelected(store, userLocale);
        return <>{texts(langOf(locale))[key]}</>;
    };
}
