#!/usr/bin/env python3
"""boottime.py N CMD... [-- CMD...]: start each CMD (a QEMU launch script)
N times, the commands taking turns (so a slow moment of a shared machine
falls on both alike), and print each one's median seconds until the guest
prints "Type exit when done." on its console, killing it then. Prints "-"
for a command that didn't get there within 60 s every time."""
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

n, cmds = int(sys.argv[1]), [[]]
for a in sys.argv[2:]:
    if a == "--":
        cmds.append([])
    else:
        cmds[-1].append(a)
times = [[] for _ in cmds]
for _ in range(n):
    for i, cmd in enumerate(cmds):
        times[i].append(once(cmd))
out = []
for t in times:
    ok = [x for x in t if x is not None]
    out.append(f"{statistics.median(ok):.2f}" if len(ok) == n else "-")
print(" ".join(out))
