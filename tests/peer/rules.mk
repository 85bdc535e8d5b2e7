# The Linux network peer (tools/net/) and its suite (tests/peer/run.sh). The
# peer's kernel, e1000 module and busybox come from Debian through
# tools/bench/linux-kernel.sh (about 60 MB through apt, once; make clean leaves them).
PEER_CPIO := $(B)/net/peer.cpio

$(LINUX_BENCH)/busybox $(LINUX_BENCH)/e1000.ko &:
	$(call msg,APT,linux-image-686 busybox-static)
	$(Q)tools/bench/linux-kernel.sh $(LINUX_BENCH)

# udpio: the peer's UDP tool (tools/net/udpio.c), static i386 as the bench's Linux programs
$(B)/net/udpio: tools/net/udpio.c
	$(call msg,CC32,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LINUX_BENCH_CFLAGS) -o $@ $<

$(PEER_CPIO): $(LINUX_BENCH)/busybox $(LINUX_BENCH)/e1000.ko $(B)/net/udpio tools/net/linux-peer.sh \
		tools/net/peer-init.sh tools/bench/mkcpio.py
	$(call msg,CPIO,$@)
	@mkdir -p $(@D)
	$(Q)tools/net/linux-peer.sh $(LINUX_BENCH) $(B)/net/udpio $@

CHECK_SUITES += peer
CHECK_PREREQS += $(PEER_CPIO)
check-peer: $(PEER_CPIO)
	@tests/peer/run.sh $(LINUX_BENCH) $(PEER_CPIO) $(B)/test/peer
