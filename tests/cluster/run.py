#!/usr/bin/env python3
"""The `cluster` suite: two Manifold nodes and a Linux node on one virtual LAN,
UDP and TCP between the systems checked by MD5, and a TCP stream through 5 %
loss (issue 13, Tests).

    switch A: node 1 (10.77.0.1), the Linux peer (10.77.0.200, tools/net/peer.sh)
    switch B: node 2 (10.77.0.2), joined to A through vde2's wirefilter with 5 % loss
              both ways (dpipe vde_plug A = wirefilter -l 5 = vde_plug B)

The Linux peer runs PEER_SCRIPT (busybox's nc, tools/net/udpio for UDP,
md5sum); the nodes' shells run bulk.c's tcpgen, tcpsink, udpgen and udpsink,
whose pattern the host knows (../net/lan.py). Each side prints the MD5 of what
it sent or got, and the two must agree. Each step waits for its other side
with generous timeouts: nothing is timed. Three boots, all at once, in about a
minute. Prints `ok N - cluster: name`, then `cluster: N passed, N failed`.

Usage: run.py BUILD_DIR LINUX PEER.cpio
"""
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import lan  # noqa: E402

B, LINUX, CPIO = sys.argv[1:4]
LOGS = B + "/test/cluster"
LOSS = 5             # per cent, each way
STREAM = 1048576     # bytes of each TCP stream
DGRAMS, DGRAM = 32, 1000
PEER = "10.77.0.200"
suite = lan.Suite("cluster")
case = suite.case

# What the Linux node does, in the order the host drives the nodes through it.
PEER_SCRIPT = """#!/bin/sh
say() { echo "peer-linux: $*"; }
sum() { md5sum <"$1" | cut -d' ' -f1; }
# TCP segments Linux sent again so far (/proc/net/snmp's RetransSegs, found by its header)
retrans() { awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp; }
for i in $(seq 120); do ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 && break; done
ping -c 3 -W 2 10.77.0.1
dd if=/dev/urandom of=/tmp/dgrams bs=%(size)d count=%(count)d 2>/dev/null
dd if=/dev/urandom of=/tmp/stream bs=1024 count=%(kib)d 2>/dev/null
say "made dgrams md5 $(sum /tmp/dgrams), stream md5 $(sum /tmp/stream)"
udpio send 10.77.0.1 7000 %(count)d %(size)d echo </tmp/dgrams && say "udp to node 1 echoed"
udpio recv 7001 %(count)d echo >/tmp/got-dgrams
say "udp from node 1: $(wc -c </tmp/got-dgrams) bytes, md5 $(sum /tmp/got-dgrams)"
for i in $(seq 120); do nc -w 5 10.77.0.1 7002 </tmp/stream && break; sleep 1; done
say "listening on 7003"
nc -l -p 7003 >/tmp/got-stream
say "tcp from node 1: $(wc -c </tmp/got-stream) bytes, md5 $(sum /tmp/got-stream)"
before=$(retrans)
for i in $(seq 120); do nc -w 5 10.77.0.2 7004 </tmp/stream && break; sleep 1; done
say "segments sent again through the loss: $(($(retrans) - before))"
say "listening on 7005"
nc -l -p 7005 >/tmp/got-lossy
say "tcp from node 2: $(wc -c </tmp/got-lossy) bytes, md5 $(sum /tmp/got-lossy)"
""" % {"size": DGRAM, "count": DGRAMS, "kib": STREAM // 1024}


def peer_says(peer, what, timeout=lan.WAIT * 2):
    """The peer's `peer-linux: WHAT: N bytes, md5 X` as (N, X), or None."""
    m = peer.expect(r"^peer-linux: %s: (\d+) bytes, md5 ([0-9a-f]{32})" % what, timeout)
    return (int(m.group(1)), m.group(2)) if m else None


def ready(g, port):
    return g.expect(lan.L + r"(?:tcpsink|udpsink): listening on %d$" % port, lan.WAIT) is not None


def cases(g1, g2, peer):
    case("both_nodes_bring_up_their_e1000_and_gns", lan.up(g1, 1) and lan.up(g2, 2, "e1000-82545em"))
    # the first sink at once: the peer tries its first datagram for two minutes, not longer
    g1.send("udpsink 7000 %d echo\r" % DGRAMS)
    ready1 = ready(g1, 7000)
    m = peer.expect(r"^peer-linux: made dgrams md5 ([0-9a-f]{32}), stream md5 ([0-9a-f]{32})", lan.WAIT * 3)
    case("the_linux_peer_comes_up_and_pings_node1", m is not None and
         "3 packets transmitted, 3 packets received" in peer.text(), "its console: " + peer.log)
    dgrams, stream = (m.group(1), m.group(2)) if m else (None, None)

    # UDP both ways, each datagram echoed back to its sender (tools/net/udpio.c, bulk.c)
    got = lan.md5_line(g1, "udpsink", "echoed", lan.WAIT * 3) if ready1 else None
    echoed = peer.expect(r"^peer-linux: udp to node 1 echoed", lan.WAIT)
    case("udp_datagrams_from_linux_reach_node1_intact", got == (DGRAMS * DGRAM, dgrams) and echoed is not None,
         "node 1 got %s, Linux sent md5 %s, echoes %s" % (got, dgrams, "back" if echoed else "missing"))
    g1.send("udpgen %s 7001 %d %d echo\r" % (PEER, DGRAMS, DGRAM))
    sent = lan.md5_line(g1, "udpgen", "sent", lan.WAIT * 2)
    back = g1.expect(lan.L + r"udpgen: %d datagrams, each echoed intact$" % DGRAMS, lan.WAIT)
    got = peer_says(peer, "udp from node 1")
    want = (DGRAMS * DGRAM, lan.pattern_md5(DGRAMS * DGRAM))
    case("udp_datagrams_from_node1_reach_linux_intact", sent == want and got == want and back is not None,
         "node 1 sent %s, Linux got %s, want %s" % (sent, got, want))
    r = lan.ping(g1, PEER)
    case("node1_pings_the_linux_peer", r == (4, 4), "got %s" % (r,))

    # TCP both ways: busybox nc on Linux
    g1.send("tcpsink 7002\r")
    got = lan.md5_line(g1, "tcpsink", "got", lan.WAIT * 3) if ready(g1, 7002) else None
    case("a_tcp_stream_from_linux_reaches_node1_intact", got == (STREAM, stream),
         "node 1 got %s, Linux sent md5 %s" % (got, stream))
    peer.expect(r"^peer-linux: listening on 7003", lan.WAIT)
    g1.send("tcpgen %s 7003 %d\r" % (PEER, STREAM))
    sent = lan.md5_line(g1, "tcpgen", "sent", lan.WAIT * 3)
    got = peer_says(peer, "tcp from node 1")
    want = (STREAM, lan.pattern_md5(STREAM))
    case("a_tcp_stream_from_node1_reaches_linux_intact", sent == want and got == want,
         "node 1 sent %s, Linux got %s, want %s" % (sent, got, want))

    # the same streams with node 2, behind the wirefilter's loss
    g2.send("tcpsink 7004\r")
    got = lan.md5_line(g2, "tcpsink", "got", lan.WAIT * 5) if ready(g2, 7004) else None
    case("a_tcp_stream_from_linux_through_%d_percent_loss_arrives_intact" % LOSS, got == (STREAM, stream),
         "node 2 got %s, Linux sent md5 %s" % (got, stream))
    # the loss is real: about 36 of the stream's 720 segments are lost, and Linux sends them again
    m = peer.expect(r"^peer-linux: segments sent again through the loss: (\d+)", lan.WAIT)
    case("the_wirefilter_loses_segments_that_linux_sends_again", m is not None and int(m.group(1)) > 0,
         "Linux's RetransSegs grew by %s" % (m.group(1) if m else None))
    peer.expect(r"^peer-linux: listening on 7005", lan.WAIT)
    g2.send("tcpgen %s 7005 %d\r" % (PEER, STREAM))
    sent = lan.md5_line(g2, "tcpgen", "sent", lan.WAIT * 5)
    got = peer_says(peer, "tcp from node 2", lan.WAIT * 5)
    case("a_tcp_stream_to_linux_through_%d_percent_loss_arrives_intact" % LOSS, sent == want and got == want,
         "node 2 sent %s, Linux got %s, want %s" % (sent, got, want))


def main():
    shutil.rmtree(LOGS, ignore_errors=True)
    os.makedirs(LOGS)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))   # `timeout`: clean up below
    a, b = lan.Switch(LOGS + "/switch-a"), lan.Switch(LOGS + "/switch-b")
    lossy = subprocess.Popen(["dpipe", "vde_plug", a.path, "=", "wirefilter", "-l", str(LOSS), "=",
                              "vde_plug", b.path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)   # dpipe makes a process group of its own
    guests, peer = [], None
    try:
        guests.append(lan.boot(B, a.path, 1, LOGS + "/node1.log"))
        guests.append(lan.boot(B, b.path, 2, LOGS + "/node2.log", "e1000-82545em"))
        peer = lan.Peer(LINUX, CPIO, a.path, PEER, "52:54:00:77:00:c8", LOGS + "/peer.log", PEER_SCRIPT, 400)
        cases(guests[0], guests[1], peer)
        for i, g in enumerate(guests, 1):
            case("node%d_never_panicked" % i, not g.panicked())
    finally:
        for g in guests:
            g.stop()
        if peer:
            peer.stop()
        os.killpg(lossy.pid, signal.SIGTERM)   # dpipe and the three it started
        lossy.wait()
        a.stop()
        b.stop()
    if suite.failed:
        for i, g in enumerate(guests, 1):
            print("==== node%d's console (%s/node%d.log) ====" % (i, LOGS, i))
            print(g.text())
        if peer:
            print("==== the Linux peer's console (%s) ====" % peer.log)
            print(peer.text())
    return suite.summary()


if __name__ == "__main__":
    sys.exit(main())
