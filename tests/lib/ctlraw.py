"""Raw control-socket client for tests (ctl_socket.sh): sends one frame the
CLI never would and prints what came back.

    ctlraw.py SOCKET status|oversize|garbage
    ctlraw.py SOCKET join2 CODE

status: a well-formed {"op": "status"}; oversize: a 4-byte length of 2 MiB
and 64 KiB of it; garbage: a 200-byte frame of random bytes; join2: two
{"op": "join", "code": CODE} frames in one write, then whatever comes back
within 2 s, then the client hangs up (the pakt CLI sends one request per
connection). Prints the reply's printable text, then "closed" if the daemon
closed within 5 s (2 s for join2), else "open"; exit 0 (the verdict is the
test's), 1 if it cannot connect."""
import os
import socket
import struct
import sys

path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(path)
except OSError as e:
    print("connect: %s" % e.strerror)
    sys.exit(1)
s.settimeout(2 if mode == "join2" else 5)


def mp_str(t):
    b = t.encode()
    return (bytes([0xa0 | len(b)]) if len(b) < 32 else
            b"\xd9" + bytes([len(b)]) if len(b) < 256 else b"\xda" + struct.pack(">H", len(b))) + b


if mode == "join2":
    body = b"\x82" + mp_str("code") + mp_str(sys.argv[3]) + mp_str("op") + mp_str("join")
    frame = 2 * (struct.pack(">I", len(body)) + body)
elif mode == "status":
    body = b"\x81\xa2op\xa6status"
    frame = struct.pack(">I", len(body)) + body
elif mode == "oversize":
    frame = struct.pack(">I", 2 << 20) + b"\0" * 65536
else:
    body = os.urandom(200)
    frame = struct.pack(">I", len(body)) + body
try:
    s.sendall(frame)
except OSError as e:
    print("send: %s" % e.strerror)
got, state = b"", "open"
try:
    while True:
        b = s.recv(65536)
        if not b:
            state = "closed"
            break
        got += b
        if mode == "status" and len(got) >= 4 and len(got) >= 4 + struct.unpack(">I", got[:4])[0]:
            break
except socket.timeout:
    pass
except OSError:
    state = "closed"
print("reply: " + "".join(chr(c) if 32 <= c < 127 else "." for c in got[4:]))
print(state)
