#!/usr/bin/env bash
# build-zlib.sh [FLAVOUR...] — build zlib's inflate side as static libraries.
#
# Flavours (default: all three):
#   host      build/zlib/host/libz.a       ordinary host cflags (unit tests)
#   host-san  build/zlib/host-san/libz.a   with -fsanitize=address,undefined
#   kernel    build/zlib/kernel/libz.a     freestanding, against build/newlib
#
# The source is Debian's `zlib` source package, unpacked by apt-source.sh into
# build/src (never into the repository). Only the inflate-related files are
# compiled, with -DZ_SOLO: no gz* file I/O, no stdio/unistd, and no default
# allocator (callers pass zalloc/zfree — see vm/inflate_glue.c). The public
# headers are copied to build/zlib/include (ZLIB_INC in mk/zlib.mk).
# Each flavour is cached by a stamp file build/zlib/<flavour>/.built.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=build/zlib
mkdir -p "$out" build/src

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(host host-san kernel)

# Inflate, deflate and what they need; gz* and compress/uncompr are left out.
zsrcs=(inflate.c inffast.c inftrees.c deflate.c trees.c adler32.c crc32.c zutil.c)

# --- fetch + headers, once, under a lock (make -j may start flavours at once)
exec 9>"$out/.lock"
flock 9
if [ ! -f "$out/.src" ]; then
  src=$(ls -d build/src/zlib-*/ 2>/dev/null | head -n1 || true)
  if [ -z "$src" ] || [ ! -f "$src/inflate.c" ]; then
    src=$(scripts/apt-source.sh zlib build/src)
  fi
  src=${src%/}
  [ -f "$src/inflate.c" ] || { echo "build-zlib: no inflate.c in $src" >&2; exit 1; }
  mkdir -p "$out/include"
  cp "$src/zlib.h" "$src/zconf.h" "$out/include/"
  echo "$(cd "$src" && pwd)" > "$out/.src"
fi
src=$(cat "$out/.src")
flock -u 9

common=(-std=gnu11 -DZ_SOLO -I"$src" -w)
gcc_inc=$(gcc -print-file-name=include)

for fl in "${flavours[@]}"; do
  dir=$out/$fl
  # The stamp holds the source list, so a change to it rebuilds.
  [ "$(cat "$dir/.built" 2>/dev/null)" = "${zsrcs[*]}" ] && continue
  case $fl in
    host)     cflags=(-O2 -g) ;;
    host-san) cflags=(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer) ;;
    kernel)
      [ -d build/newlib/install/x86_64-elf/include ] ||
        { echo "build-zlib: newlib is not built (build/newlib/install)" >&2; exit 1; }
      cflags=(-O2 -g -ffreestanding -mcmodel=kernel -mno-red-zone -fno-pic -fno-pie
              -fno-stack-protector -nostdinc
              -isystem "$root/build/newlib/install/x86_64-elf/include" -isystem "$gcc_inc") ;;
    *) echo "build-zlib: unknown flavour $fl" >&2; exit 1 ;;
  esac
  rm -rf "$dir"; mkdir -p "$dir/obj"
  objs=()
  for f in "${zsrcs[@]}"; do
    o=$dir/obj/${f%.c}.o
    gcc "${common[@]}" "${cflags[@]}" -c "$src/$f" -o "$o"
    objs+=("$o")
  done
  ar rcs "$dir/libz.a" "${objs[@]}"
  echo "${zsrcs[*]}" > "$dir/.built"
  echo "build-zlib: $dir/libz.a"
done
