#!/usr/bin/env bash
# Build newlib for the kernel: x86-64, freestanding, kernel code model, no red
# zone, no multilib, no supplied system calls (kernel/syscalls.c provides them).
# Source: Debian's newlib-source package (/usr/src/newlib-*.tar.xz).
# Output: build/newlib/install/x86_64-elf/{include,lib}; cached by a stamp file.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/newlib"
stamp="$out/.built"
[ -f "$stamp" ] && exit 0

tarball=$(ls /usr/src/newlib/newlib-*.tar.* /usr/src/newlib-*.tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || { echo "build-newlib: no /usr/src/newlib-*.tar.* (install newlib-source)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/wrap" "$out/obj" "$out/install"
tar -C "$out" -xf "$tarball"
src=$(ls -d "$out"/newlib-*/ | head -n1)

# Newlib's build wants a cross toolchain named x86_64-elf-*; the host gcc and
# binutils produce the same code when given freestanding flags, so wrap them.
cflags="-ffreestanding -mcmodel=kernel -mno-red-zone -fno-pic -fno-pie -fno-stack-protector -O2 -g"
for t in gcc cc; do
  printf '#!/bin/sh\nexec gcc %s "$@"\n' "$cflags" > "$out/wrap/x86_64-elf-$t"
done
for t in ar as ld nm objcopy objdump ranlib readelf strip; do
  printf '#!/bin/sh\nexec %s "$@"\n' "$t" > "$out/wrap/x86_64-elf-$t"
done
chmod +x "$out/wrap"/*

cd "$out/obj"
PATH="$out/wrap:$PATH" "$src/configure" \
  --target=x86_64-elf --prefix="$out/install" \
  --disable-multilib --disable-newlib-supplied-syscalls \
  --enable-newlib-io-long-long --enable-newlib-io-c99-formats \
  --enable-newlib-io-long-double --disable-newlib-fvwrite-in-streamio \
  --enable-newlib-reent-small=no --disable-nls \
  CFLAGS_FOR_TARGET="$cflags" > "$out/configure.log" 2>&1
PATH="$out/wrap:$PATH" make -j"$(nproc)" all-target-newlib > "$out/make.log" 2>&1 \
  || { tail -40 "$out/make.log" >&2; exit 1; }
PATH="$out/wrap:$PATH" make install-target-newlib > "$out/install.log" 2>&1 \
  || { tail -40 "$out/install.log" >&2; exit 1; }
touch "$stamp"
echo "build-newlib: installed in $out/install"
