"""What the benchmark scripts share: a figure's spread over runs, and a process's CPU and memory."""
import ctypes
import errno
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


def context_switches(pid):
    """Times the process's threads so far gave up the CPU themselves (to wait: for the disk,
    the socket, a lock) and were taken off it (preempted by another runnable thread)."""
    voluntary = involuntary = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{task}/status"):
                if line.startswith("voluntary_ctxt_switches:"):
                    voluntary += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    involuntary += int(line.split()[1])
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return voluntary, involuntary


def machine_ticks():
    """The machine's CPU time so far, in clock ticks over all cores: (busy, total). Waiting
    for the disk (iowait) and time a hypervisor gave to other machines (steal) are not busy."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(f) for f in open("/proc/stat").readline().split()[1:9])
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal


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


def page_out(pid):
    """Asks the kernel to reclaim every page of the process it can (process_madvise with
    MADV_PAGEOUT, Linux 5.10 and later; needs CAP_SYS_NICE): the pages of its program and
    libraries go, and come back only as they are used again. Without swap its own memory
    stays. RSS read a while later is then its working set: what it holds when memory is
    needed elsewhere, where plain RSS also counts every page the kernel mapped in around one
    that was touched once (fault-around maps 64 KiB at a time). Returns an error text, or
    None when done."""
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    # The same numbers on x86-64 and arm64 (calls from 424 on are numbered alike everywhere).
    sys_pidfd_open, sys_process_madvise, madv_pageout = 434, 440, 21
    if os.uname().machine not in ("x86_64", "aarch64"):
        return f"process_madvise is called here on x86-64 and arm64 only, not {os.uname().machine}"

    class IOVec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]

    fd = syscall(sys_pidfd_open, ctypes.c_int(pid), ctypes.c_uint(0))
    if fd < 0:
        return f"pidfd_open: {os.strerror(ctypes.get_errno())}"
    try:
        ranges = []
        for line in open(f"/proc/{pid}/maps"):
            fields = line.split()
            if len(fields) > 5 and fields[5] in ("[vsyscall]", "[vvar]", "[vvar_vclock]", "[vdso]"):
                continue
            low, high = (int(x, 16) for x in fields[0].split("-"))
            ranges.append(IOVec(low, high - low))
        # One range a call: a call stops at the first range it cannot advise (one the process
        # unmapped since its maps were read) and says only how many bytes it did.
        skipped = 0
        for one in ranges:
            done = syscall(sys_process_madvise, ctypes.c_int(fd), ctypes.byref(one), ctypes.c_size_t(1),
                           ctypes.c_int(madv_pageout), ctypes.c_uint(0))
            if done < 0:
                error = ctypes.get_errno()
                if error in (errno.ENOMEM, errno.EINVAL):  # gone since, or not advisable: skip it
                    skipped += 1
                    continue
                return f"process_madvise: {os.strerror(error)}"
        return None if skipped < len(ranges) else "process_madvise advised no range"
    finally:
        os.close(fd)
