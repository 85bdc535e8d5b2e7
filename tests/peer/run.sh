#!/usr/bin/env bash
# The `peer` suite: the Linux network peer (tools/net/) on a virtual LAN made of
# a vde_switch's unix socket, two of them: the machinery the cluster suites
# stand on (a Linux node beside Manifold nodes), checked by itself. Peer A
# pings peer B and sends it 1 MiB over TCP with busybox's nc; B prints the
# sum of what it got. Nothing leaves the machine: the LAN has no other port.
#
#   tests/peer/run.sh LINUX PEER.cpio LOGDIR
set -uo pipefail
linux=$1 base=$2 dir=$3
here=$(dirname "$0")
mkdir -p "$dir"
rm -f "$dir"/*.log
sw=$(mktemp -d)
pass=0 fail=0 n=0
cleanup() {
	[ -n "${bpid:-}" ] && kill "$bpid" 2>/dev/null
	[ -f "$sw/pid" ] && kill "$(cat "$sw/pid")" 2>/dev/null
	rm -rf "$sw"
}
trap cleanup EXIT
case_() {	# case_ NAME COMMAND...: ok when COMMAND succeeds
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name"
		fail=$((fail + 1))
	fi
}

vde_switch -s "$sw/sock" -d -p "$sw/pid" || { echo "not ok 1 - vde_switch starts"; echo "peer: 0 passed, 1 failed"; exit 1; }
for i in $(seq 50); do [ -e "$sw/sock/ctl" ] && break; sleep 0.1; done

# B answers pings and takes one TCP stream, then prints its sum
cat >"$sw/b.sh" <<'EOS'
#!/bin/sh
nc -l -p 5000 >/tmp/got
echo "peer-b: got $(wc -c </tmp/got) bytes, md5 $(md5sum </tmp/got | cut -d' ' -f1)"
EOS
# A waits for B to answer, pings it, then streams 1 MiB of known bytes
cat >"$sw/a.sh" <<'EOS'
#!/bin/sh
for i in $(seq 90); do ping -c 1 -W 1 10.77.0.201 >/dev/null 2>&1 && break; done
ping -c 3 -W 2 10.77.0.201
dd if=/dev/urandom of=/tmp/sent bs=1024 count=1024 2>/dev/null
echo "peer-a: sent $(wc -c </tmp/sent) bytes, md5 $(md5sum </tmp/sent | cut -d' ' -f1)"
# -w 5: nc ends 5 s after the last byte went, which closes the stream for B
for i in $(seq 20); do nc -w 5 10.77.0.201 5000 </tmp/sent && break; sleep 1; done
EOS
chmod +x "$sw/a.sh" "$sw/b.sh"
"$here"/../../tools/net/peer.sh "$linux" "$base" "$sw/sock" 10.77.0.201 52:54:00:77:00:c9 "$dir/b.log" "$sw/b.sh" 180 &
bpid=$!
"$here"/../../tools/net/peer.sh "$linux" "$base" "$sw/sock" 10.77.0.200 52:54:00:77:00:c8 "$dir/a.log" "$sw/a.sh" 180
# B is done once it printed its sum (or it never will: its timeout ends it)
for i in $(seq 300); do grep -q '^peer-b: got' "$dir/b.log" 2>/dev/null && break; kill -0 "$bpid" 2>/dev/null || break; sleep 1; done
wait "$bpid"
bpid=

case_ peer_a_comes_up grep -q '^peer: up at 10.77.0.200' "$dir/a.log"
case_ peer_b_comes_up grep -q '^peer: up at 10.77.0.201' "$dir/b.log"
case_ a_pings_b_three_times grep -q '3 packets transmitted, 3 packets received' "$dir/a.log"
sent=$(sed -n 's/^peer-a: sent 1048576 bytes, md5 \([0-9a-f]*\).*/\1/p' "$dir/a.log")
got=$(sed -n 's/^peer-b: got 1048576 bytes, md5 \([0-9a-f]*\).*/\1/p' "$dir/b.log")
case_ one_mib_over_tcp_arrives_intact test -n "$sent" -a "$sent" = "$got"
if [ "$fail" -gt 0 ]; then
	echo "# a.log:"; tail -20 "$dir/a.log"; echo "# b.log:"; tail -20 "$dir/b.log"
fi
echo "peer: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
