# Included after tests/unit/unit.mk, which defines the VM host archives.
# beamos-host: the VM as a Linux program (tests, sanitizers, benchmarks).
BEAMOS_HOST := $(BUILD)/beamos-host
$(BUILD)/host/vm/host/main.o: HOST_CFLAGS += -DBEAMOS_RUNTIME_EBIN='"$(abspath $(BUILD)/lib/ebin)"'
BEAMOS_HOST_OBJS := $(BUILD)/host/vm/host/main.o
$(BEAMOS_HOST): $(BEAMOS_HOST_OBJS) $(VM_HOST_LIB) $(ZLIB_HOST_LIB)
	$(CC) $(BEAMOS_HOST_OBJS) -o $@ -Wl,--start-group $(VM_HOST_LIB) $(ZLIB_HOST_LIB) -Wl,--end-group $(HOST_LDFLAGS)
