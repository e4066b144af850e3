/* tlsward: a growable text buffer for reports and event lines. */
#ifndef TLSR_STRBUF_H
#define TLSR_STRBUF_H

#include <stddef.h>

#include "error.h"

/* Start from {0}. The buffer owns buf until tlsr_sb_finish hands it over.
 * Running out of memory sets oom; later appends do nothing. */
struct tlsr_sb {
	char *buf;
	size_t len, cap;
	int oom;
};

/* Appends n bytes; buf stays NUL-terminated. */
void tlsr_sb_add(struct tlsr_sb *b, const char *s, size_t n);
/* Appends a C string. */
void tlsr_sb_puts(struct tlsr_sb *b, const char *s);
/* Appends printf-style text. */
void tlsr_sb_printf(struct tlsr_sb *b, const char *fmt, ...) TLSR_PRINTF(2, 3);
/* Appends s (UTF-8) as a JSON string literal, quotes included; control
 * characters and DEL are escaped. */
void tlsr_sb_json(struct tlsr_sb *b, const char *s);
/* Hands the text to the caller, who frees it; NULL (and the buffer freed)
 * when memory ran out. An empty buffer gives "". */
char *tlsr_sb_finish(struct tlsr_sb *b);

#endif
