/* tlsward: .reg files as regedit reads and writes them.
 *
 * Reading decodes the whole file to UTF-8 first (UTF-16LE with a BOM, UTF-8,
 * or Windows-1252 for REGEDIT4), then parses it line by line into a memory
 * registry. Lone UTF-16 surrogates, which real exports contain in junk
 * strings, are carried through as 3-byte sequences (WTF-8) so they survive a
 * round trip. Writing follows regedit's export: a header line, each key as
 * "\r\n[PATH]\r\n" followed by its values, a final "\r\n", hex lists wrapped
 * after 77 columns with "\" and a two-space indent, strings escaped. */
#include "registry_mem_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char v5_header[] = "Windows Registry Editor Version 5.00";
static const char reg4_header[] = "REGEDIT4";

/* Windows-1252 0x80..0x9f; the five undefined bytes map to the same code
 * point, as MultiByteToWideChar does. */
static const uint16_t cp1252_high[32] = {
    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static uint32_t cp1252_to_cp(uint8_t b)
{
	return (b >= 0x80 && b < 0xa0) ? cp1252_high[b - 0x80] : b;
}

/* The Windows-1252 byte for cp, or '?' when it has none. */
static uint8_t cp_to_cp1252(uint32_t cp)
{
	if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff))
		return (uint8_t)cp;
	for (int i = 0; i < 32; i++)
		if (cp1252_high[i] == cp)
			return (uint8_t)(0x80 + i);
	return '?';
}

/* Appends cp as UTF-8 (surrogates too, as WTF-8) to out; 1-4 bytes. */
static size_t put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes one WTF-8 sequence from s (at most n bytes); returns its length,
 * or 0 when malformed. */
static size_t get_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

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
	if (buf_reserve(b, len) != 0)
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void buf_putc(struct buf *b, uint8_t c)
{
	if (buf_reserve(b, 1) != 0)
		return;
	b->data[b->len++] = c;
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* ---- decoding the file to UTF-8 text ---- */

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Decodes in into a NUL-terminated UTF-8 string in *out (*out_len bytes).
 * Returns 0, -2 when out of memory, or -1 with *why set when the bytes are
 * not text: *out then holds the text before the bad bytes, which locates
 * the error. NUL padding at the very end is ignored. */
static int decode(const uint8_t *in, size_t len, char **out, size_t *out_len,
		  const char **why)
{
	char *text, *o;
	size_t i = 0;

	*why = NULL;
	if (len >= 2 && in[0] == 0xff && in[1] == 0xfe) {
		/* At most 3 bytes of UTF-8 per UTF-16 unit. */
		text = malloc(len / 2 * 3 + 1);
		if (text == NULL)
			return -2;
		o = text;
		for (i = 2; i + 1 < len; i += 2) {
			uint32_t c = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;

			if (c >= 0xd800 && c <= 0xdbff && i + 3 < len) {
				uint32_t lo = (uint32_t)in[i + 2] |
					      (uint32_t)in[i + 3] << 8;

				if (lo >= 0xdc00 && lo <= 0xdfff) {
					c = 0x10000 + ((c - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 2;
				}
			}
			if (c == 0) {
				if (!all_zero(in + i, len - i))
					*why = "NUL character in the file";
				i = len;
				break;
			}
			o += put_utf8(c, o);
		}
		if (*why == NULL && i < len)
			*why = "odd number of bytes in a UTF-16 file";
		*o = '\0';
		*out = text;
		*out_len = (size_t)(o - text);
		return *why ? -1 : 0;
	}
	if (len >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf)
		i = 3;
	/* Without a BOM, REGEDIT4 files are ANSI; anything else is read as
	 * UTF-8. */
	{
		size_t k = i;
		int reg4;

		while (k < len && (in[k] == ' ' || in[k] == '\t'))
			k++;
		reg4 = i == 0 && len - k >= sizeof reg4_header - 1 &&
		       memcmp(in + k, reg4_header, sizeof reg4_header - 1) == 0;
		text = malloc((len - i) * 3 + 1);
		if (text == NULL)
			return -2;
		o = text;
		while (i < len) {
			uint32_t c;
			size_t n;

			if (in[i] == 0) {
				if (!all_zero(in + i, len - i))
					*why = "NUL character in the file";
				break;
			}
			if (reg4) {
				o += put_utf8(cp1252_to_cp(in[i]), o);
				i++;
				continue;
			}
			n = get_utf8(in + i, len - i, &c);
			if (n == 0 || (c >= 0xd800 && c <= 0xdfff)) {
				*why = "invalid UTF-8";
				break;
			}
			memcpy(o, in + i, n);
			o += n;
			i += n;
		}
	}
	*o = '\0';
	*out = text;
	*out_len = (size_t)(o - text);
	return *why ? -1 : 0;
}

/* ---- parsing ---- */

struct parser {
	const char *label;
	struct tlsr_diag *diag;
	struct tlsr_registry *reg;
	const char *p;		/* cursor */
	const char *line_start; /* start of the cursor's physical line */
	unsigned line;
	int reg4;
	int have_key;		   /* a [KEY] line was seen */
	struct tlsr_mem_node *key; /* NULL inside a [-KEY] section */
	struct buf name;	   /* value name being parsed */
	struct buf data;	   /* value data being parsed */
};

static const struct {
	const char *name, *abbrev;
} hives[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"},  {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},   {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_CONFIG", "HKCC"}, {"HKEY_DYN_DATA", NULL},
    {"HKEY_PERFORMANCE_DATA", NULL},
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

static int ieq_prefix(const char *p, const char *word)
{
	size_t i;

	for (i = 0; word[i] != '\0'; i++) {
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

/* 1 when the len bytes at p equal word, ignoring ASCII case. */
static int ieq_n(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && ieq_prefix(p, word);
}

static tlsr_err parse_key(struct parser *ps)
{
	const char *open = ps->p, *name, *close = NULL, *q, *comp;
	struct tlsr_mem_node *node = tlsr_mem_root(ps->reg);
	int del = 0, level = 0;

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
	if (close == name)
		return fail_at(ps, name, "empty key name");
	ps->have_key = 1;
	ps->key = NULL;
	comp = name;
	while (comp < close) {
		const char *end = memchr(comp, '\\', (size_t)(close - comp));
		size_t len;
		struct tlsr_mem_node *next;

		if (end == NULL)
			end = close;
		len = (size_t)(end - comp);
		if (len == 0)
			return fail_at(ps, comp, "empty component in key name");
		if (len > TLSR_REG_NAME_MAX)
			return fail_at(ps, comp, "key name component too long");
		if (level == 0) {
			size_t h;

			for (h = 0; h < sizeof hives / sizeof hives[0]; h++) {
				if (ieq_n(comp, len, hives[h].name) ||
				    (hives[h].abbrev &&
				     ieq_n(comp, len, hives[h].abbrev)))
					break;
			}
			if (h == sizeof hives / sizeof hives[0])
				return fail_at(ps, comp,
					       "unknown root key (expected "
					       "HKEY_LOCAL_MACHINE, HKLM, "
					       "HKEY_CURRENT_USER, ...)");
			comp = hives[h].name;
			len = strlen(comp);
		}
		if (del) {
			next = tlsr_mem_find_child(node, comp, len);
			if (next == NULL) {
				/* Deleting a key that is not there is not
				 * an error for regedit either. */
				node = NULL;
				break;
			}
		} else {
			next = tlsr_mem_add_child(node, comp, len);
			if (next == NULL)
				return TLSR_ENOMEM;
		}
		node = next;
		level++;
		comp = end < close ? end + 1 : close;
		if (end + 1 == close)
			return fail_at(ps, close,
				       "empty component in key name");
	}
	if (del) {
		if (node != NULL && level == 1)
			return fail_at(ps, name,
				       "a root key cannot be deleted");
		if (node != NULL)
			tlsr_mem_remove(node);
	} else {
		node->explicit_ = 1;
		ps->key = node;
	}
	ps->p = close + 1;
	return end_of_item(ps, "']'");
}

/* A quoted string at ps->p (on the opening quote) unescaped into out as
 * UTF-8. regedit escapes \\ and \" (Wine also \r and \n); any other
 * backslash is kept as written. */
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
		}
		buf_putc(out, (uint8_t)c);
		ps->p++;
	}
	return out->failed ? TLSR_ENOMEM : TLSR_OK;
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

/* A comma-separated hex byte list into ps->data, following "\" line
 * continuations; leaves ps->p at the end of the last line's data. */
static tlsr_err parse_hex_list(struct parser *ps)
{
	ps->data.len = 0;
	for (;;) {
		int hi, lo;

		skip_blank(ps);
		if (*ps->p == '\\') {
			const char *bs = ps->p;

			ps->p++;
			skip_blank(ps);
			if (!at_eol(ps->p))
				return fail_at(ps, bs,
					       "'\\' must end the line");
			next_line(ps);
			/* regedit indents continuation lines; a comment
			 * line may sit between them. */
			for (;;) {
				skip_blank(ps);
				if (*ps->p != ';')
					break;
				next_line(ps);
			}
			continue;
		}
		if (at_eol(ps->p) || *ps->p == ';')
			break;
		hi = hexval(ps->p[0]);
		if (hi < 0)
			return fail_at(ps, ps->p,
				       "expected a hex byte (00 to ff)");
		lo = hexval(ps->p[1]);
		if (lo >= 0) {
			if (hexval(ps->p[2]) >= 0)
				return fail_at(ps, ps->p,
					       "hex byte has more than 2 "
					       "digits");
			buf_putc(&ps->data, (uint8_t)(hi << 4 | lo));
			ps->p += 2;
		} else {
			buf_putc(&ps->data, (uint8_t)hi);
			ps->p += 1;
		}
		skip_blank(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '\\' || at_eol(ps->p) || *ps->p == ';')
			continue;
		return fail_at(ps, ps->p, "expected ',' between hex bytes");
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
		size_t n = get_utf8(text + i, len - i, &c);

		/* The text was validated when the file was decoded. */
		if (n == 0) {
			c = 0xfffd;
			n = 1;
		}
		i += n;
		if (c >= 0x10000) {
			uint32_t v = c - 0x10000;
			uint32_t hs = 0xd800 | v >> 10,
				 ls = 0xdc00 | (v & 0x3ff);

			buf_putc(&ps->data, (uint8_t)hs);
			buf_putc(&ps->data, (uint8_t)(hs >> 8));
			buf_putc(&ps->data, (uint8_t)ls);
			buf_putc(&ps->data, (uint8_t)(ls >> 8));
		} else {
			buf_putc(&ps->data, (uint8_t)c);
			buf_putc(&ps->data, (uint8_t)(c >> 8));
		}
	}
	buf_putc(&ps->data, 0);
	buf_putc(&ps->data, 0);
	return ps->data.failed ? TLSR_ENOMEM : TLSR_OK;
}

/* REGEDIT4 stores hex(2) and hex(7) data as ANSI bytes: widen them. */
static tlsr_err widen_ansi(struct parser *ps)
{
	size_t n = ps->data.len;
	uint8_t *wide;

	if (n > SIZE_MAX / 2)
		return TLSR_ENOMEM;
	wide = malloc(n * 2 + 1);
	if (wide == NULL)
		return TLSR_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cp1252_to_cp(ps->data.data[i]);

		wide[2 * i] = (uint8_t)c;
		wide[2 * i + 1] = (uint8_t)(c >> 8);
	}
	free(ps->data.data);
	ps->data.data = wide;
	ps->data.cap = n * 2 + 1;
	ps->data.len = n * 2;
	return TLSR_OK;
}

static tlsr_err parse_value(struct parser *ps)
{
	const char *start = ps->p, *data_at;
	uint32_t type;
	int del = 0;
	tlsr_err err;

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
		struct buf text = {0};

		err = parse_quoted(ps, &text);
		if (err == TLSR_OK)
			err = text_to_utf16(ps, text.data, text.len);
		free(text.data);
		if (err != TLSR_OK)
			return err;
		type = TLSR_REG_SZ;
	} else if (ieq_prefix(ps->p, "dword:")) {
		uint32_t v = 0;
		int digits = 0;

		ps->p += 6;
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
		type = TLSR_REG_DWORD;
	} else if (ieq_prefix(ps->p, "hex:")) {
		ps->p += 4;
		type = TLSR_REG_BINARY;
		err = parse_hex_list(ps);
		if (err != TLSR_OK)
			return err;
	} else if (ieq_prefix(ps->p, "hex(")) {
		uint32_t t = 0;
		int digits = 0;

		ps->p += 4;
		while (hexval(*ps->p) >= 0 && digits <= 8) {
			t = t << 4 | (uint32_t)hexval(*ps->p);
			ps->p++;
			digits++;
		}
		if (digits == 0 || digits > 8 || ps->p[0] != ')' ||
		    ps->p[1] != ':')
			return fail_at(ps, data_at,
				       "bad value type: expected hex(N): with "
				       "N in hex");
		ps->p += 2;
		type = t;
		err = parse_hex_list(ps);
		if (err != TLSR_OK)
			return err;
		if (ps->reg4 &&
		    (type == TLSR_REG_EXPAND_SZ || type == TLSR_REG_MULTI_SZ)) {
			err = widen_ansi(ps);
			if (err != TLSR_OK)
				return err;
		}
	} else {
		return fail_at(ps, data_at,
			       "unknown value data: expected \"string\", "
			       "dword:, hex:, hex(N): or -");
	}
	err = end_of_item(ps, "the value");
	if (err != TLSR_OK)
		return err;
	if (ps->key == NULL)
		return TLSR_OK; /* inside a [-KEY] section: ignored */
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

static tlsr_err parse_text(struct parser *ps)
{
	size_t hl;
	tlsr_err err;

	skip_blank(ps);
	if (strncmp(ps->p, v5_header, sizeof v5_header - 1) == 0) {
		hl = sizeof v5_header - 1;
	} else if (strncmp(ps->p, reg4_header, sizeof reg4_header - 1) == 0) {
		hl = sizeof reg4_header - 1;
		ps->reg4 = 1;
	} else {
		return fail_at(ps, ps->p,
			       "not a .reg file: the first line must be "
			       "\"Windows Registry Editor Version 5.00\" or "
			       "\"REGEDIT4\"");
	}
	ps->p += hl;
	err = end_of_item(ps, "the header");
	if (err != TLSR_OK)
		return err;
	while (*ps->p != '\0') {
		skip_blank(ps);
		switch (*ps->p) {
		case '\0':
			break;
		case '\r':
		case '\n':
		case ';':
			next_line(ps);
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
		if (err == TLSR_ENOMEM)
			tlsr_diag_set(ps->diag, ps->label, ps->line,
				      col_of(ps, ps->p), "out of memory");
		if (err != TLSR_OK)
			return err;
	}
	return TLSR_OK;
}

tlsr_err tlsr_regfile_parse(const char *label, const uint8_t *buf, size_t len,
			    struct tlsr_registry **out, struct tlsr_diag *diag)
{
	struct parser ps = {0};
	const char *why;
	char *text = NULL;
	size_t text_len;
	tlsr_err err;
	int rc;

	if (out == NULL || (buf == NULL && len != 0))
		return TLSR_EINVAL;
	*out = NULL;
	if (label == NULL)
		label = "(buffer)";
	if (len > TLSR_REGFILE_MAX_BYTES) {
		tlsr_diag_set(diag, label, 0, 0, "file is larger than %u bytes",
			      TLSR_REGFILE_MAX_BYTES);
		return TLSR_ETOOBIG;
	}
	ps.label = label;
	ps.diag = diag;
	ps.line = 1;
	rc = decode(buf, len, &text, &text_len, &why);
	if (rc == -2) {
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		return TLSR_ENOMEM;
	}
	if (rc == -1) {
		/* Find the line and column the bad bytes start at. */
		ps.line_start = text;
		for (const char *q = text; *q; q++)
			if (*q == '\n') {
				ps.line++;
				ps.line_start = q + 1;
			}
		err = fail_at(&ps, text + text_len, why);
		goto out;
	}
	ps.reg = tlsr_mem_create(1);
	if (ps.reg == NULL) {
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		err = TLSR_ENOMEM;
		goto out;
	}
	ps.p = ps.line_start = text;
	err = parse_text(&ps);
	if (err != TLSR_OK)
		goto out;
	tlsr_mem_set_format(ps.reg,
			    ps.reg4 ? TLSR_REGFILE_REG4 : TLSR_REGFILE_V5);
	*out = ps.reg;
	ps.reg = NULL;
out:
	tlsr_registry_destroy(ps.reg);
	free(ps.name.data);
	free(ps.data.data);
	free(text);
	return err;
}

tlsr_err tlsr_regfile_read(const char *path, struct tlsr_registry **out,
			   struct tlsr_diag *diag)
{
	struct buf b = {0};
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
	}
	rewind(f);
	for (;;) {
		size_t n;

		if (buf_reserve(&b, 1 << 16) != 0) {
			tlsr_diag_set(diag, path, 0, 0, "out of memory");
			err = TLSR_ENOMEM;
			goto out;
		}
		n = fread(b.data + b.len, 1, b.cap - b.len, f);
		b.len += n;
		if (b.len > TLSR_REGFILE_MAX_BYTES) {
			tlsr_diag_set(diag, path, 0, 0,
				      "file is larger than %u bytes",
				      TLSR_REGFILE_MAX_BYTES);
			err = TLSR_ETOOBIG;
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		tlsr_diag_set(diag, path, 0, 0, "read error");
		err = TLSR_EIO;
		goto out;
	}
	err = tlsr_regfile_parse(path, b.data, b.len, out, diag);
out:
	free(b.data);
	fclose(f);
	return err;
}

enum tlsr_regfile_format tlsr_regfile_format_of(const struct tlsr_registry *reg)
{
	if (!tlsr_mem_is(reg))
		return TLSR_REGFILE_V5;
	return tlsr_mem_format(reg);
}

/* ---- writing ---- */

/* Text written so far on the current line, in UTF-16 units as regedit
 * counts them. */
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

/* UTF-16LE data (one terminator, no other NUL, no lone surrogate) as UTF-8
 * into out; 0 when the data are not such text. With reg4, characters must
 * also exist in Windows-1252. */
static int sz_as_text(const uint8_t *d, size_t size, int reg4, struct buf *out)
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
		if (reg4 && cp_to_cp1252(c) == '?' && c != '?')
			return 0;
		buf_put(out, tmp, put_utf8(c, tmp));
	}
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

static void put_value(struct buf *out, const struct tlsr_mem_value *v, int reg4,
		      struct buf *tmp)
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
	if (v->type == TLSR_REG_SZ && sz_as_text(v->data, v->size, reg4, tmp)) {
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
		if (reg4 && (v->type == TLSR_REG_EXPAND_SZ ||
			     v->type == TLSR_REG_MULTI_SZ)) {
			/* regedit narrows these to ANSI in REGEDIT4. */
			for (size_t i = 0; i + 1 < size; i += 2)
				buf_putc(tmp,
					 cp_to_cp1252((uint32_t)d[i] |
						      (uint32_t)d[i + 1] << 8));
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
		    const struct tlsr_mem_node *node, int hive, int reg4,
		    struct buf *tmp)
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
			put_value(out, node->vals[i], reg4, tmp);
	}
	for (size_t i = 0; i < node->nkids && !out->failed; i++)
		put_key(out, path, node->kids[i], 0, reg4, tmp);
	path->len = mark;
}

/* The UTF-8 text in src re-encoded for fmt into dst (with BOM for V5). */
static void encode(struct buf *dst, const struct buf *src,
		   enum tlsr_regfile_format fmt)
{
	size_t i = 0;

	if (fmt == TLSR_REGFILE_V5) {
		buf_putc(dst, 0xff);
		buf_putc(dst, 0xfe);
	}
	if (buf_reserve(dst, src->len * 2) != 0)
		return;
	while (i < src->len) {
		uint32_t c;
		size_t n = get_utf8(src->data + i, src->len - i, &c);

		if (n == 0) {
			c = 0xfffd;
			n = 1;
		}
		i += n;
		if (fmt == TLSR_REGFILE_REG4) {
			buf_putc(dst, cp_to_cp1252(c));
		} else if (c >= 0x10000) {
			uint32_t v = c - 0x10000;
			uint32_t hs = 0xd800 | v >> 10,
				 ls = 0xdc00 | (v & 0x3ff);

			buf_putc(dst, (uint8_t)hs);
			buf_putc(dst, (uint8_t)(hs >> 8));
			buf_putc(dst, (uint8_t)ls);
			buf_putc(dst, (uint8_t)(ls >> 8));
		} else {
			buf_putc(dst, (uint8_t)c);
			buf_putc(dst, (uint8_t)(c >> 8));
		}
	}
}

tlsr_err tlsr_regfile_write(struct tlsr_registry *reg, const char *path,
			    enum tlsr_regfile_format fmt)
{
	struct buf text = {0}, path_buf = {0}, tmp = {0}, bytes = {0};
	struct tlsr_mem_node *root;
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
	root = tlsr_mem_root(reg);
	buf_puts(&text, fmt == TLSR_REGFILE_V5 ? v5_header : reg4_header);
	buf_puts(&text, "\r\n");
	for (size_t i = 0; i < root->nkids; i++)
		put_key(&text, &path_buf, root->kids[i], 1,
			fmt == TLSR_REGFILE_REG4, &tmp);
	buf_puts(&text, "\r\n");
	encode(&bytes, &text, fmt);
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
#ifdef _WIN32
	/* The C runtime's rename() does not replace an existing file. */
	remove(path);
#endif
	if (rename(tmp_path, path) != 0) {
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
