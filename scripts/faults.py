#!/usr/bin/env python3
"""Fault runs for Vakt: the real hub (release build) against a private mosquitto, the real
webhook receiver, real files and real pseudo-terminals, with one fault made on purpose.

  crash    SIGKILL at random points under 10,000 QoS 1 events, a share of them during
           start-up; events and alarms lost or duplicated, timers, the audit chain
  broker   the broker stopped for 60 s under a running hub and a dashboard in tmux
  gateway  the webhook gateway down for 60 s while alarms escalate, an SMS gateway beside it
  disk     the data directory's file system (a tmpfs) filled up, then emptied
  clock    the hub's wall clock stepped an hour ahead and back during escalations, and to
           night time (through scripts/clockshift.c, LD_PRELOAD: the machine's own clock
           cannot be stepped on demand)
  bridge   zigbee2mqtt restarting (bridge/state offline, then online) under a device stream
  serial   the alarm receiver unplugged and plugged back, again and again
  hostile  thousands of broken and hostile payloads and commands (mutated from the fuzz
           corpus, plus hand-made worst cases) and garbage on a serial line, through the
           broker to the hub; then a real press must still be raised and answered

Prints one JSON object per run; with --markdown FILE writes the sections of
docs/reliability.md. Exits 1 when any run missed its goal.
  faults.py --vakt BIN --devices DIR --config DIR [--only crash,broker,...] [--runs 3]
"""
import argparse, json, os, random, re, shutil, signal, socket, sqlite3, struct, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttwire import encode_len, utf8  # noqa: E402  (scripts/mqttwire.py)

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
READY = "broker confirmed the subscriptions"
# Escalation in seconds rather than minutes, so a run sees several tiers.
FALL = '{"fall_down_status":"fall","linkquality":156,"motion_state":"large_move","presence":true}'
FAST_ESCALATION = [("      - after: 2m\n", "      - after: 20s\n"), ("      - after: 5m\n", "      - after: 40s\n"),
                   ("    repeat: 5m\n", "    repeat: 40s\n")]
TIERS_AT = [0, 20, 60, 100, 140]  # tier 0, 1, 2, then the last tier's repeats, seconds after the raise


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def wait_for(what, check, timeout, step=0.1):
    """Polls `check` until it returns something true; returns it, or raises after `timeout`."""
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


class Broker:
    """A private mosquitto with persistence, which can be stopped and started on its port."""

    def __init__(self, work, nodelay=True):
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        persistence = os.path.join(work, "mosquitto") + "/"
        os.makedirs(persistence)
        self.conf = os.path.join(work, "mosquitto.conf")
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true", "persistence true",
                 f"persistence_location {persistence}", "max_queued_messages 0", "queue_qos0_messages true",
                 f"set_tcp_nodelay {'true' if nodelay else 'false'}"]
        if os.geteuid() == 0:
            lines.append("user root")
        open(self.conf, "w").write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # mosquitto writes its persistence file on the way out
            self.proc.wait(30)


class Receiver:
    """scripts/webhook-receiver on its own port, logging each request with its arrival time."""

    def __init__(self, work, name, arguments=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/{name}"
        self.log = os.path.join(work, f"{name}.jsonl")
        self.arguments = list(arguments)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SCRIPTS, "webhook-receiver"), "--port", str(self.port), "--log", self.log]
            + self.arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def requests(self):
        """Every request so far: the decoded body with `received_at` added."""
        if not os.path.exists(self.log):
            return []
        out = []
        for line in open(self.log, encoding="utf-8"):
            if line.strip():
                record = json.loads(line)
                body = json.loads(record["body"])
                body["received_at"] = record["received_at"]
                out.append(body)
        return out


class Hub:
    """`vakt run` as a child process; its log lines are kept, and `ready` is set once it is
    subscribed."""

    def __init__(self, vakt, config, data, broker, env=None):
        self.args = [vakt, "run", "--config", config, "--data", data, "--broker", broker]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.ready = threading.Event()
        self.lines = []

    def start(self, wait=True):
        self.ready.clear()
        self.lines = []
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     env=self.env)
        proc = self.proc

        lines = self.lines

        def watch():
            for line in proc.stderr:
                lines.append(line.rstrip("\n"))
                if READY in line:
                    self.ready.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        deadline = time.monotonic() + 60
        while wait and not self.ready.wait(0.1) and proc.poll() is None and time.monotonic() < deadline:
            pass
        if wait and not self.ready.is_set():
            status = proc.poll()
            if status is not None:
                watcher.join(2)  # the lines saying why it exited
            tail = "\n".join(self.lines[-8:])
            raise RuntimeError(f"the hub did not connect within 60 s ({'exited ' + str(status) if status is not None else 'still running'}); its last lines:\n{tail}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def count(self, text):
        return sum(1 for line in list(self.lines) if text in line)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def kill_quietly(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()


class Publisher:
    """A minimal MQTT 3.1.1 client publishing at QoS 1 and counting PUBACKs."""

    def __init__(self, port, name="devices"):
        self.sock = socket.create_connection(("127.0.0.1", port))
        # Keepalive 0: a publisher idle through a long wait is not disconnected.
        body = utf8("MQTT") + bytes([4, 2]) + struct.pack("!H", 0) + utf8(f"vakt-faults-{name}-{os.getpid()}")
        self.sock.sendall(bytes([0x10]) + encode_len(len(body)) + body)
        ack = b""
        while len(ack) < 4:
            chunk = self.sock.recv(4 - len(ack))
            if not chunk:
                raise RuntimeError("the broker closed the connection before CONNACK")
            ack += chunk
        assert ack[0] == 0x20 and ack[3] == 0, f"CONNACK refused: {ack!r}"
        self.mid = 0
        self.sent = 0
        self.acked = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while len(buffer) >= 2:
                length, shift, i, complete = 0, 0, 1, False
                while i < len(buffer):
                    b = buffer[i]
                    length |= (b & 0x7F) << shift
                    shift += 7
                    i += 1
                    if not b & 0x80:
                        complete = True
                        break
                if not complete or len(buffer) < i + length:
                    break
                if buffer[0] >> 4 == 4:
                    with self.cond:
                        self.acked += 1
                        self.cond.notify_all()
                buffer = buffer[i + length:]

    def publish(self, topic, payload, retain=False):
        self.mid = self.mid % 65535 + 1
        self.sent += 1
        body = utf8(topic) + struct.pack("!H", self.mid) + (payload if isinstance(payload, bytes) else payload.encode())
        self.sock.sendall(bytes([0x32 | (1 if retain else 0)]) + encode_len(len(body)) + body)

    def wait_acked(self, timeout=120):
        deadline = time.time() + timeout
        with self.cond:
            while self.acked < self.sent:
                if not self.cond.wait(max(0.0, deadline - time.time())):
                    raise RuntimeError(f"only {self.acked} of {self.sent} PUBACKs")

    def close(self):
        try:
            self.sock.sendall(bytes([0xE0, 0]))
        except OSError:
            pass
        self.sock.close()


class Site:
    """A copy of the demo site in `work`/config, pointed at the run's broker and receiver."""

    def __init__(self, args, work, broker, webhook_url, edits=None, serial=True, fleet=0):
        """`fleet`: that many more zigbee2mqtt devices (FLEET_PROFILES, in rooms of four,
        topics zigbee2mqtt/<room>/<kind>; see fleet_devices), for runs that need a site's size."""
        self.config = os.path.join(work, "config")
        self.data = os.path.join(work, "data")
        shutil.copytree(args.config, self.config, ignore=shutil.ignore_patterns("scenarios", "run", "data"))
        for name in os.listdir(self.config):
            if not name.endswith(".yaml"):
                continue
            path = os.path.join(self.config, name)
            text = open(path).read()
            text = text.replace("http://127.0.0.1:8088/vakt", webhook_url)
            for old, new in (edits or {}).get(name, []):
                if old not in text:
                    raise RuntimeError(f"{name} has no {old!r} to replace")
                text = text.replace(old, new)
            if name == "site.yaml":
                text = re.sub(r"(?m)^profiles: .*$", f"profiles: {args.devices}", text)
                text = text.replace("mqtt://127.0.0.1:1883", broker.url)
            if name == "devices.yaml" and not serial:
                text = without_serial_items(text)
            if name == "devices.yaml" and fleet:
                text = text.rstrip("\n") + "\n" + "".join(
                    f"  - id: {room}-{kind}\n    profile: {profile}\n    room: {room}\n    topic: {topic}\n"
                    for room, kind, profile, topic in fleet_devices(fleet))
            if name == "rooms.yaml" and fleet:
                rooms = sorted({room for room, _, _, _ in fleet_devices(fleet)})
                text = text.rstrip("\n") + "\n" + "".join(
                    f"  - id: {room}\n    name: Bench {room}\n    tags: [bench]\n" for room in rooms)
            open(path, "w").write(text)

    def db(self):
        return sqlite3.connect(f"file:{os.path.join(self.data, 'vakt.sqlite')}?mode=ro", uri=True, timeout=30)

    def alarms(self, kind=None):
        sql = "SELECT id, kind, device, state, json FROM alarms" + (" WHERE kind = ?" if kind else "")
        return [{"id": i, "kind": k, "device": d, "state": s, **json.loads(j)}
                for i, k, d, s, j in self.db().execute(sql, (kind,) if kind else ())]

    def audit(self, action):
        return [{"at": at, "alarm": alarm, **json.loads(detail)} for at, alarm, detail in self.db().execute(
            "SELECT at, alarm, detail FROM audit WHERE action = ? ORDER BY seq", (action,))]

    def events(self, source_like):
        return self.db().execute("SELECT COUNT(*) FROM events WHERE source LIKE ?", (source_like,)).fetchone()[0]

    def last_event(self):
        """The event log's last sequence number (0 when empty)."""
        return self.db().execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def wait_events(self, after, count, source_like, timeout):
        """Waits until `count` events from sources `source_like` are in the log past sequence
        number `after`; returns the monotonic instant they were all in. It polls the log's
        last sequence number (the primary key's end, cheap) until `count` more have come, then
        counts those sources past `after` (a scan of the new rows), again only if other events
        came in between. Polling the count itself scanned the whole table each time: CPU taken
        from the hub a benchmark measures."""
        db = self.db()
        last = lambda: db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]  # noqa: E731
        wait_for(f"{count} events", lambda: last() - after >= count, timeout, step=0.01)
        done = time.monotonic()
        exact = lambda: db.execute("SELECT COUNT(*) FROM events WHERE seq > ? AND source LIKE ?",  # noqa: E731
                                   (after, source_like)).fetchone()[0]
        if exact() >= count:
            return done
        wait_for(f"{count} events from {source_like}", lambda: exact() >= count, timeout, step=0.05)
        return time.monotonic()


# The devices of a generated fleet, four to a room: what most rooms of a real site have.
FLEET_PROFILES = [("door", "zigbee2mqtt/aqara-mccgq11lm"), ("water", "zigbee2mqtt/aqara-sjcgq11lm"),
                  ("smoke", "zigbee2mqtt/heiman-hs1sa"), ("sos", "zigbee2mqtt/tuya-ts0215a-sos")]
# What each kind sends when nothing is wrong: a door opening or closing, the others' heartbeats.
# None of these raises an alarm on the demo site's rules.
FLEET_QUIET = {"door": ['{"battery":97,"contact":false,"linkquality":120,"voltage":3005}',
                        '{"battery":97,"contact":true,"linkquality":121,"voltage":3005}'],
               "water": ['{"battery":88,"water_leak":false,"battery_low":false,"linkquality":99}'],
               "smoke": ['{"smoke":false,"battery_low":false,"tamper":false,"battery":100,"linkquality":87}'],
               "sos": ['{"action":"","battery":92,"linkquality":76,"voltage":3000}']}


def fleet_devices(count):
    """[(room, kind, profile, topic)] for `count` generated devices in rooms f001, f002, ..."""
    out = []
    for n in range(count):
        room = f"f{n // len(FLEET_PROFILES) + 1:03d}"
        kind, profile = FLEET_PROFILES[n % len(FLEET_PROFILES)]
        out.append((room, kind, profile, f"zigbee2mqtt/{room}/{kind}"))
    return out


def without_serial_items(text):
    """Drops the list items that name a serial `port` or a `receiver` (as the tests' site copy
    does): a run about MQTT devices does not want the technical alarms of missing ports."""
    kept, item = [], []

    def flush():
        if not any(line.startswith("    port:") or line.startswith("    receiver:") for line in item):
            kept.extend(item)
        item.clear()

    for line in text.split("\n"):
        if line.startswith("  - "):
            flush()
            item.append(line)
        elif line.startswith("    ") and item:
            item.append(line)
        else:
            flush()
            kept.append(line)
    flush()
    return "\n".join(kept)


def nothing_lost(result):
    """Whether a stream's events and alarms all came through, each once."""
    return not (result["events_lost"] or result["events_duplicated"] or result["alarms_lost"]
                or result["alarms_duplicated"])


def audit_verifies(args, site):
    return subprocess.run([args.vakt, "audit", "verify", "--data", site.data], capture_output=True).returncode == 0


class Battery:
    """SOS buttons in rooms 101-106 whose battery swings between 90 % and 15 % every `swing`
    messages: every swing down must raise one low-battery alarm, every swing up clears it.
    Each payload carries its own sequence number, so the event log can be checked against it."""

    buttons = [f"room{n}/sos" for n in range(101, 107)]

    def __init__(self, events, alarms):
        self.per_button = events // len(self.buttons)
        self.swing = max(2, self.per_button * len(self.buttons) // (2 * alarms))
        self.messages = []
        for i in range(self.per_button * len(self.buttons)):
            button = self.buttons[i % len(self.buttons)]
            battery = 15 if ((i // len(self.buttons)) // self.swing) % 2 == 1 else 90
            payload = json.dumps({"action": "", "battery": battery, "linkquality": 60 + i % 90, "voltage": 3000,
                                  "seq": i}, separators=(",", ":"))
            self.messages.append((f"zigbee2mqtt/{button}", payload))

    def publish(self, publisher, messages, rate):
        for n, (topic, payload) in enumerate(messages, 1):
            publisher.publish(topic, payload)
            if n % 100 == 0:
                time.sleep(100 / rate)

    def drain(self, site, timeout=300):
        """Waits until the event log stops growing for 3 s (the hub took what was queued)."""
        deadline, last, since = time.time() + timeout, -1, time.time()
        while time.time() < deadline:
            count = site.events("zigbee2mqtt/room1%")
            if count != last:
                last, since = count, time.time()
            elif time.time() - since > 3:
                return
            time.sleep(0.25)

    def check(self, site, sent):
        """Events and alarms against what was sent (the first `sent` messages)."""
        seqs = {}
        for (payload,) in site.db().execute("SELECT payload FROM events WHERE source LIKE 'zigbee2mqtt/room1%/sos'"):
            try:
                seq = json.loads(bytes(payload))["seq"]
            except (ValueError, KeyError, TypeError):
                continue
            seqs[seq] = seqs.get(seq, 0) + 1
        by_button = {}
        for alarm in site.alarms("low-battery"):
            by_button[alarm["device"]] = by_button.get(alarm["device"], 0) + 1
        expected = {}
        low = {}
        for topic, payload in self.messages[:sent]:
            button = topic.split("/", 1)[1]
            is_low = json.loads(payload)["battery"] == 15
            if is_low and not low.get(button):
                expected[button] = expected.get(button, 0) + 1
            low[button] = is_low
        # Per button, so one lost and one duplicated elsewhere cannot cancel out.
        raised = sum(by_button.values())
        return {
            "events_sent": sent, "events_recorded": len(seqs), "events_lost": sent - len(seqs),
            "events_duplicated": sum(n - 1 for n in seqs.values()),
            "alarms_expected": sum(expected.values()), "alarms_raised": raised,
            "alarms_lost": sum(max(0, n - by_button.get(b.replace("/", "-"), 0)) for b, n in expected.items()),
            "alarms_duplicated": sum(max(0, by_button.get(b.replace("/", "-"), 0) - n) for b, n in expected.items()),
        }


class Run:
    """One run's working directory, broker and processes, cleaned up at the end."""

    def __init__(self, args, name, nodelay=True):
        """`nodelay`: the broker's set_tcp_nodelay (true in Vakt's broker configuration)."""
        self.args = args
        self.work = tempfile.mkdtemp(prefix=f"vakt-faults-{name}-")
        self.broker = Broker(self.work, nodelay)
        self.cleanups = [self.broker.stop]

    def receiver(self, name, arguments=()):
        receiver = Receiver(self.work, name, arguments)
        receiver.start()
        self.cleanups.append(receiver.stop)
        return receiver

    def site(self, edits=None, serial=True, fleet=0, webhook_url=None):
        """Starts the run's broker and, unless `webhook_url` names another, a webhook receiver,
        and copies the demo site pointed at both (see Site). Returns (site, receiver or None)."""
        self.broker.start()
        receiver = None if webhook_url else self.receiver("webhook")
        return Site(self.args, self.work, self.broker, webhook_url or receiver.url, edits, serial, fleet), receiver

    def hub(self, site, env=None, wait=True):
        hub = Hub(self.args.vakt, site.config, site.data, self.broker.url, env)
        self.cleanups.append(hub.kill_quietly)
        hub.start(wait)
        return hub

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def close(self):
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception as error:  # noqa: BLE001  (clean up the rest regardless)
                print(f"faults: cleaning up: {error}", file=sys.stderr)
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)


def arguments():
    """An argument parser with what every run of the harness needs: the release `vakt`, the
    device profiles, the demo site's config, and --keep."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--vakt", required=True)
    ap.add_argument("--devices", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--keep", action="store_true", help="keep each run's directory")
    # SIGTERM ends the script through SystemExit, so its runs stop their brokers and hubs and
    # remove their directories as they do on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return ap


def log(text):
    print(f"faults: {text}", file=sys.stderr, flush=True)


# --- crash ---------------------------------------------------------------------------------

def crash(args, seed):
    rng = random.Random(seed)
    done = threading.Event()
    with Run(args, "crash") as run:
        try:
            site, _ = run.site()
            began = time.time()
            hub = run.hub(site)
            # Start-up (process start to subscribed) as measured once: the window kills aim into.
            startup = time.time() - began
            stream = Battery(args.events, args.alarms)
            kills, startup_kills, errors = 0, 0, []

            def killer():
                nonlocal kills, startup_kills
                try:
                    while not done.is_set():
                        if done.wait(rng.uniform(args.min_gap, args.max_gap)):
                            return
                        hub.kill()
                        kills += 1
                        # A share of the restarts are killed again during start-up: before the
                        # hub has opened its store, while it restores state, or while it connects.
                        running = False
                        while rng.random() < args.startup_share and not done.is_set():
                            hub.start(wait=False)
                            time.sleep(rng.uniform(0.0, startup))
                            if hub.ready.is_set():
                                running = True  # it was quicker: a kill of a running hub, next time
                                break
                            hub.kill()
                            kills += 1
                            startup_kills += 1
                        if not running:
                            hub.start()
                except Exception as error:  # reported after the run, never lost
                    errors.append(error)

            publisher = Publisher(run.broker.port)
            thread = threading.Thread(target=killer)
            thread.start()
            # However the run ends, the killer is stopped before the run's clean-up kills the hub
            # and removes its directory: otherwise it could start a hub after that.
            run.cleanups.append(lambda: (done.set(), thread.join()))
            started = time.time()
            stream.publish(publisher, stream.messages, args.rate)
            publisher.wait_acked()
            publisher.close()
            # The kills go on while the hub drains what the broker holds for it (most of the run
            # when the stream is faster than the hub).
            deadline = time.time() + 600
            while site.events("zigbee2mqtt/room1%") < len(stream.messages) and time.time() < deadline and not errors:
                time.sleep(0.2)
            done.set()
            thread.join()
            if errors:
                raise RuntimeError(f"restarting the hub failed: {errors[0]}")
            stream.drain(site)
            stopped = hub.stop()
            result = stream.check(site, len(stream.messages))
            open_without_timer = site.db().execute(
                "SELECT COUNT(*) FROM alarms WHERE state = 'raised' AND id NOT IN (SELECT alarm FROM timers)").fetchone()[0]
            result.update({
                "run": "crash", "seed": seed, "kills": kills, "startup_kills": startup_kills,
                "startup_ms": round(startup * 1000),
                "open_alarms_without_timer": open_without_timer, "clean_stop": stopped == 0,
                "audit_verified": audit_verifies(args, site), "seconds": round(time.time() - started, 1),
            })
            result["ok"] = (nothing_lost(result) and not open_without_timer and result["audit_verified"]
                            and result["clean_stop"])
            return result
        finally:
            done.set()


# --- broker --------------------------------------------------------------------------------

class Dashboard:
    """`vakt dashboard` in a detached tmux session with its own server socket."""

    def __init__(self, run, site, staff="ns1"):
        self.socket = f"vakt-faults-{os.getpid()}"
        command = " ".join(["env", "TERM=tmux-256color", "LANG=C.UTF-8", run.args.vakt, "dashboard", "--config",
                            site.config, "--as", staff, "--broker", run.broker.url, "--no-alerts"])
        subprocess.run(["tmux", "-L", self.socket, "new-session", "-d", "-s", "vakt", "-x", "140", "-y", "30",
                        command], check=True)
        run.cleanups.append(self.stop)

    def screen(self):
        out = subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "vakt"], capture_output=True,
                             text=True)
        return out.stdout

    def stop(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


BROKER_DOWN_TEXT = "INGEN FORBINDELSE TIL MEGLEREN"
HUB_RUNNING_TEXT = "Huben kjører"


def broker(args):
    with Run(args, "broker") as run:
        site, receiver = run.site({"escalation.yaml": FAST_ESCALATION}, serial=False)
        hub = run.hub(site)
        dashboard = Dashboard(run, site)
        wait_for("the dashboard to show the hub running", lambda: HUB_RUNNING_TEXT in dashboard.screen(), 30)
        stream = Battery(args.events // 2, args.alarms // 2)
        half = len(stream.messages) // 2
        publisher = Publisher(run.broker.port)
        stream.publish(publisher, stream.messages[:half], args.rate)
        publisher.wait_acked()
        # A fall just before the outage: it must go on escalating while the broker is away.
        publisher.publish("zigbee2mqtt/room103/fall", FALL)
        publisher.wait_acked()
        publisher.close()
        wait_for("the fall's first notification", lambda: receiver.requests(), 15)
        stream.drain(site)

        log(f"broker: stopping the broker for {args.outage} s")
        down_at = time.time()
        run.broker.stop()
        wait_for("the dashboard's broker banner", lambda: BROKER_DOWN_TEXT in dashboard.screen(), 30)
        banner_after = time.time() - down_at
        time.sleep(max(0.0, args.outage - (time.time() - down_at)))
        during = [r for r in receiver.requests() if down_at <= r["received_at"]]
        tiers_during = sorted({(r["alarm"]["tier"], r["alarm"].get("round", 0)) for r in during})

        run.broker.start()
        up_at = time.time()
        # The devices publish the second half at once, before the hub is back: the broker keeps
        # it for the hub's persistent session.
        connected_before = hub.count(READY)
        publisher = Publisher(run.broker.port, "devices-2")
        stream.publish(publisher, stream.messages[half:], args.rate)
        publisher.wait_acked()
        publisher.close()
        wait_for("the hub to resubscribe", lambda: hub.count(READY) > connected_before, 90)
        reconnect_after = time.time() - up_at
        wait_for("the dashboard to show the hub running again",
                 lambda: HUB_RUNNING_TEXT in dashboard.screen() and BROKER_DOWN_TEXT not in dashboard.screen(), 60)
        dashboard_after = time.time() - up_at
        stream.drain(site)
        screen = dashboard.screen()
        stopped = hub.stop()
        result = stream.check(site, len(stream.messages))
        result.update({
            "run": "broker", "outage_seconds": args.outage, "banner_after_seconds": round(banner_after, 1),
            "notifications_during_outage": len(during),
            "tiers_during_outage": [f"{t}.{r}" for t, r in tiers_during],
            "hub_resubscribed_after_seconds": round(reconnect_after, 1),
            "dashboard_current_after_seconds": round(dashboard_after, 1),
            "dashboard_shows_fall": "103" in screen, "hub_alive": stopped == 0,
            "audit_verified": audit_verifies(args, site),
        })
        result["ok"] = (nothing_lost(result) and len(during) > 0 and result["dashboard_shows_fall"]
                        and result["hub_alive"] and result["audit_verified"])
        return result


# --- gateway -------------------------------------------------------------------------------

def gateway(args):
    with Run(args, "gateway") as run:
        run.broker.start()
        webhook = Receiver(run.work, "webhook")
        sms = run.receiver("sms")
        channel = "\n".join([
            "channels:", "  - id: sms", "    type: sms", "    preset: custom", f'    url: "{sms.url}"',
            """    body: '{"to": "{to}", "text": "{text}", "reference": "{reference}"}'""", "    max_attempts: 3", ""])
        staff_sms = [(f'      - {{ channel: webhook, address: "+47 900 00 00{n}" }}\n',
                      f'      - {{ channel: webhook, address: "+47 900 00 00{n}" }}\n'
                      f'      - {{ channel: sms, address: "+47 900 00 00{n}" }}\n') for n in range(1, 5)]
        edits = {"escalation.yaml": FAST_ESCALATION + [("\nchannels:\n", "\n" + channel),
                                                       ("    max_attempts: 6\n", "    max_attempts: 4\n")],
                 "staff.yaml": staff_sms}
        site = Site(args, run.work, run.broker, webhook.url, edits, serial=False)
        hub = run.hub(site)
        # The webhook gateway is down from the start: nothing listens on its port.
        log(f"gateway: webhook gateway down for {args.outage} s, three falls")
        down_at = time.time()
        publisher = Publisher(run.broker.port)
        for room in (101, 102, 103):
            publisher.publish(f"zigbee2mqtt/room{room}/fall", FALL)
            time.sleep(5)
        publisher.wait_acked()
        publisher.close()
        time.sleep(max(0.0, args.outage - (time.time() - down_at)))
        escalations_during = len([e for e in site.audit("alarm.escalated") if e["at"] >= down_at - 1])
        webhook.start()
        run.cleanups.append(webhook.stop)
        up_at = time.time()
        # Held notifications retry within a minute; then nothing may stay pending.
        wait_for("the outbox to empty", lambda: site.db().execute(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0] == 0, 120, 0.5)
        # Everything queued by now is settled: count it before the hub goes on escalating.
        stopped = hub.stop()
        rows = site.db().execute("SELECT key, channel, state, attempts FROM outbox").fetchall()
        webhook_rows = {k: (s, a) for k, c, s, a in rows if c == "webhook"}
        sms_rows = {k: s for k, c, s, a in rows if c == "sms"}
        after_recovery = [r for r in webhook.requests() if r["received_at"] >= up_at]
        failed_over = [k for k, (s, _) in webhook_rows.items() if s == "failed"]

        def by_sms(key):  # marker:A1:t0:r0:ns1:webhook -> marker:A1:t0:r0:ns1:sms
            return sms_rows.get(key.rsplit(":", 1)[0] + ":sms")

        reached_by_sms = [k for k in failed_over if by_sms(k) == "delivered"]
        held_delivered = [k for k, (s, a) in webhook_rows.items() if s == "delivered" and a > 1]
        unreached = [k for k in failed_over if by_sms(k) != "delivered"]
        result = {
            "run": "gateway", "outage_seconds": args.outage, "alarms": len(site.alarms("fall")),
            "escalations_during_outage": escalations_during, "notifications": len(webhook_rows),
            "held_then_delivered": len(held_delivered), "webhook_requests_after_recovery": len(after_recovery),
            "failed_over_to_sms": len(failed_over), "delivered_by_sms": len(reached_by_sms),
            "reached_nobody": len(unreached), "hub_alive": stopped == 0,
            "audit_verified": audit_verifies(args, site),
        }
        result["ok"] = (not unreached and len(failed_over) > 0 and len(held_delivered) > 0
                        and escalations_during >= 3 and result["hub_alive"] and result["audit_verified"])
        return result


# --- disk ----------------------------------------------------------------------------------

def disk(args):
    with Run(args, "disk") as run:
        mount = os.path.join(run.work, "datafs")
        os.makedirs(mount)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.disk_mb}m", "tmpfs", mount],
                          capture_output=True).returncode != 0:
            return {"run": "disk", "skipped": "mounting a tmpfs needs root (CAP_SYS_ADMIN)", "ok": True}
        run.cleanups.insert(0, lambda: subprocess.run(["umount", "-l", mount], capture_output=True))
        site, _ = run.site(serial=False)
        site.data = os.path.join(mount, "data")  # the hub and `vakt audit` are given it as --data
        hub = run.hub(site)
        stream = Battery(args.events // 2, args.alarms // 2)
        third = len(stream.messages) // 3
        publisher = Publisher(run.broker.port)
        stream.publish(publisher, stream.messages[:third], args.rate)
        publisher.wait_acked()
        stream.drain(site)

        # Fill the file system: big blocks, then small ones, until it says no more.
        filler = os.path.join(mount, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)
        log(f"disk: {mount} full; {len(stream.messages) - third} more events")
        full_at = time.time()
        critical_before = hub.count("critical")
        stream.publish(publisher, stream.messages[third:], args.rate)
        time.sleep(max(0.0, args.disk_full_seconds - (time.time() - full_at)))
        recorded_while_full = site.events("zigbee2mqtt/room1%")
        criticals = hub.count("critical") - critical_before
        alive_while_full = hub.alive()
        os.remove(filler)
        publisher.wait_acked(300)
        publisher.close()
        stream.drain(site)
        integrity = site.db().execute("PRAGMA integrity_check").fetchone()[0]
        stopped = hub.stop()
        result = stream.check(site, len(stream.messages))
        result.update({
            "run": "disk", "full_seconds": args.disk_full_seconds, "critical_log_lines": criticals,
            "events_recorded_while_full": recorded_while_full, "alive_while_full": alive_while_full,
            "integrity": integrity, "hub_alive": stopped == 0, "audit_verified": audit_verifies(args, site),
        })
        result["ok"] = (criticals > 0 and alive_while_full and integrity == "ok" and nothing_lost(result)
                        and result["hub_alive"] and result["audit_verified"])
        return result


# --- clock ---------------------------------------------------------------------------------

NIGHT_RULE = """rules:
  - id: night-door
    events: [door.opened]
    alarm: wandering
    severity: high
    policy: standard
    when: "22:00-07:00"
"""


def clock(args):
    with Run(args, "clock") as run:
        site, receiver = run.site({"escalation.yaml": FAST_ESCALATION + [("\nrules:\n", "\n" + NIGHT_RULE)]},
                                  serial=False)
        offset_file = os.path.join(run.work, "clock-offset")

        def set_clock(local_hour=None, by=None):
            """Steps the hub's wall clock: to a local hour today (Europe/Oslo, UTC+1 in winter),
            or by some seconds."""
            current = float(open(offset_file).read()) if os.path.exists(offset_file) else 0.0
            if local_hour is not None:
                now = time.time()
                target = (now // 86400) * 86400 + (local_hour - 1) * 3600
                current = target - now
            else:
                current += by
            with open(offset_file + ".tmp", "w") as out:
                out.write(f"{current:.3f}\n")
            os.replace(offset_file + ".tmp", offset_file)
            time.sleep(0.1)  # the shim re-reads the file every 20 ms

        set_clock(local_hour=12)  # midday, by the hub's clock
        hub = run.hub(site, {"LD_PRELOAD": args.clockshift, "CLOCKSHIFT_FILE": offset_file})
        publisher = Publisher(run.broker.port)

        def door(room, state):
            publisher.publish(f"zigbee2mqtt/room{room}/door",
                              json.dumps({"battery": 97, "contact": not state, "linkquality": 80, "voltage": 3015}))
            publisher.wait_acked()

        # Night windows follow the wall clock: at midday a door opening raises nothing.
        door(101, True)
        time.sleep(1)
        day_door = len(site.alarms("wandering"))
        door(101, False)

        # A fall, and the wall clock stepped while it escalates: an hour ahead at 5 s, back at
        # 30 s, another hour back at 70 s. Its tiers must come at 20, 60 and 100 s all the same.
        raised_at = time.time()
        publisher.publish("zigbee2mqtt/room103/fall", FALL)
        publisher.wait_acked()
        steps = [(5, 3600), (30, -3600), (70, -3600)]
        for at, by in steps:
            time.sleep(max(0.0, raised_at + at - time.time()))
            set_clock(by=by)
            log(f"clock: stepped {by:+d} s at {at} s")
        time.sleep(max(0.0, raised_at + TIERS_AT[3] + 5 - time.time()))
        arrivals = {}
        for request in receiver.requests():
            if request["alarm"].get("kind") != "fall":
                continue
            key = (request["alarm"]["tier"], request["alarm"].get("round", 0))
            arrivals.setdefault(key, request["received_at"] - raised_at)
        expected = {(0, 0): 0, (1, 0): 20, (2, 0): 60, (2, 1): 100}
        timings = [{"tier": f"{t}.{r}", "expected_s": e,
                    "arrived_s": round(arrivals[(t, r)], 1) if (t, r) in arrivals else None,
                    "error_s": round(arrivals[(t, r)] - e, 1) if (t, r) in arrivals else None}
                   for (t, r), e in expected.items()]

        # Stepped into the night: the same door now raises.
        set_clock(local_hour=23)
        door(102, True)
        night_door = wait_for("the night-door alarm", lambda: len(site.alarms("wandering")), 15)
        stopped = hub.stop()
        jumps = site.audit("clock.jumped")
        result = {
            "run": "clock", "steps": [by for _, by in steps] + ["to 23:00"], "timings": timings,
            "max_error_s": max((abs(t["error_s"]) for t in timings if t["error_s"] is not None), default=None),
            "clock_jumped_records": len(jumps), "timers_moved": [int(j.get("timers_moved", 0)) for j in jumps],
            "door_at_midday_raised": day_door, "door_at_night_raised": night_door,
            "hub_alive": stopped == 0, "audit_verified": audit_verifies(args, site),
        }
        result["ok"] = (all(t["error_s"] is not None and abs(t["error_s"]) <= 3 for t in timings)
                        and len(jumps) == len(steps) + 1 and day_door == 0 and night_door == 1
                        and result["hub_alive"] and result["audit_verified"])
        return result


# --- bridge --------------------------------------------------------------------------------

def bridge(args):
    with Run(args, "bridge") as run:
        site, _ = run.site(serial=False)
        publisher = Publisher(run.broker.port, "zigbee2mqtt")
        publisher.publish("zigbee2mqtt/bridge/state", '{"state":"online"}', retain=True)
        hub = run.hub(site)
        stream = Battery(args.events // 2, args.alarms // 2)
        restarts = args.bridge_restarts
        chunk = len(stream.messages) // (restarts + 1)
        log(f"bridge: {len(stream.messages)} events, zigbee2mqtt restarting {restarts} times")
        for n in range(restarts + 1):
            stream.publish(publisher, stream.messages[n * chunk:(n + 1) * chunk if n < restarts else None], args.rate)
            if n == restarts:
                break
            # zigbee2mqtt stops (its last will, or its own goodbye), is away a few seconds, and
            # comes back; meanwhile its devices are not heard.
            publisher.publish("zigbee2mqtt/bridge/state", '{"state":"offline"}', retain=True)
            time.sleep(args.bridge_down)
            publisher.publish("zigbee2mqtt/bridge/state", '{"state":"online"}', retain=True)
        publisher.wait_acked()
        publisher.close()
        stream.drain(site)
        time.sleep(2)
        stopped = hub.stop()
        result = stream.check(site, len(stream.messages))
        bridge_alarms = site.alarms("bridge-offline")
        device_alarms = site.alarms("device-offline")
        result.update({
            "run": "bridge", "restarts": restarts, "down_seconds": args.bridge_down,
            "bridge_alarms": len(bridge_alarms),
            "bridge_alarms_resolved": len([a for a in bridge_alarms if a["state"] == "resolved"]),
            "device_offline_alarms": len(device_alarms), "hub_alive": stopped == 0,
            "audit_verified": audit_verifies(args, site),
        })
        result["ok"] = (len(bridge_alarms) == restarts and result["bridge_alarms_resolved"] == restarts
                        and not device_alarms and nothing_lost(result) and result["hub_alive"]
                        and result["audit_verified"])
        return result


# --- serial --------------------------------------------------------------------------------

def serial(args):
    with Run(args, "serial") as run:
        site, _ = run.site(serial=True)
        os.makedirs(os.path.join(site.config, "run"), exist_ok=True)
        hub = run.hub(site)
        port = os.path.join(site.config, "run", "ttyVAKT-receiver")
        frames = args.serial_frames

        def scenario(cycle):
            """The frames of one cycle. New events and restores in turn, each with its own zone:
            a frame alike to one just before is a receiver's resend, and is taken once."""
            # The hub looks for a missing port every second or so: give it time to find it.
            steps = ["  - {wait: 2s}"]
            for n in range(frames):
                qualifier = 1 if n % 2 == 0 else 3
                zone = (cycle * frames + n) % 999 + 1
                steps.append(f'  - {{device: room107-alarm, payload: "1107 18 {qualifier}101 01 {zone:03d}"}}')
            path = os.path.join(run.work, f"pendant-{cycle}.yaml")
            open(path, "w").write("description: pendant frames\nsteps:\n" + "\n".join(steps) + "\n")
            return path

        unacknowledged, cycles = 0, args.serial_cycles
        log(f"serial: {cycles} times plugged in for {frames} frames, then unplugged")
        for cycle in range(cycles):
            out = subprocess.run([args.vakt, "simulate", "--config", site.config, "--broker", run.broker.url,
                                  scenario(cycle)],
                                 capture_output=True, text=True, timeout=300)
            if out.returncode != 0:
                raise RuntimeError(f"vakt simulate failed: {out.stderr.strip()}")
            unacknowledged += out.stdout.count("not acknowledged")
            # Unplugged now (the simulator has closed its pseudo-terminals): wait for the hub to
            # notice before plugging in again.
            wait_for("the receiver's alarm", lambda: any(a["state"] == "raised" for a in site.alarms("bridge-offline")),
                     30)
        recorded = site.events(f"serial:{port}")
        stopped = hub.stop()
        rejected = site.db().execute("SELECT COUNT(*) FROM events WHERE source = ? AND status = 'rejected'",
                                     (f"serial:{port}",)).fetchone()[0]
        accepted = site.db().execute(
            "SELECT COUNT(*) FROM events WHERE source = ? AND status = 'accepted' AND kind NOT LIKE 'link.%'",
            (f"serial:{port}",)).fetchone()[0]
        receiver_alarms = [a for a in site.alarms("bridge-offline") if a["device"] == "receiver"]
        result = {
            "run": "serial", "cycles": cycles, "frames_sent": frames * cycles, "frames_unacknowledged": unacknowledged,
            "frames_recorded": accepted, "rejected": rejected, "port_records": recorded,
            "receiver_alarms": len(receiver_alarms),
            "receiver_alarms_resolved": len([a for a in receiver_alarms if a["state"] == "resolved"]),
            "hub_alive": stopped == 0, "audit_verified": audit_verifies(args, site),
        }
        # The hub starts with the receiver unplugged (one alarm), and each cycle plugs it in
        # (resolved) and unplugs it (a new one).
        result["ok"] = (unacknowledged == 0 and accepted == frames * cycles and rejected == 0
                        and len(receiver_alarms) == cycles + 1 and result["receiver_alarms_resolved"] == cycles
                        and result["hub_alive"] and result["audit_verified"])
        return result


# --- hostile ---------------------------------------------------------------------------------

def mutate(rng, data):
    """One random change of the kind a broken device, a bad gateway or an attacker makes."""
    b = bytearray(data)
    choice = rng.randrange(7)
    if choice == 0 and b:  # flipped bits
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif choice == 1 and b:  # cut short
        del b[rng.randrange(len(b)):]
    elif choice == 2:  # bytes inserted, not UTF-8 as often as not
        at = rng.randrange(len(b) + 1)
        b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif choice == 3:  # a value of the wrong type
        text = b.decode("utf-8", "replace")
        wrong = rng.choice(['"x"', "[1,2]", '{"a":null}', "1e999", "-0", "null", "true", '"' + "9" * 400 + '"'])
        b = bytearray(re.sub(r':\s*("[^"]*"|-?\d+(\.\d+)?|true|false|null)', ":" + wrong, text, count=1).encode())
    elif choice == 4 and b:  # a piece repeated
        at, size = rng.randrange(len(b)), rng.randint(1, 32)
        b[at:at] = b[at:at + size] * rng.randint(2, 200)
    elif choice == 5:  # nested a few thousand deep
        depth = rng.randint(100, 5000)
        b = bytearray(b"[" * depth + bytes(b) + b"]" * depth)
    else:  # noise
        b = bytearray(rng.randrange(256) for _ in range(rng.randint(1, 256)))
    return bytes(b)


HOSTILE_PAYLOADS = [
    b"", b"null", b"[]", b'"just a string"', b"NaN", b"{", b"}" * 1000, b"\xef\xbb\xbf{}",
    b"\xff\xfe{\"action\":\"emergency\"}", b'{"action":"emergency","action":"single"}',
    b'{"battery":' + b"1" * 5000 + b"}", b'{"battery":"hundred","contact":"maybe"}',
    b"[" * 200000 + b"]" * 200000, b'{"a":"' + b"x" * (1 << 20) + b'"}', b'{"a":"\\ud800"}',
    bytes(range(256)),
]
HOSTILE_COMMANDS = [
    b'{"id":"h1","action":"launch","alarm":"A1"}', b'{"id":"h2","action":"ack"}',
    b'{"id":"h3","action":"ack","alarm":"A99999"}', b'{"id":"h4","action":"ack","alarm":"A1","staff":"sp1"}',
    b'{"id":"h5","action":"resolve","alarm":"A1","note":"' + b"n" * (1 << 20) + b'"}',
    b'{"id":' + b"[" * 100000 + b"]" * 100000 + b"}", b"\xff\xff\xff", b"", b"null",
    b'{"id":"h6","silence":{"resident":"r101","for":"99999999d"}}',
]


def hostile(args):
    rng = random.Random(args.seed)
    with Run(args, "hostile") as run:
        site, _ = run.site(serial=True)
        os.makedirs(os.path.join(site.config, "run"), exist_ok=True)
        hub = run.hub(site)
        seeds = [open(os.path.join(args.corpus, "payload", name), "rb").read()
                 for name in sorted(os.listdir(os.path.join(args.corpus, "payload")))]
        commands = [open(os.path.join(args.corpus, "command", name), "rb").read()
                    for name in sorted(os.listdir(os.path.join(args.corpus, "command")))]
        # Room 105's button is kept for the real press at the end (a mutated press elsewhere
        # may well raise an alarm of its own).
        topics = [f"zigbee2mqtt/room{room}/{kind}" for room in range(101, 107) for kind in ("door", "fall", "sos")
                  if (room, kind) != (105, "sos")]
        publisher = Publisher(run.broker.port)
        device_inputs = [(rng.choice(topics), payload) for payload in HOSTILE_PAYLOADS]
        device_inputs += [(rng.choice(topics), mutate(rng, rng.choice(seeds))) for _ in range(args.hostile)]
        command_inputs = [("vakt/marker/commands/ns1", payload) for payload in HOSTILE_COMMANDS]
        command_inputs += [("vakt/marker/commands/intruder", b'{"id":"i1","action":"ack","alarm":"A1"}')]
        command_inputs += [("vakt/marker/commands/ns1", mutate(rng, rng.choice(commands)))
                           for _ in range(args.hostile // 10)]
        log(f"hostile: {len(device_inputs)} device payloads, {len(command_inputs)} commands, serial garbage")
        for n, (topic, payload) in enumerate(device_inputs + command_inputs, 1):
            publisher.publish(topic, payload)
            if n % 100 == 0:
                publisher.wait_acked()
        publisher.wait_acked()
        # Garbage on the receiver's serial line between two good frames.
        garbage = [f'  - {{garbage: receiver, text: "{"".join(rng.choice("0123456789ABCDEF#%&*+-/<>?@[]^_~ ") for _ in range(rng.randint(1, 60)))}"}}'
                   for _ in range(20)]
        scenario = os.path.join(run.work, "garbage.yaml")
        open(scenario, "w").write("description: garbage\nsteps:\n  - {wait: 2s}\n"
                                  '  - {device: room107-alarm, payload: "1107 18 1101 01 001"}\n'
                                  + "\n".join(garbage) + "\n"
                                  '  - {device: room107-alarm, payload: "1107 18 3101 01 002"}\n')
        out = subprocess.run([args.vakt, "simulate", "--config", site.config, "--broker", run.broker.url, scenario],
                             capture_output=True, text=True, timeout=120)
        serial_acknowledged = out.stdout.count("(acknowledged)")
        alive_after_input = hub.alive()

        # Still itself: a real press is raised and answered.
        before = {a["id"] for a in site.alarms("sos")}
        publisher.publish("zigbee2mqtt/room105/sos", '{"action":"emergency","battery":100,"linkquality":98,"voltage":3000}')
        publisher.wait_acked()
        fresh = wait_for("the real press", lambda: [a for a in site.alarms("sos")
                                                   if a["id"] not in before and a.get("room") == "105"], 15)
        publisher.publish("vakt/marker/commands/ns1", json.dumps({"id": "ok1", "action": "ack", "alarm": fresh[0]["id"]}))
        publisher.wait_acked()
        answered = wait_for("the acknowledgement", lambda: [a for a in site.alarms("sos")
                                                            if a["id"] == fresh[0]["id"] and a["state"] != "raised"], 15)
        publisher.close()
        db = site.db()
        placeholders = ",".join("?" * len(topics))
        statuses = dict(db.execute(f"SELECT status, COUNT(*) FROM events WHERE source IN ({placeholders}) GROUP BY status",
                                   topics).fetchall())
        reasons = db.execute(f"SELECT reason, COUNT(*) FROM events WHERE source IN ({placeholders}) AND status = 'rejected'"
                             " GROUP BY reason ORDER BY COUNT(*) DESC LIMIT 5", topics).fetchall()
        commands = dict(db.execute("SELECT status, COUNT(*) FROM events WHERE source LIKE 'vakt/marker/commands/%' "
                                   "GROUP BY status").fetchall())
        refused_commands = len(site.audit("command.rejected"))
        serial_rejected = db.execute("SELECT COUNT(*) FROM events WHERE source LIKE 'serial:%ttyVAKT-receiver' "
                                     "AND status = 'rejected'").fetchone()[0]
        stopped = hub.stop()
        recorded = sum(statuses.values())
        result = {
            "run": "hostile", "device_inputs": len(device_inputs), "recorded": recorded,
            "accepted": statuses.get("accepted", 0), "rejected": statuses.get("rejected", 0),
            "ignored": statuses.get("ignored", 0), "top_reasons": [[r, n] for r, n in reasons],
            "command_inputs": len(command_inputs), "commands_unreadable": commands.get("rejected", 0),
            "commands_taken": commands.get("accepted", 0) - 1, "commands_refused_on_record": refused_commands,
            "serial_garbage_lines": len(garbage), "serial_rejected": serial_rejected,
            "serial_good_frames_acknowledged": serial_acknowledged, "alive_after_input": alive_after_input,
            "real_press_answered": bool(answered), "hub_alive": stopped == 0,
            "audit_verified": audit_verifies(args, site),
        }
        result["ok"] = (recorded == len(device_inputs) and alive_after_input and serial_acknowledged == 2
                        and serial_rejected > 0 and result["real_press_answered"] and result["hub_alive"]
                        and result["audit_verified"])
        return result


# --- report --------------------------------------------------------------------------------

def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def yes(value):
    return "yes" if value else "NO"


def markdown(results, args):
    out = []
    crashes = [r for r in results if r["run"] == "crash"]
    if crashes:
        out += ["## Crash: SIGKILL under a stream of events", "",
                f"Each run: a fresh broker and demo site; {crashes[0]['events_sent']} zigbee2mqtt SOS-button payloads "
                f"(six buttons) at QoS 1, {args.rate:g} a second, each with its own sequence number, whose battery "
                "level swings between 90 % and 15 % (every swing down raises a low-battery alarm, every swing up "
                f"clears it). The hub is killed with SIGKILL every {args.min_gap:g}-{args.max_gap:g} s (random) and "
                f"started again at once; {args.startup_share:.0%} of the restarts are killed again at a random "
                f"point of start-up (opening the store, restoring state, connecting; {crashes[0]['startup_ms']} ms "
                "from process start to subscribed, as measured first), and again, with the same chance. Afterwards the event log is "
                "compared with what was sent, the alarms with the swings, every open alarm's timer is looked for, "
                "and the audit chain is verified.", "",
                table(["run", "kills", "of them in start-up", "events sent", "recorded", "lost", "duplicated",
                       "alarms expected", "raised", "lost", "duplicated", "open alarms without timer",
                       "audit verifies"],
                      [[i, r["kills"], r["startup_kills"], r["events_sent"], r["events_recorded"], r["events_lost"],
                        r["events_duplicated"], r["alarms_expected"], r["alarms_raised"], r["alarms_lost"],
                        r["alarms_duplicated"], r["open_alarms_without_timer"], yes(r["audit_verified"])]
                       for i, r in enumerate(crashes, 1)]), "",
                "How the design makes this hold:",
                "- The hub drives libmosquitto's loop itself, with nothing written until it says: it reads what "
                "the socket holds (up to 512 messages), commits their events (and everything they cause) in one "
                "transaction, and only then lets libmosquitto write their PUBACKs. A message the broker has "
                "forgotten is always on disk. Killed before the commit, the broker still holds the whole batch "
                "and delivers it again to the persistent session.",
                "- A redelivered message carries the same packet id in the same broker session, so it gets the same "
                "event key and the store drops it (`INSERT OR IGNORE`): no event or alarm twice.",
                "- Alarm state, timers, outbox and audit are written in the same transaction as the event; SQLite's "
                "WAL makes a transaction cut by a kill vanish whole, in start-up as anywhere.", ""]
    for r in results:
        if r["run"] == "broker":
            out += ["## Broker down", "",
                    f"The broker stopped for {r['outage_seconds']} s under a running hub and a dashboard (in tmux), "
                    "with a fall escalating (tiers at 20 s and 60 s, shortened for the run); half of a battery-swing "
                    "stream before, half published the moment the broker is back, before the hub has reconnected.", "",
                    table(["events sent", "recorded", "lost", "duplicated", "alarms expected", "raised",
                           "notifications during the outage", "tiers during the outage", "dashboard banner after",
                           "hub resubscribed after", "dashboard current after", "audit verifies"],
                          [[r["events_sent"], r["events_recorded"], r["events_lost"], r["events_duplicated"],
                            r["alarms_expected"], r["alarms_raised"], r["notifications_during_outage"],
                            ", ".join(r["tiers_during_outage"]), f"{r['banner_after_seconds']} s",
                            f"{r['hub_resubscribed_after_seconds']} s", f"{r['dashboard_current_after_seconds']} s",
                            yes(r["audit_verified"])]]), "",
                    "Notifications do not go through the broker, so escalation goes on while it is away. The hub "
                    "tries the broker again every 1-5 s (libmosquitto's backoff), which is most of the time to "
                    "resubscribe. The dashboard's banner came as soon as the broker closed its connections; a "
                    "broker that vanishes without closing them is noticed at the keepalive.", ""]
        elif r["run"] == "gateway":
            out += ["## Notification gateway down", "",
                    f"The webhook gateway down for {r['outage_seconds']} s from the start, three falls 5 s apart "
                    "(tiers at 20 s and 60 s, shortened), staff with an SMS contact after the webhook one, the "
                    "webhook channel giving up after 4 attempts (2, 4, 8 s apart).", "",
                    table(["alarms", "escalations during the outage", "notifications", "held, then delivered on "
                           "recovery", "failed over to SMS", "delivered by SMS", "reached nobody", "audit verifies"],
                          [[r["alarms"], r["escalations_during_outage"], r["notifications"], r["held_then_delivered"],
                            r["failed_over_to_sms"], r["delivered_by_sms"], r["reached_nobody"],
                            yes(r["audit_verified"])]]), ""]
        elif r["run"] == "disk" and "skipped" in r:
            out += ["## Disk full", "", f"Skipped: {r['skipped']}.", ""]
        elif r["run"] == "disk":
            out += ["## Disk full", "",
                    f"The data directory on a {args.disk_mb} MiB tmpfs; after a third of a battery-swing stream the "
                    f"file system is filled to the last byte and the rest is published; {r['full_seconds']} s later "
                    "the filler is removed.", "",
                    table(["events sent", "recorded", "lost", "duplicated", "alarms expected", "raised",
                           "recorded while full", "critical log lines", "hub alive while full", "integrity_check",
                           "audit verifies"],
                          [[r["events_sent"], r["events_recorded"], r["events_lost"], r["events_duplicated"],
                            r["alarms_expected"], r["alarms_raised"], r["events_recorded_while_full"],
                            r["critical_log_lines"], yes(r["alive_while_full"]), r["integrity"],
                            yes(r["audit_verified"])]]), "",
                    "A message that cannot be committed is not acknowledged: the hub drops its broker connection, "
                    "holds the message and tries it every second, taking nothing else, so the broker holds the "
                    "backlog while the disk is full; one `critical` line says so (then one a minute). Recorded "
                    "while full counts what the hub stored before SQLite found no room (its WAL had pages free).",
                    ""]
        elif r["run"] == "clock":
            out += ["## Clock step", "",
                    "The hub's wall clock (only the hub's: `scripts/clockshift.c` through LD_PRELOAD; the monotonic "
                    "clock is left alone, as a real step leaves it) set to midday, then stepped an hour ahead 5 s "
                    "after a fall, an hour back at 30 s and another hour back at 70 s; tiers are due 20, 60 and 100 s "
                    "after the raise (shortened for the run). Then stepped to 23:00.", "",
                    table(["tier.round", "due after", "arrived after", "error"],
                          [[t["tier"], f"{t['expected_s']} s", f"{t['arrived_s']} s", f"{t['error_s']} s"]
                           for t in r["timings"]]), "",
                    f"`clock.jumped` records: {r['clock_jumped_records']} (timers moved: "
                    f"{', '.join(str(n) for n in r['timers_moved'])}). A door opened at midday raised "
                    f"{r['door_at_midday_raised']} night-door alarms; after the step to 23:00, "
                    f"{r['door_at_night_raised']}: night windows follow the new wall time. Without moving the "
                    "timers, the step ahead would have brought tier 1 at 5 s and the step back would have held "
                    "tier 2 by an hour (that follows from the code; it was not run).", ""]
        elif r["run"] == "bridge":
            out += ["## zigbee2mqtt restarts", "",
                    f"zigbee2mqtt restarting {r['restarts']} times under a battery-swing stream: `bridge/state` "
                    f"offline, {r['down_seconds']} s without its devices, online again.", "",
                    table(["events sent", "recorded", "lost", "duplicated", "low-battery alarms expected", "raised",
                           "bridge alarms", "resolved", "device-offline alarms", "audit verifies"],
                          [[r["events_sent"], r["events_recorded"], r["events_lost"], r["events_duplicated"],
                            r["alarms_expected"], r["alarms_raised"], r["bridge_alarms"], r["bridge_alarms_resolved"],
                            r["device_offline_alarms"], yes(r["audit_verified"])]]), "",
                    "One alarm per restart for the bridge, cleared when it is back; its devices are not each "
                    "raised.", ""]
        elif r["run"] == "hostile":
            out += ["## Hostile and broken input", "",
                    f"{r['device_inputs']} device payloads through the broker to the hub: {len(HOSTILE_PAYLOADS)} "
                    "made by hand (empty, `null`, 200,000-deep nesting, a 1 MiB string, bytes that are not UTF-8, "
                    "a 5,000-digit number, a lone surrogate, all 256 byte values) and the rest mutated from the fuzz "
                    "corpus's recorded samples (bits flipped, cut short, bytes inserted, values of the wrong type, "
                    "pieces repeated, thousands deep, noise); "
                    f"{r['command_inputs']} staff commands (unknown actions, forged staff fields, an unknown login, "
                    "a 1 MiB note, deep nesting, mutated ones); 20 lines of garbage on the alarm receiver's serial "
                    "line between two good frames. Then a real SOS press, which must be raised and acknowledged. "
                    "A mutated payload that still reads as a device's message is accepted as one: that is the "
                    "decoder doing its job. Readable commands whose id was taken before are dropped as "
                    "redeliveries, and timeline queries are answered without a record; the garbage on the serial line is skipped up to the next frame, one rejection "
                    "record per run of it.", "",
                    table(["device payloads", "on record", "accepted", "rejected", "ignored", "commands",
                           "unreadable, on record", "readable", "refused by the rules, on record",
                           "serial garbage lines", "rejection records", "good frames taken", "hub alive",
                           "real press answered", "audit verifies"],
                          [[r["device_inputs"], r["recorded"], r["accepted"], r["rejected"], r["ignored"],
                            r["command_inputs"], r["commands_unreadable"], r["commands_taken"],
                            r["commands_refused_on_record"], r["serial_garbage_lines"],
                            r["serial_rejected"], r["serial_good_frames_acknowledged"], yes(r["alive_after_input"]),
                            yes(r["real_press_answered"]), yes(r["audit_verified"])]]), "",
                    "The most common reasons given:", ""]
            out += [f"- {n} × {reason}" for reason, n in r["top_reasons"]] + [""]
        elif r["run"] == "serial":
            out += ["## Serial receiver unplugged", "",
                    f"The Sur-Gard receiver's port plugged in and unplugged {r['cycles']} times (`vakt simulate` "
                    "opens the pseudo-terminal, writes its frames, resending each until acknowledged, and closes "
                    "it). The hub starts with the port missing.", "",
                    table(["frames sent", "unacknowledged", "recorded", "rejected", "receiver alarms",
                           "resolved", "audit verifies"],
                          [[r["frames_sent"], r["frames_unacknowledged"], r["frames_recorded"], r["rejected"],
                            r["receiver_alarms"], r["receiver_alarms_resolved"], yes(r["audit_verified"])]]), ""]
    out += ["## In the test suite", "",
            "The fast faults run on every `scripts/test`, on a manual clock where time matters: a kill "
            "mid-stream (`CrashRecoveryTests`); timers across a restart, late ones marked "
            "(`TimersAcrossRestartTests`); a broker restart under the hub (`BrokerAvailabilityTests`) and under "
            "a dashboard in tmux (`DashboardTmuxTests`); a refused webhook failing over to SMS "
            "(`FailoverRuntimeTests`); a full disk made with the hub's RLIMIT_FSIZE (`DiskFullTests`); clock "
            "steps while running, while stopped, and after a reboot (`EscalationRuntimeTests`, "
            "`ClockStepWhileStoppedTests`); the receiver unplugged (`SerialDeviceTests`); hostile payloads and "
            "commands (`BadInputTests`), the fuzzers' finds (`FuzzRegressionTests`); TLS and logins "
            "(`TLSBrokerTests`).", ""]
    return "\n".join(out)


RUNS = {"crash": None, "broker": broker, "gateway": gateway, "disk": disk, "clock": clock, "bridge": bridge,
        "serial": serial, "hostile": hostile}


def main():
    ap = arguments()
    ap.add_argument("--clockshift", help="the built scripts/clockshift.c (for the clock run)")
    ap.add_argument("--only", default=",".join(RUNS), help="comma-separated runs: " + ", ".join(RUNS))
    ap.add_argument("--runs", type=int, default=3, help="crash runs")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--alarms", type=int, default=100, help="about how many alarms the crash stream raises")
    ap.add_argument("--rate", type=float, default=400, help="messages published per second")
    ap.add_argument("--min-gap", type=float, default=0.5, help="shortest time between kills, seconds")
    ap.add_argument("--max-gap", type=float, default=3.0, help="longest time between kills, seconds")
    ap.add_argument("--startup-share", type=float, default=0.3, help="share of restarts killed during start-up")
    ap.add_argument("--outage", type=float, default=60, help="broker and gateway outages, seconds")
    ap.add_argument("--disk-mb", type=int, default=24)
    ap.add_argument("--disk-full-seconds", type=float, default=15)
    ap.add_argument("--bridge-restarts", type=int, default=3)
    ap.add_argument("--bridge-down", type=float, default=5)
    ap.add_argument("--serial-cycles", type=int, default=5)
    ap.add_argument("--serial-frames", type=int, default=20)
    ap.add_argument("--hostile", type=int, default=3000, help="mutated device payloads in the hostile run")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(SCRIPTS), "Tests", "FuzzCorpus"))
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--markdown")
    args = ap.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in RUNS]
    if unknown:
        ap.error(f"unknown runs: {', '.join(unknown)}")
    if "clock" in chosen and not args.clockshift:
        ap.error("the clock run needs --clockshift")
    results = []
    for name in chosen:
        count = args.runs if name == "crash" else 1
        for n in range(count):
            log(f"{name} run {n + 1}/{count}" if count > 1 else f"{name} run")
            try:
                result = crash(args, args.seed + n) if name == "crash" else RUNS[name](args)
            except Exception as error:  # noqa: BLE001  (a run that breaks is a failed run, and the rest go on)
                result = {"run": name, "error": str(error), "ok": False}
            print(json.dumps(result), flush=True)
            results.append(result)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown([r for r in results if "error" not in r], args) + "\n")
            for r in results:
                if "error" in r:
                    out.write(f"\n**The {r['run']} run broke:** {r['error']}\n")
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
