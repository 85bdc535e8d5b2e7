# `make bench`: Manifold and the Linux reference system (Debian's linux-image-686
# with an initramfs of static benchmark programs) booted in the same QEMU
# configuration under -icount shift=0; tools/bench/run.sh prints the table and
# writes build/bench/results.json, each row beside tests/bench/baseline.json.
# `make bench-baseline` rewrites that baseline from a fresh run. Also the quick
# `bench-smoke` suite of `make check`.

BENCH_DIR   := $(B)/bench
LINUX_BENCH := $(BENCH_DIR)/linux
# Iterations per figure; the median of at least 10,000 is the rule for real runs,
# and the baseline is always made at that count.
BENCH_BASELINE_ITERS := 10000
BENCH_ITERS ?= $(BENCH_BASELINE_ITERS)

# The Linux programs: static i386 glibc binaries (libc6-dev-i386, from gcc-multilib).
LINUX_BENCH_CFLAGS := -m32 -static -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Itests/bench/common
LINUX_BENCH_PROGRAMS := syscall task ipc vm
LINUX_BENCH_BINS := $(patsubst %,$(LINUX_BENCH)/bin/bench-%,$(LINUX_BENCH_PROGRAMS))
BENCH_COMMON := $(wildcard tests/bench/common/*.[ch])

$(LINUX_BENCH)/bin/bench-%: tests/bench/linux/%.c $(BENCH_COMMON)
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $< $(filter %.c,$(BENCH_COMMON))

$(LINUX_BENCH)/bin/init: tests/bench/linux/init.c
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $<

# bench-procs is the Unix personality's program (tests/bench/unix/procs.c), the same
# binary on both systems; its fork_exec_wait execs /bin/true, busybox on both.
$(LINUX_BENCH)/initramfs.cpio: $(LINUX_BENCH)/bin/init $(LINUX_BENCH_BINS) $(BENCH_DIR)/unix/bench-procs \
		$(LINUX_BENCH)/busybox tools/bench/mkcpio.py
	$(call msg,CPIO,$@)
	$(Q)tools/bench/mkcpio.py $@ dir:/dev chr:/dev/console:5:1 dir:/bin \
		file:/init:$(LINUX_BENCH)/bin/init \
		$(foreach p,$(LINUX_BENCH_PROGRAMS),file:/bin/bench-$(p):$(LINUX_BENCH)/bin/bench-$(p)) \
		file:/bin/bench-procs:$(BENCH_DIR)/unix/bench-procs file:/bin/true:$(LINUX_BENCH)/busybox

# The Linux side of the fs rows: bench-fs is /init of an initramfs of its own, with
# the virtio-blk, ext4 and vfat modules of the same kernel package (linux-fsmods.sh).
$(LINUX_BENCH)/bin/bench-fs: tests/bench/linux/fs.c $(BENCH_COMMON)
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $< -pthread

$(LINUX_BENCH)/fsmods/order: tools/bench/linux-fsmods.sh | $(LINUX_BENCH)/vmlinuz
	$(call msg,APT,$(LINUX_BENCH)/fsmods)
	$(Q)tools/bench/linux-fsmods.sh $(LINUX_BENCH)

$(LINUX_BENCH)/fs-initramfs.cpio: $(LINUX_BENCH)/bin/bench-fs $(LINUX_BENCH)/fsmods/order tools/bench/mkcpio.py
	$(call msg,CPIO,$@)
	$(Q)tools/bench/mkcpio.py $@ dir:/dev chr:/dev/console:5:1 dir:/mnt dir:/lib dir:/lib/fsmods \
		file:/init:$(LINUX_BENCH)/bin/bench-fs \
		$(foreach m,order $(shell cat $(LINUX_BENCH)/fsmods/order 2>/dev/null),file:/lib/fsmods/$(m):$(LINUX_BENCH)/fsmods/$(m))

# Downloaded once (about 50 MB through apt), then kept: `make clean` leaves it.
$(LINUX_BENCH)/vmlinuz:
	$(call msg,APT,linux-image-686)
	$(Q)tools/bench/linux-kernel.sh $(LINUX_BENCH)

# The remote rows (tests/bench/remote/, tools/bench/remote.sh): two nodes of each system
# on a vde LAN. netbench is the Manifold side; bench-net the Linux one, which runs on
# the Linux network peer (tools/net/) with its e1000 module.
$(BENCH_DIR)/netbench.elf: $(B)/obj/tests/bench/remote/manifold.c.o $(B)/obj/tests/bench/common/payload.c.o \
		$(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)
$(B)/obj/tests/bench/remote/manifold.c.o: tests/bench/remote/remote.h

$(LINUX_BENCH)/bin/bench-net: tests/bench/remote/linux.c tests/bench/remote/remote.h
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $< -pthread

ALL += $(BENCH_DIR)/netbench.elf
# $(B)/net/peer.cpio is tests/peer/rules.mk's PEER_CPIO, named here before that file is read
# remote.sh boots each node as make run does, with the NIC driver and gns (issue 13, 14)
BENCH_REMOTE_INPUTS := $(BENCH_DIR)/netbench.elf $(LINUX_BENCH)/bin/bench-net $(B)/net/peer.cpio \
	$(B)/servers/e1000.elf $(B)/servers/gns.elf

# The Manifold program: every tests/bench/manifold/*.c, with the shared timing loop.
MANIFOLD_BENCH_SRCS := $(wildcard tests/bench/manifold/*.c) $(wildcard tests/bench/common/*.c)

# stub_rpc: msgc's stubs and demultiplexer for benchrpc.defs, linked into the program.
BENCHRPC_GEN := $(addprefix $(B)/gen/bench/benchrpc_,types.h client.h client.c server.h server.c)
$(BENCHRPC_GEN) &: tests/bench/manifold/benchrpc.defs $(B)/tools/msgc
	$(call msg,MSGC,$<)
	@mkdir -p $(B)/gen/bench
	$(Q)$(B)/tools/msgc -o $(B)/gen/bench $<

$(B)/obj/gen/bench/%.c.o: $(B)/gen/bench/%.c $(NEWLIB_LIBC)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/obj/tests/bench/%.c.o: tests/bench/%.c $(NEWLIB_LIBC) | $(MACH_GEN_TYPES) $(BENCHRPC_GEN)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/bench/common -I$(B)/gen/bench -c $< -o $@

$(BENCH_DIR)/manifold-bench.elf: $(patsubst %,$(B)/obj/%.o,$(MANIFOLD_BENCH_SRCS)) $(CRT0) \
		$(B)/obj/gen/bench/benchrpc_client.c.o $(B)/obj/gen/bench/benchrpc_server.c.o \
		$(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)

ALL += $(BENCH_DIR)/manifold-bench.elf

# getpid_unix: a static i386 glibc program run by the Unix personality server
# (tests/bench/unix/), booted by run.sh after the Manifold program's boot.
$(BENCH_DIR)/unix/bench-getpid: tests/bench/unix/getpid.c $(BENCH_COMMON)
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $< $(filter %.c,$(BENCH_COMMON))

ALL += $(BENCH_DIR)/unix/bench-getpid

# procs.c: pipe_rr_unix, fork_exit_wait and fork_exec_wait, run by the Unix
# personality in the same boot as bench-getpid (busybox beside them for /bin/true)
# and by the Linux guest's /init.
$(BENCH_DIR)/unix/bench-procs: tests/bench/unix/procs.c $(BENCH_COMMON)
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $< $(filter %.c,$(BENCH_COMMON))

ALL += $(BENCH_DIR)/unix/bench-procs
BENCH_UNIX_INPUTS := $(B)/servers/bootstrap.elf $(B)/servers/ns.elf $(B)/servers/console.elf \
	$(B)/personalities/unix.elf $(BENCH_DIR)/unix/bench-getpid $(BENCH_DIR)/unix/bench-procs $(LINUX_BENCH)/busybox

# fs_seq_read and fs_seq_write (tests/bench/fs/): fsbench with the fs server on a virtio-blk
# disk, a boot of its own in run.sh; the image holds /big, 16 MiB of a fixed pattern
# (seeded random bytes), on 4 KiB blocks. run.sh boots a copy, as fsbench writes to it.
# The fat rows: the same /big on FAT32 with 4 KiB clusters (the fewest clusters
# FAT32 allows, 65,525, make it at least 256 MiB; the image file is sparse).
$(BENCH_DIR)/fsbench.elf: $(B)/obj/tests/bench/fs/fsbench.c.o $(B)/obj/tests/bench/common/measure.c.o \
		$(CRT0) $(RUNTIME_LIB) $(NEWLIB_LIBC)
	$(user_link)
$(BENCH_DIR)/fs-tree/big: tests/bench/rules.mk
	@mkdir -p $(@D)
	$(Q)python3 -c "import random,sys; sys.stdout.buffer.write(random.Random(1).randbytes(16 << 20))" >$@
$(BENCH_DIR)/fs.img: $(BENCH_DIR)/fs-tree/big
	$(call msg,MKE2FS,$@)
	$(Q)rm -f $@ && mke2fs -q -F -t ext2 -b 4096 -d $(BENCH_DIR)/fs-tree $@ 48M >/dev/null
$(BENCH_DIR)/fat.img: $(BENCH_DIR)/fs-tree/big
	$(call msg,MKFS.FAT,$@)
	$(Q)rm -f $@ && mkfs.fat -F 32 -S 512 -s 8 -i 4D414E49 -C $@ $$((288 * 1024)) >/dev/null && mcopy -i $@ $< ::big
ALL += $(BENCH_DIR)/fsbench.elf $(BENCH_DIR)/fs.img $(BENCH_DIR)/fat.img
BENCH_FS_INPUTS := $(B)/servers/bootstrap.elf $(B)/servers/ns.elf $(B)/servers/console.elf $(B)/servers/pci.elf \
	$(B)/servers/virtio_blk.elf $(B)/servers/fs.elf $(BENCH_DIR)/fsbench.elf $(BENCH_DIR)/fs.img $(BENCH_DIR)/fat.img

BENCH_MANIFOLD_INPUTS := $(B)/kernel.elf $(BENCH_DIR)/manifold-bench.elf $(BENCH_DIR)/netbench.elf $(BENCH_UNIX_INPUTS) \
	$(BENCH_FS_INPUTS)

.PHONY: bench bench-baseline check-bench-smoke
bench: setup-quiet $(BENCH_MANIFOLD_INPUTS) $(LINUX_BENCH)/vmlinuz $(LINUX_BENCH)/initramfs.cpio $(BENCH_REMOTE_INPUTS) \
		$(LINUX_BENCH)/fs-initramfs.cpio
	@B=$(B) tools/bench/run.sh --iters $(BENCH_ITERS)

# A full run at the baseline's count, then its figures become the baseline
# (only if the run succeeded). Commit tests/bench/baseline.json with the reason.
bench-baseline: setup-quiet $(BENCH_MANIFOLD_INPUTS) $(LINUX_BENCH)/vmlinuz $(LINUX_BENCH)/initramfs.cpio \
		$(BENCH_REMOTE_INPUTS) $(LINUX_BENCH)/fs-initramfs.cpio
	@B=$(B) tools/bench/run.sh --iters $(BENCH_BASELINE_ITERS)
	@tools/bench/baseline.py write $(BENCH_DIR)/results.json $(BENCH_BASELINE_ITERS) tests/bench/baseline.json

# bench-smoke: the same programs with a few iterations, the Linux ones run on the
# host itself (it runs static i386 binaries), the report's JSON checked, and
# every Manifold row held to at most 1.5 times its baseline.
CHECK_SUITES += bench-smoke

CHECK_PREREQS += $(BENCH_MANIFOLD_INPUTS) $(LINUX_BENCH_BINS)
check-bench-smoke: $(BENCH_MANIFOLD_INPUTS) $(LINUX_BENCH_BINS)
	@B=$(B) tools/bench/smoke.sh
