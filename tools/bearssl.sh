#!/usr/bin/env bash
# BearSSL from Debian's source package (tools/debsrc.sh fetches it into OUT/src;
# never committed, never patched), built with its own Makefile into
#   OUT/host/libbearssl.a    for the host unit tests
#   OUT/guest/libbearssl.a   for the guest: i386, freestanding, newlib's headers
#   tools/bearssl.sh OUT host
#   tools/bearssl.sh OUT guest NEWLIB_PREFIX   (the folder with newlib's include/)
# The guest build turns off what needs an OS or state the kernel does not save:
# /dev/urandom, time(), RDRAND, SSE2 and AES-NI (NOTES.md). It then needs only
# mem*/strlen from newlib; the script fails if the library asks for more.
set -euo pipefail
out=$(realpath -m "$1")
kind=$2
here=$(dirname "$0")

# Both builds may start at once under make -j: one fetch.
mkdir -p "$out"
flock "$out/.fetch.lock" "$here/debsrc.sh" bearssl "$out" src/ssl/ssl_engine.c

no_os="-DBR_USE_URANDOM=0 -DBR_USE_UNIX_TIME=0"
case $kind in
host)
	cflags="-O2 -g -fPIC -W -Wall $no_os"
	;;
guest)
	# BR_SSE2 is BearSSL's own choice (on): the kernel keeps each task's SSE state, and
	# the transport takes the SSE2 ChaCha20 when cpuid offers SSE2 (transport/seal.c)
	newlib=$(realpath -m "$3")
	cflags="-m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector -nostdinc
		-U__linux__ -U__gnu_linux__ -U__unix__ -Ulinux -Uunix
		-isystem $newlib/include -isystem $(gcc -m32 -print-file-name=include)
		$no_os -DBR_AES_X86NI=0 -DBR_RDRAND=0 -W -Wall"
	;;
*)
	echo "usage: tools/bearssl.sh OUT host | OUT guest NEWLIB_PREFIX" >&2
	exit 2
	;;
esac

lib=$out/$kind/libbearssl.a
echo "  BEARSSL $kind: $lib (log: $out/$kind.log)"
rm -rf "${lib%/*}"	# objects too: make would keep those built with other flags
if ! make -C "$out/src" -j"$(nproc)" lib BUILD="$out/$kind" CC=gcc CFLAGS="$(echo $cflags)" \
	AR=ar >"$out/$kind.log" 2>&1; then
	tail -20 "$out/$kind.log" >&2
	echo "bearssl: the $kind build failed" >&2
	exit 1
fi

if [ "$kind" = guest ]; then
	# What a freestanding program must provide: anything past mem*/strlen means
	# a file needing an OS slipped in.
	extra=$(nm -u "$lib" | awk 'NF == 2 { print $2 }' | sort -u |
		grep -vxE 'mem(cpy|set|move|cmp)|strlen|__(u|)(div|mod)di3|_GLOBAL_OFFSET_TABLE_' || true)
	# Only symbols no object of the library defines count.
	missing=$(comm -23 <(echo "$extra") <(nm --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u) | sed '/^$/d')
	if [ -n "$missing" ]; then
		echo "bearssl: the guest library needs: $(echo $missing)" >&2
		exit 1
	fi
fi
echo "  BEARSSL $kind: built"
