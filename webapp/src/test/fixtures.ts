// Answers of the plugin's API as the component sends them (shapes of src/panel/view.rs),
// and a web app store with just what the panel reads.
import type {GlobalState} from '@mattermost/types/store';

import type {DayView, Meeting, NotConnected} from '../api';
import type {MattermostStore, RegistryAction} from '../registry';

export function meeting(over: Partial<Meeting>): Meeting {
    return {
        id: 'uid|',
        when: '10:00–11:00',
        start_ms: 0,
        end_ms: 0,
        title: 'Meeting',
        location: null,
        join_url: null,
        web_url: null,
        calendar: null,
        answer: null,
        answer_text: null,
        state: 'later',
        relative: null,
        ...over,
    };
}

export function dayView(over: Partial<DayView> = {}): DayView {
    return {
        status: 'day',
        locale: 'en',
        timezone: 'Europe/Moscow',
        now_ms: Date.UTC(2026, 11, 1, 7, 20, 15),
        today: '2026-12-01',
        day: '2026-12-01',
        first_day: '2026-11-01',
        last_day: '2027-12-01',
        title: 'Today, Tue, Dec 1',
        summary: '3 meetings · times in Europe/Moscow',
        notes: [],
        empty: null,
        meetings: [
            meeting({id: 'standup|1', when: '09:15–09:30', title: 'Standup', state: 'past'}),
            meeting({
                id: 'release|',
                when: '10:00–11:00',
                title: 'Release review',
                state: 'now',
                relative: 'now · 40 min left',
                location: 'Room Neva',
                join_url: 'https://telemost.yandex.ru/j/12345678901234',
                web_url: 'https://calendar.yandex.ru/event?event_id=2001',
                answer: 'not_answered',
                answer_text: 'not answered',
            }),
            meeting({id: 'lunch|', when: '13:00–14:00', title: 'Team lunch', state: 'later', answer: 'declined', answer_text: 'declined'}),
            meeting({
                id: 'oneone|',
                when: '15:00–15:30',
                title: 'One-on-one',
                state: 'next',
                relative: 'in 4 h 40 min',
                join_url: 'javascript:alert(1)',
            }),
        ],
        ...over,
    };
}

export const notConnected: NotConnected = {
    status: 'not_connected',
    locale: 'ru',
    message: 'Подключите Яндекс Календарь, чтобы видеть здесь свои встречи. Выполните:',
    command: '/yandex_calendar connect',
};

/** A store holding the signed-in user (with a locale) and the open channel and team. */
export function fakeStore(locale: string): MattermostStore & {dispatched: RegistryAction[]; setLocale(l: string): void} {
    const listeners = new Set<() => void>();
    let state = {
        entities: {
            users: {currentUserId: 'me', profiles: {me: {id: 'me', locale}}},
            channels: {currentChannelId: 'channel-1'},
            teams: {currentTeamId: 'team-1'},
        },
    } as unknown as GlobalState;
    const dispatched: RegistryAction[] = [];
    return {
        dispatched,
        getState: () => state,
        subscribe: (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
        },
        dispatch: (a) => {
            dispatched.push(a);
            return a;
        },
        setLocale(l: string) {
            state = {...state, entities: {...state.entities, users: {...state.entities.users, profiles: {me: {id: 'me', locale: l}}}}} as unknown as GlobalState;
            listeners.forEach((fn) => fn());
        },
    };
}
