// The Today panel as a person sees it, in headless Chromium (Debian's /usr/bin/chromium),
// on the harness page (tests/mmclient/harness) that loads the built main.js the way the web
// app does, against the real plugin in the real Mattermost of the end-to-end suite.
//
// tests/e2e/users_panel_test.go prepares everything (users, a Radicale calendar with a
// meeting in progress and one coming, the harness server) and runs this file with
// YCAL_PANEL_CONFIG pointing at a JSON file (see that test for its fields). Screenshots go
// to config.artifacts (light/dark × en/ru, the narrow sidebar, the empty day, not connected).
import assert from 'node:assert/strict';
import {mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {chromium} from 'playwright-core';

const config = JSON.parse(readFileSync(process.env.YCAL_PANEL_CONFIG, 'utf8'));
mkdirSync(config.artifacts, {recursive: true});

let browser;
before(async () => {
    browser = await chromium.launch({
        executablePath: config.chromium,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
});
after(async () => {
    await browser?.close();
});

/**
 * A fresh browser profile signed in as `who` (the server sets the session cookies), by
 * the harness page's own form (as in `make run`) or by the API.
 */
async function signedIn(who, query = '', viewport = {width: 1280, height: 800}, {form = false} = {}) {
    const user = config.users[who];
    const context = await browser.newContext({viewport, locale: user.locale === 'ru' ? 'ru-RU' : 'en-US'});
    if (form) {
        const page = await context.newPage();
        await page.goto(`${config.harness}/?login=${encodeURIComponent(user.login)}`);
        assert.equal(await page.getByLabel('Login').inputValue(), user.login);
        await page.getByLabel('Password').fill(user.password);
        await page.getByRole('button', {name: 'Sign in'}).click();
        await page.waitForFunction(() => window.__harness?.ready, null, {timeout: 20_000});
        await page.close();
    } else {
        const res = await context.request.post(`${config.harness}/api/v4/users/login`, {
            data: {login_id: user.login, password: user.password},
            headers: {'X-Requested-With': 'XMLHttpRequest'},
        });
        assert.equal(res.status(), 200, `sign-in of ${who}: ${await res.text()}`);
    }
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
        if (m.type() === 'error') {
            problems.push(m.text());
        }
    });
    const params = new URLSearchParams(query);
    params.set('team', config.team);
    params.set('channel', config.channel);
    await page.goto(`${config.harness}/?${params}`);
    await page.waitForFunction(() => window.__harness?.ready && window.__harness.socket === 'open', null, {timeout: 20_000});
    return {context, page, problems};
}

async function shot(page, name) {
    const file = path.join(config.artifacts, `${name}.png`);
    await page.screenshot({path: file});
    console.log(`# screenshot ${file}`);
}

const rhs = (page) => page.getByRole('complementary', {name: 'Right-hand sidebar'});
const heading = (page) => rhs(page).getByRole('heading', {level: 2});
const row = (page, title) => rhs(page).getByRole('listitem').filter({hasText: title});

/** The checks every connected user's Today gets: rows, the one in progress, Join, the next one. */
async function checkToday(page, who) {
    const user = config.users[who];
    const words = user.locale === 'ru' ?
        {today: /^Сегодня, /, now: /^идёт · ещё \d+ (мин|ч)/, next: /^через (\d+) мин$/, join: 'Подключиться', tomorrow: 'Завтра', open: 'Открыть в Яндекс Календаре'} :
        {today: /^Today, /, now: /^now · \d+ (min|h)/, next: /^in (\d+) min$/, join: 'Join', tomorrow: 'Tomorrow', open: 'Open in Yandex Calendar'};
    await assert.doesNotReject(heading(page).filter({hasText: words.today}).waitFor({timeout: 20_000}), 'the Today heading');
    assert.match(await rhs(page).locator('.ycal-summary').innerText(), new RegExp(user.tz.replace('/', '\\/')));

    const now = row(page, config.now.title);
    assert.equal(await now.getAttribute('data-state'), 'now');
    assert.equal(await now.getAttribute('aria-current'), 'time');
    if (user.now_when) {
        assert.equal(await now.locator('.ycal-meeting__when').innerText(), user.now_when);
    }
    assert.match(await now.locator('.ycal-meeting__relative').innerText(), words.now);
    assert.match(await now.locator('.ycal-meeting__meta').innerText(), new RegExp(config.now.location));
    const join = now.getByRole('link', {name: `${words.join}: ${config.now.title}`});
    assert.equal(await join.getAttribute('href'), config.now.join_url);
    assert.equal(await join.getAttribute('target'), '_blank');
    assert.match(await join.getAttribute('rel'), /noopener/);
    const title = now.getByRole('link', {name: config.now.title, exact: true});
    assert.equal(await title.getAttribute('href'), config.now.web_url);
    assert.equal(await title.getAttribute('title'), words.open);

    // The next meeting: later today, or (late in the evening) first thing tomorrow.
    if (!user.next_today) {
        await rhs(page).getByRole('button', {name: words.tomorrow}).click();
    }
    const next = row(page, config.next.title);
    await next.waitFor();
    assert.equal(await next.getAttribute('data-state'), 'next');
    const m = (await next.locator('.ycal-meeting__relative').innerText()).match(words.next);
    assert.ok(m, 'the next meeting says when it starts');
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= config.next.minutes_at_most, `starts in ${m[1]} min`);
    if (user.next_when) {
        assert.equal(await next.locator('.ycal-meeting__when').innerText(), user.next_when);
    }
    // Only the meeting in progress has the highlighted Join button (on tomorrow's page too,
    // when it runs past midnight).
    assert.equal(await rhs(page).locator('.ycal-join--primary').count(),
        user.next_today || user.now_past_midnight ? 1 : 0);
    if (!user.next_today) {
        await rhs(page).getByRole('button', {name: user.locale === 'ru' ? 'Сегодня' : 'Today'}).click();
        await heading(page).filter({hasText: words.today}).waitFor();
    }
}

async function colours(page) {
    return page.evaluate(() => {
        const panel = document.querySelector('.ycal-panel');
        const join = document.querySelector('.ycal-join--primary');
        return {
            panel: getComputedStyle(panel).backgroundColor,
            text: getComputedStyle(panel).color,
            join: join && getComputedStyle(join).backgroundColor,
        };
    });
}

test('Russian, light: the App Bar icon opens the panel with the day in Moscow time', async () => {
    const {context, page, problems} = await signedIn('ivan', 'theme=light');
    await rhs(page).waitFor({state: 'detached'}).catch(() => undefined);
    const open = page.getByRole('navigation', {name: 'App Bar'}).getByRole('button', {name: 'Встречи на сегодня'});
    // The App Bar icon is the plugin's icon; without an App Bar there would be a header button.
    assert.match(await open.locator('img').getAttribute('src'), /^data:image\/svg\+xml/);
    assert.equal(await page.locator('.h-channel-header').getByRole('button').count(), 0);
    await open.click();
    await assert.doesNotReject(rhs(page).getByText('Яндекс Календарь', {exact: true}).waitFor());
    await checkToday(page, 'ivan');
    const days = rhs(page).getByRole('group', {name: 'День'});
    assert.deepEqual(await days.getByRole('button').allInnerTexts(), ['Вчера', 'Сегодня', 'Завтра']);
    assert.equal(await days.getByRole('button', {name: 'Сегодня'}).getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await colours(page), {panel: 'rgb(255, 255, 255)', text: 'rgb(63, 67, 80)', join: 'rgb(28, 88, 217)'});
    await shot(page, 'ru-light');
    // The App Bar icon closes it again.
    await open.click();
    await rhs(page).waitFor({state: 'detached'});
    assert.deepEqual(problems, []);
    await context.close();
});

test('Russian, dark: the theme\'s colours', async () => {
    const {context, page, problems} = await signedIn('ivan', 'theme=dark');
    await page.getByRole('button', {name: 'Встречи на сегодня'}).click();
    await checkToday(page, 'ivan');
    assert.deepEqual(await colours(page), {panel: 'rgb(25, 27, 31)', text: 'rgb(227, 228, 232)', join: 'rgb(74, 124, 232)'});
    await shot(page, 'ru-dark');
    assert.deepEqual(problems, []);
    await context.close();
});

test('keyboard only: every control is reached with Tab, a day is picked with Enter, an empty day says so', async () => {
    const {context, page, problems} = await signedIn('ivan', 'theme=light');
    const open = page.getByRole('button', {name: 'Встречи на сегодня'});
    await open.focus();
    await page.keyboard.press('Enter');
    await heading(page).filter({hasText: /^Сегодня, /}).waitFor();
    await page.getByRole('button', {name: 'Вчера'}).focus();
    const reached = [];
    for (let i = 0; i < 30; i++) {
        reached.push(await page.evaluate(() => {
            const e = document.activeElement;
            return `${e.tagName.toLowerCase()}:${e.getAttribute('aria-label') || e.textContent.trim() || e.getAttribute('type')}`;
        }));
        await page.keyboard.press('Tab');
    }
    for (const want of ['button:Вчера', 'button:Сегодня', 'button:Завтра', 'input:date', `a:${config.now.title}`, `a:Подключиться: ${config.now.title}`]) {
        assert.ok(reached.includes(want), `Tab never reaches ${want}: ${reached.join(' → ')}`);
    }
    await page.getByRole('button', {name: 'Завтра'}).focus();
    await page.keyboard.press('Enter');
    await heading(page).filter({hasText: /^Завтра, /}).waitFor();
    assert.equal(await page.getByRole('button', {name: 'Завтра'}).getAttribute('aria-pressed'), 'true');
    // A day with nothing planned, typed into the date field.
    await page.getByLabel('Дата').fill(config.empty_day);
    await rhs(page).getByText('Ничего не запланировано.').waitFor();
    assert.match(await rhs(page).locator('.ycal-summary').innerText(), /^нет встреч · время — Europe\/Moscow$/);
    assert.equal(await rhs(page).getByRole('listitem').count(), 0);
    await shot(page, 'ru-empty-day');
    assert.deepEqual(problems, []);
    await context.close();
});

for (const theme of ['light', 'dark']) {
    test(`English, ${theme}, no App Bar: the channel-header button opens John's day in Yekaterinburg time`, async () => {
        const {context, page, problems} = await signedIn('john', `theme=${theme}&appbar=0`);
        assert.equal(await page.getByRole('navigation', {name: 'App Bar'}).count(), 0);
        await page.locator('.h-channel-header').getByRole('button', {name: 'Meetings today'}).click();
        await rhs(page).getByText('Yandex Calendar', {exact: true}).waitFor();
        await checkToday(page, 'john');
        assert.deepEqual(await rhs(page).getByRole('group', {name: 'Day'}).getByRole('button').allInnerTexts(), ['Yesterday', 'Today', 'Tomorrow']);
        await shot(page, `en-${theme}`);
        assert.deepEqual(problems, []);
        await context.close();
    });
}

test('a narrow sidebar: nothing sticks out, nothing needs a sideways scroll', async () => {
    const {context, page, problems} = await signedIn('john', 'theme=light&rhs=260', {width: 760, height: 800});
    await page.getByRole('button', {name: 'Meetings today'}).click();
    await checkToday(page, 'john');
    const fit = await page.evaluate(() => {
        const panel = document.querySelector('.ycal-panel');
        const box = panel.getBoundingClientRect();
        const out = [...panel.querySelectorAll('*')].filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
        }).map((e) => e.className || e.tagName);
        return {scroll: panel.scrollWidth, client: panel.clientWidth, out};
    });
    assert.ok(fit.scroll <= fit.client, `sideways scroll: ${fit.scroll} > ${fit.client}`);
    assert.deepEqual(fit.out, []);
    await shot(page, 'en-narrow');
    assert.deepEqual(problems, []);
    await context.close();
});

test('not connected: the panel offers the command; connecting updates it at once over the websocket', async () => {
    const {context, page, problems} = await signedIn('olga', 'theme=light', undefined, {form: true});
    await page.getByRole('button', {name: 'Встречи на сегодня'}).click();
    await rhs(page).getByText(/^Подключите Яндекс Календарь/).waitFor();
    assert.equal(await rhs(page).locator('code').innerText(), '/yandex_calendar connect');
    await shot(page, 'ru-not-connected');
    const before = await page.evaluate(() => window.__harness.eventLog.length);
    const asked = [];
    page.on('request', (r) => {
        if (r.url().includes('/api/v1/agenda')) {
            asked.push(Date.now());
        }
    });
    await rhs(page).getByRole('button', {name: 'Подключить календарь'}).click();
    // The command opened the connect dialog in Olga's apps; fill it in as she would.
    const res = await fetch(`${config.control}/submit-connect-dialog?user=olga`, {method: 'POST'});
    assert.equal(res.status, 200, await res.text());
    const started = Date.now();
    await heading(page).filter({hasText: /^Сегодня, /}).waitFor({timeout: 20_000});
    await row(page, config.now.title).waitFor();
    const events = await page.evaluate((n) => window.__harness.eventLog.slice(n), before);
    const changed = events.filter((e) => e.event === config.agenda_changed_event);
    assert.ok(changed.length > 0, `websocket events: ${events.map((e) => e.event).join(', ')}`);
    // The panel asked again as the event came, not at its next minute.
    assert.ok(changed.some((e) => asked.some((t) => t >= e.at && t - e.at < 1500)),
        `agenda_changed at ${changed.map((e) => e.at)}, requests at ${asked}`);
    assert.ok(Date.now() - started < 20_000);
    await shot(page, 'ru-connected-live');
    assert.deepEqual(problems, []);
    await context.close();
});
