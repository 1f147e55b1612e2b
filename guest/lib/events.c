/**
 * @file
 * @brief Guest runtime: event channels and time (see guest/events.h).
 *
 * entry.asm's event_entry is the callback the hypervisor enters; it saves
 * the registers like an exception entry and guest_trap() calls
 * event_upcall() here, which dispatches the pending ports.
 */
#include <public/callback.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/version.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/test.h>
#include <guest/traps.h>

/** Bits in a word of the bitmaps. */
#define BITS_PER_WORD 64

volatile struct shared_info *shared_info;
volatile unsigned long events_handled;

/** The page of the image shared_info is mapped over. */
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/** Each port's handler and its data. */
static struct {
    evtchn_handler_t fn; /**< NULL: the event is counted, nothing else */
    void *data;          /**< its argument */
} handlers[EVTCHN_2L_NR_CHANNELS];

/** entry.asm: the event callback. */
extern const char event_entry[];

/** vCPU 0's vcpu_info. */
static volatile struct vcpu_info *vcpu0(void)
{
    return &shared_info->vcpu_info[0];
}

void events_init(const struct start_info *si)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .address = (uintptr_t)event_entry,
    };
    long rc;

    rc = HYPERVISOR_update_va_mapping((uintptr_t)shared_info_page,
                                      si->shared_info | PTE_KERNEL_RW,
                                      UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        test_error("mapping shared_info: %ld", rc);
    shared_info = (volatile struct shared_info *)shared_info_page;
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        test_error("registering the event callback: %ld", rc);
}

/** Events on: if one waits, a hypercall's way back delivers it. */
void events_enable(void)
{
    vcpu0()->evtchn_upcall_mask = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vcpu0()->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, NULL);
}

void events_disable(void)
{
    vcpu0()->evtchn_upcall_mask = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *data)
{
    handlers[port].fn = fn;
    handlers[port].data = data;
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / BITS_PER_WORD],
                      1UL << (port % BITS_PER_WORD), __ATOMIC_SEQ_CST);
}

/** EVTCHNOP_@p cmd on just @p port. */
static long port_op(int cmd, evtchn_port_t port)
{
    struct evtchn_port_op op = { .port = port };

    return HYPERVISOR_event_channel_op(cmd, &op);
}

long evtchn_unmask(evtchn_port_t port)
{
    return port_op(EVTCHNOP_unmask, port);
}

long evtchn_send(evtchn_port_t port)
{
    return port_op(EVTCHNOP_send, port);
}

long evtchn_close(evtchn_port_t port)
{
    return port_op(EVTCHNOP_close, port);
}

long evtchn_alloc_unbound(domid_t remote)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

    return rc ? rc : a.port;
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote,
                                         .remote_port = remote_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

    return rc ? rc : b.local_port;
}

long evtchn_bind_virq(uint32_t virq)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

    return rc ? rc : b.port;
}

long evtchn_bind_ipi(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

    return rc ? rc : b.port;
}

void events_block(void)
{
    unsigned long before = events_handled;

    /* SCHEDOP_block unmasks events, and returns at once if one waits:
     * the event is handled on its way back. A wake-up for nothing (a
     * port with no event left) sends us back to sleep. */
    while (events_handled == before)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/** Handle the pending, unmasked ports of word @p w of the bitmap. */
static void handle_word(unsigned int w)
{
    xen_ulong_t ready;

    while ((ready = shared_info->evtchn_pending[w] &
                    ~shared_info->evtchn_mask[w])) {
        unsigned int bit = __builtin_ctzl(ready);
        evtchn_port_t port = w * BITS_PER_WORD + bit;

        __atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << bit),
                           __ATOMIC_SEQ_CST);
        events_handled++;
        if (handlers[port].fn)
            handlers[port].fn(port, handlers[port].data);
    }
}

/**
 * The event callback (guest_trap() calls it for event_entry's frames):
 * the two-level walk, until no word is flagged any more.
 */
void event_upcall(void)
{
    volatile struct vcpu_info *vi = vcpu0();
    xen_ulong_t sel;

    vi->evtchn_upcall_pending = 0;
    while ((sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
                                      __ATOMIC_SEQ_CST))) {
        while (sel) {
            handle_word(__builtin_ctzl(sel));
            sel &= sel - 1;
        }
    }
}

/** The TSC. */
static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

uint64_t guest_now(void)
{
    volatile struct vcpu_time_info *t = &vcpu0()->time;
    uint32_t version;
    uint64_t delta, ns;

    do { /* odd: the hypervisor is writing; changed: read again */
        version = t->version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        delta = rdtsc() - t->tsc_timestamp;
        delta =
            t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
        ns =
            t->system_time +
            (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((version & 1) || version != t->version);
    return ns;
}

uint64_t guest_wallclock(void)
{
    uint32_t version;
    uint64_t sec;

    do {
        version = shared_info->wc_version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        sec = (uint64_t)shared_info->wc_sec_hi << 32 | shared_info->wc_sec;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((version & 1) || version != shared_info->wc_version);
    return sec + guest_now() / 1000000000;
}
