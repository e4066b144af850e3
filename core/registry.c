/* tlsward: backend-independent registry helpers: path-level reads and writes
 * over the ops table, failure recording, and UTF-8 <-> UTF-16LE for value
 * data. */
#include "registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"

const char *tlsr_view_name(enum tlsr_view view)
{
	switch (view) {
	case TLSR_VIEW_64:
		return "64";
	case TLSR_VIEW_32:
		return "32";
	default:
		return "-";
	}
}

void tlsr_value_clear(struct tlsr_value *value)
{
	if (value == NULL)
		return;
	free(value->data);
	value->data = NULL;
	value->size = 0;
	value->type = TLSR_REG_NONE;
}

void tlsr_registry_destroy(struct tlsr_registry *reg)
{
	if (reg == NULL)
		return;
	reg->ops->destroy(reg);
}

tlsr_err tlsr_reg_fail(struct tlsr_registry *reg, tlsr_err err, long sys_code,
		       const char *fmt, ...)
{
	va_list ap;

	if (reg == NULL)
		return err;
	reg->sys_code = sys_code;
	va_start(ap, fmt);
	vsnprintf(reg->message, sizeof reg->message, fmt, ap);
	va_end(ap);
	return err;
}

void tlsr_reg_batch_begin(struct tlsr_registry *reg)
{
	if (reg != NULL && reg->ops->batch != NULL)
		reg->ops->batch(reg, 1);
}

void tlsr_reg_batch_end(struct tlsr_registry *reg)
{
	if (reg != NULL && reg->ops->batch != NULL)
		reg->ops->batch(reg, 0);
}

tlsr_err tlsr_reg_get(struct tlsr_registry *reg, const char *path,
		      enum tlsr_view view, const char *name,
		      struct tlsr_value *out)
{
	struct tlsr_key *key = NULL;
	tlsr_err err;

	if (reg == NULL || path == NULL || name == NULL || out == NULL)
		return TLSR_EINVAL;
	memset(out, 0, sizeof *out);
	err = reg->ops->open_key(reg, path, view, 0, &key);
	if (err != TLSR_OK)
		return err;
	err = reg->ops->get_value(reg, key, name, out);
	reg->ops->close_key(reg, key);
	return err;
}

tlsr_err tlsr_reg_get_dword(struct tlsr_registry *reg, const char *path,
			    enum tlsr_view view, const char *name,
			    uint32_t *out)
{
	struct tlsr_value v;
	tlsr_err err;

	if (out == NULL)
		return TLSR_EINVAL;
	err = tlsr_reg_get(reg, path, view, name, &v);
	if (err != TLSR_OK)
		return err;
	if (v.type != TLSR_REG_DWORD || v.size != 4) {
		err = tlsr_reg_fail(reg, TLSR_ETYPE, 0,
				    "%s\\%s is type %u with %zu bytes, not a "
				    "REG_DWORD",
				    path, *name ? name : "(default)",
				    (unsigned)v.type, v.size);
		goto out;
	}
	/* Registry data are little-endian whatever the host is. */
	*out = tlsr_le32_get(v.data);
out:
	tlsr_value_clear(&v);
	return err;
}

int tlsr_reg_read_dword(struct tlsr_registry *reg, const char *path,
			enum tlsr_view view, const char *name, uint32_t *out,
			tlsr_err *err)
{
	tlsr_err e;

	if (*err != TLSR_OK)
		return 0;
	e = tlsr_reg_get_dword(reg, path, view, name, out);
	if (e == TLSR_OK)
		return 1;
	if (e == TLSR_ENOTFOUND)
		return 0;
	if (e == TLSR_ETYPE)
		return -1;
	*err = e;
	return 0;
}

tlsr_err tlsr_reg_get_string(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, const char *name, char *buf,
			     size_t size)
{
	struct tlsr_value v;
	size_t len;
	tlsr_err err;

	if (buf == NULL || size == 0)
		return TLSR_EINVAL;
	err = tlsr_reg_get(reg, path, view, name, &v);
	if (err != TLSR_OK)
		return err;
	if (v.type != TLSR_REG_SZ && v.type != TLSR_REG_EXPAND_SZ) {
		err = tlsr_reg_fail(
		    reg, TLSR_ETYPE, 0, "%s\\%s is type %u, not a string", path,
		    *name ? name : "(default)", (unsigned)v.type);
		goto out;
	}
	/* Windows does not promise a terminator, nor an even size: take the
	 * text up to the first NUL character, or all whole characters. */
	len = v.size & ~(size_t)1;
	for (size_t i = 0; i + 1 < len; i += 2) {
		if (v.data[i] == 0 && v.data[i + 1] == 0) {
			len = i;
			break;
		}
	}
	if (len == 0) {
		buf[0] = '\0';
		goto out;
	}
	if (tlsr_utf16le_to_utf8(v.data, len, buf, size) == 0) {
		/* Tell a short buffer from bad data by asking for the length
		 * with room to spare. */
		size_t need = len / 2 * 3 + 1;
		char *tmp = malloc(need);

		if (tmp == NULL) {
			err = TLSR_ENOMEM;
			goto out;
		}
		if (tlsr_utf16le_to_utf8(v.data, len, tmp, need) != 0)
			err = tlsr_reg_fail(reg, TLSR_ERANGE, 0,
					    "%s\\%s: string longer than %zu "
					    "bytes",
					    path, *name ? name : "(default)",
					    size);
		else
			err = tlsr_reg_fail(reg, TLSR_ETYPE, 0,
					    "%s\\%s: string is not valid "
					    "UTF-16",
					    path, *name ? name : "(default)");
		free(tmp);
	}
out:
	tlsr_value_clear(&v);
	return err;
}

tlsr_err tlsr_reg_set(struct tlsr_registry *reg, const char *path,
		      enum tlsr_view view, const char *name, uint32_t type,
		      const void *data, size_t size)
{
	struct tlsr_key *key = NULL;
	tlsr_err err;

	if (reg == NULL || path == NULL || name == NULL ||
	    (data == NULL && size != 0))
		return TLSR_EINVAL;
	err = reg->ops->open_key(reg, path, view, 1, &key);
	if (err != TLSR_OK)
		return err;
	err = reg->ops->set_value(reg, key, name, type, data, size);
	reg->ops->close_key(reg, key);
	return err;
}

tlsr_err tlsr_reg_set_dword(struct tlsr_registry *reg, const char *path,
			    enum tlsr_view view, const char *name,
			    uint32_t value)
{
	uint8_t le[4];

	tlsr_le32_put(le, value);
	return tlsr_reg_set(reg, path, view, name, TLSR_REG_DWORD, le,
			    sizeof le);
}

tlsr_err tlsr_reg_set_string(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, const char *name,
			     const char *text)
{
	size_t cap, n;
	uint8_t *buf;
	tlsr_err err;

	if (text == NULL)
		return TLSR_EINVAL;
	/* Each UTF-8 byte gives at most one UTF-16 unit. */
	cap = (strlen(text) + 1) * 2;
	buf = malloc(cap);
	if (buf == NULL)
		return TLSR_ENOMEM;
	n = tlsr_utf8_to_utf16le(text, buf, cap);
	if (n == 0) {
		err = tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				    "text for %s\\%s is not valid UTF-8",
				    path ? path : "", name ? name : "");
		goto out;
	}
	err = tlsr_reg_set(reg, path, view, name, TLSR_REG_SZ, buf, n);
out:
	free(buf);
	return err;
}

tlsr_err tlsr_reg_delete_value(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view, const char *name)
{
	struct tlsr_key *key = NULL;
	tlsr_err err;

	if (reg == NULL || path == NULL || name == NULL)
		return TLSR_EINVAL;
	err = reg->ops->open_key(reg, path, view, 0, &key);
	if (err != TLSR_OK)
		return err;
	err = reg->ops->delete_value(reg, key, name);
	reg->ops->close_key(reg, key);
	return err;
}

tlsr_err tlsr_reg_key_exists(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view)
{
	struct tlsr_key *key = NULL;
	tlsr_err err;

	if (reg == NULL || path == NULL)
		return TLSR_EINVAL;
	err = reg->ops->open_key(reg, path, view, 0, &key);
	if (err != TLSR_OK)
		return err;
	reg->ops->close_key(reg, key);
	return TLSR_OK;
}

/* Decodes one UTF-8 sequence at s (NUL-terminated); returns its length and
 * the code point in *cp, or 0 when malformed (overlong, surrogate, > U+10FFFF,
 * truncated). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t tlsr_utf8_to_utf16le(const char *text, uint8_t *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t pos = 0; /* never beyond size */

	if (text == NULL || buf == NULL)
		return 0;
	for (;;) {
		uint32_t cp;
		size_t n;

		if (*s == '\0') {
			if (size - pos < 2)
				return 0;
			buf[pos++] = 0;
			buf[pos++] = 0;
			return pos;
		}
		n = utf8_decode(s, &cp);
		if (n == 0)
			return 0;
		s += n;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint32_t hi = 0xd800 | (v >> 10);
			uint32_t lo = 0xdc00 | (v & 0x3ff);

			if (size - pos < 4)
				return 0;
			buf[pos++] = (uint8_t)hi;
			buf[pos++] = (uint8_t)(hi >> 8);
			buf[pos++] = (uint8_t)lo;
			buf[pos++] = (uint8_t)(lo >> 8);
		} else {
			if (size - pos < 2)
				return 0;
			buf[pos++] = (uint8_t)cp;
			buf[pos++] = (uint8_t)(cp >> 8);
		}
	}
}

size_t tlsr_utf16le_to_utf8(const uint8_t *data, size_t len, char *buf,
			    size_t size)
{
	size_t i = 0, pos = 0;

	if ((data == NULL && len != 0) || buf == NULL || size == 0)
		return 0;
	while (i + 1 < len) {
		uint32_t c = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
		unsigned char out[4];
		size_t n;

		i += 2;
		if (c == 0)
			break;
		if (c >= 0xd800 && c <= 0xdbff) {
			uint32_t lo;

			if (i + 1 >= len)
				return 0;
			lo = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				return 0;
			i += 2;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			return 0;
		}
		if (c < 0x80) {
			out[0] = (unsigned char)c;
			n = 1;
		} else if (c < 0x800) {
			out[0] = (unsigned char)(0xc0 | c >> 6);
			out[1] = (unsigned char)(0x80 | (c & 0x3f));
			n = 2;
		} else if (c < 0x10000) {
			out[0] = (unsigned char)(0xe0 | c >> 12);
			out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			out[2] = (unsigned char)(0x80 | (c & 0x3f));
			n = 3;
		} else {
			out[0] = (unsigned char)(0xf0 | c >> 18);
			out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
			out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			out[3] = (unsigned char)(0x80 | (c & 0x3f));
			n = 4;
		}
		if (size - pos < n + 1)
			return 0;
		memcpy(buf + pos, out, n);
		pos += n;
	}
	buf[pos++] = '\0';
	return pos;
}
