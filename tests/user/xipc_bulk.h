/*
 * 16 MiB of out-of-line memory in one message, both ways between node 2 and
 * node 1 (issue 14), included by xipctest.c. The kernel moves at most
 * IPC_OOL_MAX (4 MiB) in one region, so a message carries four regions of
 * 4 MiB. Each side fills them from a seed with xorshift32 and the receiver
 * hashes every byte (FNV-1a over 32-bit words, so every byte counts):
 *
 *   KEEP_BIG_IN   node 2 -> node 1: the regions and the seed; the keeper
 *                 answers the hash and byte count of what it got
 *   KEEP_BIG_OUT  node 1 -> node 2: the keeper answers with the regions made
 *                 from the request's seed; the client hashes them
 *
 * Both sides compare with the hash of the seed's stream, computed again
 * without keeping it.
 */
#define KEEP_BIG_IN 9220
#define KEEP_BIG_OUT 9221
#define BIG_REGIONS 4
#define BIG_REGION (4u << 20)
#define BIG_WAIT_MS 180000	/* 16 MiB through QEMU's e1000 and two ciphers, on a loaded host */

struct big_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t r[BIG_REGIONS];
	uint32_t seed;
};
struct big_ask {
	mach_msg_header_t h;
	uint32_t seed;
};
struct big_answer {
	mach_msg_header_t h;
	uint32_t bytes, hash_hi, hash_lo;
};

#define FNV_START 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint32_t
big_next(uint32_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
	return *x;
}

/* The hash of the seed's whole stream, without keeping it. */
static uint64_t
big_expected(uint32_t seed)
{
	uint64_t h = FNV_START;
	uint32_t x = seed;

	for (uint32_t i = 0; i < BIG_REGIONS * BIG_REGION / 4; i++)
		h = (h ^ big_next(&x)) * FNV_PRIME;
	return h;
}

/* BIG_REGIONS regions filled from seed, each freshly allocated; false if memory ran out. */
static bool
big_fill(struct big_msg *m, uint32_t seed)
{
	uint32_t x = seed;

	for (int i = 0; i < BIG_REGIONS; i++) {
		vm_address_t a = 0;
		if (vm_allocate(ME, &a, BIG_REGION, TRUE) != KERN_SUCCESS) {
			while (i-- > 0)
				vm_deallocate(ME, m->r[i].address, BIG_REGION);
			return false;
		}
		for (uint32_t j = 0; j < BIG_REGION / 4; j++)
			((uint32_t *)a)[j] = big_next(&x);
		m->r[i] = (mach_msg_ool_descriptor_t){ .address = a, .size = BIG_REGION, .deallocate = 1,
						       .copy = MACH_MSG_VIRTUAL_COPY, .type = MACH_MSG_OOL_DESCRIPTOR };
	}
	m->body.msgh_descriptor_count = BIG_REGIONS;
	m->seed = seed;
	return true;
}

/* The hash of what m's regions hold, in order (its bytes counted), each region deallocated. */
static uint64_t
big_hash(struct big_msg *m, uint32_t *bytes)
{
	uint64_t h = FNV_START;

	*bytes = 0;
	for (uint32_t i = 0; i < m->body.msgh_descriptor_count && i < BIG_REGIONS; i++) {
		mach_msg_ool_descriptor_t *d = &m->r[i];
		if (d->type != MACH_MSG_OOL_DESCRIPTOR)
			continue;
		for (uint32_t j = 0; j < d->size / 4; j++)
			h = (h ^ ((uint32_t *)(uintptr_t)d->address)[j]) * FNV_PRIME;
		*bytes += d->size;
		if (d->size)
			vm_deallocate(ME, d->address, d->size);
		d->size = 0;
	}
	return h;
}

/* The keeper's side (node 1): true if h was one of ours (answered, and its memory gone). */
static bool
keep_big(mach_msg_header_t *h)
{
	mach_port_t reply = h->msgh_remote_port;
	mach_msg_type_name_t rt = MACH_MSGH_BITS_REMOTE(h->msgh_bits);

	if (h->msgh_id == KEEP_BIG_IN && (h->msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
	    h->msgh_size >= sizeof(struct big_msg)) {
		struct big_msg *m = (struct big_msg *)h;
		struct big_answer a = {0};
		uint64_t hash = big_hash(m, &a.bytes);
		a.h.msgh_bits = MACH_MSGH_BITS(rt, 0);
		a.h.msgh_size = sizeof a;
		a.h.msgh_remote_port = reply;
		a.h.msgh_id = KEEP_BIG_IN + 100;
		a.hash_hi = (uint32_t)(hash >> 32);
		a.hash_lo = (uint32_t)hash;
		printf("xipctest: keeper: %u bytes out of line in one message, fnv %016llx (seed %#x)\n",
		       (unsigned)a.bytes, (unsigned long long)hash, (unsigned)m->seed);
		mach_msg(&a.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof a, 0, MACH_PORT_NULL, 5000, MACH_PORT_NULL);
	} else if (h->msgh_id == KEEP_BIG_OUT && !(h->msgh_bits & MACH_MSGH_BITS_COMPLEX) &&
		   h->msgh_size >= sizeof(struct big_ask)) {
		static struct big_msg m;
		kern_return_t kr = KERN_RESOURCE_SHORTAGE;
		memset(&m, 0, sizeof m);
		if (big_fill(&m, ((struct big_ask *)h)->seed)) {
			m.h.msgh_bits = MACH_MSGH_BITS(rt, 0) | MACH_MSGH_BITS_COMPLEX;
			m.h.msgh_size = sizeof m;
			m.h.msgh_remote_port = reply;
			m.h.msgh_id = KEEP_BIG_OUT + 100;
			kr = mach_msg(&m.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 5000,
				      MACH_PORT_NULL);
			if (kr != KERN_SUCCESS)
				for (int i = 0; i < BIG_REGIONS; i++)
					vm_deallocate(ME, m.r[i].address, BIG_REGION);
		}
		if (kr != KERN_SUCCESS) {
			/* a short answer, so that the caller hears at once */
			struct big_answer a = {0};
			a.h.msgh_bits = MACH_MSGH_BITS(rt, 0);
			a.h.msgh_size = sizeof a;
			a.h.msgh_remote_port = reply;
			a.h.msgh_id = KEEP_BIG_OUT + 100;
			a.hash_lo = (uint32_t)kr;
			mach_msg(&a.h, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof a, 0, MACH_PORT_NULL, 5000, MACH_PORT_NULL);
		}
		printf("xipctest: keeper: 16 MiB sent back out of line: %#x\n", (unsigned)kr);
	} else {
		return false;
	}
	h->msgh_remote_port = MACH_PORT_NULL;	/* the reply right went with the answer */
	h->msgh_bits &= ~(mach_msg_bits_t)MACH_MSGH_BITS_REMOTE_MASK;
	mach_msg_destroy(h);
	return true;
}

/* The client's side (node 2): both directions through the proxy of node 1's keeper. */
static void
big_case(mach_port_t keeper_port)
{
	static union {
		struct big_msg m;
		struct big_answer a;
		struct big_ask ask;
		uint8_t room[512];
	} u;
	uint32_t seed = 0x1badf00d, bytes = 0;
	uint64_t want = big_expected(seed), got = 0, t0;
	mach_port_t reply;
	kern_return_t kr = KERN_RESOURCE_SHORTAGE;
	char why[160];

	mach_port_allocate(ME, MACH_PORT_RIGHT_RECEIVE, &reply);
	memset(&u, 0, sizeof u);
	t0 = now_ms();
	if (big_fill(&u.m, seed)) {
		u.m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
				  MACH_MSGH_BITS_COMPLEX;
		u.m.h.msgh_size = sizeof u.m;
		u.m.h.msgh_remote_port = keeper_port;
		u.m.h.msgh_local_port = reply;
		u.m.h.msgh_id = KEEP_BIG_IN;
		kr = mach_msg(&u.m.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof u.m, sizeof u, reply,
			      BIG_WAIT_MS, MACH_PORT_NULL);
	}
	if (kr == KERN_SUCCESS && (u.a.h.msgh_id != KEEP_BIG_IN + 100 || u.a.h.msgh_size < sizeof u.a))
		kr = KERN_FAILURE;
	if (kr == KERN_SUCCESS)
		got = (uint64_t)u.a.hash_hi << 32 | u.a.hash_lo;
	snprintf(why, sizeof why, "kr %#x, node 1 got %u bytes, fnv %016llx, want %016llx, %u ms", kr,
		 kr == KERN_SUCCESS ? (unsigned)u.a.bytes : 0u, (unsigned long long)got, (unsigned long long)want,
		 (unsigned)(now_ms() - t0));
	printf("xipctest: 16 MiB to node 1: %s\n", why);
	check("16_mib_out_of_line_in_one_message_reaches_another_node_intact",
	      kr == KERN_SUCCESS && u.a.bytes == BIG_REGIONS * BIG_REGION && got == want, why);

	memset(&u, 0, sizeof u);
	t0 = now_ms();
	u.ask.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	u.ask.h.msgh_size = sizeof u.ask;
	u.ask.h.msgh_remote_port = keeper_port;
	u.ask.h.msgh_local_port = reply;
	u.ask.h.msgh_id = KEEP_BIG_OUT;
	u.ask.seed = seed ^ 0x5a5a5a5a;
	want = big_expected(u.ask.seed);
	kr = mach_msg(&u.ask.h, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof u.ask, sizeof u, reply,
		      BIG_WAIT_MS, MACH_PORT_NULL);
	got = 0;
	if (kr == KERN_SUCCESS && (u.m.h.msgh_id != KEEP_BIG_OUT + 100 || !(u.m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
				   u.m.h.msgh_size < sizeof u.m)) {
		if (!(u.m.h.msgh_bits & MACH_MSGH_BITS_COMPLEX))
			printf("xipctest: node 1 could not send 16 MiB: %#x\n", (unsigned)u.a.hash_lo);
		mach_msg_destroy(&u.m.h);
		kr = KERN_FAILURE;
	}
	if (kr == KERN_SUCCESS)
		got = big_hash(&u.m, &bytes);
	snprintf(why, sizeof why, "kr %#x, %u bytes, fnv %016llx, want %016llx, %u ms", kr, (unsigned)bytes,
		 (unsigned long long)got, (unsigned long long)want, (unsigned)(now_ms() - t0));
	printf("xipctest: 16 MiB from node 1: %s\n", why);
	check("16_mib_out_of_line_in_one_message_comes_back_from_another_node_intact",
	      kr == KERN_SUCCESS && bytes == BIG_REGIONS * BIG_REGION && got == want, why);
	mach_port_destroy(ME, reply);
}
