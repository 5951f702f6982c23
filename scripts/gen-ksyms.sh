#!/usr/bin/env bash
# gen-ksyms.sh KERNEL.ELF > ksyms.asm — the kernel's function symbols as a
# sorted table for backtraces (kernel/ksyms.c reads it). The kernel is linked
# twice: first without the table, then with it; .ksyms follows all code
# (linker.ld), so the second link moves no function.
set -euo pipefail
elf=$1
echo 'section .ksyms progbits alloc noexec nowrite align=8'
nm -n --defined-only "$elf" | awk 'BEGIN { n = 0 }
  $2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff8/ { addr[n] = $1; name[n] = $3; n++ }
  END {
    printf "dq %d\n", n
    off = 0
    for (i = 0; i < n; i++) { printf "dq 0x%s, %d\n", addr[i], off; off += length(name[i]) + 1 }
    for (i = 0; i < n; i++) printf "db \"%s\", 0\n", name[i]
  }'
