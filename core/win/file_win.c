/* tlsward: files on Windows, by UTF-16 path. */
#include "file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wstr.h"

FILE *tlsr_file_open(const char *path, const char *mode)
{
	wchar_t *wpath = tlsr_win_wide(path), *wmode = tlsr_win_wide(mode);
	FILE *f = NULL;

	if (wpath == NULL || wmode == NULL)
		errno = EINVAL;
	else
		f = _wfopen(wpath, wmode);
	free(wmode);
	free(wpath);
	return f;
}

/* The last Win32 error as why and a tlsward error. */
static tlsr_err last_error(const char *what, const char *path, char *why,
			   size_t why_size)
{
	DWORD code = GetLastError();
	char text[300];

	tlsr_win_errtext(code, text, sizeof text);
	if (what != NULL)
		snprintf(why, why_size, "%s %s: %s", what, path, text);
	else
		snprintf(why, why_size, "%s", text);
	return tlsr_win_map_error(code, TLSR_EIO);
}

tlsr_err tlsr_file_read_all(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size)
{
	wchar_t *wpath = tlsr_win_wide(path);
	LARGE_INTEGER size;
	DWORD done = 0;
	HANDLE h;
	char *data = NULL;
	tlsr_err err;

	why[0] = '\0';
	if (wpath == NULL) {
		snprintf(why, why_size, "the path is not valid UTF-8");
		return TLSR_EINVAL;
	}
	h = CreateFileW(wpath, GENERIC_READ,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	free(wpath);
	if (h == INVALID_HANDLE_VALUE)
		return last_error(NULL, path, why, why_size);
	if (!GetFileSizeEx(h, &size)) {
		err = last_error(NULL, path, why, why_size);
		goto close;
	}
	if ((ULONGLONG)size.QuadPart > max) {
		snprintf(why, why_size, "larger than %zu bytes", max);
		err = TLSR_ETOOBIG;
		goto close;
	}
	data = malloc((size_t)size.QuadPart + 1);
	if (data == NULL) {
		snprintf(why, why_size, "out of memory");
		err = TLSR_ENOMEM;
		goto close;
	}
	if (!ReadFile(h, data, (DWORD)size.QuadPart, &done, NULL)) {
		err = last_error(NULL, path, why, why_size);
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

tlsr_err tlsr_file_replace(const char *path, const void *data, size_t len,
			   char *why, size_t why_size)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 5);
	wchar_t *wpath = NULL, *wtmp = NULL;
	DWORD done = 0;
	HANDLE h;
	tlsr_err err;

	why[0] = '\0';
	if (tmp == NULL) {
		snprintf(why, why_size, "out of memory");
		return TLSR_ENOMEM;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	wpath = tlsr_win_wide(path);
	wtmp = tlsr_win_wide(tmp);
	if (wpath == NULL || wtmp == NULL) {
		snprintf(why, why_size, "the path is not valid UTF-8");
		err = TLSR_EINVAL;
		goto out;
	}
	h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		err = last_error("cannot create", tmp, why, why_size);
		goto out;
	}
	if (len > MAXDWORD ||
	    !WriteFile(h, data, (DWORD)len, &done, NULL) || done != len ||
	    !FlushFileBuffers(h)) {
		err = last_error("cannot write", tmp, why, why_size);
		CloseHandle(h);
		DeleteFileW(wtmp);
		goto out;
	}
	CloseHandle(h);
	if (!MoveFileExW(wtmp, wpath,
			 MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		err = last_error("cannot replace", path, why, why_size);
		DeleteFileW(wtmp);
		goto out;
	}
	err = TLSR_OK;
out:
	free(wtmp);
	free(wpath);
	free(tmp);
	return err;
}

tlsr_err tlsr_file_remove(const char *path, char *why, size_t why_size)
{
	wchar_t *wpath = tlsr_win_wide(path);
	tlsr_err err = TLSR_OK;

	if (wpath == NULL) {
		snprintf(why, why_size, "the path is not valid UTF-8");
		return TLSR_EINVAL;
	}
	if (!DeleteFileW(wpath) && GetLastError() != ERROR_FILE_NOT_FOUND &&
	    GetLastError() != ERROR_PATH_NOT_FOUND)
		err = last_error("cannot remove", path, why, why_size);
	free(wpath);
	return err;
}

tlsr_err tlsr_file_stat(const char *path, uint64_t *size, uint64_t *mtime,
			char *why, size_t why_size)
{
	wchar_t *wpath = tlsr_win_wide(path);
	WIN32_FILE_ATTRIBUTE_DATA fa;
	BOOL ok;

	if (wpath == NULL) {
		snprintf(why, why_size, "the path is not valid UTF-8");
		return TLSR_EINVAL;
	}
	ok = GetFileAttributesExW(wpath, GetFileExInfoStandard, &fa);
	free(wpath);
	if (!ok)
		return last_error(NULL, path, why, why_size);
	if (fa.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
		snprintf(why, why_size, "is a directory");
		return TLSR_EIO;
	}
	*size = ((uint64_t)fa.nFileSizeHigh << 32) | fa.nFileSizeLow;
	*mtime = ((uint64_t)fa.ftLastWriteTime.dwHighDateTime << 32) |
		 fa.ftLastWriteTime.dwLowDateTime;
	return TLSR_OK;
}

/* Volume and file index of path; 0 when it cannot be opened. */
static int file_id(const char *path, BY_HANDLE_FILE_INFORMATION *info)
{
	wchar_t *wpath = tlsr_win_wide(path);
	HANDLE h;
	int ok;

	if (wpath == NULL)
		return 0;
	h = CreateFileW(wpath, 0,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(wpath);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	ok = GetFileInformationByHandle(h, info) != 0;
	CloseHandle(h);
	return ok;
}

int tlsr_file_same(const char *a, const char *b)
{
	BY_HANDLE_FILE_INFORMATION ia, ib;

	if (strcmp(a, b) == 0)
		return 1;
	if (!file_id(a, &ia) || !file_id(b, &ib))
		return 0;
	return ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
	       ia.nFileIndexHigh == ib.nFileIndexHigh &&
	       ia.nFileIndexLow == ib.nFileIndexLow;
}
