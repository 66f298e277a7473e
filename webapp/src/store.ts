// Reading the web app's Redux store from the panel's components.
import React from 'react';

import type {GlobalState} from '@mattermost/types/store';

import type {MattermostStore} from './registry';

/** A value selected from the store, kept current as the store changes. */
export function useSelected<T>(store: MattermostStore, select: (state: GlobalState) => T): T {
    const [value, setValue] = React.useState(() => select(store.getState()));
    React.useEffect(() => {
        const update = () => setValue(() => select(store.getState()));
        update();
        return store.subscribe(update);
    }, [store, select]);
    return value;
}

/** Where a command typed now would run: the channel and team open in the web app. */
export function currentPlace(state: GlobalState): {channelId: string; teamId: string} {
    return {
        channelId: state?.entities?.channels?.currentChannelId ?? '',
        teamId: state?.entities?.teams?.currentTeamId ?? '',
    };
}
