#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, boot and test Manifold.
# Quiet and quick when everything is there; apt-get only for what is missing.
# Usage: tools/setup.sh [--quiet]
set -euo pipefail

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

# package:file-that-proves-it-is-installed
needs=(
	"gcc:/usr/bin/gcc"
	"make:/usr/bin/make"
	"gcc-multilib:/usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a"
	"binutils:/usr/bin/ld"
	"qemu-system-x86:/usr/bin/qemu-system-i386"
	"grub-common:/usr/bin/grub-mkrescue"
	"grub-pc-bin:/usr/lib/grub/i386-pc/moddep.lst"
	"grub-efi-amd64-bin:/usr/lib/grub/x86_64-efi/moddep.lst"
	"grub-efi-ia32-bin:/usr/lib/grub/i386-efi/moddep.lst"
	"xorriso:/usr/bin/xorriso"
	"mtools:/usr/bin/mcopy"
	"ovmf:/usr/share/ovmf/OVMF.fd"
	"newlib-source:/usr/src/newlib/newlib-3.3.0.tar.xz"
	"gdb:/usr/bin/gdb"
	"gnu-efi:/usr/include/efi/efi.h"
	"dosfstools:/usr/sbin/mkfs.fat"
	"e2fsprogs:/usr/sbin/debugfs"
	"vde2:/usr/bin/vde_switch"
	"vde-wirefilter:/usr/bin/wirefilter"	# the cluster suite's lossy link (vde2 depends on it)
	"vdeplug:/usr/bin/dpipe"
	"tshark:/usr/bin/tshark"	# the xipc suite reads its capture with tools/wireshark/manifold.lua
	"xz-utils:/usr/bin/xz"
	"python3:/usr/bin/python3"
	"libc6-dev-i386:/usr/lib32/libc.a"
	"clang:/usr/bin/clang"
	"libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"
)

missing=()
for n in "${needs[@]}"; do
	[ -e "${n#*:}" ] || missing+=("${n%%:*}")
done
if [ ${#missing[@]} -eq 0 ]; then
	[ $quiet = 1 ] || echo "setup: everything is installed"
	exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
elif command -v sudo >/dev/null; then
	sudo=(sudo)
else
	echo "setup: need root to install ${missing[*]}; run as root, or install sudo" >&2
	exit 1
fi
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
		--no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "setup: apt-get failed installing ${missing[*]}" >&2
	exit 1
fi
rm -f "$log"
echo "setup: done"
