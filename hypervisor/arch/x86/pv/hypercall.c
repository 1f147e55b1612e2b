/**
 * @file
 * @brief The PV hypercall entry (from `syscall`) and the hypercall page.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "The hypercall path").
 *
 * A 64-bit PV guest calls stub n of its hypercall page: push rcx and
 * r11, mov $n to eax, syscall. syscall_entry (entry.asm) saves the
 * registers at the top of the stack and calls pv_hypercall(), which
 * passes RDI, RSI, RDX, R10 and R8 to the handler and puts its result in
 * the saved RAX. The guest resumes after its `syscall`, pops r11 and rcx,
 * and returns from the stub.
 */
#include <asm/current.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <public/xen.h>

#include "pv.h"

/** Bytes per stub in the hypercall page. */
#define STUB_BYTES 32

void pv_hypercall(struct cpu_user_regs *regs)
{
    const unsigned long args[5] = { regs->rdi, regs->rsi, regs->rdx, regs->r10,
                                    regs->r8 };

    regs->rax = do_hypercall(regs->rax, args);
}

void pv_write_hypercall_page(uint8_t *page)
{
    /* push %rcx; push %r11; mov $nr, %eax; syscall; pop %r11; pop %rcx; ret */
    static const uint8_t call[] = { 0x51, 0x41, 0x53, 0xb8, 0,    0,    0,
                                    0,    0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
    /* push %rcx; push %r11; push %rax; mov $23, %eax; syscall: no return */
    static const uint8_t iret[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 0x17,
                                    0,    0,    0,    0x0f, 0x05 };
    uint32_t nr;

    memset(page, 0xcc, PAGE_SIZE); /* int3 between and after the stubs */
    for (nr = 0; nr < PAGE_SIZE / STUB_BYTES; nr++) {
        uint8_t *stub = page + nr * STUB_BYTES;

        if (nr == __HYPERVISOR_iret) {
            memcpy(stub, iret, sizeof(iret));
        } else {
            memcpy(stub, call, sizeof(call));
            memcpy(stub + 4, &nr, sizeof(nr));
        }
    }
}
