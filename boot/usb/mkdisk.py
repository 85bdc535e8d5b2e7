#!/usr/bin/env python3
"""Assembles Manifold's USB disk image without root or loop devices.

    mkdisk.py OUT ESP.img BOOT.img CORE.img

OUT becomes a GPT disk (UEFI spec, chapter 5): a protective MBR carrying
GRUB's boot.img, a BIOS boot partition holding GRUB's core.img, and an EFI
system partition filled from ESP.img (a FAT image made with mkfs.fat and
mtools). Legacy BIOSes run boot.img, which loads core.img by LBA; UEFI
firmware ignores both and starts \\EFI\\BOOT\\BOOTX64.EFI from the ESP.
"""
import struct
import sys
import uuid
import zlib

SECTOR = 512
ENTRIES, ENTRY_SIZE = 128, 128
ENTRY_SECTORS = ENTRIES * ENTRY_SIZE // SECTOR  # 32
BIOS_BOOT_START, BIOS_BOOT_END = 2048, 4095     # 1 MiB, room for any core.img
ESP_START = 4096                                # 2 MiB: aligned for flash media

BIOS_BOOT_TYPE = uuid.UUID("21686148-6449-6E6F-744E-656564454649")
ESP_TYPE = uuid.UUID("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")

# Offsets GRUB's own installer patches (GRUB 2 include/grub/i386/pc/boot.h).
BOOT_KERNEL_SECTOR = 0x5C   # u64: LBA of core.img's first sector
BOOT_DRIVE_CHECK = 0x66     # a 2-byte jmp that skips the drive-number check
CORE_BLOCKLIST = 0x1F4      # in core.img's first sector: u64 start, u16 count


def die(msg):
    sys.exit("mkdisk: " + msg)


def entry(type_guid, first, last, name):
    return struct.pack("<16s16sQQQ72s", type_guid.bytes_le, uuid.uuid4().bytes_le,
                       first, last, 0, name.encode("utf-16-le"))


def header(my_lba, alt_lba, entries_lba, last_usable, disk_guid, entries_crc):
    def pack(crc):
        return struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x00010000, 92, crc, 0,
                           my_lba, alt_lba, 34, last_usable, disk_guid.bytes_le,
                           entries_lba, ENTRIES, ENTRY_SIZE, entries_crc)
    return pack(zlib.crc32(pack(0))).ljust(SECTOR, b"\0")


def main():
    if len(sys.argv) != 5:
        die("usage: mkdisk.py OUT ESP.img BOOT.img CORE.img")
    out, esp_path, boot_path, core_path = sys.argv[1:]
    esp = open(esp_path, "rb").read()
    boot = bytearray(open(boot_path, "rb").read())
    core = bytearray(open(core_path, "rb").read())
    if len(esp) % SECTOR or len(boot) != SECTOR:
        die("ESP image must be whole sectors and boot.img one sector")
    core_sectors = (len(core) + SECTOR - 1) // SECTOR
    if core_sectors > BIOS_BOOT_END - BIOS_BOOT_START + 1:
        die("core.img (%d bytes) does not fit the BIOS boot partition" % len(core))

    esp_end = ESP_START + len(esp) // SECTOR - 1
    total = esp_end + 1 + ENTRY_SECTORS + 1          # room for the backup GPT
    total = (total + 2047) // 2048 * 2048            # whole MiB
    last = total - 1

    table = (entry(BIOS_BOOT_TYPE, BIOS_BOOT_START, BIOS_BOOT_END, "BIOS boot") +
             entry(ESP_TYPE, ESP_START, esp_end, "EFI system")).ljust(
                 ENTRIES * ENTRY_SIZE, b"\0")
    table_crc = zlib.crc32(table)
    disk_guid = uuid.uuid4()
    last_usable = last - ENTRY_SECTORS - 1

    # Protective MBR: GRUB's boot code, one 0xEE partition over the disk.
    mbr = bytearray(SECTOR)
    mbr[:0x1B8] = boot[:0x1B8]
    struct.pack_into("<Q", mbr, BOOT_KERNEL_SECTOR, BIOS_BOOT_START)
    mbr[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] = b"\x90\x90"  # as grub-install does for disks
    struct.pack_into("<BBBBBBBBII", mbr, 0x1BE, 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1,
                     min(total - 1, 0xFFFFFFFF))
    mbr[510:512] = b"\x55\xaa"

    # core.img's first sector (diskboot) loads the rest from this block list.
    struct.pack_into("<QH", core, CORE_BLOCKLIST, BIOS_BOOT_START + 1, core_sectors - 1)

    with open(out, "wb") as f:
        f.truncate(total * SECTOR)
        f.write(mbr)
        f.write(header(1, last, 2, last_usable, disk_guid, table_crc))
        f.write(table)
        f.seek(BIOS_BOOT_START * SECTOR)
        f.write(core)
        f.seek(ESP_START * SECTOR)
        f.write(esp)
        f.seek((last - ENTRY_SECTORS) * SECTOR)
        f.write(table)
        f.write(header(last, 1, last - ENTRY_SECTORS, last_usable, disk_guid, table_crc))


if __name__ == "__main__":
    main()
