/*
 * multiboot2.c — walk the Multiboot2 boot information tags (spec §3.6):
 * command line, loader name, memory map, modules, ACPI RSDP.
 */
#include <stddef.h>
#include <string.h>
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "arch/x86_64/memlayout.h"

BootInfo boot_info;

enum {
    TAG_END = 0, TAG_CMDLINE = 1, TAG_LOADER = 2, TAG_MODULE = 3,
    TAG_MMAP = 6, TAG_ACPI_OLD = 14, TAG_ACPI_NEW = 15,
};

typedef struct { uint32_t type, size; } Tag;

void multiboot2_parse(uint32_t magic, uint64_t phys)
{
    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot2 loader (magic 0x%x)", magic);
    const uint8_t *base = phys_to_virt(phys);
    uint32_t total = *(const uint32_t *)base;
    boot_info.info_phys = phys;
    boot_info.info_size = total;
    boot_info.cmdline = "";
    for (const uint8_t *p = base + 8; p + sizeof(Tag) <= base + total;) {
        const Tag *t = (const Tag *)p;
        if (t->type == TAG_END || t->size < sizeof(Tag))
            break;
        switch (t->type) {
        case TAG_CMDLINE:
            boot_info.cmdline = (const char *)(p + 8);
            break;
        case TAG_LOADER:
            boot_info.loader_name = (const char *)(p + 8);
            break;
        case TAG_MODULE:
            if (boot_info.module_count < MB2_MAX_MODULES) {
                const uint32_t *m = (const uint32_t *)(p + 8);
                BootModule *bm = &boot_info.modules[boot_info.module_count++];
                bm->start = m[0];
                bm->end = m[1];
                bm->name = (const char *)(p + 16);
            }
            break;
        case TAG_MMAP: {
            uint32_t entry_size = *(const uint32_t *)(p + 8);
            if (entry_size < 24)
                break;
            for (const uint8_t *e = p + 16; e + entry_size <= p + t->size; e += entry_size) {
                if (boot_info.mmap_count == MB2_MAX_MMAP)
                    break;
                MemRegion *r = &boot_info.mmap[boot_info.mmap_count++];
                memcpy(&r->base, e, 8);
                memcpy(&r->length, e + 8, 8);
                memcpy(&r->type, e + 16, 4);
            }
            break;
        }
        case TAG_ACPI_OLD:
        case TAG_ACPI_NEW:
            /* Prefer the ACPI 2.0+ RSDP (XSDT) when both are given. */
            if (!boot_info.rsdp_phys || t->type == TAG_ACPI_NEW) {
                boot_info.rsdp_phys = virt_to_phys(p + 8);
                boot_info.rsdp_v2 = t->type == TAG_ACPI_NEW;
            }
            break;
        }
        p += (t->size + 7) & ~7u;
    }
}
