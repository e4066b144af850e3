/* minheal: the least a registry watcher can do to heal drift; the baseline
 * of the heal benchmark (bench-heal.sh).
 *
 *   minheal KEY NAME DWORD [--view 32|64] [--count N]
 *
 * KEY is HKLM-relative and is created when missing. minheal arms
 * RegNotifyChangeKeyValue on the key, and on every wake reads NAME and
 * writes DWORD back when the value differs (missing, another type or
 * other data), re-arming after every wake. It prints "minheal: watching"
 * once the first notification is armed and the value holds DWORD, and
 * exits after N writes (--count, 0 = never). Exit codes: 0 done, 2 usage
 * or a registry call failed (the Win32 error text is printed). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

struct opts {
	const wchar_t *key;
	const wchar_t *name;
	DWORD want;
	REGSAM view;
	unsigned long count;
};

/* Prints what failed with the system's text for err. */
static void report_error(const char *what, LSTATUS err)
{
	wchar_t text[512];

	if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
				    FORMAT_MESSAGE_IGNORE_INSERTS,
			    NULL, (DWORD)err, 0, text, 512, NULL))
		swprintf(text, 512, L"error %ld", (long)err);
	fprintf(stderr, "minheal: %s: %ls (%ld)\n", what, text, (long)err);
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

	if (argc < 4 || parse_num(argv[3], &n))
		return -1;
	o->key = argv[1];
	o->name = argv[2];
	o->want = (DWORD)n;
	o->view = KEY_WOW64_64KEY;
	o->count = 0;
	for (i = 4; i + 1 < argc; i += 2) {
		if (parse_num(argv[i + 1], &n))
			return -1;
		if (!wcscmp(argv[i], L"--view") && (n == 32 || n == 64))
			o->view = n == 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
		else if (!wcscmp(argv[i], L"--count"))
			o->count = n;
		else
			return -1;
	}
	return i == argc ? 0 : -1;
}

/* Writes want back when the value is not a REG_DWORD holding it. Returns
 * 1 after a write, 0 when the value was right, -1 on a registry error. */
static int heal(HKEY key, const struct opts *o)
{
	DWORD type = 0, got = 0, size = sizeof(got);
	LSTATUS err;

	err = RegQueryValueExW(key, o->name, NULL, &type, (BYTE *)&got,
			       &size);
	if (err == ERROR_SUCCESS && type == REG_DWORD && size == sizeof(got) &&
	    got == o->want)
		return 0;
	err = RegSetValueExW(key, o->name, 0, REG_DWORD,
			     (const BYTE *)&o->want, sizeof(o->want));
	if (err) {
		report_error("RegSetValueExW", err);
		return -1;
	}
	return 1;
}

/* The entry point -municode links; declared for -Wmissing-prototypes. */
int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
	unsigned long writes = 0;
	HANDLE event = NULL;
	HKEY key = NULL;
	struct opts o;
	LSTATUS err;
	int ready = 0, rc = 2;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr, "usage: minheal KEY NAME DWORD [--view 32|64]"
				" [--count N]\n");
		return 2;
	}
	err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, o.key, 0, NULL, 0,
			      KEY_READ | KEY_WRITE | KEY_NOTIFY | o.view, NULL,
			      &key, NULL);
	if (err) {
		report_error("RegCreateKeyExW", err);
		goto out;
	}
	event = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (!event) {
		report_error("CreateEventW", (LSTATUS)GetLastError());
		goto out_key;
	}
	for (;;) {
		int r;

		/* Armed before the read, so a change landing between the
		 * read and the wait still wakes us. */
		err = RegNotifyChangeKeyValue(key, FALSE,
					      REG_NOTIFY_CHANGE_NAME |
						      REG_NOTIFY_CHANGE_LAST_SET,
					      event, TRUE);
		if (err) {
			report_error("RegNotifyChangeKeyValue", err);
			goto out_event;
		}
		r = heal(key, &o);
		if (r < 0)
			goto out_event;
		/* The first fix-up of a wrong start value is not a heal the
		 * caller counts. */
		if (r && ready)
			writes++;
		if (!ready && !r) {
			ready = 1;
			printf("minheal: watching\n");
			fflush(stdout);
		}
		if (o.count && writes >= o.count)
			break;
		if (WaitForSingleObject(event, INFINITE) != WAIT_OBJECT_0) {
			report_error("WaitForSingleObject",
				     (LSTATUS)GetLastError());
			goto out_event;
		}
	}
	printf("minheal: %lu heals\n", writes);
	fflush(stdout);
	rc = 0;
out_event:
	CloseHandle(event);
out_key:
	RegCloseKey(key);
out:
	return rc;
}
