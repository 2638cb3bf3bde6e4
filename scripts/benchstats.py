"""What the benchmark scripts share: a figure's spread over runs, and a process's CPU and memory."""
import os
import statistics


def spread(values, digits=3):
    """The median, min and max of one figure over several runs."""
    values = list(values)
    if not values:
        raise ValueError("no runs to summarise")
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "runs": len(values)}


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks():
    """The machine's CPU time so far, in clock ticks over all cores: (busy, total). Waiting
    for the disk (iowait) counts as idle."""
    fields = [int(f) for f in open("/proc/stat").readline().split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def machine_busy_percent(before, after):
    """The share of all cores busy between two `machine_ticks()` readings."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return round(busy / total * 100, 1) if total else 0.0


def memory_kib(pid):
    """The process's resident memory now (`rss`), its peak (`peak`, VmHWM), and the part of
    `rss` that is its own (`anon`: heap and stacks) rather than mapped files (`file`: the
    program and its libraries, shared with any other process using them)."""
    status = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            status[key] = int(value.split()[0])
    return {"rss": status["VmRSS"], "peak": status["VmHWM"], "anon": status["RssAnon"],
            "file": status["RssFile"] + status.get("RssShmem", 0)}


def merge(values):
    """Several runs' JSON results as one: every number becomes its spread over the runs that
    have it, nested objects alike; anything else is kept from the first run."""
    first = values[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(key for value in values if isinstance(value, dict) for key in value))
        return {key: merge([v[key] for v in values if isinstance(v, dict) and key in v]) for key in keys}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers:
        return spread(numbers, digits=4)
    return next((v for v in values if v is not None), None)
