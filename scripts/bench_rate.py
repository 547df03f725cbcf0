"""Fixed-rate mode of scripts/bench (--rate 1000,10000,50000): what a given load
costs the server, rather than how fast it can go.

redis-benchmark sends as fast as the server answers; a server that busy-polls
wins there and the CPU it burns while waiting never shows. Here one connection
from examples/ratebench.rs (Rust, open loop: requests go out on a fixed
schedule whatever the replies do) sends PING (or GET, -t get) at each rate for
--duration seconds after a 0.5 s warm-up, and reports the server's CPU over the
measured interval (run time of all its threads, /proc/<pid>/task/*/schedstat)
and each request's latency (send to complete reply).

Four servers run side by side, pinned to CPU 0 (the client on CPU 1):
oxidis with `busy-poll auto` (the default), `busy-poll yes`, `busy-poll no`, and
redis-server. Every round runs every rate against each, in an order that
rotates from round to round; medians over the rounds are reported.

Noise: the machine may be shared. For every run the script also counts the CPU
time used by everything else (both CPUs' busy time from /proc/stat, minus the
server's and the client's own); a run during which others used more than
--max-others of a core is repeated (up to 3 times, then kept and flagged), and
the notes list the figure of every run kept.
"""

import os
import statistics
import subprocess
import sys
import time

SIDES = ("oxidis auto", "oxidis yes", "oxidis no", "redis")


def build_ratebench(root):
    subprocess.run(["cargo", "build", "--release", "--example", "ratebench"], cwd=root,
                   check=True)
    return os.path.join(root, "target", "release", "examples", "ratebench")


def cpu_busy_jiffies():
    """(busy, steal) jiffies of all CPUs together."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (v + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def proc_cpu(pid):
    """CPU seconds of every thread of pid (schedstat, ns)."""
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        pass
    return total / 1e9


def parse_fields(line):
    out = {}
    for kv in line.split():
        k, _, v = kv.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            pass
    return out


def run_once(h, rb, srv, rate, args):
    """One ratebench run; returns its fields plus `others` (cores' worth of CPU
    used by other processes during it) and `steal`."""
    hz = os.sysconf("SC_CLK_TCK")
    argv = h.pinned(1, [rb, "-p", str(srv.port), "-r", str(rate), "-d",
                        str(args.duration), "--pid", str(srv.proc.pid), "-t", args.rate_test])
    busy0, steal0 = cpu_busy_jiffies()
    srv0 = proc_cpu(srv.proc.pid)
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.stdout.read(), p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    busy1, steal1 = cpu_busy_jiffies()
    srv1 = proc_cpu(srv.proc.pid)
    if p.returncode != 0:
        h.die(f"ratebench failed ({p.returncode}): {out}{err}")
    r = parse_fields(out)
    client = ru.ru_utime + ru.ru_stime
    total = (busy1 - busy0) / hz
    r["others"] = max(0.0, total - (srv1 - srv0) - client) / wall
    r["steal"] = (steal1 - steal0) / hz / wall
    return r


def rates(args, h, oxidis_bin, redis_bin):
    rb = build_ratebench(h.ROOT)
    rate_list = [int(x) for x in args.rate.split(",")]
    servers = {
        "oxidis auto": h.Server("oxidis-auto", oxidis_bin, extra=("--busy-poll", "auto")),
        "oxidis yes": h.Server("oxidis-yes", oxidis_bin, extra=("--busy-poll", "yes")),
        "oxidis no": h.Server("oxidis-no", oxidis_bin, extra=("--busy-poll", "no")),
        "redis": h.Server("redis", redis_bin),
    }
    results = {}  # (rate, side) -> [fields, ...]
    flagged = 0
    try:
        for rnd in range(args.rounds):
            for rate in rate_list:
                k = (rnd + rate_list.index(rate)) % len(SIDES)
                for side in SIDES[k:] + SIDES[:k]:
                    for attempt in range(4):
                        r = run_once(h, rb, servers[side], rate, args)
                        print(f"round {rnd + 1}/{args.rounds} {rate}/s {side}: "
                              f"cpu {r['cpu_pct']:.1f}% {r['cpu_s_per_m']:.2f} s/M, "
                              f"p50 {r['p50_us']:.0f} us p99 {r['p99_us']:.0f} us, "
                              f"others {r['others']:.2f} cores"
                              + (" (repeating)" if r["others"] > args.max_others
                                 and attempt < 3 else ""),
                              file=sys.stderr, flush=True)
                        if r["others"] <= args.max_others:
                            break
                    else:
                        r["flagged"] = 1
                        flagged += 1
                    results.setdefault((rate, side), []).append(r)
            for srv in servers.values():
                if srv.proc.poll() is not None:
                    h.die(f"{srv.name} exited during the benchmark; see {srv.dir}")
    finally:
        for srv in servers.values():
            srv.stop()

    def med(rate, side, key):
        return statistics.median(r[key] for r in results[(rate, side)])

    header = ("rate (req/s)", "server", "achieved req/s", "CPU % of a core",
              "CPU s per M requests", "CPU/request vs redis", "p50 us", "p99 us",
              "max us")
    table = [header]
    for rate in rate_list:
        base = med(rate, "redis", "cpu_s_per_m")
        for side in SIDES:
            c = med(rate, side, "cpu_s_per_m")
            table.append((f"{rate:,}", side, f"{med(rate, side, 'rate'):,.0f}",
                          f"{med(rate, side, 'cpu_pct'):.1f}", f"{c:.2f}",
                          f"{c / base:.2f}" if base else "nan",
                          f"{med(rate, side, 'p50_us'):.1f}",
                          f"{med(rate, side, 'p99_us'):.1f}",
                          f"{med(rate, side, 'max_us'):.0f}"))
    return table, (results, flagged)


def rate_notes(args, res):
    results, flagged = res
    others = [r["others"] for runs in results.values() for r in runs]
    steal = [r["steal"] for runs in results.values() for r in runs]
    out = [
        f"Noise: during the runs kept, other processes used {statistics.median(others):.2f} "
        f"of a core (median; max {max(others):.2f}), steal time "
        f"{statistics.median(steal):.3f} of a core (median); runs over "
        f"{args.max_others} of a core were repeated"
        + (f", {flagged} kept after 3 repeats" if flagged else "") + ".",
        "",
        "Every round, CPU s per million requests (p99 us):",
        "",
    ]
    for rate, side in sorted(results, key=lambda k: (k[0], SIDES.index(k[1]))):
        cells = ", ".join(f"{r['cpu_s_per_m']:.2f} ({r['p99_us']:.0f})"
                          + ("*" if r.get("flagged") else "")
                          for r in results[(rate, side)])
        out.append(f"- {rate:,}/s {side}: {cells}")
    out.append("")
    return out
