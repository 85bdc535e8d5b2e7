#!/usr/bin/env bash
# The `system` suite: whole boots judged by their serial console. Each case is
# one QEMU run through tools/qemu-test; the ISO cases boot build/manifold.iso
# under SeaBIOS and under OVMF (UEFI). Prints `ok N - name` lines and the summary.
set -u
cd "$(dirname "$0")/../.."
B=build
logdir=$B/test/system
mkdir -p "$logdir"
n=0 pass=0 fail=0

case_() {
	local name=$1; shift
	n=$((n + 1))
	local t0=$SECONDS
	if out=$(tools/qemu-test --log "$logdir/$name.log" "$@" 2>&1); then
		echo "ok $n - $name ($((SECONDS - t0)) s)"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name"
		sed 's/^/    /' <<<"$out"
		fail=$((fail + 1))
	fi
}

mods() { local IFS=,; echo "$*"; }
KERNEL=(-m 64M -kernel $B/kernel.elf)

case_ boot_shows_banner_and_the_bootstrap_starts_the_modules \
	--expect '^Manifold [0-9.]+ \(i386\): [0-9]+ KiB of RAM' \
	--expect '^bootstrap: started task 2 \(hello\) from module 1' \
	--expect '^bootstrap: started 1 task in [0-9]+ ms \(0 modules failed\): hello' \
	--expect '^hello: task 2 running .* with 3 arguments: build/tests/hello.elf one two' \
	-- "${KERNEL[@]}" -initrd "$(mods $B/servers/bootstrap.elf "$B/tests/hello.elf one two")"

case_ bad_boot_modules_are_reported_and_the_rest_boots \
	--expect 'boot module 1 \(build/tests/notelf.bin\): not an ELF file' \
	--expect 'boot module 2 \(build/tests/truncated.elf\): truncated ELF file' \
	--expect 'boot module 3 \(build/tests/wrongmachine.elf\): ELF file for another machine \(not i386\)' \
	--expect 'boot module 4 \(build/tests/x86_64.elf\): not a 32-bit little-endian ELF file' \
	--expect 'boot module 5 \(build/tests/empty.bin\): empty file' \
	--expect '^bootstrap: started 1 task in [0-9]+ ms \(5 modules failed\): hello' \
	--expect '^hello: task [0-9]+ running' \
	-- "${KERNEL[@]}" -initrd "$(mods $B/servers/bootstrap.elf $B/tests/notelf.bin $B/tests/truncated.elf \
		$B/tests/wrongmachine.elf $B/tests/x86_64.elf $B/tests/empty.bin $B/tests/hello.elf)"

# Text and data in one page (two PT_LOAD segments sharing it): the program runs, writes
# its data, and its end gives every page back (the loader once freed the shared page
# while it was still mapped, and the kernel panicked when the task ended).
case_ a_program_whose_segments_share_a_page_runs_and_ends_cleanly \
	--expect '^hello: task 2 running .* with 1 argument: build/tests/sharedpage.elf' \
	--expect '^bootstrap: task sharedpage died' \
	-- "${KERNEL[@]}" -initrd "$(mods $B/servers/bootstrap.elf $B/tests/sharedpage.elf)"

# Limits said on the console, not kept silently: a command line's words past the 32
# argv keeps, and RAM above the 512 MiB the kernel maps.
args=$(seq -s ' ' 1 40)
case_ a_command_line_longer_than_argv_is_cut_with_a_console_line \
	--expect '^kernel: build/tests/hello.elf: only the first 32 words of its command line are passed' \
	--expect '^hello: task 2 running .* with 32 arguments' \
	-- "${KERNEL[@]}" -initrd "$(mods $B/servers/bootstrap.elf "$B/tests/hello.elf $args")"

case_ ram_above_what_the_kernel_maps_is_said_unused \
	--expect '^kernel: [0-9]+ KiB of RAM above 512 MiB not used' \
	--expect '^hello: task 2 running' \
	-- -m 640M -kernel $B/kernel.elf -initrd "$(mods $B/servers/bootstrap.elf $B/tests/hello.elf)"

case_ broken_bootstrap_module_gives_a_clear_error \
	--expect '^kernel: bootstrap module \(build/tests/notelf.bin\): not an ELF file; nothing to run' \
	-- "${KERNEL[@]}" -initrd "$B/tests/notelf.bin"

case_ faulting_task_at_boot_dies_alone \
	--expect '^task 2 \(utest\) killed: page fault at eip 0x[0-9a-f]{8}: read of 0x00000000 \(not mapped\)' \
	--expect '^hello: task 3 running' \
	-- "${KERNEL[@]}" -initrd "$(mods $B/servers/bootstrap.elf "$B/tests/utest.elf null" $B/tests/hello.elf)"

case_ kernel_panic_prints_registers_and_a_symbolized_backtrace --allow-panic \
	--expect '^panic: deliberate panic from the crash suite' \
	--expect '^  eax [0-9a-f]{8} ebx' --expect '^  cr0 [0-9a-f]{8} cr2' \
	--expect '^  0x[0-9a-f]{8} panic_from_nested_call[.a-z0-9]*\+0x[0-9a-f]+' \
	--expect '^  0x[0-9a-f]{8} deliberate_panic_prints_a_backtrace\+|call_the_panicking_function\+0x[0-9a-f]+' \
	--expect '^the system is halted' \
	-- "${KERNEL[@]}" -append "test=crash"

case_ a_spin_lock_taken_twice_panics_naming_it --allow-panic \
	--expect '^panic: deadlock: spin lock "held twice" wanted while this CPU holds it' \
	--expect '^  0x[0-9a-f]{8} take_it_again[.a-z0-9]*\+0x[0-9a-f]+' \
	--expect '^the system is halted' \
	-- "${KERNEL[@]}" -append "test=deadlock"

case_ a_lock_taken_against_the_lock_order_panics_naming_both --allow-panic \
	--expect '^panic: lock order: "ranked before" \(rank 100\) taken while this CPU holds "ranked after" \(rank 101\)' \
	--expect '^  0x[0-9a-f]{8} take_inner[.a-z0-9]*\+0x[0-9a-f]+' \
	--expect '^the system is halted' \
	-- "${KERNEL[@]}" -append "test=lockorder lockcheck"

case_ iso_boots_under_bios --timeout 60 \
	--expect 'loaded by GRUB' --expect '^bootstrap: started 1 task' --expect '^hello: task 2 running' \
	-- -m 64M -cdrom $B/manifold.iso

case_ iso_boots_under_uefi --timeout 120 --system x86_64 \
	--expect 'loaded by GRUB' --expect '^bootstrap: started 1 task' --expect '^hello: task 2 running' \
	-- -m 128M -bios /usr/share/ovmf/OVMF.fd -cdrom $B/manifold.iso

echo "system: $pass passed, $fail failed"
[ $fail = 0 ]
