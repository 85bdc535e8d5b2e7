#!/usr/bin/env python3
"""The `xipc` suite: messages across nodes through gns (issue 14). Four
Manifold nodes on one vde_switch LAN:

    node 1  key K   runs `xipctest serve`: /cluster/echo, /cluster/task, /cluster/thread; its
                    gns drops its unicast beacons to node 2 in bursts (drop-beacons-to=2): node 2
                    suspects it again and again, and each suspicion must be refuted
    node 2  key K   runs `xipctest client`: finds them through gns and uses them
    node 3  key K   runs `xipctest relay`: uses a right to node 1's echo that node 2 sends it,
                    and counts the calls of the lossy RPC case; it sits on a second switch
                    joined to the first through vde2's wirefilter: 10 % loss, 5 %
                    duplication, 1+-1 ms of delay out of order (--nofifo), both ways
    node 4  key K'  a node with the wrong cluster key: heard, never believed

The client's own cases (tests/user/xipctest.c: RPCs through a proxy, rights
both ways, 1 MiB out of line, vm_read/vm_write/task_suspend/thread_get_state
on node 1's task, a forged identity) are repeated here as this suite's
cases; the host adds what only it sees: `nodes` on both sides, the forgery
counted on node 1, node 3 calling node 1 through a proxy of its own, node 4's
beacons refused, node 1 suspected by node 2 but declared dead nowhere, node 1's QEMU stopped
(SIGSTOP) for 1.5 s while the client calls it and then continued: declared dead nowhere, its
proxies live (a starved node is no dead one: node 3's, idle meanwhile, answers after), and node 1
killed: node 2's gns
declares it dead within 2 s of its last beacon (gns's own figure) and the
client's proxy becomes a dead name. Prints `ok N - xipc: name`, then
`xipc: N passed, N failed`.

Usage: run.py BUILD_DIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import lan  # noqa: E402

B = sys.argv[1]
LOGS = B + "/test/xipc"
KEY = "5a" * 8 + "0123456789abcdef" * 3
RPCS = int(os.environ.get("XIPC_LOSSY_RPCS", "1000"))   # the issue asks 10,000: XIPC_LOSSY_RPCS=10000
WIREFILTER = ["wirefilter", "-l", "10", "-D", "5", "-d", "1+1", "-N"]
PCAP = LOGS + "/node3.pcap"   # node 3's traffic, as QEMU saw it: read back with tools/wireshark/manifold.lua
DISSECTOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "wireshark", "manifold.lua")


def tshark(filt, fields):
    """Rows of node 3's capture through the dissector: tshark's fields for the packets filt matches."""
    out = subprocess.run(["tshark", "-r", PCAP, "-X", "lua_script:" + DISSECTOR, "-Y", filt, "-T", "fields",
                          "-E", "separator=,"] + sum((["-e", f] for f in fields), []),
                         capture_output=True, text=True, timeout=300)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def dissector_cases():
    """tools/wireshark/manifold.lua on the capture of node 3: every field where the wire format puts it."""
    rows = tshark("manifold.type", ["manifold.type", "manifold.src", "manifold.dst", "manifold.session", "manifold.pn",
                                    "manifold.msg", "manifold.port", "manifold.frag", "manifold.frags"])
    types = {r[0] for r in rows}
    case("the_dissector_shows_every_kind_of_datagram_in_node3s_capture", {"1", "2", "3", "4"} <= types,
         "%d datagrams, types %s" % (len(rows), sorted(types)))
    # node 3's own packet numbers grow per session (the wire reorders what comes to it, not what it sends)
    last, bad = {}, 0
    for r in rows:
        if r[1] == "3" and r[0] in ("3", "4"):
            key, pn = (r[2], r[3]), int(r[4])
            bad += key in last and pn <= last[key]
            last[key] = pn
    case("the_dissector_reads_node3s_packet_numbers_in_order", len(last) > 0 and bad == 0,
         "%d sessions, %d out of order" % (len(last), bad))
    # node 3's answers to the lossy RPCs: message ids 1, 2, ... of one session to node 2, none missing
    ids = {}
    for r in rows:
        if r[0] == "3" and r[1] == "3" and r[2] == "2":
            ids.setdefault(r[3], set()).add(int(r[5]))
    best = max(ids.values(), key=len) if ids else set()
    case("the_dissector_finds_node3s_message_ids_to_node2_all_from_1", len(best) >= RPCS and
         best == set(range(1, max(best) + 1)), "%d ids in the largest session, highest %s" % (len(best), max(best or {0})))
    # in sequence to each destination: a unicast one may wait for ARP while a later one to a known
    # address goes first (one sequence counter for all of node 3's beacons)
    beacons = {}
    for r in tshark("manifold.beacon.node == 3", ["ip.dst", "manifold.beacon.seq"]):
        beacons.setdefault(r[0], []).append(int(r[1]))
    case("the_dissector_shows_node3s_beacons_in_sequence", sum(map(len, beacons.values())) >= 10 and
         all(b == sorted(b) and len(set(b)) == len(b) for b in beacons.values()),
         "%s beacons" % {d: len(b) for d, b in beacons.items()})
    # node 3 helps node 2 probe node 1 (DROP): node 2's PROBEs of node 1 come to it, and it relays node 1's ACKs
    probes = tshark("manifold.beacon.kind == 5 && manifold.beacon.node == 2 && manifold.beacon.subject == 1",
                    ["frame.number"])
    acks = tshark("manifold.beacon.kind == 6 && manifold.beacon.node == 3 && manifold.beacon.subject == 1 && "
                  "manifold.beacon.origin == 2", ["manifold.beacon.subject_inc"])
    # and tells node 2 when it last heard node 1 itself (VOUCH: the silence that decides runs from the latest word)
    vouches = tshark("manifold.beacon.kind == 7 && manifold.beacon.node == 3 && manifold.beacon.subject == 1 && "
                     "ip.dst == 10.77.0.2", ["manifold.beacon.silent_ms"])
    case("the_dissector_shows_node3_relaying_probes_of_node1_for_node2_and_vouching_for_it",
         len(probes) >= 1 and len(acks) >= 1 and len(vouches) >= 1,
         "%d probes from node 2, %d acks relayed (incarnations %s), %d vouches (silences %s ms)" %
         (len(probes), len(acks), sorted({int(a[0]) for a in acks})[-5:], len(vouches),
          sorted(int(v[0]) for v in vouches)[-5:]))
    bad = tshark("_ws.malformed || manifold.short", ["frame.number"])
    case("the_dissector_finds_nothing_malformed", len(bad) == 0, "%d malformed" % len(bad))
    # the beacons' pace (servers/gns/cluster.h): node 3 relays RPCs to node 2 for most of the run, so it
    # shares ports and sends a heartbeat every 300 ms to each of its watchers (nodes 1 and 2, the live nodes
    # after it around the ring): their median gap. Node 4, with the wrong key, has no live peer, so no
    # watcher, and only announces itself, the gap doubling from 250 ms to 10 s: a gap of 10 s or more (how
    # many depends on how long the run took; the wirefilter loses some on their way to node 3, which makes
    # a gap of 20 s, and duplicates some, a gap of 0). A short run ends before the 10 s gap: each gap
    # doubles the last, so the longest is then about half of all of them (0.25 + ... + 8 s: 8 of 15.7),
    # and at least 4 s (a run took 15.7 s once beside a loaded host and failed a fixed 9).
    def gaps(node, what):
        t = [float(r[0]) for r in tshark("manifold.beacon.node == %d && %s" % (node, what), ["frame.time_relative"])]
        return sorted(b - a for a, b in zip(t, t[1:]))
    g3, g4 = gaps(3, "manifold.beacon.kind == 2 && ip.dst == 10.77.0.2"), gaps(4, "manifold.beacon.kind == 1")
    m3 = g3[len(g3) // 2] if g3 else 0.0
    case("heartbeats_come_every_300_ms_to_a_watcher_of_a_node_sharing_ports_and_announcements_every_10_s",
         0.25 <= m3 <= 0.4 and g4 and g4[-1] >= max(3.5, min(9, 0.4 * sum(g4))),
         "median gap of node 3's heartbeats to node 2 %.3f s; node 4's announcements' gaps %s" %
         (m3, ["%.2f" % g for g in g4]))
WRONG_KEY = "a5" * 32
# node 1's unicast beacons to node 2, one of its two watchers, are lost 2.5 s of every 4 (gns's test
# hook, servers/gns/config.h): node 2 suspects node 1 again and again, and every suspicion must be
# refuted (node 1's answer comes through node 3, or its higher incarnation by broadcast) before
# anyone kills a proxy of node 1's ports
DROP = " drop-beacons-to=2"
# how long the host stops node 1's QEMU while node 2 calls it through a proxy (servers/gns/README.md, Peers and
# failure detection: the longest starvation tolerated)
FREEZE = float(os.environ.get("XIPC_FREEZE_S", "1.5"))
suite = lan.Suite("xipc")
case = suite.case


def modules(node, key, role, gns_extra=""):
    return ",".join([B + "/servers/bootstrap.elf", B + "/servers/ns.elf restart=always",
                     B + "/servers/console.elf restart=always", B + "/servers/pci.elf driver restart=always",
                     B + "/servers/e1000.elf driver restart=always", B + "/servers/echo.elf restart=always",
                     B + "/servers/gns.elf node=%d key=%s%s restart=always" % (node, key, gns_extra),
                     B + "/servers/shell.elf restart=always"] +
                    ([B + "/tests/xipctest.elf " + role + (" rpcs=%d" % RPCS if role == "client" else "")]
                     if role else []))


def pump(guests, seconds):
    """Reads every guest's console for about seconds (a console nobody reads stalls its guest)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for g in guests:
            g.expect(r"(?!)", 0.05)


def nodes(g, want, tries=10):
    """Types `nodes` at g's shell until its output (closed by its `rejects:` line) matches want: it, or None."""
    out = None
    for _ in range(tries):
        start = len(g.text())
        g.send("nodes\r")
        m = g.expect(lan.L + r"rejects:[^\n]*\n", lan.WAIT)
        out = g.text()[start:m.end()] if m else g.text()[start:]
        if m and re.search(want, out, re.M):
            return out
        g.expect(r"(?!)", 1)
    print("# last `nodes` output: %r" % out)
    return None


def proxies(g):
    """Types `proxies` at g's shell: its output (a count, then a line per proxy and export), or None."""
    start = len(g.text())
    g.send("proxies\r")
    m = g.expect(lan.L + r"proxies: (\d+)\n", lan.WAIT)
    if not m:
        return None
    g.expect(r"(?!)", 1)   # the lines after the count
    return g.text()[start:]


def client_cases(g2, g1, g3, guests):
    """The client's lines as they come; node 1 is killed when the client asks for it."""
    seen, t_kill, froze, judged = 0, None, False, False
    deadline = time.time() + 420
    while time.time() < deadline:
        pump(guests, 0.3)
        text = g2.text()
        lines = re.findall(r"^(?:.*?> )?((?:not )?ok \d+ - xipc: [^\n]*)\n", text, re.M)
        for line in lines[seen:]:
            m = re.match(r"(not )?ok \d+ - xipc: (\S+)(?:: (.*))?", line)
            case(m.group(2), m.group(1) is None, m.group(3) or "")
            if m.group(2) == "a_right_passed_from_node1_via_node2_is_used_by_node3":
                # node 3 holds a proxy of node 1's port itself: its call went to node 1, not through node 2
                out = nodes(g3, r"^node 1: alive, session up, .* proxies [1-9]")
                case("node3_called_node1_directly_through_a_proxy_of_its_own", out is not None and
                     re.search(r"xipctest: relay: the right from node 2 answered 0 'via node 3'", g3.text()) is not None,
                     "node 3's nodes: %r" % out)
                out = proxies(g3)
                case("proxies_on_node3_lists_its_proxy_of_node1",
                     out is not None and re.search(r"^proxy  node 1 number \d+ port 0x[0-9a-f]+$", out, re.M) is not None,
                     "node 3's proxies: %r" % out)
            if m.group(2) == "a_forged_identity_gets_no_answer_and_its_proxy_dies":
                out = nodes(g1, r"rejects:.*\bforged_id [1-9]")
                m2 = re.search(r"rejects:.*\bforged_id (\d+)", out or "")
                case("node1_counts_the_forged_identity", m2 is not None and int(m2.group(1)) >= 1 and
                     re.search(r"gns: a forged port id from node 2 refused", g1.text()) is not None,
                     "node 1's nodes: %r" % out)
                out = proxies(g1)
                exported = len(re.findall(r"^export node 1 number \d+ port 0x[0-9a-f]+$", out or "", re.M))
                case("proxies_on_node1_lists_its_exports", exported >= 3,
                     "%d exports (echo, task and thread at least): %r" % (exported, out))
        seen = len(lines)
        if not froze and re.search(r"xipctest: ready for node 1 to freeze", text):
            froze = True
            freeze(g1, [g for g in guests if g is not g1])
        if froze and not judged and re.search(r"xipctest: freeze: [^\n]*\n", text):
            judged = True
            freeze_cases(g1, g2, g3)
        if t_kill is None and re.search(r"xipctest: ready for node 1 to die", text):
            suspicion_cases(g1, g2, g3, guests)
            case("node1_never_panicked_before_it_was_killed", not g1.panicked())
            g1.stop()
            guests.remove(g1)
            t_kill = time.time()
        if re.search(r"xipc-client: \d+ passed, \d+ failed", text):
            return True
    return False


def freeze(g1, others):
    """Stops node 1's QEMU for FREEZE seconds (SIGSTOP, then SIGCONT), 1 s into the client's calls to it:
    its guest runs nothing meanwhile and its clock jumps after, as a TCG guest starved by the host."""
    pump(others + [g1], 1)
    os.kill(g1.proc.pid, signal.SIGSTOP)
    try:
        pump(others, FREEZE)
    finally:
        os.kill(g1.proc.pid, signal.SIGCONT)
    print("# node 1 (pid %d) stopped for %.1f s" % (g1.proc.pid, FREEZE))


def freeze_cases(g1, g2, g3):
    """After the freeze (the client's own case says whether its calls were answered): no node took node 1
    for dead, and node 1, whose clock jumped, took none of its peers for dead."""
    false = [n for n, g in ((2, g2), (3, g3)) if re.search(r"gns: node 1 dead", g.text())]
    mine = re.findall(r"gns: node \d+ dead[^\n]*", g1.text())
    case("node1_frozen_for_%d_ms_is_declared_dead_nowhere" % (FREEZE * 1000),
         not false and "declared us dead" not in g1.text() and not mine,
         "node 1 taken for dead at nodes %s; node 1's own verdicts %s" % (false, mine))


def suspicion_cases(g1, g2, g3, guests):
    """Node 1's heartbeats to node 2 lost in bursts all along (DROP): no false death anywhere."""
    pump(guests, 6)   # the client idles, holding its proxy of node 1's echo: only beacons are heard
    false = [n for n, g in ((2, g2), (3, g3)) if re.search(r"gns: node 1 dead", g.text())]
    case("node1_whose_heartbeats_to_node2_are_lost_is_declared_dead_nowhere",
         not false and "declared us dead" not in g1.text() and
         not re.search(r"xipctest: dead-name notification", g2.text()), "false deaths at nodes %s" % false)
    out = nodes(g2, r"counters:.*\bsuspicions [1-9].*\bsuspicions_refuted [1-9]", 3)
    case("node2_suspects_node1_and_node1_refutes_it", out is not None, "node 2's nodes: %r" % out)
    out = nodes(g1, r"counters:.*\brefutations [1-9]", 3)
    case("node1_refutes_with_a_higher_incarnation", out is not None, "node 1's nodes: %r" % out)


def main():
    shutil.rmtree(LOGS, ignore_errors=True)
    os.makedirs(LOGS)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    sw = lan.Switch(LOGS + "/switch")
    sw3 = lan.Switch(LOGS + "/switch-3")
    lossy = subprocess.Popen(["dpipe", "vde_plug", sw.path, "="] + WIREFILTER + ["=", "vde_plug", sw3.path],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    guests = []
    try:
        g1 = lan.boot(B, sw.path, 1, LOGS + "/node1.log", initrd=modules(1, KEY, "serve", DROP))
        g3 = lan.boot(B, sw3.path, 3, LOGS + "/node3.log", initrd=modules(3, KEY, "relay"),
                      extra=["-object", "filter-dump,id=f0,netdev=n0,file=" + PCAP])
        g4 = lan.boot(B, sw.path, 4, LOGS + "/node4.log", initrd=modules(4, WRONG_KEY, None))
        g2 = lan.boot(B, sw.path, 2, LOGS + "/node2.log", initrd=modules(2, KEY, "client"))
        guests = [g1, g2, g3, g4]
        pairs = ((1, g1), (2, g2), (3, g3), (4, g4))
        ups = [lan.up(g, n) for n, g in pairs]
        inside = [g.expect(lan.L + r"gns: node %d in the cluster \(udp 7700, beacons 7701\)$" % n, lan.WAIT)
                  for n, g in pairs]
        case("four_nodes_bring_up_gns_in_the_cluster", all(ups) and all(inside), "up %s, in %s" % (ups, inside))
        serving = g1.expect(lan.L + r"xipctest: serving /cluster/echo", lan.WAIT)
        case("node1_publishes_its_cluster_names", serving is not None)
        alive = g2.expect(lan.L + r"gns: node 1 alive$", lan.WAIT)
        out = nodes(g1, r"^node 2: alive, session up")
        case("nodes_on_node1_shows_node2_alive_with_its_session_up", alive is not None and out is not None,
             "node 1's nodes: %r" % out)
        out = nodes(g1, r"rejects:.*\bbeacon_tag [1-9]")
        case("node4s_wrong_key_beacons_are_refused_and_counted", out is not None and "node 4:" not in out and
             "node 4 alive" not in g1.text(), "node 1's nodes: %r" % out)
        finished = client_cases(g2, g1, g3, [g1, g2, g3, g4])
        case("the_client_finishes", finished)
        # what the wire cost node 3 (retransmissions, duplicates refused): figures for the log, not asserted
        out = nodes(g3, r"rejects:", 2) or ""
        for line in re.findall(r"^(?:counters|rejects):.*$", out, re.M):
            print("# node 3 (behind the wirefilter): " + line)
        m = g2.expect(lan.L + r"gns: node 1 dead \((?:node \d+ saw )?no beacon, silent (\d+) ms\), (\d+) proxies dead$", lan.WAIT)
        case("node2s_gns_declares_node1_dead_within_2_s_of_its_last_beacon",
             m is not None and int(m.group(1)) < 2000 and int(m.group(2)) >= 1,
             "line: %s" % (m.group(0) if m else None))
        out = nodes(g2, r"^node 1: dead, session down")
        case("nodes_on_node2_shows_node1_dead", out is not None, "node 2's nodes: %r" % out)
        # the hostile messages' receive rights moved to node 1 (and the moved-receive case's)
        case("node2_moved_receive_rights_to_node1",
             out is not None and re.search(r"counters:.*\breceive_moved_out [1-9]", out) is not None,
             "node 2's nodes: %r" % out)
        m = re.search(r"xipc-client: (\d+) passed, (\d+) failed", g2.text())
        case("every_client_case_ran", m is not None and int(m.group(2)) == 0 and int(m.group(1)) >= 23,
             "summary: %s" % (m.group(0) if m else None))
        for n, g in ((2, g2), (3, g3), (4, g4)):
            case("node%d_never_panicked" % n, not g.panicked())
    finally:
        for g in guests:
            g.stop()
        os.killpg(lossy.pid, signal.SIGTERM)   # dpipe and the three it started
        lossy.wait()
        sw3.stop()
        sw.stop()
    dissector_cases()   # after node 3 stopped: its capture is complete
    if suite.failed:
        for n, g in enumerate(guests, 1):
            print("==== node%d's console (%s/node%d.log) ====" % (n, LOGS, n))
            print(g.text())
    return suite.summary()


if __name__ == "__main__":
    sys.exit(main())
