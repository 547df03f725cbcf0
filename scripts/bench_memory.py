"""Memory mode of scripts/bench (--memory): bytes per key, element or connection
after loading the same data into oxidis and redis-server.

For every shape, each server is started fresh (`--save "" --appendonly no`,
pinned to CPU 0), its VmRSS (/proc/PID/status) and INFO `used_memory` are read,
the load is sent with `redis-cli --pipe` (pinned to CPU 1) and checked (no
errors, one reply per command, DBSIZE), and both figures are read again after
a short settle. Reported per shape: the RSS growth and the used_memory growth
divided by the number of keys (elements, connections), for both servers, their
ratios oxidis/redis, and MEMORY USAGE of a loaded key (per key; per element for
the single big keys, with SAMPLES 0 so both count every element).

Shapes (`--shapes a,b,...` or `all`; N = --keys, keys are `key:0` .. `key:N-1`):

    string    N keys, 10-byte string values
    int       N keys, integer values (SET key:i i)
    hash3     N hashes: f1 v%05d f2 v2 f3 v3
    hash20    N hashes: field1 value1 .. field20 value20
    intset9   N sets of 9 integers (i*9 .. i*9+8)
    set10     N sets of 10 short strings (member:0 .. member:9)
    list10    N lists of 10 elements (item:0 .. item:9)
    zset10    N sorted sets of 10 members (member:J with score J)
    bighash   one hash of N fields (field:i -> i)
    bigset    one set of N members (member:i)
    biglist   one list of N elements (member:i)
    bigzset   one sorted set of N members (member:i with score i)
    stream    one stream of N entries, auto IDs, 2 fields (XADD stream * f1 i f2 value)
    conns     --conns idle connections (each sent one PING, then left idle)

The sorted-set shapes are skipped, with a note in the table, while oxidis does not
know ZADD, and the stream shape while it does not know XADD. The connection shape raises this process's open-file limit (the
servers inherit it) and passes `--maxclients` to both servers; if the hard limit
is too low it stops with an error saying so.
"""

import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SMALL = ("string", "int", "hash3", "hash20", "intset9", "set10", "list10", "zset10")
BIG = ("bighash", "bigset", "biglist", "bigzset", "stream")
ALL = SMALL + BIG + ("conns",)
ZSET = ("zset10", "bigzset")
STREAM = ("stream",)

# The old --type names, for the commands BENCHMARKS.md already lists.
TYPE_SHAPE = {"string": "string", "hash": "bighash", "set": "bigset", "list": "biglist",
              "zset": "bigzset", "stream": "stream"}

DESCRIBE = {
    "string": "{n} keys, 10-byte strings",
    "int": "{n} keys, integers",
    "hash3": "{n} hashes of 3 short fields",
    "hash20": "{n} hashes of 20 fields",
    "intset9": "{n} sets of 9 integers",
    "set10": "{n} sets of 10 short strings",
    "list10": "{n} lists of 10 elements",
    "zset10": "{n} sorted sets of 10 members",
    "bighash": "one hash of {n} fields",
    "bigset": "one set of {n} members",
    "biglist": "one list of {n} elements",
    "bigzset": "one sorted set of {n} members",
    "stream": "one stream of {n} entries (2 fields)",
    "conns": "{n} idle connections",
}


def parse_shapes(spec):
    if spec == "all":
        return list(ALL)
    out = []
    for s in spec.split(","):
        s = s.strip()
        if s not in ALL:
            raise ValueError(f"unknown shape {s!r} (known: all, {', '.join(ALL)})")
        out.append(s)
    return out


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def command_tail(args):
    """The RESP bytes of the arguments that are the same for every key."""
    return b"".join(bulk(a) for a in args)


def write_small(f, shape, n):
    """N keys of a small shape, one command per key. The arguments after the key are
    the same for every key (except hash3's first value and intset9's members), so
    they are encoded once. Returns the number of replies."""
    if shape == "string":
        for i in range(n):
            f.write(b"*3\r\n$3\r\nSET\r\n" + bulk(b"key:%d" % i) + bulk((b"%010d" % i)[-10:]))
        return n
    if shape == "int":
        for i in range(n):
            f.write(b"*3\r\n$3\r\nSET\r\n" + bulk(b"key:%d" % i) + bulk(b"%d" % i))
        return n
    if shape == "hash3":
        tail = command_tail([b"f2", b"v2", b"f3", b"v3"])
        for i in range(n):
            f.write(b"*8\r\n$4\r\nHSET\r\n" + bulk(b"key:%d" % i) + bulk(b"f1")
                    + bulk(b"v%05d" % (i % 100000)) + tail)
        return n
    if shape == "intset9":
        for i in range(n):
            f.write(b"*11\r\n$4\r\nSADD\r\n" + bulk(b"key:%d" % i)
                    + b"".join(bulk(b"%d" % (i * 9 + j)) for j in range(9)))
        return n
    if shape == "hash20":
        head, args = b"HSET", []
        for j in range(1, 21):
            args += [b"field%d" % j, b"value%d" % j]
    elif shape == "set10":
        head, args = b"SADD", [b"member:%d" % j for j in range(10)]
    elif shape == "list10":
        head, args = b"RPUSH", [b"item:%d" % j for j in range(10)]
    elif shape == "zset10":
        head, args = b"ZADD", []
        for j in range(10):
            args += [b"%d" % j, b"member:%d" % j]
    else:
        raise ValueError(shape)
    prefix = b"*%d\r\n" % (len(args) + 2) + bulk(head)
    tail = command_tail(args)
    for i in range(n):
        f.write(prefix + bulk(b"key:%d" % i) + tail)
    return n


BIG_KEY = {"bighash": b"bighash", "bigset": b"bigset", "biglist": b"biglist",
           "bigzset": b"bigzset", "stream": b"stream"}


def write_big(f, shape, n):
    """One key with n small elements, 100 per command (a stream: one entry per
    XADD). Returns the number of replies."""
    key = BIG_KEY[shape]
    if shape == "stream":
        tail = command_tail([b"*", b"f1"])
        value2 = command_tail([b"f2", b"value"])
        for i in range(n):
            f.write(b"*7\r\n$4\r\nXADD\r\n" + bulk(key) + tail + bulk(b"%d" % i) + value2)
        return n
    replies = 0
    for start in range(0, n, 100):
        batch = range(start, min(n, start + 100))
        if shape == "biglist":
            args = [b"RPUSH", key] + [b"member:%d" % i for i in batch]
        elif shape == "bigset":
            args = [b"SADD", key] + [b"member:%d" % i for i in batch]
        elif shape == "bigzset":
            args = [b"ZADD", key]
            for i in batch:
                args += [b"%d" % i, b"member:%d" % i]
        else:
            args = [b"HSET", key]
            for i in batch:
                args += [b"field:%d" % i, b"%d" % i]
        f.write(b"*%d\r\n" % len(args) + command_tail(args))
        replies += 1
    return replies


def used_memory(c):
    return int(c.info("memory")["used_memory"])


def knows(h, oxidis_bin, *probe):
    """Whether oxidis serves a command (its command table may list commands it does
    not serve yet, so ask the command itself)."""
    srv = h.Server("oxidis", oxidis_bin)
    try:
        c = h.Conn(srv.port)
        r = c.cmd(*probe)
        c.close()
        return not (isinstance(r, RuntimeError) and "unknown command" in str(r))
    finally:
        srv.stop()


def memory_usage(c, shape, n):
    """MEMORY USAGE per key (small shapes: mean of 5 keys spread over the load) or
    per element (big shapes: the whole key, SAMPLES 0)."""
    if shape in BIG:
        r = c.cmd("MEMORY", "USAGE", BIG_KEY[shape], "SAMPLES", "0")
        return r / n if isinstance(r, int) else None
    vals = []
    for i in sorted({0, n // 4, n // 2, 3 * n // 4, n - 1}):
        r = c.cmd("MEMORY", "USAGE", f"key:{i}")
        if not isinstance(r, int):
            return None
        vals.append(r)
    return sum(vals) / len(vals)


def load_side(h, side, binary, shape, n, pipe_file, replies):
    srv = h.Server(side, binary)
    try:
        c = h.Conn(srv.port)
        time.sleep(0.2)
        rss0, used0 = srv.rss_bytes(), used_memory(c)
        with open(pipe_file, "rb") as f:
            res = subprocess.run(h.pinned(1, ["redis-cli", "-h", "127.0.0.1", "-p",
                                              str(srv.port), "--pipe"]), stdin=f,
                                 capture_output=True, text=True, timeout=1800)
        if res.returncode != 0 or f"errors: 0, replies: {replies}" not in res.stdout:
            h.die(f"{side} {shape}: --pipe load failed:\n{res.stdout}{res.stderr}")
        want = n if shape in SMALL else 1
        if c.cmd("DBSIZE") != want:
            h.die(f"{side} {shape}: DBSIZE is not {want} after the load")
        time.sleep(0.5)
        rss1, used1 = srv.rss_bytes(), used_memory(c)
        usage = memory_usage(c, shape, n)
        c.close()
    finally:
        srv.stop()
    return {"rss": (rss1 - rss0) / n, "used": (used1 - used0) / n, "usage": usage}


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return
    if hard != resource.RLIM_INFINITY and hard < need:
        raise SystemExit(f"bench: conns needs {need} open files, but the hard limit "
                         f"(ulimit -Hn) is {hard}; raise it (e.g. in "
                         "/etc/security/limits.conf, or run as root with "
                         f"`ulimit -n {need}`) or pass a smaller --conns")
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))


def conns_side(h, side, binary, n, settle):
    """Opens n connections, each sends PING and reads PONG (so the server has
    accepted it and built its client state), then all stay idle for `settle`
    seconds before RSS and used_memory are read. Also returns INFO
    mem_clients_normal per connection."""
    srv = h.Server(side, binary, extra=["--maxclients", str(n + 64)])
    socks = []
    try:
        c = h.Conn(srv.port)
        time.sleep(0.2)
        rss0, used0 = srv.rss_bytes(), used_memory(c)
        clients0 = int(c.info("memory").get("mem_clients_normal", 0))
        for start in range(0, n, 200):
            batch = []
            for _ in range(min(200, n - start)):
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
                s.sendall(b"PING\r\n")
                batch.append(s)
            for s in batch:
                buf = b""
                while not buf.endswith(b"\r\n"):
                    chunk = s.recv(64)
                    if not chunk:
                        h.die(f"{side}: connection {len(socks)} closed: "
                              "maxclients or the open-file limit?")
                    buf += chunk
                if buf != b"+PONG\r\n":
                    h.die(f"{side}: connection {len(socks)} got {buf!r}")
                socks.append(s)
        connected = int(c.info("clients")["connected_clients"])
        if connected != n + 1:
            h.die(f"{side}: connected_clients is {connected}, not {n + 1}")
        time.sleep(settle)
        rss1, used1 = srv.rss_bytes(), used_memory(c)
        clients1 = int(c.info("memory").get("mem_clients_normal", 0))
        c.close()
    finally:
        for s in socks:
            s.close()
        srv.stop()
    return {"rss": (rss1 - rss0) / n, "used": (used1 - used0) / n,
            "usage": (clients1 - clients0) / n}


def ratio(o, r):
    return f"{o / r:.2f}" if r else "n/a"


def memory(args, h, oxidis_bin, redis_bin):
    shapes = parse_shapes(args.shapes) if args.shapes else [TYPE_SHAPE[args.type]]
    n = args.keys
    notes = []
    skip_zset = (any(s in ZSET for s in shapes)
                 and not knows(h, oxidis_bin, "ZADD", "bench:probe", "1", "a"))
    skip_stream = (any(s in STREAM for s in shapes)
                   and not knows(h, oxidis_bin, "XADD", "bench:probe", "*", "f", "v"))
    if "conns" in shapes:
        raise_nofile(args.conns + 256)
    table = [("shape", "RSS/unit oxidis", "RSS/unit redis", "RSS ratio",
              "used_memory/unit oxidis", "used_memory/unit redis", "used_memory ratio",
              "MEMORY USAGE oxidis / redis")]
    tmp = tempfile.mkdtemp(prefix="oxidis-bench-mem-")
    try:
        for shape in shapes:
            count = args.conns if shape == "conns" else n
            label = DESCRIBE[shape].format(n=f"{count:,}")
            if shape in ZSET and skip_zset:
                table.append((label, "skipped: oxidis does not know ZADD yet", "", "",
                              "", "", "", ""))
                notes.append(f"- {label}: skipped, oxidis answers ZADD with "
                             "\"unknown command\".")
                continue
            if shape in STREAM and skip_stream:
                table.append((label, "skipped: oxidis does not know XADD yet", "", "",
                              "", "", "", ""))
                notes.append(f"- {label}: skipped, oxidis answers XADD with "
                             "\"unknown command\".")
                continue
            print(f"memory: {label} ...", flush=True, file=sys.stderr)
            res = {}
            if shape == "conns":
                for side, binary in (("oxidis", oxidis_bin), ("redis", redis_bin)):
                    res[side] = conns_side(h, side, binary, count, args.conn_settle)
            else:
                pipe_file = os.path.join(tmp, f"{shape}.resp")
                with open(pipe_file, "wb") as f:
                    replies = (write_small if shape in SMALL else write_big)(f, shape, n)
                for side, binary in (("oxidis", oxidis_bin), ("redis", redis_bin)):
                    res[side] = load_side(h, side, binary, shape, n, pipe_file, replies)
                os.unlink(pipe_file)
            o, r = res["oxidis"], res["redis"]

            def usage(x):
                return "n/a" if x is None else f"{x:,.1f}"

            table.append((label, f"{o['rss']:,.1f}", f"{r['rss']:,.1f}",
                          ratio(o["rss"], r["rss"]), f"{o['used']:,.1f}",
                          f"{r['used']:,.1f}", ratio(o["used"], r["used"]),
                          f"{usage(o['usage'])} / {usage(r['usage'])}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    notes = [
        "Units: bytes per key for the N-key shapes, per element for the single big "
        "keys, per connection for the idle connections. MEMORY USAGE is per key "
        "(mean of 5 keys spread over the load) or per element (the whole key with "
        "SAMPLES 0); for the connections that column is INFO mem_clients_normal per "
        f"connection instead (measured after {args.conn_settle:g} s idle).",
        "",
    ] + notes + ([""] if notes else [])
    return table, notes
