/* Tests of the Windows-only parts of core: the Win32 registry backend on
 * the live registry (what the shared contract in test_registry.c cannot
 * see: real WOW64 redirection, change notifications, the kept LSTATUS) and
 * the live facts. Run under Wine in the build's own prefix. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "facts_win.h"
#include "file.h"
#include "policy.h"
#include "registry_win32.h"
#include "wstr.h"
#include "tlsr.h"

#define BASE "SOFTWARE\\tlsward-test-win32"

static struct tlsr_registry *reg;

static void setup(void)
{
	reg = tlsr_registry_win32_new();
	ck_assert_ptr_nonnull(reg);
}

static void teardown(void)
{
	reg->ops->delete_key(reg, BASE, TLSR_VIEW_64);
	reg->ops->delete_key(reg, BASE, TLSR_VIEW_32);
	tlsr_registry_destroy(reg);
}

START_TEST(win32_views_are_the_wow64_halves)
{
	uint32_t v = 0;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\views", TLSR_VIEW_64,
					    "Enabled", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\views", TLSR_VIEW_32,
					    "Enabled", 2),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\views", TLSR_VIEW_64,
					    "Enabled", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\views", TLSR_VIEW_NONE,
					    "Enabled", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 1);
	/* What a 32-bit program sees is what Windows keeps under
	 * Wow6432Node. */
	ck_assert_int_eq(tlsr_reg_get_dword(reg,
					    "SOFTWARE\\Wow6432Node\\tlsward-test-"
					    "win32\\views",
					    TLSR_VIEW_64, "Enabled", &v),
			 TLSR_OK);
	ck_assert_uint_eq(v, 2);
}
END_TEST

START_TEST(win32_failure_keeps_lstatus_and_system_text)
{
	uint32_t v;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\err", TLSR_VIEW_64,
					    "Other", 1),
			 TLSR_OK);
	reg->sys_code = 0;
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\err", TLSR_VIEW_64,
					    "Missing", &v),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(reg->sys_code, ERROR_FILE_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(reg->message, BASE "\\err"));
	ck_assert_ptr_nonnull(strstr(reg->message, "Missing"));
	ck_assert_int_eq(tlsr_reg_key_exists(reg, BASE "\\absent",
					     TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(reg->sys_code, ERROR_FILE_NOT_FOUND);
}
END_TEST

START_TEST(win32_watch_signals_a_change_below_the_key_once)
{
	struct tlsr_key *key = NULL;
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);

	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(reg->ops->open_key(reg, BASE "\\watch", TLSR_VIEW_64,
					    1, &key),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\watch\\sub",
					    TLSR_VIEW_64, "Enabled", 0),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->watch(reg, key, ev), TLSR_OK);
	ck_assert_uint_eq(WaitForSingleObject(ev, 0), WAIT_TIMEOUT);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\watch\\sub",
					    TLSR_VIEW_64, "Enabled", 1),
			 TLSR_OK);
	ck_assert_uint_eq(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
	/* One-shot: the next change goes unseen until it is armed again. */
	ResetEvent(ev);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\watch", TLSR_VIEW_64,
					    "Other", 2),
			 TLSR_OK);
	ck_assert_uint_eq(WaitForSingleObject(ev, 200), WAIT_TIMEOUT);
	ck_assert_int_eq(reg->ops->watch(reg, key, ev), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_delete_value(reg, BASE "\\watch",
					       TLSR_VIEW_64, "Other"),
			 TLSR_OK);
	ck_assert_uint_eq(WaitForSingleObject(ev, 5000), WAIT_OBJECT_0);
	reg->ops->close_key(reg, key);
	CloseHandle(ev);
}
END_TEST

START_TEST(win32_delete_key_takes_one_view_only)
{
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\tree\\a\\b",
					    TLSR_VIEW_64, "x", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\tree\\a\\b",
					    TLSR_VIEW_32, "x", 1),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->delete_key(reg, BASE "\\tree", TLSR_VIEW_64),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, BASE "\\tree", TLSR_VIEW_64),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_key_exists(reg, BASE "\\tree\\a\\b",
					     TLSR_VIEW_32),
			 TLSR_OK);
}
END_TEST

/* The Reg* calls of a read: one query for a DWORD, two for a long value;
 * in a run of reads (a check), one open per key and view, absent or not,
 * one query per value, and the handles closed when the run ends. */
START_TEST(win32_batch_opens_each_key_once_and_reads_each_value_once)
{
	struct tlsr_reg_counts a, b, c, e;
	uint8_t big[2000];
	struct tlsr_value v;
	uint32_t d = 0;

	memset(big, 0x5a, sizeof big);
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\batch", TLSR_VIEW_64,
					    "One", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, BASE "\\batch", TLSR_VIEW_64, "Big",
				      TLSR_REG_BINARY, big, sizeof big),
			 TLSR_OK);
	tlsr_registry_win32_counts(reg, &a);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\batch", TLSR_VIEW_64,
					    "One", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 1);
	ck_assert_int_eq(tlsr_reg_get(reg, BASE "\\batch", TLSR_VIEW_64, "Big",
				      &v),
			 TLSR_OK);
	ck_assert_uint_eq(v.size, sizeof big);
	ck_assert_mem_eq(v.data, big, sizeof big);
	tlsr_value_clear(&v);
	tlsr_registry_win32_counts(reg, &b);
	ck_assert_uint_eq(b.open - a.open, 2);
	ck_assert_uint_eq(b.query - a.query, 3);
	ck_assert_uint_eq(b.close - a.close, 2);

	tlsr_reg_batch_begin(reg);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\batch",
						    TLSR_VIEW_64, "One", &d),
				 TLSR_OK);
		ck_assert_uint_eq(d, 1);
		ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\batch",
						    TLSR_VIEW_32, "One", &d),
				 TLSR_ENOTFOUND);
		ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\batch",
						    TLSR_VIEW_64, "None", &d),
				 TLSR_ENOTFOUND);
		ck_assert_int_eq(tlsr_reg_get(reg, BASE "\\batch",
					      TLSR_VIEW_64, "Big", &v),
				 TLSR_OK);
		ck_assert_uint_eq(v.size, sizeof big);
		ck_assert_mem_eq(v.data, big, sizeof big);
		tlsr_value_clear(&v);
		ck_assert_int_eq(tlsr_reg_key_exists(reg, BASE "\\absent",
						     TLSR_VIEW_64),
				 TLSR_ENOTFOUND);
		/* A failure still says what failed. */
		ck_assert_int_eq(reg->sys_code, ERROR_FILE_NOT_FOUND);
		ck_assert_ptr_nonnull(strstr(reg->message, BASE "\\absent"));
	}
	tlsr_registry_win32_counts(reg, &c);
	ck_assert_uint_eq(c.open - b.open, 3);
	ck_assert_uint_eq(c.query - b.query, 4);
	ck_assert_uint_eq(c.close - b.close, 0);
	tlsr_reg_batch_end(reg);
	tlsr_registry_win32_counts(reg, &e);
	ck_assert_uint_eq(e.close - c.close, 1);
}
END_TEST

/* A key another program deletes during a run of reads is opened again, so
 * the run reads what is there, as reads outside a run would. */
START_TEST(win32_batch_reopens_a_key_another_program_deleted)
{
	HKEY h;
	DWORD two = 2;
	uint32_t d = 0;

	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\gone", TLSR_VIEW_64,
					    "v", 1),
			 TLSR_OK);
	tlsr_reg_batch_begin(reg);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\gone", TLSR_VIEW_64,
					    "v", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 1);
	ck_assert_int_eq(RegDeleteKeyExW(HKEY_LOCAL_MACHINE,
					 L"SOFTWARE\\tlsward-test-win32\\gone",
					 KEY_WOW64_64KEY, 0),
			 ERROR_SUCCESS);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\gone", TLSR_VIEW_64,
					    "w", &d),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(RegCreateKeyExW(HKEY_LOCAL_MACHINE,
					 L"SOFTWARE\\tlsward-test-win32\\gone",
					 0, NULL, REG_OPTION_NON_VOLATILE,
					 KEY_SET_VALUE | KEY_WOW64_64KEY, NULL,
					 &h, NULL),
			 ERROR_SUCCESS);
	ck_assert_int_eq(RegSetValueExW(h, L"w", 0, REG_DWORD,
					(const BYTE *)&two, sizeof two),
			 ERROR_SUCCESS);
	RegCloseKey(h);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, BASE "\\gone", TLSR_VIEW_64,
					    "w", &d),
			 TLSR_OK);
	ck_assert_uint_eq(d, 2);
	tlsr_reg_batch_end(reg);
}
END_TEST

START_TEST(win32_non_ascii_names_round_trip)
{
	struct tlsr_key *key = NULL;
	char name[64];
	char text[64];

	ck_assert_int_eq(tlsr_reg_set_string(reg, BASE "\\Schlüssel",
					     TLSR_VIEW_64, "Größe", "héllo"),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->open_key(reg, BASE, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "Schlüssel");
	ck_assert_int_eq(reg->ops->enum_subkey(reg, key, 0, name, 5),
			 TLSR_ERANGE);
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(reg->ops->open_key(reg, BASE "\\Schlüssel",
					    TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	ck_assert_int_eq(reg->ops->enum_value(reg, key, 0, name, sizeof name),
			 TLSR_OK);
	ck_assert_str_eq(name, "Größe");
	reg->ops->close_key(reg, key);
	ck_assert_int_eq(tlsr_reg_get_string(reg, BASE "\\SCHLÜSSEL",
					     TLSR_VIEW_64, "Größe", text,
					     sizeof text),
			 TLSR_OK);
	ck_assert_str_eq(text, "héllo");
	ck_assert_int_eq(tlsr_reg_set_dword(reg, BASE "\\bad\xff",
					    TLSR_VIEW_64, "x", 1),
			 TLSR_EINVAL);
}
END_TEST

/* Runs this program again, with the Windows version Wine reports to it set
 * to wine_version ("win8", "win10") or, for NULL, the prefix's own, and
 * returns what the child printed for --print-facts. */
static void facts_as(const WCHAR *wine_version, char *out, size_t size)
{
	static const WCHAR app_key[] =
		L"Software\\Wine\\AppDefaults\\test_win32.exe";
	WCHAR exe[MAX_PATH], cmd[MAX_PATH + 32];
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	HANDLE rd, wr;
	HKEY key;
	DWORD got;
	size_t len = 0;

	RegDeleteKeyW(HKEY_CURRENT_USER, app_key);
	if (wine_version != NULL) {
		ck_assert_int_eq(RegCreateKeyExW(HKEY_CURRENT_USER, app_key, 0,
						 NULL, 0, KEY_SET_VALUE, NULL,
						 &key, NULL),
				 ERROR_SUCCESS);
		ck_assert_int_eq(
			RegSetValueExW(key, L"Version", 0, REG_SZ,
				       (const BYTE *)wine_version,
				       (DWORD)((wcslen(wine_version) + 1) *
					       sizeof(WCHAR))),
			ERROR_SUCCESS);
		RegCloseKey(key);
	}
	ck_assert_uint_gt(GetModuleFileNameW(NULL, exe, MAX_PATH), 0);
	swprintf(cmd, ARRAYSIZE(cmd), L"\"%ls\" --print-facts", exe);
	ck_assert(CreatePipe(&rd, &wr, &sa, 0));
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdOutput = wr;
	si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	ck_assert(CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL,
				 &si, &pi));
	CloseHandle(wr);
	while (len + 1 < size &&
	       ReadFile(rd, out + len, (DWORD)(size - 1 - len), &got, NULL) &&
	       got > 0)
		len += got;
	out[len] = '\0';
	WaitForSingleObject(pi.hProcess, INFINITE);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	CloseHandle(rd);
	RegDeleteKeyW(HKEY_CURRENT_USER, app_key);
}

static int print_facts(void)
{
	struct tlsr_registry *r = tlsr_registry_win32_new();
	struct tlsr_facts f;

	if (r == NULL || tlsr_facts_read(r, &f) != TLSR_OK)
		return 1;
	tlsr_facts_live(&f);
	printf("os=%u.%u.%u sp=%u server=%d x64=%d kb=%d source=%s\n",
	       f.os_major, f.os_minor, f.os_build, f.os_sp, f.is_server, f.x64,
	       (int)f.kb3140245, f.kb3140245_source);
	tlsr_registry_destroy(r);
	return 0;
}

/* A fresh prefix is an unpatched Windows 7 SP1 client. */
START_TEST(win32_file_layer_takes_non_ascii_paths)
{
	/* C:\tlsward-Jürgen-测试\policy.yaml: neither fits the ANSI code page
	 * of Wine's default locale, so only UTF-16 calls can open them. */
	const char *dir = "C:\\tlsward-J\xc3\xbcrgen-\xe6\xb5\x8b\xe8\xaf\x95";
	char path[256], why[300];
	const char *text = "version: 1\nmode: audit\n";
	struct tlsr_policy p;
	struct tlsr_diag diag;
	uint64_t size = 0, mtime = 0;
	wchar_t *wdir = tlsr_win_wide(dir);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(wdir);
	CreateDirectoryW(wdir, NULL);
	snprintf(path, sizeof path, "%s\\policy.yaml", dir);
	ck_assert_int_eq(tlsr_file_replace(path, "old", 3, why, sizeof why),
			 TLSR_OK);
	/* Replaced in one step: the new bytes, no temporary file left. */
	ck_assert_int_eq(tlsr_file_replace(path, text, strlen(text), why,
					   sizeof why),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_file_read_all(path, 1024, &buf, &len, why,
					    sizeof why),
			 TLSR_OK);
	ck_assert_str_eq(buf, text);
	free(buf);
	ck_assert_int_eq(tlsr_file_stat(path, &size, &mtime, why, sizeof why),
			 TLSR_OK);
	ck_assert_uint_eq(size, strlen(text));
	f = tlsr_file_open(path, "rb");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(tlsr_policy_load_file(path, &p, &diag), TLSR_OK);
	ck_assert_int_eq(p.mode, TLSR_MODE_AUDIT);
	ck_assert_int_eq(tlsr_file_same(path, path), 1);
	{
		char tmp[300];
		uint64_t s2, m2;

		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		ck_assert_int_eq(tlsr_file_stat(tmp, &s2, &m2, why, sizeof why),
				 TLSR_ENOTFOUND);
	}
	/* A replace that cannot happen leaves the file as it was. */
	{
		char bad[300];

		snprintf(bad, sizeof bad, "%s\\missing\\policy.yaml", dir);
		ck_assert_int_ne(tlsr_file_replace(bad, "x", 1, why, sizeof why),
				 TLSR_OK);
		ck_assert_str_ne(why, "");
	}
	{
		wchar_t *wpath = tlsr_win_wide(path);

		DeleteFileW(wpath);
		free(wpath);
	}
	RemoveDirectoryW(wdir);
	free(wdir);
}
END_TEST

START_TEST(win32_live_facts_see_unpatched_windows7)
{
	char out[512];

	facts_as(NULL, out, sizeof out);
	ck_assert_msg(strstr(out, "os=6.1.7601 sp=1 server=0 x64=1 kb=0 ") !=
			      NULL,
		      "%s", out);
	/* Wine's winhttp.dll carries an XP-era version: older than the
	 * update's. */
	ck_assert_msg(strstr(out, "source=winhttp.dll 5.1.2600.2180 < "
				  "6.1.7601.23375") != NULL,
		      "%s", out);
}
END_TEST

START_TEST(win32_live_facts_follow_the_kernel_not_the_registry)
{
	char out[512];

	facts_as(L"win10", out, sizeof out);
	ck_assert_msg(strstr(out, "os=10.0.18362 sp=0 server=0 x64=1 ") !=
			      NULL,
		      "%s", out);
	/* No file check on 10.0: the update is not a thing there. */
	ck_assert_msg(strstr(out, "winhttp.dll") == NULL, "%s", out);
	facts_as(L"win8", out, sizeof out);
	ck_assert_msg(strstr(out, "os=6.2.9200 ") != NULL, "%s", out);
	/* Windows 8 (client) never got the update: no file check, the
	 * servicing store's answer. */
	ck_assert_msg(strstr(out, "Component Based Servicing") != NULL, "%s",
		      out);
}
END_TEST

static Suite *win32_suite(void)
{
	Suite *s = suite_create("win32");
	TCase *tc = tcase_create("registry");
	TCase *facts = tcase_create("facts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, win32_views_are_the_wow64_halves);
	tcase_add_test(tc, win32_failure_keeps_lstatus_and_system_text);
	tcase_add_test(tc, win32_watch_signals_a_change_below_the_key_once);
	tcase_add_test(tc, win32_delete_key_takes_one_view_only);
	tcase_add_test(tc, win32_batch_opens_each_key_once_and_reads_each_value_once);
	tcase_add_test(tc, win32_batch_reopens_a_key_another_program_deleted);
	tcase_add_test(tc, win32_non_ascii_names_round_trip);
	tcase_add_test(tc, win32_file_layer_takes_non_ascii_paths);
	suite_add_tcase(s, tc);
	tcase_add_test(facts, win32_live_facts_see_unpatched_windows7);
	tcase_add_test(facts, win32_live_facts_follow_the_kernel_not_the_registry);
	suite_add_tcase(s, facts);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1 && strcmp(argv[1], "--print-facts") == 0)
		return print_facts();
	sr = srunner_create(win32_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
