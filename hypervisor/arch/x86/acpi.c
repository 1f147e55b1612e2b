/**
 * @file
 * @brief Finding the CPUs: the ACPI MADT's list of local APICs.
 *
 * Lab 3 (labs/03-traps-time-cpus/README.md). Design page:
 * docs/cpus-and-time.md (section "Starting the other CPUs").
 *
 * The firmware describes the machine in ACPI tables. The root pointer
 * ("RSD PTR ") lies on a 16-byte boundary in the first KiB of the EBDA or
 * in the BIOS area 0xe0000-0xfffff; it leads to the RSDT, a list of
 * tables, one of which is the MADT ("APIC"): one entry per local APIC,
 * that is per CPU. The tables sit in memory the direct map leaves out, so
 * this runs while the boot page tables still map the first 4 GiB.
 * Reference: the ACPI Specification 6.4, sections 5.2.5 to 5.2.12.
 */
#include <asm/layout.h>
#include <hospes/lib.h>
#include <hospes/printk.h>
#include <hospes/smp.h>

#include "setup.h"

#define EBDA_SEGMENT_PTR 0x40e     /**< BIOS data area: the EBDA's segment */
#define BIOS_AREA_START  0xe0000   /**< where else the RSDP may be, from */
#define BIOS_AREA_END    0x100000  /**< ... up to here */
#define MADT_LOCAL_APIC  0         /**< MADT entry type: a CPU */
#define MADT_ENABLED     (1u << 0) /**< the CPU can be used */

/** The root system description pointer (ACPI 1.0 part). */
struct __packed acpi_rsdp {
    char signature[8]; /**< "RSD PTR " */
    uint8_t checksum;  /**< the 20 bytes sum to 0 */
    char oem_id[6];    /**< the firmware's maker */
    uint8_t revision;  /**< 0 for ACPI 1.0 */
    uint32_t rsdt;     /**< physical address of the RSDT */
};

/** The header every ACPI table starts with. */
struct __packed acpi_header {
    char signature[4]; /**< "RSDT", "APIC", ... */
    uint32_t length;   /**< of the whole table, header included */
    uint8_t revision;  /**< table revision */
    uint8_t checksum;  /**< the whole table sums to 0 */
    char oem[26];      /**< OEM and creator ids */
};

/** The MADT: the header, then entries of varying length. */
struct __packed acpi_madt {
    struct acpi_header h; /**< signature "APIC" */
    uint32_t lapic_addr;  /**< the local APICs' address */
    uint32_t flags;       /**< bit 0: 8259s present */
};

/** A MADT entry of type MADT_LOCAL_APIC. */
struct __packed madt_local_apic {
    uint8_t type;    /**< MADT_LOCAL_APIC */
    uint8_t length;  /**< 8 */
    uint8_t acpi_id; /**< the processor's ACPI id */
    uint8_t apic_id; /**< its local APIC's id */
    uint32_t flags;  /**< MADT_ENABLED */
};

/** Do @p len bytes at @p p sum to 0 (mod 256)? */
static bool checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return !sum;
}

/** Look for the RSDP in [start, end). @return it, or NULL */
static const struct acpi_rsdp *scan_rsdp(paddr_t start, paddr_t end)
{
    for (; start + sizeof(struct acpi_rsdp) <= end; start += 16) {
        const struct acpi_rsdp *r = __va(start);

        if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, sizeof(*r)))
            return r;
    }
    return NULL;
}

/** The MADT, or NULL if there is none. */
static const struct acpi_madt *find_madt(void)
{
    paddr_t ebda = (paddr_t) * (const uint16_t *)__va(EBDA_SEGMENT_PTR) << 4;
    const struct acpi_rsdp *rsdp = scan_rsdp(ebda, ebda + 1024);
    const struct acpi_header *rsdt;
    unsigned int i, n;

    if (!rsdp)
        rsdp = scan_rsdp(BIOS_AREA_START, BIOS_AREA_END);
    if (!rsdp)
        return NULL;
    rsdt = __va(rsdp->rsdt);
    if (memcmp(rsdt->signature, "RSDT", 4) || !checksum_ok(rsdt, rsdt->length))
        return NULL;
    n = (rsdt->length - sizeof(*rsdt)) / sizeof(uint32_t);
    for (i = 0; i < n; i++) {
        const uint32_t *entries = (const uint32_t *)(rsdt + 1);
        const struct acpi_header *t = __va(entries[i]);

        if (!memcmp(t->signature, "APIC", 4) && checksum_ok(t, t->length))
            return (const struct acpi_madt *)t;
    }
    return NULL;
}

/** The CPUs' local APIC ids, as the MADT lists them. */
static struct {
    uint8_t apic_ids[NR_CPUS]; /**< the ids */
    unsigned int n;            /**< how many */
} cpus;

void acpi_init(void)
{
    const struct acpi_madt *madt = find_madt();
    const uint8_t *p, *end;

    if (!madt) {
        printk(LOG_WARNING "ACPI: no MADT; only the boot CPU will run\n");
        return;
    }
    p = (const uint8_t *)(madt + 1);
    end = (const uint8_t *)madt + madt->h.length;
    for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
        const struct madt_local_apic *e = (const void *)p;

        if (e->type != MADT_LOCAL_APIC || !(e->flags & MADT_ENABLED))
            continue;
        if (cpus.n == NR_CPUS) {
            printk(LOG_WARNING "ACPI: more than %u CPUs; the rest unused\n",
                   NR_CPUS);
            break;
        }
        cpus.apic_ids[cpus.n++] = e->apic_id;
    }
    printk("ACPI: %u CPUs in the MADT\n", cpus.n);
}

unsigned int acpi_cpus(uint8_t *apic_ids, unsigned int max)
{
    unsigned int n = min(cpus.n, max);

    memcpy(apic_ids, cpus.apic_ids, n);
    return n;
}
