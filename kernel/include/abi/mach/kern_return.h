/*
 * kern_return_t: the status every kernel call and RPC returns. The values are OSF
 * Mach 3.0's, so that a code printed as a number means the same thing as in the Mach
 * manuals. mach_msg's own codes live in message.h, MIG's in mig_errors.h.
 */
#ifndef MACH_KERN_RETURN_H
#define MACH_KERN_RETURN_H

#include <mach/std_types.h>

typedef int32_t kern_return_t;

#define KERN_SUCCESS                 0
#define KERN_INVALID_ADDRESS         1  /* no memory is allocated at that address */
#define KERN_PROTECTION_FAILURE      2  /* the memory's protection forbids the access */
#define KERN_NO_SPACE                3  /* no room in the address space or name space */
#define KERN_INVALID_ARGUMENT        4
#define KERN_FAILURE                 5
#define KERN_RESOURCE_SHORTAGE       6  /* the kernel ran out of memory or slots */
#define KERN_NOT_RECEIVER            7  /* the task does not hold the receive right */
#define KERN_NO_ACCESS               8
#define KERN_MEMORY_FAILURE          9  /* the memory object could not supply the page */
#define KERN_MEMORY_ERROR            10 /* the memory object reported an error */
#define KERN_ALREADY_IN_SET          11
#define KERN_NOT_IN_SET              12
#define KERN_NAME_EXISTS             13
#define KERN_ABORTED                 14 /* the operation was aborted (thread_abort) */
#define KERN_INVALID_NAME            15 /* the name denotes no right */
#define KERN_INVALID_TASK            16
#define KERN_INVALID_RIGHT           17 /* the name denotes a right of the wrong kind */
#define KERN_INVALID_VALUE           18
#define KERN_UREFS_OVERFLOW          19 /* a user-reference count would overflow */
#define KERN_INVALID_CAPABILITY      20 /* the port is not the kind of object expected */
#define KERN_RIGHT_EXISTS            21
#define KERN_INVALID_HOST            22
#define KERN_MEMORY_PRESENT          23
#define KERN_MEMORY_DATA_MOVED       24
#define KERN_MEMORY_RESTART_COPY     25
#define KERN_INVALID_PROCESSOR_SET   26
#define KERN_POLICY_LIMIT            27
#define KERN_INVALID_POLICY          28
#define KERN_INVALID_OBJECT          29
#define KERN_ALREADY_WAITING         30
#define KERN_DEFAULT_SET             31
#define KERN_EXCEPTION_PROTECTED     32
#define KERN_INVALID_LEDGER          33
#define KERN_INVALID_MEMORY_CONTROL  34
#define KERN_INVALID_SECURITY        35
#define KERN_NOT_DEPRESSED           36
#define KERN_TERMINATED              37 /* the object (task, thread) has terminated */
#define KERN_LOCK_SET_DESTROYED      38
#define KERN_LOCK_UNSTABLE           39
#define KERN_LOCK_OWNED              40
#define KERN_LOCK_OWNED_SELF         41
#define KERN_SEMAPHORE_DESTROYED     42
#define KERN_RPC_SERVER_TERMINATED   43
#define KERN_RPC_TERMINATE_ORPHAN    44
#define KERN_RPC_CONTINUE_ORPHAN     45
#define KERN_NOT_SUPPORTED           46
#define KERN_NODE_DOWN               47 /* the node holding the object is unreachable */
#define KERN_NOT_WAITING             48
#define KERN_OPERATION_TIMED_OUT     49
/* Manifold's: device or DMA memory (kernel/dev), which is never copied, shared or paged */
#define KERN_DEVICE_MEMORY           50

/*
 * OSF has no KERN_TIMEDOUT; Manifold code that wants the name gets the OSF code for a
 * timed-out operation, not a new number.
 */
#define KERN_TIMEDOUT                KERN_OPERATION_TIMED_OUT

#endif
