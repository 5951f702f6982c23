# Included after tests/unit/unit.mk, which defines the VM host archives.
# beamos-host: the VM as a Linux program (tests, sanitizers, benchmarks).
BEAMOS_HOST := $(BUILD)/beamos-host
$(BUILD)/host/vm/host/main.o: HOST_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
# beamos-host allocates with the image's per-CPU slab allocator
# (vm/host/malloc_slab.c replaces glibc's malloc for small blocks), so its
# benchmarks measure the product's allocator; the ASan build keeps ASan's.
HOST_MALLOC_OBJS = $(BUILD)/$(1)/vm/host/malloc_slab.o $(BUILD)/$(1)/kernel/slab.o
BEAMOS_HOST_OBJS := $(BUILD)/host/vm/host/main.o $(call HOST_MALLOC_OBJS,host)
$(BEAMOS_HOST): $(BEAMOS_HOST_OBJS) $(VM_HOST_LIB) $(ZLIB_HOST_LIB)
	$(CC) $(BEAMOS_HOST_OBJS) -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)

# The same program under ASan+UBSan: make test runs the Erlang tests on it,
# so the VM's real workload is checked for memory errors, not only units.
BEAMOS_HOST_SAN := $(BUILD)/beamos-host-san
$(BUILD)/host-san/vm/host/main.o: HOST_SAN_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
$(BEAMOS_HOST_SAN): $(BUILD)/host-san/vm/host/main.o $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB)
	$(CC) -fsanitize=address,undefined $< -o $@ -Wl,--start-group $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) -Wl,--end-group $(HOST_LDFLAGS)

# The same program with -DGC_STRESS (vm/gc.h): every heap check in the
# emulator collects, so a raw heap pointer kept across one shows up at once.
# make test runs the Erlang tests on it. Objects in their own tree.
HOST_STRESS_CFLAGS := $(HOST_CFLAGS) -DGC_STRESS
VM_HOST_STRESS_LIB := $(BUILD)/host-stress/libvm.a
$(BUILD)/host-stress/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_STRESS_CFLAGS) -c $< -o $@
$(BUILD)/host-stress/$(ZLIB_GLUE).o: $(ZLIB_INC)/zlib.h
$(BUILD)/host-stress/$(ZLIB_GLUE).o: HOST_STRESS_CFLAGS += -I$(ZLIB_INC)
$(VM_HOST_STRESS_LIB): $(VM_HOST_ALL:%.c=$(BUILD)/host-stress/%.o)
	rm -f $@ && ar rcs $@ $^
BEAMOS_HOST_STRESS := $(BUILD)/beamos-host-stress
$(BUILD)/host-stress/vm/host/main.o: HOST_STRESS_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
$(BEAMOS_HOST_STRESS): $(BUILD)/host-stress/vm/host/main.o $(call HOST_MALLOC_OBJS,host-stress) $(VM_HOST_STRESS_LIB) $(ZLIB_HOST_LIB)
	$(CC) $< $(call HOST_MALLOC_OBJS,host-stress) -o $@ -Wl,--start-group $(VM_HOST_STRESS_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)
