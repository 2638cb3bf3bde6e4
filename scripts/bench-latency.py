#!/usr/bin/env python3
"""Measures Vakt's publish-to-webhook latency against a running hub.

Publishes a real zigbee2mqtt fall or SOS payload over MQTT (a minimal MQTT 3.1.1 client on a
raw socket, QoS 1), waits for the hub's webhook POST for that alarm, records the time between,
then resolves the alarm through the command topic so the device can raise again. Prints one
JSON object with the percentiles.

  bench-latency.py --broker-port P --webhook-port W --count N --site marker
"""
import argparse, json, socket, struct, threading, time, http.server, statistics, uuid
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttwire import encode_len, utf8  # noqa: E402  (scripts/mqttwire.py)


class MQTT:
    def __init__(self, port, client_id):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        var = utf8("MQTT") + bytes([4, 2]) + struct.pack("!H", 60)
        body = var + utf8(client_id)
        self.sock.sendall(bytes([0x10]) + encode_len(len(body)) + body)
        ack = self.sock.recv(4)
        assert ack[0] == 0x20 and ack[3] == 0, f"CONNACK refused: {ack!r}"
        self.mid = 0
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            while self.sock.recv(4096):
                pass
        except OSError:
            pass

    def publish(self, topic, payload):
        self.mid = self.mid % 65535 + 1
        body = utf8(topic) + struct.pack("!H", self.mid) + payload.encode()
        self.sock.sendall(bytes([0x32]) + encode_len(len(body)) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker-port", type=int, required=True)
    ap.add_argument("--webhook-port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--site", default="marker")
    ap.add_argument("--first-alarm", type=int, default=1, help="number of the first alarm id (A<n>) this run raises")
    args = ap.parse_args()

    arrivals = {}
    cond = threading.Condition()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            now = time.perf_counter()
            alarm = json.loads(body)["alarm"]["id"]
            with cond:
                arrivals.setdefault(alarm, now)
                cond.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.webhook_port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    mqtt = MQTT(args.broker_port, "vakt-bench-" + uuid.uuid4().hex[:8])
    devices = [(f"zigbee2mqtt/room10{n}/fall", '{"fall_down_status":"fall","linkquality":150}' if n <= 3 else '{"fall_status":"fall_alarm","battery":100}') for n in range(1, 7)]
    devices += [(f"zigbee2mqtt/room10{n}/sos", '{"action":"emergency","battery":100,"linkquality":98}') for n in range(1, 7)]
    latencies = []
    for i in range(args.count):
        alarm = f"A{i + args.first_alarm}"
        topic, payload = devices[i % len(devices)]
        start = time.perf_counter()
        mqtt.publish(topic, payload)
        with cond:
            if not cond.wait_for(lambda: alarm in arrivals, timeout=30):
                raise SystemExit(f"no webhook for {alarm} within 30 s")
            latencies.append((arrivals[alarm] - start) * 1000)
        command = json.dumps({"id": f"bench-{uuid.uuid4().hex}", "action": "resolve", "alarm": alarm, "outcome": "false-alarm"})
        mqtt.publish(f"vakt/{args.site}/commands/ns1", command)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(json.dumps({"count": len(latencies), "p50_ms": round(pick(0.50), 2), "p90_ms": round(pick(0.90), 2),
                      "p99_ms": round(pick(0.99), 2), "max_ms": round(latencies[-1], 2),
                      "mean_ms": round(statistics.mean(latencies), 2)}))
    server.shutdown()


if __name__ == "__main__":
    main()
