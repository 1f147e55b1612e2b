/**
 * @file
 * @brief Xen guest-ABI error numbers (x86-64).
 *
 * Hypercalls return these negated in RAX. The numbers are Xen's (see
 * Xen's xen/include/public/errno.h); the header text is our own.
 */
#ifndef XEN_PUBLIC_ERRNO_H
#define XEN_PUBLIC_ERRNO_H

#define XEN_EPERM  1  /**< Operation not permitted. */
#define XEN_ENOENT 2  /**< No such file or directory. */
#define XEN_ESRCH  3  /**< No such process (domain). */
#define XEN_EINTR  4  /**< Interrupted. */
#define XEN_EIO    5  /**< I/O error. */
#define XEN_EAGAIN 11 /**< Try again. */
#define XEN_ENOMEM 12 /**< Out of memory. */
#define XEN_EACCES 13 /**< Permission denied. */
#define XEN_EFAULT 14 /**< Bad address. */
#define XEN_EBUSY  16 /**< Device or resource busy. */
#define XEN_EEXIST 17 /**< Already exists. */
#define XEN_ENODEV 19 /**< No such device. */
#define XEN_EINVAL 22 /**< Invalid argument. */
#define XEN_ENOSPC 28 /**< No space left. */
#define XEN_ERANGE 34 /**< Result out of range. */
#define XEN_ENOSYS 38 /**< Function not implemented. */
#define XEN_ETIME  62 /**< Timer expired. */

#endif /* XEN_PUBLIC_ERRNO_H */
