/**
 * @file
 * @brief Lab 4 test guest: exceptions bounced through the trap table.
 *
 * Each case raises one exception on purpose and checks what the handler
 * was given (vector, error code, RIP, CS and, for \#PF, the address that
 * read_cr2() returns), and that the guest carries on where the handler
 * said. The last case checks that the hypervisor emulates CPUID behind
 * the forced-emulation prefix instead of bouncing the \#UD.
 */
#include <guest/console.h>
#include <guest/cpuid.h>
#include <guest/string.h>
#include <guest/test.h>
#include <guest/traps.h>

/** @name Addresses below the image: never mapped (guest/layout.h) */
/**@{*/
#define UNMAPPED_READ  0x1000UL /**< read by the first case */
#define UNMAPPED_WRITE 0x2000UL /**< written by the second */
/**@}*/

/**
 * @name Page-fault error codes a guest kernel sees
 *
 * The CPU sets X86_PFEC_USER for every fault of a PV guest kernel, which
 * runs in ring 3. Xen clears it before bouncing the fault when the guest
 * was in kernel mode, so that a kernel can tell its own faults from its
 * user programs'; Hospes does what Xen does.
 */
/**@{*/
#define PFEC_KERNEL_READ  0              /**< a kernel read, page not present */
#define PFEC_KERNEL_WRITE X86_PFEC_WRITE /**< a kernel write, not present */
/**@}*/

/** Length of `ud2`, which the \#UD handler skips. */
#define UD2_LEN 2
/** Length of the forced-emulation prefix (`ud2`, "xen") and `cpuid`. */
#define FORCED_CPUID_LEN 7

/** @name Values the `iret` hypercall must give back after an exception */
/**@{*/
#define RAX_MARK 0x1111111111111111UL /**< in RAX at the `int3` */
#define RCX_MARK 0x2222222222222222UL /**< in RCX */
#define R11_MARK 0x3333333333333333UL /**< in R11 */
/**@}*/

/** traps_seen.count when the current case started. */
static unsigned long count_before;

/** Announce a case and note the exception count before it. */
static void start_case(const char *what)
{
    printf("traps: %s\n", what);
    count_before = traps_seen.count;
}

/** The case raised exactly one exception, this one, at rip. */
static void check_fault(unsigned long vector, unsigned long error_code,
                        uint64_t rip)
{
    CHECK_EQ(traps_seen.count, count_before + 1);
    CHECK_EQ(traps_seen.vector, vector);
    CHECK_EQ(traps_seen.error_code, error_code);
    CHECK_EQ(traps_seen.rip, rip);
    /* Bits 32-39 of CS hold the saved event mask: look at the selector. */
    CHECK_EQ(traps_seen.cs & 0xffff, FLAT_KERNEL_CS);
}

/** \#UD handler: step over the `ud2`; the frame's RIP points at it. */
static bool skip_ud2(struct guest_regs *regs)
{
    regs->rip += UD2_LEN;
    return true;
}

/**
 * \#UD handler for a hypervisor that bounces the forced-emulation \#UD
 * instead of emulating: skip the whole sequence, so the check can fail.
 */
static bool skip_forced_cpuid(struct guest_regs *regs)
{
    regs->rip += FORCED_CPUID_LEN;
    return true;
}

/** A read of an unmapped page: \#PF, kernel read, cr2 = the address. */
static void test_page_fault_read(void)
{
    start_case("#PF reading an unmapped page");
    asm volatile(ASM_FIXUP_BEGIN "cmpb $0, (%[p])" ASM_FIXUP_END
                 :
                 : [p] "r"(UNMAPPED_READ)
                 : "cc", ASM_FIXUP_CLOBBERS);
    check_fault(X86_EXC_PF, PFEC_KERNEL_READ, trap_fixup_insn);
    CHECK_EQ(traps_seen.cr2, UNMAPPED_READ);
}

/** A write to an unmapped page: \#PF with the write bit. */
static void test_page_fault_write(void)
{
    start_case("#PF writing an unmapped page");
    asm volatile(ASM_FIXUP_BEGIN "movb $0, (%[p])" ASM_FIXUP_END
                 :
                 : [p] "r"(UNMAPPED_WRITE)
                 : ASM_FIXUP_CLOBBERS);
    check_fault(X86_EXC_PF, PFEC_KERNEL_WRITE, trap_fixup_insn);
    CHECK_EQ(traps_seen.cr2, UNMAPPED_WRITE);
}

/** `ud2`: \#UD at the instruction; the handler moves RIP on. */
static void test_invalid_opcode(void)
{
    uint64_t at;

    start_case("#UD from ud2, handler skips it");
    asm volatile("leaq 0f(%%rip), %[at]\n0:\tud2" : [at] "=r"(at)::"memory");
    check_fault(X86_EXC_UD, 0, at);
}

/**
 * Also checks that the registers the `iret` hypercall restores itself
 * (RAX, RCX, R11: the stub pushes them) come back intact.
 */
static void test_breakpoint(void)
{
    unsigned long rax = RAX_MARK, rcx = RCX_MARK, r11;
    uint64_t after;

    start_case("#BP from int3, handler returns");
    /* R11 is moved in and out inside the asm: a register variable would
     * not survive the calls before the check. */
    asm volatile("movq %[r11_mark], %%r11\n\t"
                 "int3\n"
                 "1:\tleaq 1b(%%rip), %[after]\n\t"
                 "movq %%r11, %[r11]"
                 : [after] "=&r"(after), [r11] "=&r"(r11), "+a"(rax), "+c"(rcx)
                 : [r11_mark] "r"(R11_MARK)
                 : "r11", "memory");
    check_fault(X86_EXC_BP, 0, after);
    CHECK_EQ(rax, RAX_MARK);
    CHECK_EQ(rcx, RCX_MARK);
    CHECK_EQ(r11, R11_MARK);
}

/**
 * `hlt` is privileged, and the hypervisor does not emulate it for PV
 * guests: ring 3 gets \#GP(0).
 */
static void test_general_protection(void)
{
    start_case("#GP(0) from hlt in ring 3");
    asm volatile(ASM_FIXUP_BEGIN "hlt" ASM_FIXUP_END ::: ASM_FIXUP_CLOBBERS);
    check_fault(X86_EXC_GP, 0, trap_fixup_insn);
}

/** A division by zero: \#DE at the `div`. */
static void test_divide_error(void)
{
    unsigned int low = 1, high = 0;

    start_case("#DE from a division by zero");
    /* In asm, so that the compiler cannot see the zero coming. */
    asm volatile(ASM_FIXUP_BEGIN "divl %[zero]" ASM_FIXUP_END
                 : "+a"(low), "+d"(high)
                 : [zero] "r"(0)
                 : ASM_FIXUP_CLOBBERS);
    check_fault(X86_EXC_DE, 0, trap_fixup_insn);
}

/** CPUID behind the forced-emulation prefix, emulated, not bounced. */
static void test_forced_cpuid(void)
{
    uint32_t eax, ebx, ecx, edx;
    char signature[sizeof(XEN_CPUID_SIGNATURE)];

    start_case("CPUID 0x40000000 behind the forced-emulation prefix");
    trap_set_handler(X86_EXC_UD, skip_forced_cpuid);
    xen_cpuid(XEN_CPUID_FIRST_LEAF, 0, &eax, &ebx, &ecx, &edx);
    memcpy(signature, &ebx, 4);
    memcpy(signature + 4, &ecx, 4);
    memcpy(signature + 8, &edx, 4);
    signature[12] = '\0';
    printf("traps: hypervisor signature \"%s\", last leaf 0x%x\n", signature,
           eax);
    CHECK(!memcmp(signature, XEN_CPUID_SIGNATURE, sizeof(signature)),
          "signature \"%s\", expected \"%s\"", signature, XEN_CPUID_SIGNATURE);
    CHECK(eax >= XEN_CPUID_FIRST_LEAF, "last leaf 0x%x", eax);
    /* The hypervisor emulates it: the guest sees no #UD. */
    CHECK_EQ(traps_seen.count, count_before);
}

void test_main(const struct start_info *si)
{
    (void)si;
    trap_set_handler(X86_EXC_PF, trap_fixup);
    trap_set_handler(X86_EXC_GP, trap_fixup);
    trap_set_handler(X86_EXC_DE, trap_fixup);
    trap_set_handler(X86_EXC_UD, skip_ud2);
    trap_set_handler(X86_EXC_BP, trap_resume);

    test_page_fault_read();
    test_page_fault_write();
    test_invalid_opcode();
    test_breakpoint();
    test_general_protection();
    test_divide_error();
    test_forced_cpuid();
    printf("traps: all cases done, still running\n");
}
