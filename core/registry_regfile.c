/* tlsward: .reg files as regedit reads and writes them.
 *
 * Reading follows regedit's import (docs/regfile.md has every rule and its
 * source). The byte order mark decides the encoding: FF FE is UTF-16LE;
 * anything else is read in the ANSI code page (1252 unless the caller says
 * otherwise), whatever the header says, as regedit does; UTF-8 only when
 * the caller asks for it. The text is decoded to UTF-8 first (lone
 * surrogates carried as WTF-8), then parsed line by line into a memory
 * registry.
 *
 * Three outcomes per line. A line regedit imports is applied. A line that
 * regedit drops (or whose reading on Windows is unverified) is not applied
 * and is reported through the caller's warn callback with FILE:LINE:COL:
 * the audit then sees what regedit imports, never more. A line Windows
 * rejects as malformed fails the whole file with a located error, so an
 * auditor is never told a broken file is fine.
 *
 * Writing follows regedit's export: a header line, each key as
 * "\r\n[PATH]\r\n" followed by its values, a final "\r\n", hex lists
 * wrapped after 77 columns with "\" and a two-space indent, strings
 * escaped. */
#include "registry_mem_internal.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char v5_header[] = "Windows Registry Editor Version 5.00";
static const char reg4_header[] = "REGEDIT4";

/* Windows' limits ("Registry element size limits"), in UTF-16 units. */
#define KEY_COMPONENT_MAX 255
#define VALUE_NAME_MAX 16383
#define TREE_DEPTH_MAX 512

/* ---- a growable byte buffer ---- */

struct buf {
	uint8_t *data;
	size_t len, cap;
	int failed;
};

static int buf_reserve(struct buf *b, size_t more)
{
	size_t ncap;
	uint8_t *p;

	if (b->failed)
		return -1;
	if (more <= b->cap - b->len)
		return 0;
	if (more > SIZE_MAX / 2 - b->len)
		goto fail;
	ncap = b->cap ? b->cap : 64;
	while (ncap - b->len < more)
		ncap *= 2;
	p = realloc(b->data, ncap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = ncap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

static void buf_put(struct buf *b, const void *data, size_t len)
{
	if (len == 0 || buf_reserve(b, len) != 0)
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void buf_putc(struct buf *b, uint8_t c)
{
	if (b->len >= b->cap && buf_reserve(b, 1) != 0)
		return;
	b->data[b->len++] = c;
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* Appends cp as one or two UTF-16LE units. */
static void buf_put_utf16(struct buf *b, uint32_t cp)
{
	if (cp >= 0x10000) {
		uint32_t v = cp - 0x10000;

		buf_put_utf16(b, 0xd800 | v >> 10);
		buf_put_utf16(b, 0xdc00 | (v & 0x3ff));
		return;
	}
	buf_putc(b, (uint8_t)cp);
	buf_putc(b, (uint8_t)(cp >> 8));
}

/* UTF-16 units in the UTF-8 text s (len bytes). */
static size_t units(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80)
			n += c >= 0xf0 ? 2 : 1;
	}
	return n;
}

/* ---- decoding the file to UTF-8 text ---- */

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

struct decoded {
	char *text;
	size_t len, cap;
	int unicode;	  /* UTF-16LE with a BOM */
	int utf8_bom;	  /* ANSI read of a file that starts with a UTF-8 BOM */
	const char *why;  /* set when the bytes are not text */
	char why_buf[96];
	/* Between the pieces a file is read in. */
	unsigned codepage;
	const uint16_t *table; /* the code page; NULL for UTF-16 and UTF-8 */
	int started;	       /* the first piece decided the encoding */
	size_t hint;	       /* the file's size, when known */
	uint8_t carry[4];      /* a surrogate or UTF-8 sequence a piece split */
	size_t ncarry;
	int nul;	       /* a NUL ended the text: only NULs may follow */
	int oom;
};

/* Room for more bytes of text (and the final NUL). */
static int text_room(struct decoded *d, size_t more)
{
	size_t ncap;
	char *p;

	if (more + 1 <= d->cap - d->len)
		return 0;
	if (more > SIZE_MAX / 4 - d->len)
		goto fail;
	ncap = d->cap ? d->cap : 64;
	while (ncap - d->len < more + 1)
		ncap *= 2;
	p = realloc(d->text, ncap);
	if (p == NULL)
		goto fail;
	d->text = p;
	d->cap = ncap;
	return 0;
fail:
	d->oom = 1;
	return -1;
}

/* Starts decoding a file of (about) hint bytes in codepage. */
static void decode_start(struct decoded *d, unsigned codepage, size_t hint)
{
	memset(d, 0, sizeof *d);
	d->codepage = codepage;
	d->hint = hint;
}

/* Appends the code point of the UTF-16 unit c, or of c and the unit at p
 * (have bytes there) when they form a surrogate pair; returns the bytes
 * of p used. */
static size_t put_unit(struct decoded *d, uint32_t c, const uint8_t *p,
		       size_t have)
{
	size_t used = 0;

	if (c >= 0xd800 && c <= 0xdbff && have >= 2) {
		uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8;

		if (lo >= 0xdc00 && lo <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			used = 2;
		}
	}
	d->len += tlsr_utf8_put(c, d->text + d->len);
	return used;
}

/* A NUL at in[0] (n bytes left): the end of the text when only NULs
 * follow. */
static void at_nul(struct decoded *d, const uint8_t *in, size_t n)
{
	d->nul = 1;
	if (!all_zero(in, n))
		d->why = "NUL character in the file";
}

/* Decodes the next n bytes of the file into d->text (UTF-8). Every piece
 * but the last (final) holds an even number of bytes, 4 or more; the
 * first decides the encoding from its byte order mark. A unit or sequence
 * split between two pieces waits in d->carry. Sets d->why, and stops, at
 * the first bytes that are not text: d->text then holds the text before
 * them, which locates the error. NUL padding at the very end is
 * ignored. */
static void decode_feed(struct decoded *d, const uint8_t *in, size_t n,
			int final)
{
	size_t i = 0;

	if (d->why != NULL || d->oom)
		return;
	if (d->nul) {
		if (!all_zero(in, n))
			d->why = "NUL character in the file";
		return;
	}
	if (!d->started) {
		size_t size = d->hint > n ? d->hint : n;

		d->started = 1;
		if (n >= 2 && in[0] == 0xff && in[1] == 0xfe) {
			d->unicode = 1;
			i = 2;
			/* At most 3 bytes of UTF-8 per UTF-16 unit. */
			size = size / 2 * 3;
		} else {
			if (d->codepage == TLSR_CODEPAGE_UTF8) {
				if (n >= 3 && in[0] == 0xef && in[1] == 0xbb &&
				    in[2] == 0xbf)
					i = 3;
			} else {
				d->table = tlsr_codepage_table(d->codepage);
				d->utf8_bom = n >= 3 && in[0] == 0xef &&
					      in[1] == 0xbb && in[2] == 0xbf;
			}
			size *= 3;
		}
		if (text_room(d, size) != 0)
			return;
	}
	if (text_room(d, d->unicode ? (n + 4) / 2 * 3 : (n + 4) * 3) != 0)
		return;
	if (d->unicode) {
		if (d->ncarry == 2) {
			/* A high surrogate that ended the last piece. */
			uint32_t c =
			    (uint32_t)d->carry[0] | (uint32_t)d->carry[1] << 8;

			d->ncarry = 0;
			i += put_unit(d, c, in, n);
		}
		while (i + 1 < n) {
			uint32_t c;

			if (in[i + 1] == 0 && in[i] - 1u < 0x7fu) {
				/* ASCII, the bulk of any export: a run of it
				 * is copied without the general path. */
				char *o = d->text + d->len;
				size_t j = i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				/* Four units at a time while each is 0x01 to
				 * 0x7f: no high byte, no low byte above 0x7f,
				 * none 0 (which borrows into bit 15). */
				while (j + 8 <= n) {
					uint64_t x;

					memcpy(&x, in + j, 8);
					if ((x & 0xff80ff80ff80ff80u) != 0 ||
					    ((x - 0x0001000100010001u) &
					     0x8000800080008000u) != 0)
						break;
					o[0] = (char)x;
					o[1] = (char)(x >> 16);
					o[2] = (char)(x >> 32);
					o[3] = (char)(x >> 48);
					o += 4;
					j += 8;
				}
#endif
				while (j + 1 < n && in[j + 1] == 0 &&
				       in[j] - 1u < 0x7fu) {
					*o++ = (char)in[j];
					j += 2;
				}
				d->len = (size_t)(o - d->text);
				i = j;
				continue;
			}
			c = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;
			if (c == 0) {
				at_nul(d, in + i, n - i);
				return;
			}
			if (c >= 0xd800 && c <= 0xdbff && i + 2 == n &&
			    !final) {
				/* Its pair may start the next piece. */
				d->carry[0] = in[i];
				d->carry[1] = in[i + 1];
				d->ncarry = 2;
				return;
			}
			i += 2;
			i += put_unit(d, c, in + i, n - i);
		}
		if (i < n)
			d->why = "odd number of bytes in a UTF-16 file";
		return;
	}
	if (d->ncarry > 0) {
		/* The rest of a UTF-8 sequence the last piece split. */
		uint8_t seq[4];
		size_t want = d->carry[0] >= 0xf0   ? 4
			      : d->carry[0] >= 0xe0 ? 3
						    : 2;
		size_t k = d->ncarry, used = 0;
		uint32_t c;
		size_t got;

		memcpy(seq, d->carry, k);
		while (k < want && used < n)
			seq[k++] = in[used++];
		d->ncarry = 0;
		got = tlsr_utf8_get(seq, k, &c);
		if (got == 0 || (c >= 0xd800 && c <= 0xdfff)) {
			d->why = "invalid UTF-8";
			return;
		}
		memcpy(d->text + d->len, seq, got);
		d->len += got;
		i = got - (k - used);
	}
	while (i < n) {
		uint32_t c;
		size_t k;

		if (in[i] == 0) {
			at_nul(d, in + i, n - i);
			return;
		}
		if (d->table != NULL) {
			c = tlsr_codepage_decode(d->table, in[i]);
			if (c == 0xffff) {
				snprintf(d->why_buf, sizeof d->why_buf,
					 "byte 0x%02x is not a character in "
					 "code page %u",
					 in[i], d->codepage);
				d->why = d->why_buf;
				return;
			}
			d->len += tlsr_utf8_put(c, d->text + d->len);
			i++;
			continue;
		}
		if (!final && in[i] >= 0xc2 && in[i] <= 0xf4) {
			size_t want = in[i] >= 0xf0 ? 4 : in[i] >= 0xe0 ? 3 : 2;

			if (n - i < want) {
				/* Its end is in the next piece. */
				memcpy(d->carry, in + i, n - i);
				d->ncarry = n - i;
				return;
			}
		}
		k = tlsr_utf8_get(in + i, n - i, &c);
		if (k == 0 || (c >= 0xd800 && c <= 0xdfff)) {
			d->why = "invalid UTF-8";
			return;
		}
		memcpy(d->text + d->len, in + i, k);
		d->len += k;
		i += k;
	}
}

/* Ends the text with a NUL. Returns 0, -2 when out of memory, or -1 with
 * d->why set when the bytes are not text. */
static int decode_end(struct decoded *d)
{
	if (d->oom || (d->text == NULL && text_room(d, 0) != 0))
		return -2;
	d->text[d->len] = '\0';
	return d->why ? -1 : 0;
}

/* ---- parsing ---- */

struct parser {
	const char *label;
	struct tlsr_diag *diag;
	const struct tlsr_regfile_options *opts;
	struct tlsr_registry *reg;
	const uint16_t *cp_table; /* NULL when read as UTF-8 or UTF-16 */
	const char *p;		  /* cursor */
	const char *line_start;	  /* start of the cursor's physical line */
	unsigned line;
	unsigned value_line; /* where the value being parsed starts */
	const char *value_line_start;
	int unicode;		   /* UTF-16: hex text data are UTF-16 */
	int utf8;		   /* read as UTF-8 on the caller's word */
	int have_key;		   /* a [KEY] line was seen */
	int in_deleted;		   /* inside a [-KEY] section */
	int skip_hex_lines;	   /* after a dropped hex list */
	struct tlsr_mem_node *key; /* NULL inside a dropped or [-KEY] section */
	struct buf name;	   /* value name being parsed */
	struct buf data;	   /* value data being parsed */
	struct buf text;	   /* a quoted string's text */
};

/* A value or section that is not applied (the value is parsed no
 * further); distinct from every tlsr_err. */
#define DROPPED ((tlsr_err)-1000)

/* The root keys regedit knows; it takes no abbreviation. */
static const struct {
	const char *name, *abbrev;
} hives[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"},  {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},   {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_CONFIG", "HKCC"}, {"HKEY_DYN_DATA", NULL},
};

static unsigned col_of(const struct parser *ps, const char *at)
{
	unsigned col = 1;

	for (const char *q = ps->line_start; q < at; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	return col;
}

static tlsr_err fail_at(struct parser *ps, const char *at, const char *msg)
{
	tlsr_diag_set(ps->diag, ps->label, ps->line, col_of(ps, at), "%s", msg);
	return TLSR_EPARSE;
}

static void warn_at(struct parser *ps, const char *at, const char *fmt, ...)
	TLSR_PRINTF(3, 4);

/* Reports a line that is not applied, through the caller's callback. */
static void warn_at(struct parser *ps, const char *at, const char *fmt, ...)
{
	struct tlsr_diag w;
	va_list ap;

	if (ps->opts == NULL || ps->opts->warn == NULL)
		return;
	memset(&w, 0, sizeof w);
	tlsr_diag_set(&w, ps->label, ps->line, col_of(ps, at), "%s", "");
	va_start(ap, fmt);
	vsnprintf(w.message, sizeof w.message, fmt, ap);
	va_end(ap);
	ps->opts->warn(ps->opts->warn_ctx, &w);
}

/* Warns that the value at ps->p is not applied, and why. */
static tlsr_err drop(struct parser *ps, const char *at, const char *why)
{
	warn_at(ps, at, "%s; the value is not counted as set", why);
	return DROPPED;
}

/* Warns msg about a place on the line the current value started on, which
 * continuation lines may have left. */
static void warn_value(struct parser *ps, const char *at, const char *msg)
{
	unsigned line = ps->line;
	const char *ls = ps->line_start;

	ps->line = ps->value_line;
	ps->line_start = ps->value_line_start;
	warn_at(ps, at, "%s", msg);
	ps->line = line;
	ps->line_start = ls;
}

static int at_eol(const char *p)
{
	return *p == '\0' || *p == '\n' || *p == '\r';
}

static void skip_blank(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* Moves to the start of the next physical line. */
static void next_line(struct parser *ps)
{
	while (*ps->p != '\0' && *ps->p != '\n' && *ps->p != '\r')
		ps->p++;
	if (*ps->p == '\r')
		ps->p++;
	if (*ps->p == '\n')
		ps->p++;
	ps->line++;
	ps->line_start = ps->p;
}

/* After an item: blanks, then a comment or the end of the line. */
static tlsr_err end_of_item(struct parser *ps, const char *what)
{
	char msg[96];

	skip_blank(ps);
	if (*ps->p == ';' || at_eol(ps->p)) {
		next_line(ps);
		return TLSR_OK;
	}
	snprintf(msg, sizeof msg, "unexpected text after %s", what);
	return fail_at(ps, ps->p, msg);
}

/* 1 when the len bytes at p equal word, ignoring ASCII case. */
static int ieq_n(const char *p, size_t len, const char *word)
{
	if (strlen(word) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i], w = word[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (w >= 'A' && w <= 'Z')
			w = (char)(w + 32);
		if (c != w)
			return 0;
	}
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The hive a key path starts with (comp, len bytes), or NULL; *abbrev is
 * set when it is an abbreviation regedit does not know. */
static const char *hive_of(const char *comp, size_t len, int *abbrev)
{
	*abbrev = 0;
	for (size_t h = 0; h < sizeof hives / sizeof hives[0]; h++) {
		if (ieq_n(comp, len, hives[h].name))
			return hives[h].name;
		if (hives[h].abbrev && ieq_n(comp, len, hives[h].abbrev)) {
			*abbrev = 1;
			return hives[h].name;
		}
	}
	return NULL;
}

/* The mask's child called name (len bytes), or NULL: a mask has a handful
 * of children per key, compared in turn without hashing the name. */
static const struct tlsr_mem_node *
mask_child(const struct tlsr_mem_node *mask, const char *name, size_t len,
	   int hive)
{
	for (size_t i = 0; i < mask->nkids; i++) {
		const struct tlsr_mem_node *k = mask->kids[i];

		/* Hives are spelled the one way hive_of returns them. */
		if (hive ? strcmp(k->name, name) == 0
			 : tlsr_mem_name_eq(k->name, k->name_len, name, len))
			return k;
	}
	return NULL;
}

/* Warns that the [KEY] or [-KEY] line at ps->p is not applied, and why;
 * the rest of its section is not counted. */
static tlsr_err drop_section(struct parser *ps, const char *at, int del,
			     const char *why)
{
	warn_at(ps, at, "%s; %s", why,
		del ? "the key is not deleted"
		    : "the section is not imported");
	ps->have_key = 1;
	ps->key = NULL;
	ps->in_deleted = 0;
	next_line(ps);
	return TLSR_OK;
}

/* A [KEY] or [-KEY] line. regedit takes the text up to the last ']' on
 * the line as the key path, ignores trailing backslashes (Subkey1e-g in
 * Wine's conformance tests, which pass on Windows) and knows only full
 * root key names. */
static tlsr_err parse_key(struct parser *ps)
{
	const char *open = ps->p, *name, *close = NULL, *q, *comp, *end_name;
	struct tlsr_mem_node *node = tlsr_mem_root(ps->reg);
	int del = 0, level = 0, abbrev, keep_to, made = 0;
	const char *hive;
	size_t len;

	ps->p++;
	if (*ps->p == '-') {
		del = 1;
		ps->p++;
	}
	name = ps->p;
	for (q = name; !at_eol(q); q++)
		if (*q == ']')
			close = q;
	if (close == NULL)
		return fail_at(ps, open, "key name has no closing ']'");
	end_name = close;
	while (end_name > name && end_name[-1] == '\\')
		end_name--;
	if (end_name == name)
		return fail_at(ps, name, "empty key name");
	comp = name;
	q = memchr(comp, '\\', (size_t)(end_name - comp));
	len = (size_t)((q ? q : end_name) - comp);
	hive = hive_of(comp, len, &abbrev);
	if (hive == NULL)
		return fail_at(ps, comp,
			       "unknown root key (expected HKEY_LOCAL_MACHINE, "
			       "HKEY_CURRENT_USER, HKEY_CLASSES_ROOT, "
			       "HKEY_USERS or HKEY_CURRENT_CONFIG)");
	ps->p = close + 1;
	skip_blank(ps);
	if (*ps->p != ';' && !at_eol(ps->p)) {
		return drop_section(ps, ps->p, del,
				    "text after the key's ']' (Windows' "
				    "reading is unverified)");
	}
	if (abbrev) {
		char why[96];

		snprintf(why, sizeof why,
			 "regedit knows only full root key names, not '%.*s'",
			 (int)len, comp);
		return drop_section(ps, comp, del, why);
	}
	if (del && q == NULL)
		return fail_at(ps, name, "a root key cannot be deleted");
	/* Check every component before changing the tree. */
	for (const char *c = comp; c < end_name;) {
		const char *e = memchr(c, '\\', (size_t)(end_name - c));
		size_t n;

		if (e == NULL)
			e = end_name;
		n = (size_t)(e - c);
		if (n == 0) {
			return drop_section(ps, c, del,
					    "empty component in the key name "
					    "(Windows' reading is unverified)");
		}
		/* A character is at least one byte: only a long name can
		 * hold too many. */
		if (c != comp && n > KEY_COMPONENT_MAX &&
		    units(c, n) > KEY_COMPONENT_MAX) {
			return drop_section(ps, c, del,
					    "key name component longer than "
					    "255 characters");
		}
		if (++level > TREE_DEPTH_MAX + 1) {
			return drop_section(ps, c, del,
					    "key more than 512 levels deep");
		}
		c = e < end_name ? e + 1 : end_name;
	}
	ps->have_key = 1;
	ps->key = NULL;
	ps->in_deleted = del;
	keep_to = level;
	if (!del) {
		/* A partial registry creates the key down to the deepest kept
		 * level and keeps its values only when the key itself is
		 * kept. */
		const struct tlsr_mem_node *mask = tlsr_mem_mask(ps->reg);

		if (mask != NULL) {
			int i = 0;

			keep_to = 0;
			for (const char *c = comp; c < end_name && mask; i++) {
				const char *e =
				    memchr(c, '\\', (size_t)(end_name - c));
				size_t n;

				if (e == NULL)
					e = end_name;
				n = c == comp ? strlen(hive) : (size_t)(e - c);
				mask = mask_child(mask, c == comp ? hive : c,
						  n, c == comp);
				if (mask != NULL &&
				    mask->keep == TLSR_MEM_KEEP_TREE) {
					keep_to = level;
					break;
				}
				if (mask != NULL && mask->keep != 0)
					keep_to = i + 1;
				c = e < end_name ? e + 1 : end_name;
			}
			if (keep_to == 0) {
				next_line(ps);
				return TLSR_OK;
			}
		}
	}
	for (const char *c = comp; c < end_name && made < keep_to; made++) {
		const char *e = memchr(c, '\\', (size_t)(end_name - c));
		const char *cname = c == comp ? hive : c;
		size_t n;
		struct tlsr_mem_node *next;

		if (e == NULL)
			e = end_name;
		n = c == comp ? strlen(hive) : (size_t)(e - c);
		if (del) {
			next = tlsr_mem_find_child(node, cname, n);
			if (next == NULL) {
				/* Deleting a key that is not there is not
				 * an error for regedit either. */
				node = NULL;
				break;
			}
		} else {
			next = tlsr_mem_add_child(node, cname, n);
			if (next == NULL)
				return TLSR_ENOMEM;
		}
		node = next;
		c = e < end_name ? e + 1 : end_name;
	}
	if (del) {
		if (node != NULL)
			tlsr_mem_remove(node);
	} else if (made == level) {
		node->explicit_ = 1;
		ps->key = node;
	}
	next_line(ps);
	return TLSR_OK;
}

/* A quoted string at ps->p (on the opening quote) unescaped into out as
 * UTF-8. regedit's own escapes are \\ and \" (KB 310516), and \n and \r in
 * names; any other backslash drops the value: Windows' reading of it is
 * unverified (Wine drops the backslash). */
static tlsr_err parse_quoted(struct parser *ps, struct buf *out)
{
	const char *open = ps->p;

	out->len = 0;
	ps->p++;
	for (;;) {
		char c = *ps->p;

		if (at_eol(ps->p))
			return fail_at(ps, open, "unterminated string");
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c == '\\') {
			char e = ps->p[1];

			if (e == '\\' || e == '"') {
				buf_putc(out, (uint8_t)e);
				ps->p += 2;
				continue;
			}
			if (e == 'n' || e == 'r') {
				buf_putc(out, e == 'n' ? '\n' : '\r');
				ps->p += 2;
				continue;
			}
			warn_at(ps, ps->p,
				"unknown escape '\\%c' (Windows' reading is "
				"unverified); the value is not counted as set",
				at_eol(ps->p + 1) ? ' ' : e);
			return DROPPED;
		}
		buf_putc(out, (uint8_t)c);
		ps->p++;
	}
	return out->failed ? TLSR_ENOMEM : TLSR_OK;
}

/* A comma-separated hex byte list into ps->data, following "\" line
 * continuations (blank and comment lines may sit between them); leaves
 * ps->p at the end of the last line's data. As regedit, a continuation
 * must follow a comma. */
static tlsr_err parse_hex_list(struct parser *ps)
{
	int after_byte = 0;

	ps->data.len = 0;
	for (;;) {
		const char *at;
		int hi, lo, n;

		skip_blank(ps);
		if (*ps->p == '\\') {
			const char *bs = ps->p;

			if (after_byte)
				return drop(ps, bs,
					    "no ',' before the line "
					    "continuation '\\' (regedit drops "
					    "such a value)");
			ps->p++;
			skip_blank(ps);
			if (*ps->p != ';' && !at_eol(ps->p))
				return fail_at(ps, bs,
					       "'\\' must end the line");
			/* Blank and comment lines may sit between a
			 * continuation and its data. */
			do {
				next_line(ps);
				skip_blank(ps);
			} while (*ps->p == ';' ||
				 (at_eol(ps->p) && *ps->p != '\0'));
			if (*ps->p == '\0')
				break;
			if (hexval(*ps->p) < 0)
				return fail_at(ps, ps->p,
					       "expected a hex byte (00 to ff) "
					       "after the line continuation");
			continue;
		}
		if (at_eol(ps->p) || *ps->p == ';')
			break;
		if (after_byte) {
			if (*ps->p == ',')
				return drop(ps, ps->p,
					    "blank before ',' (Windows' "
					    "reading is unverified)");
			return fail_at(ps, ps->p,
				       "expected ',' between hex bytes");
		}
		at = ps->p;
		hi = hexval(at[0]);
		if (hi < 0)
			return fail_at(ps, at,
				       "expected a hex byte (00 to ff)");
		for (n = 1; hexval(at[n]) >= 0; n++)
			;
		if (n > 2)
			return drop(ps, at,
				    "hex byte with more than 2 digits "
				    "(Windows' reading is unverified)");
		lo = n == 2 ? hexval(at[1]) : -1;
		buf_putc(&ps->data,
			 (uint8_t)(lo >= 0 ? (hi << 4 | lo) : hi));
		ps->p += n;
		if (*ps->p == ',') {
			ps->p++;
			after_byte = 0;
		} else {
			after_byte = 1;
		}
	}
	return ps->data.failed ? TLSR_ENOMEM : TLSR_OK;
}

/* UTF-8 text (len bytes) into ps->data as UTF-16LE with a terminator. */
static tlsr_err text_to_utf16(struct parser *ps, const uint8_t *text,
			      size_t len)
{
	size_t i = 0;

	ps->data.len = 0;
	while (i < len) {
		uint32_t c;
		size_t n = tlsr_utf8_get(text + i, len - i, &c);

		/* The text was validated when the file was decoded. */
		if (n == 0) {
			c = 0xfffd;
			n = 1;
		}
		i += n;
		buf_put_utf16(&ps->data, c);
	}
	buf_putc(&ps->data, 0);
	buf_putc(&ps->data, 0);
	return ps->data.failed ? TLSR_ENOMEM : TLSR_OK;
}

/* hex(1), hex(2) and hex(7) data as regedit stores them: a non-empty list
 * without a final NUL gets one (Wine20a/b, Wine21a/b pass on Windows for
 * hex(2) and hex(7); hex(1) is treated alike). In a UTF-16 file the data
 * are UTF-16 units; in an ANSI file they are bytes in the code page, which
 * are terminated first and then widened. */
static tlsr_err text_drop(struct parser *ps, const char *at, const char *why)
{
	char msg[200];

	snprintf(msg, sizeof msg, "%s; the value is not counted as set", why);
	warn_value(ps, at, msg);
	return DROPPED;
}

static tlsr_err text_data(struct parser *ps, const char *at)
{
	struct buf wide = {0};
	size_t n = ps->data.len;

	if (n == 0)
		return TLSR_OK;
	if (ps->unicode) {
		if (n % 2 != 0)
			return text_drop(ps, at,
					 "text data of an odd number of bytes "
					 "in a UTF-16 file (Windows' reading "
					 "is unverified)");
		if (ps->data.data[n - 2] != 0 || ps->data.data[n - 1] != 0) {
			buf_putc(&ps->data, 0);
			buf_putc(&ps->data, 0);
		}
		return ps->data.failed ? TLSR_ENOMEM : TLSR_OK;
	}
	if (ps->data.data[n - 1] != 0)
		buf_putc(&ps->data, 0);
	if (ps->data.failed)
		return TLSR_ENOMEM;
	n = ps->data.len;
	for (size_t i = 0; i < n;) {
		uint32_t c;

		if (ps->cp_table != NULL) {
			c = tlsr_codepage_decode(ps->cp_table,
						 ps->data.data[i]);
			if (c == 0xffff) {
				free(wide.data);
				return text_drop(ps, at,
						 "text data hold a byte that "
						 "is not a character in the "
						 "code page");
			}
			i++;
		} else {
			size_t k = tlsr_utf8_get(ps->data.data + i, n - i, &c);

			if (k == 0) {
				free(wide.data);
				return text_drop(ps, at,
						 "text data are not UTF-8");
			}
			i += k;
		}
		buf_put_utf16(&wide, c);
	}
	if (wide.failed) {
		free(wide.data);
		return TLSR_ENOMEM;
	}
	free(ps->data.data);
	ps->data = wide;
	return TLSR_OK;
}

/* The value type tag at ps->p, as regedit matches it: "dword:", "hex:" and
 * "hex(N):" in lower case, N 1 to 8 hex digits. Sets *type and *kind ('d'
 * dword, 'h' hex list); returns DROPPED for spellings Windows' reading of
 * which is unverified. */
static tlsr_err parse_type(struct parser *ps, uint32_t *type, char *kind)
{
	const char *at = ps->p;
	static const char *const tags[] = {"dword:", "hex:", "hex("};

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(tags[i]);

		if (strncmp(at, tags[i], n) == 0) {
			ps->p += n;
			break;
		}
		if (ieq_n(at, n, tags[i]))
			return drop(ps, at,
				    "upper-case value type (regedit matches "
				    "\"dword:\", \"hex:\" and \"hex(N):\"; "
				    "Windows' reading is unverified)");
	}
	if (ps->p == at)
		return fail_at(ps, at,
			       "unknown value data: expected \"string\", "
			       "dword:, hex:, hex(N): or -");
	if (at[0] == 'd') {
		*kind = 'd';
		*type = TLSR_REG_DWORD;
		return TLSR_OK;
	}
	*kind = 'h';
	if (at[3] == ':') {
		*type = TLSR_REG_BINARY;
		return TLSR_OK;
	}
	{
		uint32_t t = 0;
		int digits = 0;
		const char *q = ps->p;

		while (hexval(*q) >= 0) {
			t = t << 4 | (uint32_t)hexval(*q);
			q++;
			digits++;
		}
		if (digits >= 1 && digits <= 8 && q[0] == ')' && q[1] == ':') {
			ps->p = q + 2;
			*type = t;
			return TLSR_OK;
		}
		if ((digits > 8 && q[0] == ')' && q[1] == ':') ||
		    ((*ps->p == ' ' || *ps->p == '\t') &&
		     strchr(ps->p, ')') != NULL))
			return drop(ps, at,
				    "value type hex(N) spelled with blanks "
				    "or more than 8 digits (Windows' "
				    "reading is unverified)");
		return fail_at(ps, at,
			       "bad value type: expected hex(N): with N in "
			       "hex");
	}
}

static tlsr_err parse_value(struct parser *ps)
{
	const char *start = ps->p, *data_at;
	uint32_t type = 0;
	char kind = 0;
	int del = 0;
	tlsr_err err;

	ps->value_line = ps->line;
	ps->value_line_start = ps->line_start;
	if (*ps->p == '@') {
		ps->name.len = 0;
		ps->p++;
	} else {
		err = parse_quoted(ps, &ps->name);
		if (err != TLSR_OK)
			return err;
	}
	if (!ps->have_key)
		return fail_at(ps, start, "value before any [key] line");
	skip_blank(ps);
	if (*ps->p != '=')
		return fail_at(ps, ps->p, "expected '=' after value name");
	ps->p++;
	skip_blank(ps);
	data_at = ps->p;
	if (*ps->p == '-') {
		del = 1;
		ps->p++;
	} else if (*ps->p == '"') {
		err = parse_quoted(ps, &ps->text);
		/* Text is valid UTF-8 once decoded: only a value that is
		 * kept needs its UTF-16. */
		if (err == TLSR_OK && ps->key != NULL)
			err = text_to_utf16(ps, ps->text.data, ps->text.len);
		if (err != TLSR_OK)
			return err;
		type = TLSR_REG_SZ;
	} else {
		err = parse_type(ps, &type, &kind);
		if (err != TLSR_OK)
			return err;
	}
	if (kind == 'd') {
		uint32_t v = 0;
		int digits = 0;

		/* regedit allows blanks after "dword:" (Wine9a/b). */
		skip_blank(ps);
		while (hexval(*ps->p) >= 0 && digits <= 8) {
			v = v << 4 | (uint32_t)hexval(*ps->p);
			ps->p++;
			digits++;
		}
		if (digits == 0 || digits > 8)
			return fail_at(ps, data_at + 6,
				       "dword needs 1 to 8 hex digits");
		ps->data.len = 0;
		for (int i = 0; i < 4; i++)
			buf_putc(&ps->data, (uint8_t)(v >> (8 * i)));
		if (ps->data.failed)
			return TLSR_ENOMEM;
	} else if (kind == 'h') {
		err = parse_hex_list(ps);
		if (err != TLSR_OK)
			return err;
	}
	if (kind == 'h' && (type == TLSR_REG_SZ || type == TLSR_REG_EXPAND_SZ ||
			    type == TLSR_REG_MULTI_SZ)) {
		err = text_data(ps, data_at);
		if (err != TLSR_OK)
			return err;
	}
	err = end_of_item(ps, "the value");
	if (err != TLSR_OK)
		return err;
	if (ps->name.len > VALUE_NAME_MAX &&
	    units((const char *)ps->name.data, ps->name.len) >
		VALUE_NAME_MAX) {
		warn_value(ps, start,
			   "value name longer than 16383 characters; the value "
			   "is not imported");
		return TLSR_OK;
	}
	if (ps->key == NULL) {
		if (ps->in_deleted)
			warn_value(ps, start,
				   "value in a [-KEY] section: regedit ignores "
				   "it");
		return TLSR_OK;
	}
	if (del) {
		tlsr_mem_remove_value(ps->key, (const char *)ps->name.data,
				      ps->name.len);
		return TLSR_OK;
	}
	{
		uint8_t *copy = NULL;

		if (ps->data.len > 0) {
			copy = malloc(ps->data.len);
			if (copy == NULL)
				return TLSR_ENOMEM;
			memcpy(copy, ps->data.data, ps->data.len);
		}
		return tlsr_mem_put_value(
		    ps->key, ps->name.len ? (const char *)ps->name.data : "",
		    ps->name.len, type, copy, ps->data.len);
	}
}

/* The first line: regedit takes exactly one of its two headers (blanks
 * before it allowed). A line starting "REGEDIT" with more after it, or a
 * header with trailing text, is taken by regedit without importing
 * anything (Test5/Test6); returns 1 then. */
static tlsr_err parse_header(struct parser *ps, int *import_nothing)
{
	const char *h = ps->p, *e;
	size_t n;

	*import_nothing = 0;
	skip_blank(ps);
	h = ps->p;
	for (e = h; !at_eol(e); e++)
		;
	n = (size_t)(e - h);
	if (n == sizeof v5_header - 1 &&
	    memcmp(h, v5_header, sizeof v5_header - 1) == 0) {
		ps->p = e;
		next_line(ps);
		return TLSR_OK;
	}
	if (n == sizeof reg4_header - 1 &&
	    memcmp(h, reg4_header, sizeof reg4_header - 1) == 0) {
		ps->p = e;
		next_line(ps);
		return TLSR_OK;
	}
	if ((n > sizeof v5_header - 1 &&
	     memcmp(h, v5_header, sizeof v5_header - 1) == 0) ||
	    (n > 7 && memcmp(h, "REGEDIT", 7) == 0)) {
		warn_at(ps, h,
			"regedit does not take \"%.*s\" as a header it imports "
			"from (a header line holds nothing else); nothing in "
			"this file is imported",
			(int)(n > 60 ? 60 : n), h);
		*import_nothing = 1;
		return TLSR_OK;
	}
	return fail_at(ps, h,
		       "not a .reg file: the first line must be "
		       "\"Windows Registry Editor Version 5.00\" or "
		       "\"REGEDIT4\"");
}

/* 1 when the line at p (after blanks) starts with a hex digit. */
static int hex_line(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return hexval(*p) >= 0;
}

/* Skips the value line a dropped value started on, and the continuation
 * lines that follow it (regedit ignores lines that start with a hex
 * digit). */
static void skip_dropped(struct parser *ps)
{
	next_line(ps);
	while (*ps->p != '\0' && hex_line(ps->p))
		next_line(ps);
}

static tlsr_err parse_text(struct parser *ps, int *import_nothing)
{
	tlsr_err err;

	err = parse_header(ps, import_nothing);
	if (err != TLSR_OK || *import_nothing)
		return err;
	while (*ps->p != '\0') {
		skip_blank(ps);
		switch (*ps->p) {
		case '\0':
			err = TLSR_OK;
			break;
		case '\r':
		case '\n':
		case ';':
		case '#':
			/* regedit skips these lines (Wine3, test_comments). */
			next_line(ps);
			err = TLSR_OK;
			break;
		case '[':
			err = parse_key(ps);
			break;
		case '"':
		case '@':
			err = parse_value(ps);
			break;
		default:
			err = fail_at(ps, ps->p,
				      "expected a [key], a \"value\"=, @= or "
				      "a ; comment");
		}
		if (err == DROPPED) {
			skip_dropped(ps);
			err = TLSR_OK;
		}
		if (err == TLSR_ENOMEM)
			tlsr_diag_set(ps->diag, ps->label, ps->line,
				      col_of(ps, ps->p), "out of memory");
		if (err != TLSR_OK)
			return err;
	}
	return TLSR_OK;
}

/* The code page opts ask for (1252 by default); TLSR_EINVAL for one
 * tlsward does not know. */
static tlsr_err codepage_of(const char *label,
			    const struct tlsr_regfile_options *opts,
			    unsigned *codepage, struct tlsr_diag *diag)
{
	*codepage = opts && opts->codepage ? opts->codepage
					   : TLSR_CODEPAGE_DEFAULT;
	if (*codepage != TLSR_CODEPAGE_UTF8 &&
	    tlsr_codepage_table(*codepage) == NULL) {
		tlsr_diag_set(diag, label, 0, 0, "unknown code page %u",
			      *codepage);
		return TLSR_EINVAL;
	}
	return TLSR_OK;
}

/* Parses the decoded file d (decode_end gave rc) and frees its text;
 * source names the file a partial registry reads in whole when an op
 * needs more (NULL for a buffer). */
static tlsr_err parse_decoded(const char *label, const char *source,
			      struct decoded *d, int rc, unsigned codepage,
			      const struct tlsr_regfile_options *opts,
			      struct tlsr_registry **out,
			      struct tlsr_diag *diag)
{
	struct parser ps = {0};
	int import_nothing = 0, reg4;
	tlsr_err err;

	ps.label = label;
	ps.diag = diag;
	ps.opts = opts;
	ps.line = 1;
	if (rc == -2) {
		free(d->text);
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		return TLSR_ENOMEM;
	}
	ps.line_start = d->text;
	if (rc == -1) {
		/* Find the line and column the bad bytes start at. */
		for (const char *q = d->text; *q; q++)
			if (*q == '\n') {
				ps.line++;
				ps.line_start = q + 1;
			}
		err = fail_at(&ps, d->text + d->len, d->why);
		goto out;
	}
	ps.unicode = d->unicode;
	ps.utf8 = !d->unicode && codepage == TLSR_CODEPAGE_UTF8;
	ps.cp_table =
	    d->unicode || ps.utf8 ? NULL : tlsr_codepage_table(codepage);
	ps.reg = tlsr_mem_create(1);
	if (ps.reg == NULL ||
	    (opts != NULL && opts->n_keep > 0 &&
	     tlsr_mem_set_keep(ps.reg, opts->keep, opts->n_keep, source,
			       opts->codepage) != TLSR_OK)) {
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		err = TLSR_ENOMEM;
		goto out;
	}
	ps.p = d->text;
	if (d->utf8_bom) {
		warn_at(&ps, ps.p,
			"UTF-8 byte order mark: regedit reads this file in "
			"code page %u, does not find its header and imports "
			"nothing (read it with --codepage utf-8 to audit it "
			"as UTF-8)",
			codepage);
		import_nothing = 1;
		err = TLSR_OK;
	} else {
		err = parse_text(&ps, &import_nothing);
	}
	if (err != TLSR_OK)
		goto out;
	if (import_nothing) {
		/* What regedit imports: nothing. */
		tlsr_registry_destroy(ps.reg);
		ps.reg = tlsr_mem_create(1);
		if (ps.reg == NULL ||
		    (opts != NULL && opts->n_keep > 0 &&
		     tlsr_mem_set_keep(ps.reg, opts->keep, opts->n_keep, source,
				       opts->codepage) != TLSR_OK)) {
			tlsr_diag_set(diag, label, 0, 0, "out of memory");
			err = TLSR_ENOMEM;
			goto out;
		}
	}
	{
		const char *h = d->text;

		while (*h == ' ' || *h == '\t')
			h++;
		reg4 = !ps.unicode && !ps.utf8 && !import_nothing &&
		       strncmp(h, reg4_header, sizeof reg4_header - 1) == 0;
	}
	tlsr_mem_set_format(ps.reg, reg4 ? TLSR_REGFILE_REG4 : TLSR_REGFILE_V5);
	tlsr_mem_set_codepage(ps.reg, reg4 ? codepage : 0);
	*out = ps.reg;
	ps.reg = NULL;
out:
	tlsr_registry_destroy(ps.reg);
	free(ps.name.data);
	free(ps.data.data);
	free(ps.text.data);
	free(d->text);
	return err;
}

tlsr_err tlsr_regfile_parse_with(const char *label, const uint8_t *buf,
				 size_t len,
				 const struct tlsr_regfile_options *opts,
				 struct tlsr_registry **out,
				 struct tlsr_diag *diag)
{
	struct decoded d;
	unsigned codepage;
	tlsr_err err;

	if (out == NULL || (buf == NULL && len != 0))
		return TLSR_EINVAL;
	*out = NULL;
	if (label == NULL)
		label = "(buffer)";
	err = codepage_of(label, opts, &codepage, diag);
	if (err != TLSR_OK)
		return err;
	if (len > TLSR_REGFILE_MAX_BYTES) {
		tlsr_diag_set(diag, label, 0, 0, "file is larger than %u bytes",
			      TLSR_REGFILE_MAX_BYTES);
		return TLSR_ETOOBIG;
	}
	decode_start(&d, codepage, len);
	decode_feed(&d, buf != NULL ? buf : (const uint8_t *)"", len, 1);
	return parse_decoded(label, NULL, &d, decode_end(&d), codepage, opts,
			     out, diag);
}

tlsr_err tlsr_regfile_parse(const char *label, const uint8_t *buf, size_t len,
			    struct tlsr_registry **out, struct tlsr_diag *diag)
{
	return tlsr_regfile_parse_with(label, buf, len, NULL, out, diag);
}

/* A file is read and decoded in pieces of this size (even, so that no
 * UTF-16 unit is split): the bytes are never all in memory at once. */
#define READ_PIECE (64u * 1024u)

tlsr_err tlsr_regfile_read_with(const char *path,
				const struct tlsr_regfile_options *opts,
				struct tlsr_registry **out,
				struct tlsr_diag *diag)
{
	struct decoded d;
	uint8_t *piece = NULL;
	size_t total = 0, hint = 0;
	unsigned codepage;
	FILE *f;
	tlsr_err err;

	if (out == NULL || path == NULL)
		return TLSR_EINVAL;
	*out = NULL;
	f = fopen(path, "rb");
	if (f == NULL) {
		int e = errno;

		tlsr_diag_set(diag, path, 0, 0, "cannot open: %s", strerror(e));
		return e == ENOENT   ? TLSR_ENOTFOUND
		       : e == EACCES ? TLSR_EACCESS
				     : TLSR_EIO;
	}
	/* Refuse a huge file before reading it when its size is known. */
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);

		if (size > 0 && (unsigned long)size > TLSR_REGFILE_MAX_BYTES) {
			tlsr_diag_set(diag, path, 0, 0,
				      "file is larger than %u bytes",
				      TLSR_REGFILE_MAX_BYTES);
			err = TLSR_ETOOBIG;
			goto out;
		}
		if (size > 0)
			hint = (size_t)size;
	}
	rewind(f);
	err = codepage_of(path, opts, &codepage, diag);
	if (err != TLSR_OK)
		goto out;
	piece = malloc(READ_PIECE);
	if (piece == NULL) {
		tlsr_diag_set(diag, path, 0, 0, "out of memory");
		err = TLSR_ENOMEM;
		goto out;
	}
	decode_start(&d, codepage, hint);
	for (;;) {
		/* fread fills the piece unless the file ends (or fails). */
		size_t n = fread(piece, 1, READ_PIECE, f);

		total += n;
		if (total > TLSR_REGFILE_MAX_BYTES) {
			free(d.text);
			tlsr_diag_set(diag, path, 0, 0,
				      "file is larger than %u bytes",
				      TLSR_REGFILE_MAX_BYTES);
			err = TLSR_ETOOBIG;
			goto out;
		}
		decode_feed(&d, piece, n, n < READ_PIECE);
		if (n < READ_PIECE)
			break;
	}
	if (ferror(f)) {
		free(d.text);
		tlsr_diag_set(diag, path, 0, 0, "read error");
		err = TLSR_EIO;
		goto out;
	}
	err = parse_decoded(path, path, &d, decode_end(&d), codepage, opts,
			    out, diag);
out:
	free(piece);
	fclose(f);
	return err;
}

tlsr_err tlsr_regfile_read(const char *path, struct tlsr_registry **out,
			   struct tlsr_diag *diag)
{
	return tlsr_regfile_read_with(path, NULL, out, diag);
}

tlsr_err tlsr_regfile_reread(const char *path, unsigned codepage,
			     struct tlsr_registry **out)
{
	struct tlsr_regfile_options opts;
	struct tlsr_diag diag;

	memset(&opts, 0, sizeof opts);
	opts.codepage = codepage;
	return tlsr_regfile_read_with(path, &opts, out, &diag);
}

enum tlsr_regfile_format tlsr_regfile_format_of(const struct tlsr_registry *reg)
{
	if (!tlsr_mem_is(reg))
		return TLSR_REGFILE_V5;
	return tlsr_mem_format(reg);
}

/* ---- writing ---- */

/* Appends s escaped as regedit does inside quotes. */
static void put_escaped(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' || c == '"') {
			buf_putc(out, '\\');
			buf_putc(out, (uint8_t)c);
		} else if (c == '\n') {
			buf_puts(out, "\\n");
		} else if (c == '\r') {
			buf_puts(out, "\\r");
		} else {
			buf_putc(out, (uint8_t)c);
		}
	}
}

/* 1 when every character of the UTF-8 text s (len bytes) has a byte in the
 * code page (table; NULL: UTF-16, everything fits). */
static int fits(const uint16_t *table, const char *s, size_t len)
{
	size_t i = 0;

	while (table != NULL && i < len) {
		uint32_t c;
		size_t n = tlsr_utf8_get((const unsigned char *)s + i, len - i,
					 &c);

		if (n == 0 || tlsr_codepage_encode(table, c) < 0)
			return 0;
		i += n;
	}
	return 1;
}

/* UTF-16LE data (one terminator, no other NUL, no lone surrogate) as UTF-8
 * into out; 0 when the data are not such text, or (table not NULL) hold a
 * character the code page lacks. */
static int sz_as_text(const uint8_t *d, size_t size, const uint16_t *table,
		      struct buf *out)
{
	size_t n;

	if (size < 2 || size % 2 != 0 || d[size - 2] != 0 || d[size - 1] != 0)
		return 0;
	n = size - 2;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t c = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8;
		char tmp[4];

		if (c == 0)
			return 0;
		if (c >= 0xdc00 && c <= 0xdfff)
			return 0;
		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t lo;

			if (i + 3 >= n)
				return 0;
			lo = (uint32_t)d[i + 2] | (uint32_t)d[i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				return 0;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (table != NULL && tlsr_codepage_encode(table, c) < 0)
			return 0;
		buf_put(out, tmp, tlsr_utf8_put(c, tmp));
	}
	return 1;
}

static int text_type(uint32_t type)
{
	return type == TLSR_REG_SZ || type == TLSR_REG_EXPAND_SZ ||
	       type == TLSR_REG_MULTI_SZ;
}

/* Text-type data narrowed to the code page into out, as a REGEDIT4 hex
 * list holds them; 0 when a reader would not get the same data back (a
 * unit without a byte, or data without a final NUL, which the reader would
 * add). */
static int narrow(const uint8_t *d, size_t size, const uint16_t *table,
		  struct buf *out)
{
	out->len = 0;
	if (size == 0)
		return 1;
	if (size % 2 != 0 || d[size - 2] != 0 || d[size - 1] != 0)
		return 0;
	for (size_t i = 0; i < size; i += 2) {
		int b = tlsr_codepage_encode(
		    table, (uint32_t)d[i] | (uint32_t)d[i + 1] << 8);

		if (b < 0)
			return 0;
		buf_putc(out, (uint8_t)b);
	}
	return !out->failed;
}

/* 1 when REGEDIT4 in the code page carries node's subtree exactly. */
static int reg4_fits(const struct tlsr_mem_node *node, const uint16_t *table,
		     struct buf *tmp)
{
	if (!fits(table, node->name, node->name_len))
		return 0;
	for (size_t i = 0; i < node->nvals; i++) {
		const struct tlsr_mem_value *v = node->vals[i];

		if (!fits(table, v->name, v->name_len))
			return 0;
		tmp->len = 0;
		if (v->type == TLSR_REG_SZ &&
		    sz_as_text(v->data, v->size, table, tmp))
			continue;
		if (text_type(v->type) && !narrow(v->data, v->size, table, tmp))
			return 0;
	}
	for (size_t i = 0; i < node->nkids; i++)
		if (!reg4_fits(node->kids[i], table, tmp))
			return 0;
	return 1;
}

/* Appends a hex list the way regedit wraps it; line_len is the width of
 * the line so far. */
static void put_hex(struct buf *out, size_t line_len, const uint8_t *d,
		    size_t size)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < size; i++) {
		buf_putc(out, (uint8_t)digits[d[i] >> 4]);
		buf_putc(out, (uint8_t)digits[d[i] & 15]);
		if (i + 1 == size)
			break;
		buf_putc(out, ',');
		line_len += 3;
		if (line_len >= 77) {
			buf_puts(out, "\\\r\n  ");
			line_len = 2;
		}
	}
}

/* table: the code page of a REGEDIT4 file, NULL for V5. */
static void put_value(struct buf *out, const struct tlsr_mem_value *v,
		      const uint16_t *table, struct buf *tmp)
{
	size_t line_start = out->len, line_len;
	char head[24];

	if (v->name_len > 0) {
		buf_putc(out, '"');
		put_escaped(out, v->name, v->name_len);
		buf_puts(out, "\"=");
	} else {
		buf_puts(out, "@=");
	}
	if (out->failed)
		return;
	line_len =
	    units((const char *)out->data + line_start, out->len - line_start);
	tmp->len = 0;
	if (v->type == TLSR_REG_SZ && sz_as_text(v->data, v->size, table, tmp)) {
		buf_putc(out, '"');
		put_escaped(out, (const char *)tmp->data, tmp->len);
		buf_putc(out, '"');
	} else if (v->type == TLSR_REG_DWORD && v->size == 4) {
		snprintf(head, sizeof head, "dword:%08lx",
			 (unsigned long)((uint32_t)v->data[0] |
					 (uint32_t)v->data[1] << 8 |
					 (uint32_t)v->data[2] << 16 |
					 (uint32_t)v->data[3] << 24));
		buf_puts(out, head);
	} else {
		const uint8_t *d = v->data;
		size_t size = v->size;

		if (v->type == TLSR_REG_BINARY)
			snprintf(head, sizeof head, "hex:");
		else
			snprintf(head, sizeof head,
				 "hex(%lx):", (unsigned long)v->type);
		buf_puts(out, head);
		line_len += strlen(head);
		/* REGEDIT4 holds text data as ANSI bytes, which a reader
		 * widens: never the UTF-16 bytes themselves (reg4_fits
		 * checked that they narrow exactly). */
		if (table != NULL && text_type(v->type) &&
		    narrow(v->data, v->size, table, tmp)) {
			d = tmp->data;
			size = tmp->len;
		}
		put_hex(out, line_len, d, size);
	}
	buf_puts(out, "\r\n");
}

/* Whether node gets its own [KEY] section: a key with values, one named
 * in the file or created through the ops, and any leaf (which would vanish
 * otherwise). Hives only when they were named or hold values. */
static int written(const struct tlsr_mem_node *node, int hive)
{
	if (node->explicit_ || node->nvals > 0)
		return 1;
	return !hive && node->nkids == 0;
}

static void put_key(struct buf *out, struct buf *path,
		    const struct tlsr_mem_node *node, int hive,
		    const uint16_t *table, struct buf *tmp)
{
	size_t mark = path->len;

	if (!hive)
		buf_putc(path, '\\');
	buf_put(path, node->name, node->name_len);
	if (written(node, hive)) {
		buf_puts(out, "\r\n[");
		buf_put(out, path->data, path->len);
		buf_puts(out, "]\r\n");
		for (size_t i = 0; i < node->nvals; i++)
			put_value(out, node->vals[i], table, tmp);
	}
	for (size_t i = 0; i < node->nkids && !out->failed; i++)
		put_key(out, path, node->kids[i], 0, table, tmp);
	path->len = mark;
}

/* The UTF-8 text in src re-encoded into dst: in the code page (table) for
 * REGEDIT4, else as UTF-16LE with a BOM. */
static void encode(struct buf *dst, const struct buf *src,
		   const uint16_t *table)
{
	size_t i = 0;

	if (table == NULL) {
		buf_putc(dst, 0xff);
		buf_putc(dst, 0xfe);
	}
	if (buf_reserve(dst, src->len * 2) != 0)
		return;
	while (i < src->len) {
		uint32_t c;
		size_t n = tlsr_utf8_get(src->data + i, src->len - i, &c);

		if (n == 0) {
			c = 0xfffd;
			n = 1;
		}
		i += n;
		if (table != NULL) {
			int b = tlsr_codepage_encode(table, c);

			buf_putc(dst, (uint8_t)(b < 0 ? '?' : b));
		} else {
			buf_put_utf16(dst, c);
		}
	}
}

tlsr_err tlsr_regfile_write(struct tlsr_registry *reg, const char *path,
			    enum tlsr_regfile_format fmt)
{
	struct buf text = {0}, path_buf = {0}, tmp = {0}, bytes = {0};
	struct tlsr_mem_node *root;
	const uint16_t *table = NULL;
	char *tmp_path = NULL;
	FILE *f = NULL;
	tlsr_err err = TLSR_OK;
	size_t plen;

	if (reg == NULL || path == NULL ||
	    (fmt != TLSR_REGFILE_V5 && fmt != TLSR_REGFILE_REG4))
		return TLSR_EINVAL;
	if (!tlsr_mem_is(reg))
		return tlsr_reg_fail(reg, TLSR_EUNSUPPORTED, 0,
				     "only a memory or .reg registry can be "
				     "written as a .reg file");
	if (tlsr_mem_mask(reg) != NULL)
		return tlsr_reg_fail(reg, TLSR_EUNSUPPORTED, 0,
				     "only the keys a check reads were read "
				     "from the .reg file");
	root = tlsr_mem_root(reg);
	if (fmt == TLSR_REGFILE_REG4) {
		unsigned cp = tlsr_mem_codepage(reg);

		table = tlsr_codepage_table(cp ? cp : TLSR_CODEPAGE_DEFAULT);
		if (!reg4_fits(root, table, &tmp))
			table = NULL;
	}
	buf_puts(&text, table != NULL ? reg4_header : v5_header);
	buf_puts(&text, "\r\n");
	for (size_t i = 0; i < root->nkids; i++)
		put_key(&text, &path_buf, root->kids[i], 1, table, &tmp);
	buf_puts(&text, "\r\n");
	encode(&bytes, &text, table);
	if (text.failed || path_buf.failed || tmp.failed || bytes.failed) {
		err = tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
		goto out;
	}
	plen = strlen(path);
	tmp_path = malloc(plen + 5);
	if (tmp_path == NULL) {
		err = tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
		goto out;
	}
	memcpy(tmp_path, path, plen);
	memcpy(tmp_path + plen, ".tmp", 5);
	f = fopen(tmp_path, "wb");
	if (f == NULL) {
		err = tlsr_reg_fail(
		    reg, errno == EACCES ? TLSR_EACCESS : TLSR_EIO, errno,
		    "cannot create %s: %s", tmp_path, strerror(errno));
		goto out;
	}
	if (fwrite(bytes.data, 1, bytes.len, f) != bytes.len) {
		err = tlsr_reg_fail(reg, TLSR_EIO, errno, "cannot write %s: %s",
				    tmp_path, strerror(errno));
		goto out_remove;
	}
	if (fclose(f) != 0) {
		f = NULL;
		err = tlsr_reg_fail(reg, TLSR_EIO, errno, "cannot write %s: %s",
				    tmp_path, strerror(errno));
		goto out_remove;
	}
	f = NULL;
	if (rename(tmp_path, path) != 0 &&
	    /* Windows' C runtime does not replace an existing file. */
	    (!(errno == EEXIST || errno == EACCES) || remove(path) != 0 ||
	     rename(tmp_path, path) != 0)) {
		err = tlsr_reg_fail(reg, TLSR_EIO, errno,
				    "cannot rename %s to %s: %s", tmp_path,
				    path, strerror(errno));
		goto out_remove;
	}
	goto out;
out_remove:
	if (f != NULL)
		fclose(f);
	f = NULL;
	remove(tmp_path);
out:
	if (f != NULL)
		fclose(f);
	free(tmp_path);
	free(bytes.data);
	free(tmp.data);
	free(path_buf.data);
	free(text.data);
	return err;
}
