# Compiler and assembler flags. The kernel flags are `override` so a user's
# CFLAGS on the command line can add but never drop what the kernel needs.

CC   := gcc
NASM := nasm
LD   := ld

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wno-unused-parameter

# Kernel C: freestanding, kernel code model (linked at -2 GiB), no red zone
# (interrupts land on the current stack), frame pointers for backtraces.
# SSE is allowed (floats matter to a BEAM); interrupt code uses KERNEL_ISR_CFLAGS.
override KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin-printf \
  -mcmodel=kernel -mno-red-zone -fno-pic -fno-pie -fno-stack-protector \
  -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-common \
  -nostdinc -isystem $(GCC_INCLUDE) -isystem $(NEWLIB)/include \
  -I. -MMD -MP $(WARN) $(CFLAGS)
override KERNEL_ISR_CFLAGS := -mgeneral-regs-only
override NASMFLAGS := -f elf64 -g -F dwarf -I arch/x86_64/
# --wrap: newlib's internal _free_r/_realloc_r go through kernel/kmalloc.c,
# which routes slab blocks (from our malloc) away from newlib's arena.
override KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld \
  --wrap=_free_r --wrap=_realloc_r

# Host C (unit tests, beamos-host): ordinary hosted build.
HOST_CFLAGS ?= -std=gnu11 -O2 -g -I. -MMD -MP $(WARN)
HOST_LDFLAGS ?= -lm -lpthread

# Sanitizer flavour of the host build (make test runs the unit tests under it too).
HOST_SAN_CFLAGS := -std=gnu11 -O1 -g -I. -MMD -MP $(WARN) \
  -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(BUILD)/k/%.o: %.c $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) $(KERNEL_EXTRA_CFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.asm | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(BUILD)/host/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host-san/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_SAN_CFLAGS) -c $< -o $@

# lwIP's source, fetched from Debian at set-up (the network stack builds on it).
LWIP_STAMP := $(BUILD)/src/.lwip
$(LWIP_STAMP): scripts/fetch-lwip.sh scripts/apt-source.sh | $(DEPS_STAMP)
	scripts/fetch-lwip.sh >/dev/null
