/**
 * @file
 * @brief Lab 4 test guest: says hello and checks what the domain builder
 *        and xen_version give it.
 *
 * Command line: `expect-flags=N` names the SIF_PRIVILEGED|SIF_INITDOMAIN
 * bits start_info.flags must have (3 for dom0, 0 for other domains); the
 * grader passes it. Without it, the two bits must merely agree.
 */
#include <public/version.h>
#include <guest/cmdline.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/start_info.h>
#include <guest/string.h>
#include <guest/test.h>

/** How many P2M entries to check for being valid and distinct. */
#define P2M_CHECKED 64

/** What XENVER_capabilities must offer to run this 64-bit PV guest. */
#define PV64_CAPABILITY "xen-3.0-x86_64"

/** The start_info flags that say "dom0". */
#define DOM0_FLAGS (SIF_PRIVILEGED | SIF_INITDOMAIN)

/** Initialised data: the loader must copy it from the file. */
static volatile unsigned long data_probe = 0x1234567890abcdefUL;
/** Uninitialised data: the loader must clear it. */
static volatile unsigned char bss_probe[PAGE_SIZE];

/** The image was loaded as its program headers say. */
static void check_image(void)
{
    size_t i, nonzero = 0;

    CHECK_EQ(data_probe, 0x1234567890abcdefUL);
    for (i = 0; i < sizeof(bss_probe); i++)
        nonzero += bss_probe[i] != 0;
    CHECK(nonzero == 0, ".bss not cleared: %zu of %zu bytes are not 0", nonzero,
          sizeof(bss_probe));
}

/** The start_info fields lab 4 fills in are plausible. */
static void check_start_info(const struct start_info *si)
{
    uintptr_t image_end = (uintptr_t)_image_end;

    CHECK(
        !memcmp(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC)),
        "start_info.magic is not \"%s\"", XEN_START_INFO_MAGIC);
    CHECK(PAGE_ALIGNED(si) && (uintptr_t)si >= image_end,
          "start_info at %p: not a page after the image (which ends at %p)",
          (const void *)si, (void *)_image_end);
    CHECK(si->nr_pages > 0, "nr_pages is 0");
    CHECK(si->shared_info && PAGE_ALIGNED(si->shared_info),
          "shared_info 0x%lx is not a page's machine address", si->shared_info);
    CHECK(PAGE_ALIGNED(si->pt_base) && si->pt_base >= image_end,
          "pt_base 0x%lx: not a page after the image (end %p)", si->pt_base,
          (void *)_image_end);
    /* One L4, L3, L2 and L1 table at least, to map anything at all. */
    CHECK(si->nr_pt_frames >= 4, "nr_pt_frames is %lu, below 4",
          si->nr_pt_frames);
    CHECK(PAGE_ALIGNED(si->mfn_list) && si->mfn_list >= image_end,
          "mfn_list 0x%lx: not a page after the image (end %p)", si->mfn_list,
          (void *)_image_end);
}

/** The P2M list: one machine frame per guest page, none 0, no two alike. */
static void check_p2m(const struct start_info *si)
{
    const unsigned long *mfn = (const unsigned long *)si->mfn_list;
    size_t i, j, n = si->nr_pages < P2M_CHECKED ? si->nr_pages : P2M_CHECKED;

    if (!si->mfn_list || !PAGE_ALIGNED(si->mfn_list))
        return; /* reported by check_start_info() */
    for (i = 0; i < n; i++) {
        CHECK(mfn[i] != 0, "mfn_list[%zu] is 0", i);
        for (j = 0; j < i; j++)
            CHECK(mfn[i] != mfn[j], "mfn_list[%zu] == mfn_list[%zu] == 0x%lx",
                  i, j, mfn[i]);
    }
}

/** SIF_PRIVILEGED and SIF_INITDOMAIN, against the command line. */
static void check_flags(const struct start_info *si)
{
    unsigned long expected;
    unsigned int flags = si->flags & DOM0_FLAGS;

    if (cmdline_get_ulong(si->cmd_line, "expect-flags", &expected)) {
        CHECK_EQ(flags, expected);
        return;
    }
    printf("No expect-flags= option: only checking that SIF_PRIVILEGED "
           "and SIF_INITDOMAIN agree\n");
    CHECK(flags == 0 || flags == DOM0_FLAGS,
          "flags 0x%x: SIF_PRIVILEGED and SIF_INITDOMAIN disagree", si->flags);
}

/** xen_version: version, capabilities, page size. */
static void check_xen_version(void)
{
    /* Static: 1 KiB is a large bite of a 16 KiB stack. */
    static xen_capabilities_info_t caps;
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    long rc;

    CHECK(version > 0, "XENVER_version returned %ld", version);
    printf("Hypervisor version %ld.%ld\n", version >> 16, version & 0xffff);

    rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
    CHECK_EQ(rc, 0);
    caps[sizeof(caps) - 1] = '\0';
    printf("Capabilities: %s\n", caps);
    CHECK(strstr(caps, PV64_CAPABILITY), "capabilities \"%s\" lack \"%s\"",
          caps, PV64_CAPABILITY);

    CHECK_EQ(HYPERVISOR_xen_version(XENVER_pagesize, NULL), PAGE_SIZE);
}

void test_main(const struct start_info *si)
{
    printf("Hello from %s!\n", si->cmd_line[0] ? si->cmd_line : "a guest");
    start_info_print(si);
    check_image();
    check_start_info(si);
    check_p2m(si);
    check_flags(si);
    check_xen_version();
}
