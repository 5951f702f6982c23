#!/usr/bin/env bash
# mkbootfs.sh OUT.tar OTP_LIB "ERTS MODULES" "STDLIB MODULES" EBIN_DIR [APP_DIR]
# Builds the boot archive: the runtime's .beam files (EBIN_DIR), the named
# OTP modules copied unchanged from the installed OTP (OTP_LIB/erts-*/ebin,
# OTP_LIB/stdlib-*/ebin), and the application in APP_DIR: its .erl files
# compiled with erlc, plus any .beam files it holds. Flat ustar, one
# directory level, deterministic order. Rebuilt only when an input changed.
set -euo pipefail
out=$1 otp=$2 erts_mods=$3 stdlib_mods=$4 ebin=$5 app=${6:-}
stage="$out.d"
rm -rf "$stage"; mkdir -p "$stage/otp" "$stage/runtime" "$stage/app"
erts_dir=$(ls -d "$otp"/erts-*/ebin | head -n1)
stdlib_dir=$(ls -d "$otp"/stdlib-*/ebin | head -n1)
for m in $erts_mods; do cp "$erts_dir/$m.beam" "$stage/otp/"; done
for m in $stdlib_mods; do
  [ -f "$stdlib_dir/$m.beam" ] || { echo "mkbootfs: OTP has no $m.beam in $stdlib_dir" >&2; exit 1; }
  cp "$stdlib_dir/$m.beam" "$stage/otp/"
done
cp "$ebin"/*.beam "$stage/runtime/"
if [ -n "$app" ]; then
  [ -d "$app" ] || { echo "mkbootfs: APP=$app is not a directory" >&2; exit 1; }
  shopt -s nullglob
  erls=("$app"/*.erl); beams=("$app"/*.beam)
  # .beam files first, then the sources: a module given both ways is
  # taken from its source.
  [ ${#beams[@]} -gt 0 ] && cp "${beams[@]}" "$stage/app/"
  [ ${#erls[@]} -gt 0 ] && erlc -o "$stage/app" "${erls[@]}"
  [ -n "$(ls "$stage/app")" ] || { echo "mkbootfs: no .erl or .beam files in $app" >&2; exit 1; }
fi
tmp="$out.tmp"
(cd "$stage" && find . -name '*.beam' | LC_ALL=C sort | \
  tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "../$(basename "$tmp")" -T -)
if [ -f "$out" ] && cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; echo "mkbootfs: $out ($(tar -tf "$out" | wc -l) modules)"; fi
