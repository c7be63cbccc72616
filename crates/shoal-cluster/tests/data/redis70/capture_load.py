#!/usr/bin/env python3
"""Load hand-made nodes.conf files into real redis-server 7.0 and record
what it prints (CLUSTER NODES), what it saves back (CLUSTER SAVECONFIG),
and whether it refuses corrupted files. Servers run on free 127.0.0.1
ports in a temp dir and are killed by pid when done."""
import os, socket, subprocess, sys, tempfile, time, shutil
sys.path.insert(0, os.path.dirname(__file__))
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

def cmd(port, *args):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
    s.sendall(req); time.sleep(0.05)
    data = b""
    s.settimeout(0.5)
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            data += d
            if data.startswith(b"$"):
                n = int(data.split(b"\r\n", 1)[0][1:])
                if len(data) >= len(str(n)) + 3 + n + 2: break
            elif data.endswith(b"\r\n"): break
    except socket.timeout:
        pass
    s.close()
    return data

def ids(c): return c * 40

def start(d, port, conf_text):
    conf = f"{d}/nodes-{port}.conf"
    open(conf, "w").write(conf_text)
    log = f"{d}/log-{port}.txt"
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
        "--cluster-config-file", f"nodes-{port}.conf", "--save", "", "--appendonly", "no", "--dir", d,
        "--logfile", log], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(p)
    return p, conf, log

def body(reply):
    return reply.split(b"\r\n", 1)[1][:-2].decode()

def main():
    d = tempfile.mkdtemp(prefix="shoal-load-")
    os.makedirs(f"{OUT}/load", exist_ok=True)
    try:
        port = free_port()
        M, A, B, C, D, E, Z, Y = (ids(c) for c in "mabcdezy")
        text = (
            f"{B} 127.0.0.1:7999 slave {A} 0 1700000000000 5 connected\n"
            f"{M} 127.0.0.1:{port}@{port+10000} MYSELF,Master - 0 0 3 connected 0-100 200 300-299 [50->-{Z}] [60-<-{Y}]\n"
            f"vars currentEpoch 2 lastVoteEpoch 1 fooVar 7\n"
            f"\n"
            f"{A} 127.0.0.1:7998@17998,host-a master,fail? - 1700000000001 1700000000002 9 disconnected 101-150\n"
            f"{C} :0@0 noflags - 0 0 0 disconnected\n"
            f"{D} 127.0.0.1:7997@17997 slave,fail,nofailover {A} 0 0 4 connected\n"
            f"{E} 127.0.0.1:7996@17996 master,noaddr - 0 0 1 \"connected\" 151\n"
        )
        p, conf, log = start(d, port, text)
        deadline = time.time() + 5
        while True:
            try:
                r = cmd(port, "CLUSTER", "NODES")
                if r.startswith(b"$"): break
            except OSError:
                pass
            if time.time() > deadline: raise RuntimeError("no start")
            time.sleep(0.05)
        save = lambda n, b: open(f"{OUT}/load/{n}", "wb").write(b if isinstance(b, bytes) else b.encode())
        save("edge-cases.input.nodes.conf", text)
        save("edge-cases.cluster-nodes.txt", body(r))
        assert cmd(port, "CLUSTER", "SAVECONFIG") == b"+OK\r\n"
        save("edge-cases.saved.nodes.conf", open(conf, "rb").read())
        save("edge-cases.cluster-info.txt", body(cmd(port, "CLUSTER", "INFO")))
        p.kill(); p.wait()
        save("edge-cases.log-lines.txt", "".join(
            l.split(" * ", 1)[-1].split(" # ", 1)[-1] for l in open(log) if "cluster config" in l or "configuration loaded" in l))

        # Files the server must refuse.
        bad = {
            "bad-node-id": f"{M[:-1]}X 127.0.0.1:1@2 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n",
            "unknown-flag": f"{M} 127.0.0.1:1@2 myself,boss - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n",
            "no-myself": f"{M} 127.0.0.1:1@2 master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n",
            "short-line": f"{M} 127.0.0.1:1@2 myself,master - 0 0 0\n",
            "slot-out-of-range": f"{M} 127.0.0.1:1@2 myself,master - 0 0 0 connected 16384\n",
            "vars-odd": f"{M} 127.0.0.1:1@2 myself,master - 0 0 0 connected\nvars currentEpoch\n",
        }
        results = []
        for name, t in bad.items():
            port = free_port()
            p, conf, log = start(d, port, t)
            try:
                rc = p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait(); rc = "running"
            last = [l.rstrip("\n") for l in open(log)][-3:]
            msg = [l for l in last if "corrupted" in l or "Unknown flag" in l or "PANIC" in l or "ASSERTION" in l]
            results.append(f"{name}\t{'refused' if rc != 'running' else 'accepted'}\t{(msg[0].split('#',1)[-1].strip() if msg else '')}\n")
            save(f"refused-{name}.nodes.conf", t)
        save("refused.txt", "".join(results))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill(); p.wait()
        shutil.rmtree(d, ignore_errors=True)

main()
