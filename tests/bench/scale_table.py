#!/usr/bin/env python3
"""Shows bench-scale results (JSON lines on stdin, from scalebench -out) as one table."""
import json
import sys

runs = [json.loads(line) for line in sys.stdin if line.strip()]
rows = [
    ("mode", lambda r: "double" if r["mode"] == "double" else "real MM"),
    ("users", lambda r: f'{r["users"]:,}'),
    ("events per calendar", lambda r: f'50-{r.get("max_events_per_calendar", 500)}'),
    ("window, min (UTC)", lambda r: f'{r["minutes"]:g} ({r.get("window_utc", "?")})'),
    ("setup s (plugin CPU s)", lambda r: f'{r["setup_s"]:.0f} ({r["setup_plugin_cpu_s"]:.0f})'),
    ("polls/s (1/user/min)", lambda r: f'{r["polls_per_s"]:.1f} ({r["polls_expected_per_s"]:.1f})'),
    ("staleness p50/p99/max s", lambda r: d(r["staleness"])),
    ("changes told/made", lambda r: f'{r["changes_told"]}/{r["changes_made"]}'),
    ("reminder lateness p50/p99/max s", lambda r: d(r["reminder_lateness"])),
    ("reminders missing/doubled", lambda r: f'{r["reminders_missing"]}/{r["reminders_doubled"]}'),
    ("digest lateness p50/p99/max s", lambda r: d(r["digest_lateness"])),
    ("plugin CPU, cores", lambda r: f'{r["plugin_cores"]:.2f}'),
    ("plugin CPU per poll, ms", lambda r: f'{1000 * r["plugin_cores"] / max(r["polls_per_s"], 1e-9):.1f}'),
    ("plugin RSS max MB", lambda r: f'{r["plugin_rss_max_mb"]:.0f}'),
    ("requests/poll idle (all)", lambda r: f'{r["idle_requests_per_poll"]:.2f} ({r["requests_per_poll"]:.2f})'),
    ("bytes/poll idle (all)", lambda r: f'{r["idle_bytes_per_poll"]:.0f} ({r["bytes_per_poll"]:.0f})'),
    ("KV reads/poll", lambda r: f'{r["kv_reads_per_poll"]:.1f}'),
    ("KV writes/poll (quiet users)", lambda r: f'{r["kv_writes_per_poll"]:.2f} ({r["quiet_kv_writes_per_poll"]:.3f})'),
    ("other CPU, cores", lambda r: ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["other_cores"].items()))),
]


def d(x):
    return "-" if not x["n"] else f'{x["p50_s"]:.1f}/{x["p99_s"]:.1f}/{x["max_s"]:.1f} (n={x["n"]})'


print("| | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " |")
print("|---" * (len(runs) + 1) + "|")
for name, f in rows:
    cells = []
    for r in runs:
        try:
            cells.append(f(r))
        except (KeyError, TypeError, ZeroDivisionError):
            cells.append("?")
    print(f"| {name} | " + " | ".join(cells) + " |")
for i, r in enumerate(runs):
    print(f"run {i + 1}: {r.get('instances', '')}".replace("\n", " "))
