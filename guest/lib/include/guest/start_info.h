/**
 * @file
 * @brief Showing what the domain builder gave the guest (guest/lib/start_info.c).
 */
#ifndef GUEST_START_INFO_H
#define GUEST_START_INFO_H

#include <public/xen.h>

/** @brief Print every field of @p si that lab 4 fills in, one per line. */
void start_info_print(const struct start_info *si);

#endif /* GUEST_START_INFO_H */
