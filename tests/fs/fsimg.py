#!/usr/bin/env python3
"""The fs suite's host side (tests/fs/README.md): images before, checks after.

  fsimg.py make DIR SEED   the trees, MANIFEST and WORKLOAD files, and the images
                           ext2.img (vd0), fat.img (hd0) and spare.img (hd1);
                           prints the sector the hd1 driver is to hold (hold=)
  fsimg.py check DIR       e2fsck -fn and fsck.fat -n on what the guest left,
                           and the workload's folders equal to the model's;
                           prints `ok`/`not ok` lines from number N (argv[3])

The workload is text the guest reads from /WORKLOAD and runs twice, under /w
(ext2) and /dos/w (FAT). Its data is a pattern both sides compute (pattern()).
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys

MiB = 1024 * 1024


def pattern(seed, size):
    """Byte i: byte i%4 of the word (i/4 * 0x9E3779B1 + seed * 0x85EBCA77) mod 2**32."""
    out = bytearray(size)
    base = (seed * 0x85EBCA77) & 0xFFFFFFFF
    for w in range((size + 3) // 4):
        x = (w * 0x9E3779B1 + base) & 0xFFFFFFFF
        chunk = x.to_bytes(4, "little")
        n = min(4, size - w * 4)
        out[w * 4:w * 4 + n] = chunk[:n]
    return bytes(out)


def sh(cmd, ok=(0,)):
    r = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode not in ok:
        sys.exit(f"fsimg: `{cmd}` exited {r.returncode}:\n{r.stdout}")
    return r.stdout


# ---- the trees read back ----

SIZES = [0, 1, 511, 512, 1000, 1023, 1024, 1025, 4095, 4096, 4097, 12 * 1024, 12 * 1024 + 1,
         40000, 140 * 1024, 300 * 1024 + 7]


def make_tree(root, rnd):
    """Folders and files of random bytes; names FAT takes too (long, mixed case)."""
    files = {}
    dirs = ["", "docs", "docs/Long Folder Name", "src", "src/deep", "src/deep/er", "empty"]
    for d in dirs:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    names = ["a.txt", "README", "Mixed Case Name.dat", "x" * 40 + ".bin", "n0", "n1", "n2", "data.bin"]
    k = 0
    for size in SIZES:
        d = dirs[k % (len(dirs) - 1)]
        name = f"{k:02d}-{names[k % len(names)]}"
        rel = os.path.join(d, name) if d else name
        data = rnd.randbytes(size)
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)
        files[rel] = data
        k += 1
    return files


def write_manifest(root, files, links):
    lines = [f"{hashlib.md5(data).hexdigest()}\t{len(data)}\t/{rel}" for rel, data in sorted(files.items())]
    lines += [f"L\t{target}\t/{rel}" for rel, target in sorted(links.items())]
    with open(os.path.join(root, "MANIFEST"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---- the workload ----

class Model:
    """A tree of names to inodes (so that hard links share bytes), as the workload leaves it."""

    def __init__(self, links):
        self.links = links
        self.names = {"": "dir"}     # path -> "dir" | ("file", ino) | ("sym", target)
        self.inodes = {}
        self.next = 0

    def kids(self, d):
        p = d + "/" if d else ""
        return [n for n in self.names if n != d and n.startswith(p) and "/" not in n[len(p):]]

    def is_dir(self, p):
        return self.names.get(p) == "dir"

    def apply(self, op):
        """Runs op on the model; returns the errno it must fail with, or 0."""
        kind, a = op[0], op[1:]
        if kind == "mkdir":
            if a[0] in self.names:
                return 17
            self.names[a[0]] = "dir"
        elif kind == "write":
            p, seed, size = a[0], int(a[1]), int(a[2])
            if p not in self.names:
                self.next += 1
                self.names[p] = ("file", self.next)
            self.inodes[self.names[p][1]] = bytearray(pattern(seed, size))
        elif kind in ("pwrite", "append"):
            p = a[0]
            b = self.inodes[self.names[p][1]]
            off = len(b) if kind == "append" else int(a[1])
            seed, size = int(a[-2]), int(a[-1])
            if off > len(b):
                b.extend(bytes(off - len(b)))
            b[off:off + size] = pattern(seed, size)
        elif kind == "trunc":
            b = self.inodes[self.names[a[0]][1]]
            size = int(a[1])
            del b[size:]
            b.extend(bytes(size - len(b)))
        elif kind == "unlink":
            if a[0] not in self.names:
                return 2
            del self.names[a[0]]
        elif kind == "rmdir":
            if self.kids(a[0]):
                return 39
            del self.names[a[0]]
        elif kind == "rename":
            src, dst = a
            if self.is_dir(src) and (dst + "/").startswith(src + "/"):
                return 22
            moved = {n: v for n, v in self.names.items() if n == src or n.startswith(src + "/")}
            for n in moved:
                del self.names[n]
            if dst in self.names:
                del self.names[dst]
            for n, v in moved.items():
                self.names[dst + n[len(src):]] = v
        elif kind == "link":
            if not self.links:
                return 1
            self.names[a[1]] = self.names[a[0]]
        elif kind == "symlink":
            if not self.links:
                return 1
            self.names[a[1]] = ("sym", a[0])
        return 0

    def files(self):
        return [n for n, v in self.names.items() if isinstance(v, tuple) and v[0] == "file"]

    def write_out(self, root):
        os.makedirs(root, exist_ok=True)
        for n, v in sorted(self.names.items()):
            path = os.path.join(root, n)
            if v == "dir":
                os.makedirs(path, exist_ok=True)
            elif v[0] == "file":
                with open(path, "wb") as f:
                    f.write(self.inodes[v[1]])
            else:
                os.symlink(v[1], path)


def make_workload(rnd, nops=160):
    """Ops on a model with links (ext2's); ops a FAT model cannot take fail there with EPERM."""
    m = Model(True)
    ops = []
    n = 0

    def fresh(d):
        nonlocal n
        n += 1
        stem = rnd.choice(["file", "Some_Long-Name", "UPPER", "mixed.Case", "f"])
        name = f"{stem}{n}"
        return f"{d}/{name}" if d else name

    def dirs():
        return [p for p, v in m.names.items() if v == "dir" and not p.startswith("links")]

    def plain_files():
        return [p for p in m.files() if not p.startswith("links")]

    def add(op, expect=0):
        got = m.apply(op)
        assert got == expect, (op, got, expect)
        ops.append((f"E{expect} " if expect else "") + " ".join(str(x) for x in op))

    add(("mkdir", "links"))
    for _ in range(nops):
        r = rnd.random()
        fs_ = plain_files()
        ds = dirs()
        if r < 0.12 and fs_:
            add(("mkdir", fresh(rnd.choice(ds))))
        elif r < 0.35 or not fs_:
            add(("write", fresh(rnd.choice(ds)), rnd.randrange(1 << 30), rnd.choice([0, 1, 700, 1024, 5000, 70000, 200000])))
        elif r < 0.45:
            p = rnd.choice(fs_)
            size = len(m.inodes[m.names[p][1]])
            add(("pwrite", p, rnd.randrange(0, size + 3000), rnd.randrange(1 << 30), rnd.randrange(1, 9000)))
        elif r < 0.50:
            add(("append", rnd.choice(fs_), rnd.randrange(1 << 30), rnd.randrange(1, 5000)))
        elif r < 0.60:
            p = rnd.choice(fs_)
            size = len(m.inodes[m.names[p][1]])
            add(("trunc", p, rnd.choice([0, size // 2, size + 1500, 13000])))
        elif r < 0.70:
            p = rnd.choice(fs_)
            if rnd.random() < 0.3 and len(fs_) > 1:
                q = rnd.choice([f for f in fs_ if f != p])     # over an existing file
            else:
                q = fresh(rnd.choice(ds))
            add(("rename", p, q))
        elif r < 0.76:
            d = rnd.choice([x for x in ds if x not in ("",)] or [""])
            if d and rnd.random() < 0.5:
                under = [x for x in ds if x.startswith(d + "/")] + [d]
                add(("rename", d, fresh(rnd.choice(under))), 22)
            elif d:
                tgt = fresh(rnd.choice([x for x in ds if not (x + "/").startswith(d + "/")]))
                add(("rename", d, tgt))
        elif r < 0.84:
            add(("unlink", rnd.choice(fs_)))
        elif r < 0.88:
            empty = [x for x in ds if x and not m.kids(x)]
            full = [x for x in ds if x and m.kids(x)]
            if empty:
                add(("rmdir", rnd.choice(empty)))
            if full and rnd.random() < 0.5:
                add(("rmdir", rnd.choice(full)), 39)
        elif r < 0.92:
            add(("link", rnd.choice(fs_), fresh("links")))
        elif r < 0.95:
            add(("symlink", "../" + rnd.choice(fs_), fresh("links")))
        elif r < 0.97:
            add(("mkdir", rnd.choice([x for x in ds if x])) if len(ds) > 1 else ("mkdir", "links"), 17)
        else:
            add(("unlink", fresh("")), 2)
    return ops


def run_model(ops, links):
    m = Model(links)
    for line in ops:
        words = line.split()
        expect = 0
        if words[0].startswith("E"):
            expect, words = int(words[0][1:]), words[1:]
        got = m.apply(tuple(words))
        want = expect if links or words[0] not in ("link", "symlink") else 1
        assert got == want, (line, got, want)
    return m


# ---- make and check ----

def cmd_make(d, seed):
    rnd = random.Random(seed)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    root, dos, spare = (os.path.join(d, x) for x in ("root", "dos", "spare"))
    files = make_tree(root, rnd)
    shutil.copytree(root, dos)
    # ext2's own: a hard link, a symbolic link, the workload, and the mount points
    os.link(os.path.join(root, sorted(files)[3]), os.path.join(root, "hardlink"))
    files_ext2 = dict(files)
    files_ext2["hardlink"] = files[sorted(files)[3]]
    os.symlink("docs/" + os.listdir(os.path.join(root, "docs"))[0], os.path.join(root, "symlink"))
    links = {"symlink": os.readlink(os.path.join(root, "symlink"))}
    for mp in ("w", "dos", "spare", "bad"):
        os.makedirs(os.path.join(root, mp))
    os.makedirs(os.path.join(dos, "w"))
    ops = make_workload(rnd)
    with open(os.path.join(root, "WORKLOAD"), "w") as f:
        f.write("\n".join(ops) + "\n")
    write_manifest(root, files_ext2, links)
    write_manifest(dos, files, {})
    sh(f"mke2fs -q -F -t ext2 -b 1024 -d {root} {d}/ext2.img 16M")
    sh(f"rm -f {d}/fat.img && mkfs.fat -F 16 -s 2 -n FSTEST -C {d}/fat.img 16384 >/dev/null && "
       f"mcopy -s -i {d}/fat.img {dos}/* ::/")
    # hd1: an ext2 volume with one big file (the kill cases), then, from 8 MiB, a
    # FAT12 volume the corrupt cases copy over its start
    os.makedirs(spare)
    big = rnd.randbytes(MiB)
    with open(os.path.join(spare, "big"), "wb") as f:
        f.write(big)
    write_manifest(spare, {"big": big}, {})
    for sub in ("docs", "src"):     # more for the corrupt cases to walk
        shutil.copytree(os.path.join(dos, sub), os.path.join(spare, sub))
    sh(f"mke2fs -q -F -t ext2 -b 4096 -d {spare} {d}/spare-ext2.img 8M")
    sh(f"rm -f {d}/spare-fat.img && mkfs.fat -F 12 -n SPARE -C {d}/spare-fat.img 2048 >/dev/null && "
       f"mcopy -s -i {d}/spare-fat.img {dos}/docs {dos}/src {dos}/MANIFEST ::/")
    with open(f"{d}/spare.img", "wb") as out:
        out.write(open(f"{d}/spare-ext2.img", "rb").read())
        out.write(open(f"{d}/spare-fat.img", "rb").read())
    # the sector the hd1 driver holds: in the middle of /big (fstest.c's BIG_HELD_OFF: block 128 of 4 KiB)
    block = int(sh(f"debugfs -R 'bmap /big 128' {d}/spare-ext2.img 2>/dev/null").split()[0])
    print(block * 8)


def tree_of(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("sym", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", hashlib.md5(open(p, "rb").read()).hexdigest())
    return out


def compare(got, want):
    a, b = tree_of(got), tree_of(want)
    bad = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            bad.append(f"{k}: image {a.get(k)}, model {b.get(k)}")
    return bad


def cmd_check(d, n):
    ops = open(os.path.join(d, "root", "WORKLOAD")).read().split("\n")
    ops = [o for o in ops if o]
    results = []
    r = subprocess.run(f"e2fsck -fn {d}/ext2.img", shell=True, capture_output=True, text=True)
    results.append((r.returncode == 0, "ext2: e2fsck -fn finds the image the guest left clean", r.stdout[-800:]))
    r = subprocess.run(f"fsck.fat -n {d}/fat.img", shell=True, capture_output=True, text=True)
    results.append((r.returncode == 0 and "differ" not in r.stdout, "fat: fsck.fat -n finds the image the guest left clean", r.stdout[-800:]))
    for name, links, extract in (
            ("ext2", True, f"debugfs -R 'rdump /w {d}/got-ext2' {d}/ext2.img"),
            ("fat", False, f"mcopy -s -n -i {d}/fat.img ::/w {d}/got-fat/")):
        shutil.rmtree(f"{d}/got-{name}", ignore_errors=True)
        shutil.rmtree(f"{d}/want-{name}", ignore_errors=True)
        os.makedirs(f"{d}/got-{name}")
        sh(extract + " >/dev/null 2>&1", ok=(0, 1))
        run_model(ops, links).write_out(f"{d}/want-{name}/w")
        bad = compare(f"{d}/got-{name}/w", f"{d}/want-{name}/w")
        results.append((not bad, f"{name}: the workload's {len(ops)} operations left the tree the model did, file by file",
                        "\n".join(bad[:10])))
        # the files the workload did not touch are as made
        base = f"{d}/{'root' if links else 'dos'}"
        extract_all = (f"debugfs -R 'rdump /docs /src {d}/got-{name}' {d}/ext2.img" if links else
                       f"mcopy -s -n -i {d}/fat.img ::/docs ::/src {d}/got-{name}/")
        sh(extract_all + " >/dev/null 2>&1", ok=(0, 1))
        bad = compare(f"{d}/got-{name}/docs", f"{base}/docs") + compare(f"{d}/got-{name}/src", f"{base}/src")
        results.append((not bad, f"{name}: the files the workload did not touch are as made", "\n".join(bad[:10])))
    for ok, what, why in results:
        print(f"{'ok' if ok else 'not ok'} {n} - {what}")
        if not ok:
            print("# " + why.replace("\n", "\n# "))
        n += 1
    return 0 if all(r[0] for r in results) else 1


if __name__ == "__main__":
    if sys.argv[1] == "make":
        cmd_make(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "pattern":
        sys.stdout.buffer.write(pattern(int(sys.argv[2]), int(sys.argv[3])))
    else:
        sys.exit(cmd_check(sys.argv[2], int(sys.argv[3])))
