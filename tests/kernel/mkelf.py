#!/usr/bin/env python3
"""Writes the hand-made ELF files of the kernel suite's loader cases (k_boot.c):
  kspace.elf    a segment in kernel space (0xC0100000)
  wrapping.elf  a segment whose end wraps past 4 GiB
  stackseg.elf  a segment that runs into the stacks' area at the top of user space
  overlap.elf   two segments on the same pages (code R+X, data RW over its second half
                and on): valid, loaded with the shared pages' protections merged
  pastend.elf   a segment whose bytes lie past the end of the file
Usage: mkelf.py OUTDIR"""
import struct
import sys

PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4
EHDR, PHDR = 52, 32


def elf(segments, entry, body):
    """segments: (vaddr, offset, filesz, memsz, flags); body: the bytes after the headers."""
    phoff = EHDR
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, phoff, 0, 0, EHDR, PHDR, len(segments),
                             40, 0, 0)
    ph = b"".join(struct.pack("<IIIIIIII", PT_LOAD, off, va, va, fs, ms, fl, 0x1000)
                  for (va, off, fs, ms, fl) in segments)
    return eh + ph + body


def main():
    out = sys.argv[1]
    code_off = 0x1000                      # the code starts a page into the file
    pad = lambda data: data + bytes(code_off - len(data))
    spin = b"\xeb\xfe"                     # jmp . : the task runs until it is ended
    files = {
        "kspace.elf": [(0xC0100000, code_off, 2, 2, PF_R | PF_X)],
        "wrapping.elf": [(0x08048000, code_off, 2, 0xFFFFF000, PF_R | PF_X)],
        "stackseg.elf": [(0x08048000, code_off, 2, 2, PF_R | PF_X), (0xBF000000, code_off, 2, 0x1000000, PF_R | PF_W)],
        "overlap.elf": [(0x08048000, code_off, 0x1000, 0x1000, PF_R | PF_X),
                        (0x08048800, code_off, 0x800, 0x2000, PF_R | PF_W)],
        "pastend.elf": [(0x08048000, code_off, 0x10000, 0x10000, PF_R | PF_X)],
    }
    for name, segs in files.items():
        head = elf(segs, 0x08048000 if name != "kspace.elf" else 0xC0100000, b"")
        data = pad(head) + spin + bytes(0x1000 - len(spin))
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
