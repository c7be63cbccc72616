"""redis-py against a running shoal-server: RESP2 and RESP3, pipelines,
transactions and pub/sub, as an application would use them.

Usage: python3 redis_py_suite.py PORT [PORT_OF_REFERENCE_REDIS]
Exits non-zero on the first failed check.
"""
import sys
import time

import redis


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def basic(r):
    r.flushall()
    check(r.set("greeting", "hello") is True, "SET returns True")
    check(r.get("greeting") == b"hello", "GET")
    check(r.incr("counter") == 1 and r.incrby("counter", 41) == 42, "INCR/INCRBY")
    check(r.incrbyfloat("f", 0.5) == 0.5, "INCRBYFLOAT")
    check(r.mget("greeting", "nokey", "counter") == [b"hello", None, b"42"], "MGET")
    check(r.set("tmp", "x", px=100000) and 0 < r.pttl("tmp") <= 100000, "SET PX / PTTL")
    check(r.expire("tmp", 10) and r.ttl("tmp") in (9, 10), "EXPIRE / TTL")
    check(r.persist("tmp") and r.ttl("tmp") == -1, "PERSIST")
    check(r.exists("greeting", "nokey", "greeting") == 2, "EXISTS counts repeats")
    check(r.type("greeting") == b"string", "TYPE")
    check(sorted(r.keys("*")) == [b"counter", b"f", b"greeting", b"tmp"], "KEYS")
    check(sorted(r.scan_iter(count=2)) == [b"counter", b"f", b"greeting", b"tmp"], "SCAN iterates all")
    check(r.dbsize() == 4, "DBSIZE")
    check(r.delete("tmp", "nokey") == 1, "DEL")
    try:
        r.incr("greeting")
        check(False, "INCR on a non-integer must fail")
    except redis.ResponseError as e:
        check(str(e) == "value is not an integer or out of range", f"error text: {e}")
    check(r.lcs("greeting", "greeting") == b"hello", "LCS")


def newer_families(r):
    """Bit commands, HyperLogLog, geo, SORT, client tracking, MEMORY and
    LATENCY through redis-py's own helpers and reply parsers."""
    r.flushall()
    check(r.setbit("bits", 7, 1) == 0 and r.getbit("bits", 7) == 1, "SETBIT/GETBIT")
    check(r.bitcount("bits") == 1 and r.bitpos("bits", 1) == 7, "BITCOUNT/BITPOS")
    check(r.bitfield("bf").incrby("u8", 0, 300).get("u8", 0).execute() == [44, 44], "BITFIELD wraps")
    check(r.pfadd("hll", *[f"u{i}" for i in range(1000)]) == 1, "PFADD")
    check(990 <= r.pfcount("hll") <= 1010, "PFCOUNT close to 1000")
    check(r.pfmerge("hll2", "hll") is True and r.pfcount("hll2") == r.pfcount("hll"), "PFMERGE")
    check(r.geoadd("sicily", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"]) == 2, "GEOADD")
    check(round(r.geodist("sicily", "Palermo", "Catania", unit="km"), 4) == 166.2742, "GEODIST km")
    near = r.geosearch("sicily", longitude=15, latitude=37, radius=200, unit="km", withdist=True, sort="ASC")
    check([m for m, _ in near] == [b"Catania", b"Palermo"], f"GEOSEARCH order: {near}")
    check(r.geohash("sicily", "Palermo") in ([b"sqc8b49rny0"], ["sqc8b49rny0"]), "GEOHASH")
    r.rpush("nums", 3, 1, 2)
    check(r.sort("nums") == [b"1", b"2", b"3"] and r.sort("nums", desc=True, start=0, num=1) == [b"3"], "SORT")
    check(r.sort("nums", store="sorted") == 3 and r.lrange("sorted", 0, -1) == [b"1", b"2", b"3"], "SORT STORE")
    stats = r.memory_stats()
    check("keys.count" in stats and stats["keys.count"] >= 7, f"MEMORY STATS: {stats.get('keys.count')}")
    check(isinstance(r.execute_command("LATENCY", "HISTOGRAM", "set"), (list, dict)), "LATENCY HISTOGRAM")


def client_tracking(port):
    """Server-assisted client-side caching on a RESP3 connection, read by
    redis-py's own parser: its invalidation push handler gets the message
    when another client changes a key this connection read."""
    seen = []
    conn = redis.Connection(port=port, protocol=3)
    conn.connect()
    conn._parser.set_invalidation_push_handler(seen.append)
    writer = redis.Redis(port=port)

    def call(*args):
        conn.send_command(*args)
        return conn.read_response()

    check(call("CLIENT", "TRACKING", "ON") in (b"OK", "OK"), "CLIENT TRACKING ON")
    writer.set("cached", "1")
    check(call("GET", "cached") == b"1", "GET while tracking")
    writer.set("cached", "2")
    deadline = time.time() + 5
    while not seen and time.time() < deadline:
        call("PING")
    check(seen and seen[0][0] in (b"invalidate", "invalidate"), f"invalidation push: {seen}")
    check(seen[0][1] == [b"cached"], f"invalidated keys: {seen}")
    conn.disconnect()
    writer.close()


def pipelines(r):
    r.flushall()
    p = r.pipeline(transaction=False)
    for i in range(1000):
        p.set(f"k{i}", i)
    for i in range(1000):
        p.get(f"k{i}")
    out = p.execute()
    check(out[:1000] == [True] * 1000, "pipelined SETs")
    check(out[1000:] == [str(i).encode() for i in range(1000)], "pipelined GETs")
    t = r.pipeline(transaction=True)
    t.incr("tx").incr("tx").get("tx")
    check(t.execute() == [1, 2, b"2"], "MULTI/EXEC pipeline")
    with r.pipeline() as w:
        w.watch("tx")
        w.multi()
        w.set("tx", 10)
        check(w.execute() == [True], "WATCH without interference")


def watch_conflict(r, r2):
    r.set("w", 1)
    with r.pipeline() as w:
        w.watch("w")
        r2.set("w", 2)
        w.multi()
        w.set("w", 3)
        try:
            w.execute()
            check(False, "EXEC after a touched WATCH must abort")
        except redis.WatchError:
            pass


def pubsub(r, r2):
    p = r.pubsub()
    p.subscribe("news")
    p.psubscribe("n*")
    deadline = time.time() + 5
    confirmations = 0
    while confirmations < 2 and time.time() < deadline:
        m = p.get_message(timeout=1)
        if m and m["type"] in ("subscribe", "psubscribe"):
            confirmations += 1
    check(r2.publish("news", "hi") == 2, "PUBLISH reaches channel and pattern")
    got = []
    while len(got) < 2 and time.time() < deadline:
        m = p.get_message(timeout=1)
        if m and m["type"] in ("message", "pmessage"):
            got.append((m["type"], m["channel"], m["data"]))
    check(sorted(got) == [("message", b"news", b"hi"), ("pmessage", b"news", b"hi")], f"messages {got}")
    check(r2.pubsub_numsub("news") == [(b"news", 1)], "PUBSUB NUMSUB")
    p.close()


def main():
    port = int(sys.argv[1])
    for proto in (2, 3):
        r = redis.Redis(port=port, protocol=proto)
        r2 = redis.Redis(port=port, protocol=proto)
        check(r.ping() is True, "PING")
        if proto == 3:
            hello = r.execute_command("HELLO", 3)
            for field in (b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"):
                check(field in hello or field.decode() in hello, f"HELLO field {field}")
        basic(r)
        pipelines(r)
        watch_conflict(r, r2)
        pubsub(r, r2)
        newer_families(r)
        r.close()
        r2.close()
    client_tracking(port)
    print("redis-py suite passed")


if __name__ == "__main__":
    main()
