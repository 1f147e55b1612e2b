/**
 * @file
 * @brief The multicall hypercall: a batch of hypercalls in one trip.
 *
 * Lab 5 (labs/05-pv-memory/README.md): PV kernels batch page-table work
 * this way. Design page: docs/pv-memory.md.
 *
 * Each entry names a hypercall and up to six arguments; the hypervisor
 * runs them in order and writes each result back into its entry. A
 * multicall inside a multicall, and `iret` (which rewrites the guest's
 * registers, not a batch's business), get -EINVAL in their entry.
 */
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <public/xen.h>

long do_multicall(guest_va_t calls, unsigned long nr)
{
    struct multicall_entry call;
    unsigned int i;

    for (i = 0; i < (unsigned int)nr; i++, calls += sizeof(call)) {
        if (copy_from_guest(&call, calls, sizeof(call)))
            return -EFAULT;
        if (call.op == __HYPERVISOR_multicall || call.op == __HYPERVISOR_iret)
            call.result = -EINVAL;
        else
            call.result = do_hypercall(call.op, call.args);
        if (copy_to_guest(calls + offsetof(struct multicall_entry, result),
                          &call.result, sizeof(call.result)))
            return -EFAULT;
    }
    return 0;
}
