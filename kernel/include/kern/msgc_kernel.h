/*
 * What msgc's kernel targets need: the helpers of <mach/msgc_wire.h>, and
 * readers and writers of the parts that differ in a struct kmsg. There, a port
 * descriptor holds a struct port pointer and the right it carries
 * (MACH_MSG_TYPE_PORT_*), and an out-of-line descriptor holds a kernel copy,
 * virtual (struct vcopy) when the kmsg's kvirt bit says so. The header's rights
 * are the kmsg's remote and local, not its port fields.
 *
 * The kernel as server (msgc -k, NAME_kserver.c): a handler that succeeds owns
 * the request's port rights (the generated code then calls msgc_request_taken);
 * out-of-line copies always stay the request's, and kmsg_destroy frees
 * them. A reply's ports are struct port pointers holding a reference and the
 * right named by their disposition; its out-of-line copies belong to the reply
 * kmsg.
 *
 * The kernel as client (msgc -K, NAME_kuser.c): a request built in a new kmsg
 * (msgc_kmsg_alloc, msgc_begin_request) takes the rights and copies put in it;
 * a reply decoded without fault gives its rights and copies to the caller
 * (msgc_reply_taken), and the caller destroys what is left of it.
 */
#ifndef KERN_MSGC_KERNEL_H
#define KERN_MSGC_KERNEL_H

#include <kern/ipc.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <mach/mig_errors.h>
#include <mach/msgc_wire.h>

/* The objects kernel interfaces stand for (each decoder's first parameter). */
struct task;
struct thread;
struct vm_object;

/* Out-of-line memory as a kernel handler sees it. */
struct kern_ool {
	void *copy;		/* NULL for none; kmalloc'd bytes, or a struct vcopy when virt */
	bool virt;
	uint32_t size;		/* bytes */
};

/* Largest reply of any kernel interface: kobject.c's reply buffer. */
#define KOBJECT_REPLY_MAX 640u	/* thread_get_state of i386_FXSAVE_STATE: 512 bytes of state */

static inline bool
msgc_begin_read(struct msgc_reader *r, struct kmsg *k, uint32_t descriptors)
{
	mach_msg_body_t body;
	bool complex = (k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) != 0;

	r->base = (const uint8_t *)k->msg;
	r->end = k->size;
	r->at = sizeof(mach_msg_header_t);
	r->desc = 0;
	r->kmsg = k;
	if (r->end < r->at || (r->end & 3u) != 0 || complex != (descriptors != 0))
		return false;
	if (!complex)
		return true;
	return msgc_get(r, &body, sizeof(body)) && body.msgh_descriptor_count == descriptors;
}

/* Any right, and which one (0 with NULL for MACH_PORT_NULL or MACH_PORT_DEAD). */
static inline bool
msgc_get_poly_port(struct msgc_reader *r, struct port **p, mach_msg_type_name_t *poly)
{
	mach_msg_port_descriptor_t d;

	if (!msgc_get(r, &d, sizeof(d)) || d.type != MACH_MSG_PORT_DESCRIPTOR)
		return false;
	r->desc++;
	if (d.name == MACH_PORT_NULL || d.name == MACH_PORT_DEAD) {
		*p = NULL;
		*poly = 0;
		return true;
	}
	if (!MACH_MSG_TYPE_PORT_ANY_RIGHT(d.disposition))
		return false;
	*p = (struct port *)(uintptr_t)d.name;
	*poly = d.disposition;
	return true;
}

/* A port carrying `right`; MACH_PORT_NULL or MACH_PORT_DEAD come as NULL. */
static inline bool
msgc_get_port(struct msgc_reader *r, mach_msg_type_name_t right, struct port **p)
{
	mach_msg_type_name_t carried;

	return msgc_get_poly_port(r, p, &carried) && (!*p || carried == right);
}

static inline bool
msgc_get_ool(struct msgc_reader *r, uint32_t elem_size, uint32_t bound, struct kern_ool *o,
	     mach_msg_type_number_t *count)
{
	struct kmsg *k = r->kmsg;
	mach_msg_ool_descriptor_t d;
	uint32_t i = r->desc++;

	if (!msgc_get(r, &d, sizeof(d)) || d.type != MACH_MSG_OOL_DESCRIPTOR || d.size % elem_size != 0 ||
	    d.size / elem_size > bound)
		return false;
	o->copy = i < 32 && (k->kcopies & (1u << i)) ? (void *)(uintptr_t)d.address : NULL;
	o->virt = o->copy && (k->kvirt & (1u << i));
	o->size = o->copy ? d.size : 0;
	if (d.size && !o->copy)
		return false;
	*count = d.size / elem_size;
	return true;
}

/* An out-of-line array of rights: the kernel's array of ports, each carrying `right`. */
static inline bool
msgc_get_port_array(struct msgc_reader *r, mach_msg_type_name_t right, uint32_t bound, struct port ***ports,
		    mach_msg_type_number_t *count)
{
	struct kmsg *k = r->kmsg;
	mach_msg_ool_ports_descriptor_t d;
	uint32_t i = r->desc++;

	if (!msgc_get(r, &d, sizeof(d)) || d.type != MACH_MSG_OOL_PORTS_DESCRIPTOR || d.count > bound ||
	    (d.count != 0 && d.disposition != right))
		return false;
	*ports = i < 32 && (k->kcopies & (1u << i)) ? (struct port **)(uintptr_t)d.address : NULL;
	if (d.count && !*ports)
		return false;
	*count = d.count;
	return true;
}

/* The handler took the request's rights: the request no longer releases them. */
static inline void
msgc_request_taken(struct kmsg *k)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);

	for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++) {
		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR)
			d->port.name = MACH_PORT_NULL;
		if (d->type.type == MACH_MSG_OOL_PORTS_DESCRIPTOR && i < 32 && (k->kcopies & (1u << i)))
			memset((void *)(uintptr_t)d->ool_ports.address, 0, d->ool_ports.count * sizeof(struct port *));
	}
}

static inline void
msgc_set_retcode(struct kmsg *out, kern_return_t ret)
{
	memcpy((uint8_t *)out->msg + sizeof(mach_msg_header_t), &ret, sizeof(ret));
}

/* out answers in: an error reply (KERN_SUCCESS) until msgc_begin_reply_ok. */
static inline void
msgc_prepare_reply(struct kmsg *in, struct kmsg *out)
{
	memset(out->msg, 0, sizeof(mach_msg_header_t));
	out->size = out->msg->msgh_size = sizeof(mig_reply_error_t);
	out->msg->msgh_id = (mach_msg_id_t)((uint32_t)in->msg->msgh_id + 100u);
	out->kcopies = out->kvirt = 0;
	msgc_set_retcode(out, KERN_SUCCESS);
}

static inline void
msgc_reply_error(struct kmsg *out, kern_return_t ret)
{
	out->msg->msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
	out->size = out->msg->msgh_size = sizeof(mig_reply_error_t);
	msgc_set_retcode(out, ret);
}

static inline void
msgc_reply_none(struct kmsg *out, kern_return_t ret)
{
	msgc_reply_error(out, ret == KERN_SUCCESS ? MIG_NO_REPLY : ret);
}

static inline void
msgc_begin_reply_ok(struct msgc_writer *w, struct kmsg *out, uint32_t descriptors)
{
	w->base = (uint8_t *)out->msg;
	w->at = sizeof(mach_msg_header_t);
	w->desc = 0;
	w->kmsg = out;
	if (descriptors != 0) {
		out->msg->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		msgc_put_u32(w, descriptors);
	} else {
		msgc_put_u32(w, KERN_SUCCESS);
	}
}

static inline void
msgc_put_port(struct msgc_writer *w, struct port *p, mach_msg_type_name_t carried)
{
	mach_msg_port_descriptor_t d = {
		.name = (mach_port_name_t)(uintptr_t)p, .disposition = (uint8_t)carried,
		.type = MACH_MSG_PORT_DESCRIPTOR,
	};

	w->desc++;
	msgc_put(w, &d, sizeof(d));
}

/* The reply takes the array (kmalloc'd) and the rights in it. */
static inline void
msgc_put_port_array(struct msgc_writer *w, struct port **ports, uint32_t count, mach_msg_type_name_t carried,
		    bool deallocate)
{
	struct kmsg *k = w->kmsg;
	uint32_t i = w->desc++;
	mach_msg_ool_ports_descriptor_t d = {
		.address = (vm_address_t)(uintptr_t)ports, .deallocate = deallocate,
		.copy = MACH_MSG_PHYSICAL_COPY, .disposition = (uint8_t)carried,
		.type = MACH_MSG_OOL_PORTS_DESCRIPTOR, .count = ports ? count : 0,
	};

	if (ports)
		k->kcopies |= 1u << i;
	msgc_put(w, &d, sizeof(d));
}

/* The reply takes o's copy. */
static inline void
msgc_put_ool(struct msgc_writer *w, const struct kern_ool *o, uint32_t size, bool deallocate)
{
	struct kmsg *k = w->kmsg;
	uint32_t i = w->desc++;
	mach_msg_ool_descriptor_t d = {
		.address = (vm_address_t)(uintptr_t)o->copy, .deallocate = deallocate,
		.copy = MACH_MSG_VIRTUAL_COPY, .type = MACH_MSG_OOL_DESCRIPTOR, .size = o->copy ? size : 0,
	};

	if (o->copy) {
		k->kcopies |= 1u << i;
		if (o->virt)
			k->kvirt |= 1u << i;
	}
	msgc_put(w, &d, sizeof(d));
}

static inline void
msgc_end_reply_ok(struct msgc_writer *w, struct kmsg *out)
{
	out->size = out->msg->msgh_size = w->at;
}

/* The kernel's client side (NAME_kuser.c). */

/* A zeroed kmsg with room for size bytes of message; NULL without memory. */
static inline struct kmsg *
msgc_kmsg_alloc(uint32_t size)
{
	return kzalloc(sizeof(struct kmsg) + size);
}

/*
 * Where kreq_ROUTINE builds its request: the caller's room (*msgc_request on
 * entry, a struct kmsg_room's kmsg) when the routine's largest request fits
 * there, else a new kmsg; NULL on entry always means a new one. The message
 * bytes need no zeroing (the writer writes every byte up to its end, padding
 * included), only the kmsg's own fields.
 */
static inline struct kmsg *
msgc_kmsg_in(struct kmsg *room, uint32_t size)
{
	if (room == NULL || size > KMSG_ROOM_BYTES)
		return msgc_kmsg_alloc(size);
	*room = (struct kmsg){ .size = 0 };
	return room;
}

/* Whether o holds exactly size bytes: a copy of that size, or no copy for none. */
static inline bool
msgc_ool_holds(const struct kern_ool *o, uint32_t size)
{
	return o->copy ? o->size == size : size == 0;
}

/* Starts a request in k carrying dest_right to dest and, if reply is set, reply_right to it. */
static inline void
msgc_begin_request(struct msgc_writer *w, struct kmsg *k, struct port *dest, mach_msg_type_name_t dest_right,
		   struct port *reply, mach_msg_type_name_t reply_right, mach_msg_id_t id, uint32_t descriptors)
{
	k->remote = dest;
	k->remote_type = dest_right;
	k->local = reply;
	k->local_type = reply ? reply_right : 0;
	k->msg->msgh_bits = MACH_MSGH_BITS(dest_right, k->local_type);
	k->msg->msgh_remote_port = MACH_PORT_NULL;
	k->msg->msgh_local_port = MACH_PORT_NULL;
	k->msg->msgh_reserved = 0;
	k->msg->msgh_id = id;
	w->base = (uint8_t *)k->msg;
	w->at = sizeof(mach_msg_header_t);
	w->desc = 0;
	w->kmsg = k;
	if (descriptors != 0) {
		k->msg->msgh_bits |= MACH_MSGH_BITS_COMPLEX;
		msgc_put_u32(w, descriptors);
	}
}

static inline void
msgc_end_request(struct msgc_writer *w, struct kmsg *k)
{
	k->size = k->msg->msgh_size = w->at;
}

/*
 * Checks a reply's id, and returns the server's status if it is an error reply.
 * KERN_SUCCESS: decode the rest with r, which is past the descriptor count
 * (complex replies) or past RetCode (simple ones). As msgc_runtime.h's, but
 * the reply stays whole: the caller destroys it.
 */
static inline kern_return_t
msgc_begin_reply(struct msgc_reader *r, struct kmsg *k, mach_msg_id_t id, uint32_t descriptors)
{
	kern_return_t ret;

	if (k->msg->msgh_id != id)
		return MIG_REPLY_MISMATCH;
	if (!(k->msg->msgh_bits & MACH_MSGH_BITS_COMPLEX) && k->size == sizeof(mig_reply_error_t)) {
		memcpy(&ret, (uint8_t *)k->msg + sizeof(mach_msg_header_t), sizeof(ret));
		if (ret != KERN_SUCCESS)
			return ret;
	}
	if (!msgc_begin_read(r, k, descriptors) ||
	    (descriptors == 0 && (!msgc_get(r, &ret, sizeof(ret)) || ret != KERN_SUCCESS)))
		return MIG_TYPE_ERROR;
	return KERN_SUCCESS;
}

/*
 * A reply decoded without fault: every right and copy it carries went to the
 * caller's out-parameters, so destroying it releases none of them.
 */
static inline void
msgc_reply_taken(struct kmsg *k)
{
	mach_msg_body_t *body = (mach_msg_body_t *)(k->msg + 1);
	mach_msg_descriptor_t *d = (mach_msg_descriptor_t *)(body + 1);

	for (uint32_t i = 0; i < body->msgh_descriptor_count; i++, d++)
		if (d->type.type == MACH_MSG_PORT_DESCRIPTOR)
			d->port.name = MACH_PORT_NULL;
	k->kcopies = k->kvirt = 0;	/* memory and port arrays alike */
}

#endif
