/**
 * @file
 * @brief Error numbers used inside the hypervisor.
 *
 * Hypervisor functions return the same (negated) numbers as the guest ABI,
 * so an error can travel to a guest unchanged.
 */
#ifndef HOSPES_ERRNO_H
#define HOSPES_ERRNO_H

#include <public/errno.h>

#define EPERM  XEN_EPERM  /**< Operation not permitted. */
#define ENOENT XEN_ENOENT /**< No such entry. */
#define ENOMEM XEN_ENOMEM /**< Out of memory. */
#define EAGAIN XEN_EAGAIN /**< Try again. */
#define EFAULT XEN_EFAULT /**< Bad address. */
#define EEXIST XEN_EEXIST /**< Already exists. */
#define ENODEV XEN_ENODEV /**< No such device. */
#define ESRCH  XEN_ESRCH  /**< No such domain. */
#define EACCES XEN_EACCES /**< Permission denied. */
#define EBUSY  XEN_EBUSY  /**< Something is in the way. */
#define EINVAL XEN_EINVAL /**< Invalid argument. */
#define ENOSPC XEN_ENOSPC /**< No space left. */
#define ERANGE XEN_ERANGE /**< Result out of range. */
#define ENOSYS XEN_ENOSYS /**< Function not implemented. */
#define ETIME  XEN_ETIME  /**< The time asked for is past. */

#endif /* HOSPES_ERRNO_H */
