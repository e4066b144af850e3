/* setvalue: drift injection for the Wine scenarios, through RegSetValueExW.
 *
 *   setvalue set   KEY NAME DWORD [--view 32|64]
 *   setvalue heal  KEY NAME DWORD [--view 32|64] [--count N] [--timeout MS]
 *                  [--pause MS]
 *   setvalue fight KEY NAME DWORD [--view 32|64] [--duration MS]
 *                  [--timeout MS]
 *   setvalue control SERVICE CODE
 *   setvalue dump KEY
 *   setvalue delete KEY
 *
 * KEY is HKLM-relative. "set" writes once. "heal" writes the drift DWORD N
 * times; after each write it waits (RegNotifyChangeKeyValue) until the value
 * no longer reads DWORD, prints each latency in microseconds from just
 * before the write to the moment the healed value was read, then p50, p99
 * and max. "fight" plays another agent in a tug-of-war: it writes DWORD,
 * and writes it again each time the value changes, for --duration ms, then
 * prints how many times it had to revert. "control" sends a service control
 * code (e.g. 128, tlsward's "check now"; Wine's sc.exe has no "control").
 * "dump" prints KEY's subtree exactly, through RegEnumKeyExW and
 * RegEnumValueW (64-bit view): a line "K PATH" per key and "V PATH NAME
 * TYPE HEX" per value (PATH relative to KEY, names as UTF-16 units in hex,
 * so every name and byte compares exactly); "delete" removes KEY's subtree
 * (exit 0 when it is absent too).
 * Exit codes: 0 done, 1 a value was not healed within --timeout, 2 usage or
 * a registry call failed (the Win32 error text is printed). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct opts {
	const wchar_t *cmd;
	const wchar_t *key;
	const wchar_t *name;
	DWORD data;
	REGSAM view;
	unsigned count;
	DWORD timeout_ms;
	DWORD pause_ms;
	DWORD duration_ms;
};

/* Prints what failed with the system's text for err. */
static void report_error(const char *what, LSTATUS err)
{
	wchar_t text[512];

	if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
				    FORMAT_MESSAGE_IGNORE_INSERTS,
			    NULL, (DWORD)err, 0, text, 512, NULL))
		swprintf(text, 512, L"error %ld", (long)err);
	fprintf(stderr, "setvalue: %s: %ls (%ld)\n", what, text, (long)err);
}

/* Prints the command line summary. */
static int usage(void)
{
	fprintf(stderr,
		"usage: setvalue set|heal|fight KEY NAME DWORD [--view 32|64]"
		" [--count N] [--timeout MS] [--pause MS] [--duration MS]\n"
		"       setvalue control SERVICE CODE\n"
		"       setvalue dump|delete KEY\n");
	return 2;
}

/* Parses a decimal or 0x-prefixed number; returns 0 on success. */
static int parse_num(const wchar_t *s, unsigned long *out)
{
	wchar_t *end;

	if (!s || !*s)
		return -1;
	*out = wcstoul(s, &end, 0);
	return *end ? -1 : 0;
}

/* Fills o from the command line; returns 0 or -1 on bad usage. */
static int parse_args(int argc, wchar_t **argv, struct opts *o)
{
	unsigned long n;
	int i;

	if (argc < 5)
		return -1;
	o->cmd = argv[1];
	o->key = argv[2];
	o->name = argv[3];
	if (parse_num(argv[4], &n))
		return -1;
	o->data = (DWORD)n;
	o->view = KEY_WOW64_64KEY;
	o->count = 1;
	o->timeout_ms = 5000;
	o->pause_ms = 20;
	o->duration_ms = 10000;
	for (i = 5; i + 1 < argc; i += 2) {
		if (parse_num(argv[i + 1], &n))
			return -1;
		if (!wcscmp(argv[i], L"--view") && (n == 32 || n == 64))
			o->view = n == 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
		else if (!wcscmp(argv[i], L"--count") && n > 0)
			o->count = (unsigned)n;
		else if (!wcscmp(argv[i], L"--timeout"))
			o->timeout_ms = (DWORD)n;
		else if (!wcscmp(argv[i], L"--pause"))
			o->pause_ms = (DWORD)n;
		else if (!wcscmp(argv[i], L"--duration"))
			o->duration_ms = (DWORD)n;
		else
			return -1;
	}
	return i == argc ? 0 : -1;
}

/* Reads the value as a DWORD; a missing or differently typed value reads as
 * "not the drift", which is what a heal looks like too. Returns 1 when the
 * value holds data, 0 otherwise. */
static int holds(HKEY key, const wchar_t *name, DWORD data)
{
	DWORD type = 0, got = 0, size = sizeof(got);

	if (RegQueryValueExW(key, name, NULL, &type, (BYTE *)&got, &size))
		return 0;
	return type == REG_DWORD && size == sizeof(got) && got == data;
}

/* Arms a one-shot change notification on key. */
static LSTATUS arm(HKEY key, HANDLE event)
{
	return RegNotifyChangeKeyValue(key, FALSE,
				       REG_NOTIFY_CHANGE_NAME |
					       REG_NOTIFY_CHANGE_LAST_SET,
				       event, TRUE);
}

/* qsort order for latencies. */
static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Writes the drift; waits until something else rewrites it. Returns the
 * latency in microseconds, -1 on timeout, -2 on a registry error. */
static long long one_heal(HKEY key, HANDLE event, const struct opts *o,
			  LARGE_INTEGER freq)
{
	LARGE_INTEGER t0, t1;
	ULONGLONG deadline;
	LSTATUS err;

	QueryPerformanceCounter(&t0);
	err = RegSetValueExW(key, o->name, 0, REG_DWORD,
			     (const BYTE *)&o->data, sizeof(o->data));
	if (err) {
		report_error("RegSetValueExW", err);
		return -2;
	}
	deadline = GetTickCount64() + o->timeout_ms;
	for (;;) {
		ULONGLONG now;

		/* Armed before the read, so a heal landing between the read
		 * and the wait still wakes us. */
		err = arm(key, event);
		if (err) {
			report_error("RegNotifyChangeKeyValue", err);
			return -2;
		}
		if (!holds(key, o->name, o->data)) {
			QueryPerformanceCounter(&t1);
			return (t1.QuadPart - t0.QuadPart) * 1000000LL /
			       freq.QuadPart;
		}
		now = GetTickCount64();
		if (now >= deadline)
			return -1;
		WaitForSingleObject(event, (DWORD)(deadline - now));
	}
}

/* The "heal" command: count drifts, latencies and percentiles. */
static int cmd_heal(HKEY key, HANDLE event, const struct opts *o)
{
	LARGE_INTEGER freq;
	long long *lat;
	unsigned i, n = 0;
	int rc = 0;

	lat = calloc(o->count, sizeof(*lat));
	if (!lat) {
		fprintf(stderr, "setvalue: out of memory\n");
		return 2;
	}
	QueryPerformanceFrequency(&freq);
	for (i = 0; i < o->count; i++) {
		long long us = one_heal(key, event, o, freq);

		if (us == -2) {
			rc = 2;
			goto out;
		}
		if (us < 0) {
			printf("drift %u: not healed within %lu ms\n", i + 1,
			       (unsigned long)o->timeout_ms);
			rc = 1;
			goto out;
		}
		lat[n++] = us;
		printf("drift %u: healed in %lld us\n", i + 1, us);
		/* Lets the healer finish its pass (status, events) so the
		 * next drift is seen as a new change. */
		Sleep(o->pause_ms);
	}
out:
	if (n) {
		qsort(lat, n, sizeof(*lat), cmp_ll);
		printf("heal latency: n=%u p50=%lld us p99=%lld us max=%lld us\n",
		       n, lat[(n - 1) / 2], lat[(n * 99 + 99) / 100 - 1],
		       lat[n - 1]);
	}
	fflush(stdout);
	free(lat);
	return rc;
}

/* The "fight" command: keep writing data back whenever it changes. */
static int cmd_fight(HKEY key, HANDLE event, const struct opts *o)
{
	ULONGLONG end = GetTickCount64() + o->duration_ms;
	unsigned reverts = 0, writes = 0;
	LSTATUS err;

	for (;;) {
		ULONGLONG now;

		err = arm(key, event);
		if (err) {
			report_error("RegNotifyChangeKeyValue", err);
			return 2;
		}
		if (!holds(key, o->name, o->data)) {
			err = RegSetValueExW(key, o->name, 0, REG_DWORD,
					     (const BYTE *)&o->data,
					     sizeof(o->data));
			if (err) {
				report_error("RegSetValueExW", err);
				return 2;
			}
			if (writes++)
				reverts++;
			continue;
		}
		now = GetTickCount64();
		if (now >= end)
			break;
		WaitForSingleObject(event, (DWORD)(end - now));
	}
	printf("fight: %u writes, %u reverts\n", writes, reverts);
	fflush(stdout);
	return 0;
}

/* The "control" command: ControlService(name, code). */
static int cmd_control(const wchar_t *name, const wchar_t *code_text)
{
	SC_HANDLE scm = NULL, svc = NULL;
	SERVICE_STATUS st;
	unsigned long code;
	int rc = 2;

	if (parse_num(code_text, &code))
		return usage();
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (!scm) {
		report_error("OpenSCManagerW", (LSTATUS)GetLastError());
		goto out;
	}
	svc = OpenServiceW(scm, name,
			   SERVICE_USER_DEFINED_CONTROL | SERVICE_STOP |
				   SERVICE_PAUSE_CONTINUE | SERVICE_INTERROGATE);
	if (!svc) {
		report_error("OpenServiceW", (LSTATUS)GetLastError());
		goto out_scm;
	}
	if (!ControlService(svc, (DWORD)code, &st)) {
		report_error("ControlService", (LSTATUS)GetLastError());
		goto out_svc;
	}
	rc = 0;
out_svc:
	CloseServiceHandle(svc);
out_scm:
	CloseServiceHandle(scm);
out:
	return rc;
}

/* Prints units (n UTF-16 units) as 4-digit hex. */
static void put_units(const wchar_t *units, DWORD n)
{
	for (DWORD i = 0; i < n; i++)
		printf("%04x", (unsigned)units[i]);
}

/* Prints key's values and subkeys below path (n units), recursively. */
static int dump_key(HKEY key, wchar_t *path, DWORD n)
{
	wchar_t name[16384];
	BYTE *data = NULL;
	DWORD i, len, size, type, cap = 0;
	LSTATUS err;
	int rc = 0;

	printf("K ");
	put_units(path, n);
	printf("\n");
	for (i = 0;; i++) {
		len = 16384;
		size = 0;
		err = RegEnumValueW(key, i, name, &len, NULL, &type, NULL, &size);
		if (err == ERROR_NO_MORE_ITEMS)
			break;
		if (err) {
			report_error("RegEnumValueW", err);
			rc = 2;
			break;
		}
		if (size + 1 > cap) {
			free(data);
			cap = size + 1;
			data = malloc(cap);
			if (!data)
				return 2;
		}
		len = 16384;
		err = RegEnumValueW(key, i, name, &len, NULL, &type, data, &size);
		if (err) {
			report_error("RegEnumValueW", err);
			rc = 2;
			break;
		}
		printf("V ");
		put_units(path, n);
		printf(" ");
		put_units(name, len);
		printf(" %lu ", (unsigned long)type);
		for (DWORD k = 0; k < size; k++)
			printf("%02x", data[k]);
		printf("\n");
	}
	free(data);
	for (i = 0; rc == 0; i++) {
		HKEY sub;

		len = 256;
		err = RegEnumKeyExW(key, i, name, &len, NULL, NULL, NULL, NULL);
		if (err == ERROR_NO_MORE_ITEMS)
			break;
		if (err || n + 1 + len >= 4096) {
			report_error("RegEnumKeyExW", err);
			return 2;
		}
		err = RegOpenKeyExW(key, name, 0, KEY_READ | KEY_WOW64_64KEY,
				    &sub);
		if (err) {
			report_error("RegOpenKeyExW", err);
			return 2;
		}
		path[n] = L'\\';
		memcpy(path + n + 1, name, len * sizeof(wchar_t));
		rc = dump_key(sub, path, n + 1 + len);
		RegCloseKey(sub);
	}
	return rc;
}

/* The "dump" and "delete" commands. */
static int cmd_tree(const wchar_t *cmd, const wchar_t *name)
{
	static wchar_t path[4096];
	HKEY key;
	LSTATUS err;
	int rc;

	if (!wcscmp(cmd, L"delete")) {
		err = RegDeleteTreeW(HKEY_LOCAL_MACHINE, name);
		if (err && err != ERROR_FILE_NOT_FOUND) {
			report_error("RegDeleteTreeW", err);
			return 2;
		}
		return 0;
	}
	err = RegOpenKeyExW(HKEY_LOCAL_MACHINE, name, 0,
			    KEY_READ | KEY_WOW64_64KEY, &key);
	if (err == ERROR_FILE_NOT_FOUND)
		return 0;
	if (err) {
		report_error("RegOpenKeyExW", err);
		return 2;
	}
	rc = dump_key(key, path, 0);
	RegCloseKey(key);
	fflush(stdout);
	return rc;
}

/* The entry point -municode links; declared for -Wmissing-prototypes. */
int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
	struct opts o;
	HANDLE event = NULL;
	HKEY key = NULL;
	LSTATUS err;
	int rc = 2;

	if (argc == 4 && !wcscmp(argv[1], L"control"))
		return cmd_control(argv[2], argv[3]);
	if (argc == 3 &&
	    (!wcscmp(argv[1], L"dump") || !wcscmp(argv[1], L"delete")))
		return cmd_tree(argv[1], argv[2]);
	if (parse_args(argc, argv, &o))
		return usage();
	err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, o.key, 0, NULL, 0,
			      KEY_READ | KEY_WRITE | o.view, NULL, &key, NULL);
	if (err) {
		report_error("RegCreateKeyExW", err);
		goto out;
	}
	if (!wcscmp(o.cmd, L"set")) {
		err = RegSetValueExW(key, o.name, 0, REG_DWORD,
				     (const BYTE *)&o.data, sizeof(o.data));
		if (err)
			report_error("RegSetValueExW", err);
		rc = err ? 2 : 0;
		goto out_key;
	}
	event = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (!event) {
		report_error("CreateEventW", (LSTATUS)GetLastError());
		goto out_key;
	}
	if (!wcscmp(o.cmd, L"heal"))
		rc = cmd_heal(key, event, &o);
	else if (!wcscmp(o.cmd, L"fight"))
		rc = cmd_fight(key, event, &o);
	else
		rc = usage();
	CloseHandle(event);
out_key:
	RegCloseKey(key);
out:
	return rc;
}
