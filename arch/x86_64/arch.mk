# arch/x86_64 — boot, CPU tables, traps, APICs, ACPI, paging, SMP.
# Everything here may run in interrupt context: built -mgeneral-regs-only.
ARCH_ASM_SRCS := arch/x86_64/boot.asm arch/x86_64/vectors.asm arch/x86_64/ap_trampoline.asm
ARCH_C_SRCS := arch/x86_64/acpi.c arch/x86_64/gdt.c arch/x86_64/idt.c arch/x86_64/ioapic.c \
  arch/x86_64/lapic.c arch/x86_64/paging.c arch/x86_64/smp.c arch/x86_64/trap.c arch/x86_64/tsc.c

$(ARCH_C_SRCS:%.c=$(BUILD)/k/%.o): KERNEL_EXTRA_CFLAGS := $(KERNEL_ISR_CFLAGS)
KERNEL_OBJS += $(ARCH_ASM_SRCS:%.asm=$(BUILD)/k/%.o) $(ARCH_C_SRCS:%.c=$(BUILD)/k/%.o)
