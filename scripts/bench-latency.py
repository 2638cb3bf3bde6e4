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

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a kept connection reset when the run stops its hub: not news

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/vakt"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def raise_alarms(publisher, arrivals, count, rate, first_alarm):
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
                publish("vakt/marker/commands/ns1", json.dumps(command))  # the demo site
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
    # Interleaved: each device's first quiet message, then each one's second; consecutive
    # messages come from different devices.
    payloads = [(topic, payload) for _, topic, payload in sorted(
        (number, topic, payload) for _, kind, _, topic in devices
        for number, payload in enumerate(faults.FLEET_QUIET[kind]))]
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
    """Runs `work`; returns its result, the hub's CPU over it (seconds, and share of one core)
    and its memory after."""
    cpu, began = cpu_seconds(hub.proc.pid), time.perf_counter()
    result = work()
    used = cpu_seconds(hub.proc.pid) - cpu
    return result, used, used / (time.perf_counter() - began) * 100, memory_kib(hub.proc.pid)


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


def one_run(args, number):
    with faults.Run(args, f"latency{number}") as run:
        arrivals, site, hub, publisher = start(run, args)
        out = {}
        _, _, cpu, memory = phase(hub, lambda: time.sleep(args.settle))
        out["idle"] = {"cpu_percent": cpu, "memory_kib": memory}
        latencies, _, cpu, memory = phase(hub, lambda: raise_alarms(publisher, arrivals, args.alarms, args.rate, 1))
        out["quiet"] = {**percentiles(latencies), "cpu_percent": cpu, "memory_kib": memory}

        def under_background():
            """Alarms while another process publishes the fleet's quiet messages; the phase
            ends once the hub has taken all of them."""
            stop, sent_out = multiprocessing.Event(), multiprocessing.Queue()
            # A daemon: a run that fails does not wait for it at exit.
            proc = multiprocessing.Process(target=background, args=(
                run.broker.port, args.background, stop, sent_out, faults.fleet_devices(args.fleet)), daemon=True)
            base = site.last_event()
            proc.start()
            try:
                time.sleep(1)  # the stream running before the first alarm
                latencies = raise_alarms(publisher, arrivals, args.alarms, args.rate, 1 + args.alarms)
            finally:
                stop.set()
            sent, elapsed = sent_out.get(timeout=180)
            proc.join(30)
            site.wait_events(base, sent, "zigbee2mqtt/f%", 60 + elapsed)
            return latencies, sent, elapsed

        (latencies, sent, elapsed), used, cpu, memory = phase(hub, under_background)
        out["background"] = {**percentiles(latencies), "sent_per_s": sent / elapsed, "cpu_percent": cpu,
                             "cpu_ms_per_message": used / (sent + 2 * args.alarms) * 1000, "memory_kib": memory}
        # Last, as it leaves the hub's pages to be read from disk again.
        problem = page_out(hub.proc.pid)
        if problem:
            log(f"working set not measured: {problem}")
            return out
        time.sleep(args.settle)
        idle = memory_kib(hub.proc.pid)
        raise_alarms(publisher, arrivals, int(args.rate * 10), args.rate, 1 + 2 * args.alarms)
        out["working_set"] = {"idle_kib": idle, "alarms_kib": memory_kib(hub.proc.pid)}
        return out


def back_to_back(args, nodelay):
    """p50, p99 and max of --nagle-alarms alarms back to back (each once the last one's webhook
    came) on a broker with `set_tcp_nodelay` as given."""
    with faults.Run(args, "nagle" if not nodelay else "nodelay", nodelay=nodelay) as run:
        arrivals, _, _, publisher = start(run, args)
        latencies = raise_alarms(publisher, arrivals, args.nagle_alarms, 0, 1)
        return {key: round(value, 3) for key, value in percentiles(latencies).items()}


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
            out["back_to_back"][name] = back_to_back(args, nodelay)
    if args.floor:
        log("floor: RSS of a Swift program that does nothing, with Foundation and without")
        out["floor_kib"] = floor()
    if args.memory_alarms:
        log(f"memory: {args.memory_alarms} alarms back to back")
        out["memory_growth_kib"] = memory_growth(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
