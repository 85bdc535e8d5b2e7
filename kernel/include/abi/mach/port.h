/*
 * Port names and rights. A port name is a per-task 32-bit integer that denotes the
 * rights a task holds; two values are reserved: MACH_PORT_NULL (no port) and
 * MACH_PORT_DEAD (a right whose port was destroyed). Message dispositions, which say
 * what happens to a right when it is sent, are in message.h.
 */
#ifndef MACH_PORT_H
#define MACH_PORT_H

#include <mach/std_types.h>

/*
 * In user space a mach_port_t is a name in the caller's space; OSF keeps a separate
 * mach_port_name_t for places where the kernel means "a name, not a right". Both are
 * 32-bit names in Manifold.
 */
typedef natural_t mach_port_t;
typedef natural_t mach_port_name_t;
typedef mach_port_t *mach_port_array_t;

#define MACH_PORT_NULL  ((mach_port_t)0)
#define MACH_PORT_DEAD  ((mach_port_t)~0u)
#define MACH_PORT_VALID(name) ((name) != MACH_PORT_NULL && (name) != MACH_PORT_DEAD)

/* Kinds of right, as mach_port_allocate and mach_port_mod_refs take them. */
typedef natural_t mach_port_right_t;
#define MACH_PORT_RIGHT_SEND       0
#define MACH_PORT_RIGHT_RECEIVE    1
#define MACH_PORT_RIGHT_SEND_ONCE  2
#define MACH_PORT_RIGHT_PORT_SET   3
#define MACH_PORT_RIGHT_DEAD_NAME  4
#define MACH_PORT_RIGHT_NUMBER     5

/* mach_port_type's answer: one bit per kind of right held under a name. */
typedef natural_t mach_port_type_t;
#define MACH_PORT_TYPE(right)        ((mach_port_type_t)(1u << ((right) + 16)))
#define MACH_PORT_TYPE_NONE          ((mach_port_type_t)0)
#define MACH_PORT_TYPE_SEND          MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND)
#define MACH_PORT_TYPE_RECEIVE       MACH_PORT_TYPE(MACH_PORT_RIGHT_RECEIVE)
#define MACH_PORT_TYPE_SEND_ONCE     MACH_PORT_TYPE(MACH_PORT_RIGHT_SEND_ONCE)
#define MACH_PORT_TYPE_PORT_SET      MACH_PORT_TYPE(MACH_PORT_RIGHT_PORT_SET)
#define MACH_PORT_TYPE_DEAD_NAME     MACH_PORT_TYPE(MACH_PORT_RIGHT_DEAD_NAME)
#define MACH_PORT_TYPE_SEND_RECEIVE  (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_RECEIVE)
#define MACH_PORT_TYPE_SEND_RIGHTS   (MACH_PORT_TYPE_SEND | MACH_PORT_TYPE_SEND_ONCE)
#define MACH_PORT_TYPE_PORT_RIGHTS   (MACH_PORT_TYPE_SEND_RIGHTS | MACH_PORT_TYPE_RECEIVE)
#define MACH_PORT_TYPE_PORT_OR_DEAD  (MACH_PORT_TYPE_PORT_RIGHTS | MACH_PORT_TYPE_DEAD_NAME)
#define MACH_PORT_TYPE_ALL_RIGHTS    (MACH_PORT_TYPE_PORT_OR_DEAD | MACH_PORT_TYPE_PORT_SET)
/* Pending notification requests, also reported by mach_port_type. */
#define MACH_PORT_TYPE_DNREQUEST     0x80000000u

typedef natural_t mach_port_urefs_t;
typedef integer_t mach_port_delta_t;
typedef natural_t mach_port_seqno_t;
typedef natural_t mach_port_mscount_t;
typedef natural_t mach_port_msgcount_t;
typedef natural_t mach_port_rights_t;

/* Queue limits: a send blocks (or times out) once a port holds qlimit messages. */
#define MACH_PORT_QLIMIT_DEFAULT  5
#define MACH_PORT_QLIMIT_MAX      16


/* mach_port_get_attributes / set_attributes flavors (OSF's numbers). */
typedef integer_t mach_port_flavor_t;
#define MACH_PORT_LIMITS_INFO     1	/* mach_port_limits_t */
#define MACH_PORT_RECEIVE_STATUS  2	/* mach_port_status_t (get only) */

typedef struct {
	mach_port_msgcount_t mpl_qlimit;
} mach_port_limits_t;
#define MACH_PORT_LIMITS_INFO_COUNT 1u

typedef struct {
	natural_t mps_pset;		/* 1 when in a port set (Manifold gives no set name) */
	mach_port_seqno_t mps_seqno;
	mach_port_mscount_t mps_mscount;
	mach_port_msgcount_t mps_qlimit;
	mach_port_msgcount_t mps_msgcount;
	mach_port_rights_t mps_sorights;
	boolean_t mps_srights;		/* any send rights */
	boolean_t mps_pdrequest;
	boolean_t mps_nsrequest;
	natural_t mps_flags;
} mach_port_status_t;
#define MACH_PORT_RECEIVE_STATUS_COUNT 10u

#endif
