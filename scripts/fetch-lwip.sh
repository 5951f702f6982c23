#!/usr/bin/env bash
# fetch-lwip.sh — lwIP's source from Debian (apt-get source lwip) into
# build/src/, for the network stack (net/). Prints the source directory.
# Cached: a second run only prints the directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/build/src"
stamp="$dest/.lwip"
if [ -f "$stamp" ] && [ -d "$(cat "$stamp")" ]; then cat "$stamp"; exit 0; fi
dir=$("$top/scripts/apt-source.sh" lwip "$dest")
[ -f "$dir/src/core/tcp.c" ] || { echo "fetch-lwip: $dir does not look like lwIP" >&2; exit 1; }
echo "$dir" > "$stamp"
echo "$dir"
