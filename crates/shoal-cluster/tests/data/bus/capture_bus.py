#!/usr/bin/env python3
"""Capture real Redis cluster-bus frames as test vectors for shoal-cluster's wire codec.

Starts four redis-server nodes (A, B, C primaries with slots, D a replica of A) on free
127.0.0.1 ports. Each node announces a bus port that is a small TCP relay in this script,
so every bus connection to a node passes through its relay, which cuts the byte stream
into frames ("RCmb" + u32 BE length) and records them. The script then drives the
cluster through PUBLISH, SPUBLISH, a manual failover, and an automatic failover of a
stopped primary that later comes back (FAIL, election messages, UPDATE).

Output (in the directory given as argv[1], default: next to this script):
  bus_stream.bin    selected frames, concatenated as they appear on the wire
  bus_vectors.txt   one line per frame in bus_stream.bin:
                    <offset> <length> <type> <sender id> <port> <cport> <hostname or ->
                    where sender/port/cport/hostname are what the script knows about the
                    node that sent the frame (from CLUSTER MYID and its own config), so
                    the Rust test checks the decoder against facts gathered independently.

Only the first few frames of each (type, extension, gossip) shape are kept, to keep the
vector file small. Every process started is killed by PID on exit.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TYPE_NAMES = {0: "ping", 1: "pong", 2: "meet", 3: "fail", 4: "publish", 5: "auth-req",
              6: "auth-ack", 7: "update", 8: "mfstart", 9: "module", 10: "publishshard"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """Accepts bus connections for one node and relays them to its real bus port."""

    def __init__(self, name, target_port, frames, lock):
        self.name = name
        self.target_port = target_port
        self.frames = frames
        self.lock = lock
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            # "in": frames sent to this node; "out": replies it sends back on that link.
            threading.Thread(target=self.pump, args=(client, upstream, "in"), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, "out"), daemon=True).start()

    def pump(self, src, dst, direction):
        buf = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            try:
                dst.sendall(data)
            except OSError:
                return
            buf += data
            while len(buf) >= 8:
                if buf[:4] != b"RCmb":
                    buf = b""  # not a bus stream; stop parsing this direction
                    break
                total = int.from_bytes(buf[4:8], "big")
                if len(buf) < total:
                    break
                with self.lock:
                    self.frames.append((time.time(), self.name, direction, buf[:total]))
                buf = buf[total:]


class Node:
    def __init__(self, name, workdir, frames, lock, hostname=None):
        self.name = name
        self.port = free_port()
        self.bus_port = free_port()
        self.relay = Relay(name, self.bus_port, frames, lock)
        self.hostname = hostname
        d = os.path.join(workdir, name)
        os.makedirs(d)
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-port", str(self.bus_port),
                "--cluster-announce-bus-port", str(self.relay.port),
                "--cluster-config-file", os.path.join(d, "nodes.conf"),
                "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no",
                "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0",
                "--dir", d, "--logfile", os.path.join(d, "log")]
        if hostname:
            args += ["--cluster-announce-hostname", hostname]
        self.proc = subprocess.Popen(args)
        self.wait_ping()
        self.id = self.cli("CLUSTER", "MYID")

    def cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.port), *args],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def wait_ping(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if self.cli("PING") == "PONG":
                    return
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_for(what, cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    frames, lock = [], threading.Lock()
    workdir = tempfile.mkdtemp(prefix="shoal-bus-capture-")
    nodes = []
    try:
        a = Node("A", workdir, frames, lock, hostname="node-a.example")
        b = Node("B", workdir, frames, lock)
        c = Node("C", workdir, frames, lock)
        d = Node("D", workdir, frames, lock)
        nodes = [a, b, c, d]
        a.cli("CLUSTER", "ADDSLOTSRANGE", "0", "5460")
        b.cli("CLUSTER", "ADDSLOTSRANGE", "5461", "10922")
        c.cli("CLUSTER", "ADDSLOTSRANGE", "10923", "16383")
        for n in (b, c, d):
            a.cli("CLUSTER", "MEET", "127.0.0.1", str(n.port), str(n.relay.port))
        wait_for("four nodes everywhere",
                 lambda: all(len(n.cli("CLUSTER", "NODES").splitlines()) == 4 for n in nodes))
        d.cli("CLUSTER", "REPLICATE", a.id)
        wait_for("cluster ok", lambda: all("cluster_state:ok" in n.cli("CLUSTER", "INFO")
                                           for n in nodes))
        wait_for("D is a replica", lambda: "role:slave" in d.cli("INFO", "replication"))
        time.sleep(3)  # a few rounds of PING/PONG with gossip

        b.cli("PUBLISH", "chan", "hello")
        shard_channel = next(f"sch{i}" for i in range(1000)
                             if int(a.cli("CLUSTER", "KEYSLOT", f"sch{i}")) <= 5460)
        a.cli("SPUBLISH", shard_channel, "shard-hello")
        time.sleep(1)

        # Manual failover: MFSTART, PAUSED mflags, AUTH_REQUEST with FORCEACK, AUTH_ACK.
        d.cli("CLUSTER", "FAILOVER")
        wait_for("D promoted", lambda: "role:master" in d.cli("INFO", "replication"))
        wait_for("A synced", lambda: "master_link_status:up" in a.cli("INFO", "replication"))
        time.sleep(3)

        # Automatic failover of a stopped primary (D), then its return: FAIL, UPDATE.
        os.kill(d.proc.pid, signal.SIGSTOP)
        wait_for("A promoted", lambda: "role:master" in a.cli("INFO", "replication"), 40)
        os.kill(d.proc.pid, signal.SIGCONT)
        wait_for("D demoted", lambda: "role:slave" in d.cli("INFO", "replication"), 40)
        time.sleep(2)
    finally:
        for n in nodes:
            n.stop()
        subprocess.run(["rm", "-rf", workdir])

    by_relay_port = {n.relay.port: n for n in nodes}
    by_id = {n.id: n for n in nodes}
    kept, seen = [], {}
    for _, relay_name, direction, frame in frames:
        type_code = int.from_bytes(frame[12:14], "big")
        count = int.from_bytes(frame[14:16], "big")
        exts = int.from_bytes(frame[2214:2216], "big")
        mflags = frame[2253]
        sender_id = frame[40:80].decode("ascii", "replace")
        # Shape: enough to keep one frame of each interesting kind.
        shape = (type_code, min(count, 1), exts, mflags, direction)
        if seen.get(shape, 0) >= 2:
            continue
        seen[shape] = seen.get(shape, 0) + 1
        sender = by_id.get(sender_id)
        kept.append((frame, type_code, sender))

    os.makedirs(out_dir, exist_ok=True)
    offset = 0
    with open(os.path.join(out_dir, "bus_stream.bin"), "wb") as stream, \
            open(os.path.join(out_dir, "bus_vectors.txt"), "w") as index:
        index.write("# offset length type sender port cport hostname "
                    "(captured from redis-server 7.0 by capture_bus.py)\n")
        for frame, type_code, sender in kept:
            stream.write(frame)
            if sender is None:
                # Handshake traffic from a node still known by a random name.
                who = ("?", "0", "0", "?")
            else:
                who = (sender.id, str(sender.port), str(sender.relay.port), sender.hostname or "-")
            index.write(f"{offset} {len(frame)} {TYPE_NAMES.get(type_code, type_code)} "
                        f"{' '.join(who)}\n")
            offset += len(frame)
    print(f"captured {len(frames)} frames, kept {len(kept)} ({offset} bytes) in {out_dir}")


if __name__ == "__main__":
    main()
