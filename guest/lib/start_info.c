/**
 * @file
 * @brief start_info_print(): what the domain builder gave this guest.
 */
#include <guest/console.h>
#include <guest/start_info.h>
#include <guest/string.h>

void start_info_print(const struct start_info *si)
{
    /* The magic is only NUL-terminated if the builder did it right. */
    char magic[sizeof(si->magic) + 1];

    memcpy(magic, si->magic, sizeof(si->magic));
    magic[sizeof(si->magic)] = '\0';

    printf("start_info at %p:\n", (const void *)si);
    printf("  magic        \"%s\"\n", magic);
    printf("  nr_pages     %lu\n", si->nr_pages);
    printf("  shared_info  0x%lx (machine address)\n", si->shared_info);
    printf("  flags        0x%x\n", si->flags);
    printf("  pt_base      0x%lx\n", si->pt_base);
    printf("  nr_pt_frames %lu\n", si->nr_pt_frames);
    printf("  mfn_list     0x%lx\n", si->mfn_list);
    printf("  mod_start    0x%lx\n", si->mod_start);
    printf("  mod_len      %lu\n", si->mod_len);
    printf("  cmd_line     \"%s\"\n", si->cmd_line);
}
