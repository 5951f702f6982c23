# vm/ — the platform-neutral BEAM. Explicit source lists; every file here is
# compiled both for the kernel (build/k/) and for the host (build/host/).
# VM_HOST_SRCS are the hosted platform's files (never linked into the kernel).

VM_SRCS :=
VM_HOST_SRCS :=

# --- terms, atoms, bignums, external term format (owner: terms work) ---
VM_SRCS += vm/heap.c
VM_SRCS += vm/console_input.c
VM_SRCS += vm/atom.c
VM_SRCS += vm/binary.c
VM_SRCS += vm/magic.c
VM_SRCS += vm/bignum.c
VM_SRCS += vm/bignum_bits.c
VM_SRCS += vm/bignum_text.c
VM_SRCS += vm/map.c
VM_SRCS += vm/term_stack.c
VM_SRCS += vm/term_compare.c
VM_SRCS += vm/term_print.c
VM_SRCS += vm/phash.c
VM_SRCS += vm/etf_encode.c
VM_SRCS += vm/etf_decode.c

# --- .beam file parsing (owner: loader work) ---
VM_SRCS += vm/genop.c vm/beam_file.c vm/beam_code.c vm/inflate_glue.c vm/md5.c

# --- the BIF table (shared; each area owns its vm/bifs_*.def) ---
VM_SRCS += vm/bif_table.c

# --- emulator, loader translation, code and export tables (owner: emulator work) ---
VM_SRCS += vm/export.c vm/code.c vm/fun_dangling.c vm/loader.c vm/code_purge.c vm/literal_area.c
VM_SRCS += vm/emu.c vm/emu_exc.c vm/emu_bs.c
VM_SRCS += vm/bif_code.c

# --- BIFs (owner: BIF work) ---
VM_SRCS += vm/bif_erlang_arith.c vm/bif_erlang_compare.c vm/bif_erlang_types.c
VM_SRCS += vm/bif_erlang_tuple.c vm/bif_erlang_list.c vm/bif_erlang_convert.c
VM_SRCS += vm/bif_erlang_float_fmt.c vm/bif_erlang_binary.c vm/bif_binary_slices.c vm/bif_erlang_etf.c
VM_SRCS += vm/etf_encode_slices.c vm/etf_decode_slices.c
VM_SRCS += vm/bif_erlang_time.c vm/bif_erlang_misc.c vm/bif_erlang_text.c
VM_SRCS += vm/bif_lists.c vm/bif_maps.c vm/map_hamt.c vm/map_hash.c vm/bif_math.c
VM_SRCS += vm/bif_binary.c vm/bif_binary_match.c
# --- match specifications (owner: match-spec work) ---
VM_SRCS += vm/match_spec_compile.c vm/match_spec_run.c vm/match_spec_text.c vm/bif_match_spec.c
VM_SRCS += vm/bif_unicode.c vm/bif_md5.c
VM_SRCS += vm/bif_decode_packet.c vm/packet_http.c vm/bif_phash_legacy.c

# --- processes, mailboxes, signals, schedulers, timers (owner: process work) ---
VM_SRCS += vm/term_copy.c vm/proc.c vm/proc_links.c vm/signal.c vm/mailbox.c
VM_SRCS += vm/sched.c vm/timer.c vm/registry.c
VM_SRCS += vm/bif_proc.c vm/bif_proc_misc.c vm/suspend.c
VM_SRCS += vm/bif_proc_info.c vm/proc_info.c vm/bif_system.c vm/sys_stats.c vm/system_monitor.c
VM_SRCS += vm/bif_atomics.c vm/bif_persistent_term.c

# --- ETS (owner: ETS work; docs/ets.md) ---
VM_SRCS += vm/ets_obj.c vm/ets_hash.c vm/ets_tree.c vm/ets_catree.c vm/ets_registry.c vm/ets_reclaim.c
VM_SRCS += vm/bif_ets.c vm/bif_ets_update.c vm/bif_ets_info.c vm/ets_select.c vm/bif_ets_ms.c

# --- garbage collector (owner: GC work) ---
VM_SRCS += vm/gc.c vm/gc_copy.c vm/gc_offheap.c vm/gc_sizes.c vm/heap_limits.c vm/pdict.c

# --- platform implementations, boot (owner: lead) ---
VM_SRCS += vm/bootfs.c
VM_SRCS += vm/bif_beamos.c vm/bif_os.c vm/bif_code_info.c vm/boot.c
VM_SRCS += vm/bif_erts_debug.c
VM_HOST_SRCS += vm/host/platform_host.c

