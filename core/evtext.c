/* tlsward: one-line, bounded text for events. */
#include <string.h>

#include "evtext.h"

/* Length of the UTF-8 sequence at s and its code point; 0 when
 * malformed (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t next_char(const unsigned char *s, unsigned long *cp)
{
	static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1Fu;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0Fu;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static int unsafe(unsigned long c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
	       c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F ||
	       c == 0x061C;
}

int tlsr_evtext_clean(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t cap, o = 0, n;
	unsigned long c = 0;
	int changed = 0;

	if (size == 0)
		return 1;
	/* Room for "..." and the NUL. */
	cap = size - 1 < TLSR_EVTEXT_MAX ? size - 1 : TLSR_EVTEXT_MAX;
	while (*s != '\0') {
		n = next_char(s, &c);
		if (n == 0 || unsafe(c)) {
			if (o + 1 > cap)
				break;
			out[o++] = '?';
			s += n ? n : 1;
			changed = 1;
			continue;
		}
		if (c == '%' && s[1] == '%') {
			if (o + 2 > cap)
				break;
			out[o++] = '%';
			out[o++] = ' ';
			s++;
			changed = 1;
			continue;
		}
		if (o + n > cap)
			break;
		memcpy(out + o, s, n);
		o += n;
		s += n;
	}
	if (*s != '\0') {
		/* Cut: keep room for "..." inside size. */
		while (o + 3 > size - 1 && o > 0) {
			o--;
			while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80)
				o--;
		}
		if (o + 3 <= size - 1) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
		changed = 1;
	}
	out[o] = '\0';
	return changed;
}
