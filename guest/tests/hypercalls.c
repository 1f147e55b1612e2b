/**
 * @file
 * @brief Lab 4 test guest: bad hypercalls get Xen's errors, and the
 *        hypervisor and the guest carry on.
 *
 * Bad numbers (with and without the hypercall page), bad sub-operations,
 * and buffers the guest may not hand over: NULL, the hypervisor's own
 * memory, and a buffer that runs off the end of the guest's mappings.
 */
#include <public/callback.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/version.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/test.h>
#include <guest/traps.h>

/** @name Hypercall numbers nothing answers to */
/**@{*/
#define NR_LAST_IN_TABLE    (NR_HYPERCALLS - 1) /**< 63: in range, unused */
#define NR_PAST_TABLE       100  /**< has a stub, past NR_HYPERCALLS */
#define NR_RAW_UNKNOWN      99   /**< for a bare `syscall` */
#define NR_RAW_OUTSIDE_PAGE 1000 /**< no stub could exist */
/**@}*/

/** A sub-operation or type number no hypercall knows. */
#define BAD_SUBOP 99

/**
 * The hypervisor's direct map of machine memory (ARCHITECTURE.md,
 * "Memory"; Xen's address too): mapped, but not for guests.
 */
#define HYPERVISOR_DIRECT_MAP 0xffff830000000000UL

/** The first non-canonical address: no callback may live there. */
#define NON_CANONICAL 0x0000800000000000UL

/** Bytes of a console buffer on each side of the end of the mappings. */
#define STRADDLE 8

/**
 * The first page past the start-of-day mapping, from Xen's promise (its
 * public xen.h): the boot stack is the page after the page tables, and
 * the mapping goes on for at least 512 KiB after it, to a 4 MiB
 * boundary. Worked out, not probed: probing would need page faults, and
 * this test must not depend on the exception bounce (exercises 4 and 5).
 */
static uintptr_t first_unmapped_page(const struct start_info *si)
{
    uintptr_t stack_end = si->pt_base + (si->nr_pt_frames + 1) * PAGE_SIZE;
    uintptr_t four_mib = 4UL << 20;

    return (stack_end + (512UL << 10) + four_mib - 1) & ~(four_mib - 1);
}

/** Numbers with no hypercall, through the page and without it. */
static void test_bad_numbers(void)
{
    CHECK_EQ(raw_syscall(NR_RAW_UNKNOWN, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(raw_syscall(NR_RAW_OUTSIDE_PAGE, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(_hypercall5(NR_LAST_IN_TABLE, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(_hypercall5(NR_PAST_TABLE, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    /*
     * A number the ABI defines but Hospes never implements: xsm_op (Xen
     * without a security module answers -ENOSYS too). Not one that a
     * later lab brings, such as grant_table_op, or the reference tree
     * would fail this lab's test.
     */
    CHECK_EQ(_hypercall1(__HYPERVISOR_xsm_op, 0), -XEN_ENOSYS);
}

/** Buffers the guest may not pass: -EFAULT, and nothing printed. */
static void test_bad_buffers(const struct start_info *si)
{
    char *straddle = (char *)(first_unmapped_page(si) - STRADDLE);

    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 10, NULL), -XEN_EFAULT);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 10,
                                   (char *)HYPERVISOR_DIRECT_MAP),
             -XEN_EFAULT);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 2 * STRADDLE, straddle),
             -XEN_EFAULT);
    CHECK_EQ(HYPERVISOR_xen_version(XENVER_extraversion, NULL), -XEN_EFAULT);
}

/** Sub-operations no hypercall knows. */
static void test_bad_subops(void)
{
    CHECK_EQ(HYPERVISOR_console_io(BAD_SUBOP, 0, NULL), -XEN_ENOSYS);
    CHECK_EQ(HYPERVISOR_xen_version(BAD_SUBOP, NULL), -XEN_ENOSYS);
    CHECK_EQ(HYPERVISOR_sched_op(BAD_SUBOP, NULL), -XEN_ENOSYS);
    CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, BAD_SUBOP), -XEN_EINVAL);
}

/** Xen checks the address first (-EINVAL), then the type (-ENOSYS). */
static void test_bad_callbacks(void)
{
    struct callback_register unknown_type = {
        .type = BAD_SUBOP,
        .address = (uintptr_t)_image_start,
    };
    struct callback_register non_canonical = {
        .type = CALLBACKTYPE_event,
        .address = NON_CANONICAL,
    };

    CHECK_EQ(HYPERVISOR_callback_op(CALLBACKOP_register, &unknown_type),
             -XEN_ENOSYS);
    CHECK_EQ(HYPERVISOR_callback_op(CALLBACKOP_register, &non_canonical),
             -XEN_EINVAL);
}

/**
 * A trap table the hypervisor cannot read is refused, and the one
 * installed at start keeps working.
 */
static void test_bad_trap_table(void)
{
    unsigned long before;

    CHECK_EQ(HYPERVISOR_set_trap_table(
                 (const struct trap_info *)HYPERVISOR_DIRECT_MAP),
             -XEN_EFAULT);
    trap_set_handler(X86_EXC_BP, trap_resume);
    before = traps_seen.count;
    asm volatile("int3" ::: "memory");
    CHECK(traps_seen.count == before + 1 && traps_seen.vector == X86_EXC_BP,
          "int3 no longer reaches the trap table");
}

/**
 * A multicall runs each entry and writes its result back: a good one, an
 * unknown number, a nested multicall (refused) and an iret (refused).
 */
static void test_multicall(void)
{
    struct multicall_entry calls[] = {
        { .op = __HYPERVISOR_xen_version, .args = { XENVER_pagesize } },
        { .op = NR_RAW_UNKNOWN },
        { .op = __HYPERVISOR_multicall },
        { .op = __HYPERVISOR_iret },
    };

    CHECK_EQ(_hypercall2(__HYPERVISOR_multicall, calls, 4), 0);
    CHECK_EQ((long)calls[0].result, 4096);
    CHECK_EQ((long)calls[1].result, -XEN_ENOSYS);
    CHECK_EQ((long)calls[2].result, -XEN_EINVAL);
    CHECK_EQ((long)calls[3].result, -XEN_EINVAL);
    CHECK_EQ(_hypercall2(__HYPERVISOR_multicall, HYPERVISOR_DIRECT_MAP, 1),
             -XEN_EFAULT);
}

void test_main(const struct start_info *si)
{
    test_bad_numbers();
    test_multicall();
    test_bad_buffers(si);
    test_bad_subops();
    test_bad_callbacks();
    test_bad_trap_table();
}
