# zlib (inflate and deflate), built from Debian's source package by
# scripts/build-zlib.sh into build/zlib/ — no zlib source in the repository.
# Include after mk/toolchain.mk and before any fragment that names these
# variables in a rule (tests/unit/unit.mk links $(ZLIB_HOST_LIB)).
#
#   ZLIB_INC           zlib.h + zconf.h (compile with -DZ_SOLO; vm/inflate_glue.c does)
#   ZLIB_HOST_LIB      host libz.a
#   ZLIB_HOST_SAN_LIB  host libz.a built with ASan+UBSan
#   ZLIB_KERNEL_LIB    freestanding libz.a against newlib (-mcmodel=kernel)
#
# Only vm/inflate_glue.c includes zlib.h; it gets -I$(ZLIB_INC) below.

ZLIB_DIR          := $(BUILD)/zlib
ZLIB_INC          := $(ZLIB_DIR)/include
ZLIB_HOST_LIB     := $(ZLIB_DIR)/host/libz.a
ZLIB_HOST_SAN_LIB := $(ZLIB_DIR)/host-san/libz.a
ZLIB_KERNEL_LIB   := $(ZLIB_DIR)/kernel/libz.a

$(ZLIB_HOST_LIB): scripts/build-zlib.sh | $(DEPS_STAMP)
	scripts/build-zlib.sh host
$(ZLIB_HOST_SAN_LIB): scripts/build-zlib.sh | $(DEPS_STAMP)
	scripts/build-zlib.sh host-san
$(ZLIB_KERNEL_LIB): scripts/build-zlib.sh $(NEWLIB_STAMP) | $(DEPS_STAMP)
	scripts/build-zlib.sh kernel

# The headers arrive with any flavour; the glue objects wait for them.
$(ZLIB_INC)/zlib.h: | $(ZLIB_HOST_LIB)

ZLIB_GLUE := vm/inflate_glue
$(BUILD)/host/$(ZLIB_GLUE).o $(BUILD)/host-san/$(ZLIB_GLUE).o $(BUILD)/k/$(ZLIB_GLUE).o: $(ZLIB_INC)/zlib.h
$(BUILD)/host/$(ZLIB_GLUE).o: HOST_CFLAGS += -I$(ZLIB_INC)
$(BUILD)/host-san/$(ZLIB_GLUE).o: HOST_SAN_CFLAGS += -I$(ZLIB_INC)
$(BUILD)/k/$(ZLIB_GLUE).o: override KERNEL_CFLAGS += -I$(ZLIB_INC)
