// The panel's fixed texts, in the user's Mattermost language. They are generated from the
// component's catalog (src/i18n, see tests/webapp_catalog.rs): nothing is translated here.
import catalog from './generated/catalog.json';

import type {GlobalState} from '@mattermost/types/store';

export type Texts = typeof catalog.strings.en;
export type Lang = keyof typeof catalog.strings;

/** Russian for a Russian locale ("ru", "ru-RU"), English otherwise: the component's rule. */
export function langOf(locale: string | undefined): Lang {
    return (locale ?? '').split(/[-_]/)[0].toLowerCase() === 'ru' ? 'ru' : 'en';
}

export function texts(lang: Lang): Texts {
    return catalog.strings[lang];
}

/** The signed-in user's locale, as the web app knows it. */
export function userLocale(state: GlobalState): string | undefined {
    const users = state?.entities?.users;
    return users?.profiles?.[users.currentUserId]?.locale;
}
