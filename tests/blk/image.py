#!/usr/bin/env python3
"""The blk suite's disk images (pattern.h says what they hold).

  image.py make IMAGE SALT              a fresh image
  image.py check IMAGE SALT LBA:COUNT...  exit 0 when the listed runs hold the
                                        written pattern and every other sector
                                        is as made; prints what differs
"""
import struct
import sys

SECTORS = 8192
WRITTEN_SALT = 0x5A5A0000


def sector(i, salt):
    return struct.pack("<128I", *(((i * 128 + j) ^ salt) & 0xFFFFFFFF for j in range(128)))


def main():
    cmd, path, salt = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    if cmd == "make":
        with open(path, "wb") as f:
            for i in range(SECTORS):
                f.write(sector(i, salt))
        return 0
    written = set()
    for run in sys.argv[4:]:
        lba, count = (int(x) for x in run.split(":"))
        written.update(range(lba, lba + count))
    data = open(path, "rb").read()
    if len(data) != SECTORS * 512:
        print(f"{path}: {len(data)} bytes, not {SECTORS * 512}")
        return 1
    bad = 0
    for i in range(SECTORS):
        want = sector(i, salt ^ WRITTEN_SALT if i in written else salt)
        if data[i * 512:(i + 1) * 512] != want:
            if bad < 5:
                print(f"{path}: sector {i} is not as {'written' if i in written else 'made'}")
            bad += 1
    if bad:
        print(f"{path}: {bad} sectors differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
