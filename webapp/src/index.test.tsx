import {act, cleanup, render, screen} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import type {WebSocketMessage} from '@mattermost/client';

import plugin from '../../plugin.json';

import type {MattermostPlugin, PluginRegistry} from './registry';
import {dayView, fakeStore} from './test/fixtures';

/** A registry that records what the plugin registers, as the web app's would. */
function recordingRegistry() {
    const got = {
        rhs: [] as Array<{component: React.ComponentType; title: React.ReactNode}>,
        appBar: [] as Array<{iconUrl: string; tooltipText: React.ReactNode; action: () => void}>,
        header: [] as Array<{icon: React.ReactNode; action: () => void; tooltipText: React.ReactNode}>,
        ws: new Map<string, (m: WebSocketMessage) => void>(),
        reconnect: [] as Array<() => void>,
    };
    const registry: PluginRegistry = {
        registerRightHandSidebarComponent: (o) => {
            got.rhs.push(o);
            const action = (type: string) => ({type, id: 'rhs-1'});
            return {id: 'rhs-1', showRHSPlugin: action('SHOW'), hideRHSPlugin: action('HIDE'), toggleRHSPlugin: action('TOGGLE')};
        },
        registerAppBarComponent: (o) => {
            got.appBar.push(o);
            return 'app-bar-1';
        },
        registerChannelHeaderButtonAction: (o) => {
            got.header.push(o);
            return 'header-1';
        },
        registerWebSocketEventHandler: (event, handler) => {
            got.ws.set(event, handler);
        },
        registerReconnectHandler: (handler) => {
            got.reconnect.push(handler);
        },
    };
    return {registry, got};
}

describe('the plugin registers with the web app', () => {
    afterEach(() => {
        cleanup();
        vi.unstubAllGlobals();
        document.head.innerHTML = '';
    });

    it('as the plugin of plugin.json: an App Bar icon, a channel-header button, a panel, and live updates', async () => {
        let registered: {id: string; plugin: MattermostPlugin} | undefined;
        vi.stubGlobal('registerPlugin', (id: string, p: MattermostPlugin) => {
            registered = {id, plugin: p};
        });
        const fetch = vi.fn(async () => new Response(JSON.stringify(dayView()), {status: 200}));
        vi.stubGlobal('fetch', fetch);
        await import('./index');
        expect(registered?.id).toBe(plugin.id);

        const {registry, got} = recordingRegistry();
        const store = fakeStore('ru');
        registered?.plugin.initialize(registry, store);
        expect(document.getElementById('ycal-panel-styles')).toBeTruthy();

        expect(got.rhs).toHaveLength(1);
        expect(got.appBar).toHaveLength(1);
        expect(got.header).toHaveLength(1);
        expect(got.appBar[0].iconUrl).toBeTruthy();
        // Both buttons toggle the same panel.
        got.appBar[0].action();
        got.header[0].action();
        expect(store.dispatched).toEqual([{type: 'TOGGLE', id: 'rhs-1'}, {type: 'TOGGLE', id: 'rhs-1'}]);

        // Title and tooltip in the user's language.
        render(<>{got.rhs[0].title}{' | '}{got.appBar[0].tooltipText}</>);
        expect(screen.getByText('Яндекс Календарь | Встречи на сегодня')).toBeTruthy();

        // The panel loads from the plugin's route, and again on the plugin's event.
        const Panel = got.rhs[0].component;
        render(<Panel/>);
        await screen.findByRole('heading', {name: 'Today, Tue, Dec 1'});
        expect(String((fetch.mock.calls[0] as unknown[])[0])).toBe(`/plugins/${plugin.id}/api/v1/agenda?day=today`);
        const event = `custom_${plugin.id}_agenda_changed`;
        expect([...got.ws.keys()]).toEqual([event]);
        await act(async () => got.ws.get(event)?.({event, data: {}, broadcast: {}, seq: 1} as unknown as WebSocketMessage));
        expect(fetch).toHaveBeenCalledTimes(2);
        await act(async () => got.reconnect[0]());
        expect(fetch).toHaveBeenCalledTimes(3);
    });
});
