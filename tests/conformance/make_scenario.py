#!/usr/bin/env python3
"""Writes scenario.json (see README.md). Run from anywhere: python3 make_scenario.py

The scenario is host-independent: it names exports and imports by their WIT names and
gives values in the canonical JSON of README.md. Regenerate it after changing this file;
both hosts read only the JSON.
"""
import json
import os

H = "yandex:calendar/hooks@0.1.0#"
P = "yandex:calendar/abi-probe@0.1.0#"
KV = "yandex:calendar/kv@0.1.0#"
MM = "yandex:calendar/mattermost@0.1.0#"
SCHED = "yandex:calendar/scheduler@0.1.0#"

U64_MAX = 2**64 - 1
S64_MIN = -(2**63)
S64_MAX = 2**63 - 1

UNI = "Привет, мир! 📆 Встреча «Планёрка» — 10:00 ✅ 👩‍💻 日本語 é"
TRICKY = 'tab\there\nnew line "quotes" \\backslash <b>&amp;</b> \u0001\u001f \u007f'


def big_string(target=100_000):
    parts, i = [], 0
    while sum(len(p.encode()) for p in parts) < target:
        parts.append(f"Яндекс Календарь 📆 meeting #{i:05d}; ")
        i += 1
    return "".join(parts)


def call(name, *args):
    return {"name": name, "args": list(args)}


def trap(name, *args):
    return {"name": name, "args": list(args), "trap": True}


def user(uid, locale, status=None, tz="Europe/Moscow"):
    return {
        "id": uid, "username": f"user_{uid}", "email": f"{uid}@example.ru",
        "first-name": "Иван" if locale.lower().startswith("ru") else "Alice",
        "last-name": "Петров" if locale.lower().startswith("ru") else "Smith",
        "locale": locale, "timezone": tz, "custom-status": status, "is-bot": False,
    }


STATUS = {"emoji": "calendar", "text": "На встрече 📆", "duration": "date_and_time",
          "expires-at-ms": 1764003600000}
STATUS_NONE = {"emoji": "", "text": "", "duration": "", "expires-at-ms": None}
U_EN = user("u-en", "en", tz="Europe/London")
U_RU = user("u-ru", "ru", STATUS)
U_BLANK = user("u-blank", "", STATUS_NONE, tz="")
U_RU2 = user("u-ru2", "RU-ru")

CONFIG = {"caldav-url": "https://caldav.yandex.ru", "reminder-lead-minutes": 10,
          "sync-interval-minutes": 5, "encryption-key": "c2VjcmV0LWtleQ==", "allowed-hosts": ""}
CONFIG_BAD = dict(CONFIG, **{"caldav-url": "caldav.yandex.ru"})
CONFIG_UNSET = {"caldav-url": None, "reminder-lead-minutes": None, "sync-interval-minutes": None,
                "encryption-key": "a2V5", "allowed-hosts": None}
# The minute tick reads the settings: every user's round is due every minute.
CONFIG_TICK = dict(CONFIG, **{"sync-interval-minutes": 1})
# One shard of the index of users with notifications (the tick reads all 64).
SHARD = list(json.dumps({"v": 1, "d": {"users": ["u-en", "u-ru"]}}).encode())
SETTINGS = {"caldav-url": "https://caldav.yandex.ru", "reminder-lead-minutes": 0,
            "sync-interval-minutes": 1440, "allowed-hosts": ["cal.example.org", "[fd00::1]:443"]}


def args(user_id, command):
    return {"user-id": user_id, "channel-id": "chan-1", "team-id": "team-1", "root-id": "",
            "trigger-id": "trigger-1", "command": command, "site-url": "http://localhost:8065"}


def hdr(n, v):
    return {"name": n, "value": v}


def select(*pairs):
    return [{"text": t, "value": v} for t, v in pairs]


def element(name, kind, optional=False):
    return {"name": name, "display-name": f"Поле {name} 📆", "kind": kind,
            "default-value": "", "placeholder": UNI, "help-text": TRICKY,
            "optional": optional, "min-length": 0, "max-length": 4294967295}


BUTTON_STYLES = ["default", "primary", "success", "good", "warning", "danger"]
POST = {
    "message": UNI,
    "attachments": [
        {"fallback": "", "color": "#ff0000", "pretext": "", "title": "Планёрка",
         "title-link": "https://calendar.yandex.ru/event?event_id=1", "text": TRICKY,
         "fields": [{"title": "Когда", "value": "10:00–11:00", "short": True},
                    {"title": "", "value": "", "short": False}],
         "actions": [{"id": f"a{i}", "label": style, "style": style, "url": "/actions/rsvp",
                      "context": [{"key": "event", "value": "e-1"}, {"key": "", "value": ""}]}
                     for i, style in enumerate(BUTTON_STYLES)],
         "footer": "Yandex Calendar"},
        {"fallback": "", "color": "", "pretext": "", "title": "", "title-link": "",
         "text": "", "fields": [], "actions": [], "footer": ""},
    ],
    "props": [{"key": "meeting", "value": "uid-1@yandex.ru/20251124T100000Z"}],
}
POST_EMPTY = {"message": "", "attachments": [], "props": []}

DIALOG = {
    "callback-id": "connect", "title": "Подключить Яндекс Календарь", "introduction-text": TRICKY,
    "elements": [element(f"text-{s}", {"text": s}, i % 2 == 0)
                 for i, s in enumerate(["text", "email", "number", "password", "tel", "url"])]
    + [element("notes", {"textarea": None}),
       element("calendar", {"select": select(("Работа", "events-1"), ("📆 Личное", "events-2"))}),
       element("who", {"select-source": "users"}),
       element("agree", {"checkbox": None}, True),
       element("lead", {"radio": select(("5", "5"), ("10", "10"), ("", ""))}),
       element("nothing", {"radio": []})],
    "submit-label": "Подключить", "notify-on-cancel": True, "state": '{"step":1}',
}

SLASH = {
    "trigger": "yandex_calendar", "display-name": "Яндекс Календарь", "description": UNI,
    "hint": "[command]",
    "items": [
        {"parent": [], "trigger": "calendars", "hint": "", "help-text": "Расписание",
         "args": []},
        {"parent": ["calendars"], "trigger": "current", "hint": "<date>",
         "help-text": "A date",
         "args": [{"hint": "<date>", "help-text": "YYYY-MM-DD",
                   "pattern": r"^\d{4}-\d{2}-\d{2}$"}]},
        {"parent": ["a", "b", "c"], "trigger": "", "hint": "", "help-text": "", "args": []},
    ],
}

HTTP_METHODS = ["get", "head", "post", "put", "delete", "options", "propfind", "proppatch",
                "report", "mkcalendar"]


def http_request(method, body=b""):
    return {"method": method, "url": "https://caldav.yandex.ru/calendars/ivan%40yandex.ru/",
            "headers": [hdr("Depth", "1"), hdr("Content-Type", "application/xml; charset=utf-8"),
                        hdr("X-Пусто", "")],
            "body": list(body), "timeout-ms": 30000, "max-response-bytes": U64_MAX}


HTTP_RESPONSE = {"status": 207, "headers": [hdr("ETag", '"1764000000000"'), hdr("DAV", "1, 2")],
                 "body": list("<d:multistatus/>📆".encode())}
HTTP_ERRORS = [{"invalid-url": "ftp://x"}, {"unreachable": "connection refused"},
               {"tls": "certificate ошибка"}, {"timeout": None}, {"too-large": U64_MAX},
               {"blocked": "10.0.0.1 is not the CalDAV server"}, {"other": ""}]
FLAGS = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
OPTIONS_NONE = {"level": None, "error": None, "pair": None, "outcome": None, "nested": None,
                "numbers": None, "ratio": None, "letter": None, "bits": None}
OPTIONS_ALL = {"level": "warn", "error": {"blocked": "x"}, "pair": [7, "пара"],
               "outcome": {"err": "нет"}, "nested": {"some": "вложено"}, "numbers": [1, None, 65535],
               "ratio": 0.1, "letter": "📆", "bits": ["a", "i"]}
OPTIONS_NESTED_NONE = dict(OPTIONS_NONE, nested={"some": None}, numbers=[], outcome={"ok": 4294967295},
                           error={"timeout": None}, bits=[])


def plugin_request(method, path, user_id, body=b""):
    return {"method": method, "path": path, "query": "a=1&b=%D0%BF", "body": list(body),
            "headers": [hdr("Mattermost-User-ID", user_id or ""),
                        hdr("Content-Type", "application/json")],
            "user-id": user_id}


def mm_err(status, message):
    return {"err": {"status": status, "message": message}}


def main():
    big = big_string()
    all_bytes = list(range(256))
    answers = {
        "yandex:calendar/http@0.1.0#send": [{"ok": HTTP_RESPONSE}, {"err": {"too-large": U64_MAX}}],
        # The first answers the account lookup of "calendars today" (not connected), the
        # next the tick's read of the nodes' shares (none yet: the node takes every shard),
        # the next 64 its reads of the notification index (one shard holds two users).
        KV + "get": [{"ok": None}, {"ok": None}, {"ok": SHARD}] + [{"ok": None}] * 63
        + [{"ok": list("значение".encode())}, {"err": {"store": "db down"}}, {"err": {"empty-value": None}}],
        KV + "set": [{"ok": None}, {"err": {"key-too-long": 151}}, {"err": {"empty-value": None}}],
        KV + "set-with-expiry": [{"ok": None}, {"err": {"store": "Превышен лимит"}}],
        KV + "compare-and-set-with-expiry": [{"ok": True}, {"err": {"store": "нет места"}}, {"ok": False}],
        # The tick's write of the shares, then call-imports ×2.
        KV + "compare-and-set": [{"ok": True}, {"ok": True}, {"ok": False}, {"err": {"key-too-long": 4294967295}},
                                 {"err": {"store": ""}}],
        KV + "delete": [{"ok": None}, {"err": {"store": "📆"}}],
        KV + "list-keys": [{"ok": ["a", "ключ", "📆", ""]}, {"err": {"store": "x"}}],
        # The tick, then call-imports ×2.
        "yandex:calendar/clock@0.1.0#now-ms": [1764000000000, 1764000000000, S64_MIN],
        MM + "dm-post": [{"ok": "post-1"}, mm_err(403, "forbidden")],
        MM + "update-post": [{"ok": None}, mm_err(404, "пост не найден")],
        MM + "delete-post": [{"ok": None}, mm_err(500, "")],
        MM + "ephemeral-post": [{"ok": None}, mm_err(0, TRICKY)],
        MM + "open-dialog": [{"ok": None}, mm_err(400, "trigger id expired")],
        # execute-command ×7 (en, ru, ru typo, en unknown, error, blank locale, RU-ru),
        # then call-imports ×2 (ok, err).
        MM + "get-user": [{"ok": U_EN}, {"ok": U_RU}, {"ok": U_RU}, {"ok": U_EN},
                          mm_err(404, "user not found"), {"ok": U_BLANK}, {"ok": U_RU2},
                          {"ok": U_RU}, mm_err(0, "")],
        MM + "update-custom-status": [{"ok": None}, mm_err(429, "too many requests")],
        MM + "remove-custom-status": [{"ok": None}, mm_err(65535, UNI)],
        # activate ×2 (valid, invalid), the tick, then call-imports ×2.
        MM + "get-config": [CONFIG, CONFIG_BAD, CONFIG_TICK, CONFIG,
                            {"caldav-url": UNI, "reminder-lead-minutes": S64_MIN,
                             "sync-interval-minutes": 0, "encryption-key": "", "allowed-hosts": None}],
        SCHED + "schedule-once": [{"ok": True}, {"err": "планировщик не запущен"}, {"ok": False}],
    }
    calls = [
        call(H + "activate"),
        call(H + "activate"),
        call(H + "describe-command"),
        call(H + "check-config", CONFIG),
        call(H + "check-config", CONFIG_UNSET),
        call(H + "check-config", dict(CONFIG, **{"reminder-lead-minutes": 0,
                                               "allowed-hosts": "Cal.Example.org, [fd00::1]:443"})),
        call(H + "check-config", CONFIG_BAD),
        call(H + "check-config", dict(CONFIG, **{"reminder-lead-minutes": 1441})),
        call(H + "check-config", dict(CONFIG, **{"sync-interval-minutes": 0})),
        call(H + "check-config", dict(CONFIG, **{"sync-interval-minutes": S64_MIN})),
        call(H + "check-config", dict(CONFIG, **{"allowed-hosts": "https://x.example"})),
        call(H + "check-config", dict(CONFIG, **{"encryption-key": ""})),
        call(H + "execute-command", args("u-en", "/yandex_calendar info")),
        call(H + "execute-command", args("u-ru", "/yandex_calendar info")),
        call(H + "execute-command", args("u-ru", "/yandex_calendar calendars todya")),
        call(H + "execute-command", args("u-en", "/yandex_calendar frobnicate")),
        call(H + "execute-command", args("ghost", "/yandex_calendar info")),
        call(H + "execute-command", args("u-blank", "/yandex_calendar connections")),
        call(H + "execute-command", args("u-ru2", "/yandex_calendar calendars today")),
        call(H + "serve-http", plugin_request("get", "/dialog/connect", "u-ru")),
        call(H + "serve-http", plugin_request("post", "/api/v1/тест", None, "тело 📆".encode())),
        call(H + "run-job", {"tick": {"node": "узел-1", "since-ms": -60000, "leaving": False}}),
        call(H + "deactivate"),
        call(P + "echo-string", ""),
        call(P + "echo-string", UNI),
        call(P + "echo-string", TRICKY),
        call(P + "echo-string", big),
        call(P + "echo-bytes", []),
        call(P + "echo-bytes", all_bytes),
        call(P + "echo-bytes", [(i * 7919) % 256 for i in range(4096)]),
        call(P + "echo-numbers", 0, 0, 0, 0, 0, 0, False),
        call(P + "echo-numbers", 255, 65535, 4294967295, U64_MAX, 2147483647, S64_MAX, True),
        call(P + "echo-numbers", 128, 32768, 2147483648, 2**63, -2147483648, S64_MIN, False),
        call(P + "echo-numbers", 1, 2, 3, 1764000000000, -1, -1764000000000, True),
        call(P + "echo-spilled", "", "б", "📆", "x" * 70000, TRICKY, UNI, "", "h", "последний"),
        call(P + "echo-spilled", *[f"s{i}" for i in range(9)]),
        call(P + "echo-strings", []),
        call(P + "echo-strings", [[]]),
        call(P + "echo-strings", [["", "a"], [], [UNI, "📆", TRICKY], ["Ж"] * 50]),
    ]
    calls += [call(P + "echo-http-request", http_request(m)) for m in HTTP_METHODS[:-1]]
    calls += [call(P + "echo-http-request", http_request("mkcalendar", bytes(all_bytes)))]
    calls += [call(P + "echo-http-result", {"ok": HTTP_RESPONSE}),
              call(P + "echo-http-result", {"ok": {"status": 0, "headers": [], "body": []}})]
    calls += [call(P + "echo-http-result", {"err": e}) for e in HTTP_ERRORS]
    calls += [
        call(P + "echo-kv-result", {"ok": None}),
        call(P + "echo-kv-result", {"ok": []}),
        call(P + "echo-kv-result", {"ok": all_bytes}),
        call(P + "echo-kv-result", {"err": {"key-too-long": 0}}),
        call(P + "echo-kv-result", {"err": {"key-too-long": 4294967295}}),
        call(P + "echo-kv-result", {"err": {"store": UNI}}),
        call(P + "echo-kv-result", {"err": {"empty-value": None}}),
        call(P + "echo-log-levels", []),
        call(P + "echo-log-levels", ["debug", "info", "warn", "error", "error", "debug"]),
        call(P + "echo-user", None),
        call(P + "echo-user", U_EN),
        call(P + "echo-user", U_RU),
        call(P + "echo-user", U_BLANK),
        call(P + "echo-user", dict(U_EN, **{"is-bot": True, "custom-status": dict(
            STATUS, **{"expires-at-ms": S64_MIN})})),
        call(P + "echo-post", POST_EMPTY),
        call(P + "echo-post", POST),
        call(P + "echo-dialog", DIALOG),
        call(P + "echo-dialog", dict(DIALOG, elements=[], **{"notify-on-cancel": False})),
        call(P + "echo-plugin-request", plugin_request("get", "/", None)),
        call(P + "echo-plugin-request", plugin_request("post", "/dialog/submit", "u-ru",
                                                       json.dumps({"a": "б"}).encode())),
        call(P + "echo-plugin-request", plugin_request("put", "", "")),
        call(P + "echo-plugin-request", plugin_request("delete", "/x/📆", "u-en", bytes(all_bytes))),
        call(P + "echo-command-response",
             {"response-type": "ephemeral", "text": "", "attachments": []}),
        call(P + "echo-command-response",
             {"response-type": "in-channel", "text": UNI, "attachments": POST["attachments"]}),
        call(P + "echo-slash-command", SLASH),
        call(P + "echo-slash-command", {"trigger": "", "display-name": "", "description": "",
                                        "hint": "", "items": []}),
        call(P + "echo-job", {"tick": {"node": "", "since-ms": S64_MIN, "leaving": True}}, {"ok": {"users-seen": 4294967295, "effects": 0,
                                                      "due-users": ["u-ru", "пользователь 📆", ""]}}),
        call(P + "echo-job", {"user": "8xq3zj1n3fgo5e4rwhbjmgwp3c"}, {"err": "ошибка 📆"}),
        call(P + "echo-job", {"due": "v1/j/8xq3zj1n3fgo5e4rwhbjmgwp3c/1764000060000"},
             {"ok": {"users-seen": 1, "effects": 2, "due-users": []}}),
        call(P + "echo-job", {"user": ""}, {"err": ""}),
        call(P + "call-imports", 'Привет 📆 <&> "q"'),
        call(P + "call-imports", ""),
        call(P + "echo-scalars", 0.0, 0.0, "\u0000", 0, 0, []),
        call(P + "echo-scalars", 1.5, -2.25e300, "📆", -128, 32767, FLAGS),
        call(P + "echo-scalars", 0.375, 5e-324, "я", 127, -32768, ["b", "h"]),
        call(P + "echo-options", OPTIONS_NONE),
        call(P + "echo-options", OPTIONS_ALL),
        call(P + "echo-options", OPTIONS_NESTED_NONE),
        call(P + "render", {"command-args": args("u-ru", "/yandex_calendar info")}),
        call(P + "render", {"plugin-request": plugin_request("post", "/actions/rsvp", "u-ru", b"{}")}),
        call(P + "render", {"plugin-config": CONFIG}),
        call(P + "render", {"plugin-config": CONFIG_UNSET}),
        call(P + "render", {"settings": SETTINGS}),
        call(P + "render", {"user": U_RU}),
        call(P + "render", {"user": None}),
        call(P + "render", {"post": POST}),
        call(P + "render", {"dialog": DIALOG}),
        call(P + "render", {"http-request": http_request("report", b"<x/>")}),
        call(P + "render", {"http-result": {"ok": HTTP_RESPONSE}}),
        call(P + "render", {"http-result": {"err": {"blocked": "10.0.0.1"}}}),
        call(P + "render", {"kv-result": {"ok": []}}),
        call(P + "render", {"kv-result": {"err": {"empty-value": None}}}),
        call(P + "render", {"command-response": {"response-type": "in-channel", "text": UNI,
                                                 "attachments": POST["attachments"]}}),
        call(P + "render", {"slash-command": SLASH}),
        call(P + "render", {"job": [{"tick": {"node": TRICKY, "since-ms": 1764000000000, "leaving": False}},
                                    {"err": "сбой"}]}),
        call(P + "render", {"job": [{"due": "v1/j/u/1"}, {"ok": {"users-seen": 3, "effects": 4,
                                                                 "due-users": ["a", "б"]}}]}),
        call(P + "render", {"options": OPTIONS_ALL}),
        call(P + "call-import", {"kv-set": ["k", [1, 2]]}),
        call(P + "call-import", {"kv-compare-and-set": ["k", None, [3]]}),
        call(P + "call-import", {"update-post": ["post-1", POST_EMPTY]}),
        call(P + "call-import", {"get-config": None}),
        call(P + "call-import", {"kv-compare-and-set-with-expiry": ["v1/fx/u/d/20261201", None, [1, 2], 172800]}),
        call(P + "call-import", {"schedule-once": ["v1/j/u/1764000060000", 1764000060000]}),
        call(P + "call-import", {"cancel-job": "v1/j/u/1764000060000"}),
        # The rounds and the one-off jobs (the store answers errors by now: they say so).
        call(H + "run-job", {"user": "u-ru"}),
        call(H + "run-job", {"due": "v1/j/uru/1764000060000"}),
        call(H + "run-job", {"due": "not a job key"}),
        call(H + "run-job", {"tick": {"node": "узел-1", "since-ms": 0, "leaving": True}}),
        # Hooks never sleep: the call traps on both hosts, and the next gets a fresh instance.
        trap(P + "sleep", 5000),
        call(P + "echo-string", "after the trap"),
    ]
    scenario = {"answers": answers, "calls": calls}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenario.json")
    with open(out, "w", encoding="utf-8") as f:
        # One answer list and one call per line: readable diffs, no 100 KB of indentation.
        def dump(v):
            return json.dumps(v, ensure_ascii=False)
        f.write('{\n "answers": {\n')
        f.write(",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in answers.items()))
        f.write('\n },\n "calls": [\n')
        f.write(",\n".join(f"  {dump(c)}" for c in calls))
        f.write("\n ]\n}\n")
    with open(out, encoding="utf-8") as f:
        assert json.load(f) == scenario
    print(f"wrote {out}: {len(calls)} calls, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
