#!/usr/bin/env bash
# Fetches a Debian source package (apt-get source, through a private apt
# configuration under OUT/apt, so nothing under /etc changes) and unpacks its
# upstream tarball alone into OUT/src: Debian's packaging patches concern its
# own build, not ours. Nothing else is downloaded, from nowhere else.
# Idempotent: a finished unpack (OUT/src/.unpacked) is kept until build/ goes.
#   tools/debsrc.sh PACKAGE OUT CHECKFILE
# CHECKFILE is a path inside the tree that must exist (a sanity check).
# An `apt-get update` that fails (a mirror mid-sync, NOTES.md) is not fatal:
# the lists it did fetch, or fetched before, may still hold the source entry;
# only a failed `apt-get source` is.
set -euo pipefail
pkg=$1
out=$(realpath -m "$2")
check=$3
tag=$(printf '%-7s' "$(tr a-z A-Z <<<"$pkg" | cut -c1-7)")
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
[ -n "$(ls -A "$apt/sources")" ] || { echo "$pkg: no apt sources found under /etc/apt" >&2; exit 1; }

aptopts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources"
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	-o APT::Sandbox::User=root)

if ! ls "$out/download/${pkg}"_*.dsc >/dev/null 2>&1; then
	echo "  $tag apt-get source $pkg (log: $out/apt.log)"
	apt-get "${aptopts[@]}" -qq update >"$out/apt.log" 2>&1 ||
		echo "  $tag apt-get update failed (going on with the lists it has)" >&2
	if ! (cd "$out/download" && apt-get "${aptopts[@]}" -q source --download-only "$pkg") >>"$out/apt.log" 2>&1; then
		tail -20 "$out/apt.log" >&2
		echo "$pkg: apt-get source $pkg failed" >&2
		exit 1
	fi
fi

orig=$(ls "$out/download/${pkg}"_*.orig.tar.* | head -1)
rm -rf "$out/src" "$out/unpack" && mkdir -p "$out/unpack"
tar -xf "$orig" -C "$out/unpack"
top=$(find "$out/unpack" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -f "$top/$check" ] || { echo "$pkg: $orig has no $check" >&2; exit 1; }
mv "$top" "$out/src" && rmdir "$out/unpack"
touch "$stamp"
echo "  $tag $(basename "$orig") unpacked in $out/src"
