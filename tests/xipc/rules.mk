# The `xipc` suite (tests/xipc/run.py): messages across nodes through gns's
# proxies, four nodes on a vde LAN (one with the wrong cluster key), the
# client's cases in tests/user/xipctest.c. About two minutes.
CHECK_SUITES += xipc
check-xipc: $(B)/tests/xipctest.elf $(B)/servers/gns.elf $(B)/servers/shell.elf
	@mkdir -p $(B)/test
	@timeout 600 python3 tests/xipc/run.py $(B) > $(B)/test/xipc.serial 2>&1; rc=$$?; \
		cat $(B)/test/xipc.serial; exit $$rc
