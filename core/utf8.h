/* tlsward: UTF-8 (WTF-8) text, Windows' name comparison and the ANSI code
 * pages .reg files are read in.
 *
 * Names and text inside tlsward are UTF-8; lone UTF-16 surrogates, which
 * real registries hold, are carried as 3-byte sequences (WTF-8). Registry
 * names compare as Windows compares them: per UTF-16 unit, after simple
 * upper-case mapping (tables generated from the Unicode Character Database
 * at build time by utf8_tables.py; supplementary characters, two units
 * each, are not mapped). */
#ifndef TLSR_UTF8_H
#define TLSR_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* UTF-8 as a code page number, as Windows numbers it. */
#define TLSR_CODEPAGE_UTF8 65001u
/* The ANSI code page an offline audit assumes (Western European). */
#define TLSR_CODEPAGE_DEFAULT 1252u

/* Writes cp as UTF-8 (surrogates too, as WTF-8) to out; returns 1-4. */
size_t tlsr_utf8_put(uint32_t cp, char *out);

/* Decodes one WTF-8 sequence from s (at most n bytes, n > 0); returns its
 * length, or 0 when malformed. */
size_t tlsr_utf8_get(const unsigned char *s, size_t n, uint32_t *cp);

/* The simple upper-case mapping of one UTF-16 unit. */
uint16_t tlsr_upper_unit(uint16_t unit);

/* The code page's byte table, for 874, 1250-1258 and 28591; NULL for any
 * other number. */
const uint16_t *tlsr_codepage_table(unsigned cp);

/* The code point byte b stands for in the code page (a table from
 * tlsr_codepage_table); 0xffff when the code page leaves it undefined. */
uint32_t tlsr_codepage_decode(const uint16_t *table, uint8_t b);

/* The byte for cp in the code page; -1 when it has none. */
int tlsr_codepage_encode(const uint16_t *table, uint32_t cp);

/* Reads "1252", "cp1252", "windows-1252", "65001", "utf-8" or "utf8" into
 * *cp; 0, or -1 when the code page is unknown or not single-byte. */
int tlsr_codepage_parse(const char *text, unsigned *cp);

/* Generated tables (utf8_tables.c). */
struct tlsr_codepage {
	unsigned number;
	const uint16_t *high; /* bytes 0x80-0xff */
};
extern const char tlsr_unicode_version[];
extern const uint16_t tlsr_upper_delta[][256];
extern const uint8_t tlsr_upper_index[256];
extern const struct tlsr_codepage tlsr_codepages[];

#endif
