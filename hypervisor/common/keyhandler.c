/**
 * @file
 * @brief Debug keys: polling the console, dispatching keys, and the keys
 *        of lab 3 (h, d, t, m).
 *
 * The console is polled by a timer rather than by its interrupt: one less
 * interrupt to route, and 50 polls a second is plenty for a human.
 * Design page: docs/cpus-and-time.md (section "Debug keys").
 */
#include <hospes/console.h>
#include <hospes/keyhandler.h>
#include <hospes/lib.h>
#include <hospes/mm.h>
#include <hospes/printk.h>
#include <hospes/smp.h>
#include <hospes/stacktrace.h>
#include <hospes/timer.h>
#include <hospes/xmalloc.h>

#define POLL_MS 20 /**< how often the console is polled for keys */

/** The first registered key, from the linker. */
extern const struct keyhandler __start_hospes_keyhandlers[];
/** One past the last registered key. */
extern const struct keyhandler __stop_hospes_keyhandlers[];

/** The polling timer. */
static struct timer poll_timer;

void handle_keypress(unsigned char key)
{
    const struct keyhandler *k;

    for (k = __start_hospes_keyhandlers; k < __stop_hospes_keyhandlers; k++)
        if (k->key == key) {
            printk("'%c' pressed -> %s\n", key, k->desc);
            k->fn(key);
            return;
        }
    printk("'%c' is not a debug key ('h' lists them)\n",
           key >= ' ' && key < 0x7f ? key : '?');
}

/** The poll timer: take every key waiting, then look again later. */
static void poll_console(void *unused)
{
    int c;

    (void)unused;
    while ((c = console_getc()) >= 0)
        handle_keypress(c);
    set_timer(&poll_timer, NOW() + MILLISECS(POLL_MS));
}

void keyhandler_init(void)
{
    init_timer(&poll_timer, poll_console, NULL, smp_processor_id());
    set_timer(&poll_timer, NOW() + MILLISECS(POLL_MS));
}

/** 'h': list the keys. */
static void show_keys(unsigned char key)
{
    const struct keyhandler *k;

    (void)key;
    for (k = __start_hospes_keyhandlers; k < __stop_hospes_keyhandlers; k++)
        printk("  '%c'  %s\n", k->key, k->desc);
}
KEYHANDLER('h', show_keys, "list the debug keys");

/** Run @p fn on each online CPU in turn, so their output does not mix. */
static void each_cpu(void (*fn)(void *))
{
    unsigned int cpu;

    for (cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online_mask() & (1UL << cpu))
            on_selected_cpus(1UL << cpu, fn, NULL);
}

/** On one CPU: say which, and how it got where it is. */
static void dump_this_cpu(void *unused)
{
    (void)unused;
    printk("CPU %u:\n", smp_processor_id());
    show_backtrace(__builtin_frame_address(0));
}

/** 'd': every CPU's backtrace. */
static void dump_cpus(unsigned char key)
{
    (void)key;
    each_cpu(dump_this_cpu);
}
KEYHANDLER('d', dump_cpus, "dump every CPU's backtrace");

/** On one CPU: its timers. */
static void dump_timers_here(void *unused)
{
    (void)unused;
    dump_timers();
}

/** 't': every CPU's timers. */
static void dump_all_timers(unsigned char key)
{
    (void)key;
    each_cpu(dump_timers_here);
}
KEYHANDLER('t', dump_all_timers, "dump every CPU's timers");

/** 'm': the heap and xmalloc. */
static void dump_memory(unsigned char key)
{
    struct xmalloc_stats x = xmalloc_stats();

    (void)key;
    mem_report();
    heap_dump();
    printk("xmalloc: %lu objects in %lu pages\n", x.objects, x.pages);
}
KEYHANDLER('m', dump_memory, "memory statistics");
