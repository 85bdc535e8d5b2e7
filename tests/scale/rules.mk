# The `scale` suite (tests/scale/run.py): 16 nodes on one vde LAN, every one
# resolving and calling every other, one killed (issue 14). Not in make check:
# sixteen guests are too heavy beside the other suites on two cores.
# SCALE_NODES=N and SCALE_MEM=SIZE change the cluster (16, 32M).
check-scale: $(B)/tests/scaletest.elf $(B)/servers/gns.elf $(B)/kernel.elf $(B)/servers/bootstrap.elf \
		$(B)/servers/ns.elf $(B)/servers/console.elf $(B)/servers/pci.elf $(B)/servers/e1000.elf \
		$(B)/servers/echo.elf
	@mkdir -p $(B)/test
	@timeout 1800 python3 tests/scale/run.py $(B) > $(B)/test/scale.serial 2>&1; rc=$$?; \
		cat $(B)/test/scale.serial; exit $$rc
