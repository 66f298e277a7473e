// The Mattermost web app, reduced to what a plugin's web bundle meets when it loads:
// React and ReactDOM on window, window.registerPlugin, a plugin registry (right-hand
// sidebar, App Bar, channel-header buttons, websocket event and reconnect handlers), a
// Redux-like store with the signed-in user, the open channel and team, the theme's CSS
// variables, and the server's websocket. Requests go to the real Mattermost through the
// harness server, with the session cookie the server set at sign-in.
//
// Query parameters: theme=light|dark, appbar=0 (a web app without the App Bar: plugins'
// channel-header buttons show instead), rhs=<width px>, team=<id>, channel=<id>.
// window.__harness exposes what happened (registrations, websocket events, errors).
(function () {
    'use strict';
    const h = React.createElement;
    const params = new URLSearchParams(location.search);
    const appBarOn = params.get('appbar') !== '0';
    const rhsWidth = Number(params.get('rhs')) || 400;
    const harness = {ready: false, events: [], eventLog: [], errors: [], calls: [], socket: 'connecting', plugins: []};
    window.__harness = harness;
    window.addEventListener('error', (e) => harness.errors.push(String(e.message)));

    // Mattermost's Denim and Onyx themes, as the web app sets them on the page.
    const THEMES = {
        light: {'center-channel-bg': '#ffffff', 'center-channel-color': '#3f4350', 'button-bg': '#1c58d9', 'button-color': '#ffffff', 'link-color': '#386fe5', 'error-text': '#d24b4e', 'online-indicator': '#3db887', 'away-indicator': '#ffbc1f', 'sidebar-bg': '#1e325c'},
        dark: {'center-channel-bg': '#191b1f', 'center-channel-color': '#e3e4e8', 'button-bg': '#4a7ce8', 'button-color': '#ffffff', 'link-color': '#5d89ea', 'error-text': '#da6c6e', 'online-indicator': '#3db887', 'away-indicator': '#f5ab00', 'sidebar-bg': '#121317'},
    };
    function applyTheme(name) {
        const theme = THEMES[name] || THEMES.light;
        const style = document.documentElement.style;
        for (const [key, hex] of Object.entries(theme)) {
            const n = parseInt(hex.slice(1), 16);
            style.setProperty(`--${key}`, hex);
            style.setProperty(`--${key}-rgb`, `${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}`);
        }
    }
    applyTheme(params.get('theme'));

    function cookie(name) {
        const c = document.cookie.split(';').map((s) => s.trim()).find((s) => s.startsWith(name + '='));
        return c ? decodeURIComponent(c.slice(name.length + 1)) : '';
    }

    // The web app's Client4 in brief: cookie session, XMLHttpRequest marker, CSRF token.
    async function api(method, path, body) {
        const headers = {'X-Requested-With': 'XMLHttpRequest'};
        if (body) {
            headers['Content-Type'] = 'application/json';
        }
        if (method !== 'GET') {
            headers['X-CSRF-Token'] = cookie('MMCSRF');
        }
        const res = await fetch(path, {method, credentials: 'same-origin', headers, body: body && JSON.stringify(body)});
        if (res.status === 401) {
            return null;
        }
        if (!res.ok) {
            throw new Error(`${method} ${path}: HTTP ${res.status}`);
        }
        return res.json();
    }

    // --- the store -----------------------------------------------------------------
    function createStore(initial) {
        let state = initial;
        const listeners = new Set();
        return {
            getState: () => state,
            subscribe(fn) {
                listeners.add(fn);
                return () => listeners.delete(fn);
            },
            dispatch(action) {
                harness.calls.push(['dispatch', action && action.type]);
                if (action && action.type === 'HARNESS_RHS') {
                    const open = state.views.rhs.pluggableId;
                    let next = open;
                    if (action.op === 'show') {
                        next = action.id;
                    } else if (action.op === 'hide') {
                        next = open === action.id ? null : open;
                    } else {
                        next = open === action.id ? null : action.id;
                    }
                    state = {...state, views: {...state.views, rhs: {pluggableId: next}}};
                }
                listeners.forEach((fn) => fn());
                return action;
            },
        };
    }

    // --- the plugin registry ---------------------------------------------------------
    const reg = {rhs: [], appBar: [], header: [], ws: new Map(), reconnect: []};
    let onRegistryChange = () => undefined;
    let lastId = 0;
    const newId = () => `component-${++lastId}`;
    // As the web app's resolveReactElement: a component becomes an element.
    const resolve = (x) => (typeof x === 'function' ? h(x) : x);
    // As the web app's reArg: one plain object of named arguments, or positional ones.
    function named(args, names) {
        const [first] = args;
        if (args.length === 1 && first && typeof first === 'object' && !React.isValidElement(first)) {
            return first;
        }
        return Object.fromEntries(names.map((n, i) => [n, args[i]]));
    }

    function makeRegistry(pluginId) {
        const registry = {
            registerRightHandSidebarComponent(...args) {
                const o = named(args, ['component', 'title']);
                const id = newId();
                reg.rhs.push({id, pluginId, component: o.component, title: resolve(o.title)});
                onRegistryChange();
                const action = (op) => ({type: 'HARNESS_RHS', op, id});
                return {id, showRHSPlugin: action('show'), hideRHSPlugin: action('hide'), toggleRHSPlugin: action('toggle')};
            },
            registerAppBarComponent(...args) {
                const o = named(args, ['iconUrl', 'action', 'tooltipText', 'supportedProductIds', 'rhsComponent', 'rhsTitle']);
                const id = newId();
                reg.appBar.push({id, pluginId, iconUrl: o.iconUrl, action: o.action, tooltipText: resolve(o.tooltipText)});
                onRegistryChange();
                return id;
            },
            registerChannelHeaderButtonAction(...args) {
                const o = named(args, ['icon', 'action', 'dropdownText', 'tooltipText']);
                const id = newId();
                reg.header.push({id, pluginId, icon: resolve(o.icon), action: o.action, tooltipText: resolve(o.tooltipText)});
                onRegistryChange();
                return id;
            },
            registerWebSocketEventHandler(event, handler) {
                reg.ws.set(event, [...(reg.ws.get(event) || []), handler]);
            },
            registerReconnectHandler(handler) {
                reg.reconnect.push(handler);
            },
        };
        // Anything else the web app offers is accepted and noted.
        return new Proxy(registry, {
            get(target, name) {
                harness.calls.push(['registry', String(name)]);
                return name in target ? target[name] : () => newId();
            },
        });
    }

    // --- the websocket -------------------------------------------------------------
    let connectedOnce = false;
    function connectSocket() {
        const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v4/websocket`);
        ws.onmessage = (e) => {
            let msg;
            try {
                msg = JSON.parse(e.data);
            } catch {
                return;
            }
            if (!msg.event) {
                return;
            }
            if (msg.event === 'hello') {
                harness.socket = 'open';
                if (connectedOnce) {
                    reg.reconnect.forEach((fn) => fn());
                }
                connectedOnce = true;
            }
            harness.events.push(msg.event);
            harness.eventLog.push({event: msg.event, at: Date.now()});
            (reg.ws.get(msg.event) || []).forEach((fn) => fn(msg));
        };
        ws.onclose = () => {
            harness.socket = 'closed';
            setTimeout(connectSocket, 1000);
        };
    }

    // --- the page ------------------------------------------------------------------
    class Boundary extends React.Component {
        constructor(props) {
            super(props);
            this.state = {error: null};
        }
        static getDerivedStateFromError(error) {
            return {error};
        }
        componentDidCatch(error) {
            harness.errors.push(String(error && error.stack || error));
        }
        render() {
            return this.state.error ? h('p', {role: 'alert'}, `The plugin failed: ${this.state.error}`) : this.props.children;
        }
    }

    function iconButton(key, label, content, pressed, onClick) {
        return h('button', {key, type: 'button', className: 'h-icon-button', 'aria-pressed': pressed ? 'true' : 'false', onClick},
            content, h('span', {className: 'h-hidden'}, label));
    }

    function App({store, channel}) {
        const [, rerender] = React.useReducer((n) => n + 1, 0);
        React.useEffect(() => {
            onRegistryChange = rerender;
            return store.subscribe(rerender);
        }, [store]);
        const openId = store.getState().views.rhs.pluggableId;
        const rhs = reg.rhs.find((r) => r.id === openId);
        const withAppBar = new Set(reg.appBar.map((a) => a.pluginId));
        // As the web app: with the App Bar on, a plugin's App Bar icon replaces its header button.
        const header = reg.header.filter((b) => !(appBarOn && withAppBar.has(b.pluginId)));
        const isOpen = (pluginId) => Boolean(rhs && rhs.pluginId === pluginId);
        return h('div', {className: 'h-layout'},
            h('main', {className: 'h-center'},
                h('header', {className: 'h-channel-header'},
                    h('h1', null, channel.display_name || channel.name),
                    ...header.map((b) => iconButton(b.id, b.tooltipText, b.icon, isOpen(b.pluginId), () => b.action(channel)))),
                h('div', {className: 'h-center-body'}, `Web app harness · ${harness.plugins.join(', ')}`)),
            rhs && h('aside', {className: 'h-rhs', style: {width: `${rhsWidth}px`}, 'aria-label': 'Right-hand sidebar', 'data-testid': 'rhs'},
                h('div', {className: 'h-rhs-header'},
                    h('span', null, rhs.title),
                    h('button', {type: 'button', className: 'h-icon-button', 'aria-label': 'Close', onClick: () => store.dispatch({type: 'HARNESS_RHS', op: 'hide', id: rhs.id})}, '×')),
                h('div', {className: 'h-rhs-body'}, h(Boundary, null, h(rhs.component)))),
            appBarOn && reg.appBar.length > 0 && h('nav', {className: 'h-app-bar', 'aria-label': 'App Bar'},
                ...reg.appBar.map((a) => iconButton(a.id, a.tooltipText, h('img', {src: a.iconUrl, alt: ''}), isOpen(a.pluginId), () => a.action(channel)))));
    }

    function Login({onDone}) {
        const [error, setError] = React.useState('');
        const submit = async (e) => {
            e.preventDefault();
            const form = new FormData(e.target);
            try {
                const me = await api('POST', '/api/v4/users/login', {login_id: form.get('login'), password: form.get('password')});
                if (me) {
                    onDone();
                } else {
                    setError('Wrong login or password.');
                }
            } catch (err) {
                setError(String(err));
            }
        };
        return h('form', {className: 'h-login', onSubmit: submit},
            h('h1', null, 'Sign in to Mattermost'),
            h('input', {name: 'login', 'aria-label': 'Login', defaultValue: params.get('login') || ''}),
            h('input', {name: 'password', type: 'password', 'aria-label': 'Password'}),
            h('button', {type: 'submit'}, 'Sign in'),
            error && h('p', {role: 'alert'}, error));
    }

    async function start() {
        const root = ReactDOM.createRoot(document.getElementById('app'));
        const me = await api('GET', '/api/v4/users/me');
        if (!me) {
            root.render(h(Login, {onDone: () => location.reload()}));
            return;
        }
        const config = await (await fetch('/harness/config.json')).json();
        const teams = params.get('team') ? [{id: params.get('team')}] : await api('GET', '/api/v4/users/me/teams');
        const teamId = teams && teams[0] ? teams[0].id : '';
        const channel = params.get('channel') ?
            await api('GET', `/api/v4/channels/${encodeURIComponent(params.get('channel'))}`) :
            teamId && await api('GET', `/api/v4/teams/${teamId}/channels/name/town-square`);
        const store = createStore({
            entities: {
                users: {currentUserId: me.id, profiles: {[me.id]: me}},
                teams: {currentTeamId: teamId},
                channels: {currentChannelId: channel ? channel.id : ''},
            },
            views: {rhs: {pluggableId: null}},
        });
        window.registerPlugin = (id, plugin) => {
            harness.plugins.push(id);
            plugin.initialize(makeRegistry(id), store);
        };
        connectSocket();
        await new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.id = `plugin_${config.plugin_id}`;
            script.src = '/harness/plugin/main.js';
            script.onload = resolve;
            script.onerror = () => reject(new Error('the plugin bundle did not load'));
            document.body.appendChild(script);
        });
        root.render(h(App, {store, channel: channel || {id: '', name: 'no channel'}}));
        harness.ready = true;
    }

    start().catch((e) => {
        harness.errors.push(String(e));
        document.getElementById('app').textContent = `Harness failed: ${e}`;
    });
}());
