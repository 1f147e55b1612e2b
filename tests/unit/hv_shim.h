/*
 * hv_shim.h: what a hypervisor source needs to be compiled for the host.
 *
 * unit.mk force-includes this file, after hospes/compiler.h, into every
 * hypervisor source a unit test links (the way Xen's tools/tests harnesses
 * build xen/common files for the host). Tests never include it.
 *
 * It does two things:
 *
 * 1. compiler.h makes every symbol hidden, which suits the freestanding
 *    image but not a host program: a hidden reference to a function that
 *    lives in a shared library (libc, libcheck) cannot be linked. So we
 *    go back to the default visibility.
 *
 * 2. The hypervisor has no C library, so it defines functions that libc
 *    also defines. Two definitions of memset() in one program do not link,
 *    or worse, one silently replaces the other for libc itself. So every
 *    such name gets the prefix hv_ in the hypervisor's sources: string.c
 *    defines hv_memset(), and param.c calls it. The hypervisor code under
 *    test thus runs its own routines (checked by AddressSanitizer byte by
 *    byte), while the test code keeps libc's. A test that calls one of
 *    these functions names it hv_... (see test_vsnprintf.c).
 *
 * Add a name here when a later lab's hypervisor file defines another
 * function that libc has.
 *
 * What the sources need from outside the files a test links (printk(),
 * panic(), ...) comes from host.c; the machine the memory code runs on
 * (maddr_to_virt(), ...) from machine.c.
 */
#ifndef UNIT_HV_SHIM_H
#define UNIT_HV_SHIM_H

#pragma GCC visibility pop

/* common/vsnprintf.c */
#define vsnprintf hv_vsnprintf
#define snprintf  hv_snprintf

/* common/string.c */
#define memset  hv_memset
#define memcpy  hv_memcpy
#define memmove hv_memmove
#define memcmp  hv_memcmp
#define strlen  hv_strlen
#define strnlen hv_strnlen
#define strcmp  hv_strcmp
#define strncmp hv_strncmp
#define strchr  hv_strchr
#define strlcpy hv_strlcpy /* glibc has it since 2.38 */

#endif /* UNIT_HV_SHIM_H */
