/* tlsward: small Windows helpers of the service: directories, the data
 * directory, randomness. */
#include <windows.h>
#include <ntsecapi.h>
#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dll_win.h"
#include "util_win.h"

tlsr_err tlsr_win_mkdirs(const char *dir, DWORD *code)
{
	wchar_t *w = tlsr_win_wide(dir);
	wchar_t *p;
	tlsr_err err = TLSR_OK;
	DWORD last = ERROR_SUCCESS;

	if (code != NULL)
		*code = ERROR_SUCCESS;
	if (w == NULL) {
		if (code != NULL)
			*code = ERROR_NOT_ENOUGH_MEMORY;
		return TLSR_ENOMEM;
	}
	/* Skip "C:\" or "\\server\share\" before creating components. */
	p = w;
	if (p[0] == L'\\' && p[1] == L'\\') {
		int seps = 0;

		for (p += 2; *p != L'\0' && seps < 2; p++)
			if (*p == L'\\')
				seps++;
	} else if (p[0] != L'\0' && p[1] == L':') {
		p += 2;
	}
	for (;; p++) {
		if (*p == L'\\' || *p == L'\0') {
			wchar_t c = *p;

			*p = L'\0';
			if (w[0] != L'\0' && wcslen(w) > 2 &&
			    !CreateDirectoryW(w, NULL) &&
			    (last = GetLastError()) != ERROR_ALREADY_EXISTS) {
				err = TLSR_EIO;
			} else {
				err = TLSR_OK;
				last = ERROR_SUCCESS;
			}
			*p = c;
			if (c == L'\0')
				break;
		}
	}
	free(w);
	if (code != NULL)
		*code = last;
	return err;
}

/* CSIDL_COMMON_APPDATA through shell32.dll, loaded for the call: shell32
 * brings user32, gdi32 and ole32 with it, which the service has no other
 * use for. 0 when it gives the folder. */
static int common_appdata(wchar_t path[MAX_PATH])
{
	__typeof__(SHGetFolderPathW) *get;
	const struct tlsr_win_proc procs[] = {{"SHGetFolderPathW", &get}};
	char why[300];
	HMODULE dll = tlsr_win_dll_open(L"shell32.dll", procs, 1, why,
					sizeof why);
	HRESULT hr;

	if (dll == NULL)
		return -1;
	hr = get(NULL, CSIDL_COMMON_APPDATA, NULL, 0, path);
	FreeLibrary(dll);
	return hr == S_OK ? 0 : -1;
}

void tlsr_win_data_dir(char *buf, size_t size)
{
	wchar_t path[MAX_PATH];
	char base[MAX_PATH * 3];
	DWORD bytes = sizeof path;

	/* The common application data folder is ProfileList\ProgramData
	 * (REG_EXPAND_SZ, expanded here), where Windows keeps it for the
	 * known folder; the shell is asked only when that cannot be read. */
	if ((RegGetValueW(HKEY_LOCAL_MACHINE,
			  L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\"
			  L"ProfileList",
			  L"ProgramData", RRF_RT_REG_SZ, NULL, path,
			  &bytes) == ERROR_SUCCESS &&
	     path[0] != L'\0' && path[1] == L':' && path[2] == L'\\') ||
	    common_appdata(path) == 0)
		tlsr_win_utf8(path, base, sizeof base);
	else
		snprintf(base, sizeof base, "C:\\ProgramData");
	snprintf(buf, size, "%s\\" TLSR_DATA_DIR_NAME, base);
}

uint64_t tlsr_win_random(uint64_t n)
{
	/* Draws above the largest multiple of n are redrawn, so every
	 * result is equally likely (no modulo bias). RtlGenRandom is
	 * advapi32's, which the service imports anyway; BCryptGenRandom
	 * would map bcrypt.dll for good. */
	uint64_t limit, r;

	if (n == 0)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n;
	do {
		if (!RtlGenRandom(&r, sizeof r))
			return 0;
	} while (r >= limit);
	return r % n;
}

int tlsr_win_expand(const char *in, char *out, size_t size)
{
	wchar_t *w = tlsr_win_wide(in), buf[1024];
	DWORD n = w ? ExpandEnvironmentStringsW(w, buf, 1024) : 0;

	free(w);
	if (n == 0 || n > 1024)
		return -1;
	tlsr_win_utf8(buf, out, size);
	return 0;
}
