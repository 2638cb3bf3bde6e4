#!/usr/bin/env python3
"""Alarm latency and the hub's footprint on a site of a real size.

Each run starts a fresh private mosquitto (as Vakt configures it), a webhook receiver in this
process, and the release hub on the demo site with a generated fleet of --fleet more zigbee2mqtt
devices (faults.Site). Then:
  1. idle: the hub's memory and CPU after it has settled;
  2. quiet: real zigbee2mqtt fall and SOS payloads at --rate alarms per second (QoS 1); the
     clock runs from the publish to the first webhook POST for that alarm, which is then
     resolved through the command topic;
  3. background: the same, while another process publishes --background quiet messages per
     second (doors opening and closing, heartbeats) from the fleet's devices;
  4. working set: the kernel is asked to reclaim every page of the hub it can
     (benchstats.page_out); its RSS is read after --settle seconds idle, and again after
     --rate alarms per second for 10 s.
Memory and CPU are read after each phase. With --memory-alarms, one more hub raises, delivers
and resolves that many alarms back to back, its memory read along the way (a leak grows with
the count). With --nagle-alarms, that many alarms back to back on a broker as Vakt configures
it and on one with mosquitto's default set_tcp_nodelay false, side by side. With --floor, the
RSS of three programs that do nothing, built by the same compiler: one importing Foundation (as
the hub must: GRDB and Yams use it), one importing only FoundationEssentials (Foundation's
types without ICU and the Objective-C heritage), one importing only the C library.

Prints one JSON object; each figure is the median, min and max over --runs runs.
  bench-latency.py --vakt BIN --devices DIR --config DIR [--runs 3] [--alarms 200] [--rate 10]
                   [--background 5000] [--fleet 1000] [--memory-alarms N] [--nagle-alarms N]
"""
import http.server, json, math, multiprocessing, os, select, shutil, subprocess, sys, tempfile, threading, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  (scripts/faults.py: broker, site copy, hub, publisher)
from benchstats import cpu_seconds, memory_kib, merge, page_out  # noqa: E402

# The demo site's fall sensors and SOS buttons, with a payload that raises an alarm on each:
# (room, alarm kind, topic, payload).
ALARMING = ([(f"10{n}", "fall", f"zigbee2mqtt/room10{n}/fall", '{"fall_down_status":"fall","linkquality":150}'
              if n <= 3 else '{"fall_status":"fall_alarm","battery":100}') for n in range(1, 7)]
            + [(f"10{n}", "sos", f"zigbee2mqtt/room10{n}/sos", '{"action":"emergency","battery":100,"linkquality":98}')
               for n in range(1, 7)])


def log(text):
    print(f"bench-latency: {text}", file=sys.stderr, flush=True)


class Arrivals:
    """The webhook receiver: the first POST's arrival for each alarm id, with its room and kind."""

    def __init__(self):
        self.first = {}
        self.cond = threading.Condition()
        arrivals = self

        class Handler(http.server.BaseHTTPRequestHandler):
            # Keeps the connection open between requests, as a real webhook endpoint does; the
            # answer's headers and body go in two writes, which Nagle's algorithm would hold
            # for the hub's delayed ACK.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.perf_counter()
                alarm = json.loads(body)["alarm"]
                with arrivals.cond:
                    arrivals.first.setdefault(alarm["id"], (now, (alarm.get("room"), alarm.get("kind"))))
                    arrivals.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vakt"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def raise_alarms(publisher, arrivals, count, rate, first_alarm, site_id="marker"):
    """Publishes `count` alarms at `rate` per second (0: each after the last one's webhook),
    resolves each once its webhook came; returns the latencies in ms."""
    lock = threading.Lock()
    sent = {}  # alarm id -> (publish instant, (room, kind)); written and read under arrivals.cond
    pending = []  # sent, not yet resolved; under arrivals.cond
    resolved = set()  # resolve sent; under arrivals.cond
    failures = []

    def publish(topic, payload):
        with lock:
            publisher.publish(topic, payload)

    def resolver():
        while len(resolved) < count and not failures:
            with arrivals.cond:
                arrivals.cond.wait_for(lambda: any(a in arrivals.first for a in pending) or failures, timeout=1)
                ready = [a for a in pending if a in arrivals.first]
                pending[:] = [a for a in pending if a not in arrivals.first]
            for alarm in ready:
                command = {"id": f"bench-{uuid.uuid4().hex}", "action": "resolve", "alarm": alarm,
                           "outcome": "false-alarm"}
                publish(f"vakt/{site_id}/commands/ns1", json.dumps(command))
                with arrivals.cond:
                    resolved.add(alarm)
                    arrivals.cond.notify_all()

    thread = threading.Thread(target=resolver, daemon=True)
    thread.start()
    began = time.perf_counter()
    for i in range(count):
        alarm = f"A{first_alarm + i}"
        room, kind, topic, payload = ALARMING[i % len(ALARMING)]
        if rate:
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        # A device raises again only once its last alarm is resolved (else it joins the open one).
        previous = f"A{first_alarm + i - len(ALARMING)}"
        if i >= len(ALARMING):
            with arrivals.cond:
                if not arrivals.cond.wait_for(lambda: previous in resolved, timeout=30):
                    failures.append(f"{previous} was not resolved within 30 s")
                    raise RuntimeError(failures[-1])
        with arrivals.cond:
            sent[alarm] = (time.perf_counter(), (room, kind))
            pending.append(alarm)
        publish(topic, payload)
        if not rate:
            with arrivals.cond:
                if not arrivals.cond.wait_for(lambda: alarm in arrivals.first, timeout=30):
                    raise RuntimeError(f"no webhook for {alarm} within 30 s")
    with arrivals.cond:
        if not arrivals.cond.wait_for(lambda: all(a in arrivals.first for a in sent), timeout=30):
            missing = [a for a in sent if a not in arrivals.first]
            raise RuntimeError(f"no webhook within 30 s for {len(missing)} alarms, first {missing[0]}")
    thread.join(30)
    latencies = []
    for alarm, (start, expected) in sent.items():
        arrived, got = arrivals.first[alarm]
        if got != expected:
            raise RuntimeError(f"{alarm} is a {got[1]} alarm in room {got[0]}, expected {expected[1]} in {expected[0]}: "
                               "alarms out of order")
        latencies.append((arrived - start) * 1000)
    return latencies


def percentiles(latencies):
    ordered = sorted(latencies)
    pick = lambda q: ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # noqa: E731  (nearest rank)
    return {"p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": ordered[-1]}


def background(port, rate, stop, sent_out, devices):
    """In its own process: quiet messages from the fleet at `rate` per second until `stop`."""
    publisher = faults.Publisher(port, "background")
    payloads = []
    for _, kind, _, topic in devices:
        for payload in faults.FLEET_QUIET[kind]:
            payloads.append((topic, payload))
    # Interleave the devices, so consecutive messages come from different ones.
    payloads.sort(key=lambda item: (faults.FLEET_QUIET[item[0].rsplit("/", 1)[1]].index(item[1]), item[0]))
    began = time.perf_counter()
    sent = 0
    while not stop.is_set():
        due = int((time.perf_counter() - began) * rate)
        while sent < due:
            topic, payload = payloads[sent % len(payloads)]
            publisher.publish(topic, payload)
            sent += 1
        time.sleep(0.002)
    elapsed = time.perf_counter() - began
    publisher.wait_acked(120)
    publisher.close()
    sent_out.put((sent, elapsed))


def phase(hub, work):
    """Runs `work` and returns its result with the hub's CPU (share of one core) and memory after."""
    cpu, began = cpu_seconds(hub.proc.pid), time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - began
    used = cpu_seconds(hub.proc.pid) - cpu
    return result, used, elapsed, memory_kib(hub.proc.pid)


def start(run, args):
    """The run's broker, a webhook receiver here, the site with its fleet, the hub, and a
    publisher for the alarms; all stopped when the run ends."""
    arrivals = Arrivals()
    run.cleanups.append(arrivals.close)
    site, _ = run.site(serial=False, fleet=args.fleet, webhook_url=arrivals.url)
    hub = run.hub(site)
    publisher = faults.Publisher(run.broker.port, "alarms")
    run.cleanups.append(publisher.close)
    return arrivals, site, hub, publisher


def one_run(args, number, nodelay=True, with_background=True, alarms=None, rate=None):
    alarms = alarms or args.alarms
    rate = args.rate if rate is None else rate
    with faults.Run(args, f"latency{number}", nodelay=nodelay) as run:
        arrivals, site, hub, publisher = start(run, args)
        out = {}
        _, used, elapsed, memory = phase(hub, lambda: time.sleep(args.settle))
        out["idle"] = {"cpu_percent": used / elapsed * 100, "memory_kib": memory}
        latencies, used, elapsed, memory = phase(hub, lambda: raise_alarms(publisher, arrivals, alarms, rate, 1))
        out["quiet"] = {**percentiles(latencies), "cpu_percent": used / elapsed * 100, "memory_kib": memory}
        if not with_background:
            return out
        stop, sent_out = multiprocessing.Event(), multiprocessing.Queue()
        devices = faults.fleet_devices(args.fleet)
        # A daemon: a run that fails does not wait for it at exit.
        proc = multiprocessing.Process(target=background, args=(run.broker.port, args.background, stop, sent_out,
                                                                devices), daemon=True)
        cpu_before, began = cpu_seconds(hub.proc.pid), time.perf_counter()
        proc.start()
        try:
            time.sleep(1)  # the stream running before the first alarm
            latencies = raise_alarms(publisher, arrivals, alarms, rate, 1 + alarms)
        finally:
            stop.set()
        sent, elapsed = sent_out.get(timeout=180)
        proc.join(30)
        db = site.db()
        deadline = time.monotonic() + 60
        while db.execute("SELECT COUNT(*) FROM events WHERE source LIKE 'zigbee2mqtt/f%'").fetchone()[0] < sent:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not take the {sent} background messages within 60 s of the last")
            time.sleep(0.05)
        # CPU from the stream's start until the hub has taken all of it.
        used, spent = cpu_seconds(hub.proc.pid) - cpu_before, time.perf_counter() - began
        out["background"] = {**percentiles(latencies), "sent_per_s": sent / elapsed,
                             "cpu_percent": used / spent * 100,
                             "cpu_ms_per_message": used / (sent + 2 * alarms) * 1000,
                             "memory_kib": memory_kib(hub.proc.pid)}
        # Last, as it leaves the hub's pages to be read from disk again.
        problem = page_out(hub.proc.pid)
        if problem:
            log(f"working set not measured: {problem}")
            return out
        time.sleep(args.settle)
        idle = memory_kib(hub.proc.pid)
        raise_alarms(publisher, arrivals, int(rate * 10), rate, 1 + 2 * alarms)
        out["working_set"] = {"idle_kib": idle, "alarms_kib": memory_kib(hub.proc.pid)}
        return out


def memory_growth(args):
    """One hub raising, delivering and resolving alarms back to back; memory along the way."""
    marks = [m for m in (1000, 2000, 5000, 10000, 20000) if m <= args.memory_alarms]
    out = {}
    with faults.Run(args, "memory") as run:
        arrivals, _, hub, publisher = start(run, args)
        done = 0
        for mark in marks:
            raise_alarms(publisher, arrivals, mark - done, 0, done + 1)
            done = mark
            memory = memory_kib(hub.proc.pid)
            out[str(mark)] = {"rss": memory["rss"], "anon": memory["anon"]}
            log(f"memory: after {mark} alarms: RSS {memory['rss']} kB, of which its own {memory['anon']} kB")
    return out


FLOOR_PROGRAMS = {
    "foundation": "import Foundation\nlet started = Date()\n"
                  "print(String(data: try! JSONSerialization.data(withJSONObject: [\"ready\": started.timeIntervalSince1970]),"
                  " encoding: .utf8)!)\nfflush(stdout)\nsleep(30)\n",
    "essentials": "import FoundationEssentials\nimport Glibc\n"
                  "print(String(decoding: try! JSONEncoder().encode([\"ready\": Date().timeIntervalSince1970]),"
                  " as: UTF8.self))\nfflush(stdout)\nsleep(30)\n",
    "plain": "import Glibc\nprint(\"ready\")\nfflush(stdout)\nsleep(30)\n",
}


def floor():
    """RSS of programs that do nothing (FLOOR_PROGRAMS), built by the `swiftc` on PATH (the
    toolchain scripts/bench builds the hub with), read once each has started; None for one
    that could not be built or run."""
    work = tempfile.mkdtemp(prefix="vakt-bench-floor-")
    out = {}
    try:
        for name, source in FLOOR_PROGRAMS.items():
            out[name] = None
            path = os.path.join(work, name)
            open(path + ".swift", "w").write(source)
            built = subprocess.run(["swiftc", "-O", path + ".swift", "-o", path], capture_output=True, text=True)
            if built.returncode != 0:
                log(f"floor: {name} did not build: {built.stderr.strip()[:300]}")
                continue
            proc = subprocess.Popen([path], stdout=subprocess.PIPE, text=True)
            try:
                ready, _, _ = select.select([proc.stdout], [], [], 30)
                if not ready or not proc.stdout.readline() or proc.poll() is not None:
                    log(f"floor: {name} did not start")
                    continue
                time.sleep(0.5)
                out[name] = memory_kib(proc.pid)
            except (OSError, KeyError) as error:
                log(f"floor: {name}: {error}")
            finally:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main():
    ap = faults.arguments()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--alarms", type=int, default=200, help="alarms per phase and run")
    ap.add_argument("--rate", type=float, default=10, help="alarms per second")
    ap.add_argument("--background", type=int, default=5000, help="background messages per second")
    ap.add_argument("--fleet", type=int, default=1000, help="generated devices besides the demo site's")
    ap.add_argument("--settle", type=float, default=5, help="seconds idle before the first reading")
    ap.add_argument("--memory-alarms", type=int, default=0)
    ap.add_argument("--nagle-alarms", type=int, default=0)
    ap.add_argument("--floor", action="store_true", help="also the RSS of programs that do nothing")
    args = ap.parse_args()

    runs = []
    for number in range(1, args.runs + 1):
        log(f"run {number} of {args.runs}: idle {args.settle:g} s, {args.alarms} alarms at {args.rate:g}/s, "
            f"then again under {args.background} messages/s from {args.fleet} devices")
        runs.append(one_run(args, number))
        quiet, loud = runs[-1]["quiet"], runs[-1]["background"]
        log(f"run {number}: p99 {quiet['p99_ms']:.2f} ms quiet, {loud['p99_ms']:.2f} ms under "
            f"{loud['sent_per_s']:.0f}/s; RSS {loud['memory_kib']['rss']} kB")

    out = {"fleet": args.fleet, "alarms_per_phase": args.alarms, "rate_per_s": args.rate,
           "background_per_s": args.background, **merge(runs)}
    if args.nagle_alarms:
        # Back to back (each alarm once the last one's webhook came): Nagle's algorithm holds a
        # small packet only while an earlier one is unacknowledged, which gaps of 100 ms hide.
        out["back_to_back"] = {}
        for name, nodelay in (("nodelay", True), ("nagle", False)):
            log(f"{args.nagle_alarms} alarms back to back, broker set_tcp_nodelay {str(nodelay).lower()}")
            quiet = one_run(args, name, nodelay=nodelay, with_background=False, alarms=args.nagle_alarms, rate=0)["quiet"]
            out["back_to_back"][name] = {key: round(quiet[key], 3) for key in ("p50_ms", "p99_ms", "max_ms")}
    if args.floor:
        log("floor: RSS of a Swift program that does nothing, with Foundation and without")
        out["floor_kib"] = floor()
    if args.memory_alarms:
        log(f"memory: {args.memory_alarms} alarms back to back")
        out["memory_growth_kib"] = memory_growth(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
