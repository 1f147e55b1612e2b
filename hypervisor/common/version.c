/**
 * @file
 * @brief The xen_version hypercall: which Xen interface this is, and
 *        what it offers.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md.
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/version.h>
#include <public/version.h>

/** What XENVER_capabilities lists: 64-bit PV guests. */
#define CAPABILITIES "xen-3.0-x86_64"

/** Copy the string @p s, NUL-padded, into a guest buffer of @p size. */
static long copy_string(guest_va_t arg, const char *s, size_t size)
{
    char buf[sizeof(xen_capabilities_info_t)] = { 0 };

    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

/** XENVER_get_features: word 0 is the only one with bits in it. */
static long get_features(guest_va_t arg)
{
    struct xen_feature_info fi;

    if (copy_from_guest(&fi, arg, sizeof(fi)))
        return -EFAULT;
    if (fi.submap_idx != 0)
        return -EINVAL;
    fi.submap = current->domain->is_privileged ? 1U << XENFEAT_dom0 : 0;
    return copy_to_guest(arg, &fi, sizeof(fi));
}

/** XENVER_compile_info: how this hypervisor was built. */
static long compile_info(guest_va_t arg)
{
    struct xen_compile_info ci = { 0 };

    strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
    strlcpy(ci.compile_by, "hospes", sizeof(ci.compile_by));
    strlcpy(ci.compile_date, __DATE__, sizeof(ci.compile_date));
    return copy_to_guest(arg, &ci, sizeof(ci));
}

long do_xen_version(unsigned long cmd, guest_va_t arg)
{
    struct xen_platform_parameters pp = { HYPERVISOR_VIRT_START };

    switch ((unsigned int)cmd) {
    case XENVER_version:
        return XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR;
    case XENVER_extraversion:
        return copy_string(arg, XEN_EXTRAVERSION, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return compile_info(arg);
    case XENVER_capabilities:
        return copy_string(arg, CAPABILITIES, sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string(arg, "hospes " HOSPES_VERSION,
                           sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters:
        return copy_to_guest(arg, &pp, sizeof(pp));
    case XENVER_get_features:
        return get_features(arg);
    case XENVER_pagesize:
        return PAGE_SIZE;
    default:
        return -ENOSYS;
    }
}
