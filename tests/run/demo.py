#!/usr/bin/env python3
"""The REST half of `make run` (tests/run/demo.sh starts the servers; this fills them).

  demo.py setup RUN_DIR BUNDLE   admin, team, demo user, plugin, settings, demo calendar,
                                 the demo user connected to it through the connect dialog
                                 (by the terminal client $YCAL_CLIENT_BIN);
                                 writes RUN_DIR/demo.env and prints how to try it
  demo.py check RUN_DIR          /yandex_calendar info and today as the demo user (Russian
                                 answers, today's demo meetings), the same meetings in the
                                 web app panel's API through its harness page, and the
                                 calendar in Radicale

RUN_DIR holds mm/env (written by tests/mattermost/mm.sh) and radicale/url.
Standard library only.
"""
import base64
import datetime as dt
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import uuid

TEAM = "demo"
ADMIN = "admin"
DEMO_USER = "demo"
CALDAV_USER = "demo"  # the Radicale login (demo.sh starts Radicale with it)
CALENDAR = "work"
RUSSIAN_MARKER = "Встречи на сегодня"
TODAY_MEETINGS = ("Еженедельная планёрка", "Обсуждение релиза")
TELEMOST = "https://telemost.yandex.ru/j/12345678901234"
UIDS = {
    "weekly": "demo-weekly-planning@yandex.ru",
    "telemost": "demo-release-telemost@yandex.ru",
    "one2one": "demo-one-to-one@yandex.ru",
    "allday": "demo-conference-allday@yandex.ru",
}

try:
    from zoneinfo import ZoneInfo

    MSK = ZoneInfo("Europe/Moscow")
except Exception:  # no tzdata: Moscow has been UTC+3 all year since 2014
    MSK = dt.timezone(dt.timedelta(hours=3), "MSK")


def say(msg):
    print(f"demo: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    sys.exit(f"demo: error: {msg}")


def read_env(path):
    try:
        with open(path, encoding="utf-8") as f:
            return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError as e:
        fail(f"cannot read {path}: {e}")


# --- HTTP ------------------------------------------------------------------


def http(method, url, body=None, headers=None, timeout=60):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except OSError as e:
        fail(f"{method} {url}: {e}")


class Mattermost:
    """A tiny /api/v4 client: JSON in and out, a session or access token."""

    def __init__(self, base, token=None):
        self.base, self.token = base.rstrip("/"), token

    def call(self, method, path, data=None, raw=None, ctype="application/json", ok=(200, 201)):
        headers = {"X-Requested-With": "XMLHttpRequest"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = raw
        if data is not None:
            body = json.dumps(data).encode()
        if body is not None:
            headers["Content-Type"] = ctype
        status, hdrs, text = http(method, self.base + "/api/v4" + path, body, headers)
        if status not in ok:
            fail(f"{method} /api/v4{path}: HTTP {status}: {text[:500].decode(errors='replace')}")
        self.last_headers = hdrs
        return json.loads(text) if text.strip() else None

    def login(self, login_id, password):
        user = self.call("POST", "/users/login", {"login_id": login_id, "password": password})
        self.token = self.last_headers.get("Token")
        if not self.token:
            fail(f"login of {login_id}: no Token header")
        return user


# --- the plugin bundle -------------------------------------------------------


def manifest_of(bundle):
    with tarfile.open(bundle) as tar:
        for m in tar.getmembers():
            parts = m.name.removeprefix("./").split("/")
            if len(parts) == 2 and parts[1] == "plugin.json":
                return json.load(tar.extractfile(m))
    fail(f"no <id>/plugin.json in {bundle}")


def version_tuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, path in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{os.path.basename(path)}"\r\n'
            "Content-Type: application/gzip\r\n\r\n".encode()
        )
        with open(path, "rb") as f:
            out.write(f.read())
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def install_plugin(admin, bundle, mm, run_dir):
    manifest = manifest_of(bundle)
    plugin_id, need, have = manifest["id"], manifest.get("min_server_version", ""), mm["MM_VERSION"]
    if need and have and version_tuple(have) < version_tuple(need):
        raise SystemExit(f"demo: the bundle needs Mattermost {need} (min_server_version), the server is {have}")
    body, ctype = multipart({"force": "true"}, {"plugin": bundle})
    admin.call("POST", "/plugins", raw=body, ctype=ctype)
    admin.call("POST", f"/plugins/{plugin_id}/enable")
    deadline, state = time.time() + 120, {}
    while time.time() < deadline:
        state = next((s for s in admin.call("GET", "/plugins/statuses") if s["plugin_id"] == plugin_id), {})
        if state.get("state") == 2:
            say(f"plugin {plugin_id} {state.get('version')} is running")
            return manifest
        if state.get("state") in (3, 4):
            break
        time.sleep(0.5)
    fail(f"plugin {plugin_id} is not running: {state} (see {mm['MM_LOG']})")


def configure_plugin(admin, manifest, caldav_url):
    """Sets the plugin's settings the way System Console saves them."""
    cfg = admin.call("GET", "/config")
    plugins = cfg["PluginSettings"].setdefault("Plugins", {})
    settings = plugins.get(manifest["id"]) or {}
    plugins[manifest["id"]] = settings
    say(f"plugin settings before: {sorted(settings) or 'none stored yet'}")
    # Keys are stored lowercased (System Console saves them so; LoadPluginConfiguration
    # lowercases keys and fills in the manifest's defaults): reuse a stored key if any.
    # Like a System Console save, the defaults and a generated key are written too.
    def key(name):
        return next((k for k in settings if k.lower() == name.lower()), name.lower())

    for s in manifest.get("settings_schema", {}).get("settings", []):
        k = key(s["key"])
        if k not in settings and "default" in s:
            settings[k] = s["default"]
        if k not in settings and s.get("type") == "generated":
            settings[k] = secrets.token_urlsafe(24)  # 32 characters, as System Console makes
    settings[key("CalDAVURL")] = caldav_url
    admin.call("PUT", "/config", cfg)
    stored = admin.call("GET", "/config")["PluginSettings"]["Plugins"].get(manifest["id"], {})
    got = next((v for k, v in stored.items() if k.lower() == "caldavurl"), None)
    if got != caldav_url:
        fail(f"CalDAVURL did not stick: the server keeps {stored}")
    say(f"plugin setting CalDAVURL = {caldav_url} (stored as {sorted(stored)})")


# --- the demo calendar (iCalendar as Yandex writes it) ---------------------------

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Moscow
TZURL:http://tzurl.org/zoneinfo/Europe/Moscow
X-LIC-LOCATION:Europe/Moscow
BEGIN:STANDARD
TZOFFSETFROM:+0300
TZOFFSETTO:+0300
TZNAME:MSK
DTSTART:20141026T020000
RDATE:20141026T020000
END:STANDARD
END:VTIMEZONE"""


def ics(uid, summary, lines):
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    body = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Yandex LLC//Yandex Calendar//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        *VTIMEZONE.splitlines(),
        "BEGIN:VEVENT",
        f"DTSTAMP:{stamp}",
        f"UID:{uid}",
        f"SUMMARY:{summary}",
        *lines,
        f"URL:https://calendar.yandex.ru/event?uid={uid.split('@')[0]}",
        "SEQUENCE:0",
        f"CREATED:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) for line in body).encode()


def fold(line):
    """RFC 5545 line folding: at most 75 octets a line, never inside a UTF-8 character."""
    out, cur, limit = [], "", 75
    for ch in line:
        if len((cur + ch).encode()) > limit:
            out.append(cur)
            cur, limit = "", 74  # continuation lines start with a space
        cur += ch
    out.append(cur)
    return "\r\n ".join(out) + "\r\n"


def local(d):
    return d.strftime("%Y%m%dT%H%M%S")


def demo_events(now=None):
    """Four meetings relative to today in Moscow: name -> (uid, iCalendar bytes)."""
    now = (now or dt.datetime.now(MSK)).astimezone(MSK)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    at = lambda days, h, m=0: today + dt.timedelta(days=days, hours=h, minutes=m)  # noqa: E731
    tz = "TZID=Europe/Moscow"
    org = f"ORGANIZER;CN=Демо Пользователь:mailto:{DEMO_USER}@example.com"
    # The next full hour, but still today.
    call = min((now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0), at(0, 23))
    weekday = "MO TU WE TH FR SA SU".split()[today.weekday()]
    events = {
        "weekly": ("Еженедельная планёрка", [
            f"DTSTART;{tz}:{local(at(-21, 10))}",  # three weeks ago, so today is the 4th time
            f"DTEND;{tz}:{local(at(-21, 10, 30))}",
            f"RRULE:FREQ=WEEKLY;BYDAY={weekday};INTERVAL=1",
            "LOCATION:Переговорная «Нева»",
            org,
            "TRANSP:OPAQUE",
        ]),
        "telemost": ("Обсуждение релиза", [
            f"DTSTART;{tz}:{local(call)}",
            f"DTEND;{tz}:{local(call + dt.timedelta(minutes=45))}",
            f"DESCRIPTION:Ссылка на видеовстречу: {TELEMOST}",
            f"X-TELEMOST-CONFERENCE:{TELEMOST}",
            org,
            f"ATTENDEE;PARTSTAT=ACCEPTED;CN=Демо Пользователь:mailto:{DEMO_USER}@example.com",
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Анна Смирнова:mailto:anna@example.com",
            "TRANSP:OPAQUE",
        ]),
        "one2one": ("1:1 с руководителем", [
            f"DTSTART;{tz}:{local(at(1, 12))}",
            f"DTEND;{tz}:{local(at(1, 12, 30))}",
            org,
            "ATTENDEE;PARTSTAT=TENTATIVE;CN=Иван Петров:mailto:ivan@example.com",
            "TRANSP:OPAQUE",
        ]),
        "allday": ("Конференция", [
            f"DTSTART;VALUE=DATE:{at(2, 0):%Y%m%d}",
            f"DTEND;VALUE=DATE:{at(3, 0):%Y%m%d}",
            "TRANSP:TRANSPARENT",
        ]),
    }
    return {k: (UIDS[k], ics(UIDS[k], s, lines)) for k, (s, lines) in events.items()}


def dav(method, url, password, body=None, depth=None, ctype="application/xml; charset=utf-8"):
    token = base64.b64encode(f"{CALDAV_USER}:{password}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Content-Type": ctype}
    if depth is not None:
        headers["Depth"] = depth
    return http(method, url, body, headers)


def make_calendar(cal_url, password):
    dav("DELETE", cal_url, password)  # a fresh calendar each run
    status, _, text = dav("MKCALENDAR", cal_url, password, """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
 <D:set><D:prop><D:displayname>Работа</D:displayname><I:calendar-color>#49c0a8ff</I:calendar-color>
 <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
 </D:prop></D:set></C:mkcalendar>""".encode())
    if status not in (200, 201):
        fail(f"MKCALENDAR {cal_url}: HTTP {status}: {text[:300]!r}")
    for uid, body in demo_events().values():
        status, _, text = dav("PUT", cal_url + uid.replace("@", "%40") + ".ics", password, body,
                              ctype="text/calendar; charset=utf-8")
        if status not in (200, 201, 204):
            fail(f"PUT {uid}: HTTP {status}: {text[:300]!r}")


def uids_between(cal_url, password, start, end):
    """UIDs of the events in [start, end) by a CalDAV time-range REPORT (recurrences expanded)."""
    fmt = lambda d: d.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")  # noqa: E731
    status, _, text = dav("REPORT", cal_url, password, f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:prop><D:getetag/><C:calendar-data/></D:prop>
 <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
  <C:time-range start="{fmt(start)}" end="{fmt(end)}"/>
 </C:comp-filter></C:comp-filter></C:filter></C:calendar-query>""".encode(), depth="1")
    if status != 207:
        fail(f"REPORT {cal_url}: HTTP {status}: {text[:300]!r}")
    text = re.sub(r"\r?\n[ \t]", "", text.decode())  # unfold
    return set(re.findall(r"^UID:(.+?)\r?$", text, re.M)), text


# --- setup / check -------------------------------------------------------------


def client_command(url, password):
    return [os.environ.get("YCAL_CLIENT_BIN", "ycal-client"), "-url", url, "-login", DEMO_USER,
            "-password", password, "-team", TEAM]


def connect_demo_user(url, pw):
    """/yandex_calendar connect as the demo user, through the real dialog, by the terminal client."""
    cmd = client_command(url, pw["demo"]) + ["connect", "-caldav-login", CALDAV_USER,
                                               "-caldav-password", pw["caldav"]]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        fail(f"connecting the demo user failed: {res.stderr.strip() or res.stdout.strip()}")
    say("the demo user is connected to the demo calendar (through the connect dialog)")


def notify_demo_user(url, pw):
    """Turns the demo user's notifications on through the real dialog: a digest in a few
    minutes (every day), reminders 10 minutes before, status, changes and answers."""
    digest = (dt.datetime.now(MSK) + dt.timedelta(minutes=3)).strftime("%H:%M")
    cmd = client_command(url, pw["demo"]) + ["notifications", "-digest", digest, "-days", "every_day",
                                               "-reminder", "10"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        fail(f"turning the demo user's notifications on failed: {res.stderr.strip() or res.stdout.strip()}")
    say(f"the demo user's notifications are on: a digest at {digest} (Moscow), reminders 10 minutes before")
    return digest


def setup(run_dir, bundle):
    mm = read_env(os.path.join(run_dir, "mm", "env"))
    url = mm["MM_URL"]
    with open(os.path.join(run_dir, "radicale", "url"), encoding="utf-8") as f:
        radicale = f.read().strip()
    pw = {
        "admin": os.environ.get("YCAL_DEMO_ADMIN_PASSWORD", "admin-password-1"),
        "demo": os.environ.get("YCAL_DEMO_PASSWORD", "demo-password-1"),
        "caldav": os.environ["YCAL_DEMO_CALDAV_PASSWORD"],
    }

    admin = Mattermost(url)
    admin.call("POST", "/users", {"username": ADMIN, "email": "admin@example.com", "password": pw["admin"]})
    if "system_admin" not in admin.login(ADMIN, pw["admin"])["roles"]:
        fail("the first user is not a system admin (is this a fresh server?)")
    team = admin.call("POST", "/teams", {"name": TEAM, "display_name": "Demo", "type": "O"})
    demo = admin.call("POST", "/users", {
        "username": DEMO_USER, "email": "demo@example.com", "password": pw["demo"],
        "first_name": "Демо", "last_name": "Пользователь", "locale": "ru",
    })
    admin.call("PUT", f"/users/{demo['id']}/patch", {"locale": "ru", "timezone": {
        "useAutomaticTimezone": "false", "manualTimezone": "Europe/Moscow", "automaticTimezone": ""}})
    for uid in (admin.call("GET", "/users/me")["id"], demo["id"]):
        admin.call("POST", f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": uid})
    channel = admin.call("GET", f"/teams/{team['id']}/channels/name/town-square")
    # A personal access token for the curl line (the role lets the user hold tokens).
    admin.call("PUT", f"/users/{demo['id']}/roles", {"roles": "system_user system_user_access_token"})
    token = admin.call("POST", f"/users/{demo['id']}/tokens", {"description": "make run demo"})["token"]

    manifest = install_plugin(admin, bundle, mm, run_dir)
    configure_plugin(admin, manifest, radicale)
    cal_url = f"{radicale.rstrip('/')}/{CALDAV_USER}/{CALENDAR}/"
    make_calendar(cal_url, pw["caldav"])
    say(f"demo calendar {cal_url}: {len(UIDS)} meetings (weekly, Telemost, 1:1 tomorrow, all-day)")
    connect_demo_user(url, pw)
    digest = notify_demo_user(url, pw)

    with open(os.path.join(run_dir, "demo.env"), "w", encoding="utf-8") as f:
        for k, v in {"MM_URL": url, "TEAM_ID": team["id"], "CHANNEL_ID": channel["id"],
                     "ADMIN_PASSWORD": pw["admin"], "DEMO_PASSWORD": pw["demo"], "DEMO_TOKEN": token,
                     "CALDAV_URL": radicale, "CALENDAR_URL": cal_url,
                     "CALDAV_PASSWORD": pw["caldav"], "PANEL_URL": os.environ.get("YCAL_PANEL_URL", ""),
                     "PLUGIN_ID": manifest["id"],
                     "DEMO_DAY": dt.datetime.now(MSK).date().isoformat()}.items():
            f.write(f"{k}={v}\n")

    cmd = json.dumps({"channel_id": channel["id"], "command": "/yandex_calendar today"}, ensure_ascii=False)
    client = " ".join(client_command(url, pw["demo"]))
    print(f"""
================ Yandex Calendar for Mattermost: local demo ================
Mattermost {mm['MM_VERSION']}  {url}   (API only: this server is built without its web app)
  admin      {ADMIN} / {pw['admin']}
  demo user  {DEMO_USER} / {pw['demo']}   (locale ru, Europe/Moscow; team "{TEAM}", channel town-square)
Radicale (CalDAV)  {radicale}   (the plugin's CalDAVURL setting)
  login      {CALDAV_USER} / {pw['caldav']}
  calendar   {cal_url}  "Работа": a weekly planning, a Telemost call today,
             a 1:1 tomorrow, an all-day conference the day after
  The demo user is already connected to it (through the plugin's connect dialog), with
  notifications on: the morning digest at {digest} today (in a few minutes), a reminder
  10 minutes before each meeting with its Join link, the status 📆 На встрече while one
  runs; they come as direct messages from the bot, shown in the terminal client.
Use the plugin as {DEMO_USER} from a terminal (slash commands, dialogs as prompts, buttons):
  {client}
  then type  /yandex_calendar today   /yandex_calendar week   /yandex_calendar profile
             /yandex_calendar checks check_scheduler   (what is set, the next digest and reminder)
             /yandex_calendar notifications update     (the notifications dialog)
             /yandex_calendar connections update   (the dialog, then the calendars button)
The web app's Today panel (this server has no web app: a harness page loads the plugin's
main.js the way the web app does, with the real server behind it):
  {os.environ.get("YCAL_PANEL_URL", "(not started)")}?login={DEMO_USER}   sign in as {DEMO_USER} / {pw['demo']}, then click the
             calendar icon on the right (App Bar); add &theme=dark for the dark theme,
             &appbar=0 for the channel-header button, &rhs=280 for a narrow sidebar
Or one command over the REST API:
  curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\
       -d '{cmd}' {url}/api/v4/commands/execute
  curl -s -u {CALDAV_USER}:{pw['caldav']} -X PROPFIND -H 'Depth: 1' {cal_url}
Logs: {mm['MM_LOG']}   run folder: {run_dir}
Ctrl-C stops Mattermost, PostgreSQL and Radicale.
=============================================================================
""", flush=True)


def check(run_dir):
    env = read_env(os.path.join(run_dir, "demo.env"))
    user = Mattermost(env["MM_URL"])
    me = user.login(DEMO_USER, env["DEMO_PASSWORD"])
    if me.get("locale") != "ru":
        fail(f"demo user's locale is {me.get('locale')!r}, want 'ru'")
    reply = user.call("POST", "/commands/execute", {
        "channel_id": env["CHANNEL_ID"], "team_id": env["TEAM_ID"], "command": "/yandex_calendar info"})
    text = json.dumps(reply, ensure_ascii=False)
    if RUSSIAN_MARKER not in text:
        fail(f"/yandex_calendar info answered {text[:400]}; want {RUSSIAN_MARKER!r}")
    say(f"ok: /yandex_calendar info as {DEMO_USER} answers in Russian ({RUSSIAN_MARKER!r})")
    reply = user.call("POST", "/commands/execute", {
        "channel_id": env["CHANNEL_ID"], "team_id": env["TEAM_ID"], "command": "/yandex_calendar today"})
    text = (reply or {}).get("text", "")
    missing = [m for m in TODAY_MEETINGS if m not in text]
    if missing or "Сегодня" not in text or TELEMOST not in text:
        fail(f"/yandex_calendar today answered {text[:600]!r}; want {TODAY_MEETINGS} and the Telemost link")
    say(f"ok: /yandex_calendar today as {DEMO_USER} shows the demo meetings: {', '.join(TODAY_MEETINGS)}")
    reply = user.call("POST", "/commands/execute", {
        "channel_id": env["CHANNEL_ID"], "team_id": env["TEAM_ID"],
        "command": "/yandex_calendar checks check_scheduler"})
    text = (reply or {}).get("text", "")
    if "Следующая сводка: " not in text or "каждый день" not in text or "за 10 минут" not in text:
        fail(f"/yandex_calendar checks check_scheduler answered {text[:600]!r}; want the digest and reminders set")
    say("ok: the demo user's notifications are scheduled (check_scheduler shows the next digest)")
    check_panel(env)
    token_user = Mattermost(env["MM_URL"], env["DEMO_TOKEN"]).call("GET", "/users/me")
    if token_user["username"] != DEMO_USER:
        fail(f"the printed access token belongs to {token_user['username']}")
    say("ok: the printed access token works")

    cal, pw = env["CALENDAR_URL"], env["CALDAV_PASSWORD"]
    today = dt.datetime.combine(dt.date.fromisoformat(env["DEMO_DAY"]), dt.time(), MSK)
    got, _ = uids_between(cal, pw, today, today + dt.timedelta(days=1))
    want = {UIDS["weekly"], UIDS["telemost"]}
    if got != want:
        fail(f"meetings today in {cal}: {sorted(got)}; want {sorted(want)}")
    got, text = uids_between(cal, pw, today, today + dt.timedelta(days=7))
    if got != set(UIDS.values()):
        fail(f"meetings this week in {cal}: {sorted(got)}; want {sorted(UIDS.values())}")
    for needle in ("PRODID:-//Yandex LLC//Yandex Calendar//EN", "TZID:Europe/Moscow",
                   f"X-TELEMOST-CONFERENCE:{TELEMOST}", "RRULE:FREQ=WEEKLY", "DTSTART;VALUE=DATE:"):
        if needle not in text:
            fail(f"the demo calendar has no {needle!r}")
    say(f"ok: Radicale holds the demo meetings (2 today, 4 this week) at {cal}")


def check_panel(env):
    """The printed harness page serves the plugin's bundle, and through it the panel's API
    gives the demo user's meetings, signed in with a session cookie as the web app is."""
    base = env.get("PANEL_URL", "").rstrip("/")
    if not base:
        fail("the panel's harness page was not started (no PANEL_URL)")
    status, _, page = http("GET", base + "/")
    if status != 200 or b"harness.js" not in page:
        fail(f"the harness page {base}/ answered HTTP {status}")
    status, _, js = http("GET", base + "/harness/plugin/main.js")
    if status != 200 or b"registerPlugin" not in js:
        fail(f"the harness serves no plugin bundle (HTTP {status})")
    status, headers, text = http("POST", base + "/api/v4/users/login", json.dumps(
        {"login_id": DEMO_USER, "password": env["DEMO_PASSWORD"]}).encode(),
        {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest"})
    cookies = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])
    if status != 200 or "MMAUTHTOKEN=" not in cookies:
        fail(f"signing in through the harness page: HTTP {status} {text[:200]!r}")
    status, _, text = http("GET", f"{base}/plugins/{env['PLUGIN_ID']}/api/v1/agenda?day=today",
                           headers={"Cookie": cookies, "X-Requested-With": "XMLHttpRequest"})
    panel = json.loads(text) if status == 200 else {}
    titles = [m["title"] for m in panel.get("meetings", [])]
    if panel.get("status") != "day" or not panel.get("title", "").startswith("Сегодня") or \
            any(m not in titles for m in TODAY_MEETINGS):
        fail(f"the panel's API through {base} answered HTTP {status}: {text[:400]!r}")
    say(f"ok: the panel's page {base}/ serves the bundle, and its API shows {', '.join(titles)}")


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "setup":
            setup(argv[2], argv[3])
        elif len(argv) == 3 and argv[1] == "check":
            check(argv[2])
        else:
            sys.exit(__doc__)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main(sys.argv)
