/**
 * @file
 * @brief Exceptions in the guest: the trap table, the handlers, and the
 *        report of an exception nobody handles.
 *
 * entry.asm has one entry per vector; guest_trap() gets the saved
 * registers, records the exception in traps_seen and calls the handler a
 * program set with trap_set_handler(). Design: guest/traps.h.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/test.h>
#include <guest/traps.h>

/** entry.asm: the entry of every vector, 0 for NMI and 15 (none). */
extern const uint64_t trap_entries[NR_TRAP_VECTORS];

/** The handler of each vector, or NULL. */
static trap_handler_t handlers[NR_TRAP_VECTORS];

struct trap_record traps_seen;
uint64_t trap_fixup_insn;
uint64_t trap_fixup_resume;

/** The exceptions' short names, for the report. */
static const char *const trap_names[NR_TRAP_VECTORS] = {
    [X86_EXC_DE] = "#DE", [X86_EXC_DB] = "#DB", [X86_EXC_NMI] = "NMI",
    [X86_EXC_BP] = "#BP", [X86_EXC_OF] = "#OF", [X86_EXC_BR] = "#BR",
    [X86_EXC_UD] = "#UD", [X86_EXC_NM] = "#NM", [X86_EXC_DF] = "#DF",
    [9] = "#MF(old)",     [X86_EXC_TS] = "#TS", [X86_EXC_NP] = "#NP",
    [X86_EXC_SS] = "#SS", [X86_EXC_GP] = "#GP", [X86_EXC_PF] = "#PF",
    [15] = "reserved",    [X86_EXC_MF] = "#MF", [X86_EXC_AC] = "#AC",
    [X86_EXC_MC] = "#MC", [X86_EXC_XM] = "#XM",
};

/**
 * The trap table traps_init() gives the hypervisor: one entry per vector,
 * and room for the zero entry that ends it. Kept, since the table is per
 * vCPU: smp.c hands it to every vCPU it starts.
 */
static struct trap_info table[NR_TRAP_VECTORS + 1];

void traps_init(void)
{
    unsigned int vector, n = 0;
    long rc;

    for (vector = 0; vector < NR_TRAP_VECTORS; vector++) {
        if (!trap_entries[vector])
            continue;
        table[n++] = (struct trap_info){
            .vector = vector,
            /* Only these two are meant for `int n`, by ring 3. */
            .flags = vector == X86_EXC_BP || vector == X86_EXC_OF ? 3 : 0,
            .cs = FLAT_KERNEL_CS,
            .address = trap_entries[vector],
        };
    }
    rc = HYPERVISOR_set_trap_table(table);
    if (rc)
        test_error("set_trap_table failed: %ld", rc);
}

const struct trap_info *traps_table(void)
{
    return table;
}

void trap_set_handler(unsigned int vector, trap_handler_t fn)
{
    handlers[vector] = fn;
}

void guest_trap(struct guest_regs *regs)
{
    unsigned long vector = regs->vector;
    trap_handler_t handler;

    if (vector == GUEST_EVENT_VECTOR) {
        event_upcall();
        return;
    }
    handler = handlers[vector];
    traps_seen = (struct trap_record){
        .count = traps_seen.count + 1,
        .vector = vector,
        .error_code = regs->error_code,
        .rip = regs->rip,
        .cs = regs->cs,
        /* Ask before anything else can fault and change it. */
        .cr2 = vector == X86_EXC_PF ? read_cr2() : 0,
    };
    if (handler && handler(regs))
        return;
    test_error("Unhandled exception %s (vector %lu) at RIP 0x%lx, "
               "error code 0x%lx, cr2 0x%lx",
               trap_names[vector], vector, regs->rip, regs->error_code,
               traps_seen.cr2);
}

bool trap_resume(struct guest_regs *regs)
{
    (void)regs;
    return true;
}

bool trap_fixup(struct guest_regs *regs)
{
    if (!trap_fixup_resume)
        return false;
    regs->rip = trap_fixup_resume;
    return true;
}

bool trap_probe_read(uintptr_t addr)
{
    trap_handler_t old_pf = handlers[X86_EXC_PF];
    trap_handler_t old_gp = handlers[X86_EXC_GP];
    unsigned long before = traps_seen.count;

    handlers[X86_EXC_PF] = handlers[X86_EXC_GP] = trap_fixup;
    asm volatile(ASM_FIXUP_BEGIN "cmpb $0, (%[p])" ASM_FIXUP_END
                 :
                 : [p] "r"(addr)
                 : "cc", ASM_FIXUP_CLOBBERS);
    handlers[X86_EXC_PF] = old_pf;
    handlers[X86_EXC_GP] = old_gp;
    return traps_seen.count == before;
}
