/**
 * @file
 * @brief The console_io hypercall: guests write to the hypervisor's
 *        console, line by line, each line marked with the domain's id and
 *        rate-limited so that no guest can drown the others.
 *
 * Lab 4 (labs/04-pv-domains/README.md). Design page: docs/pv-guests.md
 * (section "The console").
 *
 * Output is assembled per domain into lines and printed as "(dN) line",
 * as Xen does; the domain's vCPUs take turns (a lock per domain), so that
 * each hypercall's lines stay whole. Every domain but dom0 has a budget of bytes that refills
 * with time (a token bucket). A whole line is printed or dropped, never
 * a part of one, so what does get through is not garbled; dropped bytes
 * are counted, and the count is reported when output flows again, at
 * most once a second (the report is the hypervisor's own line: it must
 * not become a flood of its own).
 */
#include <hospes/domain.h>
#include <hospes/errno.h>
#include <hospes/hypercall.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <public/xen.h>

/** Bytes copied from the guest at a time. */
#define CHUNK 128
/** A domain may print this many bytes in a burst... */
#define CONSOLE_BURST 16384UL
/** ...and this many more each second. */
#define CONSOLE_RATE 8192UL

/** Time in which a domain earns a full burst back. */
#define CONSOLE_REFILL_TIME                                                    \
    ((s_time_t)(SECONDS(1) * CONSOLE_BURST / CONSOLE_RATE))

void guest_console_init(struct domain *d)
{
    d->console.lock = (spinlock_t)SPIN_LOCK_UNLOCKED("console");
    d->console.budget = CONSOLE_BURST;
    d->console.refill_at = NOW();
    d->console.reported_at = NOW() - SECONDS(1); /* may report at once */
}

/**
 * May @p d print @p n more bytes now? First give it what it has earned
 * since refill_at, in whole bytes (the fraction stays earned: refill_at
 * moves on by exactly the bytes' worth of time), up to a full burst.
 * dom0 is trusted with the console.
 */
static bool spend(struct domain *d, size_t n)
{
    struct guest_console *c = &d->console;
    s_time_t now = NOW(), elapsed = now - c->refill_at;
    unsigned long earned;

    if (d->is_privileged)
        return true;
    if (elapsed >= CONSOLE_REFILL_TIME) {
        c->budget = CONSOLE_BURST;
        c->refill_at = now;
    } else {
        earned = elapsed * CONSOLE_RATE / SECONDS(1);
        c->budget = min(c->budget + earned, CONSOLE_BURST);
        c->refill_at += earned * SECONDS(1) / CONSOLE_RATE;
    }
    if (c->budget < n)
        return false;
    c->budget -= n;
    return true;
}

/**
 * Report the output of @p d dropped since the last report, if any, and
 * if a second has passed since that report or @p now_or_never is set.
 */
static void report_dropped(struct domain *d, bool now_or_never)
{
    struct guest_console *c = &d->console;
    s_time_t now = NOW();

    if (!c->dropped || (!now_or_never && now - c->reported_at < SECONDS(1)))
        return;
    printk(LOG_WARNING "d%u: %lu bytes of console output dropped (rate "
                       "limit)\n",
           d->domain_id, c->dropped);
    c->dropped = 0;
    c->reported_at = now;
}

/** Print @p d's line, even an empty one, if its budget allows; empty it. */
static void emit_line(struct domain *d)
{
    struct guest_console *c = &d->console;

    if (spend(d, c->len + 1)) { /* the newline counts */
        report_dropped(d, false);
        guest_console_line(d->domain_id, c->line, c->len);
    } else {
        c->dropped += c->len + 1;
    }
    c->len = 0;
}

void guest_console_flush(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&d->console.lock);

    if (d->console.len)
        emit_line(d);
    report_dropped(d, true);
    spin_unlock_irqrestore(&d->console.lock, flags);
}

/** Add the @p n bytes at @p buf to @p d's console. */
static void console_put(struct domain *d, const char *buf, size_t n)
{
    struct guest_console *c = &d->console;
    size_t i;

    for (i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            emit_line(d);
            continue;
        }
        if (c->len == sizeof(c->line)) /* too long: split it */
            emit_line(d);
        if (buf[i] != '\r')
            c->line[c->len++] = buf[i];
    }
}

/** CONSOLEIO_write: @p count bytes from the guest's @p buf. */
static long console_write(guest_va_t buf, unsigned int count)
{
    struct domain *d = current->domain;
    unsigned long flags = spin_lock_irqsave(&d->console.lock);
    char chunk[CHUNK];
    long rc = 0;

    while (count && !rc) {
        unsigned int n = count < CHUNK ? count : CHUNK;

        rc = copy_from_guest(chunk, buf, n) ? -EFAULT : 0;
        if (!rc)
            console_put(d, chunk, n);
        buf += n;
        count -= n;
    }
    spin_unlock_irqrestore(&d->console.lock, flags);
    return rc;
}

long do_console_io(unsigned long cmd, unsigned long count, guest_va_t buf)
{
    switch ((unsigned int)cmd) {
    case CONSOLEIO_write:
        return console_write(buf, count);
    case CONSOLEIO_read: /* console input arrives with the toolstack */
        return current->domain->is_privileged ? 0 : -EPERM;
    default:
        return -ENOSYS;
    }
}
