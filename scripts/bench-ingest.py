#!/usr/bin/env python3
"""The broker's own ceiling and Vakt's ingest, side by side on one broker configuration.

1. Ceiling: a private mosquitto (as Vakt configures it) delivering N small zigbee2mqtt
   payloads from `mosquitto_pub -l` (one file per SOS button, each under 65,535 lines: past
   that `mosquitto_pub -l -q 1` stops early and exits 0) to `mosquitto_sub`, at QoS 0 and at
   QoS 1; the six publishers one after another (one stream, as a site's bridge sends it), and
   all at once (the broker's own limit).
2. Ingest: the release hub on the demo site with --fleet more devices (1,000 by default)
   consuming the same stream at QoS 1 from a fresh broker of the same configuration, every
   event committed to SQLite (WAL, synchronous=FULL) before its PUBACK leaves. The clock stops
   when the N-th event is in the store. The hub's CPU per event and its peak memory are read.

Prints one JSON object: messages per second for each, the ratio of ingest to the QoS 1
ceiling, and the hub's CPU and memory.
  bench-ingest.py --vakt BIN --devices DIR --config DIR [--messages N] [--fleet N]
"""
import json, os, shutil, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  (scripts/faults.py: broker, site copy, hub)
from benchstats import context_switches, cpu_seconds, machine_busy_percent, machine_ticks, memory_kib  # noqa: E402

BUTTONS = [f"zigbee2mqtt/room{n}/sos" for n in range(101, 107)]


def feeds(work, messages):
    """One file per button, each line a payload; returns [(topic, path, lines)]."""
    per = messages // len(BUTTONS)
    if per >= 65535:
        raise SystemExit(f"at most {65534 * len(BUTTONS)} messages (mosquitto_pub -l stops at 65,535 lines)")
    out = []
    for topic in BUTTONS:
        path = os.path.join(work, topic.replace("/", "-") + ".txt")
        with open(path, "w") as f:
            for i in range(per):
                f.write(json.dumps({"action": "", "battery": 90, "linkquality": 60 + i % 90, "voltage": 3000,
                                    "seq": i}, separators=(",", ":")) + "\n")
        out.append((topic, path, per))
    return out


def publish_all(port, files, qos, parallel):
    """Starts the publishers, all at once or one after another (on a thread); returns a
    function that waits for them all."""
    def start(topic, path):
        with open(path, "rb") as lines:  # the child keeps its own copy
            return subprocess.Popen(["mosquitto_pub", "-p", str(port), "-q", str(qos), "-t", topic, "-l"],
                                    stdin=lines, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if parallel:
        procs = [start(topic, path) for topic, path, _ in files]
        return lambda: wait_publishers(procs)
    errors = []

    def one_by_one():
        try:
            for topic, path, _ in files:
                wait_publishers([start(topic, path)])
        except Exception as error:  # noqa: BLE001  (reported by the waiter)
            errors.append(error)

    thread = threading.Thread(target=one_by_one)
    thread.start()

    def wait():
        thread.join()
        if errors:
            raise errors[0]
    return wait


def wait_publishers(procs):
    for proc in procs:
        if proc.wait(600) != 0:
            raise RuntimeError(f"mosquitto_pub failed: {proc.stderr.read().decode()}")


def ceiling(args, files, total, qos, parallel):
    with faults.Run(args, f"ceiling-q{qos}") as run:
        run.broker.start()
        sub = subprocess.Popen(["mosquitto_sub", "-p", str(run.broker.port), "-q", str(qos), "-t", "zigbee2mqtt/#",
                                "-C", str(total), "-i", f"vakt-bench-sub-{qos}"], stdout=subprocess.DEVNULL)
        run.cleanups.append(sub.kill)
        time.sleep(0.5)  # subscribed before the first message
        began, ticks, broker = time.monotonic(), machine_ticks(), cpu_seconds(run.broker.proc.pid)
        wait = publish_all(run.broker.port, files, qos, parallel)
        if sub.wait(600) != 0:
            raise RuntimeError("mosquitto_sub did not receive every message")
        elapsed, busy = time.monotonic() - began, machine_busy_percent(ticks, machine_ticks())
        broker = (cpu_seconds(run.broker.proc.pid) - broker) / elapsed * 100
        wait()
        return total / elapsed, busy, broker


def ingest(args, files, total, parallel):
    with faults.Run(args, "ingest") as run:
        site, _ = run.site(serial=False, fleet=args.fleet)
        hub = run.hub(site)
        base = site.last_event()
        cpu_before, ticks, broker = cpu_seconds(hub.proc.pid), machine_ticks(), cpu_seconds(run.broker.proc.pid)
        switches = context_switches(hub.proc.pid)
        began = time.monotonic()
        wait = publish_all(run.broker.port, files, 1, parallel)
        # The clock stops when the last of the stream is in the store (see Site.wait_events).
        done = site.wait_events(base, total, "zigbee2mqtt/room1%/sos", 1800)
        elapsed, busy = done - began, machine_busy_percent(ticks, machine_ticks())
        broker = (cpu_seconds(run.broker.proc.pid) - broker) / elapsed * 100
        cpu = cpu_seconds(hub.proc.pid) - cpu_before
        after = context_switches(hub.proc.pid)
        switches = {"hub_waits_per_s": round((after[0] - switches[0]) / elapsed),
                    "hub_preempted_per_s": round((after[1] - switches[1]) / elapsed)}
        memory = memory_kib(hub.proc.pid)
        wait()
        hub.stop()
        return total / elapsed, cpu / total * 1000, cpu / elapsed * 100, memory, busy, broker, switches


def main():
    ap = faults.arguments()
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--fleet", type=int, default=1000, help="generated devices besides the demo site's")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vakt-bench-ingest-")
    try:
        files = feeds(work, args.messages)
        total = sum(lines for _, _, lines in files)
        out = {"messages": total}
        for name, parallel in (("one", False), ("six", True)):
            print(f"bench-ingest: {total} messages, {name} publisher(s) at a time: broker ceiling at QoS 0 "
                  "and 1, then the hub", file=sys.stderr, flush=True)
            q0, _, _ = ceiling(args, files, total, 0, parallel)
            q1, q1_busy, q1_broker = ceiling(args, files, total, 1, parallel)
            hub, cpu_ms, cpu_percent, memory, busy, broker, switches = ingest(args, files, total, parallel)
            out[name] = {"ceiling_qos0_per_s": round(q0), "ceiling_qos1_per_s": round(q1),
                         "ingest_per_s": round(hub), "ingest_to_qos1_ceiling": round(hub / q1, 3),
                         "hub_cpu_ms_per_event": round(cpu_ms, 4), "hub_cpu_percent": round(cpu_percent, 1),
                         "hub_rss_peak_kib": memory["peak"], "hub_rss_kib": memory["rss"],
                         "hub_anon_kib": memory["anon"],
                         "machine_busy_percent_ceiling_qos1": q1_busy, "machine_busy_percent_ingest": busy,
                         "broker_cpu_percent_ceiling_qos1": round(q1_broker, 1),
                         "broker_cpu_percent_ingest": round(broker, 1), **switches}
        out["fleet"] = args.fleet
        print(json.dumps(out))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
