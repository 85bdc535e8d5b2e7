#!/usr/bin/env bash
# Builds newlib (the C library of Manifold's user programs) from Debian's
# newlib-source for an i686-elf target, into build/newlib/. Run once by make;
# the result is reused until build/ is removed.
#   tools/newlib.sh BUILD_DIR
set -euo pipefail
out=$(realpath -m "$1")
src_tar=/usr/src/newlib/newlib-3.3.0.tar.xz
[ -f "$src_tar" ] || { echo "newlib: $src_tar missing (package newlib-source; run tools/setup.sh)" >&2; exit 1; }

work=$out/work
rm -rf "$work" && mkdir -p "$work"
echo "  NEWLIB  unpacking $(basename "$src_tar")"
tar -xJf "$src_tar" -C "$work"
src=$(find "$work" -maxdepth 1 -mindepth 1 -type d | head -1)

mkdir -p "$work/build"
cd "$work/build"
# The host gcc thinks it targets Linux; newlib must not (it would expect glibc).
# __DYNAMIC_REENT__: newlib finds errno and its other per-thread state through
# __getreent(), which the runtime answers from the calling thread's stack.
cc="gcc -m32 -march=i686 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -O2 -g -U__linux__ -U__gnu_linux__ -U__unix__ -Ulinux -Uunix -D__DYNAMIC_REENT__"
echo "  NEWLIB  configuring (log: $work/build/newlib.log)"
if ! "$src/configure" --target=i686-elf --prefix="$out/install" --disable-multilib \
	--disable-newlib-supplied-syscalls --enable-newlib-reent-small \
	--enable-newlib-retargetable-locking \
	--enable-newlib-global-stdio-streams \
	--disable-newlib-fvwrite-in-streamio --disable-nls \
	--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	CC_FOR_TARGET="$cc" AR_FOR_TARGET=ar AS_FOR_TARGET="as --32" \
	LD_FOR_TARGET="ld -m elf_i386" RANLIB_FOR_TARGET=ranlib \
	>newlib.log 2>&1; then
	tail -30 newlib.log >&2; echo "newlib: configure failed" >&2; exit 1
fi
echo "  NEWLIB  building (about a minute)"
if ! make -j2 all-target-newlib >>newlib.log 2>&1; then
	tail -30 newlib.log >&2; echo "newlib: build failed" >&2; exit 1
fi
make install-target-newlib >>newlib.log 2>&1
rm -rf "$work/$(basename "$src")"
echo "  NEWLIB  installed in $out/install/i686-elf"
