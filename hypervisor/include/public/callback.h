/**
 * @file
 * @brief Xen guest ABI: HYPERVISOR_callback_op(cmd, arg), the entry
 *        points a PV guest registers for events and system calls.
 *
 * Numbers and layouts are Xen's (its xen/include/public/); the text is ours.
 */
#ifndef XEN_PUBLIC_CALLBACK_H
#define XEN_PUBLIC_CALLBACK_H

/** @name Callback types */
/**@{*/
#define CALLBACKTYPE_event     0 /**< event upcall (lab 6) */
#define CALLBACKTYPE_failsafe  1 /**< a return to the guest failed */
#define CALLBACKTYPE_syscall   2 /**< 64-bit `syscall` from guest user mode */
#define CALLBACKTYPE_nmi       4 /**< NMI */
#define CALLBACKTYPE_sysenter  5 /**< 32-bit `sysenter` */
#define CALLBACKTYPE_syscall32 7 /**< 32-bit `syscall` */
/**@}*/

/** Flag: mask events when the callback is entered. */
#define CALLBACKF_mask_events 1

/** @name callback_op commands */
/**@{*/
#define CALLBACKOP_register   0 /**< arg: struct callback_register */
#define CALLBACKOP_unregister 1 /**< arg: struct callback_unregister */
/**@}*/

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/** CALLBACKOP_register's argument. */
struct callback_register {
    uint16_t type;    /**< CALLBACKTYPE_* */
    uint16_t flags;   /**< CALLBACKF_* */
    uint32_t pad;     /**< unused */
    uint64_t address; /**< the entry point */
};
_Static_assert(sizeof(struct callback_register) == 16, "callback_register");
_Static_assert(offsetof(struct callback_register, address) == 8, "address");

/** CALLBACKOP_unregister's argument. */
struct callback_unregister {
    uint16_t type; /**< CALLBACKTYPE_* */
    uint16_t pad;  /**< unused */
};
#endif

#endif /* XEN_PUBLIC_CALLBACK_H */
