# The `cluster` suite (tests/cluster/run.py): two Manifold nodes and the Linux
# peer (tests/peer/rules.mk builds it) on a vde LAN, UDP and TCP both ways
# checked by MD5, and TCP through a wirefilter with 5 % loss; a third node's
# address from DHCP (ip=dhcp, udhcpd on the peer) and its renewal. About 70 s.
CHECK_SUITES += cluster
check-cluster: $(PEER_CPIO)
	@mkdir -p $(B)/test
	@timeout 600 python3 tests/cluster/run.py $(B) $(LINUX_BENCH) $(PEER_CPIO) > $(B)/test/cluster.serial 2>&1; rc=$$?; \
		cat $(B)/test/cluster.serial; exit $$rc
