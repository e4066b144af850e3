/* tlsward: UTF-8 helpers, Windows' upper-case mapping, ANSI code pages. */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

size_t tlsr_utf8_put(uint32_t cp, char *out)
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

size_t tlsr_utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
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

uint16_t tlsr_upper_unit(uint16_t unit)
{
	return (uint16_t)(unit +
			  tlsr_upper_delta[tlsr_upper_index[unit >> 8]][unit & 0xff]);
}

const uint16_t *tlsr_codepage_table(unsigned cp)
{
	for (const struct tlsr_codepage *c = tlsr_codepages; c->number; c++)
		if (c->number == cp)
			return c->high;
	return NULL;
}

uint32_t tlsr_codepage_decode(const uint16_t *table, uint8_t b)
{
	return b < 0x80 ? b : table[b - 0x80];
}

int tlsr_codepage_encode(const uint16_t *table, uint32_t cp)
{
	if (cp < 0x80)
		return (int)cp;
	if (cp == 0xffff)
		return -1;
	for (int i = 0; i < 128; i++)
		if (table[i] == cp)
			return 0x80 + i;
	return -1;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return *a == *b;
}

int tlsr_codepage_parse(const char *text, unsigned *cp)
{
	char *end;
	unsigned long n;

	if (text == NULL)
		return -1;
	if (ieq(text, "utf-8") || ieq(text, "utf8")) {
		*cp = TLSR_CODEPAGE_UTF8;
		return 0;
	}
	if (strncmp(text, "windows-", 8) == 0)
		text += 8;
	else if ((text[0] == 'c' || text[0] == 'C') &&
		 (text[1] == 'p' || text[1] == 'P'))
		text += 2;
	if (*text < '0' || *text > '9')
		return -1;
	n = strtoul(text, &end, 10);
	if (*end != '\0')
		return -1;
	if (n == TLSR_CODEPAGE_UTF8 || tlsr_codepage_table((unsigned)n)) {
		*cp = (unsigned)n;
		return 0;
	}
	return -1;
}
