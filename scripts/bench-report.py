#!/usr/bin/env python3
"""Writes docs/benchmarks.md from bench/results.json (scripts/bench runs it).

  bench-report.py bench/results.json > docs/benchmarks.md
"""
import json, sys


def med(value):
    """The median of a spread (or the plain number of a single reading)."""
    return value["median"] if isinstance(value, dict) else value


def number(value, digits=0):
    value = med(value)
    if value is None:
        return "–"
    if digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def figure(value, unit="", digits=0):
    """`median unit (min–max)`, or the plain reading when there was one run."""
    text = number(value, digits) + (f" {unit}" if unit else "")
    if isinstance(value, dict) and value.get("runs", 1) > 1:
        text += f" ({number(value['min'], digits)}–{number(value['max'], digits)})"
    return text


def mib(kib_value):
    """A spread or number of KiB as MiB with one decimal."""
    if isinstance(kib_value, dict):
        return {key: (v / 1024 if key in ("median", "min", "max") else v) for key, v in kib_value.items()}
    return kib_value / 1024


def verdict(ok):
    return "met" if ok else "**not met**"


def main():
    r = json.load(open(sys.argv[1]))
    m, lat, ing, audit, restart = r["machine"], r["latency"], r["ingest"], r["audit"], r["restart"]
    eng, notify, frame = r["engine"], r["notifications"], r["dashboard_frame"]
    one, six = ing["one"], ing["six"]
    fleet = med(lat["fleet"])
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Written by `scripts/bench` (from `bench/results.json`, which holds every figure). Numbers")
    w("depend on the machine: compare runs made on one machine, and columns measured side by side")
    w("in one run. Each figure is the median of the runs, with the lowest and highest in brackets.")
    w("")
    w(f"## {r['date']} on {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, {m['os']}")
    w("")
    w(f"Release build; {r['versions']['mosquitto']} on loopback; {r['versions']['swift']}; {r['versions']['sqlite']} in WAL")
    w(f"mode with synchronous=FULL (every commit is on disk before it counts). {r['runs']} runs of each")
    w(f"measure; the whole run took {r['seconds'] // 60} min {r['seconds'] % 60} s.")
    w("")
    w("### Targets")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    w(f"| ingest ≥ 0.9 × the broker's QoS 1 ceiling, one stream | {figure(one['ingest_to_qos1_ceiling'], digits=2)} | "
      f"{verdict(med(one['ingest_to_qos1_ceiling']) >= 0.9)} |")
    w(f"| (not a target: the same with six publishers at once) | {figure(six['ingest_to_qos1_ceiling'], digits=2)} | "
      f"{'at 0.9 or over' if med(six['ingest_to_qos1_ceiling']) >= 0.9 else 'under 0.9'} |")
    w(f"| alarm latency p99 ≤ 5 ms at {number(lat['rate_per_s'])} alarms/s | {figure(lat['quiet']['p99_ms'], 'ms', 2)} | "
      f"{verdict(med(lat['quiet']['p99_ms']) <= 5)} |")
    w(f"| alarm latency p99 ≤ 20 ms under {number(lat['background_per_s'])} messages/s from {fleet:,} devices | "
      f"{figure(lat['background']['p99_ms'], 'ms', 2)} | {verdict(med(lat['background']['p99_ms']) <= 20)} |")
    w(f"| CPU per event ≤ 0.05 ms (ingest, one stream) | {figure(one['hub_cpu_ms_per_event'], 'ms', 3)} | "
      f"{verdict(med(one['hub_cpu_ms_per_event']) <= 0.05)} |")
    w(f"| RSS ≤ 30 MB with {fleet:,} more devices, idle | {figure(mib(lat['idle']['memory_kib']['rss']), 'MiB', 1)} | "
      f"{verdict(med(lat['idle']['memory_kib']['rss']) * 1024 <= 30_000_000)} |")
    if "working_set" in lat:
        ws = lat["working_set"]
        w(f"| (not the target's measure: the same after the kernel reclaimed what the hub does not use; idle, "
          f"then at {number(lat['rate_per_s'])} alarms/s) | {figure(mib(ws['idle_kib']['rss']), 'MiB', 1)}; "
          f"{figure(mib(ws['alarms_kib']['rss']), 'MiB', 1)} | see Memory below |")
    w(f"| restart to ready ≤ 0.5 s, {restart['store']['events']:,} events and {restart['store']['alarms']:,} alarms | "
      f"{figure(restart['ready_seconds'], 's', 3)} | {verdict(restart['ready_seconds']['median'] <= 0.5)} |")
    w(f"| audit verify ≥ 500,000 records/s | {figure(audit['verify_per_s'])} | {verdict(med(audit['verify_per_s']) >= 500000)} |")
    w("")
    w("What each target's figure is, and what was found where one is missed, follows.")
    w("")

    w("### Alarm latency and footprint")
    w("")
    w(f"The demo site with {fleet:,} more zigbee2mqtt devices (doors, leak sensors, smoke")
    w("detectors and buttons, four to a room). Each run: a fresh broker, hub and database; the")
    w("hub idle, then real fall and SOS payloads published at QoS 1, the clock stopping when the")
    w("first webhook POST for that alarm arrives (the alarm is then resolved through the command")
    w(f"topic); then the same while another process publishes {number(lat['background_per_s'])} quiet messages per")
    w(f"second (doors opening and closing, heartbeats) from those devices. {number(lat['alarms_per_phase'])} alarms per phase")
    w("and run. The path measured: the event's commit (one fsync), the engine, the dispatcher and")
    w("one HTTP POST through libcurl to a Python receiver.")
    w("")
    w(f"| measure | idle | {number(lat['rate_per_s'])} alarms/s | the same under {number(lat['background_per_s'])} messages/s |")
    w("|---|---|---|---|")
    q, b, idle = lat["quiet"], lat["background"], lat["idle"]
    for name in ("p50", "p99", "max"):
        w(f"| publish → webhook, {name} | | {figure(q[name + '_ms'], 'ms', 2)} | {figure(b[name + '_ms'], 'ms', 2)} |")
    w(f"| background messages/s achieved | | | {figure(b['sent_per_s'])} |")
    w(f"| hub CPU, share of one core | {figure(idle['cpu_percent'], '%', 1)} | {figure(q['cpu_percent'], '%', 1)} | "
      f"{figure(b['cpu_percent'], '%', 1)} |")
    w(f"| hub CPU per message | | | {figure(b['cpu_ms_per_message'], 'ms', 3)} |")
    for key, label in (("rss", "hub RSS"), ("anon", "of which its own (heap, stacks)"),
                       ("file", "of which mapped files (program, libraries)")):
        w(f"| {label} | {figure(mib(idle['memory_kib'][key]), 'MiB', 1)} | {figure(mib(q['memory_kib'][key]), 'MiB', 1)} | "
          f"{figure(mib(b['memory_kib'][key]), 'MiB', 1)} |")
    if "working_set" in lat:
        ws = lat["working_set"]
        for key, label in (("rss", "working set: RSS after reclaim"), ("anon", "of which its own"),
                           ("file", "of which mapped files")):
            w(f"| {label} | {figure(mib(ws['idle_kib'][key]), 'MiB', 1)} | {figure(mib(ws['alarms_kib'][key]), 'MiB', 1)} | |")
    w("")
    if "working_set" in lat:
        swap = m.get("swap_gib")
        w("The working set is read after the phases above, so the hub's own memory in it is what the")
        w("load left (about 3 MiB more than before it): the benchmark asks the kernel to reclaim every")
        w("page of the hub it can (`process_madvise` with `MADV_PAGEOUT`; pages another process maps")
        w("too, such as the C library's, stay), reads RSS after the idle hub has run on for a few")
        w(f"seconds, then again after {number(lat['rate_per_s'])} alarms/s for 10 s. Mapped pages come back as they are")
        w("used, 64 KiB at a time (the kernel maps the pages around each one touched); the hub's own")
        w("memory stays" + (" (there is no swap)." if swap == 0 else "." if swap is None else f" unless it is swapped out ({swap} GiB of swap)."))
        w("")
    floor = {name: kib for name, kib in (lat.get("floor_kib") or {}).items() if kib}
    if "foundation" in floor and "plain" in floor:
        w(f"For scale, programs that do nothing, built by the same compiler: with Foundation (which GRDB and")
        w(f"Yams need) {floor['foundation']['rss'] / 1024:.1f} MiB RSS, of which {floor['foundation']['file'] / 1024:.1f} MiB mapped files; "
          + (f"with FoundationEssentials alone {floor['essentials']['rss'] / 1024:.1f} MiB; " if "essentials" in floor else "")
          + f"with the C library only {floor['plain']['rss'] / 1024:.1f} MiB.")
        w("")
    if "back_to_back" in lat:
        pair = lat["back_to_back"]
        w("Alarms back to back (each once the last one's webhook came), one run each, on a broker as")
        w("Vakt configures it and on one with mosquitto's default `set_tcp_nodelay false`:")
        w("")
        w("| | p50 | p99 | max |")
        w("|---|---|---|---|")
        for name, label in (("nodelay", "`set_tcp_nodelay true` (Vakt)"), ("nagle", "mosquitto's default")):
            row = pair[name]
            w(f"| {label} | {row['p50_ms']:.2f} ms | {row['p99_ms']:.2f} ms | {row['max_ms']:.2f} ms |")
        w("")
        w("With Nagle's algorithm on, the broker holds a small packet to the hub while an earlier one")
        w("is unacknowledged, until the hub's delayed ACK (about 40 ms on Linux); spaced alarms hide it.")
        w("")
    if "memory_growth_kib" in lat:
        growth = sorted(lat["memory_growth_kib"].items(), key=lambda item: int(item[0]))
        w("Memory over alarms raised, delivered and resolved back to back by one hub (a leak grows in")
        w("step with the count; caches level off). RSS, and in brackets the hub's own part: " + ", ".join(
            f"{int(k):,} alarms {v['rss'] / 1024:.1f} MiB ({v['anon'] / 1024:.1f})" for k, v in growth) + ".")
        w("")

    w("### Ingest against the broker's own ceiling")
    w("")
    w(f"{number(ing['messages'])} small zigbee2mqtt payloads from `mosquitto_pub -l` (six files of under 65,535")
    w("lines), on a fresh broker configured as Vakt ships it for each measure. The hub, on the demo")
    w(f"site with {number(ing['fleet'])} more devices, commits every event (synchronous=FULL) before its")
    w("PUBACK leaves, in one transaction per batch it reads.")
    w("")
    w("The ratio is the hub's rate over the ceiling measured just before it, run by run; both")
    w("move between runs, the ceiling more than the hub (compare their spreads).")
    w("")
    w("| measure | one stream (six files one after another) | six publishers at once |")
    w("|---|---|---|")
    for key, label, unit, digits in (
            ("ceiling_qos0_per_s", "broker ceiling, QoS 0 (to mosquitto_sub), messages/s", "", 0),
            ("ceiling_qos1_per_s", "broker ceiling, QoS 1, messages/s", "", 0),
            ("ingest_per_s", "hub ingest, QoS 1, events/s", "", 0),
            ("ingest_to_qos1_ceiling", "ingest ÷ QoS 1 ceiling", "", 3),
            ("hub_cpu_ms_per_event", "hub CPU per event", "ms", 4),
            ("hub_cpu_percent", "hub CPU, share of one core", "%", 0),
            ("broker_cpu_percent_ceiling_qos1", "broker CPU, share of one core: QoS 1 ceiling", "%", 0),
            ("broker_cpu_percent_ingest", "broker CPU, share of one core: hub ingest", "%", 0),
            ("machine_busy_percent_ceiling_qos1", "machine, both cores busy: QoS 1 ceiling", "%", 0),
            ("machine_busy_percent_ingest", "machine, both cores busy: hub ingest", "%", 0),
            ("hub_waits_per_s", "hub threads waiting (for the disk, the socket, a lock), per s", "", 0),
            ("hub_preempted_per_s", "hub threads preempted by another runnable thread, per s", "", 0)):
        if key in one and key in six:
            w(f"| {label} | {figure(one[key], unit, digits)} | {figure(six[key], unit, digits)} |")
    w(f"| hub peak RSS | {figure(mib(one['hub_rss_peak_kib']), 'MiB', 1)} | {figure(mib(six['hub_rss_peak_kib']), 'MiB', 1)} |")
    w("")

    w("### Restart, audit log, modules")
    w("")
    store = restart["store"]
    w(f"Restart to ready (process start to subscribed; timers re-armed before that) with {store['events']:,} events")
    w(f"and {store['alarms']:,} alarms ({store['open_alarms']} open, each with its timer) stored, {store['megabytes']} MB: "
      f"{figure(restart['ready_seconds'], 's', 3)} over {restart['ready_seconds']['runs']} starts.")
    w("")
    w(f"Audit log, {number(audit['records'])} records (database {number(audit['database_mb'])} MB, JSON Lines "
      f"{number(audit['jsonl_mb'])} MB), one core; filled once, then measured in each run:")
    w("")
    w("| measure | records/s |")
    w("|---|---|")
    w(f"| append (10,000 records per transaction, SHA-256 chained; first run only) | {figure(audit['append_per_s'])} |")
    w(f"| `vakt audit verify` (every hash recomputed) | {figure(audit['verify_per_s'])} |")
    w(f"| export, JSON Lines | {figure(audit['export_jsonl_per_s'])} |")
    w(f"| export, CSV | {figure(audit['export_csv_per_s'])} |")
    w("")
    w(f"Rule engine alone (no store, no broker), one core: {number(eng['devices'])} devices in 500 rooms, a seeded")
    w(f"stream of {number(eng['events'])} device events (mostly doors and presence, one in twenty a fall, a button")
    w("or a leak) on virtual time, every due timer fired, staff resolving each alarm 90 s after it")
    w("was raised; rules on tags, devices and night windows, counting and absence rules, per-resident")
    w(f"overrides. {number(eng['rules'])} rules: {figure(eng['events_per_s'])} events/s; 10 rules: {figure(eng['events_per_s_10_rules'])} events/s.")
    w("")
    w("Notifications in process: the outbox, the dispatcher (8 at a time) and the webhook channel")
    w("(libcurl) to `scripts/webhook-receiver` on loopback, each attempt committed with its audit")
    w(f"record; 10 staff told of each alarm. {number(notify['burst_notifications'])} queued at once: "
      f"{figure(notify['burst_per_s'])} delivered/s. {number(notify['paced_notifications'])} at {number(notify['paced_alarms_per_s'])} alarms/s, outbox to")
    w(f"delivered: p50 {figure(notify['outbox_to_delivered_p50_ms'], 'ms', 1)}, p99 "
      f"{figure(notify['outbox_to_delivered_p99_ms'], 'ms', 1)}, max {figure(notify['outbox_to_delivered_max_ms'], 'ms', 1)}.")
    w("")
    w(f"Dashboard, {frame.get('alarms', 500)} open alarms, 100×30 terminal (tmux), {frame.get('iterations', 300)} frames: "
      f"laying out a frame {frame.get('layout_median_ms', '–')} ms median ({frame.get('layout_max_ms', '–')} max); laying out and")
    w(f"drawing it through ncurses {frame.get('layout_and_draw_median_ms', '–')} ms ({frame.get('layout_and_draw_max_ms', '–')} max).")
    w("")
    w("Decoding, one core, each profile's recorded samples over and over for a second (what the hub")
    w("does per message before the commit). Outputs are events, or messages for receivers:")
    w("")
    w("| profile | format | samples/s | events or messages/s | MB/s |")
    w("|---|---|---|---|---|")
    for row in r["decode"]:
        w(f"| `{row['profile']}` | {row['format']} | {figure(row['samples_per_s'])} | {figure(row['outputs_per_s'])} | "
          f"{number(row['megabytes_per_s'], 1)} |")
    w("")
    w(FINDINGS)
    print("\n".join(out))


FINDINGS = """## What was found, and what is left

Profiles were taken with `perf record -g` on the release hub during the runs above, memory with
heaptrack and `/proc/PID/smaps`, and the alarm path with a temporary build that wrote a
monotonic timestamp at each step. Figures in this section are from single runs on the machine
above, before and after each change, on 2026-11-27, except where they are said to be this
run's medians.

**Ingest.** One commit per message (an fsync each) took 3,300 events/s (0.09 of the
six-publisher ceiling). Committing what one read of the socket holds, in one transaction,
before those PUBACKs are written: 13,700 (0.065 ms CPU per event). Hex digests and the
sources' JSON written by hand (`String(format:)` was a quarter of the CPU and JSONEncoder a
fifth): 0.032 ms. A batch writing each source's row and the session's counters once, with
their last values, instead of once per message: 0.026 ms. The engine changed in place inside
a batch (the batch keeps the state to roll back to), and digests turned to hex from their
bytes: 0.021 ms. The benchmark itself then turned out to take CPU from what it measured: it
counted the stream's events every 50 ms with a `COUNT(*)` over `source LIKE ...`, a scan of
the whole growing table, on a machine of two cores where the hub and the broker need both. It
now follows the log's sequence number (an index lookup) and counts once at the end: with the
hub unchanged, the one-stream ratio went from 0.84-0.90 (full runs) to 0.88-0.99 (single
runs). The ratio moves with the broker's ceiling, which moves by a tenth between runs while
the hub's own rate holds steadier (see the table): **a single run can fall under the line**,
so the median is the figure to read.

The hub now reads full batches (512 messages, its own limit) from start to end: each batch's
transaction takes about 8.6 ms with its fsync, and reading the batch from the socket and
writing its 512 PUBACKs about 3 ms more, at 90 % of a core: it is CPU-bound, and the broker's
20 messages in flight are not what holds it (100 and 500 were tried and changed nothing).
What is left per event is spread out: the event's insert (GRDB binding its arguments, then
SQLite), about an eighth; the payload's JSON parsed into dictionaries, a tenth; the engine, a
sixteenth; the rest in retain and release, locks and malloc across all of it. **Six
publishers at once are not the issue's target** (its ceiling is one stream from
`mosquitto_pub -l`), and they stay at about 0.7: the broker's own ceiling rises with them
while the hub's ingest falls. Its batches are still full (489 messages on average) but take
11.2 ms instead of 8.6, and its share of a core drops to 75 %, though over a second the
machine is no busier (82 % of both cores either way) and the broker's CPU is the same. The
hub is taken off the CPU: its threads are preempted thousands of times a second with six
publishers against a couple of hundred with one (`nonvoluntary_ctxt_switches`, in the table),
and `perf` on scheduler switches put 84 % of its ingest thread's switches at a
reschedule interrupt, in the middle of its work. Six publisher processes, each woken by
every PUBACK, take the two cores from it in short turns. On a site, one bridge process
publishes; a hub that must win such contention could be given a higher priority by its unit
(`Nice=`), which the benchmark does not do. Overlapping a batch's decode with the last one's
fsync, or a decoder that does not build dictionaries, would help both cases.

**A site's size.** With 1,000 devices, a message at 5,000/s cost the hub 0.177 ms of CPU and
alarm p99 was 44 ms: the hub keeps the engine's state from before each input to roll back to,
and changing a copy of a Swift `Dictionary` copies all of it, so every message copied every
device's health record (half of the CPU in retain, release and memmove of `SourceState`). The
engine's per-device and per-key state is now in persistent hash-tree dictionaries
(swift-collections' `TreeDictionary`): a change copies one path. 0.177 → 0.10 ms per message,
p99 44 → 7 ms, and 0.08 ms and 5.4 ms after the changes below.

**Latency at 10 alarms/s.** Alarm snapshots were written by JSONSerialization with sorted
keys, which on Linux compares keys through ICU collation: a fifth of the hub's CPU with alarms
flowing, and it ran before the dispatcher was woken. Snapshots and device statuses now use
the canonical JSON writer the audit log already had, the dispatcher is woken first, and
libcurl and the site's time zone are set up at start (the first alarm after a start took
18 ms): p50 5.0 → 3.4 ms, p99 at the 5 ms line. Then the timestamps along the path, p50 from
the publish: 0.23 ms until the hub read the message, 0.25 ms more until its transaction
began, 0.58 ms in the transaction (engine, statements, the alarm and notifications encoded),
0.63 ms committing it (the fsync), 0.37 ms until the dispatcher ran (it waited for the hub's
lock, which the hub holds while it publishes the alarm, and woke through a task group: three
hops between threads), 0.30 ms reading the outbox, then connecting to the receiver for each
POST (HTTP/1.0 style) and the receiver's own parsing, 0.7 ms. Three changes: a notification
just committed goes to the dispatcher in memory (the outbox stays the truth; every attempt is
claimed first, so the two copies the dispatcher may hold do not both go); a deadline ends the
dispatcher's wait through the clock, so a signal resumes it in one hop; HTTP channels keep
their connections (and the benchmark's receiver keeps them open, as real endpoints do).
Medians of three runs in the first full run after them: p50 3.9 → 2.8 ms, **p99 5.4 →
3.9 ms** (this run's are in the table above).
What is left: the fsync, the transaction's CPU (JSONEncoder for the stored alarm and
notifications is the largest part), the hop to libcurl's thread, and the Python receiver.

**Memory: not met, RSS ≤ 30 MB.** RSS idle with 1,000 devices is 51 MiB, of which 43 MiB are
pages of the program and its libraries and 8 MiB the hub's own (heap, stacks, pages the loader
wrote). `/proc/PID/smaps`, idle: the program 9.3 MiB (its code is 8.8 MB), Foundation's ICU
6.5, libswiftCore 5.3, Foundation 5.1, FoundationEssentials 4.1, OpenSSL's libcrypto 3.1
(libcurl's; mosquitto maps the same file), libc 1.6, libstdc++ 1.4, SQLite 1.2, and thirty
smaller ones. A program that does nothing but import Foundation takes about 19 MiB here; the
target (30 MB, 28.6 MiB) leaves the hub about 10 MiB beyond that, and its own memory alone is
8-11 MiB. The kernel maps file pages 64 KiB at a time around each one touched, so a page of
code run once at start brings its neighbours with it (`madvise(MADV_RANDOM)` does not change
that on this kernel: a test program touching one byte in each MiB of the program's file got
64 KiB resident per touch with it and without).
Asked to reclaim what it can, the kernel leaves the hub a working set of 20 MiB idle and
33 MiB at 10 alarms/s (the table above; how much of the difference to RSS is pages used only
at start and how much pages mapped around others, this cannot tell). Mapped pages are the
page cache's, shared with any other process mapping the same files, and given up first under
memory pressure, but they are RSS, and the target counts RSS. A build with the Swift runtime and Foundation linked
statically (`--static-swift-stdlib`) measured the same RSS with a 121 MB binary. Getting
under 30 MB means not loading Foundation, which GRDB and Yams import, and keeping to
FoundationEssentials (no ICU; the floor above): a choice of dependencies beyond this issue,
and even then a close one. The hub's own memory used to grow from 11.5 to 23 MiB over
10,000 alarms and level off after a minute: heaptrack showed tens of thousands of cancelled
`Task.sleep` timers, each holding its task until its deadline (services slept in steps of
60 s). Steps of 5 s keep it at 11-13 MiB.

**Audit verify.** Verification reads the columns it hashes and splices the stored detail text
into the canonical bytes instead of decoding it (72,000 → 430,000 records/s), and reads the
text in place from SQLite instead of making a Swift string per column (468,000 → 520,000 on
one run). What is left is SHA-256, SQLite's row reads and the canonical bytes, in about equal
parts.
"""

if __name__ == "__main__":
    main()
