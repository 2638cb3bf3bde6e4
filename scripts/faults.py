#!/usr/bin/env python3
"""Fault runs for Vakt: the hub killed with SIGKILL at random points under a stream of events.

Each run starts a private mosquitto (persistent, as Config/mosquitto/vakt.conf sets it up)
and a copy of the demo site, then publishes a stream of real zigbee2mqtt SOS-button payloads
at QoS 1 whose battery level swings between 90 % and 15 %: every swing down raises a
low-battery alarm and every swing up clears it, so the stream says exactly how many alarms
must exist. Meanwhile a killer SIGKILLs the hub at random intervals and restarts it. At the
end the store is compared with what was sent:

  events lost       messages sent whose sequence number is not in the event log
  events duplicated rows in the event log beyond one per sequence number
  alarms lost / duplicated  low-battery alarms against the swings down in the stream
  timers            every open alarm still has its escalation timer
  audit             `vakt audit verify` holds

Prints one JSON object per run and a summary; with --markdown FILE writes the table.
  faults.py --vakt BIN --devices DIR --config DIR [--runs 3] [--events 10000] [--seed N]
"""
import argparse, json, os, random, re, shutil, signal, socket, sqlite3, struct, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttwire import encode_len, utf8  # noqa: E402  (scripts/mqttwire.py)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Publisher:
    """A minimal MQTT 3.1.1 client publishing at QoS 1 and counting PUBACKs."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        body = utf8("MQTT") + bytes([4, 2]) + struct.pack("!H", 60) + utf8(f"vakt-faults-{os.getpid()}")
        self.sock.sendall(bytes([0x10]) + encode_len(len(body)) + body)
        ack = b""
        while len(ack) < 4:
            chunk = self.sock.recv(4 - len(ack))
            if not chunk:
                raise RuntimeError("the broker closed the connection before CONNACK")
            ack += chunk
        assert ack[0] == 0x20 and ack[3] == 0, f"CONNACK refused: {ack!r}"
        self.mid = 0
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

    def publish(self, topic, payload):
        self.mid = self.mid % 65535 + 1
        body = utf8(topic) + struct.pack("!H", self.mid) + payload.encode()
        self.sock.sendall(bytes([0x32]) + encode_len(len(body)) + body)

    def wait_acked(self, count, timeout=120):
        deadline = time.time() + timeout
        with self.cond:
            while self.acked < count:
                if not self.cond.wait(max(0.0, deadline - time.time())):
                    raise RuntimeError(f"only {self.acked} of {count} PUBACKs")

    def close(self):
        self.sock.sendall(bytes([0xE0, 0]))
        self.sock.close()


class Hub:
    def __init__(self, vakt, config, data, broker):
        self.args = [vakt, "run", "--config", config, "--data", data, "--broker", broker]
        self.proc = None
        self.ready = threading.Event()

    def start(self):
        self.ready.clear()
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        proc = self.proc

        def watch():
            for line in proc.stderr:
                if "broker confirmed the subscriptions" in line:
                    self.ready.set()

        threading.Thread(target=watch, daemon=True).start()
        if not self.ready.wait(60):
            raise RuntimeError("the hub did not connect within 60 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def kill_quietly(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def demo_copy(config, devices, directory, port):
    target = os.path.join(directory, "config")
    shutil.copytree(config, target, ignore=shutil.ignore_patterns("scenarios"))
    site = os.path.join(target, "site.yaml")
    text = open(site).read()
    text = re.sub(r"(?m)^profiles: .*$", f"profiles: {devices}", text)
    text = text.replace("mqtt://127.0.0.1:1883", f"mqtt://127.0.0.1:{port}")
    open(site, "w").write(text)
    return target


def one_run(args, seed):
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="vakt-faults-")
    broker_port = free_port()
    persistence = os.path.join(work, "mosquitto") + "/"
    os.makedirs(persistence)
    conf = os.path.join(work, "mosquitto.conf")
    lines = [f"listener {broker_port} 127.0.0.1", "allow_anonymous true", "persistence true",
             f"persistence_location {persistence}", "max_queued_messages 0", "queue_qos0_messages true",
             "set_tcp_nodelay true"]
    if os.geteuid() == 0:
        lines.append("user root")
    open(conf, "w").write("\n".join(lines) + "\n")
    broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hub = None
    done = threading.Event()
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", broker_port)).close()
                break
            except OSError:
                time.sleep(0.05)
        config = demo_copy(args.config, args.devices, work, broker_port)
        data = os.path.join(work, "data")
        hub = Hub(args.vakt, config, data, f"mqtt://127.0.0.1:{broker_port}")
        hub.start()

        # The stream: SOS buttons in rooms 101-106 in turn; each button's battery swings
        # down and up every `swing` of its messages. Every swing down is one alarm.
        buttons = [f"room{n}/sos" for n in range(101, 107)]
        per_button = args.events // len(buttons)
        swing = max(2, per_button * len(buttons) // (2 * args.alarms))
        sent, expected_alarms, low, expected_by_button = 0, 0, {}, {}
        stream = []
        for i in range(per_button * len(buttons)):
            button = buttons[i % len(buttons)]
            k = i // len(buttons)
            battery = 15 if (k // swing) % 2 == 1 else 90
            if battery == 15 and not low.get(button):
                expected_alarms += 1
                expected_by_button[button] = expected_by_button.get(button, 0) + 1
            low[button] = battery == 15
            payload = json.dumps({"action": "", "battery": battery, "linkquality": 60 + i % 90, "voltage": 3000,
                                  "seq": i}, separators=(",", ":"))
            stream.append((f"zigbee2mqtt/{button}", payload))

        kills = 0
        killer_error = []

        def killer():
            nonlocal kills
            try:
                while not done.is_set():
                    if done.wait(rng.uniform(args.min_gap, args.max_gap)):
                        return
                    hub.kill()
                    kills += 1
                    hub.start()
            except Exception as error:  # reported after the run, never lost
                killer_error.append(error)

        publisher = Publisher(broker_port)
        thread = threading.Thread(target=killer)
        thread.start()
        started = time.time()
        for topic, payload in stream:
            publisher.publish(topic, payload)
            sent += 1
            if sent % 200 == 0:
                time.sleep(200 / args.rate)
        publisher.wait_acked(sent)
        publisher.close()
        done.set()
        thread.join()
        if killer_error:
            raise RuntimeError(f"restarting the hub failed: {killer_error[0]}")

        # Let the hub drain what the broker queued for it, then stop it cleanly.
        db = os.path.join(data, "vakt.sqlite")
        deadline = time.time() + 300
        last, stable_since = -1, time.time()
        while time.time() < deadline:
            count = sqlite3.connect(db).execute("SELECT COUNT(*) FROM events WHERE source LIKE 'zigbee2mqtt/room1%'").fetchone()[0]
            if count != last:
                last, stable_since = count, time.time()
            elif time.time() - stable_since > 3:
                break
            time.sleep(0.25)
        stopped = hub.stop()
        elapsed = time.time() - started

        con = sqlite3.connect(db)
        seqs = {}
        for (payload,) in con.execute("SELECT payload FROM events WHERE source LIKE 'zigbee2mqtt/room1%/sos'"):
            try:
                seq = json.loads(bytes(payload))["seq"]
            except Exception:
                continue
            seqs[seq] = seqs.get(seq, 0) + 1
        recorded = len(seqs)
        duplicated = sum(n - 1 for n in seqs.values())
        by_button = dict(con.execute(
            "SELECT device, COUNT(*) FROM alarms WHERE kind = 'low-battery' AND device LIKE 'room1%-sos' GROUP BY device"))
        alarms = sum(by_button.values())
        # Per button, so one lost and one duplicated elsewhere cannot cancel out.
        alarms_lost = sum(max(0, n - by_button.get(b.replace("/", "-"), 0)) for b, n in expected_by_button.items())
        alarms_duplicated = sum(max(0, by_button.get(b.replace("/", "-"), 0) - n) for b, n in expected_by_button.items())
        open_without_timer = con.execute(
            "SELECT COUNT(*) FROM alarms WHERE state = 'raised' AND id NOT IN (SELECT alarm FROM timers)").fetchone()[0]
        verify = subprocess.run([args.vakt, "audit", "verify", "--data", data], capture_output=True, text=True)
        return {
            "seed": seed, "events_sent": sent, "events_recorded": recorded, "events_lost": sent - recorded,
            "events_duplicated": duplicated, "alarms_expected": expected_alarms, "alarms_raised": alarms,
            "alarms_lost": alarms_lost, "alarms_duplicated": alarms_duplicated, "clean_stop": stopped == 0,
            "open_alarms_without_timer": open_without_timer, "kills": kills,
            "audit_verified": verify.returncode == 0, "seconds": round(elapsed, 1),
        }
    finally:
        done.set()
        if hub:
            hub.kill_quietly()
        broker.terminate()
        broker.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vakt", required=True)
    ap.add_argument("--devices", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--alarms", type=int, default=100, help="about how many alarms the stream raises")
    ap.add_argument("--rate", type=float, default=400, help="messages published per second")
    ap.add_argument("--min-gap", type=float, default=0.5, help="shortest time between kills, seconds")
    ap.add_argument("--max-gap", type=float, default=3.0, help="longest time between kills, seconds")
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--markdown")
    ap.add_argument("--keep", action="store_true", help="keep each run's directory")
    args = ap.parse_args()
    results = []
    for run in range(args.runs):
        print(f"faults: crash run {run + 1}/{args.runs}: {args.events} events, SIGKILL every "
              f"{args.min_gap}-{args.max_gap} s", file=sys.stderr, flush=True)
        result = one_run(args, args.seed + run)
        print(json.dumps(result), flush=True)
        results.append(result)
    bad = [r for r in results if r["events_lost"] or r["events_duplicated"] or r["alarms_lost"]
           or r["alarms_duplicated"] or r["open_alarms_without_timer"] or not r["audit_verified"]
           or not r["clean_stop"]]
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write("| run | kills | events sent | recorded | lost | duplicated | alarms expected | raised | lost | duplicated | open alarms without timer | audit verifies |\n")
            out.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
            for i, r in enumerate(results, 1):
                out.write(f"| {i} | {r['kills']} | {r['events_sent']} | {r['events_recorded']} | {r['events_lost']} | "
                          f"{r['events_duplicated']} | {r['alarms_expected']} | {r['alarms_raised']} | {r['alarms_lost']} | "
                          f"{r['alarms_duplicated']} | {r['open_alarms_without_timer']} | {'yes' if r['audit_verified'] else 'NO'} |\n")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
