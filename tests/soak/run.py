#!/usr/bin/env python3
"""The soak: boots soaktest (the mix, for SECONDS) beside the heartbeat task and
times the heartbeat's lines as they reach the host. Passes when the mix's own
case passed, the kernel did not panic, and no two heartbeats were further apart
than MAX_GAP seconds (host time: a node that stops running its tasks, as a fork
under a spin lock once made it, shows here).

Usage: run.py BUILD_DIR SECONDS MAX_GAP SUITE (the name of the summary line)
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "servers"))
from guest import Guest  # noqa: E402

B, SECONDS, MAX_GAP, SUITE = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ONLY = " " + sys.argv[5] if len(sys.argv) > 5 else ""   # one part of the mix (soaktest.c)
g = Guest(["-m", "64M", "-kernel", B + "/kernel.elf", "-append", "debug_exit lockcheck",
           "-initrd", "%s/tests/soaktest.elf %d%s,%s/tests/heartbeat.elf" % (B, SECONDS, ONLY, B)],
          "%s/test/%s.serial" % (B, SUITE))
beats, seen, deadline = [], 0, time.time() + SECONDS + 300
try:
    while time.time() < deadline and not g.panicked() and g._pump(0.05):
        n = len(re.findall(r"^heartbeat \d+", g.text(), re.M))
        beats += [time.time()] * (n - seen)
        seen = n
        if re.search(r"^soak: \d+ passed, \d+ failed", g.text(), re.M):
            break
    code = g.wait_exit(30)
finally:
    g.stop()
out = g.text()
# the faulting forks' console lines are expected, one per fault round: counted, not shown
killed = re.compile(r"^task \d+ \(soaktest\) killed: page fault .* write to 0x00000000")
lines = [l for l in out.splitlines() if not l.startswith("heartbeat")]
sys.stdout.write("".join(l + "\n" for l in lines if not killed.match(l)))
print("# %d lines of forks killed by their fault (the mix's faults)" % sum(1 for l in lines if killed.match(l)))
gaps = [b - a for a, b in zip(beats, beats[1:])]
worst = max(gaps) if gaps else float("inf")
print("# %d heartbeats, the longest gap %.2f s (at most %.1f s allowed)" % (len(beats), worst, MAX_GAP))
ok = re.search(r"^soak: 1 passed, 0 failed", out, re.M) and not g.panicked() and len(beats) >= SECONDS // 2
if worst > MAX_GAP:
    print("not ok 2 - heartbeats_never_stop: a gap of %.2f s" % worst)
    ok = False
else:
    print("ok 2 - heartbeats_never_stop")
print("%s: %d passed, %d failed" % ((SUITE,) + ((2, 0) if ok else (0, 2))))
sys.exit(0 if ok else 1)
