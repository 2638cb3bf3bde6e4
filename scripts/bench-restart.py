#!/usr/bin/env python3
"""Restart to ready with a big store: how long `vakt run` takes from process start to
subscribed (its timers re-armed before that) with 1,000,000 events and 10,000 alarms stored.

The store is made by the hub itself (one fall raised, acknowledged and resolved, for real rows
to copy), then grown with SQLite to the size asked: events copied with fresh keys, alarms
copied with fresh ids and numbers, a hundred of them left open with their escalation timers.
Then the hub is started --runs times and timed to the log line that says it is subscribed.

Prints one JSON object: the store's size and the start-up times (median, min, max, seconds).
  bench-restart.py --vakt BIN --devices DIR --config DIR [--events N] [--alarms N] [--runs N]
"""
import json, os, sqlite3, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  (scripts/faults.py: broker, receiver, site copy, hub)
from benchstats import spread  # noqa: E402


def grow(db_path, events, alarms, open_alarms):
    db = sqlite3.connect(db_path)
    sample_event = db.execute("SELECT source, device, kind, payload, status FROM events "
                              "WHERE status = 'accepted' ORDER BY seq LIMIT 1").fetchone()
    alarm = db.execute("SELECT json FROM alarms ORDER BY number LIMIT 1").fetchone()[0]
    now = time.time()
    have = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    rows = ((f"bench:{i}", now - 86400 * 30 + i * 2.5, *sample_event)
            for i in range(max(0, events - have)))
    db.executemany("INSERT INTO events (key, received_at, source, device, kind, payload, status) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    template = json.loads(alarm)
    have_alarms = db.execute("SELECT COUNT(*) FROM alarms").fetchone()[0]
    first = db.execute("SELECT COALESCE(MAX(number), 0) FROM alarms").fetchone()[0] + 1
    for n in range(first, first + max(0, alarms - have_alarms)):
        item = dict(template, id=f"A{n}", number=n, key=f"bench:{n}")
        is_open = n >= first + alarms - have_alarms - open_alarms
        raised = now - 86400 * 30 + n * 200 if not is_open else now - 60
        item["raisedAt"] = raised - 978307200  # Foundation's reference date
        if is_open:
            item["state"] = "raised"
            for key in ("acknowledgedAt", "acknowledgedBy", "resolvedAt", "resolvedBy", "outcome", "onsiteAt"):
                item.pop(key, None)
            item["escalatesAt"] = now + 600 - 978307200
        db.execute("INSERT INTO alarms (id, number, state, kind, severity, resident, room, device, raised_at, "
                   "acknowledged_at, resolved_at, json) SELECT ?, ?, ?, kind, severity, resident, room, device, ?, "
                   "CASE WHEN ? THEN NULL ELSE ? END, CASE WHEN ? THEN NULL ELSE ? END, ? "
                   "FROM alarms WHERE number = 1",
                   (item["id"], n, "raised" if is_open else "resolved", raised, is_open, raised + 30, is_open,
                    raised + 300, json.dumps(item)))
        if is_open:
            timer = {"id": f"A{n}:escalate", "alarm": f"A{n}", "purpose": "escalate", "due": now + 600 - 978307200}
            db.execute("INSERT INTO timers (id, alarm, purpose, due_at, json) VALUES (?, ?, 'escalate', ?, ?)",
                       (timer["id"], timer["alarm"], now + 600, json.dumps(timer)))
    db.commit()
    counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("events", "alarms", "timers", "audit")}
    counts["open_alarms"] = db.execute("SELECT COUNT(*) FROM alarms WHERE state != 'resolved'").fetchone()[0]
    counts["megabytes"] = round(os.path.getsize(db_path) / 1e6)
    db.close()
    return counts


def main():
    ap = faults.arguments()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--alarms", type=int, default=10_000)
    ap.add_argument("--open", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with faults.Run(args, "restart") as run:
        site, _ = run.site(serial=False)
        hub = run.hub(site)
        publisher = faults.Publisher(run.broker.port)
        publisher.publish("zigbee2mqtt/room103/fall", faults.FALL)
        publisher.wait_acked()
        faults.wait_for("the fall", lambda: site.alarms("fall"), 15)
        alarm = site.alarms("fall")[0]["id"]
        for action in ("ack", "resolve"):
            command = {"id": f"bench-{action}", "action": action, "alarm": alarm}
            if action == "resolve":
                command["outcome"] = "false-alarm"
            publisher.publish("vakt/marker/commands/ns1", json.dumps(command))
            publisher.wait_acked()
        faults.wait_for("the resolve", lambda: site.alarms("fall")[0]["state"] == "resolved", 15)
        publisher.close()
        hub.stop()
        print(f"bench-restart: growing the store to {args.events} events and {args.alarms} alarms",
              file=sys.stderr, flush=True)
        counts = grow(os.path.join(site.data, "vakt.sqlite"), args.events, args.alarms, args.open)
        times = []
        for n in range(args.runs):
            began = time.monotonic()
            hub.start()
            times.append(time.monotonic() - began)
            if n == 0 and len(site.alarms()) < args.alarms:
                raise RuntimeError("the store lost alarms")
            hub.stop()
        print(json.dumps({"store": counts, "ready_seconds": spread(times)}))


if __name__ == "__main__":
    main()
