"""Pub/sub and transaction modes of scripts/bench (issue 5's "Speed" section).

Publish mode (--publish 10,100): for each subscriber count N, a sink process
(examples/subsink.rs, Rust, one thread, mio) holds N connections SUBSCRIBEd to
channel `bench` and reads and discards everything, so neither server is slowed
down (or closed by client-output-buffer-limit pubsub) by a slow subscriber; then
redis-benchmark runs `PUBLISH bench <16-byte payload>`. Same sink, same load, for
both servers, in alternating rounds; the publish rate is reported.

Transaction mode (--multi): redis-benchmark cannot send a MULTI/EXEC block (it
sends one command per request), and a Python client would measure Python, so
examples/txbench.rs (Rust, mio, one thread, like redis-benchmark) runs C
connections that each send MULTI, K x SET key:i xxx, EXEC and wait for the whole
reply before sending again (-P 1), or send P blocks at once (-P P). It reports
transactions/s.

Servers run on CPU 0, the load (and the sink) on CPU 1, as in throughput mode.
"""

import os
import statistics
import subprocess
import sys

PAYLOAD = "0123456789abcdef"
CHANNEL = "bench"


def build_examples(root):
    subprocess.run(["cargo", "build", "--release", "--example", "txbench",
                    "--example", "subsink"], cwd=root, check=True)
    ex = os.path.join(root, "target", "release", "examples")
    return os.path.join(ex, "txbench"), os.path.join(ex, "subsink")


def start_sink(h, sink_bin, port, n):
    """Starts the subscriber sink on CPU 1 and waits for its `ready`."""
    p = subprocess.Popen(h.pinned(1, [sink_bin, "-p", str(port), "-c", str(n),
                                      "-ch", CHANNEL]),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    if line != "ready":
        p.kill()
        h.die(f"subscriber sink did not start: {line} {p.stderr.read()}")
    return p


def stop_sink(p):
    p.kill()
    p.wait()


def publish_once(port, n, clients, depth):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(n),
            "-c", str(clients), "-P", str(depth), "-q", "--csv",
            "PUBLISH", CHANNEL, PAYLOAD]
    return argv


def publish(args, h, oxidis_bin, redis_bin):
    _, sink_bin = build_examples(h.ROOT)
    counts = [int(x) for x in args.publish.split(",")]
    depths = [int(d) for d in args.pipeline.split(",")]
    servers = {"oxidis": h.Server("oxidis", oxidis_bin),
               "redis": h.Server("redis", redis_bin)}
    results = {}
    try:
        for rnd in range(args.rounds):
            for subs in counts:
                for depth in depths:
                    for side in ("oxidis", "redis"):
                        srv = servers[side]
                        print(f"round {rnd + 1}/{args.rounds} {subs} subscribers "
                              f"-P {depth} {side} ...", file=sys.stderr, flush=True)
                        sink = start_sink(h, sink_bin, srv.port, subs)
                        try:
                            argv = h.pinned(1, publish_once(srv.port, args.requests,
                                                            args.clients, depth))
                            res = subprocess.run(argv, capture_output=True, text=True,
                                                 timeout=1800)
                        finally:
                            stop_sink(sink)
                        rps = parse_csv_rps(res.stdout)
                        if res.returncode != 0 or rps is None:
                            h.die(f"redis-benchmark failed: {res.stdout}{res.stderr}")
                        results.setdefault((subs, depth, side), []).append(rps)
            for srv in servers.values():
                if srv.proc.poll() is not None:
                    h.die(f"{srv.name} exited during the benchmark; see {srv.dir}")
    finally:
        for srv in servers.values():
            srv.stop()
    header = ("test", "-P", "oxidis rps", "redis rps", "ratio")
    rows = [header]
    for subs in counts:
        for depth in depths:
            o = statistics.median(results[(subs, depth, "oxidis")])
            r = statistics.median(results[(subs, depth, "redis")])
            rows.append((f"PUBLISH, {subs} subscribers", str(depth), f"{o:,.0f}",
                         f"{r:,.0f}", f"{o / r:.2f}"))
    return rows, results


def parse_csv_rps(out):
    for line in out.splitlines():
        cols = [c.strip('"') for c in line.strip().split('","')]
        if len(cols) >= 2 and cols[0] != "test":
            try:
                return float(cols[1])
            except ValueError:
                pass
    return None


def transactions(args, h, oxidis_bin, redis_bin):
    tx_bin, _ = build_examples(h.ROOT)
    depths = [int(d) for d in args.pipeline.split(",")]
    servers = {"oxidis": h.Server("oxidis", oxidis_bin),
               "redis": h.Server("redis", redis_bin)}
    results = {}
    try:
        for rnd in range(args.rounds):
            for depth in depths:
                for side in ("oxidis", "redis"):
                    srv = servers[side]
                    print(f"round {rnd + 1}/{args.rounds} MULTI/EXEC -P {depth} {side} ...",
                          file=sys.stderr, flush=True)
                    argv = h.pinned(1, [tx_bin, "-p", str(srv.port), "-n",
                                        str(args.requests), "-c", str(args.clients),
                                        "-k", str(args.tx_sets), "-P", str(depth)])
                    res = subprocess.run(argv, capture_output=True, text=True,
                                         timeout=1800)
                    if res.returncode != 0:
                        h.die(f"txbench failed: {res.stdout}{res.stderr}")
                    # "transactions: N in S s, T transactions/s, ..."
                    tps = float(res.stdout.split(",")[1].split()[0])
                    results.setdefault((depth, side), []).append(tps)
            for srv in servers.values():
                if srv.proc.poll() is not None:
                    h.die(f"{srv.name} exited during the benchmark; see {srv.dir}")
    finally:
        for srv in servers.values():
            srv.stop()
    header = ("test", "-P", "oxidis tx/s", "redis tx/s", "ratio")
    rows = [header]
    for depth in depths:
        o = statistics.median(results[(depth, "oxidis")])
        r = statistics.median(results[(depth, "redis")])
        rows.append((f"MULTI + {args.tx_sets} SET + EXEC", str(depth), f"{o:,.0f}",
                     f"{r:,.0f}", f"{o / r:.2f}"))
    return rows, results


def round_notes(results, key_fmt):
    """Markdown lines with every round's figure, so the spread is visible."""
    out = ["Every round (oxidis / redis):", ""]
    keys = sorted({k[:-1] for k in results})
    for k in keys:
        o = ", ".join(f"{v:,.0f}" for v in results[k + ("oxidis",)])
        r = ", ".join(f"{v:,.0f}" for v in results[k + ("redis",)])
        out.append(f"- {key_fmt(k)}: {o} / {r}")
    out.append("")
    return out


# ---------------------------------------------------------------------------------
# Instruction counts (--callgrind): the machine is noisy, instruction counts are not
# ---------------------------------------------------------------------------------

def callgrind_total(h, binary, load):
    """Runs `binary` under callgrind, applies `load(port)`, shuts the server down
    and returns the instructions it executed (user space only: the kernel's share
    of reads and writes is not counted)."""
    import socket
    import tempfile
    import time
    d = tempfile.mkdtemp(prefix="oxidis-callgrind-")
    out = os.path.join(d, "callgrind.out")
    port = h.free_port()
    p = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                          binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", d],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not h.ping(port, 2.0):
        if time.time() > deadline or p.poll() is not None:
            p.kill()
            h.die(f"{binary} did not start under valgrind")
        time.sleep(0.2)
    load(port)
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        try:
            s.recv(64)
        except OSError:
            pass
    p.wait(timeout=120)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    h.die(f"no callgrind summary in {out}")


def callgrind(args, h, oxidis_bin, redis_bin):
    """Instructions per operation, from the difference between a small and a large
    run (start-up and shutdown cancel out)."""
    tx_bin, sink_bin = build_examples(h.ROOT)
    small, large = args.requests // 5, args.requests
    rows = [("test", "oxidis Ir/op", "redis Ir/op", "ratio")]

    def tx_load(n):
        return lambda port: subprocess.run(
            [tx_bin, "-p", str(port), "-n", str(n), "-c", str(args.clients),
             "-k", str(args.tx_sets)], check=True, capture_output=True)

    def pub_load(n, subs):
        def run(port):
            sink = start_sink(h, sink_bin, port, subs)
            try:
                subprocess.run(publish_once(port, n, args.clients, 1), check=True,
                               capture_output=True)
            finally:
                stop_sink(sink)
        return run

    tests = []
    if args.multi:
        tests.append((f"MULTI + {args.tx_sets} SET + EXEC", tx_load))
    for subs in ([int(x) for x in args.publish.split(",")] if args.publish else []):
        tests.append((f"PUBLISH, {subs} subscribers",
                      lambda n, subs=subs: pub_load(n, subs)))
    for name, load in tests:
        per = {}
        for side, binary in (("oxidis", oxidis_bin), ("redis", redis_bin)):
            print(f"callgrind {name} {side} ...", file=sys.stderr, flush=True)
            a = callgrind_total(h, binary, load(small))
            b = callgrind_total(h, binary, load(large))
            per[side] = (b - a) / (large - small)
        rows.append((name, f"{per['oxidis']:,.0f}", f"{per['redis']:,.0f}",
                     f"{per['oxidis'] / per['redis']:.2f}"))
    return rows
