import {afterEach, describe, expect, it, vi} from 'vitest';

import {fetchAgenda, HttpError, pluginUrl, runCommand} from './api';
import {dayView} from './test/fixtures';

function answer(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), {status, headers: {'Content-Type': 'application/json'}});
}

describe('the plugin API client', () => {
    afterEach(() => {
        vi.unstubAllGlobals();
    });

    it('asks the plugin for a day as the web app would: same origin, its session cookie', async () => {
        const fetch = vi.fn(async () => answer(200, dayView()));
        vi.stubGlobal('fetch', fetch);
        const panel = await fetchAgenda('/chat', 'com.example.cal', '2026-12-04');
        expect(panel.status).toBe('day');
        expect(fetch).toHaveBeenCalledTimes(1);
        const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
        expect(url).toBe('/chat/plugins/com.example.cal/api/v1/agenda?day=2026-12-04');
        expect(init.credentials).toBe('same-origin');
        expect((init.headers as Record<string, string>)['X-Requested-With']).toBe('XMLHttpRequest');
        expect(init.method ?? 'GET').toBe('GET');
    });

    it('shows what a 400 explains, and fails on other errors', async () => {
        vi.stubGlobal('fetch', vi.fn(async () => answer(400, {status: 'problem', locale: 'en', message: 'There is no such date'})));
        expect(await fetchAgenda('', 'p', 'x')).toEqual({status: 'problem', locale: 'en', message: 'There is no such date'});
        vi.stubGlobal('fetch', vi.fn(async () => new Response('not signed in', {status: 401})));
        await expect(fetchAgenda('', 'p', 'today')).rejects.toEqual(new HttpError(401));
        vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>', {status: 200})));
        await expect(fetchAgenda('', 'p', 'today')).rejects.toThrow();
    });

    it('runs a command with the CSRF token of the session', async () => {
        document.cookie = 'MMCSRF=csrf-token-1';
        const fetch = vi.fn(async () => answer(200, {}));
        vi.stubGlobal('fetch', fetch);
        await runCommand('', '/yandex_calendar connect', 'ch1', 'team1');
        const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
        expect(url).toBe('/api/v4/commands/execute');
        expect(init.method).toBe('POST');
        expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-token-1');
        expect(JSON.parse(init.body as string)).toEqual({command: '/yandex_calendar connect', channel_id: 'ch1', team_id: 'team1'});
    });

    it('builds plugin URLs below the site path', () => {
        expect(pluginUrl('', 'a.b', '/x')).toBe('/plugins/a.b/x');
        expect(pluginUrl('/mm/', 'a.b', '/x')).toBe('/mm/plugins/a.b/x');
    });
});
