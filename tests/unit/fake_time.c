/*
 * fake_time.c: a clock the test moves by hand, and the one-shot timer
 * interrupt behind it (see fake_time.h).
 */
#include "unit.h"

#include <hospes/smp.h>
#include <hospes/softirq.h>

#include "fake_time.h"

/**
 * Interrupts at one time that make a storm: the timer code programs a
 * deadline that has passed, again and again, and fires nothing. On a real
 * machine the CPU would do nothing else; here the test would hang.
 */
#define STORM 10000

static struct {
    s_time_t now;       /**< what NOW() reads */
    s_time_t deadline;  /**< last programmed; 0: none */
    bool armed;         /**< the one-shot interrupt has yet to come */
    unsigned int storm; /**< interrupts since the clock last moved */
} fake;

/** The interrupt comes if it is armed and due; it is one-shot. */
static void deliver_if_due(void)
{
    if (fake.armed && fake.deadline <= fake.now) {
        fake.armed = false;
        unit_assert(++fake.storm < STORM,
                    "interrupt storm: %u timer interrupts at %ld ns, for a "
                    "deadline of %ld ns",
                    fake.storm, fake.now, fake.deadline);
        raise_softirq(TIMER_SOFTIRQ);
    }
}

void fake_time_reset(s_time_t now)
{
    fake = (typeof(fake)){ .now = now };
}

void fake_time_set(s_time_t now)
{
    ck_assert_msg(now >= fake.now, "the test moved the clock back");
    if (now != fake.now)
        fake.storm = 0;
    fake.now = now;
    deliver_if_due();
}

s_time_t fake_time_deadline(void)
{
    return fake.deadline;
}

s_time_t NOW(void)
{
    return fake.now;
}

void reprogram_timer(s_time_t deadline)
{
    fake.deadline = deadline;
    fake.armed = deadline != 0;
    deliver_if_due();
}

/*
 * The event-check IPI wakes a CPU to run the softirqs raised for it
 * (raise_softirq_cpu()). The test plays each CPU in turn (fake_cpu_set())
 * and runs a CPU's softirqs itself when it plays it: nothing to wake.
 */
void smp_send_event_check(unsigned int cpu)
{
    ck_assert_uint_lt(cpu, NR_CPUS);
}
