/* tlsward: a growable text buffer, and JSON string literals, for every
 * module that writes reports or event lines. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Appends n bytes, growing the buffer; remembers running out. */
void tlsr_sb_add(struct tlsr_sb *b, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->buf, cap);
		if (grown == NULL) {
			b->oom = 1;
			return;
		}
		b->buf = grown;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* Appends a C string. */
void tlsr_sb_puts(struct tlsr_sb *b, const char *s)
{
	tlsr_sb_add(b, s, strlen(s));
}

/* Appends printf-style text. */
void tlsr_sb_printf(struct tlsr_sb *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n < sizeof small) {
		tlsr_sb_add(b, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (big == NULL) {
			b->oom = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		tlsr_sb_add(b, big, (size_t)n);
		free(big);
	}
}

/* Hands the text to the caller, or NULL when memory ran out. */
char *tlsr_sb_finish(struct tlsr_sb *b)
{
	if (b->oom || b->buf == NULL) {
		if (!b->oom && b->buf == NULL) {
			b->buf = malloc(1);
			if (b->buf != NULL)
				b->buf[0] = '\0';
			return b->buf;
		}
		free(b->buf);
		return NULL;
	}
	return b->buf;
}

/* JSON string with every control character and non-ASCII-safe byte
 * escaped; bytes >= 0x80 pass through, the text being UTF-8. */
void tlsr_sb_json(struct tlsr_sb *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	tlsr_sb_puts(b, "\"");
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			tlsr_sb_puts(b, "\\\"");
			break;
		case '\\':
			tlsr_sb_puts(b, "\\\\");
			break;
		case '\n':
			tlsr_sb_puts(b, "\\n");
			break;
		case '\r':
			tlsr_sb_puts(b, "\\r");
			break;
		case '\t':
			tlsr_sb_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				tlsr_sb_printf(b, "\\u%04x", *p);
			else
				tlsr_sb_add(b, (const char *)p, 1);
		}
	}
	tlsr_sb_puts(b, "\"");
}
