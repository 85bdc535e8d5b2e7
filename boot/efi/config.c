/*
 * The loader's configuration, /EFI/MANIFOLD/manifold.cfg on the boot volume or
 * the TFTP root. One directive a line; '#' starts a comment:
 *
 *   set NAME=VALUE          define a variable; later lines expand $NAME, ${NAME}
 *   node-config PATH        read PATH if it exists, for `set` lines only
 *   kernel PATH [ARGS]      the Multiboot kernel and its command line
 *   module PATH [ARGS]      a boot module and its string, in order
 *
 * $net_default_mac holds the booting NIC's MAC (aa:bb:...) on a network boot,
 * so a per-node file can be the same one GRUB's netboot grub.cfg sources.
 */
#include "loader.h"

#define LINE_MAX 1024

struct var {
	char name[32];
	char *value;
};

static struct var vars[MAX_VARS];
static UINTN nvars;

static BOOLEAN
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static struct var *
var_find(const char *name, UINTN len)
{
	for (UINTN i = 0; i < nvars; i++)
		if (str_len(vars[i].name) == len && CompareMem(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static EFI_STATUS
var_set(const char *name, UINTN nlen, const char *value, UINTN vlen)
{
	struct var *v = var_find(name, nlen);

	if (nlen == 0 || nlen >= sizeof v->name)
		return fail(EFI_INVALID_PARAMETER, L"config: bad variable name in `set`");
	if (!v) {
		if (nvars == MAX_VARS)
			return fail(EFI_OUT_OF_RESOURCES, L"config: more than %d variables",
				    MAX_VARS);
		v = &vars[nvars++];
		CopyMem(v->name, (void *)name, nlen);
		v->name[nlen] = '\0';
	}
	/* GRUB's syntax allows set x="y"; accept the quotes too. */
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value++;
		vlen -= 2;
	}
	v->value = pool_strdup(value, vlen);
	return v->value ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

/* Copies src[0..len) to dst with $NAME and ${NAME} replaced; unknown names expand to "". */
static EFI_STATUS
expand(const char *src, UINTN len, char *dst)
{
	UINTN o = 0;

	for (UINTN i = 0; i < len;) {
		const char *name, *val = "";
		UINTN nlen = 0;
		struct var *v;

		if (src[i] != '$') {
			if (o + 1 >= LINE_MAX)
				goto too_long;
			dst[o++] = src[i++];
			continue;
		}
		i++;
		if (i < len && src[i] == '{') {
			name = &src[++i];
			while (i < len && src[i] != '}')
				i++, nlen++;
			if (i == len)
				return fail(EFI_INVALID_PARAMETER, L"config: `${` without `}`");
			i++;
		} else {
			name = &src[i];
			while (i < len && is_name_char(src[i]))
				i++, nlen++;
		}
		if ((v = var_find(name, nlen)))
			val = v->value;
		for (; *val; val++) {
			if (o + 1 >= LINE_MAX)
				goto too_long;
			dst[o++] = *val;
		}
	}
	dst[o] = '\0';
	return EFI_SUCCESS;
too_long:
	return fail(EFI_BUFFER_TOO_SMALL, L"config: a line is longer than %d bytes after "
		    L"expansion", LINE_MAX);
}

static EFI_STATUS
parse_item(const char *rest, struct boot_item *item)
{
	UINTN i = 0, n = str_len(rest);

	while (i < n && rest[i] != ' ' && rest[i] != '\t')
		i++;
	if (i == 0)
		return fail(EFI_INVALID_PARAMETER, L"config: `kernel`/`module` needs a path");
	item->path = pool_strdup(rest, i);
	while (i < n && (rest[i] == ' ' || rest[i] == '\t'))
		i++;
	item->cmdline = info_strdup(rest + i, n - i);
	return item->path && item->cmdline ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

static EFI_STATUS parse(struct blob *text, const char *fname, BOOLEAN sets_only,
			struct boot_config *cfg);

static EFI_STATUS
directive(char *line, const char *fname, UINTN lineno, BOOLEAN sets_only,
	  struct boot_config *cfg)
{
	static char buf[LINE_MAX];
	UINTN wlen = 0;
	char *rest;
	EFI_STATUS st;

	while (line[wlen] && line[wlen] != ' ' && line[wlen] != '\t')
		wlen++;
	rest = line + wlen;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (EFI_ERROR((st = expand(rest, str_len(rest), buf))))
		return st;

	if (wlen == 3 && CompareMem(line, "set", 3) == 0) {
		UINTN eq = 0;

		while (buf[eq] && buf[eq] != '=')
			eq++;
		if (!buf[eq])
			return fail(EFI_INVALID_PARAMETER, L"%a:%d: `set` needs NAME=VALUE",
				    fname, lineno);
		return var_set(buf, eq, buf + eq + 1, str_len(buf + eq + 1));
	}
	if (sets_only)
		return fail(EFI_INVALID_PARAMETER, L"%a:%d: only `set` lines may appear in a "
			    L"node config", fname, lineno);
	if (wlen == 11 && CompareMem(line, "node-config", 11) == 0) {
		struct blob node;
		static char path[LINE_MAX];

		CopyMem(path, buf, str_len(buf) + 1);
		if (file_read(path, FILE_OPTIONAL | FILE_STAGING, &node) == EFI_NOT_FOUND)
			return EFI_SUCCESS;
		Print(L"manifold-efi: node config %a\n", path);
		return parse(&node, path, TRUE, cfg);
	}
	if (wlen == 6 && CompareMem(line, "kernel", 6) == 0)
		return parse_item(buf, &cfg->kernel);
	if (wlen == 6 && CompareMem(line, "module", 6) == 0) {
		if (cfg->nmodules == MAX_MODULES)
			return fail(EFI_OUT_OF_RESOURCES, L"%a:%d: more than %d modules", fname,
				    lineno, MAX_MODULES);
		return parse_item(buf, &cfg->modules[cfg->nmodules++]);
	}
	line[wlen] = '\0';
	return fail(EFI_INVALID_PARAMETER, L"%a:%d: unknown directive `%a`", fname, lineno, line);
}

static EFI_STATUS
parse(struct blob *text, const char *fname, BOOLEAN sets_only, struct boot_config *cfg)
{
	char *p, *end;
	UINTN lineno = 0;
	EFI_STATUS st;

	/* A private copy with room for the NUL that ends the last line. */
	if (!(p = AllocatePool(text->size + 1)))
		return fail(EFI_OUT_OF_RESOURCES, L"no memory to parse %a", fname);
	CopyMem(p, text->data, text->size);
	end = p + text->size;
	/* A file read through iPXE may come back padded with zeros. */
	for (char *z = p; z < end; z++)
		if (*z == '\0')
			end = z;

	while (p < end) {
		char *line = p, *e;

		while (p < end && *p != '\n')
			p++;
		e = p;
		if (p < end)
			p++;
		lineno++;
		while (e > line && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		while (line < e && (*line == ' ' || *line == '\t'))
			line++;
		if (line == e || *line == '#')
			continue;
		*e = '\0';
		if (EFI_ERROR((st = directive(line, fname, lineno, sets_only, cfg))))
			return st;
	}
	return EFI_SUCCESS;
}

EFI_STATUS
config_load(struct boot_config *cfg)
{
	struct blob text;
	EFI_STATUS st;

	if (EFI_ERROR((st = file_read(CONFIG_PATH, FILE_STAGING, &text))))
		return st;
	if (source_is_network() && EFI_ERROR((st = var_set("net_default_mac", 15, source_mac(),
							  str_len(source_mac())))))
		return st;
	if (EFI_ERROR((st = parse(&text, CONFIG_PATH, FALSE, cfg))))
		return st;
	if (!cfg->kernel.path)
		return fail(EFI_NOT_FOUND, L"%a has no `kernel` line", CONFIG_PATH);
	return EFI_SUCCESS;
}

/*
 * Reads the kernel (a staging copy: its segments move into place at the end)
 * or, with `modules`, the boot modules (where the kernel will keep them).
 */
EFI_STATUS
config_read_files(struct boot_config *cfg, BOOLEAN modules)
{
	EFI_STATUS st;

	if (!modules)
		return file_read(cfg->kernel.path, FILE_STAGING, &cfg->kernel.file);
	for (UINTN i = 0; i < cfg->nmodules; i++)
		if (EFI_ERROR((st = file_read(cfg->modules[i].path, 0, &cfg->modules[i].file))))
			return st;
	return EFI_SUCCESS;
}
