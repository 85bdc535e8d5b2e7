#!/usr/bin/env python3
"""Writes a cpio archive in the "newc" format that Linux unpacks as its initramfs.

    mkcpio.py OUT ENTRY...

Each ENTRY is one of
    dir:PATH                     a directory (mode 0755)
    chr:PATH:MAJOR:MINOR         a character device (mode 0600), e.g. /dev/console
    file:PATH:SOURCE             a regular file copied from SOURCE (mode 0755)
Owners are root and times are zero, so the same inputs give the same bytes; no
root privileges are needed, which is why we do not use cpio(1) on a real tree.
"""
import sys

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def pad4(data):
    return data + b"\0" * (-len(data) % 4)


def record(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    # newc header: magic then 13 eight-digit hex fields; name and data each padded to 4.
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
              len(name_bytes), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    return pad4(header + name_bytes) + pad4(data)


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: mkcpio.py OUT ENTRY...")
    out, entries = argv[0], argv[1:]
    parts = []
    for ino, entry in enumerate(entries, start=1):
        kind, _, rest = entry.partition(":")
        if kind == "dir":
            parts.append(record(ino, rest.lstrip("/"), S_IFDIR | 0o755, nlink=2))
        elif kind == "chr":
            path, major, minor = rest.split(":")
            parts.append(record(ino, path.lstrip("/"), S_IFCHR | 0o600,
                                rdev=(int(major), int(minor))))
        elif kind == "file":
            path, source = rest.split(":", 1)
            with open(source, "rb") as f:
                data = f.read()
            parts.append(record(ino, path.lstrip("/"), S_IFREG | 0o755, data))
        else:
            sys.exit("mkcpio.py: unknown entry kind in %r" % entry)
    parts.append(record(0, "TRAILER!!!", 0))
    blob = b"".join(parts)
    with open(out, "wb") as f:
        f.write(blob + b"\0" * (-len(blob) % 512))


if __name__ == "__main__":
    main(sys.argv[1:])
