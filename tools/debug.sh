#!/usr/bin/env bash
# make debug: QEMU halted with a GDB stub on 127.0.0.1:1234, and gdb attached with
# the kernel's symbols. Usage: tools/debug.sh KERNEL "MODULE ARGS,MODULE ARGS"
set -euo pipefail
kernel=$1 modules=$2 port=${GDB_PORT:-1234}
qemu-system-i386 -m 64M -display none -serial file:build/debug-serial.log -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -nic user,model=e1000,restrict=on -S -gdb tcp:127.0.0.1:$port \
	-kernel "$kernel" -initrd "$modules" &
qpid=$!
trap 'kill $qpid 2>/dev/null' EXIT
echo "debug: QEMU is halted (pid $qpid); the guest's console goes to build/debug-serial.log"
gdb -q "$kernel" -ex "set architecture i386" -ex "target remote 127.0.0.1:$port" \
	-ex "echo Add a user program's symbols with: add-symbol-file build/servers/bootstrap.elf\n"
