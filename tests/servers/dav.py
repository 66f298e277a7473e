#!/usr/bin/env python3
"""Minimal WebDAV client for test setup (standard library only).

  dav.py mkcal URL [NAME]          MKCALENDAR (VEVENT) at URL, display name NAME
  dav.py put URL FILE|-            PUT an iCalendar object; prints the ETag
  dav.py event URL UID SUMMARY START   PUT a one-hour event (START = YYYYMMDDTHHMMSSZ)
  dav.py delete URL                DELETE an object or collection
Credentials: $YCAL_TEST_USER / $YCAL_TEST_PASSWORD (default user / secret).
"""
import base64
import os
import sys
import urllib.error
import urllib.request


def request(method, url, body=b"", ctype=None):
    user = os.environ.get("YCAL_TEST_USER", "user")
    password = os.environ.get("YCAL_TEST_PASSWORD", "secret")
    req = urllib.request.Request(url, data=body or None, method=method)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def mkcal(url, name="Test"):
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:set><D:prop><D:displayname>{name}</D:displayname>
 <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
 </D:prop></D:set></C:mkcalendar>""".encode()
    status, _, text = request("MKCALENDAR", url, body, "application/xml")
    if status not in (200, 201):
        sys.exit(f"MKCALENDAR {url}: {status} {text[:300]!r}")


def event(uid, summary, start):
    end = start[:9] + f"{(int(start[9:11]) + 1) % 24:02d}" + start[11:]
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ycal tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def put(url, body):
    status, headers, text = request("PUT", url, body, "text/calendar; charset=utf-8")
    if status not in (200, 201, 204):
        sys.exit(f"PUT {url}: {status} {text[:300]!r}")
    etag = {k.lower(): v for k, v in headers.items()}.get("etag", "")
    print(etag)


def delete(url):
    status, _, text = request("DELETE", url)
    if status not in (200, 204, 404):
        sys.exit(f"DELETE {url}: {status} {text[:300]!r}")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, url = argv[1], argv[2]
    if cmd == "mkcal":
        mkcal(url, argv[3] if len(argv) > 3 else "Test")
    elif cmd == "put":
        data = sys.stdin.buffer.read() if argv[3] == "-" else open(argv[3], "rb").read()
        put(url, data)
    elif cmd == "event":
        put(url, event(argv[3], argv[4], argv[5]))
    elif cmd == "delete":
        delete(url)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
