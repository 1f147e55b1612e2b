/**
 * @file
 * @brief Address-to-name look-ups in the symbol table linked into the image.
 *
 * The table is generated at build time (see hospes/symbols.h): arrays of
 * function addresses, sorted, with their names. Design page: docs/boot.md.
 */
#include <hospes/symbols.h>

/** End of the hypervisor's code, from the linker script. */
extern const char _etext[];

/** Name of the @p i-th symbol. */
static const char *symbol_name(unsigned int i)
{
    return symbols_names + symbols_name_offsets[i];
}

bool symbols_lookup(unsigned long addr, struct symbol *sym)
{
    unsigned int lo = 0, hi = symbols_count;
    unsigned long next;

    sym->name = NULL;
    if (!symbols_count || addr < symbols_addresses[0] ||
        addr >= (unsigned long)_etext)
        return false;

    /* Binary search for the last symbol at or below addr. */
    while (hi - lo > 1) {
        unsigned int mid = lo + (hi - lo) / 2;

        if (symbols_addresses[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    next = lo + 1 < symbols_count ? symbols_addresses[lo + 1]
                                  : (unsigned long)_etext;
    sym->name = symbol_name(lo);
    sym->start = symbols_addresses[lo];
    sym->size = next - sym->start;
    return true;
}
