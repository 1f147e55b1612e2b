/**
 * @file
 * @brief Debug keys: single keys typed on the serial console that make
 *        the hypervisor dump its state, as in Xen.
 *
 * A file registers a key where its state lives:
 *
 *     static void dump_heap_key(unsigned char key) { heap_dump(); }
 *     KEYHANDLER('m', dump_heap_key, "memory statistics");
 *
 * Lab 3 has h (help), d (CPUs' backtraces), t (timers), m (memory);
 * later labs add q (domains), r (run queues), e (event channels) and
 * g (grant tables). Design page: docs/cpus-and-time.md.
 */
#ifndef HOSPES_KEYHANDLER_H
#define HOSPES_KEYHANDLER_H

/** One debug key. */
struct keyhandler {
    unsigned char key;             /**< the key */
    void (*fn)(unsigned char key); /**< what it does */
    const char *desc;              /**< for the 'h' list */
};

/* The macro reads better aligned by hand than as clang-format has it. */
/* clang-format off */
/** Register @p fn_ as the handler of debug key @p key_. */
#define KEYHANDLER(key_, fn_, desc_)                                        \
    static const struct keyhandler __keyhandler_##fn_                       \
        __section("hospes_keyhandlers") __used __aligned(8) = {             \
            .key = (key_), .fn = (fn_), .desc = (desc_) }
/* clang-format on */

/** @brief Act on a key typed on the console. */
void handle_keypress(unsigned char key);

/** @brief Start polling the console for keys (on this CPU, by a timer). */
void keyhandler_init(void);

#endif /* HOSPES_KEYHANDLER_H */
