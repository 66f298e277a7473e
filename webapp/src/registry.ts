// The part of the web app's plugin registry this plugin calls, and what Mattermost gives a
// plugin on load. Mattermost publishes no types for the registry (it lives in the web app's
// own source, webapp/channels/src/plugins/registry.ts); these signatures follow it and name
// only what is used here. Everything about the server's data is typed with @mattermost/types.
import type React from 'react';

import type {WebSocketMessage} from '@mattermost/client';
import type {GlobalState} from '@mattermost/types/store';

/** A Redux action the registry hands back (open, close or toggle a panel). */
export type RegistryAction = {type: string; [key: string]: unknown};

/** What registerRightHandSidebarComponent returns. */
export interface RightHandSidebar {
    id: string;
    showRHSPlugin: RegistryAction;
    hideRHSPlugin: RegistryAction;
    toggleRHSPlugin: RegistryAction;
}

export interface PluginRegistry {
    registerRightHandSidebarComponent(options: {component: React.ComponentType; title: React.ReactNode}): RightHandSidebar;
    /** Since Mattermost 7.0; when the App Bar is on, Mattermost hides the channel-header button of a plugin that has one. */
    registerAppBarComponent?(options: {iconUrl: string; tooltipText: React.ReactNode; action: () => void}): string;
    registerChannelHeaderButtonAction(options: {icon: React.ReactNode; action: () => void; dropdownText: React.ReactNode; tooltipText: React.ReactNode}): string;
    registerWebSocketEventHandler(event: string, handler: (msg: WebSocketMessage) => void): void;
    registerReconnectHandler(handler: () => void): void;
}

/** The web app's Redux store, as a plugin receives it (the calls used here). */
export interface MattermostStore {
    getState(): GlobalState;
    subscribe(listener: () => void): () => void;
    dispatch(action: RegistryAction): unknown;
}

export interface MattermostPlugin {
    initialize(registry: PluginRegistry, store: MattermostStore): void;
    uninitialize?(): void;
}

declare global {
    interface Window {
        registerPlugin(id: string, plugin: MattermostPlugin): void;
        /** The site's path prefix when Mattermost is served below one ("" or "/chat"). */
        basename?: string;
    }
}
