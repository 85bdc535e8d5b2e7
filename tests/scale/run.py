#!/usr/bin/env python3
"""The `scale` suite (make check-scale, not in make check: 16 guests are too
heavy for it on 2 cores): NODES Manifold nodes on one vde_switch LAN, each
with only what the test needs (bootstrap, ns, console, pci, e1000, echo, gns,
tests/user/scaletest.c) in MEM of memory.

Every node publishes its echo server as /cluster/echo/N, waits until its gns
sees every peer alive, then resolves every other node's name through gns and
makes an RPC through the proxy. The host then measures the idle cluster's
cost (host CPU-seconds per second per guest, from /proc, and the QEMU
processes' resident memory), kills the last node, and checks that every
other node's gns declares it dead within 2 s of its last heartbeat (the
figure of a watcher of it: its own, or the one its death notice carried)
with its proxies, and that every scaletest sees its proxy die. Node DEAF
ignores every death notice (gns's drop-notices): it must learn the death from
its peers' heartbeats, which gossip it. Node MUTE never sends a RESIGN
(drop-resigns): its former watchers must let it go, not declare it dead.
Prints `ok N - scale: name`, then `scale: N passed, N failed`.

Usage: run.py BUILD_DIR   (environment: SCALE_NODES, default 16; SCALE_MEM, default 32M)
"""
import os
import re
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import lan  # noqa: E402

B = sys.argv[1]
LOGS = B + "/test/scale"
KEY = "3c" * 8 + "fedcba9876543210" * 3
NODES = int(os.environ.get("SCALE_NODES", "16"))
MEM = os.environ.get("SCALE_MEM", "32M")
# this node's gns ignores every death NOTICE (a test hook, servers/gns/config.h: drop-notices): it is no
# watcher of the node killed, so only the deaths its peers gossip on their heartbeats tell it in time
DEAF = NODES // 2
# this node never sends the RESIGNs that tell a former watcher to stop (gns's drop-resigns): nodes 1
# and 2 watch it until the last node boots, which takes node 2's place; node 2 then suspects it, and the
# probe's answer says it is watched by others now, where before suspicions it declared a false death
MUTE = NODES - 1
suite = lan.Suite("scale")
case = suite.case


def modules(node):
    hook = " drop-notices" if node == DEAF else " drop-resigns" if node == MUTE else ""
    return ",".join([B + "/servers/bootstrap.elf", B + "/servers/ns.elf", B + "/servers/console.elf",
                     B + "/servers/pci.elf driver", B + "/servers/e1000.elf driver", B + "/servers/echo.elf",
                     B + "/servers/gns.elf node=%d key=%s%s" % (node, KEY, hook),
                     B + "/tests/scaletest.elf node=%d nodes=%d" % (node, NODES)])


def boot(sw, node):
    return lan.Guest(["-m", MEM, "-netdev", "vde,id=n0,sock=" + sw.path,
                      "-device", "e1000,netdev=n0,mac=52:54:00:12:34:%02x" % node,
                      "-kernel", B + "/kernel.elf", "-append", "debug_exit lockcheck",
                      "-initrd", modules(node)], "%s/node%d.log" % (LOGS, node))


def pump(guests, seconds):
    """Reads every guest's console for about seconds (a console nobody reads stalls its guest)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for g in guests:
            g.expect(r"(?!)", 0.02)


def wait_all(guests, pattern, seconds):
    """Pumps until every guest's console matches pattern (a function of its node): {node: match}."""
    found, deadline = {}, time.time() + seconds
    while len(found) < len(guests) and time.time() < deadline:
        pump(guests.values(), 0.5)
        for n, g in guests.items():
            if n not in found:
                m = re.search(pattern(n), g.text(), re.M)
                if m:
                    found[n] = m
    return found


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    shutil.rmtree(LOGS, ignore_errors=True)
    os.makedirs(LOGS)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    t_start = time.time()
    sw = lan.Switch(LOGS + "/switch")
    guests = {}
    try:
        for n in range(1, NODES + 1):
            if n == NODES:
                # node MUTE watched by nodes 1 and 2 for a while: the last node then takes 2's place
                wait_all({MUTE: guests[MUTE]}, lambda m: lan.L + r"gns: node %d in the cluster" % m, 300)
                pump(guests.values(), 1.5)
            guests[n] = boot(sw, n)
            pump(guests.values(), 0.3)
        others = NODES - 1
        inside = wait_all(guests, lambda n: lan.L + r"gns: node %d in the cluster" % n, 300)
        case("%d_nodes_bring_up_gns_in_the_cluster" % NODES, len(inside) == NODES,
             "in the cluster: %s" % sorted(inside))
        done = wait_all(guests, lambda n: lan.L + r"scaletest: node %d: (\d+) resolved, (\d+) answered of (\d+) in (\d+) ms"
                        % n, 900)
        good = [n for n, m in done.items() if int(m.group(1)) == others and int(m.group(2)) == others]
        slowest = max((int(m.group(4)) for m in done.values()), default=0)
        t_rpcs = time.time() - t_start
        case("every_node_resolves_every_other_nodes_name_and_calls_it", len(good) == NODES,
             "all %d answered on nodes %s; lines %s" % (others, sorted(good),
                                                       {n: m.group(0) for n, m in done.items() if n not in good}))
        print("# every node's %d look-ups and RPCs done %.0f s after the first boot (the slowest node's took %d ms "
              "once its peers were alive)" % (others, t_rpcs, slowest))
        told = [n for n, g in guests.items() if re.search(r"gns: node %d is watched by others now \(its RESIGNs were "
                                                       r"lost\)" % MUTE, g.text())]
        false = [n for n, g in guests.items() if re.search(r"gns: node %d dead" % MUTE, g.text())]
        case("node%d_whose_resigns_are_lost_is_let_go_by_its_former_watchers_not_declared_dead" % MUTE,
             told and not false, "let go at %s; declared dead at %s" % (told, false))
        # the idle cluster's cost, as the host sees it
        pump(guests.values(), 3)
        c0 = {n: cpu_seconds(g.proc.pid) for n, g in guests.items()}
        t0 = time.time()
        pump(guests.values(), 10)
        span = time.time() - t0
        idle = sorted((cpu_seconds(g.proc.pid) - c0[n]) / span for n, g in guests.items())
        rss = sum(rss_kib(g.proc.pid) for g in guests.values())
        print("# idle: %.3f host CPU-s/s per guest (median; %.3f to %.3f), %.2f for all %d; QEMU resident memory "
              "%d MiB in all (%d MiB a guest of -m %s)" % (idle[len(idle) // 2], idle[0], idle[-1], sum(idle), NODES,
                                                          rss // 1024, rss // 1024 // NODES, MEM))
        victim = NODES
        case("node%d_never_panicked_before_it_was_killed" % victim, not guests[victim].panicked())
        guests[victim].stop()
        del guests[victim]
        t_kill = time.time()
        dead = wait_all(guests, lambda n: lan.L + r"gns: node %d dead \((?:node \d+ saw |node \d+'s gossip: )?no beacon, "
                        r"silent (\d+) ms\), (\d+) proxies dead$" % victim, 60)
        fast = [n for n, m in dead.items() if int(m.group(1)) < 2000 and int(m.group(2)) >= 1]
        silences = sorted(int(m.group(1)) for m in dead.values())
        case("every_other_node_declares_node%d_dead_within_2_s_with_its_proxies" % victim, len(fast) == NODES - 1,
             "within 2 s with proxies on %s; silences %s ms" % (sorted(fast), silences))
        print("# node %d's death: gns's silences %s ms; the last line %.1f s after the kill (host time)" %
              (victim, silences, time.time() - t_kill))
        m = dead.get(DEAF)
        case("node%d_deaf_to_notices_learns_node%ds_death_by_gossip" % (DEAF, victim),
             m is not None and "gossip" in m.group(0), "its line: %s" % (m.group(0) if m else None))
        seen = wait_all(guests, lambda n: lan.L + r"scaletest: node %d: the proxy of node %d died" % (n, victim), 30)
        case("every_other_nodes_proxy_of_node%d_becomes_a_dead_name" % victim, len(seen) == NODES - 1,
             "seen on %s" % sorted(seen))
        for n, g in sorted(guests.items()):
            if g.panicked():
                case("node%d_never_panicked" % n, False)
        case("no_node_panicked", not any(g.panicked() for g in guests.values()))
        print("# the suite took %.0f s" % (time.time() - t_start))
    finally:
        for g in guests.values():
            g.stop()
        sw.stop()
    if suite.failed:
        for n, g in sorted(guests.items()):
            print("==== node%d's console, last lines (%s/node%d.log) ====" % (n, LOGS, n))
            print("\n".join(g.text().splitlines()[-15:]))
    return suite.summary()


if __name__ == "__main__":
    sys.exit(main())
