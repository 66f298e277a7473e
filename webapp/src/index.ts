// The plugin's web part. It registers the plugin with the Mattermost web app; the calendar
// UI (right-hand panel, settings) builds on this registration.
import {PLUGIN_ID} from './manifest';

interface PluginRegistry {
    registerSlashCommandWillBePostedHook?: (hook: (message: string, args: unknown) => unknown) => void;
}

interface MattermostPlugin {
    initialize(registry: PluginRegistry, store: unknown): void;
    uninitialize?(): void;
}

declare global {
    interface Window {
        registerPlugin(id: string, plugin: MattermostPlugin): void;
    }
}

class YandexCalendarPlugin implements MattermostPlugin {
    initialize(_registry: PluginRegistry, _store: unknown): void {
        // Nothing to add to the web app yet: commands and messages come from the server.
    }
}

window.registerPlugin(PLUGIN_ID, new YandexCalendarPlugin());
