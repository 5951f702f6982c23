# The benchmark image (issue 4): bench/image packed as an application and
# booted by scripts/bench-image at -smp 1 and -smp 2. The same mechanism as
# `make iso APP=bench/image ARGS='-s bench_image main'`, into its own files
# so it never replaces build/beamos.iso.

BENCH_IMAGE_APP := bench/image
BENCH_IMAGE_ISO := $(BUILD)/bench/image.iso
BENCH_IMAGE_BOOTFS := $(BUILD)/bench/image-bootfs.tar

$(BENCH_IMAGE_BOOTFS): $(RUNTIME_BEAMS) scripts/mkbootfs.sh FORCE
	@mkdir -p $(dir $@)
	scripts/mkbootfs.sh $@ "$(OTP_LIB)" "$(OTP_ERTS_MODULES)" "$(OTP_STDLIB_MODULES)" \
	  $(RUNTIME_EBIN) $(BENCH_IMAGE_APP)
$(BENCH_IMAGE_ISO): $(KERNEL_ELF) $(BENCH_IMAGE_BOOTFS) iso/grub.cfg scripts/mkiso.sh $(DEPS_STAMP) FORCE
	scripts/mkiso.sh $(KERNEL_ELF) $@ '-s bench_image main' $(BENCH_IMAGE_BOOTFS)

# The same application with `-s bench_image million` (one million idle
# processes; scripts/bench-image boots it once with 4 GiB).
BENCH_MILLION_ISO := $(BUILD)/bench/image-million.iso
$(BENCH_MILLION_ISO): $(KERNEL_ELF) $(BENCH_IMAGE_BOOTFS) iso/grub.cfg scripts/mkiso.sh $(DEPS_STAMP) FORCE
	scripts/mkiso.sh $(KERNEL_ELF) $@ '-s bench_image million' $(BENCH_IMAGE_BOOTFS)

.PHONY: bench-image-iso
bench-image-iso: $(BENCH_IMAGE_ISO) $(BENCH_MILLION_ISO)
