#!/usr/bin/env bash
# The `boot` suite: boots Manifold the ways a real PC would, in QEMU, and
# checks each path reaches the bootstrap's task list (or, for the loader's
# failure paths, prints its message and hands control back to the firmware).
# Prints `ok N - name (S s)` per case and `boot: N passed, N failed`.
#
#   tests/boot/run.sh     (from the top of the tree; `make check-boot` runs it)
#
# Needs, from make: build/netboot, build/manifold-usb.img, the gnu-efi loader,
# BOOT_KERNEL and build/tests/boot/fbtext; their paths come in the environment.
set -u
B=${B:-build}
KERNEL=${BOOT_KERNEL:-$B/kernel.elf}
LOADER=${EFI_LOADER:-$B/boot/efi/BOOTX64.EFI}
FBTEXT=${FBTEXT:-$B/tests/boot/fbtext}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
T=$B/test/boot
BOOTSTRAP='^bootstrap: started [0-9]+ task'
BANNER='^Manifold '
MAC=52:54:00:12:34:56        # QEMU's default for the first NIC

rm -rf "$T" && mkdir -p "$T"
n=0 pass=0 fail=0

# case NAME COMMAND...: runs one case and reports it with its wall time.
case_() {
	local name=$1 t0 ms out
	shift
	n=$((n + 1))
	t0=$(date +%s%N)
	if out=$("$@" 2>&1); then
		ms=$((($(date +%s%N) - t0) / 1000000))
		printf 'ok %d - %s (%d.%d s)\n' $n "$name" $((ms / 1000)) $((ms % 1000 / 100))
		pass=$((pass + 1))
	else
		echo "not ok $n - $name"
		sed 's/^/#   /' <<<"$out" | tail -40
		fail=$((fail + 1))
	fi
}

qemu_bios() { tools/qemu-test --timeout 60 --log "$T/$1.log" "${@:2}"; }
qemu_uefi() {
	local name=$1
	shift
	tools/qemu-test --system x86_64 --timeout 60 --log "$T/$name.log" "$@"
}

# A copy of the PXE tree (links, not data) with a per-node file for QEMU's NIC.
mkdir -p "$T/netboot"
cp -al "$B/netboot/." "$T/netboot/"
echo 'set node=7' >"$T/netboot/boot/nodes/$MAC.cfg"
# restrict=on: the guest reaches nothing beyond QEMU's own TFTP (which still serves)
net() { echo "-netdev user,id=n0,restrict=on,tftp=$T/netboot,bootfile=$1 -device e1000,netdev=n0 -boot n"; }

# A FAT image for the loader's failure paths: FILES are "src:dest" pairs.
fat_image() {
	local img=$1 cfg=$2
	shift 2
	rm -f "$img"
	mkfs.fat -C "$img" 8192 >/dev/null || return 1
	mmd -i "$img" ::/EFI ::/EFI/BOOT ::/EFI/MANIFOLD ::/boot || return 1
	mcopy -i "$img" "$LOADER" ::/EFI/BOOT/BOOTX64.EFI || return 1
	printf '%b' "$cfg" >"$img.cfg"
	mcopy -i "$img" "$img.cfg" ::/EFI/MANIFOLD/manifold.cfg || return 1
	for f in "$@"; do mcopy -i "$img" "${f%%:*}" "::${f#*:}" || return 1; done
}

# Boots FAT image $2 under OVMF and expects the loader's message $3, then the
# firmware's boot manager moving on (it prints this when an option returns).
loader_fails() {
	qemu_uefi "$1" --expect "manifold-efi: error: $3" \
		--expect 'manifold-efi: returning to the firmware' \
		--expect 'BdsDxe: failed to start Boot[0-9A-F]+' \
		-- -m 128M -bios "$OVMF" -drive "format=raw,file=$2,snapshot=on" -net none
}

# Boots the USB image under OVMF, waits for the banner and the bootstrap, then
# reads the framebuffer back through QEMU's screendump.
fb_banner() {
	local sock=$T/fb.monitor log=$T/fb.log pid i
	rm -f "$sock"
	qemu-system-x86_64 -display none -no-reboot -serial "file:$log" -m 128M \
		-bios "$OVMF" -monitor "unix:$sock,server,nowait" \
		-drive "format=raw,file=$B/manifold-usb.img,snapshot=on" -net none \
		</dev/null >"$log.qemu" 2>&1 &
	pid=$!
	for i in $(seq 1 900); do
		grep -qE "$BOOTSTRAP" "$log" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	python3 tests/boot/screendump.py "$sock" "$T/fb.ppm"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	"$FBTEXT" "$T/fb.ppm" >"$T/fb.txt" || return 1
	if ! grep -qE "$BANNER" "$T/fb.txt"; then
		echo "no line matching /$BANNER/ on the screen; it shows:"
		grep -v '^$' "$T/fb.txt" | head -20
		echo "serial log:"
		tr -d '\r' <"$log" | tail -20
		return 1
	fi
}

case_ netboot_bios_grub_reaches_bootstrap \
	qemu_bios net-bios --expect "$BOOTSTRAP" --expect 'netboot: node 7 ' \
	-- -m 128M $(net boot/grub/i386-pc/core.0)
case_ netboot_uefi_grub_reaches_bootstrap \
	qemu_uefi net-uefi-grub --expect "$BOOTSTRAP" --expect 'netboot: node 7 ' \
	-- -m 128M -bios "$OVMF" $(net boot/grub/x86_64-efi/core.efi)
case_ netboot_uefi_loader_reaches_bootstrap \
	qemu_uefi net-uefi-loader --expect "$BOOTSTRAP" \
	--expect "manifold-efi: node config /boot/nodes/$MAC.cfg" \
	-- -m 128M -bios "$OVMF" $(net EFI/BOOT/BOOTX64.EFI)
case_ usb_bios_grub_reaches_bootstrap \
	qemu_bios usb-bios --expect "$BOOTSTRAP" \
	-- -m 128M -drive "format=raw,file=$B/manifold-usb.img,snapshot=on" -net none
case_ usb_uefi_loader_reaches_bootstrap \
	qemu_uefi usb-uefi --expect "$BOOTSTRAP" --expect 'loaded by Manifold UEFI loader|^Manifold ' \
	-- -m 128M -bios "$OVMF" -drive "format=raw,file=$B/manifold-usb.img,snapshot=on" -net none

fat_image "$T/missing.img" 'kernel /boot/kernel.elf\nmodule /boot/absent.elf bootstrap\n' \
	"$KERNEL:/boot/kernel.elf"
case_ loader_missing_module_returns_to_firmware \
	loader_fails missing "$T/missing.img" 'file /boot/absent.elf is missing'

# Cut inside the last loadable segment: the headers survive, the data they
# describe does not.
load_end=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<I", d, 28)
phnum, = struct.unpack_from("<H", d, 44)
ends = [struct.unpack_from("<I", d, phoff + 32 * i + 4)[0] +  # p_offset
        struct.unpack_from("<I", d, phoff + 32 * i + 16)[0]   # p_filesz
        for i in range(phnum) if struct.unpack_from("<I", d, phoff + 32 * i)[0] == 1]
print(max(ends))' "$KERNEL")
head -c $((load_end - 16)) "$KERNEL" >"$T/truncated.elf"
fat_image "$T/truncated.img" 'kernel /boot/kernel.elf\n' "$T/truncated.elf:/boot/kernel.elf"
case_ loader_truncated_kernel_returns_to_firmware \
	loader_fails truncated "$T/truncated.img" '/boot/kernel.elf: corrupt ELF'

fat_image "$T/notelf.img" 'kernel /boot/kernel.elf\n' "$LOADER:/boot/kernel.elf"
case_ loader_non_elf_kernel_returns_to_firmware \
	loader_fails notelf "$T/notelf.img" '/boot/kernel.elf is not an ELF file'

case_ framebuffer_console_shows_banner fb_banner

echo "boot: $pass passed, $fail failed"
[ $fail = 0 ]
