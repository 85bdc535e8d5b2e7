#!/usr/bin/env bash
# make bench's remote rows: two nodes of one system on a vde_switch LAN of their
# own, both under -icount shift=0 with QEMU's e1000 and -global
# e1000.mitigation=off (NOTES.md: the interrupt spacing otherwise makes counts
# follow host timing). Node 1 (10.77.0.1) is the client and TCP sender, node 2
# (10.77.0.2) the UDP echo and TCP receiver (tests/bench/remote/). Each node
# prints `NODE <row> <role> <busy instructions> <count>`; this script prints
#
#   BENCH udp_rr_remote N insns               client + server busy, per round trip
#   BENCH null_rpc_remote N insns             (Manifold) the same for an empty Mach RPC
#                                             through gns's proxies and transport
#   BENCH tcp_bulk_remote/send N insns/kB     the sender's busy per 1,000 bytes
#   BENCH tcp_bulk_remote/recv N insns/kB     the receiver's
#   BENCH ool_1m_remote/send N insns/kB       (Manifold) the sender's per 1,000 bytes of
#   BENCH ool_1m_remote/recv N insns/kB       out-of-line memory in RPCs, and the receiver's
#
# or `FAIL remote ...` lines when a node did not report.
#
#   tools/bench/remote.sh manifold|linux ITERS BYTES OUT_DIR
#
# NETBENCH_PROFILE=1 makes Manifold's netbench print PROFILE lines too (traps,
# switches and each task's CPU time per round trip: tests/bench/README.md).
# AUTH_ONLY=1 starts Manifold's gns in auth-only mode (payloads authenticated,
# not encrypted: what encryption costs, issue 14), for a figure by hand.
#
# Manifold boots what make run boots but the shell, with netbench; Linux is the
# network peer of tools/net/ (Debian's kernel, e1000.ko) with bench-net added.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
system=$1 iters=$2 bytes=$3 out=$4
mkdir -p "$out"
sw=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null; done
	[ -f "$sw/pid" ] && kill "$(cat "$sw/pid")" 2>/dev/null
	rm -rf "$sw"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
vde_switch -s "$sw/sock" -d -p "$sw/pid" || { echo "FAIL remote: vde_switch did not start"; exit 1; }
for _ in $(seq 50); do [ -e "$sw/sock/ctl" ] && break; sleep 0.1; done
# TCG runs about 100 million guest instructions a second here, less when loaded
limit=$((120 + iters / 50 + bytes / 100000))

role() { [ "$1" = 1 ] && echo client || echo server; }
logs=()
for k in 1 2; do
	log=$out/remote-$system-node$k.serial
	logs+=("$log")
	rm -f "$log"
	mac=$(printf '52:54:00:12:34:%02x' "$k")
	if [ "$system" = manifold ]; then
		mods="$B/servers/bootstrap.elf,$B/servers/ns.elf,$B/servers/console.elf,$B/servers/pci.elf driver"
		key=$(sed -n 's/^#define BENCH_KEY[^"]*"\([0-9a-f]*\)".*/\1/p' tests/bench/remote/remote.h)
		mods+=",$B/servers/e1000.elf driver,$B/servers/gns.elf node=$k key=$key${AUTH_ONLY:+ auth-only}"
		mods+=",$B/bench/netbench.elf $(role $k) $iters $bytes${NETBENCH_PROFILE:+ profile}"
		tools/qemu-test --timeout "$limit" --log "$log" -- -icount shift=0 -m 64M \
			-netdev "vde,id=n0,sock=$sw/sock" -device "e1000,netdev=n0,mac=$mac" -global e1000.mitigation=off \
			-kernel "$B/kernel.elf" -append "bench debug_exit" -initrd "$mods" >"$log.qemu-test" 2>&1 &
	else
		if [ ! -f "$sw/base.cpio" ]; then
			tools/bench/mkcpio.py "$sw/net.cpio" file:/bin/bench-net:"$B/bench/linux/bin/bench-net"
			cat "$B/net/peer.cpio" "$sw/net.cpio" >"$sw/base.cpio"
		fi
		printf '#!/bin/sh\n/bin/bench-net %s %s %s\n' "$(role $k)" "$iters" "$bytes" >"$sw/run$k.sh"
		PEER_QEMU_ARGS="-icount shift=0" tools/net/peer.sh "$B/bench/linux" "$sw/base.cpio" "$sw/sock" \
			"10.77.0.$k" "$mac" "$log" "$sw/run$k.sh" "$limit" >"$log.peer" 2>&1 &
	fi
	pids+=($!)
done
wait "${pids[@]}"
pids=()

python3 - "$system" "$iters" "$bytes" "${logs[@]}" <<'PY'
import re, sys
system, iters, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
nodes = {}
for path in sys.argv[4:]:
    try:
        text = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        text = ""
    for m in re.finditer(r"^NODE (\S+) (\S+) (\d+) (\d+)\s*$", text.replace("\r", ""), re.M):
        nodes[(m.group(1), m.group(2))] = (int(m.group(3)), int(m.group(4)))
    for m in re.finditer(r"^FAIL .*$", text, re.M):
        print(m.group(0))

def get(row, role):
    if (row, role) not in nodes:
        print("FAIL remote: no %s figure from the %s" % (row, role))
        return None
    return nodes[(row, role)]

c, s = get("udp_rr_remote", "client"), get("udp_rr_remote", "server")
if c and s:
    if c[1] != iters or s[1] != iters:
        print("FAIL remote: %d round trips wanted, client %d, server %d" % (iters, c[1], s[1]))
    else:
        print("BENCH udp_rr_remote %d insns" % round((c[0] + s[0]) / iters))
if system == "manifold":
    c, s = get("null_rpc_remote", "client"), get("null_rpc_remote", "server")
    if c and s:
        if c[1] != iters or s[1] != iters:
            print("FAIL remote: %d RPCs wanted, client %d, server %d" % (iters, c[1], s[1]))
        else:
            print("BENCH null_rpc_remote %d insns" % round((c[0] + s[0]) / iters))
    o = {role: get("ool_1m_remote", role) for role in ("sender", "receiver")}
    if o["sender"] and o["receiver"]:
        if o["sender"][1] != o["receiver"][1] or o["sender"][1] == 0:
            print("FAIL remote: out-of-line bytes: the sender counted %d, the receiver %d" %
                  (o["sender"][1], o["receiver"][1]))
        else:
            for role, name in (("sender", "send"), ("receiver", "recv")):
                print("BENCH ool_1m_remote/%s %d insns/kB" % (name, round(o[role][0] * 1000 / o[role][1])))
for role, name in (("sender", "send"), ("receiver", "recv")):
    f = get("tcp_bulk_remote", role)
    if f and f[1] != nbytes:
        print("FAIL remote: %d bytes wanted, the %s counted %d" % (nbytes, role, f[1]))
    elif f:
        print("BENCH tcp_bulk_remote/%s %d insns/kB" % (name, round(f[0] * 1000 / nbytes)))
PY
