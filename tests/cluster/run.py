#!/usr/bin/env python3
"""The `cluster` suite: two Manifold nodes and a Linux node on one virtual LAN,
UDP and TCP between the systems checked by MD5, and a TCP stream through 5 %
loss (issue 13, Tests).

    switch A: node 1 (10.77.0.1), the Linux peer (10.77.0.200, tools/net/peer.sh),
              node 3 (gns ip=dhcp: its address from busybox's udhcpd on the peer)
    switch B: node 2 (10.77.0.2), joined to A through vde2's wirefilter with 5 % loss
              both ways (dpipe vde_plug A = wirefilter -l 5 = vde_plug B)

The Linux peer runs PEER_SCRIPT (busybox's nc, tools/net/udpio for UDP,
md5sum, udhcpd); the nodes' shells run bulk.c's tcpgen, tcpsink, udpgen and
udpsink, whose pattern the host knows (../net/lan.py). Each side prints the MD5
of what it sent or got, and the two must agree. Node 3 boots once the peer's
DHCP server is up (lwIP's DISCOVERs back off to a minute apart), takes a lease
of 120 s, answers the peer's pings and node 1's UDP echo at its leased address,
and renews the lease at T1 (60 s after the ACK: gns's lease.c keeps the lease's
times); the peer stops its DHCP server from 40 s to 70 s after it leased, so
that node 3's first renewal REQUEST is lost and its second, with backoff at
about 82 s, renews. Each
step waits for its other side with generous timeouts: nothing is timed. Four
boots in about two minutes. Prints `ok N - cluster: name`, then
`cluster: N passed, N failed`.

Usage: run.py BUILD_DIR LINUX PEER.cpio
"""
import os
import re
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
DHCP_DGRAMS = 16     # node 1's UDP echo at node 3's leased address
PEER = "10.77.0.200"
LEASE = 120          # seconds: udhcpd's lease to node 3
DHCP_DOWN = (40, 30) # seconds after the lease: the peer's udhcpd stops, then for how long
MAC3 = "52:54:00:12:34:03"
suite = lan.Suite("cluster")
case = suite.case

# What the Linux node does, in the order the host drives the nodes through it.
PEER_SCRIPT = """#!/bin/sh
say() { echo "peer-linux: $*"; }
sum() { md5sum <"$1" | cut -d' ' -f1; }
# TCP segments Linux sent again so far (/proc/net/snmp's RetransSegs, found by its header)
retrans() { awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp; }
# a DHCP server on this LAN only, for node 3 (ip=dhcp); auto_time writes its
# leases every 2 s (SIGUSR1 would at once, but one a second kept udhcpd from
# answering DISCOVERs for two minutes)
cat >/tmp/udhcpd.conf <<EOF
start 10.77.1.10
end 10.77.1.20
interface eth0
lease_file /tmp/udhcpd.leases
auto_time 2
option subnet 255.255.0.0
option router 10.77.0.200
option lease %(lease)d
EOF
touch /tmp/udhcpd.leases
udhcpd -f /tmp/udhcpd.conf >/tmp/udhcpd.log 2>&1 &
dhcpd=$!
say "dhcp server up"
for i in $(seq 150); do
	lease=$(dumpleases -f /tmp/udhcpd.leases 2>/dev/null | awk '/%(mac3)s/ { print $2 }')
	[ -n "$lease" ] && break
	sleep 1
done
say "leased ${lease:-nothing} to node 3"
# node 3 renews at T1, 60 s after its ACK: its first REQUEST finds no server (lost), later ones do
( sleep %(down_at)d; kill $dhcpd; say "dhcp server down"; sleep %(down_for)d
  udhcpd -f /tmp/udhcpd.conf >>/tmp/udhcpd.log 2>&1 & say "dhcp server up again" ) &
acks=$(grep -c 'sending ACK' /tmp/udhcpd.log)
[ -n "$lease" ] && say "pinged node 3 at its lease: $(ping -c 3 -W 2 $lease | grep -o '[0-9]* packets received')"
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
# the DHCP server stays until node 3 renewed (a minute after its gns started)
for i in $(seq 150); do [ "$(grep -c 'sending ACK' /tmp/udhcpd.log)" -gt "$acks" ] && break; sleep 1; done
say "udhcpd acked node 3's lease $(grep -c 'sending ACK' /tmp/udhcpd.log) times, $acks of them before the first ping"
""" % {"size": DGRAM, "count": DGRAMS, "kib": STREAM // 1024, "lease": LEASE, "mac3": MAC3,
       "down_at": DHCP_DOWN[0], "down_for": DHCP_DOWN[1]}


def peer_says(peer, what, timeout=lan.WAIT * 2):
    """The peer's `peer-linux: WHAT: N bytes, md5 X` as (N, X), or None."""
    m = peer.expect(r"^peer-linux: %s: (\d+) bytes, md5 ([0-9a-f]{32})" % what, timeout)
    return (int(m.group(1)), m.group(2)) if m else None


def ready(g, port):
    return g.expect(lan.L + r"(?:tcpsink|udpsink): listening on %d$" % port, lan.WAIT) is not None


def dhcp_cases(g1, g3, peer):
    """Node 3's address from the peer's udhcpd; pings and a UDP echo at it. The address, or None."""
    m = g3.expect(lan.L + r"gns: DHCP: bound ([0-9.]+) netmask ([0-9.]+), lease (\d+) s, from ([0-9.]+)$",
                  lan.WAIT * 3)
    leased = peer.expect(r"^peer-linux: leased (\S+) to node 3", lan.WAIT)
    addr = m.group(1) if m else None
    case("node3_takes_its_address_from_the_peers_dhcp_server",
         m is not None and leased is not None and addr == leased.group(1) and
         m.group(2, 3, 4) == ("255.255.0.0", str(LEASE), PEER),
         "node 3 says %r, the peer %r" % (m.group(0) if m else None, leased.group(0) if leased else None))
    if addr is None:
        return None
    pinged = peer.expect(r"^peer-linux: pinged node 3 at its lease: (\d+) packets received", lan.WAIT)
    case("the_linux_peer_pings_node3_at_its_leased_address", pinged is not None and pinged.group(1) == "3",
         "got %r" % (pinged.group(0) if pinged else None))
    g3.send("ifconfig\r")
    shown = g3.expect(lan.L + r"    inet %s netmask 255\.255\.0\.0 gateway %s$" % (re.escape(addr), re.escape(PEER)),
                      lan.WAIT)
    case("ifconfig_shows_node3s_leased_address_netmask_and_router", shown is not None)
    g3.send("udpsink 7010 %d echo\r" % DHCP_DGRAMS)
    ready(g3, 7010)
    g1.send("udpgen %s 7010 %d %d echo\r" % (addr, DHCP_DGRAMS, DGRAM))
    want = (DHCP_DGRAMS * DGRAM, lan.pattern_md5(DHCP_DGRAMS * DGRAM))
    sent, got = lan.md5_line(g1, "udpgen", "sent", lan.WAIT * 2), lan.md5_line(g3, "udpsink", "echoed", lan.WAIT)
    back = g1.expect(lan.L + r"udpgen: %d datagrams, each echoed intact$" % DHCP_DGRAMS, lan.WAIT)
    case("node3_echoes_udp_at_its_leased_address", sent == want and got == want and back is not None,
         "node 1 sent %s, node 3 echoed %s, want %s" % (sent, got, want))
    return addr


def renewal_case(g3, addr, peer):
    """Node 3 renews at T1, 60 s after its ACK, while the peer's udhcpd is down: that REQUEST is
    lost, and the next one, with backoff, renews (a REQUEST 2 before the renewal says the first
    went unanswered). The peer's script ends once udhcpd has acknowledged the renewal."""
    first = g3.expect(lan.L + r"gns: DHCP: renewing %s, REQUEST 1, \d+ s to rebinding$" % re.escape(addr),
                      lan.WAIT * 3)
    second = g3.expect(lan.L + r"gns: DHCP: renewing %s, REQUEST 2, \d+ s to rebinding$" % re.escape(addr),
                       lan.WAIT)
    down = re.search(r"peer-linux: dhcp server down", peer.text())
    case("node3_sends_its_renewal_again_when_the_first_is_lost",
         first is not None and second is not None and down is not None,
         "REQUEST 1 %s, REQUEST 2 %s, server down %s" % (first is not None, second is not None, down is not None))
    m = g3.expect(lan.L + r"gns: DHCP: lease of %s renewed, %d s$" % (re.escape(addr), LEASE), lan.WAIT * 3)
    acks = peer.expect(r"^peer-linux: udhcpd acked node 3's lease (\d+) times, (\d+) of them before", lan.WAIT)
    case("node3_renews_its_lease", m is not None and acks is not None and int(acks.group(1)) > int(acks.group(2)) and
         not re.search(r"gns: DHCP: lease of .* lost", g3.text()),
         "node 3's renewal line %s, the peer's %r" % (m is not None, acks.group(0) if acks else None))


def cases(g1, g2, peer, boot3):
    # node 3 boots once the DHCP server is up: lwIP's DISCOVERs back off to a minute apart
    g3 = boot3() if peer.expect(r"^peer-linux: dhcp server up", lan.WAIT * 3) else None
    case("both_nodes_bring_up_their_e1000_and_gns", lan.up(g1, 1) and lan.up(g2, 2, "e1000-82545em"))
    case("node3_boots_with_ip_dhcp_once_the_peers_dhcp_server_is_up", g3 is not None and lan.up_dhcp(g3, 3))
    addr = dhcp_cases(g1, g3, peer) if g3 else None
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
    if addr:
        renewal_case(g3, addr, peer)


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

        def boot3():
            guests.append(lan.boot(B, a.path, 3, LOGS + "/node3.log", initrd=lan.modules(B, 3, "ip=dhcp")))
            return guests[-1]
        cases(guests[0], guests[1], peer, boot3)
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
