"""Raw control-socket client for tests (ctl_socket.sh): sends one frame the
CLI never would and prints what came back.

    ctlraw.py SOCKET status|oversize|garbage

status: a well-formed {"op": "status"}; oversize: a 4-byte length of 2 MiB
and 64 KiB of it; garbage: a 200-byte frame of random bytes. Prints the
reply's printable text, then "closed" if the daemon closed within 5 s,
else "open"; exit 0 (the verdict is the test's), 1 if it cannot connect."""
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
s.settimeout(5)
if mode == "status":
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
