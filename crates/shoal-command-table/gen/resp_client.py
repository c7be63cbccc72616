"""A tiny blocking RESP2/RESP3 client used by capture.py.

It keeps the type of every reply element (bulk vs. simple string, array vs. set
vs. map), because COMMAND INFO / COMMAND DOCS replies mix them and the Rust
renderers must reproduce the exact types.

A reply is a tuple (type, value):
  ('$', str) bulk string       ('+', str) simple string    ('-', str) error
  (':', int) integer           ('_', None) null (any kind)
  ('*', [..]) array            ('~', [..]) set             ('%', [(k, v), ..]) map
"""

import socket


def encode_command(args):
    """Encodes a command as a RESP array of bulk strings."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def encode_reply(v, null_as=b"_\r\n"):
    """Re-encodes a typed reply tree. RESP is canonical, so this gives back the
    server's bytes exactly (capture.py asserts it). `null_as` is used for '_'."""
    t, x = v
    if t in "+-":
        return b"%s%s\r\n" % (t.encode(), x.encode())
    if t == ":":
        return b":%d\r\n" % x
    if t == "$":
        b = x.encode()
        return b"$%d\r\n%s\r\n" % (len(b), b)
    if t == "_":
        return null_as
    if t in "*~":
        return b"%s%d\r\n" % (t.encode(), len(x)) + b"".join(encode_reply(e, null_as) for e in x)
    if t == "%":
        return b"%%%d\r\n" % len(x) + b"".join(
            encode_reply(k, null_as) + encode_reply(w, null_as) for k, w in x)
    raise ValueError(t)


class Conn:
    """One connection; `proto` 3 sends HELLO 3 first."""

    def __init__(self, port, proto=2):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.pos = 0
        self.proto = proto
        if proto == 3:
            self.call("HELLO", "3")

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("server closed the connection")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < self.pos + n + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        self.pos += n + 2
        return data

    def _read(self):
        line = self._line()
        t, rest = chr(line[0]), line[1:]
        if t in "+-":
            return (t, rest.decode())
        if t == ":":
            return (t, int(rest))
        if t == "$":
            n = int(rest)
            return ("_", None) if n < 0 else (t, self._exact(n).decode())
        if t == "_":
            return ("_", None)
        if t in "*~":
            n = int(rest)
            return ("_", None) if n < 0 else (t, [self._read() for _ in range(n)])
        if t == "%":
            return (t, [(self._read(), self._read()) for _ in range(int(rest))])
        raise ValueError("unexpected reply line %r" % line)

    def call_raw(self, *args):
        """Sends one command; returns (raw reply bytes, typed reply)."""
        self.sock.sendall(encode_command(args))
        self.buf = self.buf[self.pos:]
        self.pos = 0
        value = self._read()
        return self.buf[:self.pos], value

    def call(self, *args):
        """Sends one command; returns the typed reply."""
        return self.call_raw(*args)[1]


def plain(v):
    """Typed reply -> plain Python (maps become dicts, sets become lists)."""
    t, x = v
    if t in "*~":
        return [plain(e) for e in x]
    if t == "%":
        return {plain(k): plain(w) for k, w in x}
    return x
