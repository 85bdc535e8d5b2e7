#!/usr/bin/env bash
# The `blk` suite: makes a disk image per driver on the host (image.py), boots
# Manifold with them (tests/blk/blktest.c reads, writes, and kills the drivers),
# then checks on the host that exactly the sectors the guest wrote changed.
#
#   tests/blk/run.sh BUILD MODULES
#
# Prints the guest's `ok`/`not ok` lines, one more per image, and
# `blk: N passed, N failed`. Logs and images in BUILD/test/blk/.
set -u
B=$1 modules=$2
dir=$B/test/blk
mkdir -p "$dir"
here=$(dirname "$0")
# What blktest writes (its SYNC_WRITE_* and async_runs): LBA:COUNT.
written="6000:64 7000:8 7100:3 8191:1"
disks=(vd0 hd0 hd1)
salts=(0x11110000 0x22220000 0x33330000)

for i in "${!disks[@]}"; do
	python3 "$here/image.py" make "$dir/${disks[$i]}.img" "${salts[$i]}" || exit 1
done
tools/qemu-test --suite blk-guest --timeout 400 --log "$dir/serial.log" -- -m 64M -nic none \
	-drive "if=none,id=d0,file=$dir/vd0.img,format=raw" -device virtio-blk-pci,drive=d0,disable-modern=on \
	-drive "if=ide,index=0,media=disk,file=$dir/hd0.img,format=raw" \
	-drive "if=ide,index=2,media=disk,file=$dir/hd1.img,format=raw" \
	-kernel "$B/kernel.elf" -append "debug_exit lockcheck" -initrd "$modules" >"$dir/guest.out" 2>&1
cat "$dir/guest.out"
line=$(grep -aE '^blk-guest: [0-9]+ passed, [0-9]+ failed' "$dir/guest.out" | tail -1)
pass=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"${line:-x: 0 passed}")
fail=$(sed -E 's/.*, ([0-9]+) failed.*/\1/' <<<"${line:-x: 0 passed, 1 failed}")
n=$((pass + fail))
for i in "${!disks[@]}"; do
	n=$((n + 1))
	if out=$(python3 "$here/image.py" check "$dir/${disks[$i]}.img" "${salts[$i]}" $written); then
		echo "ok $n - ${disks[$i]}: the image holds what the guest wrote, every other sector as made"
		pass=$((pass + 1))
	else
		echo "not ok $n - ${disks[$i]}: the image is not as expected: $out"
		fail=$((fail + 1))
	fi
done
echo "blk: $pass passed, $fail failed"
[ "$fail" = 0 ]
