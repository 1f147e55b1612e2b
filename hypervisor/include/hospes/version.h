/**
 * @file
 * @brief The hypervisor's version, printed at boot, and the Xen version
 *        it tells guests (xen_version, CPUID leaf 0x40000001).
 *
 * Guests check the Xen version to decide what they may use, so Hospes
 * reports the Xen release whose interface it follows, not its own
 * number; XENVER_extraversion says who is really answering.
 */
#ifndef HOSPES_VERSION_H
#define HOSPES_VERSION_H

#define HOSPES_VERSION_MAJOR 0 /**< incompatible changes */
#define HOSPES_VERSION_MINOR 1 /**< each released lab set */
/** The version as text. */
#define HOSPES_VERSION                                                         \
    STRINGIFY(HOSPES_VERSION_MAJOR) "." STRINGIFY(HOSPES_VERSION_MINOR)

/** @name The Xen interface Hospes follows: Xen 4.17's public headers */
/**@{*/
#define XEN_VERSION_MAJOR 4  /**< reported major version */
#define XEN_VERSION_MINOR 17 /**< reported minor version */
/** XENVER_extraversion: the rest of the version string. */
#define XEN_EXTRAVERSION ".0-hospes-" HOSPES_VERSION
/**@}*/

#endif /* HOSPES_VERSION_H */
