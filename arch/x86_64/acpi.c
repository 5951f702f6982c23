/*
 * acpi.c — the static ACPI tables: RSDP (handed over by GRUB, else found in
 * the BIOS area), XSDT or RSDT, MADT for processors and interrupt routing,
 * HPET for a calibration reference. Every table's checksum is verified and
 * every length is bounded before it is read.
 */
#include <string.h>
#include "arch/x86_64/acpi.h"
#include "kernel/console.h"
#include "kernel/mm.h"

AcpiInfo acpi_info;

typedef struct __attribute__((packed)) {
    char signature[8];
    uint8_t checksum;
    char oem[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;      /* revision >= 2 */
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
} Rsdp;

typedef struct __attribute__((packed)) {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} SdtHeader;

static int checksum_ok(const void *p, uint32_t len)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const SdtHeader *map_table(uint64_t phys)
{
    const SdtHeader *h = phys_map(phys, sizeof *h);
    uint32_t len = h->length;
    if (len < sizeof *h || len > (16u << 20))
        return NULL;
    h = phys_map(phys, len);
    return checksum_ok(h, len) ? h : NULL;
}

static uint64_t find_rsdp_in_bios(void)
{
    /* EBDA first KiB, then 0xE0000-0xFFFFF, on 16-byte boundaries. */
    uint64_t ebda = (uint64_t)(*(const uint16_t *)phys_map(0x40e, 2)) << 4;
    uint64_t ranges[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
    for (int r = 0; r < 2; r++)
        for (uint64_t a = ranges[r][0]; a && a + 20 <= ranges[r][1]; a += 16) {
            const char *p = phys_map(a, 20);
            if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
                return a;
        }
    return 0;
}

static void parse_madt(const SdtHeader *madt)
{
    const uint8_t *p = (const uint8_t *)madt;
    acpi_info.lapic_phys = *(const uint32_t *)(p + 36);
    for (int i = 0; i < 16; i++)
        acpi_info.isa_irq[i].gsi = (uint32_t)i;
    for (uint32_t off = 44; off + 2 <= madt->length;) {
        uint8_t type = p[off], len = p[off + 1];
        if (len < 2 || off + len > madt->length)
            break;
        const uint8_t *e = p + off;
        uint32_t apic_id = 0, flags = 0;
        int is_cpu = 0;
        switch (type) {
        case 0:                                  /* processor local APIC */
            if (len >= 8) { apic_id = e[3]; flags = *(const uint32_t *)(e + 4); is_cpu = 1; }
            break;
        case 9:                                  /* processor local x2APIC */
            if (len >= 16) { apic_id = *(const uint32_t *)(e + 4); flags = *(const uint32_t *)(e + 8); is_cpu = 1; }
            break;
        case 1:                                  /* I/O APIC */
            if (len >= 12 && acpi_info.ioapic_count < ACPI_MAX_IOAPICS) {
                uint32_t n = acpi_info.ioapic_count++;
                acpi_info.ioapics[n].id = e[2];
                acpi_info.ioapics[n].phys = *(const uint32_t *)(e + 4);
                acpi_info.ioapics[n].gsi_base = *(const uint32_t *)(e + 8);
            }
            break;
        case 2:                                  /* interrupt source override */
            if (len >= 10 && e[2] == 0 && e[3] < 16) {
                acpi_info.isa_irq[e[3]].gsi = *(const uint32_t *)(e + 4);
                acpi_info.isa_irq[e[3]].flags = *(const uint16_t *)(e + 8);
            }
            break;
        case 5:                                  /* 64-bit local APIC address */
            if (len >= 12)
                acpi_info.lapic_phys = *(const uint64_t *)(e + 4);
            break;
        }
        if (is_cpu && (flags & 1)) {             /* enabled */
            int dup = 0;
            for (uint32_t i = 0; i < acpi_info.cpu_count; i++)
                dup |= acpi_info.apic_ids[i] == apic_id;
            if (!dup && acpi_info.cpu_count < MAX_CPUS)
                acpi_info.apic_ids[acpi_info.cpu_count++] = apic_id;
            else if (!dup)
                acpi_info.cpus_ignored++;
        }
        off += len;
    }
}

int acpi_init(uint64_t rsdp_phys)
{
    if (!rsdp_phys)
        rsdp_phys = find_rsdp_in_bios();
    if (!rsdp_phys) {
        kprintf("acpi: no RSDP found\n");
        return -1;
    }
    const Rsdp *rsdp = phys_map(rsdp_phys, sizeof(Rsdp));
    if (memcmp(rsdp->signature, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
        kprintf("acpi: RSDP at %#llx is corrupt\n", (unsigned long long)rsdp_phys);
        return -1;
    }
    memcpy(acpi_info.oem, rsdp->oem, 6);
    int use_xsdt = rsdp->revision >= 2 && rsdp->xsdt;
    const SdtHeader *root = map_table(use_xsdt ? rsdp->xsdt : rsdp->rsdt);
    if (!root) {
        kprintf("acpi: root table is corrupt\n");
        return -1;
    }
    uint32_t entry_size = use_xsdt ? 8 : 4;
    uint32_t n = (root->length - (uint32_t)sizeof(SdtHeader)) / entry_size;
    const uint8_t *entries = (const uint8_t *)(root + 1);
    const SdtHeader *madt = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t phys = 0;
        memcpy(&phys, entries + i * entry_size, entry_size);
        const SdtHeader *t = map_table(phys);
        if (!t)
            continue;
        if (memcmp(t->signature, "APIC", 4) == 0)
            madt = t;
        else if (memcmp(t->signature, "HPET", 4) == 0 && t->length >= 56)
            memcpy(&acpi_info.hpet_phys, (const uint8_t *)t + 44, 8);   /* base address GAS */
    }
    if (!madt) {
        kprintf("acpi: no MADT\n");
        return -1;
    }
    parse_madt(madt);
    if (acpi_info.cpus_ignored)
        kprintf("acpi: %u CPUs beyond the limit of %d are not used\n", acpi_info.cpus_ignored, MAX_CPUS);
    return 0;
}
