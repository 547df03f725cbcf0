"""AOF mode (--aof always,everysec, issue 17) of scripts/bench: the durable modes.

Throughput part: for every appendfsync policy and every round, each server is
started fresh in its own temporary directory (on the same disk: /tmp) with
`--appendonly yes --appendfsync POLICY --auto-aof-rewrite-percentage 0` (no
automatic rewrite in the middle of a run), pinned to CPU 0, and

    redis-benchmark -t set,incr -n N -c 50 -P 1 -q --csv

runs against it on CPU 1. The order of the two servers alternates from round to
round. Reported per test and policy: the median requests/s over the rounds and
the ratio oxidis/redis, and the median of redis-benchmark's p99 latency and its
ratio. With `appendfsync always` every reply is sent after the fsync that covers
its write (Redis: in beforeSleep on the main thread; oxidis: the AOF thread's
group commit, the reply held until then).

Rewrite part: each server is started fresh with `--appendfsync everysec`,
loaded with --keys SETs (default 2,000,000) of --value-size bytes through
`redis-cli --pipe`, then a redis-benchmark SET load (-r KEYS, CPU 1) overwrites
random keys while a separate process (CPU 1, real-time priority where allowed)
sends `GET key:000000000000` every 1 ms on its own connection. After --warmup
seconds the bench sends BGREWRITEAOF and polls INFO persistence every 10 ms
until `aof_rewrite_in_progress:0` and `aof_rewrite_scheduled:0`. Reported: the
largest and the p99 GET round trip of the probes in flight during the rewrite
(and the same before it), and the rewrite's duration. When the server under
test does not have BGREWRITEAOF, the part is skipped and the notes say so.
"""

import array
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time

TESTS = ("SET", "INCR")


def parse_csv(out):
    """redis-benchmark --csv: test -> (rps, p99 ms)."""
    res = {}
    for line in out.splitlines():
        cols = [c.strip('"') for c in line.strip().split('","')]
        if len(cols) < 7 or cols[0] == "test":
            continue
        try:
            res[cols[0]] = (float(cols[1]), float(cols[6]))
        except ValueError:
            pass
    return res


def throughput_once(h, binary, side, policy, args):
    srv = h.Server(side, binary, extra=["--appendonly", "yes", "--appendfsync", policy,
                                        "--auto-aof-rewrite-percentage", "0"])
    try:
        argv = h.pinned(1, ["redis-benchmark", "-h", "127.0.0.1", "-p", str(srv.port),
                            "-t", ",".join(t.lower() for t in TESTS),
                            "-n", str(args.requests), "-c", str(args.clients),
                            "-P", "1", "-q", "--csv"])
        r = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            h.die(f"redis-benchmark failed ({r.returncode}): {r.stderr}")
        res = parse_csv(r.stdout)
        if set(res) != set(TESTS):
            h.die(f"unexpected redis-benchmark output:\n{r.stdout}{r.stderr}")
        c = h.Conn(srv.port)
        info = c.info("persistence")
        c.close()
        if info.get("aof_enabled") != "1" or info.get("aof_last_write_status") != "ok":
            h.die(f"{side}: the AOF is not on or failed: {info}")
        if srv.proc.poll() is not None:
            h.die(f"{side} exited during the benchmark; see {srv.dir}")
    finally:
        srv.stop()
    return res


def get_prober(port, cpu, stop, out):
    """As scripts/bench's latency_prober, with GET of a loaded key instead of
    PING (the reply is a 100-byte bulk, read whole)."""
    import socket
    h_pin(cpu)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except (OSError, AttributeError):
        try:
            os.nice(-10)
        except OSError:
            pass
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = b"key:%012d" % 0
    req = b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key)
    sent, rtt = array.array("d"), array.array("d")
    nxt = time.monotonic()
    while not stop.is_set():
        t0 = time.monotonic()
        s.sendall(req)
        buf = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("prober: connection closed")
            buf += chunk
            if buf.startswith(b"$"):
                nl = buf.find(b"\r\n")
                if nl > 0 and len(buf) >= nl + 2 + max(0, int(buf[1:nl])) + 2:
                    break
            elif buf.endswith(b"\r\n"):
                break
        t1 = time.monotonic()
        sent.append(t0)
        rtt.append(t1 - t0)
        nxt += 0.001
        now = time.monotonic()
        if nxt > now:
            time.sleep(nxt - now)
        else:
            nxt = now
    s.close()
    out.send((sent.tobytes(), rtt.tobytes()))
    out.close()


def h_pin(cpu):
    if (os.cpu_count() or 1) >= 2:
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass


def has_bgrewriteaof(h, binary):
    srv = h.Server("probe", binary, extra=["--appendonly", "yes"])
    try:
        c = h.Conn(srv.port)
        r = c.cmd("COMMAND", "INFO", "BGREWRITEAOF")
        c.close()
        return isinstance(r, list) and bool(r) and r[0] is not None
    finally:
        srv.stop()


def rewrite_once(h, binary, side, args, load_file):
    n, size = args.keys, args.value_size
    res = {}
    srv = h.Server(side, binary, extra=["--appendonly", "yes", "--appendfsync", "everysec",
                                        "--auto-aof-rewrite-percentage", "0"],
                   timeout=60)
    bench, prober = None, None
    stop = mp.Event()
    try:
        with open(load_file, "rb") as f:
            r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port),
                                "--pipe"], stdin=f, capture_output=True, text=True,
                               timeout=900)
        if r.returncode != 0 or f"errors: 0, replies: {n}" not in r.stdout:
            h.die(f"{side}: --pipe load failed:\n{r.stdout}{r.stderr}")
        c = h.Conn(srv.port, timeout=120)
        if c.cmd("DBSIZE") != n:
            h.die(f"{side}: DBSIZE after load is not {n}")
        time.sleep(0.5)
        rx, tx = mp.Pipe(duplex=False)
        prober = mp.Process(target=get_prober, args=(srv.port, 1, stop, tx))
        prober.start()
        bench = subprocess.Popen(
            h.pinned(1, ["redis-benchmark", "-h", "127.0.0.1", "-p", str(srv.port),
                         "-t", "set", "-r", str(n), "-d", str(size), "-n", "2000000000",
                         "-c", str(args.clients), "-q"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        t_bench = time.monotonic()
        time.sleep(args.warmup)
        if bench.poll() is not None:
            h.die(f"{side}: redis-benchmark exited early ({bench.returncode})")
        cmds0 = int(c.info("stats")["total_commands_processed"])
        t0 = time.monotonic()
        reply = c.cmd("BGREWRITEAOF")
        if not isinstance(reply, str) or "rewriting" not in reply:
            h.die(f"{side}: BGREWRITEAOF replied {reply!r}")
        deadline = t0 + 900
        while True:
            p = c.info("persistence")
            if p["aof_rewrite_in_progress"] == "0" and p["aof_rewrite_scheduled"] == "0":
                t_end = time.monotonic()
                break
            if time.monotonic() > deadline:
                h.die(f"{side}: BGREWRITEAOF did not finish in 900 s")
            time.sleep(0.01)
        cmds1 = int(c.info("stats")["total_commands_processed"])
        if p["aof_last_bgrewrite_status"] != "ok":
            h.die(f"{side}: BGREWRITEAOF failed: {p}")
        if bench.poll() is not None:
            h.die(f"{side}: redis-benchmark exited during the rewrite")
        time.sleep(0.05)
        stop.set()
        sent, rtt = array.array("d"), array.array("d")
        b = rx.recv()
        sent.frombytes(b[0])
        rtt.frombytes(b[1])
        prober.join(10)
        prober = None
        bench.kill()
        bench.wait()
        bench = None
        c.close()
        during = h.window_rtts(sent, rtt, t0, t_end)
        before = h.window_rtts(sent, rtt, t_bench + 0.5, t0)
        res = {
            "rewrite_ms": (t_end - t0) * 1000,
            "max_ms": during[-1] * 1000 if during else float("nan"),
            "p99_ms": h.pct(during, 99) * 1000,
            "base_max_ms": before[-1] * 1000 if before else float("nan"),
            "base_p99_ms": h.pct(before, 99) * 1000,
            "probes": len(during),
            "cmds_per_s": (cmds1 - cmds0) / max(t_end - t0, 1e-9),
        }
    finally:
        if bench is not None and bench.poll() is None:
            bench.kill()
            bench.wait()
        if prober is not None:
            stop.set()
            prober.join(5)
            if prober.is_alive():
                prober.kill()
        srv.stop()
    return res


def aof_bench(args, h, oxidis_bin, redis_bin):
    policies = [p.strip() for p in args.aof.split(",") if p.strip()]
    for p in policies:
        if p not in ("always", "everysec", "no"):
            h.die(f"--aof: unknown appendfsync policy {p!r}")
    bins = {"oxidis": oxidis_bin, "redis": redis_bin}
    runs = {}  # (policy, test, side) -> [(rps, p99), ...]
    load_before = h.loadavg()
    for rnd in range(args.rounds):
        order = ("oxidis", "redis") if rnd % 2 == 0 else ("redis", "oxidis")
        for policy in policies:
            for side in order:
                print(f"round {rnd + 1}/{args.rounds} appendfsync {policy} {side} ...",
                      file=sys.stderr, flush=True)
                res = throughput_once(h, bins[side], side, policy, args)
                print("  " + ", ".join(f"{t} {rps:,.0f}/s p99 {p99:.3f} ms"
                                       for t, (rps, p99) in res.items()),
                      file=sys.stderr, flush=True)
                for t, v in res.items():
                    runs.setdefault((policy, t, side), []).append(v)

    table = [("test", "appendfsync", "oxidis rps", "redis rps", "ratio", "target",
              "oxidis p99 ms", "redis p99 ms", "p99 ratio")]
    for policy in policies:
        goal = {"always": 2.0, "everysec": 1.0}.get(policy)
        for t in TESTS:
            o = runs[(policy, t, "oxidis")]
            r = runs[(policy, t, "redis")]
            orps, rrps = (statistics.median(x[0] for x in v) for v in (o, r))
            op99, rp99 = (statistics.median(x[1] for x in v) for v in (o, r))
            ratio = orps / rrps if rrps else float("nan")
            p99r = op99 / rp99 if rp99 else float("nan")
            tgt = ""
            if goal is not None:
                tgt = (f">= {goal:g} {'met' if ratio >= goal else 'MISSED'}; p99 "
                       f"{'met' if p99r <= 1.0 else 'MISSED'}")
            table.append((t, policy, f"{orps:,.0f}", f"{rrps:,.0f}", f"{ratio:.2f}", tgt,
                          f"{op99:.3f}", f"{rp99:.3f}", f"{p99r:.2f}"))

    notes = [f"Load average (1 min) before the run: {load_before}, after: "
             f"{h.loadavg()} (the bench itself adds about 2; other work on this "
             "machine makes single rounds noisy, hence the medians).", ""]
    if args.rounds > 1:
        notes.append(f"Per round (requests/s, p99 ms), {args.rounds} alternating rounds:")
        notes.append("")
        for policy in policies:
            for t in TESTS:
                for side in ("oxidis", "redis"):
                    cells = "; ".join(f"{rps:,.0f} / {p99:.3f}"
                                      for rps, p99 in runs[(policy, t, side)])
                    notes.append(f"- {t} {policy} {side}: {cells}")
        notes.append("")

    if not args.no_aof_rewrite:
        notes += rewrite_part(args, h, bins)
    return table, notes


def rewrite_part(args, h, bins):
    title = (f"Rewrite: the largest GET latency during BGREWRITEAOF of {args.keys:,} "
             f"keys x {args.value_size} B under a SET load (-c {args.clients}), "
             "appendfsync everysec")
    missing = [side for side, b in bins.items() if not has_bgrewriteaof(h, b)]
    if missing:
        msg = (f"{title}: skipped, {' and '.join(missing)} has no BGREWRITEAOF yet.")
        print(msg, file=sys.stderr)
        return [msg, ""]
    tmp = tempfile.mkdtemp(prefix="oxidis-bench-aofrw-")
    load_file = os.path.join(tmp, "load.resp")
    runs = {"oxidis": [], "redis": []}
    try:
        print(f"generating {args.keys:,} SETs with {args.value_size}-byte values ...",
              file=sys.stderr, flush=True)
        h.write_snapshot_load(load_file, args.keys, args.value_size)
        for rnd in range(args.rewrite_rounds):
            order = ("oxidis", "redis") if rnd % 2 == 0 else ("redis", "oxidis")
            for side in order:
                print(f"rewrite round {rnd + 1}/{args.rewrite_rounds} {side} ...",
                      file=sys.stderr, flush=True)
                r = rewrite_once(h, bins[side], side, args, load_file)
                print("  " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float)
                                       else f"{k}={v}" for k, v in r.items()),
                      file=sys.stderr, flush=True)
                runs[side].append(r)
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)

    def med(side, k):
        return statistics.median(r[k] for r in runs[side])

    rows = [("max GET latency during BGREWRITEAOF (ms)", "max_ms", "{:.2f}"),
            ("p99 GET latency during BGREWRITEAOF (ms)", "p99_ms", "{:.3f}"),
            ("BGREWRITEAOF duration (ms)", "rewrite_ms", "{:,.0f}"),
            ("SET commands/s during the rewrite", "cmds_per_s", "{:,.0f}"),
            ("max GET latency, same load before (ms)", "base_max_ms", "{:.2f}"),
            ("p99 GET latency, same load before (ms)", "base_p99_ms", "{:.3f}")]
    table = [("metric", "oxidis", "redis", "oxidis/redis")]
    for label, key, fmt in rows:
        o, r = med("oxidis", key), med("redis", key)
        table.append((label, fmt.format(o), fmt.format(r),
                      f"{o / r:.2f}" if r else "nan"))
    print(f"\n{title}\n\n{h.render_text(table)}")
    out = [f"### {title}", "", h.render_markdown(table), "",
           f"Medians of {args.rewrite_rounds} alternating rounds; per round (max ms / "
           "p99 ms / rewrite ms):", ""]
    for side in ("oxidis", "redis"):
        out.append(f"- {side}: " + "; ".join(
            f"{r['max_ms']:.2f} / {r['p99_ms']:.3f} / {r['rewrite_ms']:,.0f}"
            for r in runs[side]))
    out.append("")
    return out
