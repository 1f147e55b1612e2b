/**
 * @file
 * @brief Lab 4 test guest: floods the console, to check that the
 *        hypervisor limits a guest's output and stays responsive.
 *
 * Prints FLOOD_LINES lines of exactly FLOOD_LINE_LEN characters as fast as
 * it can, never yielding. Each line starts with its number, so a reader
 * can tell which lines the hypervisor dropped.
 */
#include <guest/console.h>
#include <guest/string.h>
#include <guest/test.h>

/** Lines printed. */
#define FLOOD_LINES 3000
/** Characters per line, the newline not counted. */
#define FLOOD_LINE_LEN 80
/** Characters of the line's prefix, "flood NNNN ". */
#define FLOOD_PREFIX_LEN 11

void test_main(const struct start_info *si)
{
    char filler[FLOOD_LINE_LEN - FLOOD_PREFIX_LEN + 1];
    unsigned int i;

    (void)si;
    memset(filler, '=', sizeof(filler) - 1);
    filler[sizeof(filler) - 1] = '\0';
    for (i = 1; i <= FLOOD_LINES; i++)
        printf("flood %04u %s\n", i, filler);
    printf("flood: done\n");
}
