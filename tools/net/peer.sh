#!/usr/bin/env bash
# Runs one Linux network peer on a virtual LAN (a vde_switch's socket) until
# its /run.sh ends, its console in LOG. RUN is a shell script for the peer
# (busybox's applets: ping, nc, udpsvd, ...); without one it only answers (ARP,
# ping) for TIMEOUT seconds.
#
#   tools/net/peer.sh LINUX PEER.cpio SWITCH_SOCK IP MAC LOG [RUN] [TIMEOUT]
#
# QEMU's e1000 with mitigation off (NOTES.md), nothing but the vde LAN: no
# guest traffic can reach any other network. PEER_QEMU_ARGS adds QEMU options
# (make bench's remote rows: -icount shift=0).
set -euo pipefail
linux=$1 base=$2 sock=$3 ip=$4 mac=$5 log=$6 run=${7:-} timeout=${8:-120}
here=$(dirname "$0")
work=$(mktemp -d)
qpid=
# a harness that stops us stops the peer too (timeout runs QEMU in a group of its own)
trap '[ -n "$qpid" ] && kill "$qpid" 2>/dev/null && wait "$qpid"; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT
if [ -z "$run" ]; then
	printf '#!/bin/sh\nsleep %s\n' "$timeout" >"$work/run.sh"
else
	cp "$run" "$work/run.sh"
fi
"$here"/../bench/mkcpio.py "$work/run.cpio" file:/run.sh:"$work/run.sh"
cat "$base" "$work/run.cpio" >"$work/initrd"
# no_timer_check: a guest starved by a loaded host (TCG) can miss the timer interrupts its boot
# counts, and Linux then panics ("IO-APIC + timer doesn't work"; seen in the peer suite under make check)
timeout --kill-after=5 "$((timeout + 60))" qemu-system-i386 -m 128M -no-reboot \
	-kernel "$linux/vmlinuz" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet panic=-1 no_timer_check peer_ip=$ip" \
	-netdev vde,id=n0,sock="$sock" -device e1000,netdev=n0,mac="$mac" \
	-global e1000.mitigation=off -serial file:"$log" -monitor none -display none ${PEER_QEMU_ARGS:-} &
qpid=$!
wait "$qpid"
rc=$?
qpid=
exit "$rc"
