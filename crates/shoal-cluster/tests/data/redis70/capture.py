#!/usr/bin/env python3
"""Capture golden vectors from real redis-server 7.0 cluster nodes.

Starts redis-server processes on free 127.0.0.1 ports in a temp dir, builds
clusters with redis-cli --cluster create, records nodes.conf files and raw RESP
replies, and kills every server it started (by pid) on exit, even on failure.
"""
import os, socket, subprocess, sys, tempfile, time, shutil, signal

OUT = sys.argv[1]
PROCS = []

def free_port():
    # Data port P and bus port P+10000 must both be free.
    while True:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
        if p + 10000 > 65535 or p < 20000:
            continue
        try:
            t = socket.socket(); t.bind(("127.0.0.1", p + 10000)); t.close()
            return p
        except OSError:
            continue

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
    def _fill(self):
        d = self.s.recv(65536)
        if not d: raise EOFError
        self.buf += d
    def _line(self):
        while b"\r\n" not in self.buf: self._fill()
        i = self.buf.index(b"\r\n"); l = self.buf[:i + 2]; self.buf = self.buf[i + 2:]; return l
    def _exact(self, n):
        while len(self.buf) < n: self._fill()
        d = self.buf[:n]; self.buf = self.buf[n:]; return d
    def read_reply(self):
        l = self._line(); t = l[:1]
        if t in b"+-:_,#(":
            return l
        if t in b"$=":
            n = int(l[1:-2])
            return l if n < 0 else l + self._exact(n + 2)
        if t in b"*~>%|":
            n = int(l[1:-2])
            if n < 0: return l
            if t in b"%|": n *= 2
            out = l
            for _ in range(n): out += self.read_reply()
            return out
        raise ValueError(l)
    def cmd(self, *args):
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(req)
        return self.read_reply()

def text(reply):
    # Payload of a bulk / verbatim / status reply.
    if reply[:1] == b"$":
        return reply.split(b"\r\n", 1)[1][:-2].decode()
    if reply[:1] == b"=":
        return reply.split(b"\r\n", 1)[1][4:-2].decode()
    return reply[1:-2].decode()

def start(d, port, extra=()):
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
            "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "3000",
            "--save", "", "--appendonly", "no", "--dir", d, "--logfile", f"{d}/log-{port}.txt", *extra]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(p)
    deadline = time.time() + 10
    while True:
        try:
            c = Conn(port)
            if c.cmd("PING") == b"+PONG\r\n": return p, c
        except OSError:
            pass
        if time.time() > deadline: raise RuntimeError(f"server {port} did not start")
        time.sleep(0.05)

def wait_for(cond, what, timeout=60):
    deadline = time.time() + timeout
    while not cond():
        if time.time() > deadline: raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.1)

def save(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(data if isinstance(data, bytes) else data.encode())

def esc(b):
    return b.decode("latin-1").replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")

def run_script(conn, lines, path):
    # Each entry: "> argv..." then "< raw reply with \r \n escaped".
    out = []
    for line in lines:
        args = line.split(" ")
        r = conn.cmd(*args)
        out.append("> " + line + "\n< " + esc(r) + "\n")
    save(path, "".join(out))

def capture_views(conns, ports, d, sub):
    for port, c in zip(ports, conns):
        c.cmd("CLUSTER", "SAVECONFIG")
    # Take the file and the replies as close together as possible.
    for i, (port, c) in enumerate(zip(ports, conns)):
        base = f"{OUT}/{sub}/node{i}"
        save(f"{base}.nodes.conf", open(f"{d}/nodes-{port}.conf", "rb").read())
        r2 = Conn(port); r3 = Conn(port); r3.cmd("HELLO", "3")
        save(f"{base}.cluster-nodes.txt", text(r2.cmd("CLUSTER", "NODES")))
        save(f"{base}.cluster-nodes.resp3", r3.cmd("CLUSTER", "NODES"))
        save(f"{base}.cluster-slots.resp2", r2.cmd("CLUSTER", "SLOTS"))
        save(f"{base}.cluster-slots.resp3", r3.cmd("CLUSTER", "SLOTS"))
        save(f"{base}.cluster-shards.resp2", r2.cmd("CLUSTER", "SHARDS"))
        save(f"{base}.cluster-shards.resp3", r3.cmd("CLUSTER", "SHARDS"))
        save(f"{base}.cluster-info.txt", text(r2.cmd("CLUSTER", "INFO")))
        save(f"{base}.cluster-info.resp3", r3.cmd("CLUSTER", "INFO"))
        save(f"{base}.cluster-nodes-again.txt", text(r2.cmd("CLUSTER", "NODES")))

def cluster_ok(conns, n):
    for c in conns:
        info = text(c.cmd("CLUSTER", "INFO"))
        if "cluster_state:ok" not in info or f"cluster_known_nodes:{n}\r" not in info: return False
        nodes = text(c.cmd("CLUSTER", "NODES"))
        if "disconnected" in nodes or "handshake" in nodes or "fail" in nodes: return False
    return True

def my_id(c): return text(c.cmd("CLUSTER", "MYID"))

def scenario_three_masters(d):
    ports = [free_port() for _ in range(3)]
    conns = [start(d, p)[1] for p in ports]
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
                    "--cluster-replicas", "0", "--cluster-yes"], check=True,
                   stdout=subprocess.DEVNULL)
    wait_for(lambda: cluster_ok(conns, 3), "3 masters ok")
    # Epochs must settle too: every node sees the same currentEpoch.
    wait_for(lambda: len({text(c.cmd("CLUSTER", "INFO")).split("cluster_current_epoch:")[1].split("\r")[0] for c in conns}) == 1, "epochs")
    ids = [my_id(c) for c in conns]
    a, b, c3 = conns
    # Open slots: 100 moves a->b, 101 moves a->c, 6000 moves b->a.
    assert a.cmd("CLUSTER", "SETSLOT", "100", "MIGRATING", ids[1]) == b"+OK\r\n"
    assert b.cmd("CLUSTER", "SETSLOT", "100", "IMPORTING", ids[0]) == b"+OK\r\n"
    assert a.cmd("CLUSTER", "SETSLOT", "101", "MIGRATING", ids[2]) == b"+OK\r\n"
    assert c3.cmd("CLUSTER", "SETSLOT", "101", "IMPORTING", ids[0]) == b"+OK\r\n"
    assert b.cmd("CLUSTER", "SETSLOT", "6000", "MIGRATING", ids[0]) == b"+OK\r\n"
    assert a.cmd("CLUSTER", "SETSLOT", "6000", "IMPORTING", ids[1]) == b"+OK\r\n"
    time.sleep(0.3)
    capture_views(conns, ports, d, "three-masters")
    save(f"{OUT}/three-masters/ports.txt", " ".join(map(str, ports)) + "\n")
    A, B, C = ids
    run_script(a, [
        "CLUSTER KEYSLOT foo", "CLUSTER KEYSLOT {user1000}.following", "CLUSTER MYID",
        "CLUSTER ADDSLOTS 0", "CLUSTER ADDSLOTS 16384", "CLUSTER ADDSLOTS abc", "CLUSTER ADDSLOTS -1",
        "CLUSTER ADDSLOTS 01", "CLUSTER ADDSLOTS +1",
        "CLUSTER ADDSLOTS 0 abc", "CLUSTER ADDSLOTS abc 0",
        "CLUSTER ADDSLOTSRANGE 10 5", "CLUSTER ADDSLOTSRANGE 1 2 3", "CLUSTER ADDSLOTSRANGE 1 x",
        "CLUSTER ADDSLOTSRANGE 0 20000", "CLUSTER ADDSLOTSRANGE 5 6",
        "CLUSTER DELSLOTS 0 0", "CLUSTER DELSLOTSRANGE 5000 5001 5000 5000", "CLUSTER DELSLOTSRANGE 5 1",
        "CLUSTER ADDSLOTS", "CLUSTER DELSLOTS", "CLUSTER ADDSLOTSRANGE 1",
        f"CLUSTER SETSLOT 100 MIGRATING {'z'*40}", "CLUSTER SETSLOT 100 MIGRATING nope",
        f"CLUSTER SETSLOT 6000 MIGRATING {B}", f"CLUSTER SETSLOT 100 IMPORTING {B}",
        f"CLUSTER SETSLOT 7000 IMPORTING {'z'*40}",
        "CLUSTER SETSLOT 100 FOO", "CLUSTER SETSLOT 100 NODE nope", "CLUSTER SETSLOT 100",
        "CLUSTER SETSLOT 100 STABLE extra", "CLUSTER SETSLOT 100 MIGRATING", "CLUSTER SETSLOT 99999 STABLE",
        "CLUSTER SETSLOT abc STABLE", "CLUSTER SETSLOT 100 stable", f"CLUSTER SETSLOT 100 migrating {B}",
        f"CLUSTER SETSLOT 100 NODE {A}",
        "CLUSTER SET-CONFIG-EPOCH 5", "CLUSTER SET-CONFIG-EPOCH -1", "CLUSTER SET-CONFIG-EPOCH abc",
        "CLUSTER SET-CONFIG-EPOCH", f"CLUSTER COUNT-FAILURE-REPORTS {B}", "CLUSTER COUNT-FAILURE-REPORTS nope",
        f"CLUSTER REPLICAS {B}", f"CLUSTER SLAVES {A}", "CLUSTER REPLICAS nope",
        "CLUSTER COUNTKEYSINSLOT 16384", "CLUSTER COUNTKEYSINSLOT abc", "CLUSTER COUNTKEYSINSLOT -1",
        "CLUSTER COUNTKEYSINSLOT 5061",
        "CLUSTER GETKEYSINSLOT 0 -1", "CLUSTER GETKEYSINSLOT 16384 1", "CLUSTER GETKEYSINSLOT x 1",
        "CLUSTER GETKEYSINSLOT 1 x", "CLUSTER GETKEYSINSLOT 5061 10",
        "CLUSTER FOO", "CLUSTER foo bar", "CLUSTER RESET FOO", "CLUSTER RESET SOFT extra",
        "CLUSTER FAILOVER", "CLUSTER FAILOVER FOO", "CLUSTER FAILOVER a b",
        f"CLUSTER FORGET {A}", "CLUSTER FORGET nope", f"CLUSTER REPLICATE {A}", f"CLUSTER REPLICATE {B}",
        "CLUSTER REPLICATE nope", "CLUSTER MYID extra", "CLUSTER NODES extra", "CLUSTER KEYSLOT",
        "CLUSTER MEET 127.0.0.1", "CLUSTER MEET 127.0.0.1 abc", "CLUSTER MEET 127.0.0.1 1 abc",
        "CLUSTER MEET 1 2 3 4",
        "SET bar x", "CLUSTER COUNTKEYSINSLOT 5061", "CLUSTER GETKEYSINSLOT 5061 10",
        "CLUSTER GETKEYSINSLOT 5061 0",
        f"CLUSTER SETSLOT 5061 NODE {B}", "CLUSTER FLUSHSLOTS", "CLUSTER RESET", "CLUSTER RESET HARD",
        f"CLUSTER REPLICATE {B}", "DEL bar",
        "CLUSTER DELSLOTS 5000", "CLUSTER DELSLOTS 5000", "CLUSTER ADDSLOTS 5000",
        "CLUSTER DELSLOTSRANGE 4000 4001", "CLUSTER ADDSLOTSRANGE 4000 4001",
        "CLUSTER BUMPEPOCH", "CLUSTER BUMPEPOCH",
    ], f"{OUT}/three-masters/node0.commands.txt")
    time.sleep(0.3)
    a.cmd("CLUSTER", "SAVECONFIG")
    save(f"{OUT}/three-masters/node0.after-commands.nodes.conf", open(f"{d}/nodes-{ports[0]}.conf", "rb").read())
    # Subcommand arities as the server's command table has them.
    r = Conn(ports[0])
    save(f"{OUT}/three-masters/command-info-cluster.resp2", r.cmd("COMMAND", "INFO", "CLUSTER"))

def scenario_with_replicas(d):
    ports = [free_port() for _ in range(6)]
    conns = []
    for i, p in enumerate(ports):
        extra = ("--cluster-announce-hostname", "host-1.example") if i == 1 else ()
        conns.append(start(d, p, extra)[1])
    subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
                    "--cluster-replicas", "1", "--cluster-yes"], check=True, stdout=subprocess.DEVNULL)
    wait_for(lambda: cluster_ok(conns, 6), "6 nodes ok")
    def synced():
        for c in conns:
            shards = c.cmd("CLUSTER", "SHARDS")
            if b"loading" in shards: return False
        return True
    wait_for(synced, "replicas synced")
    wait_for(lambda: len({text(c.cmd("CLUSTER", "INFO")).split("cluster_current_epoch:")[1].split("\r")[0] for c in conns}) == 1, "epochs")
    time.sleep(0.5)
    capture_views(conns, ports, d, "with-replicas")
    # Kill one replica (the one we started, by its pid) and wait until the
    # others agree it failed.
    replica_idx = None
    for i, c in enumerate(conns):
        if b"myself,slave" in c.cmd("CLUSTER", "NODES"): replica_idx = i; break
    victim = PROCS[-6 + replica_idx]
    victim_id = my_id(conns[replica_idx])
    victim.kill(); victim.wait()
    live = [(p, c) for i, (p, c) in enumerate(zip(ports, conns)) if i != replica_idx]
    def failed():
        for _, c in live:
            for line in text(c.cmd("CLUSTER", "NODES")).splitlines():
                if line.startswith(victim_id) and " slave,fail " not in line: return False
        return True
    wait_for(failed, "replica marked fail")
    time.sleep(0.3)
    capture_views([c for _, c in live], [p for p, _ in live], d, "replica-failed")
    save(f"{OUT}/replica-failed/victim.txt", victim_id + "\n")
    # CLUSTER REPLICAS of every master from a live node.
    c = live[0][1]
    lines = []
    for line in text(c.cmd("CLUSTER", "NODES")).splitlines():
        f = line.split(" ")
        if "master" in f[2].split(","):
            lines.append(f"CLUSTER REPLICAS {f[0]}")
    run_script(c, lines, f"{OUT}/replica-failed/node0.replicas.txt")

def scenario_lone(d):
    port = free_port()
    _, c = start(d, port)
    time.sleep(0.3)
    save(f"{OUT}/lone/fresh.nodes.conf", open(f"{d}/nodes-{port}.conf", "rb").read())
    r3 = Conn(port); r3.cmd("HELLO", "3")
    save(f"{OUT}/lone/fresh.cluster-nodes.txt", text(c.cmd("CLUSTER", "NODES")))
    save(f"{OUT}/lone/fresh.cluster-info.txt", text(c.cmd("CLUSTER", "INFO")))
    save(f"{OUT}/lone/fresh.cluster-slots.resp2", c.cmd("CLUSTER", "SLOTS"))
    save(f"{OUT}/lone/fresh.cluster-shards.resp2", c.cmd("CLUSTER", "SHARDS"))
    save(f"{OUT}/lone/fresh.cluster-shards.resp3", r3.cmd("CLUSTER", "SHARDS"))
    run_script(c, [
        "CLUSTER SET-CONFIG-EPOCH -1", "CLUSTER SET-CONFIG-EPOCH 0", "CLUSTER SET-CONFIG-EPOCH 7",
        "CLUSTER SET-CONFIG-EPOCH 8", "CLUSTER BUMPEPOCH",
        "CLUSTER ADDSLOTSRANGE 0 100 200 300", "CLUSTER ADDSLOTS 150 16383",
        "CLUSTER DELSLOTS 50 16383", "CLUSTER DELSLOTSRANGE 60 70",
        f"CLUSTER SETSLOT 400 IMPORTING {my_id(c)}", f"CLUSTER SETSLOT 5 MIGRATING {my_id(c)}",
        "CLUSTER SETSLOT 400 STABLE", f"CLUSTER SETSLOT 401 IMPORTING {my_id(c)}",
        f"CLUSTER SETSLOT 401 NODE {my_id(c)}", f"CLUSTER SETSLOT 402 NODE {my_id(c)}",
        "CLUSTER SLOTS", "CLUSTER NODES", "CLUSTER SHARDS",
        "CLUSTER FLUSHSLOTS", "CLUSTER SLOTS",
        "CLUSTER ADDSLOTS 7", "CLUSTER INFO", "CLUSTER RESET SOFT", "CLUSTER NODES",
        "CLUSTER RESET HARD", "CLUSTER BUMPEPOCH",
    ], f"{OUT}/lone/commands.txt")
    time.sleep(0.3)
    c.cmd("CLUSTER", "SAVECONFIG")
    save(f"{OUT}/lone/after-commands.nodes.conf", open(f"{d}/nodes-{port}.conf", "rb").read())

def main():
    d = tempfile.mkdtemp(prefix="shoal-capture-")
    try:
        which = sys.argv[2:] or ["three", "replicas", "lone"]
        if "three" in which: scenario_three_masters(d)
        if "replicas" in which: scenario_with_replicas(d)
        if "lone" in which: scenario_lone(d)
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill(); p.wait()
        shutil.rmtree(d, ignore_errors=True)

main()
