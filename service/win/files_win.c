/* tlsward: following the policy file, locally or on a share. */
#include <windows.h>
#include <bcrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_win.h"
#include "wstr.h"
#include "policy.h"

struct tlsr_psource {
	char path[1024];
	wchar_t *wpath;
	HANDLE change; /* FindFirstChangeNotificationW, or NULL: polled */
	unsigned poll;
	int have_stat;
	ULONGLONG size;
	FILETIME mtime;
};

tlsr_err tlsr_sha256_hex(const void *data, size_t len, char out[65])
{
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE hash = NULL;
	UCHAR digest[32];
	NTSTATUS st;
	int i;

	/* BCryptHash needs Windows 10; the open/create/finish sequence works
	 * on Windows 7 too. */
	st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL,
					 0);
	if (!BCRYPT_SUCCESS(st))
		return TLSR_ESYSTEM;
	st = BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0);
	if (!BCRYPT_SUCCESS(st))
		goto close_alg;
	st = BCryptHashData(hash, (PUCHAR)data, (ULONG)len, 0);
	if (!BCRYPT_SUCCESS(st))
		goto close_hash;
	st = BCryptFinishHash(hash, digest, sizeof digest, 0);
	if (!BCRYPT_SUCCESS(st))
		goto close_hash;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
close_hash:
	BCryptDestroyHash(hash);
close_alg:
	BCryptCloseAlgorithmProvider(alg, 0);
	return BCRYPT_SUCCESS(st) ? TLSR_OK : TLSR_ESYSTEM;
}

/* A Win32 file error as a tlsward error. */
static tlsr_err win_err(DWORD code)
{
	switch (code) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
		return TLSR_ENOTFOUND;
	case ERROR_ACCESS_DENIED:
		return TLSR_EACCESS;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return TLSR_ENOMEM;
	default:
		return TLSR_EIO;
	}
}

tlsr_err tlsr_win_read_file(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size)
{
	LARGE_INTEGER size;
	wchar_t *wpath;
	HANDLE h;
	DWORD done, code;
	char *data = NULL;
	tlsr_err err;

	why[0] = '\0';
	wpath = tlsr_win_wide(path);
	if (wpath == NULL)
		return TLSR_ENOMEM;
	h = CreateFileW(wpath, GENERIC_READ,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	free(wpath);
	if (h == INVALID_HANDLE_VALUE) {
		code = GetLastError();
		tlsr_win_errtext(code, why, why_size);
		return win_err(code);
	}
	if (!GetFileSizeEx(h, &size)) {
		code = GetLastError();
		tlsr_win_errtext(code, why, why_size);
		err = win_err(code);
		goto close;
	}
	if ((ULONGLONG)size.QuadPart > max) {
		snprintf(why, why_size, "larger than %zu bytes", max);
		err = TLSR_ETOOBIG;
		goto close;
	}
	data = malloc((size_t)size.QuadPart + 1);
	if (data == NULL) {
		err = TLSR_ENOMEM;
		goto close;
	}
	if (!ReadFile(h, data, (DWORD)size.QuadPart, &done, NULL)) {
		code = GetLastError();
		tlsr_win_errtext(code, why, why_size);
		err = win_err(code);
		free(data);
		goto close;
	}
	data[done] = '\0';
	*buf = data;
	*len = done;
	err = TLSR_OK;
close:
	CloseHandle(h);
	return err;
}

tlsr_err tlsr_win_write_file(const char *path, const void *data, size_t len)
{
	char tmp[1100];
	wchar_t *wpath = NULL, *wtmp = NULL;
	HANDLE h;
	DWORD done = 0;
	tlsr_err err = TLSR_ENOMEM;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	wpath = tlsr_win_wide(path);
	wtmp = tlsr_win_wide(tmp);
	if (wpath == NULL || wtmp == NULL)
		goto out;
	h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		err = win_err(GetLastError());
		goto out;
	}
	if (!WriteFile(h, data, (DWORD)len, &done, NULL) || done != len) {
		CloseHandle(h);
		DeleteFileW(wtmp);
		err = TLSR_EIO;
		goto out;
	}
	CloseHandle(h);
	if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING)) {
		err = win_err(GetLastError());
		DeleteFileW(wtmp);
		goto out;
	}
	err = TLSR_OK;
out:
	free(wtmp);
	free(wpath);
	return err;
}

/* A share may go away at any time and change notifications on it are not
 * reliable, so UNC paths are polled; so is a local file whose directory
 * does not exist yet. */
tlsr_err tlsr_psource_open(const char *path, unsigned poll,
			   struct tlsr_psource **out)
{
	struct tlsr_psource *ps;
	wchar_t *wdir;
	char dir[1024];
	char *slash;

	ps = calloc(1, sizeof *ps);
	if (ps == NULL)
		return TLSR_ENOMEM;
	snprintf(ps->path, sizeof ps->path, "%s", path);
	ps->wpath = tlsr_win_wide(path);
	if (ps->wpath == NULL) {
		free(ps);
		return TLSR_ENOMEM;
	}
	ps->poll = poll ? poll : 60;
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '\\');
	if (slash != NULL && strncmp(path, "\\\\", 2) != 0) {
		*slash = '\0';
		if (slash == dir + 2 && dir[1] == ':')
			strcat(dir, "\\");
		wdir = tlsr_win_wide(dir);
		if (wdir != NULL) {
			HANDLE h = FindFirstChangeNotificationW(
				wdir, FALSE,
				FILE_NOTIFY_CHANGE_FILE_NAME |
					FILE_NOTIFY_CHANGE_SIZE |
					FILE_NOTIFY_CHANGE_LAST_WRITE);

			if (h != INVALID_HANDLE_VALUE)
				ps->change = h;
			free(wdir);
		}
	}
	*out = ps;
	return TLSR_OK;
}

HANDLE tlsr_psource_event(const struct tlsr_psource *ps)
{
	return ps->change;
}

unsigned tlsr_psource_poll(const struct tlsr_psource *ps)
{
	return ps->change ? 0 : ps->poll;
}

const char *tlsr_psource_path(const struct tlsr_psource *ps)
{
	return ps->path;
}

void tlsr_psource_rearm(struct tlsr_psource *ps)
{
	/* A directory that went away leaves a handle that cannot be re-armed
	 * (and would wake the loop for ever): poll from then on. */
	if (ps->change != NULL && !FindNextChangeNotification(ps->change)) {
		FindCloseChangeNotification(ps->change);
		ps->change = NULL;
	}
}

tlsr_err tlsr_psource_read(struct tlsr_psource *ps, int force, char **buf,
			   size_t *len, char hash[65], char *why,
			   size_t why_size)
{
	WIN32_FILE_ATTRIBUTE_DATA fa;
	ULONGLONG size;
	tlsr_err err;

	*buf = NULL;
	*len = 0;
	why[0] = '\0';
	if (!GetFileAttributesExW(ps->wpath, GetFileExInfoStandard, &fa)) {
		DWORD code = GetLastError();

		ps->have_stat = 0;
		tlsr_win_errtext(code, why, why_size);
		return win_err(code);
	}
	if (fa.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
		ps->have_stat = 0;
		snprintf(why, why_size, "is a directory");
		return TLSR_EIO;
	}
	size = ((ULONGLONG)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
	if (!force && ps->have_stat && size == ps->size &&
	    CompareFileTime(&fa.ftLastWriteTime, &ps->mtime) == 0)
		return TLSR_OK;
	err = tlsr_win_read_file(ps->path, TLSR_POLICY_MAX_BYTES, buf, len, why,
				 why_size);
	if (err != TLSR_OK) {
		ps->have_stat = 0;
		return err;
	}
	err = tlsr_sha256_hex(*buf, *len, hash);
	if (err != TLSR_OK) {
		free(*buf);
		*buf = NULL;
		snprintf(why, why_size, "SHA-256 unavailable");
		return err;
	}
	ps->have_stat = 1;
	ps->size = size;
	ps->mtime = fa.ftLastWriteTime;
	return TLSR_OK;
}

void tlsr_psource_close(struct tlsr_psource *ps)
{
	if (ps == NULL)
		return;
	if (ps->change != NULL)
		FindCloseChangeNotification(ps->change);
	free(ps->wpath);
	free(ps);
}
