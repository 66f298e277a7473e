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
- calendar-multiget; PUT with If-Match (412 on mismatch).
Test control (no auth), all POST:
  /_control/put?cal=C&name=N   body = iCalendar      /_control/delete?cal=C&name=N
  /_control/fail?status=504&count=N[&retry_after=S]   next N DAV requests fail so;
                               count=0 clears
  /_control/expire_tokens      every token issued so far becomes stale (403)
  /_control/drop_calendar?cal=C
  /_control/strict_range?on=1  honour calendar-query time ranges (for fair benchmarks)
Usage: yandex_replay.py PORT [USER] [PASSWORD]
"""
import base64
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
    "strict": False,  # honour calendar-query time ranges (Yandex does not)
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
            if url.path == "/_control/fail":
                ra = q.get("retry_after")
                if int(q.get("count", 1)) == 0:
                    STATE["fail"] = []  # count=0 ends an outage
                STATE["fail"] += [(int(q.get("status", 504)), ra)] * int(q.get("count", 1))
                return self.send(200)
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
            if STATE["fail"]:
                status, ra = STATE["fail"].pop(0)
                return self.send(status, b"<html>Gateway Timeout</html>", "text/html",
                                 {"Retry-After": ra} if ra else None)
            if not self.authorized():
                return self.send(401, b"", headers={"WWW-Authenticate": 'Basic realm="Yandex"'})
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            text = data.decode("utf-8", "replace")
            if self.command == "PROPFIND":
                return self.propfind(path, text)
            if self.command == "REPORT":
                return self.report(path, text)
            if self.command == "PUT":
                return self.put(path, data)
        self.send(405)

    do_PROPFIND = dav
    do_REPORT = dav
    do_PUT = dav

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
                f"<D:href>{HOME}</D:href></C:calendar-home-set>"))
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
            out = []
            for name, (t, deleted) in sorted(latest.items()):
                href = f"{PLAIN_HOME}{cid}/{name}"  # Yandex: not percent-encoded here
                if deleted:
                    out.append(resp(href, missing_propstat(f"<D:getetag>{t}</D:getetag>")))
                else:
                    etag = cal["objects"][name][0]
                    out.append(resp(href, ok_propstat(f"<D:getetag>{etag}</D:getetag>")))
            out.append(f"<D:sync-token>data:,{ctag(cal)}</D:sync-token>")
            return self.send(207, ms("".join(out)))
        want_data = "calendar-data" in text
        if "calendar-multiget" in text:
            hrefs = [urllib.parse.unquote(h.strip())
                     for h in re.findall(r"<[^>/]*href>([^<]*)<", text)]
            names = [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs]
        else:  # calendar-query: filters ignored, the whole collection comes back
            names = sorted(cal["objects"])
            rng = re.search(r'time-range start="([^"]+)" end="([^"]+)"', text)
            if STATE["strict"] and rng:
                names = [n for n in names
                         if rng.group(1)[:15] <= dtstart(cal["objects"][n][1]) < rng.group(2)[:15]]
        out = []
        for name in names:
            href = f"{HOME}{cid}/{urllib.parse.quote(name, safe='')}"
            if name not in cal["objects"]:
                out.append(resp(href, '<status xmlns="DAV:">HTTP/1.1 404 Not Found</status>'))
                continue
            etag, ical = cal["objects"][name]
            props = f"<D:getetag>{etag}</D:getetag>"
            if want_data:
                props += ('<C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">'
                          f"{esc(ical)}</C:calendar-data>")
            out.append(resp(href, ok_propstat(props)))
        return self.send(207, ms("".join(out)))

    def put(self, path, data):
        cid, cal, name = self.calendar(path)
        if cal is None or not name:
            return self.send(404, b"")
        current = cal["objects"].get(name)
        want = (self.headers.get("If-Match") or "").strip().strip('"')
        if want and (current is None or str(current[0]) != want):
            return self.send(412, b"")
        t = tick()
        cal["objects"][name] = (t, data.decode("utf-8", "replace"))
        cal["log"].append((t, name, False))
        return self.send(204 if current else 201, b"", headers={"ETag": f'"{t}"'})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
