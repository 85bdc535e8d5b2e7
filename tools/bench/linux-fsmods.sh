#!/usr/bin/env bash
# The modules the Linux side of the fs rows loads (virtio-blk on legacy PCI, and
# ext4, which mounts ext2, and crc32c, which ext4 will not mount without; vfat and
# the character sets its mount asks for, codepage 437 and ascii, for the fat rows):
# taken from the same Debian package as DIR/vmlinuz
# (DIR/version names it), downloaded again through linux-kernel.sh's private apt
# configuration under DIR/apt, with what each needs (each module's own
# `depends=` in its .modinfo section: the package ships no modules.dep),
# into DIR/fsmods/, and DIR/fsmods/order, the names in the order to load them.
#
#   tools/bench/linux-fsmods.sh DIR
set -euo pipefail
dir=$(cd "$1" && pwd)
apt_dir=$dir/apt
[ -f "$dir/version" ] && [ -d "$apt_dir/sources" ] || {
	echo "linux-fsmods.sh: no kernel in $dir yet (tools/bench/linux-kernel.sh first)" >&2
	exit 1
}
read -r image version <"$dir/version"
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir"/sources
	-o Dir::State::Lists="$apt_dir"/lists -o Dir::Cache="$apt_dir"/cache
	-o Dir::State::status="$apt_dir"/status -o APT::Architecture=i386
	-o APT::Architectures=i386 -o APT::Sandbox::User=root)
log=$dir/apt-fsmods.log
mkdir -p "$apt_dir"/deb
(cd "$apt_dir"/deb && rm -f ./*.deb && apt-get -q "${apt_opts[@]}" download "$image=$version" >"$log" 2>&1) || {
	cat "$log" >&2
	echo "linux-fsmods.sh: apt-get download $image=$version failed" >&2
	exit 1
}
deb=$(ls "$apt_dir"/deb/"$image"_*.deb)
rm -rf "$dir"/unpack "$dir"/fsmods.tmp
mkdir -p "$dir"/unpack "$dir"/fsmods.tmp
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir"/unpack --wildcards '*/kernel/drivers/virtio/*' \
	'*/kernel/drivers/block/virtio_blk.ko*' '*/kernel/fs/*' '*/kernel/lib/*' '*/kernel/crypto/*'
rm -f "$deb"
moddir=$(find "$dir"/unpack -type d -name kernel | head -1)
# Each wanted module after what it depends on.
python3 - "$moddir" "$dir"/fsmods.tmp virtio_pci virtio_blk crc32c_generic ext4 vfat nls_cp437 nls_ascii <<'PY'
import os, re, shutil, sys
moddir, out, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
by_name = {}
for root, _, files in os.walk(moddir):
    for f in files:
        if f.endswith(".ko"):
            by_name[f[:-3].replace("-", "_")] = os.path.relpath(os.path.join(root, f), moddir)
def depends(path):
    # the .modinfo section's strings: "depends=a,b" (NUL-separated)
    m = re.search(rb"(?:^|\0)depends=([^\0]*)", open(os.path.join(moddir, path), "rb").read())
    return [by_name[d.replace("-", "_")] for d in m.group(1).decode().split(",") if d] if m else []
order = []
def visit(path):
    if path in order:
        return
    for d in depends(path):
        visit(d)
    order.append(path)
for w in wanted:
    visit(by_name[w])
with open(os.path.join(out, "order"), "w") as f:
    for p in order:
        name = os.path.basename(p)
        shutil.copy(os.path.join(moddir, p), os.path.join(out, name))
        f.write(name + "\n")
PY
rm -rf "$dir"/unpack "$dir"/fsmods
mv "$dir"/fsmods.tmp "$dir"/fsmods
echo "linux-fsmods.sh: $(tr '\n' ' ' <"$dir"/fsmods/order)"
