# vm/ — the platform-neutral BEAM. Explicit source lists; every file here is
# compiled both for the kernel (build/k/) and for the host (build/host/).
# VM_HOST_SRCS are the hosted platform's files (never linked into the kernel).

VM_SRCS :=
VM_HOST_SRCS :=

# --- terms, atoms, bignums, external term format (owner: terms work) ---
VM_SRCS += vm/heap.c
VM_SRCS += vm/atom.c
VM_SRCS += vm/binary.c
VM_SRCS += vm/bignum.c
VM_SRCS += vm/bignum_bits.c
VM_SRCS += vm/bignum_text.c
VM_SRCS += vm/map.c
VM_SRCS += vm/term_compare.c
VM_SRCS += vm/term_print.c
VM_SRCS += vm/phash.c
VM_SRCS += vm/etf_encode.c
VM_SRCS += vm/etf_decode.c

# --- .beam file parsing (owner: loader work) ---
VM_SRCS += vm/genop.c vm/beam_file.c vm/beam_code.c vm/inflate_glue.c

# --- the BIF table (shared; each area owns its vm/bifs_*.def) ---
VM_SRCS += vm/bif_table.c

# --- emulator, loader translation, code and export tables (owner: emulator work) ---

# --- BIFs (owner: BIF work) ---

# --- processes, mailboxes, signals, schedulers, timers (owner: process work) ---

# --- garbage collector (owner: GC work) ---

# --- platform implementations, boot (owner: lead) ---
VM_SRCS += vm/bootfs.c
VM_SRCS += vm/bif_beamos.c
