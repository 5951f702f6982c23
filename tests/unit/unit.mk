# Host unit tests of vm/. Each tests/unit/<name>.c is one program that links
# with the host build of the VM and prints `N passed, N failed` (check.h).
# Every test is built twice: plain, and under ASan+UBSan.

# One test a line, so work in different areas adds lines, not edits one.
UNIT_TESTS := test_beam_file
UNIT_TESTS += test_term
UNIT_TESTS += test_bignum
UNIT_TESTS += test_etf
UNIT_TESTS += test_phash
UNIT_TESTS += test_bootfs
UNIT_TESTS += test_bif_erlang
UNIT_TESTS += test_gc
UNIT_TESTS += test_proc
UNIT_TESTS += test_bif_maps
UNIT_TESTS += test_emu
UNIT_TESTS += test_bigmap
UNIT_TESTS += test_bif_binary
UNIT_TESTS += test_bif_proc_info
UNIT_TESTS += test_bif_unicode
UNIT_TESTS += test_bif_misc
UNIT_TESTS += test_match_spec
UNIT_TESTS += test_magic
UNIT_TESTS += test_slab
UNIT_TESTS += test_ets_lock
UNIT_TESTS += test_term_walk

VM_HOST_ALL := $(VM_SRCS) $(VM_HOST_SRCS)
UNIT_BINS     := $(UNIT_TESTS:%=$(BUILD)/host/tests/unit/%)
UNIT_SAN_BINS := $(UNIT_TESTS:%=$(BUILD)/host-san/tests/unit/%)

# The VM's host objects go into an archive so a test links only what it uses.
VM_HOST_LIB     := $(BUILD)/host/libvm.a
VM_HOST_SAN_LIB := $(BUILD)/host-san/libvm.a
$(VM_HOST_LIB): $(VM_HOST_ALL:%.c=$(BUILD)/host/%.o)
	rm -f $@ && ar rcs $@ $^
$(VM_HOST_SAN_LIB): $(VM_HOST_ALL:%.c=$(BUILD)/host-san/%.o)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/host/tests/unit/%: $(BUILD)/host/tests/unit/%.o $(VM_HOST_LIB) $(ZLIB_HOST_LIB)
	$(CC) $< -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)

$(BUILD)/host-san/tests/unit/%: $(BUILD)/host-san/tests/unit/%.o $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB)
	$(CC) -fsanitize=address,undefined $< -o $@ -Wl,--start-group $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) -Wl,--end-group $(HOST_LDFLAGS)

.PHONY: unit-tests
unit-tests: $(UNIT_BINS) $(UNIT_SAN_BINS)
	@mkdir -p $(BUILD)/tests
	@printf '%s\n' $(UNIT_BINS) $(UNIT_SAN_BINS) > $(BUILD)/tests/unit-list

# --- .beam parser tests (owner: loader work) ---
# loader_sample.erl is compiled by erlc at build time; the test reads the
# .beam from the absolute path baked in below.
LOADER_SAMPLE_BEAM := $(BUILD)/tests/unit/data/loader_sample.beam
$(LOADER_SAMPLE_BEAM): tests/unit/data/loader_sample.erl | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	erlc -o $(dir $@) $<
$(BUILD)/host/tests/unit/test_beam_file.o: HOST_CFLAGS += -DLOADER_SAMPLE_BEAM='"$(abspath $(LOADER_SAMPLE_BEAM))"'
$(BUILD)/host-san/tests/unit/test_beam_file.o: HOST_SAN_CFLAGS += -DLOADER_SAMPLE_BEAM='"$(abspath $(LOADER_SAMPLE_BEAM))"'
# The MD5 stock erl's beam_lib gives every installed OTP module (one
# "path hex" line each): the parser's module MD5 must equal it.
OTP_MD5_LIST := $(BUILD)/tests/unit/data/otp-md5.txt
$(OTP_MD5_LIST): | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	erl -noshell -eval '[begin {ok, {_, M}} = beam_lib:md5(F), io:format("~s ~s~n", [F, binary:encode_hex(M)]) end || F <- filelib:wildcard("/usr/lib/erlang/lib/*/ebin/*.beam")], halt().' > $@.tmp
	mv $@.tmp $@
$(BUILD)/host/tests/unit/test_beam_file.o: HOST_CFLAGS += -DOTP_MD5_LIST='"$(abspath $(OTP_MD5_LIST))"'
$(BUILD)/host-san/tests/unit/test_beam_file.o: HOST_SAN_CFLAGS += -DOTP_MD5_LIST='"$(abspath $(OTP_MD5_LIST))"'
$(BUILD)/host/tests/unit/test_beam_file $(BUILD)/host-san/tests/unit/test_beam_file: | $(LOADER_SAMPLE_BEAM) $(OTP_MD5_LIST)

# --- boot archive reader tests (owner: lead) ---
BOOTFS_SAMPLE_TAR := $(BUILD)/tests/unit/data/bootfs_sample.tar
$(BOOTFS_SAMPLE_TAR):
	@mkdir -p $(dir $@)/bootfs_sample/sub
	printf 'hello\n' > $(dir $@)/bootfs_sample/hello.beam
	head -c 1000 /dev/zero | tr '\0' 'x' > $(dir $@)/bootfs_sample/sub/deep.beam
	tar --format=ustar -C $(dir $@)/bootfs_sample -cf $@ hello.beam sub/deep.beam
$(BUILD)/host/tests/unit/test_bootfs.o: HOST_CFLAGS += -DBOOTFS_SAMPLE_TAR='"$(abspath $(BOOTFS_SAMPLE_TAR))"'
$(BUILD)/host-san/tests/unit/test_bootfs.o: HOST_SAN_CFLAGS += -DBOOTFS_SAMPLE_TAR='"$(abspath $(BOOTFS_SAMPLE_TAR))"'
$(BUILD)/host/tests/unit/test_bootfs $(BUILD)/host-san/tests/unit/test_bootfs: | $(BOOTFS_SAMPLE_TAR)

# --- processes, mailboxes, signals, schedulers, timers (owner: process work) ---
# test_proc runs C callbacks as processes through a TEST-ONLY emulator
# stand-in (tests/unit/standin_emu.c) until the real emulator is delivered.
# TEMPORARY: map_hamt.o is linked explicitly until the BIF work lists
# vm/map_hamt.c in vm/vm.mk (vm/map.c already calls it).
PROC_TEST_EXTRA := tests/unit/standin_emu.o vm/map_hamt.o
$(BUILD)/host/tests/unit/test_proc: $(BUILD)/host/tests/unit/test_proc.o $(PROC_TEST_EXTRA:%=$(BUILD)/host/%) $(VM_HOST_LIB) $(ZLIB_HOST_LIB)
	$(CC) $< $(PROC_TEST_EXTRA:%=$(BUILD)/host/%) -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)
$(BUILD)/host-san/tests/unit/test_proc: $(BUILD)/host-san/tests/unit/test_proc.o $(PROC_TEST_EXTRA:%=$(BUILD)/host-san/%) $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB)
	$(CC) -fsanitize=address,undefined $< $(PROC_TEST_EXTRA:%=$(BUILD)/host-san/%) -o $@ -Wl,--start-group $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) -Wl,--end-group $(HOST_LDFLAGS)

# --- emulator tests (owner: emulator work) ---
# emu_basic.erl is compiled by erlc at build time; test_emu links a
# test-only stand-in for code_autoload (the lead's boot layer).
EMU_BASIC_BEAM := $(BUILD)/tests/unit/data/emu_basic.beam
$(EMU_BASIC_BEAM): tests/unit/data/emu_basic.erl | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	erlc -o $(dir $@) $<
$(BUILD)/host/tests/unit/test_emu.o: HOST_CFLAGS += -DEMU_BASIC_BEAM='"$(abspath $(EMU_BASIC_BEAM))"'
$(BUILD)/host-san/tests/unit/test_emu.o: HOST_SAN_CFLAGS += -DEMU_BASIC_BEAM='"$(abspath $(EMU_BASIC_BEAM))"'
$(BUILD)/host/tests/unit/test_emu: $(BUILD)/host/tests/unit/test_emu.o $(VM_HOST_LIB) $(ZLIB_HOST_LIB) | $(EMU_BASIC_BEAM)
	$(CC) $(filter %.o,$^) -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)
$(BUILD)/host-san/tests/unit/test_emu: $(BUILD)/host-san/tests/unit/test_emu.o $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) | $(EMU_BASIC_BEAM)
	$(CC) -fsanitize=address,undefined $(filter %.o,$^) -o $@ -Wl,--start-group $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) -Wl,--end-group $(HOST_LDFLAGS)


# --- kernel slab allocator (owner: allocator work) ---
# kernel/slab.c is kernel code that needs only its backend (slab.h), so it
# builds for the host too; test_slab supplies the backend and threads.
$(BUILD)/host/tests/unit/test_slab: $(BUILD)/host/tests/unit/test_slab.o $(BUILD)/host/kernel/slab.o
	$(CC) $^ -o $@ -pthread $(HOST_LDFLAGS)
$(BUILD)/host-san/tests/unit/test_slab: $(BUILD)/host-san/tests/unit/test_slab.o $(BUILD)/host-san/kernel/slab.o
	$(CC) -fsanitize=address,undefined $^ -o $@ -pthread $(HOST_LDFLAGS)
