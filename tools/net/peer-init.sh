#!/bin/busybox sh
# /init of the Linux network peer (tools/net/linux-peer.sh): Debian's i386
# kernel with busybox, one e1000 on the test's virtual LAN. The kernel command
# line gives the address (peer_ip=A.B.C.D, a /16 as the nodes' 10.77.0.N);
# /run.sh, when the harness appended one, is what the peer does; then it powers
# off, which ends QEMU.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ip=$(sed -n 's/.*peer_ip=\([0-9.]*\).*/\1/p' /proc/cmdline)
insmod /e1000.ko || echo "peer: insmod e1000 failed"
ip link set lo up
ip link set eth0 up && ip addr add "$ip/16" dev eth0 || echo "peer: no eth0"
echo "peer: up at $ip"
if [ -x /run.sh ]; then
	/run.sh
	echo "peer: run.sh exited with $?"
fi
echo "peer: done"
poweroff -f
