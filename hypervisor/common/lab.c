/**
 * @file
 * @brief lab_todo(): the loud voice of an unfinished exercise.
 */
#include <hospes/lab.h>
#include <hospes/printk.h>

/** The handout folders, by lab number (labs/NN-name/README.md). */
static const char *const handouts[] = {
    [1] = "labs/01-boot/README.md",
    [2] = "labs/02-memory/README.md",
    [3] = "labs/03-traps-time-cpus/README.md",
    [4] = "labs/04-pv-domains/README.md",
    [5] = "labs/05-pv-memory/README.md",
    [6] = "labs/06-events-and-time/README.md",
    [7] = "labs/07-scheduling/README.md",
};

/** Bit e of said[l]: exercise e of lab l has spoken already. */
static unsigned long said[16];

void lab_todo(unsigned int lab, unsigned int exercise, const char *what)
{
    const char *handout =
        lab < ARRAY_SIZE(handouts) && handouts[lab] ? handouts[lab] : "labs/";
    unsigned long bit = 1UL << (exercise % 64);

    /* Once is loud enough: some stubs run thousands of times a boot. */
    if (lab < ARRAY_SIZE(said) &&
        (__atomic_fetch_or(&said[lab], bit, __ATOMIC_SEQ_CST) & bit))
        return;
    printk(LOG_ERR "*** LAB %u exercise %u: %s is not implemented yet "
                   "(see %s, exercise %u)\n",
           lab, exercise, what, handout, exercise);
}
