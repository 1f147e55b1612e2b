/**
 * @file
 * @brief The hypervisor's version, printed at boot (and, from lab 4,
 *        returned by the xen_version hypercall).
 */
#ifndef HOSPES_VERSION_H
#define HOSPES_VERSION_H

#define HOSPES_VERSION_MAJOR 0 /**< incompatible changes */
#define HOSPES_VERSION_MINOR 1 /**< each released lab set */
/** The version as text. */
#define HOSPES_VERSION                                                         \
    STRINGIFY(HOSPES_VERSION_MAJOR) "." STRINGIFY(HOSPES_VERSION_MINOR)

#endif /* HOSPES_VERSION_H */
