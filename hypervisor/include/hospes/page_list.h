/**
 * @file
 * @brief Lists of frames linked through their struct page_info.
 *
 * The links are frame numbers rather than pointers, which keeps
 * struct page_info at 32 bytes (Xen does the same). A frame is on at most
 * one list at a time: a free list of the heap, or its owner's page list.
 */
#ifndef HOSPES_PAGE_LIST_H
#define HOSPES_PAGE_LIST_H

#include <hospes/mm.h>

/** @brief The frame a link names, or NULL at the end of the list. */
static inline struct page_info *page_list_at(uint32_t link)
{
    return link == PAGE_LIST_NULL ? NULL : mfn_to_page(_mfn(link));
}

/** @brief Is @p head empty? */
static inline bool page_list_empty(const struct page_list_head *head)
{
    return head->head == PAGE_LIST_NULL;
}

/** @brief The first frame of @p head, or NULL. */
static inline struct page_info *
page_list_first(const struct page_list_head *head)
{
    return page_list_at(head->head);
}

/** @brief The frame after @p pg in its list, or NULL. */
static inline struct page_info *page_list_next(const struct page_info *pg)
{
    return page_list_at(pg->list.next);
}

/** @brief Put @p pg at the front of @p head. */
static inline void page_list_add(struct page_info *pg,
                                 struct page_list_head *head)
{
    uint32_t m = mfn_x(page_to_mfn(pg));

    pg->list.prev = PAGE_LIST_NULL;
    pg->list.next = head->head;
    if (head->head == PAGE_LIST_NULL)
        head->tail = m;
    else
        mfn_to_page(_mfn(head->head))->list.prev = m;
    head->head = m;
}

/** @brief Take @p pg out of @p head, wherever it is in it. */
static inline void page_list_del(struct page_info *pg,
                                 struct page_list_head *head)
{
    if (pg->list.prev == PAGE_LIST_NULL)
        head->head = pg->list.next;
    else
        mfn_to_page(_mfn(pg->list.prev))->list.next = pg->list.next;
    if (pg->list.next == PAGE_LIST_NULL)
        head->tail = pg->list.prev;
    else
        mfn_to_page(_mfn(pg->list.next))->list.prev = pg->list.prev;
    pg->list.next = pg->list.prev = PAGE_LIST_NULL;
}

#endif /* HOSPES_PAGE_LIST_H */
