# kernel/ — boot sequence, memory, per-CPU data, console, time, self-tests.
KERNEL_C_SRCS := kernel/main.c kernel/cmdline.c kernel/console.c kernel/kmalloc.c kernel/ksyms.c kernel/mm.c \
  kernel/multiboot2.c kernel/panic.c kernel/percpu.c kernel/pmm.c kernel/power.c \
  kernel/selftest.c kernel/slab.c kernel/syscalls.c kernel/time.c kernel/vm_platform.c

KERNEL_OBJS += $(KERNEL_C_SRCS:%.c=$(BUILD)/k/%.o)
