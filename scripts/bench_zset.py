"""Sorted-set and geo mode of scripts/bench (--zset): issue 14's set of
operations, which redis-benchmark's -t list does not have, as custom commands.

Both servers start once (pinned to CPU 0, redis-benchmark to CPU 1). In every
round, before each server's turn, it is emptied (FLUSHALL) and loaded through
`redis-cli --pipe` with a sorted set `bench:z` of --keys members `m:%012d`
(score i) and a geo index `bench:geo` of --keys points `p:%012d`, uniformly
random (fixed seed) over 4 x 2 degrees around Paris (about 290 x 220 km; a
2 km radius holds about 20 points). Then each command runs as

    redis-benchmark -n N -c C -P DEPTH -r KEYS -q --csv COMMAND...

(`__rand_int__` becomes a random 12-digit number below KEYS, so it names a
loaded member), in the order below; ZPOPMIN runs last and at most KEYS/2 times,
so it never empties the set. Reported: the median requests/s per command and
depth over the rounds, and the ratio oxidis/redis.
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile

TESTS = [
    ("ZADD (random members)", ["ZADD", "bench:z", "__rand_int__", "m:__rand_int__"]),
    ("ZINCRBY", ["ZINCRBY", "bench:z", "1", "m:__rand_int__"]),
    ("ZRANK", ["ZRANK", "bench:z", "m:__rand_int__"]),
    ("ZSCORE", ["ZSCORE", "bench:z", "m:__rand_int__"]),
    ("ZRANGE 0 99 WITHSCORES", ["ZRANGE", "bench:z", "0", "99", "WITHSCORES"]),
    ("ZRANGEBYSCORE LIMIT 0 10", ["ZRANGEBYSCORE", "bench:z", "__rand_int__", "+inf",
                                  "LIMIT", "0", "10"]),
    ("GEOSEARCH BYRADIUS 2 km", ["GEOSEARCH", "bench:geo", "FROMMEMBER", "p:__rand_int__",
                                 "BYRADIUS", "2", "km"]),
    ("GEOSEARCH BYBOX 4x4 km COUNT 10", ["GEOSEARCH", "bench:geo", "FROMMEMBER",
                                         "p:__rand_int__", "BYBOX", "4", "4", "km",
                                         "COUNT", "10"]),
    ("ZPOPMIN", ["ZPOPMIN", "bench:z"]),
]


def write_load(path, keys):
    rnd = random.Random(14)
    with open(path, "wb") as f:
        def cmd(args):
            f.write(b"*%d\r\n" % len(args) + b"".join(
                b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
        for start in range(0, keys, 100):
            batch = range(start, min(keys, start + 100))
            z, g = [b"ZADD", b"bench:z"], [b"GEOADD", b"bench:geo"]
            for i in batch:
                z += [b"%d" % i, b"m:%012d" % i]
                g += [b"%.6f" % rnd.uniform(0.35, 4.35), b"%.6f" % rnd.uniform(47.85, 49.85),
                      b"p:%012d" % i]
            cmd(z)
            cmd(g)
    return 2 * ((keys + 99) // 100)


def load(h, srv, path, replies):
    c = h.Conn(srv.port)
    c.cmd("FLUSHALL")
    c.close()
    with open(path, "rb") as f:
        res = subprocess.run(h.pinned(1, ["redis-cli", "-h", "127.0.0.1", "-p",
                                          str(srv.port), "--pipe"]), stdin=f,
                             capture_output=True, text=True, timeout=600)
    if res.returncode != 0 or f"errors: 0, replies: {replies}" not in res.stdout:
        h.die(f"{srv.name}: --pipe load failed:\n{res.stdout}{res.stderr}")


def run_one(h, port, argv, n, clients, depth, keys):
    cmd = h.pinned(1, ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(n),
                       "-c", str(clients), "-P", str(depth), "-r", str(keys), "-q",
                       "--csv"] + argv)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
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


def zset_bench(args, h, oxidis_bin, redis_bin):
    depths = [int(d) for d in args.pipeline.split(",")]
    tmp = tempfile.mkdtemp(prefix="oxidis-bench-zset-")
    path = os.path.join(tmp, "load.resp")
    replies = write_load(path, args.keys)
    servers = {"oxidis": h.Server("oxidis", oxidis_bin), "redis": h.Server("redis", redis_bin)}
    results = {}
    try:
        for rnd in range(args.rounds):
            order = ("oxidis", "redis") if rnd % 2 == 0 else ("redis", "oxidis")
            for side in order:
                srv = servers[side]
                print(f"round {rnd + 1}/{args.rounds} {side} ...", file=sys.stderr, flush=True)
                load(h, srv, path, replies)
                for depth in depths:
                    for name, argv in TESTS:
                        n = args.requests
                        if name == "ZPOPMIN":
                            n = min(n, args.keys // 2 // len(depths))
                        rps = run_one(h, srv.port, argv, n, args.clients, depth, args.keys)
                        results.setdefault((name, depth, side), []).append(rps)
                if srv.proc.poll() is not None:
                    h.die(f"{side} exited during the benchmark; see {srv.dir}")
    finally:
        for srv in servers.values():
            srv.stop()
        os.unlink(path)
        os.rmdir(tmp)
    table = [("test", "-P", "oxidis rps", "redis rps", "ratio")]
    for depth in depths:
        for name, _ in TESTS:
            o = statistics.median(results[(name, depth, "oxidis")])
            r = statistics.median(results[(name, depth, "redis")])
            table.append((name, str(depth), f"{o:,.0f}", f"{r:,.0f}",
                          f"{o / r:.2f}" if r else "n/a"))
    return table
