// The plugin's web part: a "Today" panel in the right-hand sidebar, opened from the App Bar
// (or, where the web app has no App Bar, from a channel-header button). Its data comes from
// the plugin's own HTTP API (src/panel), which renders every text in the user's language
// and timezone; it reloads every minute and when the plugin says the agenda changed.
import React from 'react';

import iconUrl from '../../assets/icon.svg';

import {fetchAgenda, runCommand} from './api';
import {Changes} from './changes';
import {CalendarIcon} from './components/Icon';
import {makePanel, makeText} from './components/Panel';
import catalog from './generated/catalog.json';
import {PLUGIN_ID} from './manifest';
import type {MattermostPlugin, MattermostStore, PluginRegistry} from './registry';
import {installStyles} from './styles';

/** The websocket event the server delivers for the plugin's `agenda_changed`. */
export const AGENDA_CHANGED_EVENT = `custom_${PLUGIN_ID}_${catalog.agenda_changed_event}`;

export class YandexCalendarPlugin implements MattermostPlugin {
    private stop = false;

    initialize(registry: PluginRegistry, store: MattermostStore): void {
        installStyles(document);
        const base = () => window.basename ?? '';
        const changes = new Changes();
        const Panel = makePanel({
            store,
            changes,
            load: (day) => fetchAgenda(base(), PLUGIN_ID, day),
            run: (command, place) => runCommand(base(), command, place.channelId, place.teamId),
        });
        const Title = makeText(store, 'panel_title');
        const Tooltip = makeText(store, 'open_panel');
        const rhs = registry.registerRightHandSidebarComponent({component: Panel, title: React.createElement(Title)});
        const toggle = () => {
            store.dispatch(rhs.toggleRHSPlugin);
        };
        registry.registerAppBarComponent?.({iconUrl, tooltipText: React.createElement(Tooltip), action: toggle});
        // Shown only where the App Bar is off: the web app hides it otherwise.
        registry.registerChannelHeaderButtonAction({
            icon: React.createElement(CalendarIcon),
            action: toggle,
            dropdownText: React.createElement(Title),
            tooltipText: React.createElement(Tooltip),
        });
        registry.registerWebSocketEventHandler(AGENDA_CHANGED_EVENT, () => {
            if (!this.stop) {
                changes.emit();
            }
        });
        // Events sent while the connection was down are lost: ask again.
        registry.registerReconnectHandler(() => {
            if (!this.stop) {
                changes.emit();
            }
        });
    }

    uninitialize(): void {
        this.stop = true;
    }
}

window.registerPlugin(PLUGIN_ID, new YandexCalendarPlugin());
