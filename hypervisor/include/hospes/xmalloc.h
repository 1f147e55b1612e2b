/**
 * @file
 * @brief xmalloc(): small objects for the hypervisor.
 *
 * Objects up to XMALLOC_MAX_SMALL bytes come from slabs: xenheap pages
 * cut into equal slots of a power-of-two size class. Larger objects get
 * whole xenheap pages. Each slab knows which of its slots are in use, so a
 * second xfree() of an object is caught and reported rather than
 * corrupting the slab; so is an xfree() of a pointer xmalloc() never
 * returned.
 * Lab 2 (labs/02-memory/README.md); design page docs/memory.md.
 */
#ifndef HOSPES_XMALLOC_H
#define HOSPES_XMALLOC_H

#include <hospes/types.h>

/** The largest size class served from slabs. */
#define XMALLOC_MAX_SMALL 2048

/**
 * @brief Allocate @p size bytes aligned to @p align (a power of two).
 * @return the memory, or NULL if there is none (or @p align is bad).
 */
void *_xmalloc(size_t size, size_t align);

/** @brief _xmalloc() and fill with zeros. */
void *_xzalloc(size_t size, size_t align);

/**
 * @brief Free what _xmalloc() returned. NULL is ignored. A pointer that
 *        is not an allocated object is reported and left alone.
 */
void xfree(void *p);

/** Allocate one object of @p type. */
#define xmalloc(type) ((type *)_xmalloc(sizeof(type), _Alignof(type)))
/** Allocate one zeroed object of @p type. */
#define xzalloc(type) ((type *)_xzalloc(sizeof(type), _Alignof(type)))
/** An array of @p n objects of @p type from allocator @p alloc (_xmalloc
 *  or _xzalloc); NULL if its size would overflow. */
#define _xalloc_array(alloc, type, n)                                          \
    ((n) > SIZE_MAX / sizeof(type)                                             \
         ? NULL                                                                \
         : (type *)alloc(sizeof(type) * (n), _Alignof(type)))
/** Allocate an array of @p n objects of @p type (NULL on overflow). */
#define xmalloc_array(type, n) _xalloc_array(_xmalloc, type, n)
/** Allocate a zeroed array of @p n objects of @p type (NULL on overflow). */
#define xzalloc_array(type, n) _xalloc_array(_xzalloc, type, n)

/** Objects in use and slab pages held, for the self-tests. */
struct xmalloc_stats {
    unsigned long objects; /**< live objects */
    unsigned long pages;   /**< xenheap pages held (slabs and large) */
};

/** @brief The current xmalloc_stats. */
struct xmalloc_stats xmalloc_stats(void);

#endif /* HOSPES_XMALLOC_H */
