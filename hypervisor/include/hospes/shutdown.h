/**
 * @file
 * @brief Ending the hypervisor: power off, reboot, halt.
 *
 * Under QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, powering
 * off exits QEMU with a status that says whether the run succeeded, which
 * is how the grader and the tests learn the verdict.
 */
#ifndef HOSPES_SHUTDOWN_H
#define HOSPES_SHUTDOWN_H

#include <hospes/types.h>

/** The verdicts a hypervisor run can end with. */
enum shutdown_verdict {
    SHUTDOWN_SUCCESS, /**< everything asked of this run worked. */
    SHUTDOWN_FAILURE, /**< a self-test failed, or we panicked. */
};

/**
 * @brief Stop the machine with a verdict.
 *
 * Tells QEMU's isa-debug-exit device the verdict (if the device is absent
 * the write goes nowhere), then halts or reboots: after a failure the
 * machine reboots unless the `noreboot` option was given; after success it
 * halts.
 */
void __noreturn machine_shutdown(enum shutdown_verdict verdict);

/** @brief Stop this CPU for good, with interrupts off. */
void __noreturn machine_halt(void);

#endif /* HOSPES_SHUTDOWN_H */
