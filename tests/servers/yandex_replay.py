#!/usr/bin/env python3
"""A small CalDAV server that answers the way caldav.yandex.ru does, for tests.

Shapes and quirks reproduced (see DESIGN.md, "CalDAV and Yandex, as measured"):
- discovery from `/` (no .well-known), principal and home hrefs with `%40`,
  `href xmlns="DAV:"` default-namespace elements, split 200/404 propstats, inbox/outbox,
  a VTODO calendar next to the event calendar;
- unquoted millisecond ETags, `data:,NNN` sync tokens, getctag;
- sync-collection: 507 without a token, 403 valid-sync-token on a stale token, deletions as
  a 404 propstat that still carries getetag, hrefs NOT percent-encoded (`@`);
- calendar-query ignores its filters and returns every object (extra out-of-range events),
  hrefs percent-encoded (`%40`);
- calendar-multiget answers hrefs `%40`-encoded, and answers 404 for an href spelled with
  a raw `@` (the spelling sync-collection itself uses): fetch by the listing's spelling;
- sync-collection must be sent with Depth: 0 (RFC 6578 section 3.2), else 400;
- the principal carries calendarserver's email-address-set (the account's address);
- PUT with If-Match (412 on mismatch; a weak W/ tag never matches, as RFC 9110 says);
- GET of an object, its ETag in a header (quoted; bare or weak on request);
- an invitee's PUT (the object's ORGANIZER is someone else) keeps the organizer's fields:
  only the PARTSTAT of the account's own ATTENDEE lines is taken (per VEVENT, by
  RECURRENCE-ID), new overrides are added as sent; no ETag comes back (what is stored is
  not what was sent);
- on request, a meeting the invitee declined vanishes from their calendar (sync-collection
  reports it deleted, GET answers 404) while the organizer's copy keeps it.
Test control (no auth), all POST:
  /_control/put?cal=C&name=N   body = iCalendar      /_control/delete?cal=C&name=N
  /_control/generate?cal=C&count=N&day=YYYYMMDD   N small events on that day, at once
  /_control/fail?status=504&count=N[&retry_after=S][&after=K]   after K more DAV requests,
                               the next N fail so; count=0 clears
  /_control/expire_tokens      every token issued so far becomes stale (403)
  /_control/drop_calendar?cal=C     /_control/add_calendar?cal=C&name=NAME
  /_control/strict_range?on=1  honour calendar-query time ranges (for fair benchmarks)
  /_control/page?size=N        truncate: sync-collection pages of N (507 on the collection
                               and a token to go on); calendar-query cut at N with a 507
  /_control/omit?name=N[&on=0] calendar-multiget leaves N out of its answers
  /_control/no_data?name=N[&on=0]   calendar-multiget answers N without calendar-data
  /_control/weak_etags?on=1    getetag comes as W/"..." in listings
  /_control/redirect?to=URL&count=N   the next N DAV requests answer 307 to URL + path
  /_control/stats              JSON: DAV requests by kind, and whether the last one
                               carried an Authorization header
  /_control/header_etags?style=quoted|bare|weak   how GET and PUT answers write ETags
  /_control/if_match?never=1   a conditional PUT never matches (412 whatever it says)
  /_control/race?count=N       the next N PUTs find the object changed just before them
                               (as if the organizer edited it): If-Match fails with 412
  /_control/vanish_declined?on=1   an invitee PUT that declines the meeting (its master, or
                               its only VEVENT) removes it from the invitee's calendar
  /_control/get?cal=C&name=N   the stored object (also a vanished one: the organizer's
                               copy), as text
Usage: yandex_replay.py PORT [USER] [PASSWORD]
"""
import base64
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER = sys.argv[2] if len(sys.argv) > 2 else "user@yandex.ru"
PASSWORD = sys.argv[3] if len(sys.argv) > 3 else "secret"
Q_USER = urllib.parse.quote(USER, safe="")
PRINCIPAL = f"/principals/users/{Q_USER}/"
HOME = f"/calendars/{Q_USER}/"
PLAIN_HOME = f"/calendars/{USER}/"

LOCK = threading.Lock()
STATE = {
    "clock": 1700000000000,
    "stale_before": 0,
    "fail": [],  # list of (status, retry_after)
    "fail_after": 0,  # DAV requests to let through before the failures start
    "strict": False,  # honour calendar-query time ranges (Yandex does not)
    "page": None,  # truncate answers to this many items
    "omit": set(),
    "no_data": set(),
    "weak": False,
    "redirect": None,  # (url, count)
    "header_etags": "quoted",
    "never_match": False,
    "race": 0,
    "vanish_declined": False,
    "vanished": {},  # (cal, name) -> body: the organizer's copy of a declined meeting
    "stats": {"requests": 0, "by_kind": {}, "last_auth": False},
    "calendars": {
        "events-1001": {"name": "Work", "comp": "VEVENT", "objects": {}, "log": []},
        "todos-2002": {"name": "Не забыть", "comp": "VTODO", "objects": {}, "log": []},
    },
}


def tick():
    STATE["clock"] += 1
    return STATE["clock"]


def ctag(cal):
    return max([e[0] for e in cal["log"]] + [1600000000000])


def ms(body):
    return ('<?xml version=\'1.0\' encoding=\'utf-8\'?>\n<D:multistatus xmlns:D="DAV:">'
            + body + "</D:multistatus>").encode()


def ok_propstat(props):
    return (f"<D:propstat><D:prop>{props}</D:prop>"
            '<status xmlns="DAV:">HTTP/1.1 200 OK</status></D:propstat>')


def missing_propstat(props):
    return (f"<D:propstat><D:prop>{props}</D:prop>"
            '<status xmlns="DAV:">HTTP/1.1 404 Not Found</status></D:propstat>')


def resp(href, inner):
    return f'<D:response><href xmlns="DAV:">{href}</href>{inner}</D:response>'


def dtstart(ical):
    vevent = ical[ical.find("BEGIN:VEVENT"):]
    m = re.search(r"^DTSTART[^:]*:(\S+)", vevent, re.M)
    return m.group(1)[:15] if m else ""


def etag_text(t):
    return f'W/"{t}"' if STATE["weak"] else str(t)


def header_etag(t):
    style = STATE["header_etags"]
    return {"bare": str(t), "weak": f'W/"{t}"'}.get(style, f'"{t}"')


def canonical(address):
    """An address as all its Yandex aliases share it (see src/ical/me.rs)."""
    a = address.strip().lower()
    if a.startswith("mailto:"):
        a = a[7:]
    login, _, domain = a.rpartition("@")
    if domain in ("yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua"):
        return login.replace("-", ".") + "@yandex.ru"
    return a


def unfold(ical):
    return re.sub(r"\r?\n[ \t]", "", ical).replace("\r\n", "\n").split("\n")


def line_value(line):
    """The value of a content line: after the first colon outside quotes."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return line[i + 1:]
    return ""


def vevents(lines):
    """[(rid, [line indexes])] of the VEVENTs, rid = RECURRENCE-ID value or None."""
    out, current, depth = [], None, 0
    for i, line in enumerate(lines):
        up = line.upper()
        if up == "BEGIN:VEVENT":
            current, depth = [None, [i]], 1
        elif current is not None:
            current[1].append(i)
            if up.startswith("BEGIN:"):
                depth += 1
            elif up.startswith("END:"):
                depth -= 1
                if depth == 0:
                    out.append(tuple(current))
                    current = None
            elif depth == 1 and up.startswith("RECURRENCE-ID"):
                current[0] = line_value(line).strip()
    return out


def is_me_attendee(line):
    return line.upper().startswith("ATTENDEE") and canonical(line_value(line)) == canonical(USER)


def organizer(lines):
    for line in lines:
        if line.upper().startswith("ORGANIZER"):
            return canonical(line_value(line))
    return None


def my_partstats(lines):
    """{rid: the PARTSTAT line of my ATTENDEE} of each VEVENT."""
    out = {}
    for rid, idx in vevents(lines):
        for i in idx:
            if is_me_attendee(lines[i]):
                out[rid] = lines[i]
    return out


def invitee_merge(old, new):
    """What Yandex keeps of an invitee's PUT: the organizer's object with the invitee's
    answers, and any new override the invitee sent."""
    old_lines, new_lines = unfold(old), unfold(new)
    mine = my_partstats(new_lines)
    old_events = vevents(old_lines)
    for rid, idx in old_events:
        for i in idx:
            if is_me_attendee(old_lines[i]) and rid in mine:
                old_lines[i] = mine[rid]
    known = {rid for rid, _ in old_events}
    added = []
    for rid, idx in vevents(new_lines):
        if rid not in known:
            added += [new_lines[i] for i in idx]
    end = max(i for i, line in enumerate(old_lines) if line.upper() == "END:VCALENDAR")
    merged = old_lines[:end] + added + old_lines[end:]
    return "\r\n".join(line for line in merged if line) + "\r\n"


def declined_by_me(ical):
    """The invitee declined the meeting as a whole (its master, or its only VEVENT)."""
    lines = unfold(ical)
    events = vevents(lines)
    master = [idx for rid, idx in events if rid is None] or [idx for _, idx in events][:1]
    return any("PARTSTAT=DECLINED" in lines[i].upper()
               for idx in master for i in idx if is_me_attendee(lines[i]))


def flag(q, name):
    return q.get(name, "1") != "0"


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", ctype="text/xml; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        data = self.body()
        with LOCK:
            if url.path == "/_control/put":
                cal = STATE["calendars"][q["cal"]]
                t = tick()
                cal["objects"][q["name"]] = (t, data.decode())
                cal["log"].append((t, q["name"], False))
                return self.send(200, str(t).encode(), "text/plain")
            if url.path == "/_control/delete":
                cal = STATE["calendars"][q["cal"]]
                t = tick()
                cal["objects"].pop(q["name"], None)
                cal["log"].append((t, q["name"], True))
                return self.send(200)
            if url.path == "/_control/generate":
                cal = STATE["calendars"][q["cal"]]
                day = q.get("day", "20260310")
                for i in range(int(q["count"])):
                    t = tick()
                    name = f"gen{i:06d}.ics"
                    body = ("BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\n"
                            f"BEGIN:VEVENT\r\nUID:gen{i}@yandex.ru\r\nDTSTART:{day}T{8 + i % 10:02d}0000Z\r\n"
                            f"SUMMARY:Meeting {i}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
                    cal["objects"][name] = (t, body)
                    cal["log"].append((t, name, False))
                return self.send(200)
            if url.path == "/_control/fail":
                ra = q.get("retry_after")
                if int(q.get("count", 1)) == 0:
                    STATE["fail"] = []  # count=0 ends an outage
                STATE["fail_after"] = int(q.get("after", 0))
                STATE["fail"] += [(int(q.get("status", 504)), ra)] * int(q.get("count", 1))
                return self.send(200)
            if url.path == "/_control/add_calendar":
                STATE["calendars"][q["cal"]] = {"name": q.get("name", q["cal"]), "comp": "VEVENT",
                                                "objects": {}, "log": []}
                return self.send(200)
            if url.path == "/_control/page":
                size = int(q.get("size", 0))
                STATE["page"] = size or None
                return self.send(200)
            if url.path in ("/_control/omit", "/_control/no_data"):
                target = STATE[url.path.rsplit("/", 1)[1]]
                (target.add if flag(q, "on") else target.discard)(q["name"])
                return self.send(200)
            if url.path == "/_control/weak_etags":
                STATE["weak"] = flag(q, "on")
                return self.send(200)
            if url.path == "/_control/redirect":
                STATE["redirect"] = (q["to"].rstrip("/"), int(q.get("count", 1)))
                return self.send(200)
            if url.path == "/_control/header_etags":
                STATE["header_etags"] = q.get("style", "quoted")
                return self.send(200)
            if url.path == "/_control/if_match":
                STATE["never_match"] = flag(q, "never")
                return self.send(200)
            if url.path == "/_control/race":
                STATE["race"] = int(q.get("count", 1))
                return self.send(200)
            if url.path == "/_control/vanish_declined":
                STATE["vanish_declined"] = flag(q, "on")
                return self.send(200)
            if url.path == "/_control/get":
                cal = STATE["calendars"][q["cal"]]
                obj = cal["objects"].get(q["name"])
                body = obj[1] if obj else STATE["vanished"].get((q["cal"], q["name"]))
                if body is None:
                    return self.send(404)
                return self.send(200, body.encode(), "text/calendar; charset=utf-8")
            if url.path == "/_control/stats":
                return self.send(200, json.dumps(STATE["stats"]).encode(), "application/json")
            if url.path == "/_control/expire_tokens":
                STATE["stale_before"] = tick()
                return self.send(200)
            if url.path == "/_control/strict_range":
                STATE["strict"] = q.get("on") == "1"
                return self.send(200)
            if url.path == "/_control/drop_calendar":
                STATE["calendars"].pop(q["cal"], None)
                return self.send(200)
        self.send(404)

    def authorized(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Basic "):
            return False
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return False
        return user == USER and pw == PASSWORD

    def dav(self):
        data = self.body()
        with LOCK:
            stats = STATE["stats"]
            stats["requests"] += 1
            text = data.decode("utf-8", "replace")
            kind = self.command
            for k in ("sync-collection", "calendar-multiget", "calendar-query"):
                if k in text:
                    kind = k
            stats["by_kind"][kind] = stats["by_kind"].get(kind, 0) + 1
            stats["last_auth"] = bool(self.headers.get("Authorization"))
            if STATE["redirect"]:
                to, count = STATE["redirect"]
                STATE["redirect"] = (to, count - 1) if count > 1 else None
                return self.send(307, b"", headers={"Location": to + self.path})
            if STATE["fail"] and STATE["fail_after"] > 0:
                STATE["fail_after"] -= 1
            elif STATE["fail"]:
                status, ra = STATE["fail"].pop(0)
                return self.send(status, b"<html>Gateway Timeout</html>", "text/html",
                                 {"Retry-After": ra} if ra else None)
            if not self.authorized():
                return self.send(401, b"", headers={"WWW-Authenticate": 'Basic realm="Yandex"'})
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if self.command == "PROPFIND":
                return self.propfind(path, text)
            if self.command == "REPORT":
                return self.report(path, text)
            if self.command == "PUT":
                return self.put(path, data)
            if self.command == "GET":
                return self.get(path)
        self.send(405)

    do_PROPFIND = dav
    do_REPORT = dav
    do_PUT = dav
    do_GET = dav

    def calendar(self, path):
        m = re.fullmatch(re.escape(PLAIN_HOME) + r"([^/]+)/(?:([^/]+))?", path)
        if not m:
            return None, None, None
        return m.group(1), STATE["calendars"].get(m.group(1)), m.group(2)

    def propfind(self, path, text):
        if path == "/":
            body = resp("/", ok_propstat(f"<D:current-user-principal><D:href>{PRINCIPAL}</D:href>"
                                         "</D:current-user-principal>"))
            return self.send(207, ms(body))
        if path == urllib.parse.unquote(PRINCIPAL):
            body = resp(PRINCIPAL, ok_propstat(
                '<C:calendar-home-set xmlns:C="urn:ietf:params:xml:ns:caldav">'
                f"<D:href>{HOME}</D:href></C:calendar-home-set>"
                '<email-address-set xmlns="http://calendarserver.org/ns/">'
                f"<D:href>mailto:{USER}</D:href></email-address-set>"))
            return self.send(207, ms(body))
        if path == PLAIN_HOME:
            out = [resp(HOME, ok_propstat("<D:displayname>User</D:displayname>"
                                          "<D:resourcetype><D:collection /></D:resourcetype>")
                        + missing_propstat('<getctag xmlns="http://calendarserver.org/ns/" />'))]
            for box in ("inbox", "outbox"):
                out.append(resp(f"{HOME}{box}/", ok_propstat(
                    f'<D:resourcetype><D:collection /><C:schedule-{box} '
                    'xmlns:C="urn:ietf:params:xml:ns:caldav" /></D:resourcetype>')
                    + missing_propstat("<D:displayname />")))
            for cid, cal in STATE["calendars"].items():
                out.append(resp(f"{HOME}{cid}/", self.cal_props(cal, full=True)))
            return self.send(207, ms("".join(out)))
        cid, cal, name = self.calendar(path)
        if cal is None or name:
            return self.send(404, b"")
        return self.send(207, ms(resp(f"{HOME}{cid}/", self.cal_props(cal, full=False))))

    def cal_props(self, cal, full):
        c = ctag(cal)
        props = (f"<D:sync-token>data:,{c}</D:sync-token>"
                 f'<getctag xmlns="http://calendarserver.org/ns/">{c}</getctag>')
        if full:
            props += (f"<D:displayname>{esc(cal['name'])}</D:displayname>"
                      '<calendar-color xmlns="http://apple.com/ns/ical/">#49c0a8ff</calendar-color>'
                      '<D:resourcetype><C:calendar xmlns:C="urn:ietf:params:xml:ns:caldav" />'
                      "<D:collection /></D:resourcetype>"
                      '<C:supported-calendar-component-set xmlns:C="urn:ietf:params:xml:ns:caldav">'
                      f'<C:comp name="{cal["comp"]}" /></C:supported-calendar-component-set>')
        return ok_propstat(props)

    def report(self, path, text):
        cid, cal, _ = self.calendar(path)
        if cal is None:
            return self.send(404, b"")
        if "sync-collection" in text:
            if (self.headers.get("Depth") or "").strip() != "0":
                return self.send(400, b"sync-collection needs Depth: 0")
            m = re.search(r"<[^>]*sync-token>([^<]*)<", text)
            token = (m.group(1) if m else "").strip()
            if not token:
                return self.send(507, b"")
            try:
                since = int(token.split(",", 1)[1])
            except (IndexError, ValueError):
                since = -1
            if since < STATE["stale_before"] or since < 0:
                return self.send(403, b'<?xml version="1.0" encoding="utf-8"?>\n'
                                 b'<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>')
            latest = {}
            for t, name, deleted in cal["log"]:
                if t > since:
                    latest[name] = (t, deleted)
            items = sorted(latest.items(), key=lambda kv: kv[1][0])
            token = ctag(cal)
            out = []
            if STATE["page"] and len(items) > STATE["page"]:
                items = items[:STATE["page"]]
                token = items[-1][1][0]
                out.append(resp(f"{HOME}{cid}/", '<status xmlns="DAV:">HTTP/1.1 507 Insufficient Storage</status>'))
            for name, (t, deleted) in items:
                href = f"{PLAIN_HOME}{cid}/{name}"  # Yandex: not percent-encoded here
                if deleted:
                    out.append(resp(href, missing_propstat(f"<D:getetag>{t}</D:getetag>")))
                else:
                    etag = cal["objects"][name][0]
                    out.append(resp(href, ok_propstat(f"<D:getetag>{etag_text(etag)}</D:getetag>")))
            out.append(f"<D:sync-token>data:,{token}</D:sync-token>")
            return self.send(207, ms("".join(out)))
        want_data = "calendar-data" in text
        multiget = "calendar-multiget" in text
        out = []
        if multiget:
            raw = [h.strip() for h in re.findall(r"<[^>/]*href>([^<]*)<", text)]
            names = []
            for h in raw:
                name = urllib.parse.unquote(h).rstrip("/").rsplit("/", 1)[-1]
                if "@" in h.rsplit("/", 1)[-1]:
                    # Yandex knows its objects by the `%40` spelling only.
                    out.append(resp(h, '<status xmlns="DAV:">HTTP/1.1 404 Not Found</status>'))
                elif name not in STATE["omit"]:
                    names.append(name)
        else:  # calendar-query: filters ignored, the whole collection comes back
            names = sorted(cal["objects"])
            rng = re.search(r'time-range start="([^"]+)" end="([^"]+)"', text)
            if STATE["strict"] and rng:
                names = [n for n in names
                         if rng.group(1)[:15] <= dtstart(cal["objects"][n][1]) < rng.group(2)[:15]]
            if STATE["page"] and len(names) > STATE["page"]:
                names = names[:STATE["page"]]
                out.append(resp(f"{HOME}{cid}/", '<status xmlns="DAV:">HTTP/1.1 507 Insufficient Storage</status>'))
        for name in names:
            href = f"{HOME}{cid}/{urllib.parse.quote(name, safe='')}"
            if name not in cal["objects"]:
                out.append(resp(href, '<status xmlns="DAV:">HTTP/1.1 404 Not Found</status>'))
                continue
            etag, ical = cal["objects"][name]
            props = f"<D:getetag>{etag_text(etag)}</D:getetag>"
            if want_data and not (multiget and name in STATE["no_data"]):
                props += ('<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">'
                          f"{esc(ical)}</C:calendar-data>")
            out.append(resp(href, ok_propstat(props)))
        return self.send(207, ms("".join(out)))

    def get(self, path):
        cid, cal, name = self.calendar(path)
        if cal is None or not name or name not in cal["objects"]:
            return self.send(404, b"")
        etag, ical = cal["objects"][name]
        return self.send(200, ical.encode(), "text/calendar; charset=utf-8",
                         {"ETag": header_etag(etag)})

    def put(self, path, data):
        cid, cal, name = self.calendar(path)
        if cal is None or not name:
            return self.send(404, b"")
        current = cal["objects"].get(name)
        if current is not None and STATE["race"] > 0:
            # Someone else saved the object a moment before this PUT arrived.
            STATE["race"] -= 1
            t = tick()
            current = (t, current[1].replace("SUMMARY:", "SUMMARY:(changed) ", 1))
            cal["objects"][name] = current
            cal["log"].append((t, name, False))
        want = (self.headers.get("If-Match") or "").strip()
        # Strong comparison: a weak tag never matches (RFC 9110 section 13.1.1).
        if want and (current is None or want.startswith("W/") or STATE["never_match"]
                     or str(current[0]) != want.strip('"')):
            return self.send(412, b"")
        text = data.decode("utf-8", "replace")
        invitee = current is not None and organizer(unfold(current[1])) not in (None, canonical(USER))
        if invitee:
            text = invitee_merge(current[1], text)
        t = tick()
        if invitee and STATE["vanish_declined"] and declined_by_me(text):
            cal["objects"].pop(name, None)
            cal["log"].append((t, name, True))
            STATE["vanished"][(cid, name)] = text
            return self.send(204, b"")
        cal["objects"][name] = (t, text)
        cal["log"].append((t, name, False))
        # An ETag only when what is stored is what was sent (RFC 4791 section 5.3.4).
        headers = {} if invitee else {"ETag": header_etag(t)}
        return self.send(204 if current else 201, b"", headers=headers)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
