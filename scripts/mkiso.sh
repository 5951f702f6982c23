#!/usr/bin/env bash
# mkiso.sh KERNEL.ELF OUT.iso 'KERNEL COMMAND LINE' [MODULE.tar ...]
# Packs the kernel (and boot archives, as Multiboot2 modules) with GRUB into a
# hybrid ISO that boots from a CD or, written to a disk, from a hard disk.
# Rebuilds only when an input or the command line changed.
set -euo pipefail
kernel=$1; out=$2; cmdline=${3:-}; shift 3 || shift $#
top=$(cd "$(dirname "$0")/.." && pwd)
stage="$out.d"
modules=""
for m in "$@"; do modules+="    module2 /boot/$(basename "$m") $(basename "$m" .tar)"$'\n'; done
stamp="$(sha1sum "$kernel" "$top/iso/grub.cfg" "$@" | sha1sum | cut -c1-40) $cmdline"
if [ -f "$out" ] && [ -f "$stage/.stamp" ] && [ "$(cat "$stage/.stamp")" = "$stamp" ]; then
  exit 0
fi
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/kernel.elf"
for m in "$@"; do cp "$m" "$stage/boot/"; done
# Escape for sed: the command line may contain / & and quotes.
esc_cmd=$(printf '%s' "$cmdline" | sed -e 's/[\/&]/\\&/g')
awk -v mods="$modules" '{ if ($0 == "@MODULES@") printf "%s", mods; else print }' "$top/iso/grub.cfg" \
  | sed -e "s/@CMDLINE@/$esc_cmd/" > "$stage/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$stage" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; exit 1; }
echo "$stamp" > "$stage/.stamp"
echo "mkiso: $out (command line: ${cmdline:-none})"
