#!/usr/bin/env bash
# The `fs` suite: makes the trees and images on the host (fsimg.py make), boots
# Manifold with fs and its three disks (tests/fs/fstest.c reads, writes, kills
# the PIO driver and corrupts hd1), then checks on the host what the guest
# left (fsimg.py check: e2fsck -fn, fsck.fat -n, the workload's trees).
#
#   tests/fs/run.sh BUILD MODULES     (MODULES with @HOLD@ and @EPOCH@ to fill)
#
# Prints the guest's `ok`/`not ok` lines, the host's after them, and
# `fs: N passed, N failed`. Trees, images and logs in BUILD/test/fs/.
set -u
B=$1 modules=$2
dir=$B/test/fs
here=$(dirname "$0")
seed=${FS_SEED:-1}
hold=$(python3 "$here/fsimg.py" make "$dir" "$seed") || { echo "fs: 0 passed, 1 failed (fsimg.py make)"; exit 1; }
modules=${modules//@HOLD@/$hold}
modules=${modules//@EPOCH@/$(date +%s)}
tools/qemu-test --suite fs-guest --timeout ${FS_TIMEOUT:-600} --log "$dir/serial.log" -- -m 64M -nic none \
	-drive "if=none,id=d0,file=$dir/ext2.img,format=raw" -device virtio-blk-pci,drive=d0,disable-modern=on \
	-drive "if=ide,index=0,media=disk,file=$dir/fat.img,format=raw" \
	-drive "if=ide,index=2,media=disk,file=$dir/spare.img,format=raw" \
	-kernel "$B/kernel.elf" -append "debug_exit lockcheck" -initrd "$modules" >"$dir/guest.out" 2>&1
cat "$dir/guest.out"
line=$(grep -aE '^fs-guest: [0-9]+ passed, [0-9]+ failed' "$dir/guest.out" | tail -1)
pass=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"${line:-x: 0 passed}")
fail=$(sed -E 's/.*, ([0-9]+) failed.*/\1/' <<<"${line:-x: 0 passed, 1 failed}")
host=$(python3 "$here/fsimg.py" check "$dir" $((pass + fail + 1)))
echo "$host"
pass=$((pass + $(grep -c '^ok ' <<<"$host")))
fail=$((fail + $(grep -c '^not ok ' <<<"$host")))
echo "fs: $pass passed, $fail failed"
[ "$fail" = 0 ]
