/* multiboot2.h — what GRUB hands the kernel, parsed once at boot. */
#ifndef BEAMOS_KERNEL_MULTIBOOT2_H
#define BEAMOS_KERNEL_MULTIBOOT2_H

#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define MB2_MAX_MMAP    128
#define MB2_MAX_MODULES 8

typedef struct {
    uint64_t base, length;
    uint32_t type;          /* 1 available, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, else reserved */
} MemRegion;

typedef struct {
    uint64_t start, end;    /* physical, end exclusive */
    const char *name;       /* GRUB's module string (points into the boot info) */
} BootModule;

typedef struct {
    const char *cmdline;
    const char *loader_name;
    MemRegion mmap[MB2_MAX_MMAP];
    int mmap_count;
    BootModule modules[MB2_MAX_MODULES];
    int module_count;
    uint64_t rsdp_phys;     /* 0 if GRUB gave no ACPI tag */
    int rsdp_v2;
    uint64_t info_phys, info_size;
} BootInfo;

extern BootInfo boot_info;

/* Parse the boot information at physical address `phys` (reached through the
 * boot page tables' identity map of the first GiB). */
void multiboot2_parse(uint32_t magic, uint64_t phys);

#endif
