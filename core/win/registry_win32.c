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

struct w32 {
	struct tlsr_registry reg;
	struct tlsr_reg_counts calls; /* Reg* API calls made */
};

struct tlsr_key {
	HKEY hkey;
	REGSAM view;
	char *path;
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

/* Longest key name is 255 UTF-16 units, longest value name 16383. */
#define KEY_NAME_CCH 256
#define VALUE_NAME_CCH 16384

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

static tlsr_err w32_open_key(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, int create,
			     struct tlsr_key **out)
{
	struct w32 *w = w32_of(reg);
	struct tlsr_key *key = NULL;
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
	}
	if (st != ERROR_SUCCESS) {
		err = fail(reg, st, create ? "cannot create" : "cannot open",
			   path, NULL);
		goto out_path;
	}
	key = calloc(1, sizeof *key);
	if (key == NULL)
		goto out_nomem;
	key->path = malloc(strlen(path) + 1);
	if (key->path == NULL)
		goto out_nomem;
	strcpy(key->path, path);
	key->hkey = hkey;
	key->view = sam;
	*out = key;
	free(wpath);
	return TLSR_OK;

out_nomem:
	err = tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	free(key);
	close_counted(w, hkey);
out_path:
	free(wpath);
	return err;
}

static void w32_close_key(struct tlsr_registry *reg, struct tlsr_key *key)
{
	if (key == NULL)
		return;
	close_counted(w32_of(reg), key->hkey);
	free(key->path);
	free(key);
}

static tlsr_err w32_get_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, struct tlsr_value *out)
{
	WCHAR *wname = NULL;
	BYTE *data = NULL;
	DWORD type = 0, size = 0, got;
	LSTATUS st;
	tlsr_err err;

	if (name == NULL || out == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	memset(out, 0, sizeof *out);
	err = check_key(reg, key, name);
	if (err != TLSR_OK)
		return err;
	err = widen(reg, name, &wname);
	if (err != TLSR_OK)
		return err;
	w32_of(reg)->calls.query++;
	st = RegQueryValueExW(key->hkey, wname, NULL, &type, NULL, &size);
	/* The value may grow between asking its size and reading it. */
	for (int tries = 0; st == ERROR_SUCCESS && tries < 8; tries++) {
		BYTE *more = realloc(data, (size_t)size + 1);

		if (more == NULL) {
			err = tlsr_reg_fail(reg, TLSR_ENOMEM, 0,
					    "out of memory");
			goto out;
		}
		data = more;
		got = size;
		w32_of(reg)->calls.query++;
		st = RegQueryValueExW(key->hkey, wname, NULL, &type, data,
				      &got);
		if (st == ERROR_MORE_DATA) {
			size = got;
			st = ERROR_SUCCESS;
			continue;
		}
		if (st == ERROR_SUCCESS) {
			out->type = type;
			out->size = got;
			out->data = data;
			data = NULL;
			goto out;
		}
	}
	if (st == ERROR_SUCCESS)
		st = ERROR_MORE_DATA;
	err = fail(reg, st, "cannot read", key->path, name);
out:
	free(data);
	free(wname);
	return err;
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
	w32_of(reg)->calls.other++;
	st = RegDeleteValueW(key->hkey, wname);
	if (st != ERROR_SUCCESS)
		err = fail(reg, st, "cannot delete", key->path, name);
	free(wname);
	return err;
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
	w32_of(reg)->calls.enumerate++;
	st = RegEnumKeyExW(key->hkey, (DWORD)index, wbuf, &cch, NULL, NULL,
			   NULL, NULL);
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
	w32_of(reg)->calls.enumerate++;
	st = RegEnumValueW(key->hkey, (DWORD)index, wbuf, &cch, NULL, NULL,
			   NULL, NULL);
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

static void w32_destroy(struct tlsr_registry *reg)
{
	free(w32_of(reg));
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
