/* tlsward: the live Windows registry behind the registry function table.
 * Everything below HKEY_LOCAL_MACHINE, UTF-8 outside and UTF-16 towards
 * the Reg* API. */
#include "registry_win32.h"
#include "wstr.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* A value read during a run of reads, or the status that found it
 * absent. */
struct kept_value {
	struct kept_value *next;
	char *name;
	LSTATUS st; /* ERROR_SUCCESS, or ERROR_FILE_NOT_FOUND */
	DWORD type;
	DWORD size;
	BYTE *data;
};

/* A key kept open during a run of reads (ops->batch): its handle, or the
 * status of the open that found it absent, and the values read through
 * it. */
struct kept {
	struct kept *next;
	char *path;
	REGSAM view;
	HKEY hkey;     /* NULL when absent */
	LSTATUS st;    /* ERROR_SUCCESS, or ERROR_FILE_NOT_FOUND */
	unsigned refs; /* keys handed out on it and not yet closed */
	int detached;  /* forgotten: serves nothing, closed with its last key */
	struct kept_value *values;
};

struct w32 {
	struct tlsr_registry reg;
	struct tlsr_reg_counts calls; /* Reg* API calls made */
	unsigned batch;		      /* depth of the runs of reads */
	struct kept *kept;	      /* kept while batch > 0 */
	struct kept *detached;	      /* forgotten, still held by a key */
};

struct tlsr_key {
	HKEY hkey;
	REGSAM view;
	char *path;
	struct kept *kept; /* NULL: the key owns hkey */
};

static struct w32 *w32_of(struct tlsr_registry *reg)
{
	return reg->impl;
}

/* The Reg* calls, counted. */
static LSTATUS open_counted(struct w32 *w, const WCHAR *wpath, REGSAM sam,
			    HKEY *out)
{
	w->calls.open++;
	return RegOpenKeyExW(HKEY_LOCAL_MACHINE, wpath, 0, sam, out);
}

static void close_counted(struct w32 *w, HKEY hkey)
{
	w->calls.close++;
	RegCloseKey(hkey);
}

static void free_values(struct kept *k)
{
	while (k->values != NULL) {
		struct kept_value *v = k->values;

		k->values = v->next;
		free(v->name);
		free(v->data);
		free(v);
	}
}

/* Closes a kept key's handle and frees it. */
static void free_kept(struct w32 *w, struct kept *k)
{
	free_values(k);
	if (k->hkey != NULL)
		close_counted(w, k->hkey);
	free(k->path);
	free(k);
}

/* Forgets every kept key and value: keys no key holds are closed now, the
 * others when their last key is. */
static void forget(struct w32 *w)
{
	while (w->kept != NULL) {
		struct kept *k = w->kept;

		w->kept = k->next;
		if (k->refs > 0) {
			free_values(k);
			k->detached = 1;
			k->next = w->detached;
			w->detached = k;
			continue;
		}
		free_kept(w, k);
	}
}

/* Whether a kept key ends: closed when forgotten and its last key is. */
static void release(struct w32 *w, struct kept *k)
{
	struct kept **p;

	if (--k->refs > 0)
		return;
	for (p = &w->detached; *p != NULL; p = &(*p)->next) {
		if (*p == k) {
			*p = k->next;
			free_kept(w, k);
			return;
		}
	}
}

static struct kept *find_kept(struct w32 *w, const char *path, REGSAM view)
{
	for (struct kept *k = w->kept; k != NULL; k = k->next)
		if (k->view == view && strcmp(k->path, path) == 0)
			return k;
	return NULL;
}

/* Keeps the outcome of an open (a handle, or absent); NULL when out of
 * memory, and the open then stands alone. */
static struct kept *keep(struct w32 *w, const char *path, REGSAM view,
			 HKEY hkey, LSTATUS st)
{
	struct kept *k = calloc(1, sizeof *k);

	if (k == NULL)
		return NULL;
	k->path = malloc(strlen(path) + 1);
	if (k->path == NULL) {
		free(k);
		return NULL;
	}
	strcpy(k->path, path);
	k->view = view;
	k->hkey = hkey;
	k->st = st;
	k->next = w->kept;
	w->kept = k;
	return k;
}

/* Longest key name is 255 UTF-16 units, longest value name 16383. */
#define KEY_NAME_CCH 256
#define VALUE_NAME_CCH 16384
/* Value data read in one call; a longer value takes a second at its
 * size. */
#define SMALL_VALUE 512

/* Records a failed Reg* call: what was done to which key and value. */
static tlsr_err fail(struct tlsr_registry *reg, LSTATUS st, const char *what,
		     const char *path, const char *name)
{
	char text[160];

	tlsr_win_systext((DWORD)st, text, sizeof text);
	if (name != NULL)
		return tlsr_reg_fail(reg, tlsr_win_map_error((DWORD)st, TLSR_ESYSTEM), (long)st,
				     "%s HKLM\\%s value \"%s\": %s", what,
				     path, name, text);
	return tlsr_reg_fail(reg, tlsr_win_map_error((DWORD)st, TLSR_ESYSTEM), (long)st, "%s HKLM\\%s: %s",
			     what, path, text);
}

/* UTF-8 to a malloc'd UTF-16 string. */
static tlsr_err widen(struct tlsr_registry *reg, const char *s, WCHAR **out)
{
	int n;

	*out = NULL;
	n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return tlsr_reg_fail(reg, TLSR_EINVAL, (long)GetLastError(),
				     "name is not valid UTF-8");
	*out = malloc((size_t)n * sizeof **out);
	if (*out == NULL)
		return tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, *out, n);
	return TLSR_OK;
}

/* A UTF-16 name of len units into buf as UTF-8 with its NUL. */
static tlsr_err narrow(struct tlsr_registry *reg, const WCHAR *w, DWORD len,
		       char *buf, size_t size)
{
	int need = WideCharToMultiByte(CP_UTF8, 0, w, (int)len, NULL, 0, NULL,
				       NULL);

	if (len > 0 && need <= 0)
		return tlsr_reg_fail(reg, TLSR_ESYSTEM, (long)GetLastError(),
				     "name cannot be converted to UTF-8");
	if (buf == NULL || (size_t)need + 1 > size)
		return tlsr_reg_fail(reg, TLSR_ERANGE, 0,
				     "name of %d bytes does not fit in %lu",
				     need, (unsigned long)size);
	if (len > 0)
		WideCharToMultiByte(CP_UTF8, 0, w, (int)len, buf, need, NULL,
				    NULL);
	buf[need] = '\0';
	return TLSR_OK;
}

/* The same rules as the other backends: "" is HKLM itself, otherwise
 * non-empty components of bounded length, no trailing separator. */
static tlsr_err check_path(struct tlsr_registry *reg, const char *path,
			   enum tlsr_view view, REGSAM *sam)
{
	const char *p = path;

	if (path == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no key path given");
	switch (view) {
	case TLSR_VIEW_32:
		*sam = KEY_WOW64_32KEY;
		break;
	case TLSR_VIEW_64:
	case TLSR_VIEW_NONE:
		*sam = KEY_WOW64_64KEY;
		break;
	default:
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "bad view %d",
				     (int)view);
	}
	while (*p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0 || len > TLSR_REG_NAME_MAX ||
		    (end && end[1] == '\0'))
			return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
					     "bad key path \"%s\"", path);
		p += len;
		if (*p == '\\')
			p++;
	}
	return TLSR_OK;
}

static tlsr_err check_key(struct tlsr_registry *reg, struct tlsr_key *key,
			  const char *name)
{
	if (key == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no key given");
	if (name != NULL && strlen(name) > TLSR_REG_NAME_MAX)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				     "value name longer than %d bytes",
				     TLSR_REG_NAME_MAX);
	return TLSR_OK;
}

/* A kept key deleted since it was opened (by another program, during a
 * run of reads) is opened afresh, as an open outside the run would have
 * been: the key gets a handle of its own. Returns that open's status. */
static LSTATUS reopen(struct w32 *w, struct tlsr_key *key)
{
	WCHAR *wpath = NULL;
	HKEY hkey = NULL;
	LSTATUS st;

	if (widen(&w->reg, key->path, &wpath) != TLSR_OK)
		return ERROR_OUTOFMEMORY;
	forget(w);
	st = open_counted(w, wpath, KEY_READ | KEY_WRITE | key->view, &hkey);
	if (st == ERROR_ACCESS_DENIED)
		st = open_counted(w, wpath, KEY_READ | key->view, &hkey);
	free(wpath);
	if (st != ERROR_SUCCESS)
		return st;
	release(w, key->kept);
	key->kept = NULL;
	key->hkey = hkey;
	return ERROR_SUCCESS;
}

static tlsr_err w32_open_key(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, int create,
			     struct tlsr_key **out)
{
	struct w32 *w = w32_of(reg);
	struct tlsr_key *key = NULL;
	struct kept *k = NULL;
	WCHAR *wpath = NULL;
	HKEY hkey = NULL;
	REGSAM sam;
	LSTATUS st;
	tlsr_err err;

	if (out == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no key given");
	*out = NULL;
	err = check_path(reg, path, view, &sam);
	if (err != TLSR_OK)
		return err;
	/* A creation may make a key that was found absent. */
	if (create)
		forget(w);
	else if (w->batch > 0)
		k = find_kept(w, path, sam);
	if (k != NULL) {
		st = k->st;
		hkey = k->hkey;
		goto opened;
	}
	err = widen(reg, path, &wpath);
	if (err != TLSR_OK)
		return err;
	if (create) {
		w->calls.open++;
		st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, wpath, 0, NULL,
				     REG_OPTION_NON_VOLATILE,
				     KEY_READ | KEY_WRITE | sam, NULL, &hkey,
				     NULL);
	} else {
		st = open_counted(w, wpath, KEY_READ | KEY_WRITE | sam, &hkey);
		/* Reading needs no more than read access; writes through
		 * this key then fail with access denied where they happen. */
		if (st == ERROR_ACCESS_DENIED)
			st = open_counted(w, wpath, KEY_READ | sam, &hkey);
		if (w->batch > 0 &&
		    (st == ERROR_SUCCESS || st == ERROR_FILE_NOT_FOUND))
			k = keep(w, path, sam, st == ERROR_SUCCESS ? hkey : NULL,
				 st);
	}
	free(wpath);
opened:
	if (st != ERROR_SUCCESS)
		return fail(reg, st, create ? "cannot create" : "cannot open",
			    path, NULL);
	key = calloc(1, sizeof *key);
	if (key == NULL)
		goto out_nomem;
	key->path = malloc(strlen(path) + 1);
	if (key->path == NULL)
		goto out_nomem;
	strcpy(key->path, path);
	key->hkey = hkey;
	key->view = sam;
	key->kept = k;
	if (k != NULL)
		k->refs++;
	*out = key;
	return TLSR_OK;

out_nomem:
	err = tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	free(key);
	if (k == NULL)
		close_counted(w, hkey);
	return err;
}

static void w32_close_key(struct tlsr_registry *reg, struct tlsr_key *key)
{
	struct w32 *w = w32_of(reg);

	if (key == NULL)
		return;
	if (key->kept != NULL)
		release(w, key->kept);
	else
		close_counted(w, key->hkey);
	free(key->path);
	free(key);
}

/* Reads a value into *data (malloc'd, size + 1 bytes): one call for what
 * a check reads (a DWORD, a short string), a second at the size a longer
 * value reported. ERROR_NOT_ENOUGH_MEMORY when out of memory. */
static LSTATUS read_value(struct w32 *w, struct tlsr_key *key,
			  const WCHAR *wname, DWORD *type, BYTE **data,
			  DWORD *size)
{
	BYTE small[SMALL_VALUE], *buf = NULL;
	DWORD want = 0, got;
	LSTATUS st;

	*data = NULL;
	for (int again = key->kept != NULL;; again = 0) {
		got = sizeof small;
		w->calls.query++;
		st = RegQueryValueExW(key->hkey, wname, NULL, type, small,
				      &got);
		if (st != ERROR_KEY_DELETED || !again)
			break;
		st = reopen(w, key);
		if (st != ERROR_SUCCESS)
			return st;
	}
	if (st == ERROR_SUCCESS) {
		*data = malloc((size_t)got + 1);
		if (*data == NULL)
			return ERROR_NOT_ENOUGH_MEMORY;
		memcpy(*data, small, got);
		*size = got;
		return ERROR_SUCCESS;
	}
	if (st != ERROR_MORE_DATA)
		return st;
	/* The value may grow between asking its size and reading it. */
	want = got;
	for (int tries = 0; tries < 8; tries++) {
		BYTE *more = realloc(buf, (size_t)want + 1);

		if (more == NULL) {
			free(buf);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
		buf = more;
		got = want;
		w->calls.query++;
		st = RegQueryValueExW(key->hkey, wname, NULL, type, buf, &got);
		if (st == ERROR_MORE_DATA) {
			want = got;
			continue;
		}
		if (st == ERROR_SUCCESS) {
			*data = buf;
			*size = got;
			return ERROR_SUCCESS;
		}
		break;
	}
	free(buf);
	return st == ERROR_SUCCESS ? ERROR_MORE_DATA : st;
}

static struct kept_value *find_value(const struct kept *k, const char *name)
{
	for (struct kept_value *v = k->values; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* Keeps a value read during a run (its data, or absent); nothing when out
 * of memory. */
static void keep_value(struct kept *k, const char *name, LSTATUS st,
		       DWORD type, const BYTE *data, DWORD size)
{
	struct kept_value *v = calloc(1, sizeof *v);

	if (v == NULL)
		return;
	v->name = malloc(strlen(name) + 1);
	v->data = malloc((size_t)size + 1);
	if (v->name == NULL || v->data == NULL) {
		free(v->name);
		free(v->data);
		free(v);
		return;
	}
	strcpy(v->name, name);
	if (size > 0)
		memcpy(v->data, data, size);
	v->st = st;
	v->type = type;
	v->size = size;
	v->next = k->values;
	k->values = v;
}

static tlsr_err w32_get_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, struct tlsr_value *out)
{
	struct w32 *w = w32_of(reg);
	const struct kept_value *kv;
	WCHAR *wname = NULL;
	BYTE *data = NULL;
	DWORD type = 0, size = 0;
	LSTATUS st;
	tlsr_err err;

	if (name == NULL || out == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	memset(out, 0, sizeof *out);
	err = check_key(reg, key, name);
	if (err != TLSR_OK)
		return err;
	/* A value read before in this run of reads is not asked again. */
	kv = key->kept != NULL && !key->kept->detached
		 ? find_value(key->kept, name)
		 : NULL;
	if (kv != NULL && kv->st != ERROR_SUCCESS)
		return fail(reg, kv->st, "cannot read", key->path, name);
	if (kv != NULL) {
		out->data = malloc((size_t)kv->size + 1);
		if (out->data == NULL)
			return tlsr_reg_fail(reg, TLSR_ENOMEM, 0,
					     "out of memory");
		if (kv->size > 0)
			memcpy(out->data, kv->data, kv->size);
		out->type = kv->type;
		out->size = kv->size;
		return TLSR_OK;
	}
	err = widen(reg, name, &wname);
	if (err != TLSR_OK)
		return err;
	st = read_value(w, key, wname, &type, &data, &size);
	free(wname);
	if (st == ERROR_NOT_ENOUGH_MEMORY)
		return tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	if (key->kept != NULL && !key->kept->detached &&
	    (st == ERROR_SUCCESS || st == ERROR_FILE_NOT_FOUND))
		keep_value(key->kept, name, st, type, data, size);
	if (st != ERROR_SUCCESS)
		return fail(reg, st, "cannot read", key->path, name);
	out->type = type;
	out->size = size;
	out->data = data;
	return TLSR_OK;
}

static tlsr_err w32_set_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, uint32_t type,
			      const void *data, size_t size)
{
	static const BYTE none[1];
	WCHAR *wname = NULL;
	LSTATUS st;
	tlsr_err err;

	if (name == NULL || (data == NULL && size != 0))
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	if (size > MAXDWORD)
		return tlsr_reg_fail(reg, TLSR_ETOOBIG, 0,
				     "value \"%s\" too large", name);
	err = check_key(reg, key, name);
	if (err != TLSR_OK)
		return err;
	err = widen(reg, name, &wname);
	if (err != TLSR_OK)
		return err;
	/* What the run kept may no longer be what the registry holds. */
	forget(w32_of(reg));
	w32_of(reg)->calls.other++;
	st = RegSetValueExW(key->hkey, wname, 0, type,
			    size ? (const BYTE *)data : none, (DWORD)size);
	if (st != ERROR_SUCCESS)
		err = fail(reg, st, "cannot write", key->path, name);
	free(wname);
	return err;
}

static tlsr_err w32_delete_value(struct tlsr_registry *reg,
				 struct tlsr_key *key, const char *name)
{
	WCHAR *wname = NULL;
	LSTATUS st;
	tlsr_err err;

	if (name == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	err = check_key(reg, key, name);
	if (err != TLSR_OK)
		return err;
	err = widen(reg, name, &wname);
	if (err != TLSR_OK)
		return err;
	forget(w32_of(reg));
	w32_of(reg)->calls.other++;
	st = RegDeleteValueW(key->hkey, wname);
	if (st != ERROR_SUCCESS)
		err = fail(reg, st, "cannot delete", key->path, name);
	free(wname);
	return err;
}

/* The index-th subkey (subkeys 1) or value name of a key into wbuf, of
 * max units; *cch gets its length. A kept key deleted meanwhile is opened
 * again. */
static LSTATUS enum_name(struct w32 *w, struct tlsr_key *key, int subkeys,
			 DWORD index, WCHAR *wbuf, DWORD max, DWORD *cch)
{
	LSTATUS st;

	for (int again = key->kept != NULL;; again = 0) {
		*cch = max;
		w->calls.enumerate++;
		if (subkeys)
			st = RegEnumKeyExW(key->hkey, index, wbuf, cch, NULL,
					   NULL, NULL, NULL);
		else
			st = RegEnumValueW(key->hkey, index, wbuf, cch, NULL,
					   NULL, NULL, NULL);
		if (st != ERROR_KEY_DELETED || !again)
			return st;
		st = reopen(w, key);
		if (st != ERROR_SUCCESS)
			return st;
	}
}

static tlsr_err w32_enum_subkey(struct tlsr_registry *reg,
				struct tlsr_key *key, size_t index, char *buf,
				size_t size)
{
	WCHAR wbuf[KEY_NAME_CCH];
	DWORD cch = ARRAYSIZE(wbuf);
	LSTATUS st;
	tlsr_err err = check_key(reg, key, NULL);

	if (err != TLSR_OK)
		return err;
	if (index > MAXDWORD)
		return TLSR_ENOTFOUND;
	st = enum_name(w32_of(reg), key, 1, (DWORD)index, wbuf,
		       ARRAYSIZE(wbuf), &cch);
	if (st == ERROR_NO_MORE_ITEMS)
		return TLSR_ENOTFOUND;
	if (st != ERROR_SUCCESS)
		return fail(reg, st, "cannot list the subkeys of", key->path,
			    NULL);
	return narrow(reg, wbuf, cch, buf, size);
}

static tlsr_err w32_enum_value(struct tlsr_registry *reg, struct tlsr_key *key,
			       size_t index, char *buf, size_t size)
{
	WCHAR *wbuf;
	DWORD cch = VALUE_NAME_CCH;
	LSTATUS st;
	tlsr_err err = check_key(reg, key, NULL);

	if (err != TLSR_OK)
		return err;
	if (index > MAXDWORD)
		return TLSR_ENOTFOUND;
	wbuf = malloc(VALUE_NAME_CCH * sizeof *wbuf);
	if (wbuf == NULL)
		return tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	st = enum_name(w32_of(reg), key, 0, (DWORD)index, wbuf, VALUE_NAME_CCH,
		       &cch);
	if (st == ERROR_NO_MORE_ITEMS)
		err = TLSR_ENOTFOUND;
	else if (st != ERROR_SUCCESS)
		err = fail(reg, st, "cannot list the values of", key->path,
			   NULL);
	else
		err = narrow(reg, wbuf, cch, buf, size);
	free(wbuf);
	return err;
}

static tlsr_err w32_delete_key(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view)
{
	struct w32 *w = w32_of(reg);
	WCHAR *wpath = NULL;
	HKEY hkey = NULL;
	REGSAM sam;
	LSTATUS st;
	tlsr_err err;

	err = check_path(reg, path, view, &sam);
	if (err != TLSR_OK)
		return err;
	if (*path == '\0')
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				     "HKEY_LOCAL_MACHINE cannot be deleted");
	err = widen(reg, path, &wpath);
	if (err != TLSR_OK)
		return err;
	/* A kept key below or at path would name a deleted key. */
	forget(w);
	/* RegDeleteTreeW takes no view: open the key in its view, empty it
	 * through that handle, then delete the key itself in the view. */
	st = open_counted(w, wpath, DELETE | KEY_READ | KEY_SET_VALUE | sam,
			  &hkey);
	if (st != ERROR_SUCCESS) {
		err = fail(reg, st, "cannot open", path, NULL);
		goto out_path;
	}
	w->calls.other++;
	st = RegDeleteTreeW(hkey, NULL);
	if (st != ERROR_SUCCESS) {
		err = fail(reg, st, "cannot delete below", path, NULL);
		goto out_key;
	}
	w->calls.other++;
	st = RegDeleteKeyExW(HKEY_LOCAL_MACHINE, wpath, sam, 0);
	if (st != ERROR_SUCCESS)
		err = fail(reg, st, "cannot delete", path, NULL);
out_key:
	close_counted(w, hkey);
out_path:
	free(wpath);
	return err;
}

static tlsr_err w32_watch(struct tlsr_registry *reg, struct tlsr_key *key,
			  void *event)
{
	LSTATUS st;
	tlsr_err err = check_key(reg, key, NULL);

	if (err != TLSR_OK)
		return err;
	if (event == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no event given");
	w32_of(reg)->calls.other++;
	st = RegNotifyChangeKeyValue(key->hkey, TRUE,
				     REG_NOTIFY_CHANGE_NAME |
					     REG_NOTIFY_CHANGE_LAST_SET,
				     (HANDLE)event, TRUE);
	if (st != ERROR_SUCCESS)
		return fail(reg, st, "cannot watch", key->path, NULL);
	return TLSR_OK;
}

static void w32_batch(struct tlsr_registry *reg, int begin)
{
	struct w32 *w = w32_of(reg);

	if (begin)
		w->batch++;
	else if (w->batch > 0 && --w->batch == 0)
		forget(w);
}

static void w32_destroy(struct tlsr_registry *reg)
{
	struct w32 *w = w32_of(reg);

	forget(w);
	free(w);
}

static const struct tlsr_registry_ops w32_ops = {
	.name = "win32",
	.open_key = w32_open_key,
	.close_key = w32_close_key,
	.get_value = w32_get_value,
	.set_value = w32_set_value,
	.delete_value = w32_delete_value,
	.enum_subkey = w32_enum_subkey,
	.enum_value = w32_enum_value,
	.delete_key = w32_delete_key,
	.watch = w32_watch,
	.destroy = w32_destroy,
	.batch = w32_batch,
};

struct tlsr_registry *tlsr_registry_win32_new(void)
{
	struct w32 *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->reg.ops = &w32_ops;
	w->reg.impl = w;
	return &w->reg;
}

void tlsr_registry_win32_counts(const struct tlsr_registry *reg,
				struct tlsr_reg_counts *out)
{
	memset(out, 0, sizeof *out);
	if (reg != NULL && reg->ops == &w32_ops)
		*out = ((const struct w32 *)reg->impl)->calls;
}
