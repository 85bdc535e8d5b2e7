#!/usr/bin/env bash
# The Linux network peer's initramfs: Debian's busybox-static (i386) and the
# e1000 module of Debian's 686 kernel (both fetched by tools/bench/linux-kernel.sh
# into LINUX), /bin/udpio (tools/net/udpio.c: UDP, which busybox's nc lacks) and
# /init (tools/net/peer-init.sh). A test adds what the peer does as a second
# archive holding /run.sh (tools/net/peer.sh): Linux unpacks both.
#
#   tools/net/linux-peer.sh LINUX UDPIO OUT.cpio
set -euo pipefail
linux=$1 udpio=$2 out=$3
for f in vmlinuz busybox e1000.ko; do
	[ -f "$linux/$f" ] || { echo "linux-peer.sh: $linux/$f is missing (tools/bench/linux-kernel.sh)" >&2; exit 1; }
done
[ -f "$udpio" ] || { echo "linux-peer.sh: $udpio is missing" >&2; exit 1; }
here=$(dirname "$0")
"$here"/../bench/mkcpio.py "$out" dir:/dev chr:/dev/console:5:1 dir:/bin dir:/sbin dir:/usr \
	dir:/usr/bin dir:/usr/sbin dir:/proc dir:/sys dir:/tmp \
	file:/bin/busybox:"$linux"/busybox file:/bin/udpio:"$udpio" file:/e1000.ko:"$linux"/e1000.ko \
	file:/init:"$here"/peer-init.sh
