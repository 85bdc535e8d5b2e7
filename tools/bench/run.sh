#!/usr/bin/env bash
# `make bench`: boots Manifold and the Linux reference system side by side (two
# QEMUs at once; under -icount the counts do not depend on host load), collects
# the `BENCH <name> <median> <unit>` lines of both serial consoles, and prints the
# table that tools/bench/report.py makes from them and tests/bench/rows.tsv,
# with each row's change against tests/bench/baseline.json.
#
#   tools/bench/run.sh [--iters N] [--linux-log FILE] [--out DIR] [--remote-bytes N]
#
# The remote rows come from tools/bench/remote.sh (two nodes of each system on
# a vde LAN, after the two boots above): N round trips for udp_rr_remote,
# --remote-bytes (4 MiB by default) for tcp_bulk_remote. Their lines are added
# to the serial logs report.py reads.
# --linux-log FILE: take the Linux figures from FILE instead of booting Linux
#   (bench-smoke passes the output of the programs run on the host).
# --out DIR: where the serial logs and results.json go (default $B/bench).
# Needs $B/kernel.elf, $B/bench/manifold-bench.elf, the Unix personality's boot
# (servers, $B/personalities/unix.elf, $B/bench/unix/bench-{getpid,procs}, busybox) and,
# unless --linux-log, $B/bench/linux/{vmlinuz,initramfs.cpio}: `make bench` builds them.
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
iters=10000 linux_log= out=$B/bench linux_base_opt= remote_bytes=4194304
while [ $# -gt 0 ]; do
	case $1 in
	--iters) iters=$2; shift 2 ;;
	--linux-log) linux_log=$2; linux_base_opt=--no-linux-baseline; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--remote-bytes) remote_bytes=$2; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$out"

# The one QEMU configuration of both systems; tools/qemu-test adds -display none,
# -no-reboot, the serial console to a file and isa-debug-exit at 0xf4.
qemu_common=(-icount shift=0 -m 256M)

man_log=$out/manifold.serial
rm -f "$man_log"
# The bench program is the first task (it starts its RPC server, module 1, itself).
# The bench program ends QEMU itself through trap_debug_exit (allowed by
# `debug_exit`); --expect stops QEMU on `BENCH done` should that ever not work.
# About 110 s alone at 10,000 iterations; the timeout leaves room for a machine
# shared with other QEMU runs (the figures count instructions, not time).
tools/qemu-test --timeout $((300 + iters / 10)) --expect '^BENCH done' --log "$man_log" -- \
	"${qemu_common[@]}" -kernel "$B/kernel.elf" -append "bench debug_exit" \
	-initrd "$B/bench/manifold-bench.elf $iters,$B/bench/manifold-bench.elf server" \
	>"$out/manifold.qemu-test" 2>&1 &
man_pid=$!

lin_rc=0
if [ -z "$linux_log" ]; then
	linux_log=$out/linux.serial
	rm -f "$linux_log"
	# quiet: only the benchmark's lines on the console; panic=-1: a dying
	# /init ends QEMU (-no-reboot) instead of hanging until the timeout;
	# norandmaps: no address-space randomization (Manifold has none), so that
	# buffers and page tables fall the same way on every boot.
	tools/qemu-test --timeout $((600 + iters / 10)) --expect '^BENCH done' --log "$linux_log" -- \
		"${qemu_common[@]}" -kernel "$B/bench/linux/vmlinuz" \
		-initrd "$B/bench/linux/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 no_timer_check norandmaps bench_iters=$iters" \
		>"$out/linux.qemu-test" 2>&1
	lin_rc=$?
fi
wait $man_pid
man_rc=$?

# getpid_unix, then pipe_rr_unix, fork_exit_wait and fork_exec_wait: Linux
# programs under the Unix personality, a boot of its own (the servers it needs
# would change the bench program's rows), busybox beside them as /bin/true; the
# figures join the Manifold log, where report.py and bench-smoke look for rows.
# About 80 s at 10,000 iterations.
unix_log=$out/unix.serial
rm -f "$unix_log"
tools/qemu-test --timeout $((300 + iters / 20)) --expect '^unix: all 2 runs done' --log "$unix_log" -- \
	"${qemu_common[@]}" -kernel "$B/kernel.elf" -append "bench" \
	-initrd "$B/servers/bootstrap.elf,$B/servers/ns.elf,$B/servers/console.elf,$B/personalities/unix.elf run=bench-getpid+$iters run=bench-procs+$iters,$B/bench/unix/bench-getpid start=no,$B/bench/unix/bench-procs start=no,$B/bench/linux/busybox start=no" \
	>"$out/unix.qemu-test" 2>&1
unix_rc=$?
grep -aE '^(BENCH|INFO|FAIL) (getpid_unix|pipe_rr_unix|stat_unix|fork_exit_wait|fork_exec_wait) ' "$unix_log" >>"$man_log"
# a program that failed says so only in the runner's framing
grep -aqE '^unix: run [0-9]+: (exit [1-9]|signal|refused)' "$unix_log" && unix_rc=1

# fs_seq_read, fs_seq_write and fs_create_delete: fsbench and the fs server on a virtio-blk disk, a boot
# of its own (tests/bench/fs/), on a copy of the image (fsbench writes to it); 16 MiB
# each way, in bench-smoke too (a few seconds; 1 MiB moved the figures by 20 %).
# The fat_ rows: the same on the FAT32 image (fs's rootfs=fat).
# fs_boot ROW IMAGE FS-ARGS: the boot, its BENCH lines appended to the Manifold log.
fs_bytes=$((16 << 20))
fs_rc=0
fs_boot() {
	local log=$out/$1.serial
	rm -f "$log"
	cp --sparse=always "$2" "$out/fs-run.img"
	tools/qemu-test --timeout 600 --expect '^fsbench: done' --log "$log" -- \
		"${qemu_common[@]}" -nic none -drive "if=none,id=d0,file=$out/fs-run.img,format=raw" \
		-device virtio-blk-pci,drive=d0,disable-modern=on -kernel "$B/kernel.elf" -append "bench debug_exit" \
		-initrd "$B/servers/bootstrap.elf,$B/servers/ns.elf,$B/servers/console.elf,$B/servers/pci.elf driver,$B/servers/virtio_blk.elf driver,$B/servers/fs.elf root=/servers/vd0 $3,$B/bench/fsbench.elf $fs_bytes $1" \
		>"$out/$1.qemu-test" 2>&1 || { fs_rc=1; fs_failed="${fs_failed:-} $1"; }
	rm -f "$out/fs-run.img"
	grep -aE "^(BENCH|INFO|FAIL) $1_" "$log" >>"$man_log"
}
fs_boot fs "$B/bench/fs.img" ""
fs_boot fat "$B/bench/fat.img" rootfs=fat
# Linux's side of the fs rows: the same images and QEMU disk, bench-fs as /init with the
# virtio-blk, ext4 and vfat modules (tests/bench/linux/fs.c); its lines join the Linux log.
lfs_rc=0
lfs_boot() {	# lfs_boot ROW IMAGE TYPE
	local log=$out/linux-$1.serial
	rm -f "$log"
	cp --sparse=always "$2" "$out/fs-run.img"
	tools/qemu-test --timeout 600 --expect '^fsbench: done' --log "$log" -- \
		"${qemu_common[@]}" -nic none -drive "if=none,id=d0,file=$out/fs-run.img,format=raw" \
		-device virtio-blk-pci,drive=d0,disable-modern=on -kernel "$B/bench/linux/vmlinuz" \
		-initrd "$B/bench/linux/fs-initramfs.cpio" -append "console=ttyS0 quiet panic=-1 no_timer_check norandmaps bench_fs=$3" \
		>"$out/linux-$1.qemu-test" 2>&1 || { lfs_rc=1; lfs_failed="${lfs_failed:-} $1"; }
	rm -f "$out/fs-run.img"
	grep -aE "^(BENCH|INFO|FAIL) $1_" "$log" >>"$linux_log"
}
if [ "$lin_rc" = 0 ] && [ "$linux_log" = "$out/linux.serial" ]; then
	lfs_boot fs "$B/bench/fs.img" ext2
	lfs_boot fat "$B/bench/fat.img" vfat
fi
# the remote rows, Manifold's beside Linux's (each system's two nodes share the two CPUs)
tools/bench/remote.sh manifold "$iters" "$remote_bytes" "$out" >"$out/remote-manifold.out" 2>&1 &
rem_pid=$!
if [ "$lin_rc" = 0 ] && [ "$linux_log" = "$out/linux.serial" ]; then
	tools/bench/remote.sh linux "$iters" "$remote_bytes" "$out" >"$out/remote-linux.out" 2>&1
	cat "$out/remote-linux.out" >>"$linux_log"
fi
wait $rem_pid
cat "$out/remote-manifold.out" >>"$man_log"

tools/bench/report.py --baseline tests/bench/baseline.json --iters "$iters" $linux_base_opt \
	tests/bench/rows.tsv "$man_log" "$linux_log" "$out/results.json"
rep_rc=$?
echo "results: $out/results.json"
status=0
if [ $man_rc != 0 ]; then
	echo "run.sh: the Manifold boot failed:"
	cat "$out/manifold.qemu-test"
	status=1
fi
if [ $fs_rc != 0 ]; then
	for r in $fs_failed; do
		echo "run.sh: the $r boot failed:"
		cat "$out/$r.qemu-test"
	done
	status=1
fi
if [ $lfs_rc != 0 ]; then
	for r in $lfs_failed; do
		echo "run.sh: the Linux $r boot failed:"
		cat "$out/linux-$r.qemu-test"
	done
	status=1
fi
if [ $unix_rc != 0 ]; then
	echo "run.sh: the Unix personality's boot failed:"
	cat "$out/unix.qemu-test"
	status=1
fi
if [ $lin_rc != 0 ]; then
	echo "run.sh: the Linux boot failed:"
	cat "$out/linux.qemu-test"
	status=1
fi
[ $rep_rc = 0 ] || status=1
exit $status
