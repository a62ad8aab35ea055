#!/usr/bin/env python3
"""boottime.py N CMD...: start CMD (a QEMU launch script) N times, print the
median seconds until the guest prints "Type exit when done." on its
console, then kill it. Prints "-" if it never got there within 60 s."""
import os, select, signal, statistics, subprocess, sys, time

def once(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    buf, got = b"", None
    while time.monotonic() - t0 < 60:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if not r:
            continue
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            break
        buf += data
        if b"Type exit when done." in buf:
            got = time.monotonic() - t0
            break
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    return got

n, cmd = int(sys.argv[1]), sys.argv[2:]
times = [once(cmd) for _ in range(n)]
ok = [t for t in times if t is not None]
print(f"{statistics.median(ok):.2f}" if len(ok) == n else "-")
