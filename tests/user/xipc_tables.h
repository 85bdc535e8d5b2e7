/*
 * gns's tables grow past their old fixed 256 entries, up to bounds that
 * refuse with named errors (servers/gns/proxy.h), included by xipctest.c:
 *
 *   - node 2 imports identities of node 1's (numbers no port has: only a
 *     message would find that out) until gns refuses: exactly
 *     XIPC_PROXY_NODE_MAX proxies of node 1's ports, then XIPC_E_NODE_FULL;
 *     node 3's ports still get proxies; all let go, the count is back
 *   - node 2 exports 300 ports of its own; all get identities; destroyed,
 *     the exports go
 */
#define TABLES_EXPORTS 300
#define TABLES_NUMBER 0x7ff00000u	/* far from gns's numbers, which start below 2^30 and count up */

/* Our gns's proxies of node's ports (XIPC_NODE_PROXIES), -1 if it cannot say. */
static int
proxies_of(uint32_t node)
{
	uint32_t words[16 * XIPC_NODE_WORDS], count = 0;
	mach_msg_type_number_t n = 16 * XIPC_NODE_WORDS;

	if (xipc_nodes(gns, &count, words, &n) != KERN_SUCCESS)
		return -1;
	for (uint32_t i = 0; i < n / XIPC_NODE_WORDS; i++)
		if (words[i * XIPC_NODE_WORDS + XIPC_NODE_ID] == node)
			return (int)words[i * XIPC_NODE_WORDS + XIPC_NODE_PROXIES];
	return 0;
}

/* Waits up to 5 s for pick() of our gns to come back to want (no-senders and dead names take a turn). */
static uint32_t
stat_settles(int which, uint32_t want)
{
	uint32_t v = gns_stat(which);

	for (int i = 0; i < 250 && v != want; i++) {
		msg_sleep_ms(20);
		v = gns_stat(which);
	}
	return v;
}

static void
tables_case(void)
{
	static mach_port_t got[XIPC_PROXY_NODE_MAX + 1], mine[TABLES_EXPORTS];
	uint32_t proxies0 = gns_stat(XIPC_STAT_PROXIES), exports0 = gns_stat(XIPC_STAT_EXPORTS), n3 = 0;
	int had = proxies_of(1), made = 0, exported = 0;
	mach_msg_type_name_t type;
	kern_return_t kr = KERN_SUCCESS, kr3;
	uint32_t node, number, hi, lo;
	mach_port_t other = MACH_PORT_NULL;
	char why[200];

	while (made <= XIPC_PROXY_NODE_MAX) {
		kr = xipc_import(gns, 1, TABLES_NUMBER + (uint32_t)made, 0x5eed, (uint32_t)made + 1, &got[made], &type);
		if (kr != KERN_SUCCESS)
			break;
		made++;
	}
	/* node 3's ports are not starved by node 1's share */
	kr3 = xipc_import(gns, 3, TABLES_NUMBER, 0x5eed, 1, &other, &type);
	n3 = (uint32_t)proxies_of(3);
	snprintf(why, sizeof why, "%d proxies of node 1 made (had %d), then %#x; node 3's import %#x", made, had, kr,
		 kr3);
	printf("xipctest: tables: %s\n", why);
	check("proxies_grow_past_256_to_a_share_per_node_then_node_full", had >= 0 && made > 256 &&
	      made + had == XIPC_PROXY_NODE_MAX && kr == XIPC_E_NODE_FULL && kr3 == KERN_SUCCESS && n3 >= 1, why);
	for (int i = 0; i < made; i++)
		mach_port_deallocate(ME, got[i]);
	if (kr3 == KERN_SUCCESS)
		mach_port_deallocate(ME, other);
	/* (at most as many as before: one of an earlier case's, a reply's, may end meanwhile) */
	snprintf(why, sizeof why, "proxies %u before, %u after", proxies0, stat_settles(XIPC_STAT_PROXIES, proxies0));
	check("the_proxies_let_go_leave_the_table_as_it_was", gns_stat(XIPC_STAT_PROXIES) <= proxies0, why);

	for (int i = 0; i < TABLES_EXPORTS; i++) {
		mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &mine[i]);
		mach_port_insert_right(ME, mine[i], mine[i], MACH_MSG_TYPE_MAKE_SEND);
		if (xipc_export(gns, mine[i], &node, &number, &hi, &lo) == KERN_SUCCESS && node == 2)
			exported++;
	}
	uint32_t peak = gns_stat(XIPC_STAT_EXPORTS);
	for (int i = 0; i < TABLES_EXPORTS; i++)
		mach_port_destroy(ME, mine[i]);
	snprintf(why, sizeof why, "%d of %d exported, exports %u before, %u at the peak, %u after", exported,
		 TABLES_EXPORTS, exports0, peak, stat_settles(XIPC_STAT_EXPORTS, exports0));
	printf("xipctest: tables: %s\n", why);
	check("exports_grow_past_256_and_go_with_their_ports", exported == TABLES_EXPORTS &&
	      peak >= exports0 + TABLES_EXPORTS && gns_stat(XIPC_STAT_EXPORTS) == exports0, why);
}
