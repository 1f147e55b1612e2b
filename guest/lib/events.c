/**
 * @file
 * @brief Guest runtime: event channels and time (see guest/events.h).
 *
 * entry.asm's event_entry is the callback the hypervisor enters; it saves
 * the registers like an exception entry and guest_trap() calls
 * event_upcall() here, which dispatches the pending ports.
 *
 * Per vCPU (lab 7): each vCPU has its own vcpu_info (its event mask, its
 * pending words, its clock), so every function here uses the calling
 * vCPU's, found by smp_processor_id(). The ports and their bitmaps are
 * the domain's, shared by all vCPUs: a pending bit is taken with an
 * atomic test-and-clear, so that two vCPUs in their upcalls at once never
 * both handle the same event.
 */
#include <public/callback.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/version.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/layout.h>
#include <guest/pagetable.h>
#include <guest/smp.h>
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

_Static_assert(SMP_MAX_VCPUS <= XEN_LEGACY_MAX_VCPUS,
               "every vCPU starts with a vcpu_info in shared_info");

/**
 * Each vCPU's vcpu_info: shared_info's, or where events_register_vcpu_info()
 * moved it. The hypervisor reads and writes only the one it was last
 * told of, so every look at a vCPU's bits and time goes through here.
 */
static volatile struct vcpu_info *vcpu_infos[SMP_MAX_VCPUS];

/** The calling vCPU's vcpu_info. */
static volatile struct vcpu_info *this_vcpu_info(void)
{
    return vcpu_infos[smp_processor_id()];
}

void events_init(const struct start_info *si)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .address = (uintptr_t)event_entry,
    };
    unsigned int id;
    long rc;

    rc = HYPERVISOR_update_va_mapping((uintptr_t)shared_info_page,
                                      si->shared_info | PTE_KERNEL_RW,
                                      UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        test_error("mapping shared_info: %ld", rc);
    shared_info = (volatile struct shared_info *)shared_info_page;
    for (id = 0; id < SMP_MAX_VCPUS; id++)
        vcpu_infos[id] = &shared_info->vcpu_info[id];
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        test_error("registering the event callback: %ld", rc);
}

/** Events on: if one waits, a hypercall's way back delivers it. */
void events_enable(void)
{
    volatile struct vcpu_info *vi = this_vcpu_info();

    vi->evtchn_upcall_mask = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (vi->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, NULL);
}

void events_disable(void)
{
    this_vcpu_info()->evtchn_upcall_mask = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

long events_register_vcpu_info(volatile struct vcpu_info *where)
{
    uintptr_t va = (uintptr_t)where;
    const uint64_t *pte = pt_lookup(va, 1);
    unsigned int id = smp_processor_id();
    bool enabled = !vcpu_infos[id]->evtchn_upcall_mask;
    struct vcpu_register_vcpu_info r = { .offset = va & (PAGE_SIZE - 1) };
    long rc;

    if (!pte || !(*pte & _PAGE_PRESENT))
        return -XEN_EFAULT;
    r.mfn = pte_mfn(*pte);
    /* From the hypercall's way back on, the hypervisor delivers through
     * the new copy: with events on, it could enter the callback before
     * vcpu_info points there. The copy keeps the mask; lift it once we
     * follow (the copy asks for a look at every word). */
    events_disable();
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, id, &r);
    if (!rc)
        vcpu_infos[id] = where;
    if (enabled)
        events_enable();
    return rc;
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
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = smp_processor_id() };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

    return rc ? rc : b.port;
}

long evtchn_bind_ipi(void)
{
    struct evtchn_bind_ipi b = { .vcpu = smp_processor_id() };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

    return rc ? rc : b.port;
}

long evtchn_bind_vcpu(evtchn_port_t port, unsigned int vcpu)
{
    struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

    return HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &b);
}

long evtchn_bind_interdomain_retry(domid_t remote, evtchn_port_t remote_port)
{
    long port = -XEN_EINVAL;
    unsigned int tries;

    for (tries = 0; tries < EVTCHN_BIND_TRIES && port == -XEN_EINVAL; tries++) {
        port = evtchn_bind_interdomain(remote, remote_port);
        if (port == -XEN_EINVAL)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return port;
}

long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    struct evtchn_status s = { .dom = dom, .port = port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &s);

    if (st)
        *st = s;
    return rc ? rc : s.status;
}

/** Bit @p port of shared_info's bitmap @p map (evtchn_pending, _mask). */
static bool port_bit(const volatile xen_ulong_t *map, evtchn_port_t port)
{
    return (map[port / BITS_PER_WORD] >> (port % BITS_PER_WORD)) & 1;
}

bool evtchn_is_pending(evtchn_port_t port)
{
    return port_bit(shared_info->evtchn_pending, port);
}

bool evtchn_is_masked(evtchn_port_t port)
{
    return port_bit(shared_info->evtchn_mask, port);
}

long evtchn_poll(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll poll = { .ports = &port,
                               .nr_ports = 1,
                               .timeout = timeout };

    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

void evtchn_count_event(evtchn_port_t port, void *counter)
{
    (void)port;
    /* Atomic: ports bound to different vCPUs may share a counter. */
    __atomic_fetch_add((volatile unsigned long *)counter, 1, __ATOMIC_SEQ_CST);
}

void events_wait(const volatile unsigned long *count, unsigned long n)
{
    /* Events stay off from the look at *count to the block: one handled
     * in between would leave us asleep, waiting for the next, which may
     * never come. SCHEDOP_block turns them on and sleeps in one step, and
     * returns at once if one waits: it has been handled by the time the
     * hypercall returns. A wake-up may bring no event for *count (another
     * port's, or one already handled): look again. */
    events_disable();
    while (*count < n) {
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        events_disable();
    }
    events_enable();
}

/** Handle the pending, unmasked ports of word @p w of the bitmap. */
static void handle_word(unsigned int w)
{
    xen_ulong_t ready;

    while ((ready = shared_info->evtchn_pending[w] &
                    ~shared_info->evtchn_mask[w])) {
        unsigned int bit = __builtin_ctzl(ready);
        evtchn_port_t port = w * BITS_PER_WORD + bit;
        xen_ulong_t was = __atomic_fetch_and(&shared_info->evtchn_pending[w],
                                             ~(1UL << bit), __ATOMIC_SEQ_CST);

        if (!(was & (1UL << bit)))
            continue; /* another vCPU took it first */
        __atomic_fetch_add(&events_handled, 1, __ATOMIC_SEQ_CST);
        if (handlers[port].fn)
            handlers[port].fn(port, handlers[port].data);
    }
}

/**
 * The event callback (guest_trap() calls it for event_entry's frames):
 * the two-level walk of the calling vCPU's words, until none is flagged
 * any more.
 */
void event_upcall(void)
{
    volatile struct vcpu_info *vi = this_vcpu_info();
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

uint64_t guest_now(void)
{
    volatile struct vcpu_time_info *t = &this_vcpu_info()->time;
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
