/**
 * @file
 * @brief struct domain: a virtual machine.
 *
 * Lab 2 needs only what memory accounting uses: who owns a frame and how
 * many frames a domain may have. Lab 4 adds vCPUs, the domain builder and
 * the rest of Xen's struct domain.
 */
#ifndef HOSPES_DOMAIN_H
#define HOSPES_DOMAIN_H

#include <hospes/mm.h>

/** A domain's identifier (Xen's domid_t). */
typedef uint16_t domid_t;

/** A virtual machine. */
struct domain {
    domid_t domain_id;               /**< its number: 0 is dom0 */
    unsigned long tot_pages;         /**< frames it owns now */
    unsigned long max_pages;         /**< frames it may own at most */
    struct page_list_head page_list; /**< the frames it owns */
};

#endif /* HOSPES_DOMAIN_H */
