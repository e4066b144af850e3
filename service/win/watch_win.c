/* tlsward: registry change notifications on the managed keys. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch_win.h"
#include "wstr.h"
#include "settings.h"

#define PATH_MAX_UTF8 512

struct watch_entry {
	char path[PATH_MAX_UTF8]; /* the key this watch is for */
	char at[PATH_MAX_UTF8];   /* the key watched now: path or a parent */
	REGSAM view;              /* KEY_WOW64_64KEY or KEY_WOW64_32KEY */
	unsigned kind;
	int subtree;
	HKEY key;
	HANDLE event; /* manual-reset, so the loop's wait leaves it set */
	int fail_reported; /* the last failure was reported */
};

struct tlsr_watch {
	struct watch_entry *e;
	size_t n;
	tlsr_watch_fail_fn fail;
	void *ctx;
};

/* Length of the common leading path components of a and b. */
static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0, last = 0;

	for (;; i++) {
		char ca = a[i], cb = b[i];

		if ((ca == '\0' || ca == '\\') && (cb == '\0' || cb == '\\')) {
			last = i;
			if (ca == '\0' || cb == '\0')
				break;
			continue;
		}
		if (ca == '\0' || cb == '\0')
			break;
		if (ca >= 'A' && ca <= 'Z')
			ca = (char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (char)(cb - 'A' + 'a');
		if (ca != cb)
			break;
	}
	return last;
}

/* Adds a watch unless one for the same key and view exists; -1 when out
 * of memory. */
static int add_entry(struct tlsr_watch *w, const char *path, REGSAM view,
		     unsigned kind, int subtree)
{
	struct watch_entry *e;
	size_t i;

	for (i = 0; i < w->n; i++)
		if (_stricmp(w->e[i].path, path) == 0 && w->e[i].view == view)
			return 0;
	e = realloc(w->e, (w->n + 1) * sizeof *e);
	if (e == NULL)
		return -1;
	w->e = e;
	e = &w->e[w->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->path, sizeof e->path, "%s", path);
	e->view = view;
	e->kind = kind;
	e->subtree = subtree;
	return 0;
}

/* One watch per component and view, on the deepest key that holds all of
 * that component's keys: the SChannel protocol keys share ...\Protocols,
 * the .NET keys ...\.NETFramework. So the number of handles stays small
 * however many rows the table grows. */
static int plan_entries(struct tlsr_watch *w)
{
	static const REGSAM views[2] = {KEY_WOW64_64KEY, KEY_WOW64_32KEY};
	int c, v;
	size_t i;

	for (c = 0; c < TLSR_COMP_COUNT; c++) {
		for (v = 0; v < 2; v++) {
			char root[PATH_MAX_UTF8] = "";
			int any = 0;

			for (i = 0; i < tlsr_settings_count; i++) {
				const struct tlsr_setting *s = &tlsr_settings[i];

				if ((int)s->component != c)
					continue;
				if (v == 1 && s->views != TLSR_VIEWS_BOTH)
					continue;
				if (!any) {
					snprintf(root, sizeof root, "%s",
						 s->key);
					any = 1;
				} else {
					root[common_prefix(root, s->key)] =
						'\0';
				}
			}
			if (any && add_entry(w, root, views[v],
					     TLSR_WATCH_MANAGED, 1) != 0)
				return -1;
		}
	}
	return add_entry(w, TLSR_KEY_PARAMETERS, KEY_WOW64_64KEY,
			 TLSR_WATCH_PARAMETERS, 0);
}

/* Reports a watch that could not be armed, once until it can be. */
static void arm_failed(struct tlsr_watch *w, struct watch_entry *e,
		       const char *at, LSTATUS rc)
{
	char text[300];

	if (e->fail_reported || w->fail == NULL)
		return;
	e->fail_reported = 1;
	tlsr_win_errtext((DWORD)rc, text, sizeof text);
	w->fail(w->ctx, at, text);
}

/* Opens the entry's key, or its nearest existing parent, and arms the
 * notification. A parent is watched for new subkeys only, so unrelated
 * writes below it do not wake the loop. */
static void arm(struct tlsr_watch *w, struct watch_entry *e)
{
	char at[PATH_MAX_UTF8];
	wchar_t *wpath;
	LSTATUS rc;
	HKEY key = NULL;
	int on_key;

	if (e->key != NULL) {
		RegCloseKey(e->key);
		e->key = NULL;
	}
	snprintf(at, sizeof at, "%s", e->path);
	for (;;) {
		wpath = tlsr_win_wide(at);
		if (wpath == NULL) {
			arm_failed(w, e, at, ERROR_NOT_ENOUGH_MEMORY);
			return;
		}
		rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wpath, 0,
				   KEY_NOTIFY | e->view, &key);
		free(wpath);
		if (rc == ERROR_SUCCESS)
			break;
		char *slash = strrchr(at, '\\');

		if (slash == NULL) {
			at[0] = '\0';
			key = NULL;
			rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, NULL, 0,
					   KEY_NOTIFY | e->view, &key);
			if (rc != ERROR_SUCCESS) {
				arm_failed(w, e, e->path, rc);
				return;
			}
			break;
		}
		*slash = '\0';
	}
	on_key = _stricmp(at, e->path) == 0;
	snprintf(e->at, sizeof e->at, "%s", at);
	ResetEvent(e->event);
	rc = RegNotifyChangeKeyValue(
		key, on_key && e->subtree ? TRUE : FALSE,
		REG_NOTIFY_CHANGE_NAME |
			(on_key ? REG_NOTIFY_CHANGE_LAST_SET : 0),
		e->event, TRUE);
	if (rc != ERROR_SUCCESS) {
		RegCloseKey(key);
		arm_failed(w, e, at, rc);
		return;
	}
	e->key = key;
	e->fail_reported = 0;
}

tlsr_err tlsr_watch_open(tlsr_watch_fail_fn fail, void *ctx,
			 struct tlsr_watch **out)
{
	struct tlsr_watch *w;
	size_t i;

	w = calloc(1, sizeof *w);
	if (w == NULL)
		return TLSR_ENOMEM;
	w->fail = fail;
	w->ctx = ctx;
	if (plan_entries(w) != 0) {
		tlsr_watch_close(w);
		return TLSR_ENOMEM;
	}
	for (i = 0; i < w->n; i++) {
		w->e[i].event = CreateEventW(NULL, TRUE, FALSE, NULL);
		if (w->e[i].event == NULL) {
			arm_failed(w, &w->e[i], w->e[i].path,
				   (LSTATUS)GetLastError());
			tlsr_watch_close(w);
			return TLSR_ESYSTEM;
		}
		arm(w, &w->e[i]);
	}
	*out = w;
	return TLSR_OK;
}

size_t tlsr_watch_count(const struct tlsr_watch *w)
{
	return w ? w->n : 0;
}

size_t tlsr_watch_events(const struct tlsr_watch *w, HANDLE *out,
			 size_t max)
{
	size_t i;

	for (i = 0; i < w->n && i < max; i++)
		out[i] = w->e[i].event;
	return i;
}

/* Marks in *set the entries whose event is signalled (bit i: entry i).
 * Each wait names the lowest signalled event from start on, so k fired
 * watches cost k + 1 waits, each a round trip to wineserver under Wine,
 * not one per watch. */
static unsigned signalled(const struct tlsr_watch *w)
{
	HANDLE h[MAXIMUM_WAIT_OBJECTS];
	size_t i, n = w->n < MAXIMUM_WAIT_OBJECTS ? w->n : MAXIMUM_WAIT_OBJECTS;
	unsigned set = 0;
	DWORD r;

	for (i = 0; i < n; i++)
		h[i] = w->e[i].event;
	for (i = 0; i < n;) {
		r = WaitForMultipleObjects((DWORD)(n - i), h + i, FALSE, 0);
		if (r >= WAIT_OBJECT_0 + (DWORD)(n - i))
			break;
		i += r - WAIT_OBJECT_0;
		set |= 1u << i;
		i++;
	}
	return set;
}

unsigned tlsr_watch_rearm(struct tlsr_watch *w, unsigned *entries)
{
	unsigned fired = 0, which = 0, set = signalled(w);
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct watch_entry *e = &w->e[i];
		LSTATUS rc = ERROR_INVALID_HANDLE;
		int was_on;

		if (e->key == NULL) {
			arm(w, e);
			continue;
		}
		if (i >= 32 || !(set & (1u << i)))
			continue;
		was_on = _stricmp(e->at, e->path) == 0;
		/* Re-arming the open key is the fast path; a deleted key
		 * refuses it and a parent must look for the key again. */
		if (was_on) {
			ResetEvent(e->event);
			rc = RegNotifyChangeKeyValue(
				e->key, e->subtree ? TRUE : FALSE,
				REG_NOTIFY_CHANGE_NAME |
					REG_NOTIFY_CHANGE_LAST_SET,
				e->event, TRUE);
		}
		if (rc != ERROR_SUCCESS)
			arm(w, e);
		/* A subkey that appeared under a parent without bringing the
		 * key itself changes no value tlsward looks at. */
		if (was_on || _stricmp(e->at, e->path) == 0) {
			fired |= e->kind;
			which |= 1u << i;
		}
	}
	if (entries != NULL)
		*entries = which;
	return fired;
}

int tlsr_watch_entry_for(const struct tlsr_watch *w, const char *path,
			 enum tlsr_view view)
{
	REGSAM sam = view == TLSR_VIEW_32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
	size_t i, len;

	for (i = 0; i < w->n; i++) {
		const struct watch_entry *e = &w->e[i];

		if (e->kind != TLSR_WATCH_MANAGED || e->view != sam)
			continue;
		len = strlen(e->path);
		if (_strnicmp(path, e->path, len) == 0 &&
		    (path[len] == '\\' || path[len] == '\0'))
			return (int)i;
	}
	return -1;
}

void tlsr_watch_describe(const struct tlsr_watch *w)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		const struct watch_entry *e = &w->e[i];

		int on_key = _stricmp(e->at, e->path) == 0;

		fprintf(stderr, "tlsward: watching HKLM\\%s (%s view%s)%s%s%s\n",
			e->at, e->view == KEY_WOW64_32KEY ? "32-bit" : "64-bit",
			on_key && e->subtree ? ", subtree" : "",
			on_key ? "" : " for HKLM\\", on_key ? "" : e->path,
			e->key == NULL ? " (not armed)" : "");
	}
}

void tlsr_watch_close(struct tlsr_watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		if (w->e[i].key != NULL)
			RegCloseKey(w->e[i].key);
		if (w->e[i].event != NULL)
			CloseHandle(w->e[i].event);
	}
	free(w->e);
	free(w);
}
