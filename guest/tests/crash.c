/**
 * @file
 * @brief Lab 4 test guest: a page fault with no trap table must kill the
 *        domain.
 *
 * A guest with no handler for an exception cannot be helped: the
 * hypervisor must crash the domain (Xen's domain_crash()) and carry on
 * with the others. The lines after the fault, and the FAILURE verdict,
 * appear only if it did not.
 */
#include <guest/console.h>
#include <guest/test.h>

/** An address below the image: never mapped (guest/layout.h). */
#define UNMAPPED 0x10UL

/** No trap table at all. */
const bool guest_no_traps = true;

void test_main(const struct start_info *si)
{
    (void)si;
    printf("crash: about to fault\n");
    /* In asm: a C access to a constant small address is undefined, and
     * GCC would warn or drop it. */
    asm volatile("movl (%0), %%eax" : : "r"(UNMAPPED) : "rax", "memory");
    printf("crash: still alive?!\n");
    CHECK(false, "reading 0x%lx with no trap table did not end the domain",
          UNMAPPED);
}
