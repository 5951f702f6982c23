# BeamOS — top-level Makefile.
#
#   make run     build everything, boot the image in QEMU on the serial console
#   make test    build everything, run every test (host unit tests, QEMU boots)
#   make iso     build/beamos.iso        make image   build/beamos.img (+ .qcow2)
#   make bench   benchmarks against stock erl, then the benchmark image in QEMU
#   make qemu-gdb  boot paused with a gdb stub on :1234
#
# Knobs: SMP=N MEM=SIZE KVM=1 ARGS='kernel command line'
# Each folder contributes a small *.mk fragment with an explicit source list.

.DEFAULT_GOAL := all
BUILD    := build
SMP      ?= 2
MEM      ?= 512M
KVM      ?= 0
ARGS     ?= -s hello start

# Set-up: install missing Debian packages once per build tree.
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): scripts/deps.sh
	@mkdir -p $(BUILD)
	scripts/deps.sh
	@touch $@

NEWLIB      := $(BUILD)/newlib/install/x86_64-elf
NEWLIB_STAMP := $(BUILD)/newlib/.built
$(NEWLIB_STAMP): scripts/build-newlib.sh | $(DEPS_STAMP)
	scripts/build-newlib.sh

# Defined before the fragments: their rules name it as a prerequisite.
KERNEL_ELF := $(BUILD)/kernel.elf

include mk/toolchain.mk
include mk/zlib.mk
include arch/x86_64/arch.mk
include kernel/kernel.mk
include drivers/drivers.mk
include vm/vm.mk
include tests/unit/unit.mk
include mk/host.mk
include mk/erlang.mk
include mk/image.mk
include mk/bench.mk

.PHONY: all run test bench iso image qemu-gdb clean distclean deps
all: iso $(LWIP_STAMP)

deps: $(DEPS_STAMP) $(LWIP_STAMP)

run: iso
	scripts/qemu --iso $(ISO) --smp $(SMP) --mem $(MEM) $(if $(filter 1,$(KVM)),--kvm)

qemu-gdb: iso
	scripts/qemu --iso $(ISO) --smp $(SMP) --mem $(MEM) --gdb

test: $(LWIP_STAMP) iso image unit-tests erl-tests build/tests/erl-image.iso build/beamos-host build/beamos-host-san build/beamos-host-stress
	scripts/run-tests

bench: build/beamos-host erl-tests bench-image-iso
	scripts/bench
	scripts/bench-image

clean:
	rm -rf $(BUILD)/k $(BUILD)/host $(BUILD)/iso $(BUILD)/*.iso $(BUILD)/*.img $(BUILD)/*.qcow2 $(BUILD)/*.elf

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k $(BUILD)/host $(BUILD)/host-san $(BUILD)/host-stress -name '*.d' 2>/dev/null)
