// The plugin's HTTP API (src/panel/view.rs is the other side of this contract) and the one
// Mattermost call the panel makes itself (running the connect command).
import catalog from './generated/catalog.json';

export type AnswerCode = 'declined' | 'tentative' | 'not_answered';
export type MeetingState = 'all_day' | 'past' | 'now' | 'next' | 'later';

export interface Meeting {
    id: string;
    when: string;
    start_ms: number;
    end_ms: number;
    title: string;
    location: string | null;
    join_url: string | null;
    web_url: string | null;
    calendar: string | null;
    answer: AnswerCode | null;
    answer_text: string | null;
    state: MeetingState;
    relative: string | null;
}

export interface DayView {
    status: 'day';
    locale: string;
    timezone: string;
    now_ms: number;
    today: string;
    day: string;
    first_day: string;
    last_day: string;
    title: string;
    summary: string;
    notes: string[];
    empty: string | null;
    meetings: Meeting[];
}

export interface NotConnected {
    status: 'not_connected';
    locale: string;
    message: string;
    command: string;
}

export interface Problem {
    status: 'problem';
    locale: string;
    message: string;
}

export type Panel = DayView | NotConnected | Problem;

/** Which day to show: the server reads these words in the user's own timezone. */
export type DayChoice = 'yesterday' | 'today' | 'tomorrow' | string;

/**
 * The plugin's routes live under /plugins/<id> of the Mattermost site. `base` is the site's
 * path prefix ("" or "/chat"): same origin as the page, so the session cookie goes along.
 */
export function pluginUrl(base: string, pluginId: string, path: string): string {
    return `${base.replace(/\/+$/, '')}/plugins/${encodeURIComponent(pluginId)}${path}`;
}

/** Requests as the web app makes them: the session cookie, marked as the app's own. */
const appHeaders = {'X-Requested-With': 'XMLHttpRequest'};

export class HttpError extends Error {
    constructor(readonly status: number) {
        super(`HTTP ${status}`);
    }
}

/**
 * The panel for a day. A 400 still carries a Problem to show (a day that cannot be shown);
 * other failures throw.
 */
export async function fetchAgenda(base: string, pluginId: string, day: DayChoice): Promise<Panel> {
    const url = pluginUrl(base, pluginId, `${catalog.agenda_path}?day=${encodeURIComponent(day)}`);
    const res = await fetch(url, {credentials: 'same-origin', headers: appHeaders, cache: 'no-store'});
    if (res.ok || res.status === 400) {
        const body = (await res.json()) as Panel;
        if (body && typeof body === 'object' && 'status' in body) {
            return body;
        }
    }
    throw new HttpError(res.status);
}

function cookie(name: string): string {
    const found = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith(name + '='));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

/**
 * Runs a slash command in a channel as the signed-in user, as the web app's message box
 * does (Mattermost's Client4.executeCommand: the session cookie plus its CSRF token).
 * The server answers a dialog by sending it to the user's apps over the websocket.
 */
export async function runCommand(base: string, command: string, channelId: string, teamId: string): Promise<void> {
    const res = await fetch(`${base.replace(/\/+$/, '')}/api/v4/commands/execute`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {...appHeaders, 'Content-Type': 'application/json', 'X-CSRF-Token': cookie('MMCSRF')},
        body: JSON.stringify({command, channel_id: channelId, team_id: teamId}),
    });
    if (!res.ok) {
        throw new HttpError(res.status);
    }
}
