/**
 * @file
 * @brief Time on x86: the TSC and the local APIC timer, calibrated
 *        against the PIT; system time; the one-shot timer interrupt.
 *
 * Lab 3, exercise 2 (labs/03-traps-time-cpus/README.md):
 * calibrate_against_pit(). Design page: docs/cpus-and-time.md.
 *
 * Neither the TSC nor the APIC timer says how fast it runs. The PIT
 * (Intel 8254) does: its input clock is 1.193182 MHz on every PC. So we
 * let the PIT count down a known interval and see how far the TSC and the
 * APIC timer went meanwhile. System time is then the TSC since boot
 * scaled to nanoseconds, and a timer interrupt is the APIC timer's count
 * for the time left.
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <hospes/lab.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/selftest.h>
#include <hospes/softirq.h>
#include <hospes/time.h>
#include <hospes/vtime.h>

#define PIT_HZ          1193182 /**< the PIT's input clock */
#define PIT_CH2_DATA    0x42    /**< channel 2's counter */
#define PIT_MODE        0x43    /**< mode/command register */
#define PIT_CH2_ONESHOT 0xb0    /**< channel 2, lo/hi byte, mode 0 */
#define PORT_B          0x61    /**< channel 2's gate (bit 0), output (5) */
#define PORT_B_GATE     0x01    /**< let channel 2 count */
#define PORT_B_SPEAKER  0x02    /**< the speaker: keep it quiet */
#define PORT_B_OUT2     0x20    /**< channel 2's output: high at 0 */
#define CALIBRATE_MS    50      /**< the interval, fits the 16-bit count */

/** What calibration found, and system time's origin. */
static struct {
    unsigned long tsc_khz;  /**< TSC ticks per millisecond */
    unsigned long apic_khz; /**< APIC timer ticks per millisecond */
    uint64_t tsc_at_zero;   /**< the TSC when system time was 0 */
    uint64_t ns_per_tsc;    /**< nanoseconds per TSC tick, << 32 */
    uint64_t apic_per_ns;   /**< APIC ticks per nanosecond, << 32 */
} t;

uint64_t get_cycles(void)
{
    return rdtsc();
}

/** (@p a * @p b) >> 32, without losing the top bits. */
static uint64_t mul_frac(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 32);
}

/** Start PIT channel 2 counting down @p ms milliseconds, once. */
static void pit_start(unsigned int ms)
{
    unsigned int count = (PIT_HZ * ms + 500) / 1000; /* rounded */

    outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE);
    outb(PIT_MODE, PIT_CH2_ONESHOT);
    outb(PIT_CH2_DATA, count & 0xff);
    outb(PIT_CH2_DATA, count >> 8); /* the count starts now */
}

/** Wait until the count pit_start() began has run out. */
static void pit_wait(void)
{
    while (!(inb(PORT_B) & PORT_B_OUT2))
        ;
}

/**
 * Measure the TSC and the APIC timer against CALIBRATE_MS of the PIT.
 *
 * Start the APIC timer counting down from 0xffffffff (APIC_TMICT; it is
 * masked, so it interrupts nobody) and the PIT with pit_start(); read the
 * TSC (rdtsc()) and the APIC's current count (APIC_TMCCT); pit_wait();
 * read both again. The TSC counts up, the APIC timer down. Store ticks
 * per millisecond in t.tsc_khz and t.apic_khz, then stop the APIC timer
 * (an initial count of 0).
 */
static void calibrate_against_pit(void)
{
    // LAB 3 BEGIN exercise 2: calibrate_against_pit()
    uint64_t tsc_start;
    uint32_t apic_start;

    apic_write(APIC_TMICT, 0xffffffff);
    pit_start(CALIBRATE_MS);
    tsc_start = rdtsc();
    apic_start = apic_read(APIC_TMCCT);
    pit_wait();
    t.tsc_khz = (rdtsc() - tsc_start) / CALIBRATE_MS;
    t.apic_khz = (apic_start - apic_read(APIC_TMCCT)) / CALIBRATE_MS;
    apic_write(APIC_TMICT, 0);
    // LAB 3 STUB
    // lab_todo(3, 2, "calibrate_against_pit()");
    // (void)pit_start;
    // (void)pit_wait;
    // t.tsc_khz = t.apic_khz = 0;
    // LAB 3 END
}

void time_init(void)
{
    calibrate_against_pit();
    if (!t.tsc_khz || !t.apic_khz) {
        /* Keep time running, wrongly but visibly: 1 GHz guesses. */
        printk(LOG_ERR "time: calibration failed; guessing 1 GHz\n");
        t.tsc_khz = t.apic_khz = 1000000;
    }
    t.ns_per_tsc = (1000000UL << 32) / t.tsc_khz;
    t.apic_per_ns = (t.apic_khz << 32) / 1000000;
    t.tsc_at_zero = rdtsc();
    printk("Time: TSC %lu kHz, APIC timer %lu kHz (over %u ms of the PIT)\n",
           t.tsc_khz, t.apic_khz, CALIBRATE_MS);
}

s_time_t NOW(void)
{
    return mul_frac(rdtsc() - t.tsc_at_zero, t.ns_per_tsc);
}

void reprogram_timer(s_time_t deadline)
{
    s_time_t left;
    uint64_t ticks;

    if (!deadline) {
        apic_write(APIC_TMICT, 0); /* stops the timer */
        return;
    }
    left = deadline - NOW();
    ticks = left > 0 ? mul_frac(left, t.apic_per_ns) : 0;
    apic_write(APIC_LVT_TMR, TIMER_VECTOR); /* one-shot, unmasked */
    apic_write(APIC_TMICT, (uint32_t)min(max(ticks, 1UL), 0xffffffffUL));
}

void apic_timer_interrupt(void)
{
    apic_write(APIC_EOI, 0);
    raise_softirq(TIMER_SOFTIRQ);
}

#define CHECK_MS      20 /**< the time self-test's interval of the PIT */
#define TOLERANCE_PCT 5  /**< how far off system time may be, in percent */

/**
 * Lab 3 exercise 2: system time keeps step with the PIT, and never goes
 * backwards.
 */
static int selftest_time(void)
{
    s_time_t start, took, last = NOW(), now;
    long error_pct;
    unsigned int i;
    int bad = 0;

    for (i = 0; i < 100000; i++, last = now)
        if ((now = NOW()) < last) {
            printk(LOG_ERR "time check: NOW() went back by %ld ns\n",
                   last - now);
            bad++;
            break;
        }
    pit_start(CHECK_MS);
    start = NOW();
    pit_wait();
    took = NOW() - start;
    error_pct = (took - MILLISECS(CHECK_MS)) * 100 / MILLISECS(CHECK_MS);
    printk("time check: %u ms of the PIT took %ld ns of system time "
           "(%s%ld%%)\n",
           CHECK_MS, took, error_pct < 0 ? "" : "+", error_pct);
    if (error_pct < -TOLERANCE_PCT || error_pct > TOLERANCE_PCT) {
        printk(LOG_ERR "time check: more than %d%% off\n", TOLERANCE_PCT);
        bad++;
    }
    return bad;
}
SELFTEST("time", selftest_time);

void arch_vcpu_time_scale(struct vcpu_time_info *ti)
{
    uint64_t mul = t.ns_per_tsc;
    int shift = 0;

    /* The guest computes ((tsc - tsc_timestamp) << shift) * mul >> 32
     * with a 32-bit mul: halve ns_per_tsc until it fits. */
    while (mul >> 32) {
        mul >>= 1;
        shift++;
    }
    ti->tsc_timestamp = t.tsc_at_zero; /* system time is 0 there... */
    ti->system_time = 0;               /* ...and one line from there on */
    ti->tsc_to_system_mul = (uint32_t)mul;
    ti->tsc_shift = (int8_t)shift;
}
