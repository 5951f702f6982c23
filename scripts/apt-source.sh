#!/usr/bin/env bash
# apt-source.sh PACKAGE DEST — unpack Debian's source package PACKAGE into DEST
# (DEST/<package>-<version>/). Uses the machine's own Debian mirrors, turned
# into deb-src entries in a private apt state directory, so the system's apt
# configuration is left untouched. Prints the unpacked directory.
set -euo pipefail
pkg=$1; dest=$2
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sources.list.d" "$tmp/lists/partial" "$tmp/archives/partial"

# deb entries (deb822 or one-line) -> deb-src entries
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed -e 's/^Types:.*/Types: deb-src/' "$f" > "$tmp/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  grep -E '^deb ' "$f" | sed -e 's/^deb /deb-src /' > "$tmp/sources.list.d/$(basename "$f").list" || true
done

apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$tmp/sources.list.d"
          -o Dir::State::Lists="$tmp/lists" -o Dir::Cache::Archives="$tmp/archives"
          -o APT::Sandbox::User=root -qq)
apt-get "${apt_opts[@]}" update >&2
# The newest version first; a mirror may list a version whose files it no
# longer serves (seen: a security update's source gave 404), so fall back to
# every other version the indexes name, newest first.
fetched=0
if (cd "$dest" && apt-get "${apt_opts[@]}" source --download-only "$pkg" >&2); then
  fetched=1
else
  for v in $(apt-cache "${apt_opts[@]}" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -urV); do
    echo "apt-source: retrying $pkg=$v" >&2
    if (cd "$dest" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$v" >&2); then
      fetched=1; break
    fi
  done
fi
[ "$fetched" = 1 ] || { echo "apt-source: could not fetch any version of $pkg" >&2; exit 1; }
dsc=$(ls -t "$dest"/${pkg}_*.dsc | head -n1)
dir=$(cd "$dest" && dpkg-source --no-check -x "$dsc" >&2 && ls -dt "$dest"/${pkg}-*/ | head -n1)
echo "${dir%/}"
