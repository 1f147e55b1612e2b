/**
 * @file
 * @brief The hypercall table and do_hypercall(), which dispatches on it.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "The hypercall path").
 *
 * The numbers are Xen's (public/xen.h). A number without a handler, or
 * beyond the table, answers -ENOSYS: "not implemented", never a different
 * meaning for the same number. Handlers come in several arities; the
 * table keeps each with its own type, so every call is well-typed C.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <public/xen.h>

/** One entry of the table: the handler, by its number of arguments. */
struct hypercall {
    const char *name;   /**< for the log */
    unsigned int nargs; /**< which member of the union is set */
    /** The handler. */
    union {
        long (*f0)(void);                                        /**< no args */
        long (*f1)(unsigned long);                               /**< one */
        long (*f2)(unsigned long, unsigned long);                /**< two */
        long (*f3)(unsigned long, unsigned long, unsigned long); /**< 3 */
        long (*f4)(unsigned long, unsigned long, unsigned long,
                   unsigned long); /**< four */
    } fn;
};

/** An entry: number, handler, number of arguments. */
#define HYPERCALL(name_, nargs_)                                               \
    [__HYPERVISOR_##name_] = { #name_, nargs_, { .f##nargs_ = do_##name_ } }

/** The table, indexed by hypercall number; gaps are -ENOSYS. */
static const struct hypercall hypercall_table[NR_HYPERCALLS] = {
    HYPERCALL(set_trap_table, 1),
    HYPERCALL(stack_switch, 2),
    HYPERCALL(set_callbacks, 3),
    HYPERCALL(fpu_taskswitch, 1),
    HYPERCALL(xen_version, 2),
    HYPERCALL(console_io, 3),
    HYPERCALL(vm_assist, 2),
    HYPERCALL(iret, 0),
    HYPERCALL(set_segment_base, 2),
    HYPERCALL(sched_op, 2),
    HYPERCALL(callback_op, 2),
    HYPERCALL(mmu_update, 4),
    HYPERCALL(update_va_mapping, 3),
    HYPERCALL(mmuext_op, 4),
    HYPERCALL(memory_op, 2),
    HYPERCALL(multicall, 2),
    HYPERCALL(set_gdt, 2),
    HYPERCALL(update_descriptor, 2),
    HYPERCALL(event_channel_op, 2),
    HYPERCALL(set_timer_op, 1),
    HYPERCALL(vcpu_op, 3),
    HYPERCALL(sysctl, 1),
    HYPERCALL(domctl, 1),
};

/** Call @p h's handler with as many of @p args as it takes. */
static long call(const struct hypercall *h, const unsigned long args[5])
{
    switch (h->nargs) {
    case 0:
        return h->fn.f0();
    case 1:
        return h->fn.f1(args[0]);
    case 2:
        return h->fn.f2(args[0], args[1]);
    case 3:
        return h->fn.f3(args[0], args[1], args[2]);
    default:
        return h->fn.f4(args[0], args[1], args[2], args[3]);
    }
}

long do_hypercall(unsigned long nr, const unsigned long args[5])
{
    long rc;

    if (nr >= NR_HYPERCALLS || !hypercall_table[nr].name) {
        printk(LOG_DEBUG "d%u: hypercall %lu: not implemented\n",
               current->domain->domain_id, nr);
        return -ENOSYS;
    }
    rc = call(&hypercall_table[nr], args);
    if (rc < 0) /* the guest's mistake, or ours: worth a line when asked */
        printk(LOG_DEBUG "d%u: %s(0x%lx, 0x%lx, 0x%lx) = %ld\n",
               current->domain->domain_id, hypercall_table[nr].name, args[0],
               args[1], args[2], rc);
    return rc;
}
