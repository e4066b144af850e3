/* drift: the drift injector of the Wine benchmarks (bench-wine.sh). It
 * damages registry values the way another agent would and times how long
 * the healer watching them (tlsward, or minheal as the baseline) takes to
 * put them back.
 *
 *   drift LIST value|key|burst|flap [--count N] [--pause MS]
 *         [--timeout MS] [--duration MS] [--rate PER_SECOND]
 *
 * LIST is minheal's format: VIEW<tab>KEY<tab>NAME<tab>DWORD per line, the
 * wanted data. The drift written is 1 where 0 is wanted and 0 otherwise.
 *   value  N times: writes the drift to the first value and waits until it
 *          reads the wanted DWORD again;
 *   key    N times: deletes the key of every value in the list (the values
 *          of one key, so one key is deleted) and waits until every value
 *          is back;
 *   burst  N times: writes the drift to every value at once, and waits
 *          until all read the wanted DWORD again;
 *   flap   rewrites the first value with the drift RATE times a second for
 *          DURATION ms, without waiting for heals (an adversary).
 * Each measured drift prints "drift I: healed in US us", from just before
 * the first write to the moment the last healed value was read back; the
 * waits use RegNotifyChangeKeyValue, so they cost the healer nothing. A
 * pause of --pause ms (default 20) follows each heal. Exit codes: 0 done,
 * 1 a drift was not healed within --timeout ms (default 5000), 2 usage or
 * a registry call failed. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_VALUES 64

struct value {
	REGSAM view;
	wchar_t key[512];
	wchar_t name[128];
	DWORD want;
};

static struct value vals[MAX_VALUES];
static int nvals;
static LARGE_INTEGER freq;

static void report_error(const char *what, LSTATUS err)
{
	wchar_t text[512];

	if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
				    FORMAT_MESSAGE_IGNORE_INSERTS,
			    NULL, (DWORD)err, 0, text, 512, NULL))
		swprintf(text, 512, L"error %ld", (long)err);
	fprintf(stderr, "drift: %s: %ls (%ld)\n", what, text, (long)err);
}

static double now_us(void)
{
	LARGE_INTEGER t;

	QueryPerformanceCounter(&t);
	return (double)t.QuadPart * 1e6 / (double)freq.QuadPart;
}

static int read_list(const wchar_t *path)
{
	char line[1024];
	FILE *f = _wfopen(path, L"r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f) && nvals < MAX_VALUES) {
		char *view = strtok(line, "\t\r\n"), *key = strtok(NULL, "\t\r\n");
		char *name = strtok(NULL, "\t\r\n"), *dw = strtok(NULL, "\t\r\n");
		struct value *v = &vals[nvals];

		if (!view)
			continue;
		if (!key || !name || !dw) {
			fclose(f);
			return -1;
		}
		v->view = atoi(view) == 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
		MultiByteToWideChar(CP_UTF8, 0, key, -1, v->key, 512);
		MultiByteToWideChar(CP_UTF8, 0, name, -1, v->name, 128);
		v->want = (DWORD)strtoul(dw, NULL, 0);
		nvals++;
	}
	fclose(f);
	return nvals ? 0 : -1;
}

/* 1 when the value reads its wanted DWORD, 0 when not (or absent). */
static int holds(const struct value *v)
{
	DWORD type = 0, got = 0, size = sizeof(got);
	HKEY key;
	LSTATUS err;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, v->key, 0,
			  KEY_QUERY_VALUE | v->view, &key))
		return 0;
	err = RegQueryValueExW(key, v->name, NULL, &type, (BYTE *)&got,
			       &size);
	RegCloseKey(key);
	return err == ERROR_SUCCESS && type == REG_DWORD &&
	       size == sizeof(got) && got == v->want;
}

static LSTATUS write_drift(const struct value *v)
{
	DWORD bad = v->want == 0 ? 1 : 0;
	HKEY key;
	LSTATUS err;

	err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, v->key, 0, NULL, 0,
			      KEY_SET_VALUE | v->view, NULL, &key, NULL);
	if (err)
		return err;
	err = RegSetValueExW(key, v->name, 0, REG_DWORD, (const BYTE *)&bad,
			     sizeof bad);
	RegCloseKey(key);
	return err;
}

/* Opens (for KEY_NOTIFY) the key of v, or its parent, into *out. */
static LSTATUS open_watch(const struct value *v, int parent, HKEY *out)
{
	wchar_t path[512];
	wchar_t *cut;

	wcscpy(path, v->key);
	cut = wcsrchr(path, L'\\');
	if (parent && cut)
		*cut = 0;
	return RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_NOTIFY | v->view,
			     out);
}

/* Waits until every value in [first, first + n) holds, re-arming watches
 * on each one's key (or its parent with the subtree). Returns 0, or 1 on
 * timeout. The watches are armed by the caller before the damage. */
static int wait_healed(HKEY *w, HANDLE *ev, int first, int n, int parent,
		       double deadline)
{
	for (;;) {
		int ok = 1;

		for (int i = first; i < first + n && ok; i++)
			ok = holds(&vals[i]);
		if (ok)
			return 0;
		if (now_us() > deadline)
			return 1;
		/* The short timeout only guards against a lost wake. */
		WaitForMultipleObjects((DWORD)n, ev + first, FALSE, 2);
		for (int i = first; i < first + n; i++)
			RegNotifyChangeKeyValue(w[i], parent,
						REG_NOTIFY_CHANGE_NAME |
							REG_NOTIFY_CHANGE_LAST_SET,
						ev[i], TRUE);
	}
}

int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
	unsigned long count = 1, pause = 20, timeout = 5000, duration = 10000,
		      rate = 1000;
	static HKEY w[MAX_VALUES];
	static HANDLE ev[MAX_VALUES];
	const wchar_t *mode;
	int parent, n;

	QueryPerformanceFrequency(&freq);
	for (int i = 3; i < argc; i++) {
		unsigned long *p = NULL;

		if (!wcscmp(argv[i], L"--count"))
			p = &count;
		else if (!wcscmp(argv[i], L"--pause"))
			p = &pause;
		else if (!wcscmp(argv[i], L"--timeout"))
			p = &timeout;
		else if (!wcscmp(argv[i], L"--duration"))
			p = &duration;
		else if (!wcscmp(argv[i], L"--rate"))
			p = &rate;
		if (!p || i + 1 >= argc)
			argc = 0;
		else
			*p = wcstoul(argv[++i], NULL, 0);
	}
	if (argc < 3 || read_list(argv[1])) {
		fprintf(stderr, "usage: drift LIST value|key|burst|flap "
				"[--count N] [--pause MS] [--timeout MS] "
				"[--duration MS] [--rate N]\n");
		return 2;
	}
	mode = argv[2];
	if (!wcscmp(mode, L"flap")) {
		double t0 = now_us(), step = 1e6 / (double)(rate ? rate : 1);
		unsigned long writes = 0;

		while (now_us() - t0 < (double)duration * 1e3) {
			LSTATUS err = write_drift(&vals[0]);

			if (err) {
				report_error("RegSetValueExW", err);
				return 2;
			}
			writes++;
			while (now_us() < t0 + step * (double)writes)
				Sleep(0);
		}
		printf("flap: %lu writes in %.0f ms\n", writes,
		       (now_us() - t0) / 1e3);
		return 0;
	}
	parent = !wcscmp(mode, L"key");
	n = !wcscmp(mode, L"burst") || parent ? nvals : 1;
	if (!parent && n == 1 && wcscmp(mode, L"value") && wcscmp(mode, L"burst"))
		return 2;
	for (int i = 0; i < n; i++) {
		LSTATUS err = open_watch(&vals[i], parent, &w[i]);

		if (err) {
			report_error("RegOpenKeyExW", err);
			return 2;
		}
		ev[i] = CreateEventW(NULL, FALSE, FALSE, NULL);
	}
	for (unsigned long d = 1; d <= count; d++) {
		double t0, t1;

		for (int i = 0; i < n; i++)
			RegNotifyChangeKeyValue(w[i], parent,
						REG_NOTIFY_CHANGE_NAME |
							REG_NOTIFY_CHANGE_LAST_SET,
						ev[i], TRUE);
		t0 = now_us();
		for (int i = 0; i < n; i++) {
			LSTATUS err = ERROR_SUCCESS;
			int seen = 0;

			/* A key is deleted once, with every value in it. */
			for (int k = 0; parent && k < i && !seen; k++)
				seen = vals[k].view == vals[i].view &&
				       !_wcsicmp(vals[k].key, vals[i].key);
			if (!seen)
				err = parent ? RegDeleteKeyExW(HKEY_LOCAL_MACHINE,
							       vals[i].key,
							       vals[i].view, 0)
					     : write_drift(&vals[i]);
			if (err) {
				report_error(parent ? "RegDeleteKeyExW"
						    : "RegSetValueExW",
					     err);
				return 2;
			}
		}
		if (wait_healed(w, ev, 0, n, parent,
				t0 + (double)timeout * 1e3)) {
			int wrong = 0;

			for (int i = 0; i < n; i++)
				wrong += !holds(&vals[i]);
			printf("drift %lu: not healed within %lu ms: %d of %d "
			       "values still drifted\n",
			       d, timeout, wrong, n);
			return 1;
		}
		t1 = now_us();
		printf("drift %lu: healed in %.0f us\n", d, t1 - t0);
		fflush(stdout);
		Sleep(pause);
	}
	return 0;
}
