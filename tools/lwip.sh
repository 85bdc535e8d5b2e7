#!/usr/bin/env bash
# Fetches lwIP's source from Debian (apt-get source, through a private apt
# configuration under build/, so nothing under /etc changes) and unpacks its
# upstream tree into OUT/src. Nothing else is downloaded, from nowhere else.
# Idempotent: a finished unpack is kept until build/ is removed.
#   tools/lwip.sh OUT            (the Makefile uses build/lwip)
# An `apt-get update` that fails (a mirror mid-sync, NOTES.md) is not fatal:
# the lists it did fetch, or fetched before, may still hold lwip's source
# entry; only a failed `apt-get source` is.
set -euo pipefail
out=$(realpath -m "$1")
stamp=$out/src/.unpacked
[ -f "$stamp" ] && exit 0

apt=$out/apt
mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/cache/archives/partial" "$out/download"

# The machine's own mirrors, as deb-src entries: deb822 files and one-line lists.
rm -f "$apt/sources/"*
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >"$apt/sources/$(basename "$f")"
done
[ -n "$(ls -A "$apt/sources")" ] || { echo "lwip: no apt sources found under /etc/apt" >&2; exit 1; }

aptopts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources"
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	-o APT::Sandbox::User=root)

if ! ls "$out/download"/lwip_*.dsc >/dev/null 2>&1; then
	echo "  LWIP    apt-get source lwip (log: $out/apt.log)"
	apt-get "${aptopts[@]}" -qq update >"$out/apt.log" 2>&1 ||
		echo "  LWIP    apt-get update failed (going on with the lists it has)" >&2
	if ! (cd "$out/download" && apt-get "${aptopts[@]}" -q source --download-only lwip) >>"$out/apt.log" 2>&1; then
		tail -20 "$out/apt.log" >&2
		echo "lwip: apt-get source lwip failed" >&2
		exit 1
	fi
fi

# The upstream tarball alone: Debian's packaging patches concern its own build.
orig=$(ls "$out/download"/lwip_*.orig.tar.* | head -1)
rm -rf "$out/src" "$out/unpack" && mkdir -p "$out/unpack"
tar -xf "$orig" -C "$out/unpack"
top=$(find "$out/unpack" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -f "$top/src/core/tcp.c" ] || { echo "lwip: $orig has no src/core/tcp.c" >&2; exit 1; }
mv "$top" "$out/src" && rmdir "$out/unpack"
touch "$stamp"
echo "  LWIP    $(basename "$orig") unpacked in $out/src"
