#!/usr/bin/env bash
# Install the Debian packages BeamOS builds and tests with, if any is missing.
# Run by every make goal that builds (through a stamp in build/), so that a
# fresh Debian machine needs nothing but `make run` or `make test`.
set -euo pipefail
pkgs=(
  gcc make binutils nasm            # toolchain
  grub-pc-bin grub-common xorriso mtools  # grub-mkrescue and the disk image
  qemu-system-x86 qemu-utils        # boot and test the image
  newlib-source                     # the kernel's C library (built from source)
  erlang-base                       # erlc, stock erl for differential tests and benchmarks
  dpkg-dev                          # apt-get source (zlib, lwip)
  xz-utils ca-certificates
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
