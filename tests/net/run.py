#!/usr/bin/env python3
"""The `net` suite: two Manifold nodes on a vde_switch LAN, each with an e1000,
its driver (servers/e1000) and gns, typed into through their shells.

Node K has MAC 52:54:00:12:34:0K and gns node=K (10.77.0.K); node 1's NIC is
QEMU's e1000 (82540EM), node 2's its e1000-82545em. The cases ping
between the nodes through gns (the shell's `ping`, servers/gns/ping.defs),
kill the e1000 driver in the middle of a ping and after one (the bootstrap
starts it again, gns opens a new session, pings answer again), and inject
thousands of garbage and oversized frames onto the LAN from the host
(vde_plug's byte stream: a 2-byte big-endian length, then the frame), after
which the driver must still be the same task and pings still answered.
Nothing is timed: every wait is a generous timeout. The switch and the QEMUs
are stopped whatever happens (SIGTERM included).

Prints `ok N - name` lines, then `net: N passed, N failed`.
Usage: run.py BUILD_DIR
"""
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from guest import Guest  # noqa: E402

B = sys.argv[1] if len(sys.argv) > 1 else "build"
LOGS = B + "/test/net"
SWITCH = LOGS + "/switch"
WAIT = 60          # seconds: generous, for a loaded machine
# --peer LINUX PEER.cpio: a Linux peer joins the LAN (tests/peer/rules.mk builds it)
PEER = sys.argv[sys.argv.index("--peer") + 1:sys.argv.index("--peer") + 3] if "--peer" in sys.argv else None
PEER_SCRIPT = """#!/bin/sh
for i in $(seq 90); do ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 && break; done
ping -c 3 -W 2 10.77.0.1
ping -c 3 -W 2 10.77.0.2
echo "peer-linux: pinged"
sleep 60
"""


def linux_peer(g1):
    """Linux pings nodes 1 and 2, then node 1 pings Linux (10.77.0.200)."""
    script = LOGS + "/peer-run.sh"
    with open(script, "w") as f:
        f.write(PEER_SCRIPT)
    os.chmod(script, 0o755)
    log = LOGS + "/peer.log"
    peer = subprocess.Popen([os.path.dirname(__file__) + "/../../tools/net/peer.sh", PEER[0], PEER[1], SWITCH,
                             "10.77.0.200", "52:54:00:77:00:c8", log, script, "150"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        text = ""
        deadline = time.time() + WAIT * 3
        while time.time() < deadline and "peer-linux: pinged" not in text and peer.poll() is None:
            time.sleep(1)
            text = open(log, errors="replace").read() if os.path.exists(log) else ""
        got = re.findall(r"3 packets transmitted, (\d+) packets received", text)
        case("a_linux_peer_pings_node1_and_node2", got == ["3", "3"], "received %s; its console: %s" % (got, log))
        ping(g1, "10.77.0.200")   # the first contact resolves ARP
        r = ping(g1, "10.77.0.200")
        case("node1_pings_the_linux_peer", r == (4, 4), "got %s" % (r,))
    finally:
        peer.terminate()
        try:
            peer.wait(10)
        except subprocess.TimeoutExpired:
            peer.kill()
L = r"(?:^|> )"    # a console line: at its start, or after a prompt printed before it
# QEMU's e1000 is the 82540EM; node 2 has the other model the driver knows
MODELS = {1: "e1000", 2: "e1000-82545em", 3: "e1000"}
NAMES = {1: "82540EM", 2: "82545EM", 3: "82540EM"}
passed = failed = 0
n = 0


def modules(node):
    base = [B + "/servers/bootstrap.elf", B + "/servers/ns.elf restart=always",
            B + "/servers/console.elf restart=always", B + "/servers/pci.elf driver restart=always",
            B + "/servers/e1000.elf driver restart=always"]
    if node == 3:   # the hostile client instead of gns
        return ",".join(base + [B + "/tests/nicclient.elf"])
    return ",".join(base + [B + "/servers/gns.elf node=%d restart=always" % node,
                            B + "/servers/shell.elf restart=always"])


def monitor(node, command):
    """One command to node's QEMU monitor (a unix socket); True once QEMU has run it.

    QEMU's banner and its first "(qemu)" prompt often come in two reads. Taking the
    banner's prompt for the command's answer, as this did, closed the socket right
    after sending the command, and QEMU then dropped it unrun (in about two connects
    of three, tried by hand): the link never went down, and the cases waited in vain
    for the driver's "link down". So: the prompt first, then the command, then the
    next prompt after the command's echo. Every exchange goes to monitor.log."""
    import socket
    s = socket.socket(socket.AF_UNIX)
    got = b""
    try:
        s.settimeout(WAIT)
        s.connect("%s/node%d.monitor" % (LOGS, node))
        while b"(qemu)" not in got:
            data = s.recv(4096)
            if not data:
                return False
            got += data
        s.sendall(command.encode() + b"\n")
        while not re.search(re.escape(command.encode()) + rb"\x1b\[K\r\n(?:.|\n)*\(qemu\)", got):
            data = s.recv(4096)
            if not data:
                return False
            got += data
        return True
    except OSError:
        return False
    finally:
        s.close()
        with open(LOGS + "/monitor.log", "ab") as log:
            log.write(b"node %d: %s\n%r\n" % (node, command.encode(), got[-200:]))


def boot(node):
    return Guest(["-m", "64M", "-monitor", "unix:%s/node%d.monitor,server=on,wait=off" % (LOGS, node),
                  "-nic", "none", "-netdev", "vde,id=n0,sock=" + SWITCH,
                  "-device", "%s,netdev=n0,mac=52:54:00:12:34:%02x" % (MODELS[node], node),
                  "-kernel", B + "/kernel.elf", "-append", "debug_exit lockcheck",
                  "-initrd", modules(node)], "%s/node%d.log" % (LOGS, node))


def case(name, ok, why=""):
    global passed, failed, n
    n += 1
    if ok:
        passed += 1
        print("ok %d - net: %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - net: %s%s" % (n, name, ": " + why if why else ""))
    sys.stdout.flush()


def ping(g, addr, count=4):
    """Types `ping addr count` at g's shell: (sent, answered), or None."""
    g.send("ping %s %d\r" % (addr, count))
    m = g.expect(L + r"(?:ping %s: (\d+) sent, (\d+) answered|shell: ping.*)$" % re.escape(addr), WAIT)
    if not m or m.group(1) is None:
        return None
    return int(m.group(1)), int(m.group(2))


def deaths(g):
    return len(re.findall(L + r"bootstrap: task e1000 died", g.text(), re.M))


def frames(count, seed):
    """Garbage: every length from a runt to past what an e1000 takes, to the nodes, broadcast and anyone."""
    rnd = random.Random(seed)
    dests = [bytes.fromhex("525400123401"), bytes.fromhex("525400123402"), b"\xff" * 6]
    for i in range(count):
        size = rnd.choice([rnd.randrange(0, 64), rnd.randrange(0, 1519), rnd.randrange(1519, 2100)])
        body = bytearray(rnd.getrandbits(8) for _ in range(size))
        if size >= 14 and i % 4 != 3:
            body[0:6] = rnd.choice(dests)
            body[12:14] = rnd.choice([b"\x08\x00", b"\x08\x06", b"\x86\xdd", body[12:14]])
        yield bytes(body)


def inject(count, seed):
    plug = subprocess.Popen(["vde_plug", SWITCH], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for i, f in enumerate(frames(count, seed)):
            plug.stdin.write(struct.pack(">H", len(f)) + f)
            if i % 64 == 63:
                plug.stdin.flush()
                time.sleep(0.01)   # a pace the switch keeps up with, not a measurement
        plug.stdin.close()
        plug.wait(WAIT)
        return True
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        if plug.poll() is None:
            plug.kill()


def up(g, node):
    return (g.expect(L + r"e1000: %s at [0-9a-f:.]+, IRQ \d+, 52:54:00:12:34:%02x, link up; serving /servers/nic0" %
                     (NAMES[node], node),
                     WAIT) is not None and
            g.expect(L + r"gns: /servers/nic0 is 52:54:00:12:34:%02x, 10\.77\.0\.%d$" % (node, node), WAIT) is not None)


def ifconfig_ok(g, node, link):
    """Types `ifconfig` at g's shell: node's address, netmask, MAC and link, and packets counted both ways."""
    g.send("ifconfig\r")
    lines = [g.expect(L + r"et0: flags=<UP,BROADCAST%s> mtu 1500$" % (",RUNNING" if link == "up" else ""), WAIT),
             g.expect(L + r"    inet 10\.77\.0\.%d netmask 255\.255\.0\.0 gateway 0\.0\.0\.0$" % node, WAIT),
             g.expect(L + r"    ether 52:54:00:12:34:%02x link %s$" % (node, link), WAIT),
             g.expect(L + r"    RX packets (\d+) bytes (\d+) errors \d+ dropped \d+$", WAIT),
             g.expect(L + r"    TX packets (\d+) bytes (\d+) errors \d+ dropped \d+$", WAIT)]
    return all(lines) and all(int(m.group(1)) > 0 and int(m.group(2)) >= 42 * int(m.group(1)) for m in lines[3:])


def cases(g1, g2):
    case("both_nodes_bring_up_their_e1000_and_gns", up(g1, 1) and up(g2, 2))

    # The first contact resolves ARP: lwIP keeps only the newest request queued meanwhile
    # (ARP_QUEUEING off), and QEMU's e1000 holds frames for a second after RCTL is written.
    r = ping(g1, "10.77.0.2")
    case("node1_reaches_node2_through_gns", r is not None and r[0] == 4 and r[1] >= 1, "got %s" % (r,))
    r = ping(g1, "10.77.0.2")
    case("node1_pings_node2_through_gns", r == (4, 4), "got %s" % (r,))
    r = ping(g2, "10.77.0.1", 8)
    case("node2_pings_node1_through_gns", r == (8, 8), "got %s" % (r,))

    # the shell's ifconfig and netstat (gns_ifconfig, gns_netstat) after those pings
    case("ifconfig_shows_node1s_address_mac_link_and_counters", ifconfig_ok(g1, 1, "up"))
    g1.send("netstat\r")
    m = g1.expect(L + r"(Proto Recv-Q Send-Q  Local +Remote +State +Owner|shell: netstat.*)$", WAIT)
    case("netstat_prints_its_table", m is not None and m.group(1).startswith("Proto"),
         "got %r" % (m.group(0) if m else None))

    # a Linux node on the same LAN (tools/net/peer.sh: Debian's kernel and busybox)
    if PEER:
        linux_peer(g1)

    # node 3: a hostile client of its e1000 driver (tests/net/nicclient.c), node 1 answering its ARP
    g3 = boot(3)
    try:
        code = g3.wait_exit(WAIT * 5)
    finally:
        g3.stop()
    out = g3.text()
    for m in re.finditer(r"^(not ok|ok) \d+ - (.*)$", out, re.M):
        case("node3: " + m.group(2), m.group(1) == "ok")
    case("node3: the_hostile_client_ran_to_its_end", code == 33 and
         re.search(r"^nicclient: \d+ passed, 0 failed", out, re.M) is not None,
         "exit status %s; its console: %s/node3.log" % (code, LOGS))

    # the cable pulled and put back (QEMU's set_link, through the monitor: see monitor())
    steps = (monitor(1, "set_link n0 off"), g1.expect(L + r"e1000: link down", WAIT) is not None,
             g1.expect(L + r"gns: link down \(0 Mb/s\)", WAIT) is not None)
    why = ""
    if not all(steps):
        g1.send("ps\r")
        g1.expect(r"a^", 5)     # matches nothing: reads the console for 5 s (text() alone reads nothing)
        why = "monitor, driver, gns: %s; then ps: %r" % (steps, g1.text()[g1.cursor:])
    case("a_link_down_reaches_gns", all(steps), why)
    case("ifconfig_shows_the_link_down", ifconfig_ok(g1, 1, "down"))
    steps = (monitor(1, "set_link n0 on"), g1.expect(L + r"e1000: link up", WAIT) is not None,
             g1.expect(L + r"gns: link up \(1000 Mb/s\)", WAIT) is not None)
    case("a_link_up_reaches_gns", all(steps), "monitor, driver, gns: %s" % (steps,))
    r = ping(g1, "10.77.0.2")
    case("pings_answer_after_the_link_came_back", r == (4, 4), "got %s" % (r,))

    # node 2's driver killed while node 1 pings it: some requests are lost, then answers again
    g1.send("ping 10.77.0.2 25\r")
    g1.expect(r"ping 10\.77\.0\.2 25$", WAIT)
    time.sleep(1)
    g2.send("kill e1000\r")
    back = (g2.expect(L + r"bootstrap: restarting e1000", WAIT) is not None and
            g2.expect(L + r"e1000: 82545EM .* serving /servers/nic0", WAIT) is not None and
            g2.expect(L + r"gns: /servers/nic0 reopened", WAIT) is not None)
    m = g1.expect(L + r"ping 10\.77\.0\.2: (\d+) sent, (\d+) answered$", WAIT)
    case("a_driver_killed_mid_ping_is_started_again_and_gns_reopens", back)
    case("the_ping_around_the_kill_got_answers", m is not None and int(m.group(1)) == 25 and int(m.group(2)) > 0,
         "got %s" % (m.groups() if m else None,))
    r = ping(g1, "10.77.0.2")
    case("pings_answer_again_after_the_peers_driver_restarted", r == (4, 4), "got %s" % (r,))

    # node 1's own driver killed: its gns notices the dead session and reopens
    g1.send("kill e1000\r")
    back = (g1.expect(L + r"gns: /servers/nic0's session is over", WAIT) is not None and
            g1.expect(L + r"gns: /servers/nic0 reopened", WAIT) is not None)
    case("gns_reopens_its_session_when_its_driver_dies", back)
    r = ping(g1, "10.77.0.2")
    case("pings_answer_again_after_our_driver_restarted", r == (4, 4), "got %s" % (r,))

    # garbage and oversized frames from the host onto the LAN
    d1, d2 = deaths(g1), deaths(g2)
    case("the_host_injects_3000_garbage_frames", inject(3000, 13))
    r1 = ping(g1, "10.77.0.2")
    r2 = ping(g2, "10.77.0.1")
    case("pings_answer_after_the_garbage", r1 == (4, 4) and r2 == (4, 4), "got %s and %s" % (r1, r2))
    case("no_driver_died_of_the_garbage", deaths(g1) == d1 and deaths(g2) == d2 and
         not re.search(r"broke its rings|session is over \(the client broke", g1.text() + g2.text()),
         "e1000 deaths %d -> %d, %d -> %d" % (d1, deaths(g1), d2, deaths(g2)))


def main():
    shutil.rmtree(LOGS, ignore_errors=True)
    os.makedirs(LOGS)
    switch = subprocess.Popen(["vde_switch", "-s", SWITCH], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    guests = []
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))   # `timeout`: clean up below
    try:
        for _ in range(100):
            if os.path.exists(SWITCH + "/ctl"):
                break
            time.sleep(0.05)
        g2 = boot(2)
        guests.append(g2)
        g1 = boot(1)
        guests.append(g1)
        cases(g1, g2)
        for i, g in ((1, g1), (2, g2)):
            case("node%d_never_panicked" % i, not g.panicked())
    finally:
        for g in guests:
            g.stop()
        switch.kill()
        switch.wait()
        shutil.rmtree(SWITCH, ignore_errors=True)
    if failed:
        for i, g in enumerate(reversed(guests), 1):
            print("==== node%d's console (%s/node%d.log) ====" % (i, LOGS, i))
            print(g.text())
    print("net: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
