#!/usr/bin/env bash
# Fetches the Linux reference kernel for `make bench`: Debian's i386 package
# linux-image-686 (a metapackage; we follow it to the real image), downloaded with
# a private apt configuration under DIR so that nothing under /etc changes, and
# unpacked to DIR/vmlinuz (plus DIR/config and DIR/version), with its e1000 module
# (DIR/e1000.ko) and Debian's busybox-static for i386 (DIR/busybox) for the
# network peer (tools/net/linux-peer.sh).
#
#   tools/bench/linux-kernel.sh DIR
#
# apt is pointed at the machine's own Debian mirrors, restricted to each base
# suite (no -updates or -security), so a rebuild picks the same point release.
set -euo pipefail
mkdir -p "$1"
dir=$(cd "$1" && pwd)
apt_dir=$dir/apt
mkdir -p "$apt_dir"/sources "$apt_dir"/lists/partial "$apt_dir"/cache/archives/partial \
	"$apt_dir"/deb
: >"$apt_dir"/status

# The machine's deb822 sources, each stanza narrowed to i386 and its base suites.
# Debian 12 keeps its own in debian.sources; other .sources files are third parties'.
src=/etc/apt/sources.list.d/debian.sources
[ -f "$src" ] || src=$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
if [ -n "$src" ]; then
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	{
		types = uris = suites = comps = signed = ""
		n = split($0, line, "\n")
		for (i = 1; i <= n; i++) {
			if (line[i] ~ /^#/) continue
			key = line[i]; sub(/:.*/, "", key)
			val = line[i]; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "Types") types = val
			else if (key == "URIs") uris = val
			else if (key == "Suites") suites = val
			else if (key == "Components") comps = val
			else if (key == "Signed-By") signed = val
		}
		if (types !~ /(^| )deb( |$)/) next
		base = ""
		m = split(suites, s, " ")
		for (i = 1; i <= m; i++) if (s[i] !~ /-/) base = base (base ? " " : "") s[i]
		if (base == "") next
		out = "Types: deb\nURIs: " uris "\nSuites: " base "\nComponents: " comps
		if (signed != "") out = out "\nSigned-By: " signed
		print out "\nArchitectures: i386"
	}' "$src" >"$apt_dir"/sources/debian.sources
elif [ -f /etc/apt/sources.list ]; then
	# one-line format: "deb [options] URI suite components"
	awk '$1 == "deb" {
		i = 2; opts = ""
		if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
		if ($(i + 1) ~ /-/) next
		gsub(/[\[\]]/, "", opts)
		line = "deb [arch=i386" opts "]"
		for (; i <= NF; i++) line = line " " $i
		print line
	}' /etc/apt/sources.list >"$apt_dir"/sources/debian.list
else
	echo "linux-kernel.sh: no apt sources found on this machine" >&2
	exit 1
fi

apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir"/sources
	-o Dir::State::Lists="$apt_dir"/lists -o Dir::Cache="$apt_dir"/cache
	-o Dir::State::status="$apt_dir"/status -o APT::Architecture=i386
	-o APT::Architectures=i386 -o APT::Sandbox::User=root)
log=$dir/apt.log
if ! apt-get -q "${apt_opts[@]}" update >"$log" 2>&1; then
	cat "$log" >&2
	echo "linux-kernel.sh: apt-get update failed (log: $log)" >&2
	exit 1
fi
# linux-image-686 depends on exactly one linux-image-<abi>-686.
image=$(apt-cache "${apt_opts[@]}" depends linux-image-686 |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
if [ -z "$image" ]; then
	echo "linux-kernel.sh: cannot resolve linux-image-686 for i386" >&2
	exit 1
fi
(cd "$apt_dir"/deb && rm -f ./*.deb && apt-get -q "${apt_opts[@]}" download "$image" >>"$log" 2>&1) || {
	cat "$log" >&2
	echo "linux-kernel.sh: apt-get download $image failed" >&2
	exit 1
}
deb=$(ls "$apt_dir"/deb/"$image"_*.deb)
rm -rf "$dir"/unpack
mkdir -p "$dir"/unpack
# the kernel, and the e1000 module the network peer (tools/net/linux-peer.sh) loads:
# e1000 is a module in Debian's 686 kernel
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir"/unpack --wildcards './boot/*' '*/e1000/e1000.ko*'
mv "$dir"/unpack/boot/vmlinuz-* "$dir"/vmlinuz.tmp
mv "$dir"/unpack/boot/config-* "$dir"/config
ko=$(find "$dir"/unpack -name 'e1000.ko*' | head -1)
case "$ko" in
*.xz) xz -dc "$ko" >"$dir"/e1000.ko ;;
*.zst) zstd -qdc "$ko" >"$dir"/e1000.ko ;;
*) cp "$ko" "$dir"/e1000.ko ;;
esac
rm -rf "$dir"/unpack
echo "$image $(dpkg-deb -f "$deb" Version)" >"$dir"/version.tmp
rm -f "$deb"	# 50 MB we no longer need: the kernel is unpacked
# busybox for the network peer's initramfs: the static i386 build
(cd "$apt_dir"/deb && apt-get -q "${apt_opts[@]}" download busybox-static >>"$log" 2>&1) || {
	cat "$log" >&2
	echo "linux-kernel.sh: apt-get download busybox-static failed" >&2
	exit 1
}
mkdir -p "$dir"/unpack
dpkg-deb --fsys-tarfile "$apt_dir"/deb/busybox-static_*.deb | tar -x -C "$dir"/unpack ./bin/busybox
mv "$dir"/unpack/bin/busybox "$dir"/busybox
rm -rf "$dir"/unpack "$apt_dir"/deb/busybox-static_*.deb
mv "$dir"/version.tmp "$dir"/version
mv "$dir"/vmlinuz.tmp "$dir"/vmlinuz	# last: the Makefile's target
echo "linux-kernel.sh: $(cat "$dir"/version)"
