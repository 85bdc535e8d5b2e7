"""What the network suites share (`net`: tests/net/run.py; `cluster`:
tests/cluster/run.py): a vde_switch LAN, Manifold nodes on it typed into
through their shells (../servers/guest.py), the Linux peer
(tools/net/peer.sh), the shell's bulk transfers (servers/shell/bulk.c) and
the `ok N - name` bookkeeping.

Node K has MAC 52:54:00:12:34:0K and gns node=K, so 10.77.0.K/16.
"""
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "servers"))
from guest import Guest  # noqa: E402

WAIT = 60          # seconds: generous, for a loaded machine
L = r"(?:^|> )"    # a console line: at its start, or after a prompt printed before it
NAMES = {"e1000": "82540EM", "e1000-82545em": "82545EM"}
PEER_SH = os.path.join(HERE, "..", "..", "tools", "net", "peer.sh")


class Suite:
    """Counts cases and prints them as `ok N - suite: name`."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def case(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print("ok %d - %s: %s" % (self.passed + self.failed, self.name, name))
        else:
            self.failed += 1
            print("not ok %d - %s: %s%s" % (self.passed + self.failed, self.name, name, ": " + why if why else ""))
        sys.stdout.flush()

    def summary(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 1 if self.failed else 0


class Switch:
    """A vde_switch whose socket is PATH, stopped (and its socket removed) by stop()."""

    def __init__(self, path):
        self.path = path
        self.proc = subprocess.Popen(["vde_switch", "-s", path], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(path + "/ctl"):
                break
            time.sleep(0.05)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.path, ignore_errors=True)


def modules(b, node, gns=None):
    """What make run boots, with node=K for gns (or gns's words GNS, as ip=dhcp)."""
    return ",".join([b + "/servers/bootstrap.elf", b + "/servers/ns.elf restart=always",
                     b + "/servers/console.elf restart=always", b + "/servers/pci.elf driver restart=always",
                     b + "/servers/e1000.elf driver restart=always",
                     b + "/servers/gns.elf %s restart=always" % (gns or "node=%d" % node), b + "/servers/shell.elf restart=always"])


def boot(b, switch, node, log, model="e1000", initrd=None, extra=()):
    return Guest(list(extra) + ["-m", "64M", "-nic", "none", "-netdev", "vde,id=n0,sock=" + switch,
                                "-device", "%s,netdev=n0,mac=52:54:00:12:34:%02x" % (model, node),
                                "-kernel", b + "/kernel.elf", "-append", "debug_exit lockcheck",
                                "-initrd", initrd or modules(b, node)], log)


def up(g, node, model="e1000"):
    """True once the node's driver and gns are up with its MAC and address."""
    return (g.expect(L + r"e1000: %s at [0-9a-f:.]+, IRQ \d+, 52:54:00:12:34:%02x, link up; serving /servers/nic0" %
                     (NAMES[model], node), WAIT) is not None and
            g.expect(L + r"gns: /servers/nic0 is 52:54:00:12:34:%02x, 10\.77\.0\.%d$" % (node, node), WAIT) is not None)


def up_dhcp(g, node, model="e1000"):
    """True once the node's driver and gns are up with its MAC, gns asking DHCP for its address."""
    return (g.expect(L + r"e1000: %s at [0-9a-f:.]+, IRQ \d+, 52:54:00:12:34:%02x, link up; serving /servers/nic0" %
                     (NAMES[model], node), WAIT) is not None and
            g.expect(L + r"gns: /servers/nic0 is 52:54:00:12:34:%02x, DHCP$" % node, WAIT) is not None)


def ping(g, addr, count=4):
    """Types `ping addr count` at g's shell: (sent, answered), or None."""
    g.send("ping %s %d\r" % (addr, count))
    m = g.expect(L + r"(?:ping %s: (\d+) sent, (\d+) answered|shell: ping.*)$" % re.escape(addr), WAIT)
    if not m or m.group(1) is None:
        return None
    return int(m.group(1)), int(m.group(2))


def pattern(nbytes):
    """The bytes the shell's tcpgen and udpgen send (servers/shell/bulk.c): xorshift32, little-endian."""
    x, out = 0x2545f491, bytearray()
    for _ in range((nbytes + 3) // 4):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out += x.to_bytes(4, "little")
    return bytes(out[:nbytes])


def pattern_md5(nbytes):
    return hashlib.md5(pattern(nbytes)).hexdigest()


def md5_line(g, cmd, what, timeout):
    """Waits for bulk.c's `CMD: WHAT N bytes, md5 X` at g's console: (N, X), or its error line's text."""
    m = g.expect(L + r"%s: (?:%s (\d+) bytes, md5 ([0-9a-f]{32})|(?:datagram|after|accept)?.*: .*)$" % (cmd, what),
                 timeout)
    if not m:
        return None
    if m.group(1) is None:
        return m.group(0)
    return int(m.group(1)), m.group(2)


class Peer:
    """The Linux peer (tools/net/peer.sh) running SCRIPT on SWITCH as IP; its console in LOG."""

    def __init__(self, linux, cpio, switch, ip, mac, log, script, timeout):
        self.log = log
        path = log + ".run.sh"
        with open(path, "w") as f:
            f.write(script)
        os.chmod(path, 0o755)
        self.proc = subprocess.Popen([PEER_SH, linux, cpio, switch, ip, mac, log, path, str(timeout)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def text(self):
        return open(self.log, errors="replace").read() if os.path.exists(self.log) else ""

    def expect(self, pattern, timeout):
        """Waits until pattern is on the peer's console (or the peer ended): the match, or None."""
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.lines(), re.M)
            if m or time.time() > deadline or self.proc.poll() is not None:
                return m or re.search(pattern, self.text(), re.M)
            time.sleep(0.5)

    def lines(self):
        """The console's complete lines: a line still being written could match a pattern ending in $."""
        t = self.text()
        return t[:t.rfind("\n") + 1]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def tcp_resent(pcap):
    """Data segments in a pcap file (QEMU's filter-dump of a node's netdev: what its
    NIC sent and what reached it, dropped or not): (segments with data, of which sent
    again). A segment is sent again when it ends at or before the furthest its sender
    reached so far: a copy of one seen already, or one that fills a hole (the first
    copy lost before this wire). The LAN does not reorder, so nothing else does that."""
    ends, resent, total = {}, 0, 0
    with open(pcap, "rb") as f:
        data = f.read()
    at = 24                                  # the file's header
    while at + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, at + 8)[0]
        frame = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ihl = (frame[14] & 15) * 4
        ip_len = struct.unpack_from(">H", frame, 16)[0]
        tcp = frame[14 + ihl:14 + ip_len]
        if len(tcp) < 20:
            continue
        payload = len(tcp) - (tcp[12] >> 4) * 4
        if payload <= 0:
            continue
        flow = (frame[26:34], tcp[0:4])      # addresses and ports
        end = (struct.unpack_from(">I", tcp, 4)[0] + payload) & 0xffffffff
        total += 1
        if flow in ends and (end - ends[flow]) & 0xffffffff >= 0x80000000 or ends.get(flow) == end:
            resent += 1                      # end <= furthest, modulo 2^32
        else:
            ends[flow] = end
    return total, resent
