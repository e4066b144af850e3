/* minheal: the least a registry watcher can do to heal drift; the baseline
 * of the Wine benchmarks (bench-wine.sh).
 *
 *   minheal LIST [--count N] [--parent]
 *
 * LIST is a text file, one value a line: VIEW<tab>KEY<tab>NAME<tab>DWORD,
 * VIEW 32 or 64, KEY HKLM-relative. Keys are created when missing. minheal
 * arms RegNotifyChangeKeyValue on each key (with --parent, on the key's
 * parent and its subtree, so that a deleted key is seen), waits for any of
 * them, and on every wake re-arms the watch that woke, then re-creates
 * each key, reads its values and writes back each one that is not the
 * wanted DWORD. It
 * prints "minheal: watching" once every watch is armed and every value
 * holds, and exits after N writes (--count, 0 = never), printing how many
 * it made. Exit codes: 0 done, 2 usage or a registry call failed (the
 * Win32 error text is printed). */
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
	int group; /* index of the first value with the same view and key */
};

struct state {
	struct value v[MAX_VALUES];
	int n;
	HANDLE event[MAX_VALUES]; /* per group (indexed by its first value) */
	HKEY watched[MAX_VALUES];
	int parent;
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

/* Reads LIST into s; returns 0 or -1 with a message. */
static int read_list(const wchar_t *path, struct state *s)
{
	char line[1024];
	FILE *f = _wfopen(path, L"r");

	if (!f) {
		fprintf(stderr, "minheal: cannot open %ls\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *view = strtok(line, "\t\r\n"), *key = strtok(NULL, "\t\r\n");
		char *name = strtok(NULL, "\t\r\n"), *dw = strtok(NULL, "\t\r\n");
		struct value *v = &s->v[s->n];

		if (!view)
			continue;
		if (!key || !name || !dw || s->n == MAX_VALUES) {
			fprintf(stderr, "minheal: %ls: bad line %d\n", path,
				s->n + 1);
			fclose(f);
			return -1;
		}
		v->view = atoi(view) == 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
		MultiByteToWideChar(CP_UTF8, 0, key, -1, v->key, 512);
		MultiByteToWideChar(CP_UTF8, 0, name, -1, v->name, 128);
		v->want = (DWORD)strtoul(dw, NULL, 0);
		v->group = s->n;
		for (int i = 0; i < s->n; i++)
			if (s->v[i].view == v->view &&
			    !_wcsicmp(s->v[i].key, v->key)) {
				v->group = s->v[i].group;
				break;
			}
		s->n++;
	}
	fclose(f);
	return s->n ? 0 : -1;
}

/* Heals every value of group g; returns the writes made, or -1. */
static int heal_group(struct state *s, int g)
{
	HKEY key = NULL;
	LSTATUS err;
	int writes = 0;

	err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, s->v[g].key, 0, NULL, 0,
			      KEY_READ | KEY_WRITE | s->v[g].view, NULL, &key,
			      NULL);
	if (err) {
		report_error("RegCreateKeyExW", err);
		return -1;
	}
	for (int i = 0; i < s->n; i++) {
		DWORD type = 0, got = 0, size = sizeof(got);

		if (s->v[i].group != g)
			continue;
		err = RegQueryValueExW(key, s->v[i].name, NULL, &type,
				       (BYTE *)&got, &size);
		if (err == ERROR_SUCCESS && type == REG_DWORD &&
		    size == sizeof(got) && got == s->v[i].want)
			continue;
		err = RegSetValueExW(key, s->v[i].name, 0, REG_DWORD,
				     (const BYTE *)&s->v[i].want,
				     sizeof(s->v[i].want));
		if (err) {
			report_error("RegSetValueExW", err);
			RegCloseKey(key);
			return -1;
		}
		writes++;
	}
	RegCloseKey(key);
	return writes;
}

/* Arms group g's notification; returns 0 or -1. */
static int arm(struct state *s, int g)
{
	LSTATUS err;

	if (!s->watched[g]) {
		wchar_t path[512];
		wchar_t *cut;

		wcscpy(path, s->v[g].key);
		cut = wcsrchr(path, L'\\');
		if (s->parent && cut)
			*cut = 0;
		err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, 0,
				      KEY_NOTIFY | s->v[g].view, NULL,
				      &s->watched[g], NULL);
		if (err) {
			report_error("RegCreateKeyExW", err);
			return -1;
		}
	}
	/* Armed before the read, so a change landing between the read and
	 * the wait still wakes us. */
	err = RegNotifyChangeKeyValue(s->watched[g], s->parent,
				      REG_NOTIFY_CHANGE_NAME |
					      REG_NOTIFY_CHANGE_LAST_SET,
				      s->event[g], TRUE);
	if (err) {
		report_error("RegNotifyChangeKeyValue", err);
		return -1;
	}
	return 0;
}

/* The entry point -municode links; declared for -Wmissing-prototypes. */
int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
	static struct state s;
	HANDLE waits[MAX_VALUES];
	int group_of[MAX_VALUES], ngroups = 0;
	unsigned long writes = 0;
	int rc = 2;

	for (int i = 2; i < argc; i++) {
		if (!wcscmp(argv[i], L"--parent"))
			s.parent = 1;
		else if (!wcscmp(argv[i], L"--count") && i + 1 < argc)
			s.count = wcstoul(argv[++i], NULL, 0);
		else
			argc = 0;
	}
	if (argc < 2 || read_list(argv[1], &s)) {
		fprintf(stderr,
			"usage: minheal LIST [--count N] [--parent]\n");
		return 2;
	}
	for (int i = 0; i < s.n; i++) {
		if (s.v[i].group != i)
			continue;
		s.event[i] = CreateEventW(NULL, FALSE, FALSE, NULL);
		if (!s.event[i] || arm(&s, i) || heal_group(&s, i) < 0)
			goto out;
		waits[ngroups] = s.event[i];
		group_of[ngroups++] = i;
	}
	printf("minheal: watching %d values in %d keys\n", s.n, ngroups);
	fflush(stdout);
	while (!s.count || writes < s.count) {
		DWORD w = WaitForMultipleObjects((DWORD)ngroups, waits, FALSE,
						 INFINITE);
		int g, r;

		if (w >= WAIT_OBJECT_0 + (DWORD)ngroups) {
			report_error("WaitForMultipleObjects",
				     (LSTATUS)GetLastError());
			goto out;
		}
		g = group_of[w - WAIT_OBJECT_0];
		if (s.parent && s.watched[g]) {
			/* A deleted parent would leave a dead handle. */
			RegCloseKey(s.watched[g]);
			s.watched[g] = NULL;
		}
		if (arm(&s, g))
			goto out;
		/* Every key is read on any wake: a burst that lands on several
		 * keys while one is being healed is caught by that wake. */
		for (int i = 0; i < ngroups; i++) {
			r = heal_group(&s, group_of[i]);
			if (r < 0)
				goto out;
			writes += (unsigned long)r;
		}
	}
	rc = 0;
out:
	printf("minheal: %lu heals\n", writes);
	fflush(stdout);
	for (int i = 0; i < s.n; i++) {
		if (s.watched[i])
			RegCloseKey(s.watched[i]);
		if (s.event[i])
			CloseHandle(s.event[i]);
	}
	return rc;
}
