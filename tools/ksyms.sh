#!/usr/bin/env bash
# Writes the assembly for the kernel's embedded symbol table (kern/ksyms.c) from
# an ELF kernel's function symbols; with no kernel given, an empty table for the
# first link pass.  Usage: tools/ksyms.sh [kernel.elf] > ksyms.S
set -euo pipefail
echo '	.section .ksyms, "a"'
echo '	.globl ksyms_count, ksyms_addr, ksyms_name, ksyms_strings'
echo '	.align 4'
if [ $# -eq 0 ]; then
	printf 'ksyms_count:\n\t.long 0\nksyms_addr:\nksyms_name:\nksyms_strings:\n\t.byte 0\n'
	exit 0
fi
nm -n "$1" | awk 'BEGIN { n = 0 }
	$2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; name[n] = $3; n++ }
	END {
		printf "ksyms_count:\n\t.long %d\nksyms_addr:\n", n
		for (i = 0; i < n; i++) printf "\t.long 0x%s\n", addr[i]
		printf "ksyms_name:\n"
		off = 0
		for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
		printf "ksyms_strings:\n"
		for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	}'
