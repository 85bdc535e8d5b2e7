#!/usr/bin/env python3
"""The in-guest power-cut campaign (tests/fs/README.md): QEMU killed at random
points of fscut's write workload, then the images repaired on the host and the
files synced before the cut checked byte for byte.

    powercut.py BUILD CUTS [SEED]

Each cut: fresh images (an ext2 of 1 KiB blocks holding only /dos on virtio-blk at /, an
empty FAT16 on ATA at /dos), a boot of fs and fscut (seed SEED + cut), and,
once fscut has said `round 1 synced`, a kill -9 of QEMU after a random 0 to
2.5 s. Then `e2fsck -p` and `fsck.fat -a` must repair the images (exit 0 or 1),
`e2fsck -fn` and `fsck.fat -n` must find them clean after, and every file of
every round fscut said was synced must read back as cutgen.h makes it
(debugfs rdump, mcopy). Prints `ok N - ...` per cut and `NAME: N passed, N
failed` (NAME: powercut, or powercut-short for 10 cuts or fewer).
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

FILES_PER_ROUND = 3
MAX_LEN = 40000
M32 = 0xFFFFFFFF


def cut_next(x):
    x ^= (x << 13) & M32
    x ^= x >> 17
    x ^= (x << 5) & M32
    return x


def cut_state(seed, rnd, k):
    x = ((seed * 2654435761) ^ (rnd * 40503) ^ ((k + 1) * 97)) & M32
    return x or 1


def cut_bytes(seed, rnd, k):
    """cutgen.h's cut_fill: the file's length, then its bytes."""
    x = cut_next(cut_state(seed, rnd, k))
    n = x % MAX_LEN + 1
    out = bytearray(n)
    for i in range(n):
        x = cut_next(x)
        out[i] = x >> 24
    return bytes(out)


def sh(cmd):
    return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def one_cut(build, work, seed, rng):
    """None when the cut passed, else why not."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ext2, fat, log = work + "/ext2.img", work + "/fat.img", work + "/serial.log"
    os.makedirs(work + "/root/dos")	# the FAT volume's mount point
    if sh(f"mke2fs -q -F -t ext2 -b 1024 -d {work}/root {ext2} 16M").returncode or \
            sh(f"mkfs.fat -F 16 -C {fat} 16384").returncode:
        return "cannot make the images"
    b = build
    modules = ",".join([
        f"{b}/servers/bootstrap.elf", f"{b}/servers/ns.elf", f"{b}/servers/console.elf",
        f"{b}/servers/pci.elf driver restart=always", f"{b}/servers/virtio_blk.elf driver restart=always",
        f"{b}/servers/ata.elf driver restart=always",
        f"{b}/servers/fs.elf root=/servers/vd0 mount=/dos:/servers/hd0:fat epoch={int(time.time())}",
        f"{b}/tests/fscut.elf {seed}"])
    q = subprocess.Popen(
        ["qemu-system-i386", "-display", "none", "-no-reboot", "-serial", "file:" + log, "-nic", "none",
         "-m", "64M", "-drive", f"if=none,id=d0,file={ext2},format=raw",
         "-device", "virtio-blk-pci,drive=d0,disable-modern=on",
         "-drive", f"if=ide,index=0,media=disk,file={fat},format=raw",
         "-kernel", f"{b}/kernel.elf", "-append", "lockcheck", "-initrd", modules],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = ""
    deadline = time.time() + 120
    while time.time() < deadline and q.poll() is None:
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        if "fscut: round 1 synced" in text or "panic:" in text or "fscut: stopped" in text:
            break
        time.sleep(0.05)
    if "fscut: round 1 synced" in text:
        time.sleep(rng.uniform(0, 2.5))
    if q.poll() is None:
        q.send_signal(signal.SIGKILL)
    q.wait()
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    if "panic:" in text:
        return "the kernel panicked"
    if "fscut: stopped" in text:
        return "fscut stopped before the cut: " + text.split("fscut: stopped", 1)[1].splitlines()[0]
    rounds = [int(r) for r in re.findall(r"fscut: round (\d+) synced", text)]
    if not rounds:
        return "no round was synced in 120 s"
    last = max(rounds)
    r = sh(f"e2fsck -p {ext2}")
    fixed = r.returncode == 1
    if r.returncode not in (0, 1):
        return f"e2fsck -p exits {r.returncode}: {r.stdout.strip()[-300:]}"
    r = sh(f"fsck.fat -a {fat}")
    fixed = fixed or r.returncode == 1
    if r.returncode not in (0, 1):
        return f"fsck.fat -a exits {r.returncode}: {r.stdout.strip()[-300:]}"
    sh(f"mdel -i {fat} '::FSCK*.REC'")
    r = sh(f"e2fsck -fn {ext2}")
    if r.returncode:
        return f"e2fsck -fn still finds errors after the repair: {r.stdout.strip()[-300:]}"
    r = sh(f"fsck.fat -n {fat}")
    if r.returncode:
        return f"fsck.fat -n still finds errors after the repair: {r.stdout.strip()[-300:]}"
    out_e, out_f = work + "/ext2-synced", work + "/fat-synced"
    os.makedirs(out_e)
    if sh(f"debugfs -R 'rdump /synced {out_e}' {ext2}").returncode:
        return "debugfs rdump failed"
    if sh(f"mcopy -s -n -i {fat} ::/synced {out_f}").returncode:
        return "mcopy failed"
    for rnd in range(1, last + 1):
        for k in range(FILES_PER_ROUND):
            want = cut_bytes(seed, rnd, k)
            for top, where in ((out_e + "/synced", "ext2"), (out_f, "fat")):
                p = f"{top}/r{rnd}-{k}"
                if not os.path.exists(p):
                    return f"{where}: r{rnd}-{k} (synced in round {rnd} of {last}) is gone"
                if open(p, "rb").read() != want:
                    return f"{where}: r{rnd}-{k} (synced in round {rnd} of {last}) differs"
    return None, last, fixed


def main():
    build, cuts = sys.argv[1], int(sys.argv[2])
    base = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    name = "powercut-short" if cuts <= 10 else "powercut"
    passed = failed = repaired = 0
    for i in range(cuts):
        seed = base + i
        res = one_cut(build, f"{build}/test/powercut/cut", seed, random.Random(seed))
        if isinstance(res, tuple):
            passed += 1
            repaired += res[2]
            what = "repaired" if res[2] else "nothing to repair"
            print(f"ok {i + 1} - cut {i + 1} (seed {seed}) after round {res[1]}: {what}, every synced file intact")
        else:
            failed += 1
            keep = f"{build}/test/powercut/failed-{seed}"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(f"{build}/test/powercut/cut", keep)
            print(f"not ok {i + 1} - cut {i + 1} (seed {seed}): {res} (images and log in {keep})")
        sys.stdout.flush()
    print(f"# {repaired} of {cuts} cuts left something e2fsck -p or fsck.fat -a repaired")
    print(f"{name}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
