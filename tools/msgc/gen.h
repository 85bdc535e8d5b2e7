/*
 * The code generators. gen_all writes five files for interface NAME into a directory:
 *   NAME_types.h   typedefs of the declared types, message ids, largest sizes
 *   NAME_client.h/.c   one stub per routine (gen_client.c)
 *   NAME_server.h/.c   the demultiplexer NAME_server and the prototypes of the
 *                      NAME_do_ROUTINE handlers the server author writes (gen_server.c)
 * With -k or -K msgc writes a kernel target instead (below).
 * The helpers below are shared by the generators (gen_common.c).
 */
#ifndef MSGC_GEN_H
#define MSGC_GEN_H

#include <stdbool.h>
#include <stdio.h>
#include "interface.h"

/* False after printing `msgc: ...` to stderr, when a file cannot be written. */
bool gen_all(const struct interface *itf, const char *outdir);

void gen_types_header(FILE *f, const struct interface *itf);
void gen_client_header(FILE *f, const struct interface *itf);
void gen_client_source(FILE *f, const struct interface *itf);
void gen_server_header(FILE *f, const struct interface *itf);
void gen_server_source(FILE *f, const struct interface *itf);

/* Whose view a parameter list is written from: they differ for out-of-line memory,
 * which the client lends (const) and the server receives to keep, and in the
 * kernel, where ports are struct port pointers and memory is a kernel copy. */
enum side { SIDE_CLIENT, SIDE_SERVER, SIDE_KERNEL };

/*
 * The kernel target (msgc -k TYPE): NAME_kserver.h/.c decode requests that reached
 * a kernel object's port (struct kmsg, kern/msgc_kernel.h) and call kdo_ROUTINE
 * handlers whose first parameter is the object, of C type TYPE ("struct task *").
 */
extern const char *gen_kernel_object;
bool gen_kernel(const struct interface *itf, const char *outdir);
void gen_kserver_header(FILE *f, const struct interface *itf);
void gen_kserver_source(FILE *f, const struct interface *itf);

/*
 * The kernel's client target (msgc -K): NAME_kuser.h/.c, where the kernel sends an
 * interface's requests (gen_kuser.c). kreq_ROUTINE builds a request as a struct
 * kmsg; kreply_ROUTINE decodes its reply.
 */
bool gen_kernel_client(const struct interface *itf, const char *outdir);
void gen_kuser_header(FILE *f, const struct interface *itf);
void gen_kuser_source(FILE *f, const struct interface *itf);

/* gen_client.c's pieces, one argument each; k: the kernel's kmsg form (gen_kuser.c). */
/*
 * Messages carry an argument's descriptors first (pass 0), then its inline
 * bytes (pass 1); an inline port array has both, its ports and its count.
 */
bool gen_in_pass(const struct type *t, int pass);

void gen_client_argument_check(FILE *f, const struct arg *a);
void gen_client_request_item(FILE *f, const struct arg *a, bool k, int pass);
void gen_client_reply_local(FILE *f, const struct arg *a, bool k);
void gen_client_reply_item(FILE *f, const struct arg *a, int pass);
/* An inline port array's parts, by pass: the ports (NULL past the count) or the count. */
void gen_port_array_put(FILE *f, const struct arg *a, const char *disposition, int pass);
void gen_port_array_get(FILE *f, const struct arg *a, const char *right, const char *dst, int pass,
    const char *fail);
void gen_client_copy_out(FILE *f, const struct arg *a, bool k);
/*
 * The SameCount arrays of r on one side (the request, or the reply): each
 * one's count as it came (PREFIX NAMECnt) must equal its chain's, else goto fail.
 */
void gen_same_count_checks(FILE *f, const struct routine *r, bool reply, const char *prefix,
    const char *fail);

void gen_banner(FILE *f, const struct interface *itf);
/* NAME in upper case, for macros and include guards. */
const char *gen_upper(const char *name, char *buf, size_t size);
/* The C parameters of one argument: "int32_t a" or "const uint8_t *d, ... dCnt". */
void gen_param(FILE *f, const struct arg *a, enum side side);
/* The parameter list of a stub or handler after its "(": one per line, up to ")". */
void gen_params(FILE *f, const struct routine *r, enum side side);
/* The bound to check an array against: its number, or UINT32_MAX if unbounded. */
const char *gen_bound(const struct type *t, char *buf, size_t size);
/* The id macro of a routine: NAME_ID in upper case. */
const char *gen_id_macro(const struct routine *r, char *buf, size_t size);

#endif
