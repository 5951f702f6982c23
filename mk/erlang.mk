# Erlang code: the runtime's own modules (vm/lib), the OTP modules taken
# from the installed erlang-base package, the Erlang tests, and the boot
# archive (a ustar of .beam files) that GRUB loads beside the kernel.

ERLC := erlc
OTP_LIB := $(firstword $(wildcard /usr/lib/erlang/lib))

RUNTIME_ERL := vm/lib/init.erl vm/lib/beamos_console.erl vm/lib/code.erl vm/lib/net_kernel.erl \
  vm/lib/erts_code_purger.erl
RUNTIME_EBIN := $(BUILD)/lib/ebin
RUNTIME_BEAMS := $(RUNTIME_ERL:vm/lib/%.erl=$(RUNTIME_EBIN)/%.beam)
# OTP kernel modules the runtime uses unchanged (they run on our BIFs); they
# sit with the runtime's modules, so beamos-host and the image see the same.
OTP_KERNEL_MODULES := os
RUNTIME_BEAMS += $(OTP_KERNEL_MODULES:%=$(RUNTIME_EBIN)/%.beam)
$(OTP_KERNEL_MODULES:%=$(RUNTIME_EBIN)/%.beam): | $(DEPS_STAMP)
	@mkdir -p $(RUNTIME_EBIN)
	cp $(firstword $(wildcard $(OTP_LIB)/kernel-*/ebin))/$(notdir $@) $@

$(RUNTIME_EBIN)/%.beam: vm/lib/%.erl | $(DEPS_STAMP)
	@mkdir -p $(RUNTIME_EBIN)
	$(ERLC) -Werror -o $(RUNTIME_EBIN) $<

# OTP modules in the image, copied unchanged from the installed OTP 25.
# erts: the preloaded modules whose Erlang parts run on our BIFs.
OTP_ERTS_MODULES := erlang erts_internal atomics counters persistent_term
OTP_STDLIB_MODULES := array base64 binary calendar dict digraph digraph_utils \
  epp erl_anno erl_error erl_eval erl_internal erl_parse erl_scan erl_lint \
  erl_expand_records erl_features erl_bits eval_bits erl_stdlib_errors ets \
  filename gb_sets gb_trees gen gen_event gen_server gen_statem io io_lib \
  io_lib_format io_lib_fread io_lib_pretty lists maps math orddict ordsets \
  proc_lib proplists queue rand sets sofs string supervisor sys timer unicode \
  unicode_util uri_string

# Erlang test modules (tests/erl): run on stock erl, beamos-host and the image.
# One module a line, so work in different areas adds lines, not edits one.
ERL_TEST_MODULES := arith_test
ERL_TEST_MODULES += intops_test
ERL_TEST_MODULES += data_test
ERL_TEST_MODULES += bitsyntax_test
ERL_TEST_MODULES += exc_test
ERL_TEST_MODULES += proc_test
ERL_TEST_MODULES += bif_extra_test
ERL_TEST_MODULES += packet_test
ERL_TEST_MODULES += phash_test
ERL_TEST_MODULES += smp_test
ERL_TEST_MODULES += ms_test
ERL_TEST_MODULES += ets_test
ERL_TEST_MODULES += ets_select_test
ERL_TEST_MODULES += magicref_test
ERL_TEST_MODULES += yield_test
ERL_TEST_MODULES += heap_opts_test
ERL_TEST_MODULES += deep_test
ERL_TEST_MODULES += purge_test
ERL_TEST_MODULES += maps_order_test
ERL_TEST_MODULES += legacy_bs_test
ERL_TEST_MODULES += pinfo_test
ERL_TEST_MODULES += sysmon_test
ERL_TEST_MODULES += onload_test
ERL_TEST_MODULES += maps_hamt_test
ERL_TEST_MODULES += etf_gaps_test
ERL_TEST_MODULES += erts_debug_test
ERL_TEST_MODULES += spawn_request_test
ERL_TEST_MODULES += suspend_test
# bt is the runner; console_input and flag_checks are run on their own by
# scripts/run-tests.
ERL_TEST_SRCS := tests/erl/bt.erl tests/erl/console_input.erl tests/erl/flag_checks.erl $(ERL_TEST_MODULES:%=tests/erl/%.erl)
# modules that onload_test loads on demand (not tests themselves)
ERL_TEST_SRCS += tests/erl/onload_ok.erl tests/erl/onload_fail.erl tests/erl/onload_slow.erl \
  tests/erl/autoload_plain.erl
ERL_TEST_EBIN := $(BUILD)/tests/erl
ERL_TEST_BEAMS := $(ERL_TEST_SRCS:tests/erl/%.erl=$(ERL_TEST_EBIN)/%.beam)

$(ERL_TEST_EBIN)/%.beam: tests/erl/%.erl tests/erl/bt.hrl | $(DEPS_STAMP)
	@mkdir -p $(ERL_TEST_EBIN)
	$(ERLC) +nowarn_shadow_vars -I $(ERL_TEST_EBIN) -o $(ERL_TEST_EBIN) $<

# purge_test loads purge_target from binaries: two versions (the second
# compiled with -DV2), compiled here (not on the code path), become
# literals in purge_target_beam.hrl.
PURGE_TARGET_DIR := $(ERL_TEST_EBIN)/purge_target
$(ERL_TEST_EBIN)/purge_target_beam.hrl: tests/erl/purge_target/purge_target.erl | $(DEPS_STAMP)
	@mkdir -p $(PURGE_TARGET_DIR)/v1 $(PURGE_TARGET_DIR)/v2
	$(ERLC) -o $(PURGE_TARGET_DIR)/v1 $<
	$(ERLC) -DV2 -o $(PURGE_TARGET_DIR)/v2 $<
	erl -noshell -eval '{ok, B1} = file:read_file("$(PURGE_TARGET_DIR)/v1/purge_target.beam"), {ok, B2} = file:read_file("$(PURGE_TARGET_DIR)/v2/purge_target.beam"), ok = file:write_file("$@", io_lib:format("-define(PURGE_TARGET_V1, ~w).~n-define(PURGE_TARGET_V2, ~w).~n", [B1, B2])), halt().'
$(ERL_TEST_EBIN)/purge_test.beam: $(ERL_TEST_EBIN)/purge_target_beam.hrl

# etf_gaps_test decodes funs of dfun_target while it is not loaded or
# loaded in another version: two versions as literals, as purge_target.
DFUN_TARGET_DIR := $(ERL_TEST_EBIN)/dfun_target
$(ERL_TEST_EBIN)/dfun_target_beam.hrl: tests/erl/dfun_target/dfun_target.erl | $(DEPS_STAMP)
	@mkdir -p $(DFUN_TARGET_DIR)/v1 $(DFUN_TARGET_DIR)/v2
	$(ERLC) -o $(DFUN_TARGET_DIR)/v1 $<
	$(ERLC) -DV2 -o $(DFUN_TARGET_DIR)/v2 $<
	erl -noshell -eval '{ok, B1} = file:read_file("$(DFUN_TARGET_DIR)/v1/dfun_target.beam"), {ok, B2} = file:read_file("$(DFUN_TARGET_DIR)/v2/dfun_target.beam"), ok = file:write_file("$@", io_lib:format("-define(DFUN_TARGET_V1, ~w).~n-define(DFUN_TARGET_V2, ~w).~n", [B1, B2])), halt().'
$(ERL_TEST_EBIN)/etf_gaps_test.beam: $(ERL_TEST_EBIN)/dfun_target_beam.hrl

.PHONY: erl-tests
erl-tests: $(ERL_TEST_BEAMS)
	@mkdir -p $(BUILD)/tests
	@echo $(ERL_TEST_MODULES) > $(BUILD)/tests/erl-modules

# mkbootfs: runtime + OTP modules + the application's beams → one ustar.
APP ?= apps/hello
APP_EBIN := $(BUILD)/app/ebin
BOOTFS := $(BUILD)/bootfs.tar

$(BOOTFS): $(RUNTIME_BEAMS) scripts/mkbootfs.sh FORCE
	scripts/mkbootfs.sh $@ "$(OTP_LIB)" "$(OTP_ERTS_MODULES)" "$(OTP_STDLIB_MODULES)" \
	  $(RUNTIME_EBIN) $(if $(APP),$(APP))

# The Erlang tests packed into an image of their own (make test boots it).
ERL_TEST_ISO := $(BUILD)/tests/erl-image.iso
ERL_TEST_BOOTFS := $(BUILD)/tests/erl-bootfs.tar
$(ERL_TEST_BOOTFS): $(RUNTIME_BEAMS) $(ERL_TEST_BEAMS) scripts/mkbootfs.sh FORCE
	scripts/mkbootfs.sh $@ "$(OTP_LIB)" "$(OTP_ERTS_MODULES)" "$(OTP_STDLIB_MODULES)" \
	  $(RUNTIME_EBIN) $(ERL_TEST_EBIN)
$(ERL_TEST_ISO): $(KERNEL_ELF) $(ERL_TEST_BOOTFS) iso/grub.cfg scripts/mkiso.sh FORCE
	scripts/mkiso.sh $(KERNEL_ELF) $@ '-s bt main $(ERL_TEST_MODULES)' $(ERL_TEST_BOOTFS)
