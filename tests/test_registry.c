/* Contract tests for the registry interface. Every case in the "contract"
 * group runs once per backend factory, so the in-memory, .reg-file and
 * fault-wrapped (disarmed) backends, and the Win32 backend in Windows builds,
 * must all behave alike. Tests touch only SOFTWARE\tlsward-contract and
 * SYSTEM\tlsward-contract (in both views) and delete them when done. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#ifdef _WIN32
#include "registry_win32.h"
#endif

#define SW "SOFTWARE\\tlsward-contract"
#define SYS "SYSTEM\\tlsward-contract"

static struct tlsr_registry *make_mem(void)
{
	return tlsr_registry_mem_new();
}

static struct tlsr_registry *make_regfile(void)
{
	static const char text[] =
	    "Windows Registry Editor Version 5.00\r\n\r\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Unrelated]\r\n"
	    "\"Kept\"=dword:00000001\r\n\r\n";
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;

	if (tlsr_regfile_parse("contract.reg", (const uint8_t *)text,
			       sizeof text - 1, &reg, &diag) != TLSR_OK)
		return NULL;
	return reg;
}

static struct tlsr_registry *make_fault(void)
{
	return tlsr_registry_fault_new(tlsr_registry_mem_new());
}

#ifdef _WIN32
static struct tlsr_registry *make_win32(void)
{
	return tlsr_registry_win32_new();
}
#endif

static const struct {
	const char *name;
	struct tlsr_registry *(*make)(void);
} factories[] = {
    {"memory", make_mem},
    {"regfile", make_regfile},
    {"fault", make_fault},
#ifdef _WIN32
    {"win32", make_win32},
#endif
};
#define NFACTORIES ((int)(sizeof factories / sizeof factories[0]))

static void remove_test_keys(struct tlsr_registry *reg)
{
	static const enum tlsr_view views[] = {TLSR_VIEW_64, TLSR_VIEW_32};

	for (size_t i = 0; i < 2; i++) {
		reg->ops->delete_key(reg, SW, views[i]);
		reg->ops->delete_key(reg, SYS, views[i]);
	}
}

/* A fresh backend from factory i without leftovers of an earlier run. */
static struct tlsr_registry *begin(int i)
{
	struct tlsr_registry *reg = factories[i].make();

	ck_assert_msg(reg != NULL, "factory %s failed", factories[i].name);
	remove_test_keys(reg);
	return reg;
}

static void end(struct tlsr_registry *reg)
{
	remove_test_keys(reg);
	tlsr_registry_destroy(reg);
}

static void expect_value(struct tlsr_registry *reg, const char *path,
			 enum tlsr_view view, const char *name, uint32_t type,
			 const void *data, size_t size)
{
	struct tlsr_value v;

	ck_assert_int_eq(tlsr_reg_get(reg, path, view, name, &v), TLSR_OK);
	ck_assert_uint_eq(v.type, type);
	ck_assert_uint_eq(v.size, size);
	if (size > 0)
		ck_assert_mem_eq(v.data, data, size);
	tlsr_value_clear(&v);
}

START_TEST(registry_set_get_each_type)
{
	struct tlsr_registry *reg = begin(_i);
	static const uint8_t sz[] = {'a', 0, 'b', 0, 0, 0};
	static const uint8_t expand[] = {'%', 0, 'W', 0, '%', 0, 0, 0};
	static const uint8_t bin[] = {0, 1, 2, 0xfe, 0xff};
	static const uint8_t dw[] = {0xa0, 0x0a, 0, 0};
	static const uint8_t multi[] = {'x', 0, 0, 0, 'y', 0, 0, 0, 0, 0};
	static const uint8_t qw[] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const struct {
		const char *name;
		uint32_t type;
		const uint8_t *data;
		size_t size;
	} cases[] = {
	    {"sz", TLSR_REG_SZ, sz, sizeof sz},
	    {"expand", TLSR_REG_EXPAND_SZ, expand, sizeof expand},
	    {"binary", TLSR_REG_BINARY, bin, sizeof bin},
	    {"dword", TLSR_REG_DWORD, dw, sizeof dw},
	    {"multi", TLSR_REG_MULTI_SZ, multi, sizeof multi},
	    {"qword", TLSR_REG_QWORD, qw, sizeof qw},
	    {"empty", TLSR_REG_BINARY, NULL, 0},
	    {"none", TLSR_REG_NONE, bin, 2},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_int_eq(tlsr_reg_set(reg, SW, TLSR_VIEW_64,
					      cases[i].name, cases[i].type,
					      cases[i].data, cases[i].size),
				 TLSR_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_value(reg, SW, TLSR_VIEW_64, cases[i].name,
			     cases[i].type, cases[i].data, cases[i].size);
	end(reg);
}
END_TEST

START_TEST(registry_dword_and_string_helpers)
{
	struct tlsr_registry *reg = begin(_i);
	static const uint8_t utf16[] = {'h', 0, 0xe9, 0, 0x13, 0x27, 0, 0};
	char buf[64];
	uint32_t d = 0;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "D", 0xaa0),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "D", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 0xaa0);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "D", 0xffffffffu),
	    TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "D", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 0xffffffffu);

	/* "hé✓" is stored as UTF-16LE with its terminator. */
	ck_assert_int_eq(tlsr_reg_set_string(reg, SW, TLSR_VIEW_64, "S",
					     "h\xc3\xa9\xe2\x9c\x93"),
			 TLSR_OK);
	expect_value(reg, SW, TLSR_VIEW_64, "S", TLSR_REG_SZ, utf16,
		     sizeof utf16);
	ck_assert_int_eq(
	    tlsr_reg_get_string(reg, SW, TLSR_VIEW_64, "S", buf, sizeof buf),
	    TLSR_OK);
	ck_assert_str_eq(buf, "h\xc3\xa9\xe2\x9c\x93");
	end(reg);
}
END_TEST

START_TEST(registry_keys_case_insensitive)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	char name[64];
	uint32_t d = 0;

	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\MixedCase", TLSR_VIEW_64, "v", 7),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, "software\\TLSWARD-CONTRACT\\mixedcase",
			       TLSR_VIEW_64, "v", &d),
	    TLSR_OK);
	ck_assert_uint_eq(d, 7);
	/* Creating it again in another case reuses the key. */
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\MIXEDCASE", TLSR_VIEW_64, "w", 8),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "MixedCase");
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 1, name, sizeof name),
			 TLSR_ENOTFOUND);
	reg->ops->close_key(reg, key);
	end(reg);
}
END_TEST

START_TEST(registry_values_case_insensitive)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	char name[64];
	uint32_t d = 0;

	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "SchUseStrongCrypto", 1),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "schusestrongcrypto", &d),
	    TLSR_OK);
	ck_assert_uint_eq(d, 1);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "SCHUSESTRONGCRYPTO", 0),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "SchUseStrongCrypto", &d),
	    TLSR_OK);
	ck_assert_uint_eq(d, 0);
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "SchUseStrongCrypto");
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 1, name, sizeof name),
			 TLSR_ENOTFOUND);
	reg->ops->close_key(reg, key);
	end(reg);
}
END_TEST

START_TEST(registry_view32_writes_land_under_wow6432node)
{
	struct tlsr_registry *reg = begin(_i);
	uint32_t d = 0;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\WinHttp", TLSR_VIEW_32,
					    "DefaultSecureProtocols", 0xa0),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\WinHttp", TLSR_VIEW_32,
					    "DefaultSecureProtocols", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 0xa0);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\WinHttp", TLSR_VIEW_64,
					    "DefaultSecureProtocols", &d),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get_dword(reg,
					    "SOFTWARE\\Wow6432Node\\tlsward-"
					    "contract\\WinHttp",
					    TLSR_VIEW_64,
					    "DefaultSecureProtocols", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 0xa0);
	/* A 64-bit write does not show through in the 32-bit view. */
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\WinHttp", TLSR_VIEW_64,
					    "DefaultSecureProtocols", 0xaa0),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\WinHttp", TLSR_VIEW_32,
					    "DefaultSecureProtocols", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 0xa0);
	end(reg);
}
END_TEST

START_TEST(registry_system_shared_between_views)
{
	struct tlsr_registry *reg = begin(_i);
	uint32_t d = 0;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, SYS "\\TLS 1.2\\Client",
					    TLSR_VIEW_32, "Enabled", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SYS "\\TLS 1.2\\Client",
					    TLSR_VIEW_64, "Enabled", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 1);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SYS "\\TLS 1.2\\Client",
					    TLSR_VIEW_NONE, "Enabled", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 1);
	end(reg);
}
END_TEST

START_TEST(registry_missing_key_and_value_not_found)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	struct tlsr_value v;
	uint32_t d;

	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\Nope", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, SW "\\Nope", TLSR_VIEW_64, 0, &key),
	    TLSR_ENOTFOUND);
	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, SW "\\Nope", TLSR_VIEW_64, "x", &d),
	    TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "there", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get(reg, SW, TLSR_VIEW_64, "absent", &v),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW, TLSR_VIEW_64), TLSR_OK);
	end(reg);
}
END_TEST

START_TEST(registry_delete_value)
{
	struct tlsr_registry *reg = begin(_i);
	uint32_t d;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "a", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "b", 2),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_delete_value(reg, SW, TLSR_VIEW_64, "A"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "a", &d),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "b", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 2);
	ck_assert_int_eq(tlsr_reg_delete_value(reg, SW, TLSR_VIEW_64, "a"),
			 TLSR_ENOTFOUND);
	end(reg);
}
END_TEST

START_TEST(registry_delete_key_removes_subtree)
{
	struct tlsr_registry *reg = begin(_i);

	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\a\\b\\c", TLSR_VIEW_64, "v", 1),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\a", TLSR_VIEW_64, "v", 1), TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\keep", TLSR_VIEW_64, "v", 1),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->delete_key(reg, SW "\\A", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\a\\b\\c", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\a", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\keep", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->delete_key(reg, SW "\\a", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	end(reg);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(registry_enum_subkeys_and_values)
{
	struct tlsr_registry *reg = begin(_i);
	static const char *const names[] = {"Gamma", "alpha", "Beta"};
	char got_keys[3][32], got_vals[3][32], buf[32];
	char *kp[3], *vp[3];
	struct tlsr_key *key = NULL;
	size_t i;

	for (i = 0; i < 3; i++) {
		char path[128];

		snprintf(path, sizeof path, SW "\\%s", names[i]);
		ck_assert_int_eq(
		    tlsr_reg_set_dword(reg, path, TLSR_VIEW_64, "x", 1),
		    TLSR_OK);
		ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64,
						    names[i], (uint32_t)i),
				 TLSR_OK);
	}
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    reg->ops->enum_subkey(reg, key, i, got_keys[i], 32),
		    TLSR_OK);
		ck_assert_int_eq(
		    reg->ops->enum_value(reg, key, i, got_vals[i], 32),
		    TLSR_OK);
		kp[i] = got_keys[i];
		vp[i] = got_vals[i];
	}
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 3, buf, sizeof buf),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 3, buf, sizeof buf),
			 TLSR_ENOTFOUND);
	reg->ops->close_key(reg, key);
	/* Backends choose the order; the set of names is the contract. */
	qsort(kp, 3, sizeof kp[0], cmp_str);
	qsort(vp, 3, sizeof vp[0], cmp_str);
	ck_assert_str_eq(kp[0], "Beta");
	ck_assert_str_eq(kp[1], "Gamma");
	ck_assert_str_eq(kp[2], "alpha");
	ck_assert_str_eq(vp[0], "Beta");
	ck_assert_str_eq(vp[1], "Gamma");
	ck_assert_str_eq(vp[2], "alpha");
	end(reg);
}
END_TEST

START_TEST(registry_short_buffers_erange)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	char buf[8];

	ck_assert_int_eq(tlsr_reg_set_string(reg, SW "\\AVeryLongKeyName",
					     TLSR_VIEW_64, "AVeryLongValueName",
					     "a string longer than eight"),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, buf, sizeof buf),
			 TLSR_ERANGE);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(reg->ops->open_key(reg, SW "\\AVeryLongKeyName",
					    TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, buf, sizeof buf),
			 TLSR_ERANGE);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(tlsr_reg_get_string(reg, SW "\\AVeryLongKeyName",
					     TLSR_VIEW_64, "AVeryLongValueName",
					     buf, sizeof buf),
			 TLSR_ERANGE);
	end(reg);
}
END_TEST

START_TEST(registry_wrong_type_etype)
{
	struct tlsr_registry *reg = begin(_i);
	static const uint8_t qw[8] = {1};
	uint32_t d;
	char buf[32];

	ck_assert_int_eq(tlsr_reg_set_string(reg, SW, TLSR_VIEW_64, "s", "1"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "s", &d),
			 TLSR_ETYPE);
	ck_assert_int_eq(tlsr_reg_set(reg, SW, TLSR_VIEW_64, "q",
				      TLSR_REG_QWORD, qw, sizeof qw),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "q", &d),
			 TLSR_ETYPE);
	ck_assert_int_eq(
	    tlsr_reg_set(reg, SW, TLSR_VIEW_64, "short", TLSR_REG_DWORD, qw, 2),
	    TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "short", &d),
			 TLSR_ETYPE);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "d", 1),
			 TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_string(reg, SW, TLSR_VIEW_64, "d", buf, sizeof buf),
	    TLSR_ETYPE);
	end(reg);
}
END_TEST

START_TEST(registry_default_value_is_empty_name)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	char buf[32] = "x";

	ck_assert_int_eq(
	    tlsr_reg_set_string(reg, SW, TLSR_VIEW_64, "", "default text"),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_string(reg, SW, TLSR_VIEW_64, "", buf, sizeof buf),
	    TLSR_OK);
	ck_assert_str_eq(buf, "default text");
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, buf, sizeof buf),
			 TLSR_OK);
	ck_assert_str_eq(buf, "");
	reg->ops->close_key(reg, key);
	end(reg);
}
END_TEST

START_TEST(registry_utf8_names)
{
	struct tlsr_registry *reg = begin(_i);
	/* "Ünïcødé ✓" and "naïve" */
	static const char key_name[] = "\xc3\x9cn\xc3\xaf"
				       "c\xc3\xb8"
				       "d\xc3\xa9 \xe2\x9c\x93";
	static const char val_name[] = "na\xc3\xafve";
	struct tlsr_key *key = NULL;
	char path[128], buf[64];
	uint32_t d = 0;

	snprintf(path, sizeof path, SW "\\%s", key_name);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, path, TLSR_VIEW_64, val_name, 42), TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, path, TLSR_VIEW_64, val_name, &d), TLSR_OK);
	ck_assert_uint_eq(d, 42);
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, buf, sizeof buf),
			 TLSR_OK);
	ck_assert_str_eq(buf, key_name);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(reg->ops->open_key(reg, path, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, buf, sizeof buf),
			 TLSR_OK);
	ck_assert_str_eq(buf, val_name);
	reg->ops->close_key(reg, key);
	end(reg);
}
END_TEST

START_TEST(registry_set_overwrites_type)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_value v;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "v", 5),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, SW, TLSR_VIEW_64, "v", "5"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get(reg, SW, TLSR_VIEW_64, "v", &v), TLSR_OK);
	ck_assert_uint_eq(v.type, TLSR_REG_SZ);
	ck_assert_uint_eq(v.size, 4);
	tlsr_value_clear(&v);
	ck_assert_ptr_null(v.data);
	end(reg);
}
END_TEST

START_TEST(registry_open_creates_parents_only_when_asked)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;

	ck_assert_int_eq(
	    reg->ops->open_key(reg, SW "\\x\\y\\z", TLSR_VIEW_64, 0, &key),
	    TLSR_ENOTFOUND);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, SW "\\x\\y\\z", TLSR_VIEW_64, 1, &key),
	    TLSR_OK);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\x\\y", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\x\\y\\z", TLSR_VIEW_64),
			 TLSR_OK);
	end(reg);
}
END_TEST

START_TEST(registry_deleted_key_handle_fails)
{
	struct tlsr_registry *reg = begin(_i);
	struct tlsr_key *key = NULL;
	struct tlsr_value v;

	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\gone", TLSR_VIEW_64, "v", 1),
	    TLSR_OK);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, SW "\\gone", TLSR_VIEW_64, 0, &key),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->delete_key(reg, SW "\\gone", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_ne(reg->ops->get_value(reg, key, "v", &v), TLSR_OK);
	ck_assert_int_ne(
	    reg->ops->set_value(reg, key, "w", TLSR_REG_BINARY, "x", 1),
	    TLSR_OK);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW "\\gone", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	end(reg);
}
END_TEST

START_TEST(registry_large_value)
{
	struct tlsr_registry *reg = begin(_i);
	size_t size = 100000;
	uint8_t *big = malloc(size);

	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < size; i++)
		big[i] = (uint8_t)(i * 31 + 7);
	ck_assert_int_eq(tlsr_reg_set(reg, SW, TLSR_VIEW_64, "big",
				      TLSR_REG_BINARY, big, size),
			 TLSR_OK);
	expect_value(reg, SW, TLSR_VIEW_64, "big", TLSR_REG_BINARY, big, size);
	free(big);
	end(reg);
}
END_TEST

/* A run of reads (tlsr_reg_batch_begin/end) answers as reads without one,
 * and sees what is written, made and deleted through the backend during
 * it. */
START_TEST(registry_batch_reads_as_without_one)
{
	struct tlsr_registry *reg = begin(_i);
	uint8_t big[1500];
	struct tlsr_value v;
	char text[16];
	uint32_t d = 0;

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\b", TLSR_VIEW_64, "d",
					    1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\b", TLSR_VIEW_32, "d",
					    32),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, SW "\\b", TLSR_VIEW_64, "s",
					     "text"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, SW "\\b", TLSR_VIEW_64, "big",
				      TLSR_REG_BINARY, big, sizeof big),
			 TLSR_OK);
	tlsr_reg_batch_begin(reg);
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_64,
						    "d", &d),
				 TLSR_OK);
		ck_assert_uint_eq(d, 1);
		/* The views stay apart. */
		ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_32,
						    "d", &d),
				 TLSR_OK);
		ck_assert_uint_eq(d, 32);
		ck_assert_int_eq(tlsr_reg_get_string(reg, SW "\\b",
						     TLSR_VIEW_64, "s", text,
						     sizeof text),
				 TLSR_OK);
		ck_assert_str_eq(text, "text");
		expect_value(reg, SW "\\b", TLSR_VIEW_64, "big",
			     TLSR_REG_BINARY, big, sizeof big);
		ck_assert_int_eq(tlsr_reg_get(reg, SW "\\b", TLSR_VIEW_64,
					      "none", &v),
				 TLSR_ENOTFOUND);
		ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\later",
						    TLSR_VIEW_64, "d", &d),
				 TLSR_ENOTFOUND);
	}
	/* Writes, creations and deletions through the backend are seen. */
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\b", TLSR_VIEW_64, "d",
					    2),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_64, "d",
					    &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 2);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\b", TLSR_VIEW_64, "none",
					    3),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_64, "none",
					    &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 3);
	ck_assert_int_eq(tlsr_reg_delete_value(reg, SW "\\b", TLSR_VIEW_64,
					       "none"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get(reg, SW "\\b", TLSR_VIEW_64, "none", &v),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW "\\later", TLSR_VIEW_64,
					    "d", 4),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\later", TLSR_VIEW_64,
					    "d", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 4);
	ck_assert_int_eq(reg->ops->delete_key(reg, SW "\\b", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_64, "d",
					    &d),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\b", TLSR_VIEW_32, "d",
					    &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 32);
	tlsr_reg_batch_end(reg);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\later", TLSR_VIEW_64,
					    "d", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 4);
	end(reg);
}
END_TEST

/* ---- the in-memory backend and the fault wrapper themselves ---- */

START_TEST(registry_mem_keeps_insertion_order)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_key *key = NULL;
	char buf[32];

	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\zeta", TLSR_VIEW_64, "v", 1),
	    TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_set_dword(reg, SW "\\alpha", TLSR_VIEW_64, "v", 1),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, buf, sizeof buf),
			 TLSR_OK);
	ck_assert_str_eq(buf, "zeta");
	reg->ops->close_key(reg, key);
	ck_assert_str_eq(reg->ops->name, "memory");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_mem_many_children)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	char path[128], buf[32];
	struct tlsr_key *key = NULL;
	uint32_t d = 0;

	for (unsigned i = 0; i < 20000; i++) {
		snprintf(path, sizeof path, SW "\\Classes\\.ext%u", i);
		ck_assert_int_eq(
		    tlsr_reg_set_dword(reg, path, TLSR_VIEW_64, "n", i),
		    TLSR_OK);
	}
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW "\\CLASSES\\.EXT12345",
					    TLSR_VIEW_64, "N", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 12345);
	ck_assert_int_eq(
	    reg->ops->delete_key(reg, SW "\\Classes\\.ext0", TLSR_VIEW_64),
	    TLSR_OK);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, SW "\\Classes", TLSR_VIEW_64, 0, &key),
	    TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, buf, sizeof buf),
			 TLSR_OK);
	ck_assert_str_eq(buf, ".ext1");
	ck_assert_int_eq(
	    reg->ops->enum_subkey(reg, key, 19998, buf, sizeof buf), TLSR_OK);
	ck_assert_str_eq(buf, ".ext19999");
	ck_assert_int_eq(
	    reg->ops->enum_subkey(reg, key, 19999, buf, sizeof buf),
	    TLSR_ENOTFOUND);
	reg->ops->close_key(reg, key);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_mem_watch_unsupported)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_key *key = NULL;

	ck_assert_int_eq(reg->ops->open_key(reg, SW, TLSR_VIEW_64, 1, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->watch(reg, key, NULL), TLSR_EUNSUPPORTED);
	ck_assert_str_ne(reg->message, "");
	reg->ops->close_key(reg, key);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_mem_bad_paths_einval)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_key *key = NULL;
	char longname[TLSR_REG_NAME_MAX + 16];

	ck_assert_int_eq(
	    reg->ops->open_key(reg, "SOFTWARE\\\\x", TLSR_VIEW_64, 1, &key),
	    TLSR_EINVAL);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, "SOFTWARE\\", TLSR_VIEW_64, 1, &key),
	    TLSR_EINVAL);
	ck_assert_int_eq(
	    reg->ops->open_key(reg, "\\SOFTWARE", TLSR_VIEW_64, 1, &key),
	    TLSR_EINVAL);
	memset(longname, 'k', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ck_assert_int_eq(
	    reg->ops->open_key(reg, longname, TLSR_VIEW_64, 1, &key),
	    TLSR_EINVAL);
	ck_assert_int_eq(reg->ops->delete_key(reg, "", TLSR_VIEW_64),
			 TLSR_EINVAL);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_fault_fails_armed_call_only)
{
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(tlsr_registry_mem_new());
	uint32_t d = 0;

	ck_assert_str_eq(reg->ops->name, "fault");
	/* set_dword = open_key, set_value, close_key: fail the set_value. */
	tlsr_fault_arm(reg, 2, TLSR_EACCESS);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "v", 1),
			 TLSR_EACCESS);
	ck_assert_uint_eq(tlsr_fault_calls(reg), 3);
	ck_assert_ptr_nonnull(strstr(reg->message, "injected"));
	/* The failed call did nothing; the key was created by open_key. */
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "v", &d),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, SW, TLSR_VIEW_64), TLSR_OK);
	/* One-shot: the next calls succeed. */
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "v", 1),
			 TLSR_OK);
	tlsr_fault_arm(reg, 0, TLSR_OK);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(
		    tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "v", &d),
		    TLSR_OK);
	ck_assert_uint_eq(tlsr_fault_calls(reg), 30);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_fault_every_call_of_a_write_is_checked)
{
	/* Each call of a set_string + delete_value sequence fails in turn;
	 * the caller sees the error, never a crash or a leak. */
	for (unsigned long n = 1; n <= 6; n++) {
		struct tlsr_registry *reg =
		    tlsr_registry_fault_new(tlsr_registry_mem_new());
		tlsr_err a, b;

		tlsr_fault_arm(reg, n, TLSR_EIO);
		a = tlsr_reg_set_string(reg, SW, TLSR_VIEW_64, "s", "x");
		b = tlsr_reg_delete_value(reg, SW, TLSR_VIEW_64, "s");
		/* close_key (calls 3 and 6) cannot fail. */
		if (n == 1 || n == 2)
			ck_assert_int_eq(a, TLSR_EIO);
		else
			ck_assert_int_eq(a, TLSR_OK);
		if (n == 4 || n == 5)
			ck_assert_int_eq(b, TLSR_EIO);
		else if (n == 1 || n == 2)
			ck_assert_int_ne(b, TLSR_OK);
		else
			ck_assert_int_eq(b, TLSR_OK);
		tlsr_registry_destroy(reg);
	}
}
END_TEST

START_TEST(registry_fault_counts_calls_by_kind)
{
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(tlsr_registry_mem_new());
	struct tlsr_reg_counts c;
	struct tlsr_key *key = NULL;
	char name[TLSR_REG_NAME_MAX];
	uint32_t d = 0;

	tlsr_fault_arm(reg, 0, TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, SW, TLSR_VIEW_64, "v", 1),
			 TLSR_OK);
	/* A run of reads is no call: the calls number the same with it. */
	tlsr_reg_batch_begin(reg);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "v", &d),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, SW, TLSR_VIEW_64, "v", &d),
			 TLSR_OK);
	tlsr_reg_batch_end(reg);
	ck_assert_int_eq(reg->ops->open_key(reg, "SOFTWARE", TLSR_VIEW_64, 0,
					    &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, name, sizeof name),
			 TLSR_ENOTFOUND);
	reg->ops->close_key(reg, key);
	tlsr_fault_counts(reg, &c);
	ck_assert_uint_eq(c.open, 4);
	ck_assert_uint_eq(c.query, 2);
	ck_assert_uint_eq(c.enumerate, 2);
	ck_assert_uint_eq(c.close, 4);
	ck_assert_uint_eq(c.other, 1);
	ck_assert_uint_eq(tlsr_fault_calls(reg), 13);
	/* Arming starts the count again. */
	tlsr_fault_arm(reg, 0, TLSR_OK);
	tlsr_fault_counts(reg, &c);
	ck_assert_uint_eq(c.open + c.query + c.enumerate + c.close + c.other,
			  0);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_fault_passes_inner_messages)
{
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(tlsr_registry_mem_new());
	uint32_t d;

	ck_assert_int_eq(
	    tlsr_reg_get_dword(reg, SW "\\missing", TLSR_VIEW_64, "v", &d),
	    TLSR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(reg->message, "not found"));
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(registry_utf_conversions)
{
	uint8_t w[16];
	char u[16];

	/* U+1F512 needs a surrogate pair. */
	ck_assert_uint_eq(
	    tlsr_utf8_to_utf16le("a\xf0\x9f\x94\x92", w, sizeof w), 8);
	ck_assert_uint_eq(w[2], 0x3d);
	ck_assert_uint_eq(w[3], 0xd8);
	ck_assert_uint_eq(tlsr_utf16le_to_utf8(w, 8, u, sizeof u), 6);
	ck_assert_str_eq(u, "a\xf0\x9f\x94\x92");
	ck_assert_uint_eq(tlsr_utf8_to_utf16le("abc", w, 7), 0);
	ck_assert_uint_eq(tlsr_utf8_to_utf16le("\xc3", w, sizeof w), 0);
	ck_assert_uint_eq(tlsr_utf8_to_utf16le("\xed\xa0\x80", w, sizeof w), 0);
	ck_assert_uint_eq(tlsr_utf16le_to_utf8(w, 8, u, 3), 0);
	w[0] = 0x00;
	w[1] = 0xdc;
	ck_assert_uint_eq(tlsr_utf16le_to_utf8(w, 2, u, sizeof u), 0);
}
END_TEST

static Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *c = tcase_create("contract");
	TCase *m = tcase_create("memory");

	tcase_add_loop_test(c, registry_set_get_each_type, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_dword_and_string_helpers, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_keys_case_insensitive, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_values_case_insensitive, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_view32_writes_land_under_wow6432node, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_system_shared_between_views, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_missing_key_and_value_not_found, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_delete_value, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_delete_key_removes_subtree, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_enum_subkeys_and_values, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_short_buffers_erange, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_wrong_type_etype, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_default_value_is_empty_name, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_utf8_names, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_set_overwrites_type, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_open_creates_parents_only_when_asked, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_deleted_key_handle_fails, 0,
			    NFACTORIES);
	tcase_add_loop_test(c, registry_large_value, 0, NFACTORIES);
	tcase_add_loop_test(c, registry_batch_reads_as_without_one, 0,
			    NFACTORIES);
	suite_add_tcase(s, c);

	tcase_add_test(m, registry_mem_keeps_insertion_order);
	tcase_add_test(m, registry_mem_many_children);
	tcase_add_test(m, registry_mem_watch_unsupported);
	tcase_add_test(m, registry_mem_bad_paths_einval);
	tcase_add_test(m, registry_fault_fails_armed_call_only);
	tcase_add_test(m, registry_fault_every_call_of_a_write_is_checked);
	tcase_add_test(m, registry_fault_counts_calls_by_kind);
	tcase_add_test(m, registry_fault_passes_inner_messages);
	tcase_add_test(m, registry_utf_conversions);
	suite_add_tcase(s, m);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(registry_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
