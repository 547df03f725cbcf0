"""Bitmap/HyperLogLog mode (--bitmap, issue 15) and stream mode (--stream,
issue 16) of scripts/bench: operations redis-benchmark's -t list does not have.

Both servers start once (pinned to CPU 0; the load generators to CPU 1). In every
round, before each server's turn, it is emptied (FLUSHALL) and loaded through
`redis-cli --pipe`; then each test runs for every pipeline depth, in the order
below. The order of the two servers alternates from round to round. Reported:
the median requests/s per test and depth over the rounds, and the ratio
oxidis/redis.

Two load generators, both one thread with C connections and P requests in
flight per connection:

- `redis-benchmark -n N -c C -P DEPTH -r R -q --csv COMMAND...` where the
  command needs no number without leading zeros (`__rand_int__` becomes 12
  zero-padded digits below R);
- `examples/cmdbench` (Rust, mio) where it does: SETBIT/GETBIT reject a
  zero-padded offset, so `__rand__` becomes a plain decimal number below R; and
  for the consumer-group worker loop, which redis-benchmark cannot express
  (each connection reads one entry with XREADGROUP ... COUNT 1 ... > and
  acknowledges it with XACK in its next batch; one operation = XREADGROUP +
  XACK).

Bitmap load: `bench:bm` a 16 MB bitmap (SETRANGE bench:bm 16777215 "\\x01", the
bytes of SETBIT bench:bm 134217727 1), `bench:1mb`
a 1 MB string of pseudo-random bytes, `bench:hll1..3` HyperLogLogs of 20,000
elements each (dense). PFADD adds 10 random elements per call to `bench:hll`
(sparse at first, dense after a few thousand). BITCOUNT and PFCOUNT of 3 keys
run -n/10 requests.

Stream load: `bench:s`, --keys entries with IDs 1-0 .. KEYS-0 and two fields
(`f1 <i> f2 value`); XRANGE and XREAD read 10 entries after a random ID of it.
XADD appends to `bench:x1` / `bench:x5` (auto ID). Before each worker-loop run,
`bench:q` gets N + C*P fresh entries and a group `g` at 0.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile

BITMAP_BITS = 16 * 1024 * 1024 * 8

# (name, generator, range, argv): generator "rb" = redis-benchmark, "cb" =
# examples/cmdbench with __rand__, "worker" = cmdbench --worker KEY GROUP.
# The tests in SLOW take a tenth of -n requests (each is 1000x a small one).
SLOW = ("BITCOUNT (1 MB)", "PFCOUNT 3 keys")
BITMAP_TESTS = [
    ("SETBIT random offset (16 MB)", "cb", BITMAP_BITS, ["SETBIT", "bench:bm", "__rand__", "1"]),
    ("GETBIT random offset (16 MB)", "cb", BITMAP_BITS, ["GETBIT", "bench:bm", "__rand__"]),
    ("BITCOUNT (1 MB)", "rb", 0, ["BITCOUNT", "bench:1mb"]),
    ("PFADD 10 elements", "rb", 1000000,
     ["PFADD", "bench:hll"] + ["e:__rand_int__"] * 10),
    ("PFCOUNT 1 key", "rb", 0, ["PFCOUNT", "bench:hll1"]),
    ("PFCOUNT 3 keys", "rb", 0, ["PFCOUNT", "bench:hll1", "bench:hll2", "bench:hll3"]),
]

STREAM_TESTS = [
    ("XADD * 1 field", "rb", 1000000, ["XADD", "bench:x1", "*", "field", "v__rand_int__"]),
    ("XADD * 5 fields", "rb", 1000000,
     ["XADD", "bench:x5", "*", "f1", "v__rand_int__", "f2", "value2", "f3", "value3",
      "f4", "value4", "f5", "value5"]),
    ("XRANGE COUNT 10", "cb", None, ["XRANGE", "bench:s", "__rand__", "+", "COUNT", "10"]),
    ("XREAD COUNT 10", "cb", None, ["XREAD", "COUNT", "10", "STREAMS", "bench:s", "__rand__"]),
    ("XREADGROUP + XACK worker", "worker", 0, ["bench:q", "g"]),
]


def cmd_bytes(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def write_bitmap_load(path):
    rnd = random.Random(15)
    replies = 0
    with open(path, "wb") as f:
        # SETBIT bench:bm BITS-1 1, written as the same bytes with SETRANGE
        f.write(cmd_bytes([b"SETRANGE", b"bench:bm", b"%d" % (BITMAP_BITS // 8 - 1), b"\x01"]))
        f.write(cmd_bytes([b"SET", b"bench:1mb", rnd.randbytes(1024 * 1024)]))
        replies += 2
        for k in (1, 2, 3):
            for start in range(0, 20000, 100):
                f.write(cmd_bytes([b"PFADD", b"bench:hll%d" % k]
                                  + [b"m:%d:%d" % (k, i) for i in range(start, start + 100)]))
                replies += 1
    return replies


def write_stream_load(path, keys):
    with open(path, "wb") as f:
        for i in range(1, keys + 1):
            f.write(cmd_bytes([b"XADD", b"bench:s", b"%d-0" % i, b"f1", b"%d" % i,
                               b"f2", b"value"]))
    return keys


def write_queue_load(path, n):
    with open(path, "wb") as f:
        f.write(cmd_bytes([b"DEL", b"bench:q"]))
        for i in range(1, n + 1):
            f.write(cmd_bytes([b"XADD", b"bench:q", b"%d-0" % i, b"job", b"%d" % i]))
        f.write(cmd_bytes([b"XGROUP", b"CREATE", b"bench:q", b"g", b"0"]))
    return n + 2


def pipe(h, srv, path, replies, flush, fatal=True):
    """Loads `path` with redis-cli --pipe; a failed load stops the bench, or with
    fatal=False returns its error text (None when it worked)."""
    if flush:
        c = h.Conn(srv.port)
        c.cmd("FLUSHALL")
        c.close()
    with open(path, "rb") as f:
        res = subprocess.run(h.pinned(1, ["redis-cli", "-h", "127.0.0.1", "-p",
                                          str(srv.port), "--pipe"]), stdin=f,
                             capture_output=True, text=True, timeout=600)
    if res.returncode != 0 or f"errors: 0, replies: {replies}" not in res.stdout:
        if fatal:
            h.die(f"{srv.name}: --pipe load failed:\n{res.stdout}{res.stderr}")
        return "load failed: " + " ".join(res.stdout.split("\n")[-2:]).strip()
    return None


def probe(h, port, gen, argv):
    """One request of the test by hand, because redis-benchmark counts error
    replies (an unknown command) as requests served. Returns the error text or
    None. The worker loop's probe (XINFO GROUPS, XACK of an ID never delivered)
    reads nothing from the queue."""
    c = h.Conn(port)
    try:
        if gen == "worker":
            key, group = argv
            r = c.cmd("XINFO", "GROUPS", key)
            if not isinstance(r, Exception):
                r = c.cmd("XACK", key, group, "0-1")
        else:
            r = c.cmd(*[a.replace("__rand_int__", "000000000001").replace("__rand__", "1")
                        for a in argv])
    finally:
        c.close()
    return str(r) if isinstance(r, Exception) else None


def redis_benchmark(h, port, argv, n, clients, depth, rng):
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(n),
           "-c", str(clients), "-P", str(depth), "-q", "--csv"]
    if rng:
        cmd += ["-r", str(rng)]
    res = subprocess.run(h.pinned(1, cmd + argv), capture_output=True, text=True,
                         timeout=1800)
    if res.returncode != 0:
        h.die(f"redis-benchmark failed ({res.returncode}): {res.stderr}")
    for line in res.stdout.splitlines():
        cols = [c.strip('"') for c in line.strip().split('","')]
        if len(cols) >= 2 and cols[0] != "test":
            try:
                return float(cols[1])
            except ValueError:
                pass
    h.die(f"no result from redis-benchmark:\n{res.stdout}{res.stderr}")


def cmdbench(h, binary, port, argv, n, clients, depth, rng, worker):
    cmd = [binary, "-p", str(port), "-n", str(n), "-c", str(clients), "-P", str(depth)]
    cmd += ["--worker"] + argv if worker else ["-r", str(rng)] + argv
    res = subprocess.run(h.pinned(1, cmd), capture_output=True, text=True, timeout=1800)
    if res.returncode != 0:
        return None, (res.stderr.strip() or res.stdout.strip())
    for part in res.stdout.split(","):
        if "requests/s:" in part:
            return float(part.split(":")[1]), None
    h.die(f"no result from cmdbench:\n{res.stdout}{res.stderr}")


def build_cmdbench(root):
    subprocess.run(["cargo", "build", "--release", "--example", "cmdbench"], cwd=root,
                   check=True)
    return os.path.join(root, "target", "release", "examples", "cmdbench")


def types_bench(args, h, oxidis_bin, redis_bin, kind):
    """kind: "bitmap" or "stream". Returns (table, notes)."""
    depths = [int(d) for d in args.pipeline.split(",")]
    tests = BITMAP_TESTS if kind == "bitmap" else STREAM_TESTS
    cb = build_cmdbench(h.ROOT)
    tmp = tempfile.mkdtemp(prefix=f"oxidis-bench-{kind}-")
    load_path = os.path.join(tmp, "load.resp")
    queue_paths = {}
    for depth in depths:
        queue_paths[depth] = os.path.join(tmp, f"queue-{depth}.resp")
        if kind == "stream":
            write_queue_load(queue_paths[depth], args.requests + args.clients * depth)
    if kind == "bitmap":
        replies = write_bitmap_load(load_path)
    else:
        replies = write_stream_load(load_path, args.keys)
    servers = {"oxidis": h.Server("oxidis", oxidis_bin), "redis": h.Server("redis", redis_bin)}
    results, failures = {}, {}
    try:
        for rnd in range(args.rounds):
            order = ("oxidis", "redis") if rnd % 2 == 0 else ("redis", "oxidis")
            for side in order:
                srv = servers[side]
                print(f"round {rnd + 1}/{args.rounds} {side} ...", file=sys.stderr,
                      flush=True)
                pipe(h, srv, load_path, replies, flush=True)
                for depth in depths:
                    for name, gen, rng, argv in tests:
                        key = (name, depth, side)
                        n = args.requests // 10 if name in SLOW else args.requests
                        if key in failures:
                            continue
                        err = None
                        if gen == "worker":
                            err = pipe(h, srv, queue_paths[depth], args.requests
                                       + args.clients * depth + 2, flush=False,
                                       fatal=False)
                        err = err or probe(h, srv.port, gen, argv)
                        if err is None and gen == "rb":
                            rps = redis_benchmark(h, srv.port, argv, n,
                                                  args.clients, depth, rng)
                        elif err is None:
                            rps, err = cmdbench(h, cb, srv.port, argv, n,
                                                args.clients, depth,
                                                rng if rng is not None else args.keys,
                                                gen == "worker")
                        if err is not None:
                            failures[key] = err
                            print(f"  {side} {name} -P {depth}: {err}", file=sys.stderr)
                            continue
                        results.setdefault(key, []).append(rps)
                if srv.proc.poll() is not None:
                    h.die(f"{side} exited during the benchmark; see {srv.dir}")
    finally:
        for srv in servers.values():
            srv.stop()
        for p in [load_path] + list(queue_paths.values()):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(tmp)
    table = [("test", "-P", "oxidis rps", "redis rps", "ratio")]
    notes = []
    for depth in depths:
        for name, *_ in tests:
            cells = []
            for side in ("oxidis", "redis"):
                v = results.get((name, depth, side))
                cells.append(statistics.median(v) if v else None)
            o, r = cells
            table.append((name, str(depth),
                          f"{o:,.0f}" if o is not None else "failed",
                          f"{r:,.0f}" if r is not None else "failed",
                          f"{o / r:.2f}" if o and r else "n/a"))
    for (name, depth, side), err in failures.items():
        notes.append(f"- {side}, {name} -P {depth}: failed: {err}")
    if notes:
        notes.append("")
    return table, notes
