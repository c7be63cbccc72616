#!/usr/bin/env python3
"""Capture routing replies (MOVED, ASK, TRYAGAIN, CROSSSLOT, CLUSTERDOWN)
from a real redis-server 7.0 cluster of 3 primaries with slot 5061
migrating from node 0 to node 1. Servers run on free 127.0.0.1 ports in a
temp dir and are killed by pid when done, even on failure."""
import os, socket, subprocess, sys, tempfile, time, shutil

OUT = sys.argv[1]
PROCS = []

def free_port():
    while True:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
        if 20000 <= p <= 55000:
            try:
                t = socket.socket(); t.bind(("127.0.0.1", p + 10000)); t.close(); return p
            except OSError:
                pass

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10); self.buf = b""
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
    def reply(self):
        l = self._line(); t = l[:1]
        if t in b"+-:_,#(": return l
        if t in b"$=":
            n = int(l[1:-2]); return l if n < 0 else l + self._exact(n + 2)
        if t in b"*~>%|":
            n = int(l[1:-2]); out = l
            for _ in range(max(n, 0) * (2 if t in b"%|" else 1)): out += self.reply()
            return out
        raise ValueError(l)
    def cmd(self, *args):
        self.s.sendall(b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)))
        return self.reply()

def text(r): return r.split(b"\r\n", 1)[1][:-2].decode() if r[:1] == b"$" else r[1:-2].decode()

def start(d, port):
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
        "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "3000", "--save", "",
        "--appendonly", "no", "--dir", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(p)
    deadline = time.time() + 10
    while True:
        try:
            c = Conn(port)
            if c.cmd("PING") == b"+PONG\r\n": return c
        except OSError:
            pass
        if time.time() > deadline: raise RuntimeError("no start")
        time.sleep(0.05)

def wait_for(cond, what):
    deadline = time.time() + 60
    while not cond():
        if time.time() > deadline: raise RuntimeError(what)
        time.sleep(0.1)

def esc(b): return b.decode("latin-1").replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")

def main():
    d = tempfile.mkdtemp(prefix="shoal-routing-")
    os.makedirs(f"{OUT}/routing", exist_ok=True)
    try:
        ports = [free_port() for _ in range(3)]
        conns = [start(d, p) for p in ports]
        subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in ports],
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, stdout=subprocess.DEVNULL)
        def ok():
            return all("cluster_state:ok" in text(c.cmd("CLUSTER", "INFO")) and
                       "cluster_known_nodes:3\r" in text(c.cmd("CLUSTER", "INFO")) for c in conns)
        wait_for(ok, "cluster ok")
        ids = [text(c.cmd("CLUSTER", "MYID")) for c in conns]
        a, b, c = conns
        assert a.cmd("SET", "bar", "v") == b"+OK\r\n"
        assert a.cmd("CLUSTER", "SETSLOT", "5061", "MIGRATING", ids[1]) == b"+OK\r\n"
        assert b.cmd("CLUSTER", "SETSLOT", "5061", "IMPORTING", ids[0]) == b"+OK\r\n"
        time.sleep(0.3)
        for i, (p, cc) in enumerate(zip(ports, conns)):
            cc.cmd("CLUSTER", "SAVECONFIG")
            shutil.copy(f"{d}/nodes-{p}.conf", f"{OUT}/routing/node{i}.nodes.conf")
        # Each script line: node index, then argv. Replies recorded raw.
        script = [
            (0, "GET bar"), (0, "GET {bar}missing"), (0, "MGET bar {bar}missing"),
            (0, "MGET {bar}m1 {bar}m2"), (0, "GET foo"), (0, "MGET bar foo"), (0, "MGET bar bar"),
            (0, "SET {bar}new 1"), (0, "DEL bar {bar}missing"), (0, "EXISTS bar"),
            (1, "GET bar"), (1, "ASKING"), (1, "GET {bar}missing"), (1, "GET {bar}missing"),
            (1, "ASKING"), (1, "MGET {bar}a {bar}b"), (1, "ASKING"), (1, "SET {bar}new 1"),
            (1, "ASKING"), (1, "MGET {bar}new {bar}new2"), (1, "ASKING"), (1, "MGET {bar}new {bar}new"),
            (1, "ASKING"), (1, "MGET {bar}new foo"), (1, "GET hello"),
            (2, "CLUSTER DELSLOTS 16000"), (2, "PING"), (2, "GET foo"), (2, "GET k13474"), (2, "GET bar"),
            (2, "CONFIG SET cluster-allow-reads-when-down yes"), (2, "GET foo"), (2, "SET foo 1"),
            (2, "GET bar"), (2, "CONFIG SET cluster-allow-reads-when-down no"),
            (2, "CLUSTER ADDSLOTS 16000"),
        ]
        out = []
        for node, line in script:
            r = conns[node].cmd(*line.split(" "))
            if line == "CLUSTER DELSLOTS 16000":
                time.sleep(0.2)
                conns[2].cmd("CLUSTER", "SAVECONFIG")
                shutil.copy(f"{d}/nodes-{ports[2]}.conf", f"{OUT}/routing/node2.after-delslots.nodes.conf")
            out.append(f"{node} > {line}\n< {esc(r)}\n")
        open(f"{OUT}/routing/script.txt", "w").write("".join(out))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill(); p.wait()
        shutil.rmtree(d, ignore_errors=True)

main()
