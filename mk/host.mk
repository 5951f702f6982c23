# Included after tests/unit/unit.mk, which defines the VM host archives.
# beamos-host: the VM as a Linux program (tests, sanitizers, benchmarks).
BEAMOS_HOST := $(BUILD)/beamos-host
$(BUILD)/host/vm/host/main.o: HOST_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
BEAMOS_HOST_OBJS := $(BUILD)/host/vm/host/main.o
$(BEAMOS_HOST): $(BEAMOS_HOST_OBJS) $(VM_HOST_LIB) $(ZLIB_HOST_LIB)
	$(CC) $(BEAMOS_HOST_OBJS) -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)

# The same program under ASan+UBSan: make test runs the Erlang tests on it,
# so the VM's real workload is checked for memory errors, not only units.
BEAMOS_HOST_SAN := $(BUILD)/beamos-host-san
$(BUILD)/host-san/vm/host/main.o: HOST_SAN_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
$(BEAMOS_HOST_SAN): $(BUILD)/host-san/vm/host/main.o $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB)
	$(CC) -fsanitize=address,undefined $< -o $@ -Wl,--start-group $(VM_HOST_SAN_LIB) $(ZLIB_HOST_SAN_LIB) -Wl,--end-group $(HOST_LDFLAGS)
