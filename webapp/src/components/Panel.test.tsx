import {act, cleanup, fireEvent, render, screen, waitFor, within} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import type {DayChoice, Panel as PanelData} from '../api';
import {Changes} from '../changes';
import {dayView, fakeStore, notConnected} from '../test/fixtures';

import {makePanel, nextRefreshDelay} from './Panel';

function setup(answers: (day: DayChoice) => Promise<PanelData>, locale = 'en') {
    const store = fakeStore(locale);
    const changes = new Changes();
    const load = vi.fn(answers);
    const run = vi.fn(async () => undefined);
    const Panel = makePanel({store, changes, load, run});
    const view = render(<Panel/>);
    return {store, changes, load, run, view};
}

describe('the Today panel', () => {
    afterEach(() => {
        cleanup();
        vi.useRealTimers();
    });

    it('shows the day: meetings in order, the one in progress highlighted with Join', async () => {
        setup(async () => dayView());
        expect(await screen.findByRole('heading', {name: 'Today, Tue, Dec 1'})).toBeTruthy();
        expect(screen.getByText('3 meetings · times in Europe/Moscow')).toBeTruthy();
        const rows = screen.getAllByRole('listitem');
        expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['past', 'now', 'later', 'next']);

        const now = rows[1];
        expect(now.getAttribute('aria-current')).toBe('time');
        expect(now.className).toContain('ycal-meeting--now');
        expect(within(now).getByText('now · 40 min left')).toBeTruthy();
        expect(within(now).getByText('Room Neva · not answered')).toBeTruthy();
        const join = within(now).getByRole('link', {name: 'Join: Release review'});
        expect(join.getAttribute('href')).toBe('https://telemost.yandex.ru/j/12345678901234');
        expect(join.getAttribute('target')).toBe('_blank');
        expect(join.getAttribute('rel')).toContain('noopener');
        expect(join.className).toContain('ycal-join--primary');
        const title = within(now).getByRole('link', {name: 'Release review'});
        expect(title.getAttribute('href')).toBe('https://calendar.yandex.ru/event?event_id=2001');

        expect(rows[2].className).toContain('ycal-meeting--declined');
        expect(within(rows[3]).getByText('in 4 h 40 min')).toBeTruthy();
        // A link that is not a web address is not made a link.
        expect(within(rows[3]).queryByRole('link')).toBeNull();
        expect(within(rows[0]).queryByRole('link')).toBeNull();
    });

    it('says when nothing is planned', async () => {
        setup(async () => dayView({meetings: [], empty: 'Nothing planned.', summary: 'no meetings · times in UTC'}));
        expect(await screen.findByText('Nothing planned.')).toBeTruthy();
        expect(screen.queryByRole('list')).toBeNull();
    });

    it('speaks Russian to a Russian user and follows a change of language', async () => {
        const {store, load} = setup(async () => dayView({locale: 'ru', title: 'Сегодня, вт, 1 дек'}), 'ru');
        await screen.findByRole('heading', {name: 'Сегодня, вт, 1 дек'});
        const days = screen.getByRole('group', {name: 'День'});
        expect(within(days).getAllByRole('button').map((b) => b.textContent)).toEqual(['Вчера', 'Сегодня', 'Завтра']);
        expect(screen.getByLabelText('Дата')).toBeTruthy();
        act(() => store.setLocale('en'));
        expect(within(screen.getByRole('group', {name: 'Day'})).getAllByRole('button').map((b) => b.textContent)).toEqual(['Yesterday', 'Today', 'Tomorrow']);
        await waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    });

    it('picks another day with the buttons or the date field', async () => {
        const days: Record<string, string> = {today: '2026-12-01', tomorrow: '2026-12-02'};
        const {load} = setup(async (day) => dayView({day: days[day] ?? day}));
        await screen.findByRole('heading');
        expect(load).toHaveBeenLastCalledWith('today');
        const today = screen.getByRole('button', {name: 'Today'});
        expect(today.getAttribute('aria-pressed')).toBe('true');

        fireEvent.click(screen.getByRole('button', {name: 'Tomorrow'}));
        await waitFor(() => expect(load).toHaveBeenLastCalledWith('tomorrow'));
        expect(screen.getByRole('button', {name: 'Tomorrow'}).getAttribute('aria-pressed')).toBe('true');
        expect(today.getAttribute('aria-pressed')).toBe('false');
        const date = screen.getByLabelText('Date') as HTMLInputElement;
        await waitFor(() => expect(date.value).toBe('2026-12-02'));
        expect(date.min).toBe('2026-11-01');
        expect(date.max).toBe('2027-12-01');

        fireEvent.change(date, {target: {value: '2026-12-04'}});
        await waitFor(() => expect(load).toHaveBeenLastCalledWith('2026-12-04'));
        // Today's date in the field is the Today button.
        fireEvent.change(date, {target: {value: '2026-12-01'}});
        await waitFor(() => expect(load).toHaveBeenLastCalledWith('today'));
    });

    it('offers the connect command and runs it in the open channel', async () => {
        const {run} = setup(async () => notConnected, 'ru');
        expect(await screen.findByText(notConnected.message)).toBeTruthy();
        expect(screen.getByText('/yandex_calendar connect')).toBeTruthy();
        fireEvent.click(screen.getByRole('button', {name: 'Подключить календарь'}));
        expect(run).toHaveBeenCalledWith('/yandex_calendar connect', {channelId: 'channel-1', teamId: 'team-1'});
    });

    it('shows a problem the server explains', async () => {
        setup(async () => ({status: 'problem', locale: 'en', message: 'Your calendar is being synced right now.'}));
        expect(await screen.findByText('Your calendar is being synced right now.')).toBeTruthy();
    });

    it('says when loading failed, keeps what it showed, and tries again', async () => {
        let fail = false;
        const {load, changes} = setup(async () => {
            if (fail) {
                throw new Error('HTTP 502');
            }
            return dayView();
        });
        await screen.findByRole('heading', {name: 'Today, Tue, Dec 1'});
        fail = true;
        act(() => changes.emit());
        expect(await screen.findByRole('alert')).toBeTruthy();
        expect(screen.getByText('Could not load your meetings.')).toBeTruthy();
        expect(screen.getByRole('heading', {name: 'Today, Tue, Dec 1'})).toBeTruthy();
        fail = false;
        fireEvent.click(screen.getByRole('button', {name: 'Try again'}));
        await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
        expect(load).toHaveBeenCalledTimes(3);
    });

    it('ignores an answer that arrives after a newer one', async () => {
        let resolveSlow: (p: PanelData) => void = () => undefined;
        const {load} = setup((day) => (day === 'today' ?
            new Promise<PanelData>((r) => {
                resolveSlow = r;
            }) :
            Promise.resolve(dayView({title: 'Tomorrow, Wed, Dec 2'}))));
        fireEvent.click(screen.getByRole('button', {name: 'Tomorrow'}));
        await screen.findByRole('heading', {name: 'Tomorrow, Wed, Dec 2'});
        await act(async () => resolveSlow(dayView({title: 'Today, Tue, Dec 1'})));
        expect(screen.getByRole('heading', {name: 'Tomorrow, Wed, Dec 2'})).toBeTruthy();
        expect(load).toHaveBeenCalledTimes(2);
    });

    describe('keeps itself current', () => {
        beforeEach(() => {
            vi.useFakeTimers();
        });

        it('asks again when the plugin says the agenda changed', async () => {
            const {changes, load} = setup(async () => dayView());
            await act(async () => undefined);
            expect(load).toHaveBeenCalledTimes(1);
            await act(async () => changes.emit());
            expect(load).toHaveBeenCalledTimes(2);
        });

        it('asks again just after each minute of the server clock', async () => {
            // now_ms is 15 s into a minute: the next request comes 45.5 s later.
            const {load} = setup(async () => dayView());
            await act(async () => undefined);
            expect(load).toHaveBeenCalledTimes(1);
            await act(async () => vi.advanceTimersByTime(45_000));
            expect(load).toHaveBeenCalledTimes(1);
            await act(async () => vi.advanceTimersByTime(1_000));
            expect(load).toHaveBeenCalledTimes(2);
            await act(async () => vi.advanceTimersByTime(60_000));
            expect(load).toHaveBeenCalledTimes(3);
        });

        it('stops asking once closed', async () => {
            const {view, load, changes} = setup(async () => dayView());
            await act(async () => undefined);
            view.unmount();
            await act(async () => vi.advanceTimersByTime(5 * 60_000));
            changes.emit();
            expect(load).toHaveBeenCalledTimes(1);
        });
    });

    it('waits a minute after an answer that is not a day', () => {
        expect(nextRefreshDelay(null)).toBe(60_000);
        expect(nextRefreshDelay(notConnected)).toBe(60_000);
        expect(nextRefreshDelay(dayView({now_ms: 120_000}))).toBe(60_500);
        expect(nextRefreshDelay(dayView({now_ms: 179_999}))).toBe(501);
    });
});
