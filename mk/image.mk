# Linking the kernel and packing bootable images.
#
# The kernel is linked twice: pass 1 without symbols, then scripts/gen-ksyms.sh
# turns its function symbols into a table that pass 2 links in after all code,
# so both passes place every function at the same address (checked).

# vm/ compiled for the kernel (freestanding, newlib) into an archive the
# kernel links against; proves at every build that vm/ stays freestanding.
VM_KERNEL_LIB := $(BUILD)/k/libvm.a
$(VM_KERNEL_LIB): $(VM_SRCS:%.c=$(BUILD)/k/%.o)
	rm -f $@
	ar rcs $@ $^
$(BUILD)/k/vm/inflate_glue.o: KERNEL_EXTRA_CFLAGS := -I$(ZLIB_INC)

ISO          := $(BUILD)/beamos.iso
DISK_IMG     := $(BUILD)/beamos.img
DISK_QCOW2   := $(BUILD)/beamos.qcow2
LIBGCC       := $(shell $(CC) -print-libgcc-file-name)
KERNEL_LIBS   = $(VM_KERNEL_LIB) $(ZLIB_KERNEL_LIB) $(NEWLIB)/lib/libc.a $(NEWLIB)/lib/libm.a $(LIBGCC)
BUILD_DATE   := $(shell git log -1 --format=%cd --date=short 2>/dev/null || echo unknown)

$(BUILD)/k/kernel/main.o: KERNEL_EXTRA_CFLAGS := -DBEAMOS_BUILD_DATE='"$(BUILD_DATE)"'

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(VM_KERNEL_LIB) $(ZLIB_KERNEL_LIB) linker.ld $(NEWLIB_STAMP)
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) --start-group $(KERNEL_LIBS) --end-group

$(BUILD)/k/ksyms.asm: $(BUILD)/kernel.pass1.elf scripts/gen-ksyms.sh
	scripts/gen-ksyms.sh $< > $@

$(BUILD)/k/ksyms.o: $(BUILD)/k/ksyms.asm
	$(NASM) -f elf64 $< -o $@

$(KERNEL_ELF): $(BUILD)/kernel.pass1.elf $(BUILD)/k/ksyms.o
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/k/ksyms.o --start-group $(KERNEL_LIBS) --end-group
	@nm -n $(BUILD)/kernel.pass1.elf | grep ' [tT] ' > $(BUILD)/k/syms1.txt
	@nm -n $@ | grep ' [tT] ' > $(BUILD)/k/syms2.txt
	@cmp -s $(BUILD)/k/syms1.txt $(BUILD)/k/syms2.txt || { echo "ksyms: functions moved between link passes" >&2; rm -f $@; exit 1; }

# The kernel command line baked into the default image (make run ARGS=...).
IMAGE_CMDLINE = $(ARGS)

$(ISO): $(KERNEL_ELF) $(BOOTFS) iso/grub.cfg scripts/mkiso.sh $(DEPS_STAMP) FORCE
	scripts/mkiso.sh $(KERNEL_ELF) $@ '$(IMAGE_CMDLINE)' $(BOOTFS)

# A raw disk image for machines with no CD: the hybrid image grub-mkrescue
# writes carries an MBR and boots from a hard disk as it is. qcow2 for clouds.
$(DISK_IMG): $(ISO)
	cp $(ISO) $@
$(DISK_QCOW2): $(DISK_IMG)
	qemu-img convert -f raw -O qcow2 $(DISK_IMG) $@

iso: $(ISO)
image: $(DISK_IMG) $(DISK_QCOW2)

.PHONY: FORCE
FORCE:

