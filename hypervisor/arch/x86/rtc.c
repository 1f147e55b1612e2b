/**
 * @file
 * @brief The wall clock: the PC's CMOS real-time clock, read once at
 *        boot, as the date at system time 0.
 *
 * Lab 6 (labs/06-events-and-time/README.md). Design page: docs/events.md
 * (section "Time").
 *
 * The RTC keeps the date in a few CMOS registers, usually in BCD, and
 * updates them once a second; while it does (status A's UIP bit), they
 * may be half old, half new. So: wait for no update, read them all, and
 * read again until two readings agree. Guests get the result in
 * shared_info (wc_sec), and add system time to it; Hospes never sets the
 * clock, so it never needs to tell them of a change.
 */
#include <asm/io.h>
#include <hospes/printk.h>
#include <hospes/vtime.h>

#define CMOS_INDEX 0x70 /**< selects a register (bit 7 would mask NMIs) */
#define CMOS_DATA  0x71 /**< reads it */

/** @name RTC registers */
/**@{*/
#define RTC_SECONDS  0x00 /**< seconds, 0-59 */
#define RTC_MINUTES  0x02 /**< minutes, 0-59 */
#define RTC_HOURS    0x04 /**< hours: 0-23, or 1-12 with RTC_PM */
#define RTC_DAY      0x07 /**< day of the month, 1-31 */
#define RTC_MONTH    0x08 /**< month, 1-12 */
#define RTC_YEAR     0x09 /**< year within the century: two digits */
#define RTC_STATUS_A 0x0a /**< bit 7: an update is in progress */
#define RTC_STATUS_B 0x0b /**< bit 2: binary, not BCD; bit 1: 24-hour */
#define RTC_CENTURY  0x32 /**< two digits (QEMU, and the ACPI FADT's) */
/**@}*/

#define RTC_UIP    0x80 /**< status A: update in progress */
#define RTC_BINARY 0x04 /**< status B: values in binary */
#define RTC_24H    0x02 /**< status B: 24-hour clock */
#define RTC_PM     0x80 /**< hours, 12-hour clock: afternoon */

/** The date and time the RTC shows. */
struct rtc_time {
    unsigned int sec;   /**< 0-59 */
    unsigned int min;   /**< 0-59 */
    unsigned int hour;  /**< 0-23 */
    unsigned int day;   /**< 1-31 */
    unsigned int month; /**< 1-12 */
    unsigned int year;  /**< in full: 2026 */
};

/** CMOS register @p reg. */
static unsigned int cmos_read(unsigned int reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

/** Register @p reg as a number: from BCD unless status B says binary. */
static unsigned int rtc_value(unsigned int reg, unsigned int status_b)
{
    unsigned int v = cmos_read(reg) & (reg == RTC_HOURS ? 0x7f : 0xff);

    return status_b & RTC_BINARY ? v : (v >> 4) * 10 + (v & 0xf);
}

/** Read the RTC once, after any update in progress. */
static void rtc_read(struct rtc_time *t)
{
    unsigned int b = cmos_read(RTC_STATUS_B);

    while (cmos_read(RTC_STATUS_A) & RTC_UIP)
        ;
    t->sec = rtc_value(RTC_SECONDS, b);
    t->min = rtc_value(RTC_MINUTES, b);
    t->hour = rtc_value(RTC_HOURS, b);
    if (!(b & RTC_24H) && (cmos_read(RTC_HOURS) & RTC_PM))
        t->hour = t->hour % 12 + 12;
    else if (!(b & RTC_24H))
        t->hour %= 12;
    t->day = rtc_value(RTC_DAY, b);
    t->month = rtc_value(RTC_MONTH, b);
    t->year = rtc_value(RTC_CENTURY, b) * 100 + rtc_value(RTC_YEAR, b);
}

/** Days from 1970-01-01 to @p year-@p month-@p day (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned int year, unsigned int month,
                                 unsigned int day)
{
    /* Count years from March, so that February's leap day comes last. */
    uint64_t y = year - (month <= 2);
    uint64_t m = month <= 2 ? month + 9 : month - 3;

    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1 -
           719468; /* the same count for 1970-01-01 */
}

uint64_t arch_boot_wallclock_sec(void)
{
    static uint64_t at_boot;
    struct rtc_time a, b;

    if (at_boot)
        return at_boot;
    do { /* two equal readings: no update came between */
        rtc_read(&a);
        rtc_read(&b);
    } while (a.sec != b.sec || a.min != b.min || a.hour != b.hour ||
             a.day != b.day || a.month != b.month || a.year != b.year);
    at_boot = days_since_epoch(a.year, a.month, a.day) * 86400 + a.hour * 3600 +
              a.min * 60 + a.sec - NOW() / SECONDS(1);
    printk("Wall clock: %04u-%02u-%02u %02u:%02u:%02u UTC\n", a.year, a.month,
           a.day, a.hour, a.min, a.sec);
    return at_boot;
}
