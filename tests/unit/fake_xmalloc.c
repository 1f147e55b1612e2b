/*
 * fake_xmalloc.c: xmalloc() on the host's heap, for tests of code that
 * allocates small objects but is not about the allocator (that is
 * test_xmalloc's, on the real one).
 *
 * AddressSanitizer then checks every use: an object used after xfree(),
 * freed twice, or written past its end fails the test. xmalloc_stats()
 * counts the live objects, so a test can check that what was allocated
 * was freed.
 */
#include "unit.h"

#include <stddef.h>
#include <stdlib.h>

#include <hospes/xmalloc.h>

/** Objects allocated and not yet freed. */
static unsigned long live_objects;

void *_xmalloc(size_t size, size_t align)
{
    void *p;

    /* malloc() aligns for every basic type; nothing here asks for more. */
    unit_assert(align && align <= _Alignof(max_align_t),
                "xmalloc: alignment %zu", align);
    p = malloc(size);
    if (p)
        live_objects++;
    return p;
}

void *_xzalloc(size_t size, size_t align)
{
    void *p = _xmalloc(size, align);

    if (p)
        memset(p, 0, size);
    return p;
}

void xfree(void *p)
{
    if (!p)
        return;
    unit_assert(live_objects, "xfree(%p) with no object allocated", p);
    live_objects--;
    free(p);
}

struct xmalloc_stats xmalloc_stats(void)
{
    return (struct xmalloc_stats){ .objects = live_objects };
}
