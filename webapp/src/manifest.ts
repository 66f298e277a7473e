// Must equal "id" in plugin.json (checked by the bundle test).
export const PLUGIN_ID = 'ru.yandex.calendar';
