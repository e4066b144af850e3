/* Tests of the .reg file reader and writer: what regedit writes must read
 * in, what tlsward writes must be what regedit would write, and bad input
 * must give a located error, never a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <direct.h>
#else
#include <sys/stat.h>
#include <sys/wait.h>
#endif

#include <dirent.h>

#include "policy.h"
#include "registry.h"
#include "registry_mem_internal.h"
#include "tlsr.h"

#define V5 "Windows Registry Editor Version 5.00\r\n\r\n"

static const char *const machines[] = {
    "win7-sp1-unpatched",
    "win7-sp1-patched",
    "server2012r2",
    "win10-22h2",
    "win11",
};
#define NMACHINES ((int)(sizeof machines / sizeof machines[0]))

static void data_path(char *buf, size_t size, const char *rel)
{
	const char *dir = getenv("TLSR_DATA");

	ck_assert_msg(dir != NULL, "TLSR_DATA is not set");
	snprintf(buf, size, "%s/%s", dir, rel);
}

static void temp_path(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("TMPDIR");

	if (dir == NULL)
		dir = getenv("TEMP");
	if (dir == NULL)
		dir = ".";
	snprintf(buf, size, "%s/tlsward-test-regfile-%s", dir, name);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* text (ASCII) as UTF-16LE with a BOM, as regedit writes it. */
static uint8_t *utf16(const char *text, size_t *len)
{
	size_t n = strlen(text);
	uint8_t *out = malloc(2 + 2 * n);

	ck_assert_ptr_nonnull(out);
	out[0] = 0xff;
	out[1] = 0xfe;
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = (uint8_t)text[i];
		out[3 + 2 * i] = 0;
	}
	*len = 2 + 2 * n;
	return out;
}

static struct tlsr_registry *parse_ok(const char *text)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	char msg[1200];
	tlsr_err err;

	err = tlsr_regfile_parse("t.reg", (const uint8_t *)text, strlen(text),
				 &reg, &diag);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "parse failed: %s", msg);
	ck_assert_str_eq(reg->ops->name, "regfile");
	return reg;
}

/* Warnings a read reported, formatted FILE:LINE:COL: reason. */
struct warnings {
	int n;
	char text[16][700];
};

static void collect(void *ctx, const struct tlsr_diag *where)
{
	struct warnings *w = ctx;

	if (w->n < 16)
		tlsr_diag_format(where, w->text[w->n], sizeof w->text[0]);
	w->n++;
}

/* Parses len bytes with the code page cp (0: the default), collecting
 * warnings into w. */
static struct tlsr_registry *parse_with(const void *buf, size_t len,
					unsigned cp, struct warnings *w)
{
	struct tlsr_regfile_options o = {cp, collect, w, NULL, 0};
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	char msg[1200];
	tlsr_err err;

	memset(w, 0, sizeof *w);
	err = tlsr_regfile_parse_with("t.reg", buf, len, &o, &reg, &diag);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "parse failed: %s", msg);
	return reg;
}

/* text (ASCII) as a UTF-16LE file with a BOM, parsed. */
static struct tlsr_registry *parse16(const char *text, struct warnings *w)
{
	size_t len;
	uint8_t *buf = utf16(text, &len);
	struct tlsr_registry *reg = parse_with(buf, len, 0, w);

	free(buf);
	return reg;
}

/* Expects exactly one warning, starting with where (e.g. "t.reg:4:5: ")
 * and holding what. */
static void expect_warning(const struct warnings *w, const char *where,
			   const char *what)
{
	ck_assert_msg(w->n == 1, "%d warnings, first: %s", w->n,
		      w->n ? w->text[0] : "");
	ck_assert_msg(strncmp(w->text[0], where, strlen(where)) == 0,
		      "warning: %s", w->text[0]);
	ck_assert_msg(strstr(w->text[0], what) != NULL, "warning: %s",
		      w->text[0]);
}

static void expect_absent(struct tlsr_registry *reg, const char *path,
			  const char *name)
{
	struct tlsr_value v;

	ck_assert_int_eq(tlsr_reg_get(reg, path, TLSR_VIEW_NONE, name, &v),
			 TLSR_ENOTFOUND);
}

static struct tlsr_registry *read_fixture(const char *rel)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	char path[1024], msg[1200];
	tlsr_err err;

	data_path(path, sizeof path, rel);
	err = tlsr_regfile_read(path, &reg, &diag);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "%s: %s", rel, msg);
	return reg;
}

static void expect(struct tlsr_registry *reg, const char *path,
		   const char *name, uint32_t type, const void *data,
		   size_t size)
{
	struct tlsr_value v;

	ck_assert_int_eq(tlsr_reg_get(reg, path, TLSR_VIEW_NONE, name, &v),
			 TLSR_OK);
	ck_assert_uint_eq(v.type, type);
	ck_assert_uint_eq(v.size, size);
	if (size > 0)
		ck_assert_mem_eq(v.data, data, size);
	tlsr_value_clear(&v);
}

static void expect_string(struct tlsr_registry *reg, const char *path,
			  enum tlsr_view view, const char *name,
			  const char *want)
{
	char buf[512];

	ck_assert_int_eq(
	    tlsr_reg_get_string(reg, path, view, name, buf, sizeof buf),
	    TLSR_OK);
	ck_assert_str_eq(buf, want);
}

static void expect_dword(struct tlsr_registry *reg, const char *path,
			 enum tlsr_view view, const char *name, uint32_t want)
{
	uint32_t d = 0;

	ck_assert_int_eq(tlsr_reg_get_dword(reg, path, view, name, &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, want);
}

START_TEST(regfile_reads_every_value_type)
{
	static const uint8_t sz[] = {'h', 0, 'i', 0, 0, 0};
	static const uint8_t exp[] = {'%', 0, 'X', 0, '%', 0, 0, 0};
	static const uint8_t multi[] = {'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0};
	static const uint8_t qw[] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t bin[] = {0xde, 0xad, 0xbe, 0xef};
	static const uint8_t dw[] = {0xa0, 0x0a, 0, 0};
	static const uint8_t odd[] = {0x0f};
	struct warnings w;
	struct tlsr_registry *reg =
	    parse16(V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n"
			"\"sz\"=\"hi\"\r\n"
			"\"dw\"=dword:00000aa0\r\n"
			"\"short\"=dword:aa0\r\n"
			"\"bin\"=hex:de,ad,BE,EF\r\n"
			"\"exp\"=hex(2):25,00,58,00,25,00,00,00\r\n"
			"\"multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
			"\"qw\"=hex(b):01,02,03,04,05,06,07,08\r\n"
			"\"none\"=hex(0):\r\n"
			"\"custom\"=hex(20000):f\r\n"
			"\"emptybin\"=hex:\r\n"
			"@=\"hi\"\r\n\r\n",
		    &w);

	ck_assert_int_eq(w.n, 0);
	expect(reg, "SOFTWARE\\T", "sz", TLSR_REG_SZ, sz, sizeof sz);
	expect(reg, "SOFTWARE\\T", "", TLSR_REG_SZ, sz, sizeof sz);
	expect(reg, "SOFTWARE\\T", "dw", TLSR_REG_DWORD, dw, sizeof dw);
	expect(reg, "SOFTWARE\\T", "short", TLSR_REG_DWORD, dw, sizeof dw);
	expect(reg, "SOFTWARE\\T", "bin", TLSR_REG_BINARY, bin, sizeof bin);
	expect(reg, "SOFTWARE\\T", "exp", TLSR_REG_EXPAND_SZ, exp, sizeof exp);
	expect(reg, "SOFTWARE\\T", "multi", TLSR_REG_MULTI_SZ, multi,
	       sizeof multi);
	expect(reg, "SOFTWARE\\T", "qw", TLSR_REG_QWORD, qw, sizeof qw);
	expect(reg, "SOFTWARE\\T", "none", TLSR_REG_NONE, NULL, 0);
	expect(reg, "SOFTWARE\\T", "custom", 0x20000, odd, 1);
	expect(reg, "SOFTWARE\\T", "emptybin", TLSR_REG_BINARY, NULL, 0);
	ck_assert_int_eq(tlsr_regfile_format_of(reg), TLSR_REGFILE_V5);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_string_escapes)
{
	static const char text[] =
	    V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n"
	       "\"a \\\"quoted\\\" name\"=\"C:\\\\Program Files\\\\x\"\r\n"
	       "\"nl\"=\"one\\ntwo\"\r\n"
	       "\"loose\"=\"C:\\Windows\"\r\n"
	       "\"semi\"=\"a;b\" ; a comment after the value\r\n";
	struct warnings w;
	struct tlsr_registry *reg = parse_with(text, strlen(text), 0, &w);

	expect_string(reg, "SOFTWARE\\T", TLSR_VIEW_NONE, "a \"quoted\" name",
		      "C:\\Program Files\\x");
	expect_string(reg, "SOFTWARE\\T", TLSR_VIEW_NONE, "nl", "one\ntwo");
	/* An unknown escape: KB 310516 defines only \\ and \", Wine's
	 * regedit drops the backslash, Windows is unverified. The value is
	 * not counted as set, and the warning names the backslash. */
	expect_absent(reg, "SOFTWARE\\T", "loose");
	expect_warning(&w, "t.reg:6:12: ", "unknown escape '\\W'");
	expect_string(reg, "SOFTWARE\\T", TLSR_VIEW_NONE, "semi", "a;b");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_hex_continuations_and_comments)
{
	static const uint8_t want[] = {1, 2, 3, 4, 5, 0xab};
	struct tlsr_registry *reg = parse_ok(
	    "Windows Registry Editor Version 5.00\r\n"
	    "; a comment line\r\n"
	    "\r\n"
	    "   [HKEY_LOCAL_MACHINE\\SOFTWARE\\T]   ; trailing comment\r\n"
	    "\"bin\"=hex:01,02,\\\r\n"
	    "  03, 04,\\\r\n"
	    "; comment inside a continuation\r\n"
	    "  05,AB\r\n"
	    "\t\"dw\" = dword:00000001\r\n");

	expect(reg, "SOFTWARE\\T", "bin", TLSR_REG_BINARY, want, sizeof want);
	expect_dword(reg, "SOFTWARE\\T", TLSR_VIEW_NONE, "dw", 1);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_deletions)
{
	struct tlsr_registry *reg =
	    parse_ok(V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B\\C]\r\n"
			"\"v\"=dword:00000001\r\n"
			"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Keep]\r\n"
			"\"gone\"=dword:00000001\r\n"
			"\"stays\"=dword:00000002\r\n"
			"\"gone\"=-\r\n"
			"\"never-there\"=-\r\n"
			"[-HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n"
			"\"ignored\"=dword:00000001\r\n"
			"[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Missing]\r\n");
	uint32_t d;

	ck_assert_int_eq(
	    tlsr_reg_key_exists(reg, "SOFTWARE\\A", TLSR_VIEW_NONE),
	    TLSR_ENOTFOUND);
	ck_assert_int_eq(
	    tlsr_reg_key_exists(reg, "SOFTWARE\\A\\B\\C", TLSR_VIEW_NONE),
	    TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Keep",
					    TLSR_VIEW_NONE, "gone", &d),
			 TLSR_ENOTFOUND);
	expect_dword(reg, "SOFTWARE\\Keep", TLSR_VIEW_NONE, "stays", 2);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_abbreviations_and_other_hives)
{
	char out[1024];
	uint8_t *bytes;
	size_t len;
	static const char text[] = V5 "[HKLM\\SOFTWARE\\T]\r\n"
				      "\"v\"=dword:00000007\r\n"
				      "[HKEY_CURRENT_USER\\Software\\U]\r\n"
				      "\"u\"=dword:00000001\r\n"
				      "[hkey_local_machine\\software\\t]\r\n"
				      "\"w\"=dword:00000008\r\n";
	struct warnings w;
	struct tlsr_registry *reg = parse_with(text, strlen(text), 0, &w);
	static const char want[] = V5 "[HKEY_LOCAL_MACHINE\\software\\t]\r\n"
				      "\"w\"=dword:00000008\r\n\r\n"
				      "[HKEY_CURRENT_USER\\Software\\U]\r\n"
				      "\"u\"=dword:00000001\r\n\r\n";
	uint8_t *want16;
	size_t want_len;

	/* regedit knows only full root names ("Unable to open the registry
	 * key"): the HKLM section is not imported, with a warning. */
	expect_absent(reg, "SOFTWARE\\T", "v");
	expect_warning(&w, "t.reg:3:2: ", "not 'HKLM'");
	/* Root names in any case are. */
	expect_dword(reg, "SOFTWARE\\T", TLSR_VIEW_NONE, "w", 8);
	/* Only HKLM is addressable, but the other hive is written back. */
	ck_assert_int_eq(
	    tlsr_reg_key_exists(reg, "Software\\U", TLSR_VIEW_NONE),
	    TLSR_ENOTFOUND);
	temp_path(out, sizeof out, "hives.reg");
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_V5),
			 TLSR_OK);
	bytes = slurp(out, &len);
	want16 = utf16(want, &want_len);
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(bytes, want16, len);
	free(want16);
	free(bytes);
	remove(out);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_utf8_only_on_request)
{
	/* A hand-edited file: UTF-8 with a BOM, LF line ends. */
	static const char text[] =
	    "\xef\xbb\xbfWindows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Caf\xc3\xa9]\n"
	    "\"na\xc3\xafve\"=\"\xe2\x9c\x93\"\n";
	struct warnings w;
	struct tlsr_registry *reg = parse_with(text, strlen(text), 0, &w);

	/* regedit reads it in the ANSI code page, does not find its header
	 * and imports nothing (R09): neither does the audit. */
	ck_assert_int_eq(
	    tlsr_reg_key_exists(reg, "SOFTWARE\\Caf\xc3\xa9", TLSR_VIEW_NONE),
	    TLSR_ENOTFOUND);
	expect_warning(&w, "t.reg:1:1: ", "imports nothing");
	tlsr_registry_destroy(reg);
	/* Read as UTF-8 on purpose, it is audited as written. */
	reg = parse_with(text, strlen(text), 65001, &w);
	ck_assert_int_eq(w.n, 0);
	expect_string(reg, "SOFTWARE\\Caf\xc3\xa9", TLSR_VIEW_NONE,
		      "na\xc3\xafve", "\xe2\x9c\x93");
	/* Written back as V5 (UTF-16), which regedit reads unambiguously. */
	ck_assert_int_eq(tlsr_regfile_format_of(reg), TLSR_REGFILE_V5);
	tlsr_registry_destroy(reg);
	/* Without its BOM, UTF-8 is read in the code page (R08). */
	reg = parse_with(text + 3, strlen(text) - 3, 0, &w);
	ck_assert_int_eq(w.n, 0);
	expect_string(reg, "SOFTWARE\\Caf\xc3\x83\xc2\xa9", TLSR_VIEW_NONE,
		      "na\xc3\x83\xc2\xafve", "\xc3\xa2\xc5\x93\xe2\x80\x9c");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_utf16_non_ascii)
{
	/* "[HKEY_LOCAL_MACHINE\SOFTWARE\é]" "€"="😀" in UTF-16LE. */
	size_t len;
	uint8_t *buf = utf16(V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\#]\r\n"
				"\"$\"=\"%%\"\r\n",
			     &len);
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;
	static const uint8_t smile[] = {0x3d, 0xd8, 0x00, 0xde, 0, 0};

	for (size_t i = 2; i + 1 < len; i += 2) {
		if (buf[i] == '#') {
			buf[i] = 0xe9;
		} else if (buf[i] == '$') {
			buf[i] = 0xac;
			buf[i + 1] = 0x20;
		} else if (buf[i] == '%' && buf[i + 2] == '%') {
			buf[i] = 0x3d;
			buf[i + 1] = 0xd8;
			buf[i + 2] = 0x00;
			buf[i + 3] = 0xde;
			i += 2;
		}
	}
	ck_assert_int_eq(tlsr_regfile_parse("u.reg", buf, len, &reg, &diag),
			 TLSR_OK);
	expect(reg, "SOFTWARE\\\xc3\xa9", "\xe2\x82\xac", TLSR_REG_SZ, smile,
	       sizeof smile);
	free(buf);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_regedit4_ansi)
{
	/* Windows-1252: 0xe9 e-acute, 0x80 euro sign. */
	static const char text[] = "REGEDIT4\r\n\r\n"
				   "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Caf\xe9]\r\n"
				   "\"Pr\x80is\"=\"\xe9t\xe9\"\r\n"
				   "\"e\"=hex(2):25,41,25,00\r\n"
				   "\"d\"=dword:00000001\r\n\r\n";
	static const uint8_t ete[] = {0xe9, 0, 't', 0, 0xe9, 0, 0, 0};
	static const uint8_t pct[] = {'%', 0, 'A', 0, '%', 0, 0, 0};
	struct tlsr_registry *reg = parse_ok(text);
	char out[1024];
	uint8_t *bytes;
	size_t len;

	ck_assert_int_eq(tlsr_regfile_format_of(reg), TLSR_REGFILE_REG4);
	expect(reg, "SOFTWARE\\Caf\xc3\xa9", "Pr\xe2\x82\xacis", TLSR_REG_SZ,
	       ete, sizeof ete);
	expect(reg, "SOFTWARE\\Caf\xc3\xa9", "e", TLSR_REG_EXPAND_SZ, pct,
	       sizeof pct);
	/* Written back as REGEDIT4 it is the same file. */
	temp_path(out, sizeof out, "reg4.reg");
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_REG4),
			 TLSR_OK);
	bytes = slurp(out, &len);
	ck_assert_uint_eq(len, strlen(text));
	ck_assert_mem_eq(bytes, text, len);
	free(bytes);
	remove(out);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_writes_regedit_format)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	static const uint8_t raw[] = {'a', 0};
	static const uint8_t embedded[] = {'a', 0, 0, 0, 'b', 0, 0, 0};
	uint8_t bin[30];
	char out[1024];
	uint8_t *bytes, *want16;
	size_t len, want_len;
	static const char want[] =
	    V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"
	       "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n"
	       "@=\"d\"\r\n"
	       "\"q\\\"uote\"=\"a\\\\b\"\r\n"
	       "\"dw\"=dword:00000aa0\r\n"
	       "\"raw\"=hex(1):61,00\r\n"
	       "\"embedded\"=hex(1):61,00,00,00,62,00,00,00\r\n"
	       "\"bin\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,"
	       "10,11,12,13,14,15,16,\\\r\n"
	       "  17,18,19,1a,1b,1c,1d\r\n"
	       "\"qw\"=hex(b):ff,00,00,00,00,00,00,00\r\n"
	       "\"empty\"=hex:\r\n\r\n";

	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (uint8_t)i;
	ck_assert_int_eq(
	    tlsr_reg_set_string(reg, "SOFTWARE\\T", TLSR_VIEW_64, "", "d"),
	    TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, "SOFTWARE\\T", TLSR_VIEW_64,
					     "q\"uote", "a\\b"),
			 TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, "SOFTWARE\\T", TLSR_VIEW_64, "dw", 0xaa0),
	    TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\T", TLSR_VIEW_64, "raw",
				      TLSR_REG_SZ, raw, sizeof raw),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\T", TLSR_VIEW_64,
				      "embedded", TLSR_REG_SZ, embedded,
				      sizeof embedded),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\T", TLSR_VIEW_64, "bin",
				      TLSR_REG_BINARY, bin, sizeof bin),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\T", TLSR_VIEW_64, "qw",
				      TLSR_REG_QWORD, "\xff\0\0\0\0\0\0\0", 8),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\T", TLSR_VIEW_64, "empty",
				      TLSR_REG_BINARY, NULL, 0),
			 TLSR_OK);
	temp_path(out, sizeof out, "format.reg");
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_V5),
			 TLSR_OK);
	bytes = slurp(out, &len);
	want16 = utf16(want, &want_len);
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(bytes, want16, len);
	free(want16);
	free(bytes);
	remove(out);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Reads rel, writes it to a temp file and expects the same bytes. */
static void expect_byte_identical(const char *rel, const char *tmpname)
{
	struct tlsr_registry *reg = read_fixture(rel);
	char in[1024], out[1024];
	uint8_t *a, *b;
	size_t alen, blen;

	data_path(in, sizeof in, rel);
	temp_path(out, sizeof out, tmpname);
	ck_assert_int_eq(
	    tlsr_regfile_write(reg, out, tlsr_regfile_format_of(reg)), TLSR_OK);
	a = slurp(in, &alen);
	b = slurp(out, &blen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	free(a);
	free(b);
	remove(out);
	tlsr_registry_destroy(reg);
}

START_TEST(regfile_wine_regedit_export_round_trips)
{
	/* An excerpt of `wine regedit /E f.reg HKEY_LOCAL_MACHINE`. */
	struct tlsr_registry *reg =
	    read_fixture("regfile/wine-hklm-excerpt.reg");

	expect_string(reg, "Hardware\\Description\\System", TLSR_VIEW_NONE,
		      "Identifier", "AT compatible");
	tlsr_registry_destroy(reg);
	expect_byte_identical("regfile/wine-hklm-excerpt.reg", "wine.reg");
}
END_TEST

START_TEST(regfile_machines_round_trip)
{
	char rel[256], tmp[64];

	snprintf(rel, sizeof rel, "machines/%s.reg", machines[_i]);
	snprintf(tmp, sizeof tmp, "%s.reg", machines[_i]);
	expect_byte_identical(rel, tmp);
	snprintf(rel, sizeof rel, "machines/%s-drift.reg", machines[_i]);
	expect_byte_identical(rel, tmp);
}
END_TEST

START_TEST(regfile_machine_facts)
{
	struct tlsr_registry *r;
	uint32_t d;
	static const char cv[] =
	    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
	static const char wh[] =
	    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\"
	    "Internet Settings\\WinHttp";
	static const char ndp[] = "SOFTWARE\\Microsoft\\NET Framework Setup\\"
				  "NDP\\v4\\Full";
	static const char kb[] =
	    "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component "
	    "Based Servicing\\Packages\\Package_for_KB3140245~"
	    "31bf3856ad364e35~amd64~~6.1.1.2";
	static const char tls12[] =
	    "SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\"
	    "SCHANNEL\\Protocols\\TLS 1.2\\Client";

	r = read_fixture("machines/win7-sp1-unpatched.reg");
	expect_string(r, cv, TLSR_VIEW_NONE, "CurrentVersion", "6.1");
	expect_string(r, cv, TLSR_VIEW_NONE, "CSDVersion", "Service Pack 1");
	expect_dword(r, ndp, TLSR_VIEW_NONE, "Release", 379893);
	ck_assert_int_eq(tlsr_reg_key_exists(r, kb, TLSR_VIEW_NONE),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(r, wh, TLSR_VIEW_32), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(r, wh, TLSR_VIEW_64,
					    "DefaultSecureProtocols", &d),
			 TLSR_ENOTFOUND);
	tlsr_registry_destroy(r);

	r = read_fixture("machines/win7-sp1-patched.reg");
	expect_dword(r, kb, TLSR_VIEW_NONE, "CurrentState", 0x70);
	expect_dword(r, wh, TLSR_VIEW_64, "DefaultSecureProtocols", 0xa00);
	ck_assert_int_eq(tlsr_reg_get_dword(r, wh, TLSR_VIEW_32,
					    "DefaultSecureProtocols", &d),
			 TLSR_ENOTFOUND);
	expect_dword(r, ndp, TLSR_VIEW_NONE, "Release", 528040);
	tlsr_registry_destroy(r);

	r = read_fixture("machines/server2012r2.reg");
	expect_string(r, cv, TLSR_VIEW_NONE, "InstallationType", "Server");
	expect_string(r, cv, TLSR_VIEW_NONE, "CurrentVersion", "6.3");
	expect_dword(r, ndp, TLSR_VIEW_NONE, "Release", 461808);
	expect_dword(r, tls12, TLSR_VIEW_NONE, "Enabled", 1);
	tlsr_registry_destroy(r);

	r = read_fixture("machines/win10-22h2.reg");
	expect_dword(r, cv, TLSR_VIEW_NONE, "CurrentMajorVersionNumber", 10);
	expect_string(r, cv, TLSR_VIEW_NONE, "CurrentBuild", "19045");
	expect_dword(r, wh, TLSR_VIEW_32, "DefaultSecureProtocols", 0xaa0);
	expect_dword(r, ndp, TLSR_VIEW_NONE, "Release", 528372);
	tlsr_registry_destroy(r);

	r = read_fixture("machines/win11.reg");
	expect_string(r, cv, TLSR_VIEW_NONE, "CurrentBuild", "22631");
	expect_dword(r, ndp, TLSR_VIEW_NONE, "Release", 533320);
	expect_dword(r, "SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319",
		     TLSR_VIEW_32, "SchUseStrongCrypto", 1);
	tlsr_registry_destroy(r);
}
END_TEST

/* Counts values that differ between a and b below path (either missing or
 * with other data), walking both through the ops. */
static unsigned count_differences(struct tlsr_registry *a,
				  struct tlsr_registry *b, const char *path,
				  int both_ways);

static unsigned diff_values(struct tlsr_registry *a, struct tlsr_registry *b,
			    const char *path)
{
	struct tlsr_key *key = NULL;
	unsigned n = 0;
	char name[1100];

	ck_assert_int_eq(a->ops->open_key(a, path, TLSR_VIEW_NONE, 0, &key),
			 TLSR_OK);
	for (size_t i = 0;
	     a->ops->enum_value(a, key, i, name, sizeof name) == TLSR_OK; i++) {
		struct tlsr_value va, vb;

		ck_assert_int_eq(a->ops->get_value(a, key, name, &va), TLSR_OK);
		if (tlsr_reg_get(b, path, TLSR_VIEW_NONE, name, &vb) !=
		    TLSR_OK) {
			n++;
		} else {
			if (va.type != vb.type || va.size != vb.size ||
			    (va.size && memcmp(va.data, vb.data, va.size)))
				n++;
			tlsr_value_clear(&vb);
		}
		tlsr_value_clear(&va);
	}
	a->ops->close_key(a, key);
	return n;
}

static unsigned count_differences(struct tlsr_registry *a,
				  struct tlsr_registry *b, const char *path,
				  int both_ways)
{
	struct tlsr_key *key = NULL;
	unsigned n = diff_values(a, b, path);
	char name[1100], sub[4096];

	if (both_ways) {
		/* Values only b has; differing ones were counted above. */
		struct tlsr_key *kb = NULL;

		if (b->ops->open_key(b, path, TLSR_VIEW_NONE, 0, &kb) ==
		    TLSR_OK) {
			for (size_t i = 0;
			     b->ops->enum_value(b, kb, i, name, sizeof name) ==
			     TLSR_OK;
			     i++) {
				struct tlsr_value v;

				if (tlsr_reg_get(a, path, TLSR_VIEW_NONE, name,
						 &v) == TLSR_OK)
					tlsr_value_clear(&v);
				else
					n++;
			}
			b->ops->close_key(b, kb);
		}
	}
	ck_assert_int_eq(a->ops->open_key(a, path, TLSR_VIEW_NONE, 0, &key),
			 TLSR_OK);
	for (size_t i = 0;
	     a->ops->enum_subkey(a, key, i, name, sizeof name) == TLSR_OK;
	     i++) {
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "\\" : "",
			 name);
		if (tlsr_reg_key_exists(b, sub, TLSR_VIEW_NONE) != TLSR_OK)
			n += 1000; /* a whole key missing is not drift */
		else
			n += count_differences(a, b, sub, both_ways);
	}
	a->ops->close_key(a, key);
	return n;
}

START_TEST(regfile_drift_variants_differ_in_one_value)
{
	char rel[256];
	struct tlsr_registry *base, *drift;

	snprintf(rel, sizeof rel, "machines/%s.reg", machines[_i]);
	base = read_fixture(rel);
	snprintf(rel, sizeof rel, "machines/%s-drift.reg", machines[_i]);
	drift = read_fixture(rel);
	ck_assert_uint_eq(count_differences(base, drift, "", 1), 1);
	/* The other way round too: no key exists in one only. */
	ck_assert_uint_eq(count_differences(drift, base, "", 1), 1);
	tlsr_registry_destroy(drift);
	tlsr_registry_destroy(base);
}
END_TEST

START_TEST(regfile_read_write_read_is_identical)
{
	/* Values the writer must spell as hex to keep them exactly. */
	static const uint8_t odd_sz[] = {'a', 0, 'b'};
	static const uint8_t lone[] = {0x00, 0xd8, 0, 0};
	static const uint8_t dw3[] = {1, 2, 3};
	struct tlsr_registry *reg =
	    read_fixture("machines/win7-sp1-patched.reg");
	struct tlsr_registry *back = NULL;
	struct tlsr_diag diag;
	char out[1024];

	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\Odd", TLSR_VIEW_64, "a",
				      TLSR_REG_SZ, odd_sz, sizeof odd_sz),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\Odd", TLSR_VIEW_64, "b",
				      TLSR_REG_SZ, lone, sizeof lone),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, "SOFTWARE\\Odd", TLSR_VIEW_64, "c",
				      TLSR_REG_DWORD, dw3, sizeof dw3),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, "SOFTWARE\\Odd", TLSR_VIEW_64,
					     "line\nbreak", "x\r\ny"),
			 TLSR_OK);
	temp_path(out, sizeof out, "rwr.reg");
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_V5),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_regfile_read(out, &back, &diag), TLSR_OK);
	/* An odd-length REG_SZ has no .reg spelling a reader keeps: it is
	 * written as hex(1) and read back as not imported, with a warning
	 * (regfile_text_data_terminated). Everything else survives. */
	ck_assert_int_eq(
	    tlsr_reg_delete_value(reg, "SOFTWARE\\Odd", TLSR_VIEW_64, "a"),
	    TLSR_OK);
	ck_assert_uint_eq(count_differences(reg, back, "", 1), 0);
	ck_assert_uint_eq(count_differences(back, reg, "", 1), 0);
	expect_absent(back, "SOFTWARE\\Odd", "a");
	expect(back, "SOFTWARE\\Odd", "b", TLSR_REG_SZ, lone, sizeof lone);
	expect(back, "SOFTWARE\\Odd", "c", TLSR_REG_DWORD, dw3, sizeof dw3);
	expect_string(back, "SOFTWARE\\Odd", TLSR_VIEW_NONE, "line\nbreak",
		      "x\r\ny");
	remove(out);
	tlsr_registry_destroy(back);
	tlsr_registry_destroy(reg);
}
END_TEST

static const struct {
	const char *text;
	const char *want;
} bad_inputs[] = {
    {"regedit4\r\n",
     "bad.reg:1:1: not a .reg file: the first line must be \"Windows "
     "Registry Editor Version 5.00\" or \"REGEDIT4\""},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\" dword:1\r\n",
     "bad.reg:4:5: expected '=' after value name"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=dword:123456789\r\n",
     "bad.reg:4:11: dword needs 1 to 8 hex digits"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=dword:\r\n",
     "bad.reg:4:11: dword needs 1 to 8 hex digits"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=\"unterminated\r\n",
     "bad.reg:4:5: unterminated string"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"unterminated=1\r\n",
     "bad.reg:4:1: unterminated string"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=hex:01,zz\r\n",
     "bad.reg:4:12: expected a hex byte (00 to ff)"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=hex:01,\\\r\n"
	"  02,x1\r\n",
     "bad.reg:5:6: expected a hex byte (00 to ff)"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n\"a\"=hex:01 02\r\n",
     "bad.reg:4:12: expected ',' between hex bytes"},
    {V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x\r\n",
     "bad.reg:3:1: key name has no closing ']'"},
    {V5 "[HKEY_NOPE\\x]\r\n",
     "bad.reg:3:2: unknown root key (expected HKEY_LOCAL_MACHINE, "
     "HKEY_CURRENT_USER, HKEY_CLASSES_ROOT, HKEY_USERS or "
     "HKEY_CURRENT_CONFIG)"},
    {V5 "[]\r\n", "bad.reg:3:2: empty key name"},
    {V5 "[-HKEY_LOCAL_MACHINE]\r\n",
     "bad.reg:3:3: a root key cannot be deleted"},
    {V5 "\"a\"=dword:00000001\r\n", "bad.reg:3:1: value before any [key] line"},
    {V5 "[HKLM\\x]\r\nfoo\r\n",
     "bad.reg:4:1: expected a [key], a \"value\"=, @= or a ; comment"},
    {V5 "[HKLM\\x]\r\n\"a\"=str:\"x\"\r\n",
     "bad.reg:4:5: unknown value data: expected \"string\", dword:, hex:, "
     "hex(N): or -"},
    {V5 "[HKLM\\x]\r\n\"a\"=hex(zz):00\r\n",
     "bad.reg:4:5: bad value type: expected hex(N): with N in hex"},
    {V5 "[HKLM\\x]\r\n\"a\"=\"x\" junk\r\n",
     "bad.reg:4:9: unexpected text after the value"},
    {V5 "[HKLM\\x]\r\n\"a\"=hex:01,\\ x\r\n",
     "bad.reg:4:12: '\\' must end the line"},
    /* R23: a continuation that swallows the next line. */
    {V5 "[HKLM\\x]\r\n\"a\"=hex:01,\\\r\n\"b\"=dword:00000001\r\n",
     "bad.reg:5:1: expected a hex byte (00 to ff) after the line "
     "continuation"},
};

START_TEST(regfile_errors_are_located)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	char msg[1200];
	tlsr_err err;

	err =
	    tlsr_regfile_parse("bad.reg", (const uint8_t *)bad_inputs[_i].text,
			       strlen(bad_inputs[_i].text), &reg, &diag);
	ck_assert_int_eq(err, TLSR_EPARSE);
	ck_assert_ptr_null(reg);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_str_eq(msg, bad_inputs[_i].want);
}
END_TEST

START_TEST(regfile_utf16_error_columns_count_characters)
{
	size_t len;
	uint8_t *buf = utf16(V5 "[HKLM\\x]\r\n\"#\"x\r\n", &len);
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	char msg[1200];

	/* '#' becomes U+00E9, two bytes of UTF-8 but one character. */
	for (size_t i = 2; i < len; i += 2)
		if (buf[i] == '#')
			buf[i] = 0xe9;
	ck_assert_int_eq(tlsr_regfile_parse("w.reg", buf, len, &reg, &diag),
			 TLSR_EPARSE);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_str_eq(msg, "w.reg:4:4: expected '=' after value name");
	/* An odd byte count cannot be UTF-16. */
	ck_assert_int_eq(tlsr_regfile_parse("w.reg", buf, len - 1, &reg, &diag),
			 TLSR_EPARSE);
	ck_assert_ptr_nonnull(strstr(diag.message, "odd number of bytes"));
	free(buf);
}
END_TEST

/* Parses buf; only success or a located syntax error are acceptable. */
static void parse_any(const uint8_t *buf, size_t len)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	tlsr_err err = tlsr_regfile_parse("fuzz.reg", buf, len, &reg, &diag);

	if (err == TLSR_OK) {
		ck_assert_ptr_nonnull(reg);
		tlsr_registry_destroy(reg);
	} else {
		ck_assert_int_eq(err, TLSR_EPARSE);
		ck_assert_ptr_null(reg);
		ck_assert_uint_gt(diag.line, 0);
		ck_assert_uint_gt(diag.col, 0);
	}
}

START_TEST(regfile_truncated_and_garbage_never_crash)
{
	char path[1024];
	size_t len;
	uint8_t *buf, *copy, junk[257];
	uint32_t seed = 12345;

	data_path(path, sizeof path, "machines/win7-sp1-patched.reg");
	buf = slurp(path, &len);
	/* Every cut in the first 3000 bytes, then every 61st. */
	for (size_t cut = 0; cut <= len; cut += cut < 3000 ? 1 : 61) {
		copy = malloc(cut + 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, buf, cut);
		parse_any(copy, cut);
		free(copy);
	}
	/* Single-byte corruptions of the real file. */
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	for (int i = 0; i < 300; i++) {
		size_t at;

		memcpy(copy, buf, len);
		seed = seed * 1103515245u + 12345u;
		at = 2 + (seed >> 8) % (len - 2);
		seed = seed * 1103515245u + 12345u;
		copy[at] = (uint8_t)(seed >> 16);
		parse_any(copy, len);
	}
	free(copy);
	/* Random bytes behind each header. */
	for (int i = 0; i < 500; i++) {
		static const char *const heads[] = {
		    "REGEDIT4\r\n",
		    V5,
		    V5 "[HKLM\\x]\r\n\"a\"=hex:",
		    V5 "[HKLM\\x]\r\n\"",
		};
		static const char syntax[] = "[]\\\"=@,:-;\r\n0fx";
		const char *h = heads[i % 4];
		size_t hl = strlen(h), n;

		memcpy(junk, h, hl);
		seed = seed * 1103515245u + 12345u;
		n = hl + (seed >> 8) % (sizeof junk - hl);
		for (size_t k = hl; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly syntax characters, to get past the
			 * first check. */
			if ((seed >> 20) % 3 == 0)
				junk[k] = (uint8_t)syntax[(seed >> 8) % 15];
			else
				junk[k] = (uint8_t)(seed >> 12);
		}
		parse_any(junk, n);
	}
	free(buf);
}
END_TEST

START_TEST(regfile_too_big_is_refused)
{
	char out[1024];
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	FILE *f;

	temp_path(out, sizeof out, "big.reg");
	f = fopen(out, "wb");
	ck_assert_ptr_nonnull(f);
	/* A sparse file one byte over the limit. */
	ck_assert_int_eq(fseek(f, (long)TLSR_REGFILE_MAX_BYTES, SEEK_SET), 0);
	ck_assert_int_eq(fputc('x', f), 'x');
	fclose(f);
	ck_assert_int_eq(tlsr_regfile_read(out, &reg, &diag), TLSR_ETOOBIG);
	ck_assert_ptr_null(reg);
	ck_assert_str_eq(diag.file, out);
	remove(out);
}
END_TEST

START_TEST(regfile_missing_file_not_found)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};

	ck_assert_int_eq(
	    tlsr_regfile_read("/nonexistent/dir/x.reg", &reg, &diag),
	    TLSR_ENOTFOUND);
	ck_assert_ptr_null(reg);
	ck_assert_str_eq(diag.file, "/nonexistent/dir/x.reg");
	ck_assert_ptr_nonnull(strstr(diag.message, "cannot open"));
}
END_TEST

static int file_exists(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return 0;
	fclose(f);
	return 1;
}

START_TEST(regfile_failed_write_leaves_no_file)
{
	struct tlsr_registry *reg = read_fixture("machines/win11.reg");
	char dir[1024], tmp[1100];

	ck_assert_int_eq(tlsr_regfile_write(reg, "/nonexistent/dir/out.reg",
					    TLSR_REGFILE_V5),
			 TLSR_EIO);
	ck_assert(!file_exists("/nonexistent/dir/out.reg"));
	ck_assert_str_ne(reg->message, "");
	/* The target is a directory: the rename fails after the temporary
	 * file was written, and the temporary file is removed. */
	temp_path(dir, sizeof dir, "dir.reg");
#ifdef _WIN32
	_mkdir(dir);
#else
	mkdir(dir, 0700);
#endif
	ck_assert_int_eq(tlsr_regfile_write(reg, dir, TLSR_REGFILE_V5),
			 TLSR_EIO);
	snprintf(tmp, sizeof tmp, "%s.tmp", dir);
	ck_assert(!file_exists(tmp));
	remove(dir);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_write_needs_memory_registry)
{
	struct tlsr_registry *f =
	    tlsr_registry_fault_new(tlsr_registry_mem_new());
	char out[1024];

	temp_path(out, sizeof out, "fault.reg");
	ck_assert_int_eq(tlsr_regfile_write(f, out, TLSR_REGFILE_V5),
			 TLSR_EUNSUPPORTED);
	ck_assert(!file_exists(out));
	ck_assert_int_eq(tlsr_regfile_format_of(f), TLSR_REGFILE_V5);
	tlsr_registry_destroy(f);
}
END_TEST

/* ---- the reproducers of the regedit differential (R01-R23) ---- */

#define BASE "SOFTWARE\\tlswarddiff\\R"
#define KEY "[HKEY_LOCAL_MACHINE\\SOFTWARE\\tlswarddiff\\R]\r\n"

/* 1 when the n bytes of needle occur in hay (len bytes). */
static int contains(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* UTF-8 text as a UTF-16LE file with a BOM, as regedit writes it. */
static uint8_t *utf16_of_utf8(const char *text, size_t *len)
{
	size_t n = strlen(text), o = 2, i = 0;
	uint8_t *out = malloc(2 + 4 * n);

	ck_assert_ptr_nonnull(out);
	out[0] = 0xff;
	out[1] = 0xfe;
	while (i < n) {
		unsigned char c = (unsigned char)text[i];
		uint32_t cp;
		int k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		cp = k == 1 ? c : c & (0x7f >> k);
		for (int j = 1; j < k; j++)
			cp = cp << 6 | ((unsigned char)text[i + j] & 0x3f);
		i += (size_t)k;
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000;
			uint32_t hs = 0xd800 | v >> 10, ls = 0xdc00 | (v & 0x3ff);

			out[o++] = (uint8_t)hs;
			out[o++] = (uint8_t)(hs >> 8);
			out[o++] = (uint8_t)ls;
			out[o++] = (uint8_t)(ls >> 8);
		} else {
			out[o++] = (uint8_t)cp;
			out[o++] = (uint8_t)(cp >> 8);
		}
	}
	*len = o;
	return out;
}

/* A V5 file (UTF-16LE with a BOM) holding body under the base key. */
static struct tlsr_registry *parse_v5(const char *body, struct warnings *w)
{
	char *text = malloc(strlen(body) + 200);
	size_t len;
	uint8_t *buf;
	struct tlsr_registry *reg;

	ck_assert_ptr_nonnull(text);
	sprintf(text, V5 "%s", body);
	buf = utf16_of_utf8(text, &len);
	reg = parse_with(buf, len, 0, w);
	free(buf);
	free(text);
	return reg;
}

/* Names of path's subkeys (or values), joined by '|', in order. */
static void list_names(struct tlsr_registry *reg, const char *path,
		       int values, char *out, size_t size)
{
	struct tlsr_key *key = NULL;
	char name[17000];

	out[0] = '\0';
	ck_assert_int_eq(reg->ops->open_key(reg, path, TLSR_VIEW_NONE, 0, &key),
			 TLSR_OK);
	for (size_t i = 0;
	     (values ? reg->ops->enum_value(reg, key, i, name, sizeof name)
		     : reg->ops->enum_subkey(reg, key, i, name, sizeof name)) ==
	     TLSR_OK;
	     i++) {
		if (i > 0)
			strncat(out, "|", size - strlen(out) - 1);
		strncat(out, name, size - strlen(out) - 1);
	}
	reg->ops->close_key(reg, key);
}

/* Writes reg as fmt and reads the file back, as `apply --out` and a later
 * import would. */
static struct tlsr_registry *write_read(struct tlsr_registry *reg,
					enum tlsr_regfile_format fmt,
					const char *name, uint8_t **bytes,
					size_t *len)
{
	char out[1024];
	struct tlsr_registry *back = NULL;
	struct tlsr_diag diag = {0};

	temp_path(out, sizeof out, name);
	ck_assert_int_eq(tlsr_regfile_write(reg, out, fmt), TLSR_OK);
	ck_assert_int_eq(tlsr_regfile_read(out, &back, &diag), TLSR_OK);
	if (bytes != NULL)
		*bytes = slurp(out, len);
	remove(out);
	return back;
}

START_TEST(regfile_names_fold_as_windows_does)
{
	char names[512];
	struct warnings w;
	/* R01 and R02: another case of a non-ASCII name is the same key and
	 * the same value; the first spelling is kept. */
	struct tlsr_registry *reg = parse_v5(
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\J\xc3\xbcrgen]\r\n\"a\"=\"1\"\r\n"
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\J\xc3\x9cRGEN]\r\n\"b\"=\"2\"\r\n"
	    KEY "\"\xc3\x84rger\"=\"1\"\r\n\"\xc3\xa4rger\"=\"2\"\r\n"
	    /* Greek and Cyrillic, and the simple mapping of U+1F80. */
	    "\"\xce\xb1\xce\xb2\"=\"1\"\r\n\"\xce\x91\xce\x92\"=\"2\"\r\n"
	    "\"\xd0\xb6\"=\"1\"\r\n\"\xd0\x96\"=\"2\"\r\n"
	    "\"\xe1\xbe\x80\"=\"1\"\r\n\"\xe1\xbe\x88\"=\"2\"\r\n",
	    &w);

	ck_assert_int_eq(w.n, 0);
	list_names(reg, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "J\xc3\xbcrgen");
	list_names(reg, BASE "\\J\xc3\x9cRGEN", 1, names, sizeof names);
	ck_assert_str_eq(names, "a|b");
	list_names(reg, BASE, 1, names, sizeof names);
	ck_assert_str_eq(names, "\xc3\x84rger|\xce\xb1\xce\xb2|\xd0\xb6|"
				"\xe1\xbe\x80");
	expect_string(reg, BASE, TLSR_VIEW_NONE, "\xc3\x84RGER", "2");
	expect_string(reg, BASE, TLSR_VIEW_NONE, "\xd0\xb6", "2");
	tlsr_registry_destroy(reg);

	/* Characters outside the BMP are two units Windows does not map:
	 * Deseret U+10428 and U+10400 stay two values. ß has no simple
	 * upper case. */
	reg = parse_v5(KEY "\"\xf0\x90\x90\xa8\"=\"1\"\r\n"
			   "\"\xf0\x90\x90\x80\"=\"2\"\r\n"
			   "\"\xc3\x9f\"=\"1\"\r\n\"SS\"=\"2\"\r\n",
		       &w);
	list_names(reg, BASE, 1, names, sizeof names);
	ck_assert_str_eq(names,
			 "\xf0\x90\x90\xa8|\xf0\x90\x90\x80|\xc3\x9f|SS");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_deletions_in_another_case_hit)
{
	char names[512];
	struct warnings w;
	uint8_t *bytes;
	size_t len;
	/* R03: a key deleted, and a value deleted, in another case. */
	struct tlsr_registry *reg = parse_v5(
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\\xc5\x92uvre]\r\n\"x\"=\"1\"\r\n"
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\Keep]\r\n"
	    "\"\xc5\xb8ves\"=\"1\"\r\n\"other\"=\"1\"\r\n"
	    "\"\xc3\xbfves\"=-\r\n"
	    "[-HKEY_LOCAL_MACHINE\\" BASE "\\\xc5\x93UVRE]\r\n",
	    &w);
	struct tlsr_registry *back;

	ck_assert_int_eq(w.n, 0);
	list_names(reg, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "Keep");
	list_names(reg, BASE "\\Keep", 1, names, sizeof names);
	ck_assert_str_eq(names, "other");
	/* apply --out never brings back what the input deleted. */
	back = write_read(reg, TLSR_REGFILE_V5, "r03.reg", &bytes, &len);
	list_names(back, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "Keep");
	list_names(back, BASE "\\Keep", 1, names, sizeof names);
	ck_assert_str_eq(names, "other");
	free(bytes);
	tlsr_registry_destroy(back);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_text_data_terminated)
{
	static const uint8_t expand[] = {0x25, 0, 0x50, 0, 0x41, 0, 0x54, 0,
					 0x48, 0, 0x25, 0, 0,    0};
	static const uint8_t multi[] = {0x4c, 0, 0x69, 0, 0x6e,
					0,    0x65, 0, 0,    0};
	static const uint8_t ab[] = {0x41, 0, 0x42, 0, 0, 0};
	static const uint8_t done[] = {0x41, 0, 0, 0};
	struct warnings w;
	/* R04: UTF-16 hex(2), hex(7) and hex(1) without a final NUL get
	 * one; data that have one, and empty data, are kept. */
	struct tlsr_registry *reg = parse_v5(
	    KEY "\"expand\"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00\r\n"
		"\"multi\"=hex(7):4c,00,69,00,6e,00,65,00\r\n"
		"\"sz\"=hex(1):41,00,42,00\r\n"
		"\"done\"=hex(1):41,00,00,00\r\n"
		"\"empty\"=hex(2):\r\n"
		"\"odd\"=hex(2):41,00,42\r\n"
		"\"after\"=dword:00000001\r\n",
	    &w);

	expect(reg, BASE, "expand", TLSR_REG_EXPAND_SZ, expand, sizeof expand);
	expect(reg, BASE, "multi", TLSR_REG_MULTI_SZ, multi, sizeof multi);
	expect(reg, BASE, "sz", TLSR_REG_SZ, ab, sizeof ab);
	expect(reg, BASE, "done", TLSR_REG_SZ, done, sizeof done);
	expect(reg, BASE, "empty", TLSR_REG_EXPAND_SZ, NULL, 0);
	/* Odd-length UTF-16 text: Wine loses a byte (W2), Windows is
	 * unverified; not counted. */
	expect_absent(reg, BASE, "odd");
	expect_warning(&w, "t.reg:9:7: ", "odd number of bytes");
	expect_dword(reg, BASE, TLSR_VIEW_NONE, "after", 1);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_regedit4_text_data_widened_after_terminating)
{
	static const char text[] = "REGEDIT4\r\n\r\n" KEY
				   "\"expand\"=hex(2):25,50,41,54,48,25\r\n"
				   "\"multi\"=hex(7):61,00,62,00,00\r\n"
				   "\"ansi\"=hex(1):41,42\r\n"
				   "\"euro\"=hex(1):80,00\r\n";
	static const uint8_t expand[] = {0x25, 0, 0x50, 0, 0x41, 0, 0x54, 0,
					 0x48, 0, 0x25, 0, 0,    0};
	static const uint8_t multi[] = {'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0};
	static const uint8_t ab[] = {0x41, 0, 0x42, 0, 0, 0};
	static const uint8_t euro[] = {0xac, 0x20, 0, 0};
	struct warnings w;
	/* R05 and R06: ANSI bytes, terminated, then widened. */
	struct tlsr_registry *reg = parse_with(text, strlen(text), 0, &w);
	struct tlsr_registry *back;
	uint8_t *bytes;
	size_t len;

	ck_assert_int_eq(w.n, 0);
	expect(reg, BASE, "expand", TLSR_REG_EXPAND_SZ, expand, sizeof expand);
	expect(reg, BASE, "multi", TLSR_REG_MULTI_SZ, multi, sizeof multi);
	expect(reg, BASE, "ansi", TLSR_REG_SZ, ab, sizeof ab);
	expect(reg, BASE, "euro", TLSR_REG_SZ, euro, sizeof euro);
	/* A3: REGEDIT4 output holds ANSI bytes, never the UTF-16 bytes a
	 * reader would widen again; reading it back gives the same data. */
	ck_assert_int_eq(tlsr_reg_set(reg, BASE, TLSR_VIEW_64, "nul",
				      TLSR_REG_SZ, multi, sizeof multi),
			 TLSR_OK);
	back = write_read(reg, TLSR_REGFILE_REG4, "r06.reg", &bytes, &len);
	ck_assert_int_eq(tlsr_regfile_format_of(back), TLSR_REGFILE_REG4);
	ck_assert(contains(bytes, len, "\"nul\"=hex(1):61,00,62,00,00\r\n"));
	expect(back, BASE, "nul", TLSR_REG_SZ, multi, sizeof multi);
	expect(back, BASE, "expand", TLSR_REG_EXPAND_SZ, expand,
	       sizeof expand);
	expect(back, BASE, "euro", TLSR_REG_SZ, euro, sizeof euro);
	free(bytes);
	tlsr_registry_destroy(back);
	/* What REGEDIT4 cannot carry (a name outside code page 1252) makes
	 * the whole file V5, which carries everything. */
	ck_assert_int_eq(tlsr_reg_set_string(reg, BASE, TLSR_VIEW_64,
					     "\xe4\xb8\xad", "x"),
			 TLSR_OK);
	back = write_read(reg, TLSR_REGFILE_REG4, "r06b.reg", &bytes, &len);
	ck_assert_uint_eq(bytes[0], 0xff);
	ck_assert_int_eq(tlsr_regfile_format_of(back), TLSR_REGFILE_V5);
	expect_string(back, BASE, TLSR_VIEW_NONE, "\xe4\xb8\xad", "x");
	expect(back, BASE, "expand", TLSR_REG_EXPAND_SZ, expand,
	       sizeof expand);
	free(bytes);
	tlsr_registry_destroy(back);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_encoding_from_the_bom)
{
	static const uint8_t ab[] = {0x41, 0, 0x42, 0, 0, 0};
	static const char ansi[] = V5 "[HKEY_LOCAL_MACHINE\\" BASE
				      "\\J\xfcrgen]\r\n\"e\"=hex(2):41,42\r\n";
	static const char cyr[] = "REGEDIT4\r\n\r\n" KEY "\"\xc6\"=\"1\"\r\n";
	char names[256];
	struct warnings w;
	uint8_t *bytes;
	size_t len;
	/* R07: a REGEDIT4 header in a UTF-16 file: the BOM decides, the
	 * data stay UTF-16. */
	struct tlsr_registry *reg = NULL, *back;
	char *text = malloc(300);

	ck_assert_ptr_nonnull(text);
	sprintf(text, "REGEDIT4\r\n\r\n" KEY "\"e\"=hex(2):41,00,42,00\r\n");
	bytes = utf16_of_utf8(text, &len);
	reg = parse_with(bytes, len, 0, &w);
	expect(reg, BASE, "e", TLSR_REG_EXPAND_SZ, ab, sizeof ab);
	ck_assert_int_eq(tlsr_regfile_format_of(reg), TLSR_REGFILE_V5);
	free(bytes);
	free(text);
	tlsr_registry_destroy(reg);
	/* R08b: a V5 header without a BOM is ANSI, hex(2) bytes too. */
	reg = parse_with(ansi, strlen(ansi), 0, &w);
	ck_assert_int_eq(w.n, 0);
	list_names(reg, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "J\xc3\xbcrgen");
	expect(reg, BASE "\\J\xc3\xbcrgen", "e", TLSR_REG_EXPAND_SZ, ab,
	       sizeof ab);
	/* Written back as V5 with its BOM, read back the same. */
	back = write_read(reg, tlsr_regfile_format_of(reg), "r08.reg", &bytes,
			  &len);
	ck_assert_uint_eq(bytes[0], 0xff);
	expect(back, BASE "\\J\xc3\xbcrgen", "e", TLSR_REG_EXPAND_SZ, ab,
	       sizeof ab);
	free(bytes);
	tlsr_registry_destroy(back);
	tlsr_registry_destroy(reg);
	/* Another ANSI code page on request: 0xc6 is U+0416 in 1251. */
	reg = parse_with(cyr, strlen(cyr), 1251, &w);
	expect_string(reg, BASE, TLSR_VIEW_NONE, "\xd0\x96", "1");
	back = write_read(reg, TLSR_REGFILE_REG4, "cyr.reg", &bytes, &len);
	ck_assert_uint_eq(len, strlen(cyr) + 2);
	ck_assert_mem_eq(bytes, cyr, strlen(cyr));
	free(bytes);
	tlsr_registry_destroy(back);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_unknown_escapes_not_counted)
{
	struct warnings w;
	/* R10 and R11. */
	struct tlsr_registry *reg = parse_v5(KEY "\"q\"=\"a\\qb\"\r\n"
						 "\"zero\"=\"a\\0b\"\r\n"
						 "\"n\\x\"=\"1\"\r\n"
						 "\"ok\"=\"a\\\\qb\"\r\n",
					     &w);

	expect_absent(reg, BASE, "q");
	expect_absent(reg, BASE, "zero");
	ck_assert_int_eq(w.n, 3);
	ck_assert_str_eq(w.text[0], "t.reg:4:7: unknown escape '\\q' (Windows' "
				    "reading is unverified); the value is not "
				    "counted as set");
	ck_assert_ptr_nonnull(strstr(w.text[1], "t.reg:5:10: unknown escape '\\0'"));
	ck_assert_ptr_nonnull(strstr(w.text[2], "t.reg:6:3: unknown escape '\\x'"));
	expect_string(reg, BASE, TLSR_VIEW_NONE, "ok", "a\\qb");
	tlsr_registry_destroy(reg);
}
END_TEST

/* body under the base key drops one value or section, with a warning at
 * where holding what; "after"=dword:1 at the end is still imported. */
static void expect_dropped(const char *body, const char *name,
			   const char *where, const char *what)
{
	struct warnings w;
	char *text = malloc(strlen(body) + 200);
	struct tlsr_registry *reg;

	ck_assert_ptr_nonnull(text);
	sprintf(text, KEY "%s\"after\"=dword:00000001\r\n", body);
	reg = parse_v5(text, &w);
	expect_absent(reg, BASE, name);
	expect_warning(&w, where, what);
	expect_dword(reg, BASE, TLSR_VIEW_NONE, "after", 1);
	tlsr_registry_destroy(reg);
	free(text);
}

START_TEST(regfile_values_regedit_drops)
{
	/* R12: no comma before a continuation; a byte split over lines
	 * (Wine9c, Test19c-e pass on Windows). The continuation lines go
	 * with the value. */
	expect_dropped("\"v\"=hex:01,02\\\r\n  03\r\n", "v", "t.reg:4:14: ",
		       "no ',' before the line continuation");
	expect_dropped("\"v\"=hex:33,4\\\r\n  4,55\r\n", "v", "t.reg:4:13: ",
		       "no ',' before the line continuation");
	/* R13: upper-case type tags (unverified). */
	expect_dropped("\"v\"=DWORD:00000001\r\n", "v", "t.reg:4:5: ",
		       "upper-case value type");
	expect_dropped("\"v\"=HEX:01\r\n", "v", "t.reg:4:5: ",
		       "upper-case value type");
	expect_dropped("\"v\"=HEX(2):41,00\r\n", "v", "t.reg:4:5: ",
		       "upper-case value type");
	/* R14: a blank before a comma (unverified; Wine drops it). */
	expect_dropped("\"v\"=hex:01 ,02\r\n", "v", "t.reg:4:12: ",
		       "blank before ','");
	/* e007, e013, e015: three-digit bytes, hex( 2), nine-digit types
	 * (Wine imports them, Windows is unverified). */
	expect_dropped("\"v\"=hex:001\r\n", "v", "t.reg:4:9: ",
		       "more than 2 digits");
	expect_dropped("\"v\"=hex( 2):41,00\r\n", "v", "t.reg:4:5: ",
		       "hex(N) spelled with blanks");
	expect_dropped("\"v\"=hex(000000002):41,00\r\n", "v", "t.reg:4:5: ",
		       "more than 8 digits");
}
END_TEST

START_TEST(regfile_limits_drop_what_windows_refuses)
{
	/* R17: a value name of 16,384 characters is refused, 16,383 is
	 * not. */
	size_t n = 16384;
	char *body = malloc(2 * n + 4096), *p;
	char names[64];
	struct warnings w;
	struct tlsr_registry *reg;

	ck_assert_ptr_nonnull(body);
	p = body + sprintf(body, KEY "\"");
	memset(p, 'n', n);
	p += n;
	p += sprintf(p, "\"=\"1\"\r\n\"");
	memset(p, 'm', n - 1);
	p += n - 1;
	sprintf(p, "\"=\"1\"\r\n");
	reg = parse_v5(body, &w);
	expect_warning(&w, "t.reg:4:1: ", "longer than 16383 characters");
	list_names(reg, BASE, 1, names, sizeof names);
	ck_assert_uint_eq(strlen(names), 63);
	ck_assert_int_eq(names[0], 'm');
	tlsr_registry_destroy(reg);
	/* A tree of 513 levels below the root is refused, 512 is not; a key
	 * name component of 256 characters is refused, 255 is not. */
	p = body + sprintf(body, "[HKEY_LOCAL_MACHINE");
	for (int i = 0; i < 512; i++)
		p += sprintf(p, "\\k");
	p += sprintf(p, "]\r\n\"deep\"=\"1\"\r\n[HKEY_LOCAL_MACHINE");
	for (int i = 0; i < 513; i++)
		p += sprintf(p, "\\k");
	p += sprintf(p, "]\r\n\"deeper\"=\"1\"\r\n[HKEY_LOCAL_MACHINE\\");
	memset(p, 'a', 255);
	p += 255;
	p += sprintf(p, "]\r\n\"c255\"=\"1\"\r\n[HKEY_LOCAL_MACHINE\\");
	memset(p, 'b', 256);
	p += 256;
	sprintf(p, "]\r\n\"c256\"=\"1\"\r\n");
	reg = parse_v5(body, &w);
	ck_assert_int_eq(w.n, 2);
	ck_assert_ptr_nonnull(strstr(w.text[0], "t.reg:5:"));
	ck_assert_ptr_nonnull(strstr(w.text[0], "more than 512 levels deep"));
	ck_assert_ptr_nonnull(strstr(w.text[1], "t.reg:9:21: key name component "
						"longer than 255"));
	p = body;
	for (int i = 0; i < 512; i++)
		p += sprintf(p, "%sk", i ? "\\" : "");
	expect_string(reg, body, TLSR_VIEW_NONE, "deep", "1");
	strcat(body, "\\k");
	ck_assert_int_eq(tlsr_reg_key_exists(reg, body, TLSR_VIEW_NONE),
			 TLSR_ENOTFOUND);
	memset(body, 'a', 255);
	body[255] = '\0';
	expect_string(reg, body, TLSR_VIEW_NONE, "c255", "1");
	tlsr_registry_destroy(reg);
	free(body);
}
END_TEST

START_TEST(regfile_sections_regedit_drops)
{
	char names[256];
	struct warnings w;
	/* R15 (HKLM) is in regfile_abbreviations_and_other_hives. e056
	 * ([KEY] junk) and e060 ([A\\B]): unverified, not counted; values
	 * after [-KEY] are ignored by regedit. */
	struct tlsr_registry *reg =
	    parse_v5("[HKEY_LOCAL_MACHINE\\" BASE "\\J] junk\r\n\"j\"=\"1\"\r\n"
		     "[HKEY_LOCAL_MACHINE\\" BASE "\\A\\\\B]\r\n\"a\"=\"1\"\r\n"
		     "[-HKEY_LOCAL_MACHINE\\" BASE "\\Gone]\r\n\"g\"=\"1\"\r\n"
		     KEY "\"kept\"=\"1\"\r\n",
		     &w);

	ck_assert_int_eq(w.n, 3);
	ck_assert_ptr_nonnull(strstr(w.text[0], "t.reg:3:"));
	ck_assert_ptr_nonnull(strstr(w.text[0], "text after the key's ']'"));
	ck_assert_ptr_nonnull(strstr(w.text[1], "t.reg:5:"));
	ck_assert_ptr_nonnull(strstr(w.text[1], "empty component"));
	ck_assert_str_eq(w.text[2], "t.reg:8:1: value in a [-KEY] section: "
				    "regedit ignores it");
	list_names(reg, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "");
	list_names(reg, BASE, 1, names, sizeof names);
	ck_assert_str_eq(names, "kept");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_abbreviated_deletion_not_applied)
{
	struct warnings w;
	/* regedit cannot open [-HKLM\...]: the key stays. */
	struct tlsr_registry *reg =
	    parse_v5(KEY "\"v\"=\"1\"\r\n[-HKLM\\" BASE "]\r\n", &w);

	expect_string(reg, BASE, TLSR_VIEW_NONE, "v", "1");
	expect_warning(&w, "t.reg:5:3: ", "not 'HKLM'; the key is not deleted");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(regfile_header_with_text_imports_nothing)
{
	/* R16, R16b: Test5/Test6 pass on Windows. */
	static const char *const heads[] = {
	    "REGEDIT4 ;comment\r\n",
	    "Windows Registry Editor Version 5.00 \r\n",
	    "REGEDIT4FOO\r\n",
	};
	for (int i = 0; i < 3; i++) {
		char text[300];
		struct warnings w;
		struct tlsr_registry *reg;

		snprintf(text, sizeof text, "%s\r\n" KEY "\"v\"=\"1\"\r\n",
			 heads[i]);
		reg = parse_with(text, strlen(text), 0, &w);
		expect_warning(&w, "t.reg:1:1: ", "nothing in this file is "
						  "imported");
		ck_assert_int_eq(
		    tlsr_reg_key_exists(reg, BASE, TLSR_VIEW_NONE),
		    TLSR_ENOTFOUND);
		tlsr_registry_destroy(reg);
	}
}
END_TEST

START_TEST(regfile_reads_what_regedit_accepts)
{
	static const uint8_t bin[] = {1, 2, 3, 4};
	struct warnings w;
	/* R18 '#' lines (Wine3), R19 blank lines in a continuation
	 * (Wine10a/b), R20 a comment after '\' (Wine10c), R21 blanks after
	 * "dword:" (Wine9a/b), R22 trailing backslashes (Subkey1e/f). */
	struct tlsr_registry *reg = parse_v5(
	    "#comment\r\n" KEY "  # indented too\r\n"
	    "\"bin\"=hex:01,02,\\\r\n"
	    "\r\n"
	    "   \r\n"
	    "  03,\\ ;comment\r\n"
	    "  04\r\n"
	    "\"dw\"=dword:  00000008\r\n"
	    "\t@\t=\tdword:\t00000009\r\n"
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\sub\\]\r\n\"s\"=\"1\"\r\n"
	    "[HKEY_LOCAL_MACHINE\\" BASE "\\sub2\\\\]\r\n\"s\"=\"2\"\r\n",
	    &w);
	char names[64];

	ck_assert_int_eq(w.n, 0);
	expect(reg, BASE, "bin", TLSR_REG_BINARY, bin, sizeof bin);
	expect_dword(reg, BASE, TLSR_VIEW_NONE, "dw", 8);
	expect_dword(reg, BASE, TLSR_VIEW_NONE, "", 9);
	list_names(reg, BASE, 0, names, sizeof names);
	ck_assert_str_eq(names, "sub|sub2");
	expect_string(reg, BASE "\\sub2", TLSR_VIEW_NONE, "s", "2");
	tlsr_registry_destroy(reg);
}
END_TEST

/* The differential's impact demonstration: a compliant TLS file spelled
 * eight ways; `tlsward check` gives the verdict of what regedit imports
 * from each, and names the line it does not count. */
static const struct {
	const char *file;
	int exit;
	const char *warning; /* FILE:LINE:COL of the line, or NULL */
} respelled[] = {
    /* A Windows 10 machine: the TLS 1.2 client keys v1 and v2 lose are
     * that Windows' default, so the verdict stays compliant (the warning
     * still names the line); with nothing imported (v3, v4) the OS and
     * .NET are unknown and the client is blocked. */
    {"v0_compliant.reg", 0, NULL},
    {"v1_hklm_abbreviation.reg", 0, "v1_hklm_abbreviation.reg:28:2: "},
    {"v2_uppercase_DWORD.reg", 0, "v2_uppercase_DWORD.reg:29:11: "},
    {"v3_header_with_comment.reg", 3, "v3_header_with_comment.reg:1:1: "},
    {"v4_utf8_bom.reg", 3, "v4_utf8_bom.reg:1:1: "},
    {"v5_hash_comment_line.reg", 0, NULL},
    {"v6_space_after_dword.reg", 0, NULL},
    {"v7_blank_line_in_continuation.reg", 0, NULL},
};

/* Runs tlsward check on a fixture; returns its exit code, stderr in err. */
static int run_check(const char *file, const char *extra, char *err,
		     size_t size)
{
#ifdef _WIN32
	(void)file;
	(void)extra;
	(void)err;
	(void)size;
	return -1;
#else
	const char *exe = getenv("TLSWARD"), *root = getenv("TLSR_SOURCE_ROOT");
	char cmd[4096], errpath[1024], reg[1024];
	FILE *f;
	size_t n;
	int st;

	ck_assert_ptr_nonnull(exe);
	ck_assert_ptr_nonnull(root);
	data_path(reg, sizeof reg, "regfile/tls/");
	strncat(reg, file, sizeof reg - strlen(reg) - 1);
	temp_path(errpath, sizeof errpath, "check.err");
	snprintf(cmd, sizeof cmd,
		 "'%s' check --policy '%s/policy/examples/seed.yaml' "
		 "--registry '%s' %s >/dev/null 2>'%s'",
		 exe, root, reg, extra, errpath);
	st = system(cmd);
	f = fopen(errpath, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(err, 1, size - 1, f);
	err[n] = '\0';
	fclose(f);
	remove(errpath);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
#endif
}

START_TEST(regfile_respelled_tls_files_get_regedit_verdict)
{
	char err[4096];
	int rc;

#ifdef _WIN32
	/* The CLI runs as a native process in test_cli's way; the Wine
	 * scenario regedit-roundtrip covers the Windows build. */
	return;
#endif
	rc = run_check(respelled[_i].file, "", err, sizeof err);
	ck_assert_msg(rc == respelled[_i].exit, "%s: exit %d, stderr: %s",
		      respelled[_i].file, rc, err);
	if (respelled[_i].warning == NULL) {
		ck_assert_str_eq(err, "");
		return;
	}
	ck_assert_msg(strstr(err, respelled[_i].warning) != NULL, "stderr: %s",
		      err);
	ck_assert_ptr_nonnull(strstr(err, "holds 1 line(s) regedit would not "
					  "import or tlsward does not count"));
}
END_TEST

START_TEST(regfile_cli_codepage_option)
{
	char err[4096];

#ifdef _WIN32
	return;
#endif
	/* UTF-8 on request: the BOM file is audited as written. */
	ck_assert_int_eq(run_check("v4_utf8_bom.reg", "--codepage utf-8", err,
				   sizeof err),
			 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(run_check("v0_compliant.reg", "--codepage 1250", err,
				   sizeof err),
			 0);
	ck_assert_int_eq(run_check("v0_compliant.reg", "--codepage 932", err,
				   sizeof err),
			 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown code page '932'"));
}
END_TEST

/* ---- a check reads the same with only its keys kept ---- */

/* Every warning of a read, each line as tlsward prints it. */
struct all_warnings {
	char *text;
	size_t len;
	int n;
};

static void collect_all(void *ctx, const struct tlsr_diag *where)
{
	struct all_warnings *w = ctx;
	char line[1200];
	size_t n;

	tlsr_diag_format(where, line, sizeof line);
	n = strlen(line);
	w->text = realloc(w->text, w->len + n + 2);
	ck_assert_ptr_nonnull(w->text);
	memcpy(w->text + w->len, line, n);
	w->text[w->len + n] = '\n';
	w->text[w->len + n + 1] = '\0';
	w->len += n + 1;
	w->n++;
}

/* The .reg files under dir (a path under tests/data), sorted, appended to
 * names (each malloc'd). */
static size_t list_reg_files(const char *rel, char **names, size_t n,
			     size_t max)
{
	char dir[1024];
	DIR *d;
	struct dirent *e;

	data_path(dir, sizeof dir, rel);
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot list %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char path[2048];

		if (len < 5 || strcmp(e->d_name + len - 4, ".reg") != 0)
			continue;
		ck_assert(n < max);
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		names[n] = strdup(path);
		ck_assert_ptr_nonnull(names[n]);
		n++;
	}
	closedir(d);
	return n;
}

struct read_result {
	struct tlsr_registry *reg;
	tlsr_err err;
	char diag[1200];
	struct all_warnings w;
};

static void read_both_ways(const char *path, unsigned cp, int check_keys,
			   struct read_result *r)
{
	struct tlsr_regfile_keep keep[TLSR_CHECK_KEYS_MAX];
	struct tlsr_regfile_options o;
	struct tlsr_diag diag;

	memset(r, 0, sizeof *r);
	memset(&o, 0, sizeof o);
	memset(&diag, 0, sizeof diag);
	o.codepage = cp;
	o.warn = collect_all;
	o.warn_ctx = &r->w;
	if (check_keys) {
		o.keep = keep;
		o.n_keep = tlsr_check_keys(keep, TLSR_CHECK_KEYS_MAX);
		ck_assert_uint_le(o.n_keep, TLSR_CHECK_KEYS_MAX);
	}
	r->err = tlsr_regfile_read_with(path, &o, &r->reg, &diag);
	tlsr_diag_format(&diag, r->diag, sizeof r->diag);
}

/* Facts, then the report and the plan of every example policy, as JSON. */
static char *check_all(struct tlsr_registry *reg, char **policies,
		       size_t npolicies)
{
	struct tlsr_facts f;
	char *out = NULL;
	size_t len = 0;
	tlsr_err err;

	memset(&f, 0, sizeof f);
	err = tlsr_facts_read(reg, &f);
	ck_assert_msg(err == TLSR_OK, "facts: %s: %s", tlsr_strerror(err),
		      reg->message);
	for (size_t i = 0; i < npolicies; i++) {
		struct tlsr_policy p;
		struct tlsr_diag diag = {0};
		struct tlsr_report *r = NULL;
		struct tlsr_plan *plan = NULL;
		char *a, *b;

		ck_assert_int_eq(tlsr_policy_load_file(policies[i], &p, &diag),
				 TLSR_OK);
		err = tlsr_check(reg, &p, &f, &r);
		ck_assert_msg(err == TLSR_OK, "check: %s: %s",
			      tlsr_strerror(err), reg->message);
		ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
		a = tlsr_report_json(r);
		b = tlsr_plan_json(r, plan);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		out = realloc(out, len + strlen(a) + strlen(b) + 1);
		ck_assert_ptr_nonnull(out);
		strcpy(out + len, a);
		strcat(out + len, b);
		len += strlen(a) + strlen(b);
		free(a);
		free(b);
		tlsr_plan_free(plan);
		tlsr_report_free(r);
	}
	return out;
}

/* Every fixture of tests/data/regfile and tests/data/machines, in the
 * default code page and as UTF-8, read whole and with only the keys a
 * check reads: the same error or the same warnings, the same facts and the
 * same report and plan for every example policy, and the kept keys were
 * enough (the whole file was never read again). */
START_TEST(regfile_check_keys_read_the_same_check)
{
	static const unsigned cps[] = {0, 1250, 65001};
	char *files[256], *policies[32], dir[1024];
	size_t nfiles = 0, npolicies = 0, compared = 0;
	const char *root = getenv("TLSR_SOURCE_ROOT");

	nfiles = list_reg_files("regfile", files, nfiles, 256);
	nfiles = list_reg_files("regfile/roundtrip", files, nfiles, 256);
	nfiles = list_reg_files("regfile/tls", files, nfiles, 256);
	nfiles = list_reg_files("machines", files, nfiles, 256);
	ck_assert_uint_ge(nfiles, 20);
	ck_assert_ptr_nonnull(root);
	snprintf(dir, sizeof dir, "%s/policy/examples", root);
	{
		DIR *d = opendir(dir);
		struct dirent *e;

		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			char path[2048];

			if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
				continue;
			ck_assert(npolicies < 32);
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			policies[npolicies++] = strdup(path);
		}
		closedir(d);
	}
	ck_assert_uint_ge(npolicies, 1);
	for (size_t i = 0; i < nfiles; i++) {
		for (size_t c = 0; c < sizeof cps / sizeof cps[0]; c++) {
			struct read_result whole, part;
			char *a, *b;

			read_both_ways(files[i], cps[c], 0, &whole);
			read_both_ways(files[i], cps[c], 1, &part);
			ck_assert_msg(whole.err == part.err,
				      "%s cp %u: %s / %s", files[i], cps[c],
				      whole.diag, part.diag);
			ck_assert_str_eq(whole.diag, part.diag);
			ck_assert_int_eq(whole.w.n, part.w.n);
			if (whole.w.n > 0)
				ck_assert_str_eq(whole.w.text, part.w.text);
			if (whole.err == TLSR_OK) {
				ck_assert_str_eq(part.reg->ops->name,
						 "regfile");
				a = check_all(whole.reg, policies, npolicies);
				b = check_all(part.reg, policies, npolicies);
				ck_assert_msg(strcmp(a, b) == 0,
					      "%s cp %u: the checks differ",
					      files[i], cps[c]);
				ck_assert_msg(!tlsr_mem_widened(part.reg),
					      "%s: a check read a key it "
					      "does not keep",
					      files[i]);
				ck_assert_ptr_nonnull(tlsr_mem_mask(part.reg));
				free(a);
				free(b);
				compared++;
			}
			tlsr_registry_destroy(whole.reg);
			tlsr_registry_destroy(part.reg);
			free(whole.w.text);
			free(part.w.text);
		}
		free(files[i]);
	}
	/* Most fixtures read without error in the default code page. */
	ck_assert_uint_ge(compared, nfiles);
	for (size_t i = 0; i < npolicies; i++)
		free(policies[i]);
}
END_TEST

/* A registry read with a few keys kept answers everything else too: the
 * first op outside them reads the whole file, and the answers are those
 * of the whole file. It is never written as a .reg file while partial. */
START_TEST(regfile_kept_keys_read_the_rest_on_demand)
{
	static const char text[] =
	    V5 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Kept]\r\n"
	       "\"A\"=dword:00000001\r\n\r\n"
	       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Kept\\Sub]\r\n"
	       "\"B\"=\"b\"\r\n\r\n"
	       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\r\n"
	       "\"C\"=dword:00000003\r\n\r\n"
	       "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Kept]\r\n"
	       "\"D\"=dword:00000004\r\n\r\n"
	       "[HKEY_CURRENT_USER\\Software\\X]\r\n"
	       "\"E\"=dword:00000005\r\n";
	static const struct tlsr_regfile_keep keep[] = {
	    {"SOFTWARE\\Kept", TLSR_VIEW_64, 0},
	    {"SOFTWARE\\Kept", TLSR_VIEW_32, 0},
	};
	struct tlsr_regfile_options o;
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag = {0};
	struct tlsr_key *key;
	char path[1024], out[1024], name[64];
	uint32_t v;
	size_t len;
	uint8_t *buf = utf16(text, &len);
	FILE *f;

	temp_path(path, sizeof path, "kept.reg");
	temp_path(out, sizeof out, "kept-out.reg");
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	memset(&o, 0, sizeof o);
	o.keep = keep;
	o.n_keep = 2;
	ck_assert_int_eq(tlsr_regfile_read_with(path, &o, &reg, &diag),
			 TLSR_OK);
	/* The kept keys, in both views, without reading more. */
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\kept",
					    TLSR_VIEW_64, "a", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Kept",
					    TLSR_VIEW_32, "D", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 4);
	ck_assert(!tlsr_mem_widened(reg));
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_V5),
			 TLSR_EUNSUPPORTED);
	/* A subkey of a key kept without its subtree: enumerating it reads
	 * the whole file, through a handle opened before. */
	ck_assert_int_eq(
	    reg->ops->open_key(reg, "SOFTWARE\\Kept", TLSR_VIEW_64, 0, &key),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "Sub");
	ck_assert(tlsr_mem_widened(reg));
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "A");
	reg->ops->close_key(reg, key);
	/* Everything else, as the whole file has it. */
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Other",
					    TLSR_VIEW_64, "C", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, "SOFTWARE\\Missing",
					     TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	/* Whole now: it writes back every hive. */
	ck_assert_int_eq(tlsr_regfile_write(reg, out, TLSR_REGFILE_V5),
			 TLSR_OK);
	tlsr_registry_destroy(reg);
	reg = NULL;
	ck_assert_int_eq(tlsr_regfile_read(out, &reg, &diag), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Other",
					    TLSR_VIEW_64, "C", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 3);
	tlsr_registry_destroy(reg);
	{
		size_t n;
		uint8_t *back = slurp(out, &n);
		size_t hlen;
		uint8_t *hkcu = utf16("[HKEY_CURRENT_USER\\Software\\X]", &hlen);
		int found = 0;

		for (size_t i = 0; i + hlen - 2 <= n && !found; i++)
			found = memcmp(back + i, hkcu + 2, hlen - 2) == 0;
		ck_assert_msg(found, "the other hive was not written back");
		free(back);
		free(hkcu);
	}
	/* A key outside the kept ones, first thing: read whole at once. */
	reg = NULL;
	ck_assert_int_eq(tlsr_regfile_read_with(path, &o, &reg, &diag),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Other",
					    TLSR_VIEW_64, "C", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 3);
	ck_assert(tlsr_mem_widened(reg));
	tlsr_registry_destroy(reg);
	/* A buffer has no file to read whole: such an op fails. */
	reg = NULL;
	ck_assert_int_eq(tlsr_regfile_parse_with("kept.reg", buf, len, &o,
						 &reg, &diag),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Other",
					    TLSR_VIEW_64, "C", &v),
			 TLSR_EUNSUPPORTED);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, "SOFTWARE\\Kept",
					    TLSR_VIEW_64, "A", &v),
			 TLSR_OK);
	tlsr_registry_destroy(reg);
	remove(path);
	remove(out);
	free(buf);
}
END_TEST

/* What a file read in pieces gives, against the same bytes parsed as one
 * buffer: the same error and warnings, and the same tree written back. */
static void same_in_pieces(const uint8_t *bytes, size_t len, unsigned cp,
			   const char *what)
{
	struct tlsr_regfile_options o;
	struct all_warnings w1 = {0}, w2 = {0};
	struct tlsr_registry *r1 = NULL, *r2 = NULL;
	struct tlsr_diag d1, d2;
	char path[1024], out1[1024], out2[1024], m1[1200], m2[1200];
	tlsr_err e1, e2;
	FILE *f;

	temp_path(path, sizeof path, "pieces.reg");
	temp_path(out1, sizeof out1, "pieces-1.reg");
	temp_path(out2, sizeof out2, "pieces-2.reg");
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
	memset(&o, 0, sizeof o);
	memset(&d1, 0, sizeof d1);
	memset(&d2, 0, sizeof d2);
	o.codepage = cp;
	o.warn = collect_all;
	o.warn_ctx = &w1;
	e1 = tlsr_regfile_parse_with(path, bytes, len, &o, &r1, &d1);
	o.warn_ctx = &w2;
	e2 = tlsr_regfile_read_with(path, &o, &r2, &d2);
	tlsr_diag_format(&d1, m1, sizeof m1);
	tlsr_diag_format(&d2, m2, sizeof m2);
	ck_assert_msg(e1 == e2, "%s: %s / %s", what, m1, m2);
	ck_assert_str_eq(m1, m2);
	ck_assert_int_eq(w1.n, w2.n);
	if (w1.n > 0)
		ck_assert_str_eq(w1.text, w2.text);
	if (e1 == TLSR_OK) {
		size_t n1, n2;
		uint8_t *b1, *b2;

		ck_assert_int_eq(tlsr_regfile_write(r1, out1, TLSR_REGFILE_V5),
				 TLSR_OK);
		ck_assert_int_eq(tlsr_regfile_write(r2, out2, TLSR_REGFILE_V5),
				 TLSR_OK);
		b1 = slurp(out1, &n1);
		b2 = slurp(out2, &n2);
		ck_assert_msg(n1 == n2 && memcmp(b1, b2, n1) == 0,
			      "%s: the trees differ", what);
		free(b1);
		free(b2);
		remove(out1);
		remove(out2);
	}
	tlsr_registry_destroy(r1);
	tlsr_registry_destroy(r2);
	free(w1.text);
	free(w2.text);
	remove(path);
}

/* A file is read in pieces of 64 KiB: a surrogate pair, a UTF-8 sequence,
 * NUL padding or an odd last byte that a piece boundary splits reads as
 * in one buffer. */
START_TEST(regfile_pieces_read_as_one_buffer)
{
	enum { PIECE = 64 * 1024, MAX = 3 * PIECE };
	static const char head[] = "Windows Registry Editor Version 5.00\r\n\r\n"
				   "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n"
				   "\"v\"=\"";
	uint8_t *b = malloc(MAX);
	char what[96];

	ck_assert_ptr_nonnull(b);
	/* UTF-16: U+1F600 (D83D DE00), a lone D83D, then NULs, around the
	 * boundary. */
	for (int shift = -6; shift <= 6; shift += 2) {
		for (int kind = 0; kind < 5; kind++) {
			size_t n = 0, hl = strlen(head), at;

			b[n++] = 0xff;
			b[n++] = 0xfe;
			for (size_t i = 0; i < hl; i++) {
				b[n++] = (uint8_t)head[i];
				b[n++] = 0;
			}
			at = (size_t)(PIECE - 2 + shift);
			while (n < at) {
				b[n++] = 'x';
				b[n++] = 0;
			}
			if (kind == 3) {
				/* NUL padding over the boundary. */
				memset(b + n, 0, 20);
				n += 20;
			} else if (kind == 4) {
				/* NULs, then text in the next piece. */
				memset(b + n, 0, 20);
				n += 20;
				b[n++] = 'x';
				b[n++] = 0;
			} else {
				b[n++] = 0x3d;
				b[n++] = 0xd8;
				if (kind == 0) {
					b[n++] = 0x00;
					b[n++] = 0xde;
				}
				for (const char *t = "\"\r\n"; *t; t++) {
					b[n++] = (uint8_t)*t;
					b[n++] = 0;
				}
				if (kind == 2)
					b[n++] = 'x'; /* an odd last byte */
			}
			snprintf(what, sizeof what, "UTF-16 shift %d kind %d",
				 shift, kind);
			same_in_pieces(b, n, 0, what);
		}
	}
	/* UTF-8 (on request) and code page 1252: 2-, 3- and 4-byte
	 * sequences, and a truncated one, split at every byte. */
	for (int shift = -4; shift <= 4; shift++) {
		static const char *const seqs[] = {"\xc3\xa9", "\xe2\x82\xac",
						   "\xf0\x9f\x98\x80",
						   "\xe2\x82"};

		for (size_t k = 0; k < 4; k++) {
			size_t n = strlen(head);

			memcpy(b, head, n);
			while (n < (size_t)(PIECE + shift))
				b[n++] = 'y';
			memcpy(b + n, seqs[k], strlen(seqs[k]));
			n += strlen(seqs[k]);
			memcpy(b + n, "\"\r\n", 3);
			n += 3;
			snprintf(what, sizeof what, "UTF-8 shift %d seq %zu",
				 shift, k);
			same_in_pieces(b, n, 65001, what);
			same_in_pieces(b, n, 0, what);
		}
	}
	/* Exactly one piece, and one piece and one byte. */
	for (size_t extra = 0; extra < 2; extra++) {
		size_t n = strlen(head);

		memcpy(b, head, n);
		while (n < (size_t)PIECE - 3)
			b[n++] = 'z';
		memcpy(b + n, "\"\r\n", 3);
		n += 3;
		if (extra)
			b[n++] = ';';
		same_in_pieces(b, n, 0, "one piece");
	}
	free(b);
}
END_TEST

static Suite *regfile_suite(void)
{
	Suite *s = suite_create("regfile");
	TCase *c = tcase_create("regfile");
	int nbad = (int)(sizeof bad_inputs / sizeof bad_inputs[0]);

	tcase_add_test(c, regfile_reads_every_value_type);
	tcase_add_test(c, regfile_string_escapes);
	tcase_add_test(c, regfile_hex_continuations_and_comments);
	tcase_add_test(c, regfile_deletions);
	tcase_add_test(c, regfile_abbreviations_and_other_hives);
	tcase_add_test(c, regfile_utf8_only_on_request);
	tcase_add_test(c, regfile_utf16_non_ascii);
	tcase_add_test(c, regfile_regedit4_ansi);
	tcase_add_test(c, regfile_writes_regedit_format);
	tcase_add_test(c, regfile_wine_regedit_export_round_trips);
	tcase_add_loop_test(c, regfile_machines_round_trip, 0, NMACHINES);
	tcase_add_test(c, regfile_machine_facts);
	tcase_add_loop_test(c, regfile_drift_variants_differ_in_one_value, 0,
			    NMACHINES);
	tcase_add_test(c, regfile_read_write_read_is_identical);
	tcase_add_loop_test(c, regfile_errors_are_located, 0, nbad);
	tcase_add_test(c, regfile_utf16_error_columns_count_characters);
	tcase_add_test(c, regfile_truncated_and_garbage_never_crash);
	tcase_add_test(c, regfile_too_big_is_refused);
	tcase_add_test(c, regfile_missing_file_not_found);
	tcase_add_test(c, regfile_failed_write_leaves_no_file);
	tcase_add_test(c, regfile_write_needs_memory_registry);
	tcase_add_test(c, regfile_names_fold_as_windows_does);
	tcase_add_test(c, regfile_deletions_in_another_case_hit);
	tcase_add_test(c, regfile_text_data_terminated);
	tcase_add_test(c, regfile_regedit4_text_data_widened_after_terminating);
	tcase_add_test(c, regfile_encoding_from_the_bom);
	tcase_add_test(c, regfile_unknown_escapes_not_counted);
	tcase_add_test(c, regfile_values_regedit_drops);
	tcase_add_test(c, regfile_limits_drop_what_windows_refuses);
	tcase_add_test(c, regfile_sections_regedit_drops);
	tcase_add_test(c, regfile_header_with_text_imports_nothing);
	tcase_add_test(c, regfile_abbreviated_deletion_not_applied);
	tcase_add_test(c, regfile_reads_what_regedit_accepts);
	tcase_add_loop_test(c, regfile_respelled_tls_files_get_regedit_verdict,
			    0, (int)(sizeof respelled / sizeof respelled[0]));
	tcase_add_test(c, regfile_cli_codepage_option);
	tcase_add_test(c, regfile_check_keys_read_the_same_check);
	tcase_add_test(c, regfile_kept_keys_read_the_rest_on_demand);
	tcase_add_test(c, regfile_pieces_read_as_one_buffer);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(regfile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
