/*
 * The message format of mach_msg: OSF Mach 3.0's untyped format on i386.
 *
 *   header (24 bytes)
 *   if MACH_MSGH_BITS_COMPLEX: body (descriptor count), then that many 12-byte
 *     descriptors: port rights, out-of-line memory, out-of-line port arrays
 *   inline data, opaque to the kernel
 *   on receive only: a trailer the kernel appends after msgh_size bytes
 *
 * Sizes are multiples of 4. Every layout below is fixed and checked at compile time, so
 * the kernel (i386), user space (i386) and 64-bit host tests agree byte for byte.
 * Return codes of kernel calls are in kern_return.h; MIG's in mig_errors.h.
 */
#ifndef MACH_MESSAGE_H
#define MACH_MESSAGE_H

#include <mach/std_types.h>
#include <mach/port.h>
#include <mach/kern_return.h>

typedef natural_t mach_msg_bits_t;
typedef natural_t mach_msg_size_t;
typedef integer_t mach_msg_id_t;
typedef natural_t mach_msg_timeout_t;         /* milliseconds */
typedef natural_t mach_msg_type_name_t;       /* a disposition, or a received right */
typedef natural_t mach_msg_type_number_t;     /* element count of an array argument */
typedef natural_t mach_msg_descriptor_type_t;
typedef natural_t mach_msg_copy_options_t;
typedef integer_t mach_msg_option_t;
typedef kern_return_t mach_msg_return_t;

#define MACH_MSG_TIMEOUT_NONE ((mach_msg_timeout_t)0)

/*
 * Dispositions: what sending does to the right named in a header or descriptor. On
 * receive the kernel replaces each with the kind of right the receiver now holds
 * (PORT_RECEIVE, PORT_SEND or PORT_SEND_ONCE), which equal the MOVE_ values.
 */
#define MACH_MSG_TYPE_PORT_NAME       15 /* the bare name, no right moves */
#define MACH_MSG_TYPE_MOVE_RECEIVE    16
#define MACH_MSG_TYPE_MOVE_SEND       17
#define MACH_MSG_TYPE_MOVE_SEND_ONCE  18
#define MACH_MSG_TYPE_COPY_SEND       19
#define MACH_MSG_TYPE_MAKE_SEND       20
#define MACH_MSG_TYPE_MAKE_SEND_ONCE  21
#define MACH_MSG_TYPE_PORT_RECEIVE    MACH_MSG_TYPE_MOVE_RECEIVE
#define MACH_MSG_TYPE_PORT_SEND       MACH_MSG_TYPE_MOVE_SEND
#define MACH_MSG_TYPE_PORT_SEND_ONCE  MACH_MSG_TYPE_MOVE_SEND_ONCE
#define MACH_MSG_TYPE_PORT_ANY(x) \
	((x) >= MACH_MSG_TYPE_MOVE_RECEIVE && (x) <= MACH_MSG_TYPE_MAKE_SEND_ONCE)
#define MACH_MSG_TYPE_PORT_ANY_SEND(x) \
	((x) >= MACH_MSG_TYPE_MOVE_SEND && (x) <= MACH_MSG_TYPE_MAKE_SEND_ONCE)
#define MACH_MSG_TYPE_PORT_ANY_RIGHT(x) \
	((x) >= MACH_MSG_TYPE_MOVE_RECEIVE && (x) <= MACH_MSG_TYPE_MOVE_SEND_ONCE)

/*
 * msgh_bits: the disposition of the remote (destination) port in bits 0-7, of the
 * local (reply) port in bits 8-15, and the complex flag in bit 31. Other bits are
 * reserved and must be zero on send.
 */
#define MACH_MSGH_BITS_REMOTE_MASK  0x000000ffu
#define MACH_MSGH_BITS_LOCAL_MASK   0x0000ff00u
#define MACH_MSGH_BITS_PORTS_MASK   (MACH_MSGH_BITS_REMOTE_MASK | MACH_MSGH_BITS_LOCAL_MASK)
#define MACH_MSGH_BITS_COMPLEX      0x80000000u
#define MACH_MSGH_BITS_USED         (MACH_MSGH_BITS_PORTS_MASK | MACH_MSGH_BITS_COMPLEX)
#define MACH_MSGH_BITS(remote, local) ((mach_msg_bits_t)((remote) | ((local) << 8)))
#define MACH_MSGH_BITS_REMOTE(bits)   ((bits) & MACH_MSGH_BITS_REMOTE_MASK)
#define MACH_MSGH_BITS_LOCAL(bits)    (((bits) & MACH_MSGH_BITS_LOCAL_MASK) >> 8)
#define MACH_MSGH_BITS_PORTS(bits)    ((bits) & MACH_MSGH_BITS_PORTS_MASK)
#define MACH_MSGH_BITS_OTHER(bits)    ((bits) & ~MACH_MSGH_BITS_PORTS_MASK)

/*
 * On send, msgh_remote_port is the destination and msgh_local_port the reply port (or
 * MACH_PORT_NULL). On receive the kernel swaps them: msgh_remote_port is the reply
 * right the sender supplied, msgh_local_port the port the message arrived on, and
 * msgh_size the size actually sent. msgh_reserved is zero on send and ignored.
 */
typedef struct {
	mach_msg_bits_t msgh_bits;
	mach_msg_size_t msgh_size;
	mach_port_t     msgh_remote_port;
	mach_port_t     msgh_local_port;
	mach_msg_size_t msgh_reserved;
	mach_msg_id_t   msgh_id;
} mach_msg_header_t;

/* Present only in complex messages, right after the header. */
typedef struct {
	mach_msg_size_t msgh_descriptor_count;
} mach_msg_body_t;

/* The kind of a descriptor: always its last byte. */
#define MACH_MSG_PORT_DESCRIPTOR       0
#define MACH_MSG_OOL_DESCRIPTOR        1
#define MACH_MSG_OOL_PORTS_DESCRIPTOR  2
#define MACH_MSG_OOL_VOLATILE_DESCRIPTOR 3

/* How out-of-line memory travels. VIRTUAL_COPY lets the kernel map it copy-on-write. */
#define MACH_MSG_PHYSICAL_COPY  0
#define MACH_MSG_VIRTUAL_COPY   1
#define MACH_MSG_ALLOCATE       2
#define MACH_MSG_OVERWRITE      3

/*
 * Descriptors: three words each, the kind always in the last byte (offset 11). OSF
 * declares the last word with bit-fields; on little-endian i386 those bit-fields are
 * exactly the byte fields below, which also compile the same on any host. Unused pad
 * fields must be zero on send.
 */
typedef struct {
	natural_t pad1;
	mach_msg_size_t pad2;
	uint8_t   pad3[3];
	uint8_t   type;
} mach_msg_type_descriptor_t;

typedef struct {
	mach_port_t     name;
	mach_msg_size_t pad1;
	uint16_t        pad2;
	uint8_t         disposition;   /* mach_msg_type_name_t */
	uint8_t         type;          /* MACH_MSG_PORT_DESCRIPTOR */
} mach_msg_port_descriptor_t;

/*
 * address is a user virtual address of the i386 ABI. It is a 32-bit integer on every
 * build, not a pointer, so that a 64-bit host reads the same layout; i386 code
 * converts with (uint32_t)(uintptr_t)p and (void *)(uintptr_t)a (libmsg and the msgc
 * runtime have helpers that do this).
 */
typedef struct {
	vm_address_t    address;
	mach_msg_size_t size;          /* in bytes */
	uint8_t         deallocate;    /* boolean: unmap from the sender on send */
	uint8_t         copy;          /* mach_msg_copy_options_t */
	uint8_t         pad1;
	uint8_t         type;          /* MACH_MSG_OOL_DESCRIPTOR */
} mach_msg_ool_descriptor_t;

typedef struct {
	vm_address_t    address;       /* an array of count port names */
	mach_msg_size_t count;
	uint8_t         deallocate;
	uint8_t         copy;
	uint8_t         disposition;   /* applies to every name in the array */
	uint8_t         type;          /* MACH_MSG_OOL_PORTS_DESCRIPTOR */
} mach_msg_ool_ports_descriptor_t;

typedef union {
	mach_msg_port_descriptor_t      port;
	mach_msg_ool_descriptor_t       out_of_line;
	mach_msg_ool_ports_descriptor_t ool_ports;
	mach_msg_type_descriptor_t      type;
} mach_msg_descriptor_t;

/*
 * Trailers: appended by the kernel after msgh_size bytes of a received message; the
 * receive buffer must have room for the one requested. Format 0 is the only format.
 * MACH_RCV_TRAILER_ELEMENTS(n) in the receive options asks for the first n elements
 * after the minimal trailer (1: sequence number, 2: also the sender's identity).
 */
typedef natural_t mach_msg_trailer_type_t;
typedef natural_t mach_msg_trailer_size_t;

#define MACH_MSG_TRAILER_FORMAT_0  0

typedef struct {
	mach_msg_trailer_type_t msgh_trailer_type;
	mach_msg_trailer_size_t msgh_trailer_size;
} mach_msg_trailer_t;

typedef struct {
	mach_msg_trailer_type_t msgh_trailer_type;
	mach_msg_trailer_size_t msgh_trailer_size;
	mach_port_seqno_t       msgh_seqno;
} mach_msg_seqno_trailer_t;

typedef struct {
	natural_t val[2];
} security_token_t;

typedef struct {
	mach_msg_trailer_type_t msgh_trailer_type;
	mach_msg_trailer_size_t msgh_trailer_size;
	mach_port_seqno_t       msgh_seqno;
	security_token_t        msgh_sender;
} mach_msg_security_trailer_t;

typedef mach_msg_security_trailer_t mach_msg_max_trailer_t;
#define MACH_MSG_TRAILER_MINIMUM_SIZE  ((mach_msg_size_t)sizeof(mach_msg_trailer_t))
#define MAX_TRAILER_SIZE               ((mach_msg_size_t)sizeof(mach_msg_max_trailer_t))

#define MACH_RCV_TRAILER_NULL    0
#define MACH_RCV_TRAILER_SEQNO   1
#define MACH_RCV_TRAILER_SENDER  2
#define MACH_RCV_TRAILER_TYPE(x)     (((x) & 0xf) << 28)
#define MACH_RCV_TRAILER_ELEMENTS(x) (((x) & 0xf) << 24)
#define MACH_RCV_TRAILER_MASK        (0xff << 24)

/* mach_msg options. */
#define MACH_MSG_OPTION_NONE  0x00000000
#define MACH_SEND_MSG         0x00000001
#define MACH_RCV_MSG          0x00000002
#define MACH_RCV_LARGE        0x00000004 /* too large: keep the message queued, report its size */
#define MACH_SEND_TIMEOUT     0x00000010
#define MACH_SEND_INTERRUPT   0x00000040 /* return MACH_SEND_INTERRUPTED rather than restart */
#define MACH_SEND_NOTIFY      0x00000080 /* queue full: accept once, notify when there is room */
#define MACH_RCV_TIMEOUT      0x00000100
#define MACH_RCV_NOTIFY       0x00000200
#define MACH_RCV_INTERRUPT    0x00000400
#define MACH_RCV_OVERWRITE    0x00001000
#define MACH_SEND_ALWAYS      0x00010000 /* kernel internal: ignore the queue limit */
#define MACH_SEND_TRAILER     0x00020000

/*
 * mach_msg return codes. Send errors are 0x1000xxxx, receive errors 0x1000 4xxx;
 * MACH_MSG_MASK bits may be or-ed into a send error to say which resource ran out.
 */
#define MACH_MSG_SUCCESS              0x00000000
#define MACH_MSG_MASK                 0x00003e00
#define MACH_MSG_IPC_SPACE            0x00002000 /* no room in the IPC name space */
#define MACH_MSG_VM_SPACE             0x00001000 /* no room in the address space */
#define MACH_MSG_IPC_KERNEL           0x00000800 /* kernel IPC resource shortage */
#define MACH_MSG_VM_KERNEL            0x00000400 /* kernel VM resource shortage */

#define MACH_SEND_IN_PROGRESS         0x10000001
#define MACH_SEND_INVALID_DATA        0x10000002 /* the message buffer is not readable */
#define MACH_SEND_INVALID_DEST        0x10000003 /* no send right to the destination */
#define MACH_SEND_TIMED_OUT           0x10000004
#define MACH_SEND_INTERRUPTED         0x10000007
#define MACH_SEND_MSG_TOO_SMALL       0x10000008
#define MACH_SEND_INVALID_REPLY       0x10000009
#define MACH_SEND_INVALID_RIGHT       0x1000000a /* a descriptor names a right not held */
#define MACH_SEND_INVALID_NOTIFY      0x1000000b
#define MACH_SEND_INVALID_MEMORY      0x1000000c /* out-of-line memory is not readable */
#define MACH_SEND_NO_BUFFER           0x1000000d
#define MACH_SEND_TOO_LARGE           0x1000000e
#define MACH_SEND_INVALID_TYPE        0x1000000f /* bad descriptor type or disposition */
#define MACH_SEND_INVALID_HEADER      0x10000010
#define MACH_SEND_INVALID_TRAILER     0x10000011

#define MACH_RCV_IN_PROGRESS          0x10004001
#define MACH_RCV_INVALID_NAME         0x10004002
#define MACH_RCV_TIMED_OUT            0x10004003
#define MACH_RCV_TOO_LARGE            0x10004004
#define MACH_RCV_INTERRUPTED          0x10004005
#define MACH_RCV_PORT_CHANGED         0x10004006 /* the port moved into a set while waiting */
#define MACH_RCV_INVALID_NOTIFY       0x10004007
#define MACH_RCV_INVALID_DATA         0x10004008 /* the receive buffer is not writable */
#define MACH_RCV_PORT_DIED            0x10004009
#define MACH_RCV_IN_SET               0x1000400a
#define MACH_RCV_HEADER_ERROR         0x1000400b
#define MACH_RCV_BODY_ERROR           0x1000400c
#define MACH_RCV_INVALID_TYPE         0x1000400d
#define MACH_RCV_SCATTER_SMALL        0x1000400e
#define MACH_RCV_INVALID_TRAILER      0x1000400f

/* True for the receive half's errors: the reply may still arrive later. */
#define MACH_MSG_RCV_ERROR(mr)  (((mr) & 0xffffc000) == 0x10004000)

_Static_assert(sizeof(mach_msg_header_t) == 24, "i386 ABI: header is 24 bytes");
_Static_assert(sizeof(mach_msg_body_t) == 4, "i386 ABI: body is 4 bytes");
_Static_assert(sizeof(mach_msg_port_descriptor_t) == 12, "i386 ABI: descriptors are 12 bytes");
_Static_assert(sizeof(mach_msg_ool_descriptor_t) == 12, "i386 ABI: descriptors are 12 bytes");
_Static_assert(sizeof(mach_msg_ool_ports_descriptor_t) == 12, "i386 ABI: descriptors are 12 bytes");
_Static_assert(sizeof(mach_msg_type_descriptor_t) == 12, "i386 ABI: descriptors are 12 bytes");
_Static_assert(sizeof(mach_msg_descriptor_t) == 12, "i386 ABI: descriptors are 12 bytes");
_Static_assert(offsetof(mach_msg_port_descriptor_t, type) == 11, "kind is the last byte");
_Static_assert(offsetof(mach_msg_ool_descriptor_t, type) == 11, "kind is the last byte");
_Static_assert(offsetof(mach_msg_ool_ports_descriptor_t, type) == 11, "kind is the last byte");
_Static_assert(offsetof(mach_msg_type_descriptor_t, type) == 11, "kind is the last byte");
_Static_assert(offsetof(mach_msg_ool_descriptor_t, size) == 4, "i386 OOL: size, then flags");
_Static_assert(offsetof(mach_msg_header_t, msgh_id) == 20, "i386 ABI: id is the last word");
_Static_assert(sizeof(mach_msg_trailer_t) == 8, "i386 ABI: minimal trailer is 8 bytes");
_Static_assert(sizeof(mach_msg_max_trailer_t) == 20, "i386 ABI: largest trailer is 20 bytes");

#endif
