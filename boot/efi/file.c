/*
 * Where the loader reads its files: the FAT volume it was loaded from (an EFI
 * system partition on a disk or USB stick), or, when the firmware booted it
 * over PXE, the TFTP server that served it, through the firmware's own
 * EFI_PXE_BASE_CODE_PROTOCOL. Paths are '/'-separated and rooted at the volume
 * or at the TFTP root either way.
 */
#include "loader.h"

static EFI_FILE_HANDLE volume_root;		/* disk mode */
static EFI_PXE_BASE_CODE_PROTOCOL *pxe;		/* network mode */
static EFI_IP_ADDRESS tftp_server;
static char mac_text[3 * 16];

EFI_STATUS
source_open(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *sfs;
	EFI_PXE_BASE_CODE_PACKET *reply;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
			       (void **)&li);
	if (EFI_ERROR(st))
		return fail(st, L"the firmware cannot describe this loader's own image");

	/*
	 * Network first: iPXE also puts a file system on its handle, but it
	 * holds only the files iPXE itself downloaded, not our tree.
	 */
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &PxeBaseCodeProtocol,
			       (void **)&pxe);
	if (EFI_ERROR(st) || !pxe->Mode->Started || pxe->Mode->UsingIpv6) {
		pxe = NULL;
		st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle,
				       &FileSystemProtocol, (void **)&sfs);
		if (EFI_ERROR(st))
			return fail(EFI_UNSUPPORTED, L"booted from a device that is neither a FAT "
				    L"volume nor an IPv4 PXE network interface");
		st = uefi_call_wrapper(sfs->OpenVolume, 2, sfs, &volume_root);
		if (EFI_ERROR(st))
			return fail(st, L"cannot open the volume this loader came from");
		Print(L"manifold-efi: reading from the boot volume\n");
		return EFI_SUCCESS;
	}
	/* The boot server named in a proxy offer wins over the DHCP server's. */
	if (pxe->Mode->ProxyOfferReceived)
		reply = &pxe->Mode->ProxyOffer;
	else if (pxe->Mode->DhcpAckReceived)
		reply = &pxe->Mode->DhcpAck;
	else
		return fail(EFI_NOT_READY, L"network boot without a DHCP answer: no TFTP server known");
	ZeroMem(&tftp_server, sizeof tftp_server);
	CopyMem(&tftp_server.v4, reply->Dhcpv4.BootpSiAddr, 4);

	/* aa:bb:cc:dd:ee:ff, the same spelling as GRUB's $net_default_mac. */
	for (UINTN i = 0; i < 6; i++) {
		static const char hex[] = "0123456789abcdef";
		UINT8 b = pxe->Mode->DhcpAck.Dhcpv4.BootpHwAddr[i];

		mac_text[3 * i] = hex[b >> 4];
		mac_text[3 * i + 1] = hex[b & 15];
		mac_text[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	Print(L"manifold-efi: reading over TFTP from %d.%d.%d.%d (this NIC is %a)\n",
	      tftp_server.v4.Addr[0], tftp_server.v4.Addr[1], tftp_server.v4.Addr[2],
	      tftp_server.v4.Addr[3], mac_text);
	return EFI_SUCCESS;
}

BOOLEAN
source_is_network(void)
{
	return pxe != NULL;
}

const char *
source_mac(void)
{
	return pxe ? mac_text : "";
}

static enum placement
where(unsigned flags)
{
	return flags & FILE_STAGING ? ANYWHERE : LOWEST;
}

static EFI_STATUS
disk_read(const char *path, unsigned flags, struct blob *out)
{
	CHAR16 wpath[256];
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN i, size;

	for (i = 0; path[i] && i < 255; i++)
		wpath[i] = path[i] == '/' ? L'\\' : (CHAR16)path[i];
	wpath[i] = 0;
	st = uefi_call_wrapper(volume_root->Open, 5, volume_root, &fh, wpath,
			       EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND && (flags & FILE_OPTIONAL))
		return st;
	if (st == EFI_NOT_FOUND)
		return fail(st, L"file %a is missing on the boot volume", path);
	if (EFI_ERROR(st))
		return fail(st, L"cannot open %a on the boot volume", path);
	info = LibFileInfo(fh);
	if (!info) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(EFI_DEVICE_ERROR, L"cannot get the size of %s", wpath);
	}
	size = info->FileSize;
	FreePool(info);
	out->data = alloc_pages(size, where(flags));
	if (!out->data) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return fail(EFI_OUT_OF_RESOURCES, L"no room below 4 GiB for %s", wpath);
	}
	out->size = size;
	st = uefi_call_wrapper(fh->Read, 3, fh, &size, out->data);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st) || size != out->size)
		return fail(EFI_ERROR(st) ? st : EFI_END_OF_FILE, L"error reading %s", wpath);
	return EFI_SUCCESS;
}

static EFI_STATUS
mtftp(EFI_PXE_BASE_CODE_TFTP_OPCODE op, void *buf, UINT64 *size, const char *path)
{
	UINTN blksize = 1432;	/* fits a 1500-byte Ethernet frame */

	return uefi_call_wrapper(pxe->Mtftp, 10, pxe, op, buf, FALSE, size, &blksize,
				 &tftp_server, (UINT8 *)path, NULL, FALSE);
}

static EFI_STATUS
tftp_read(const char *path, unsigned flags, struct blob *out)
{
	UINT64 size = 0, cap;
	EFI_STATUS st;

	/* TFTP servers (dnsmasq, QEMU's) take names relative to their root. */
	while (*path == '/')
		path++;
	st = mtftp(EFI_PXE_BASE_CODE_TFTP_GET_FILE_SIZE, NULL, &size, path);
	if (st == EFI_UNSUPPORTED) {
		/*
		 * iPXE's PXE protocol cannot ask for the size alone: read into a
		 * guess and grow it while the firmware says it is too small.
		 */
		for (cap = 64 * 1024;; cap *= 2) {
			if (!(out->data = alloc_pages(cap, where(flags))))
				return fail(EFI_OUT_OF_RESOURCES, L"no room below 4 GiB for %a", path);
			/* Some versions leave size at cap: zeros then follow the file. */
			ZeroMem(out->data, cap);
			size = cap;
			st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, out->data, &size, path);
			if (st != EFI_BUFFER_TOO_SMALL || cap >= 256 * 1024 * 1024)
				break;
			uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)out->data,
					  EFI_SIZE_TO_PAGES(cap));
			if (size > cap)
				cap = size / 2;	/* the firmware told us: next round fits */
		}
		if (EFI_ERROR(st) && (flags & FILE_OPTIONAL))
			return EFI_NOT_FOUND;
		if (EFI_ERROR(st))
			return fail(st, L"cannot read %a from the TFTP server (missing?)", path);
		out->size = size;
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(st) && (flags & FILE_OPTIONAL))
		return EFI_NOT_FOUND;
	if (EFI_ERROR(st))
		return fail(st, L"file %a is missing on the TFTP server (or the server lacks "
			    L"the tsize option)", path);
	if (!(out->data = alloc_pages(size, where(flags))))
		return fail(EFI_OUT_OF_RESOURCES, L"no room below 4 GiB for %a", path);
	out->size = size;
	st = mtftp(EFI_PXE_BASE_CODE_TFTP_READ_FILE, out->data, &size, path);
	if (EFI_ERROR(st) || size != out->size)
		return fail(EFI_ERROR(st) ? st : EFI_END_OF_FILE, L"error reading %a over TFTP",
			    path);
	return EFI_SUCCESS;
}

/*
 * Reads a whole file into fresh memory below 4 GiB. A missing file is an
 * error with a message, unless FILE_OPTIONAL: then it returns EFI_NOT_FOUND
 * silently.
 */
EFI_STATUS
file_read(const char *path, unsigned flags, struct blob *out)
{
	if (!(flags & FILE_OPTIONAL))
		Print(L"manifold-efi: loading %a\n", path);
	return pxe ? tftp_read(path, flags, out) : disk_read(path, flags, out);
}
