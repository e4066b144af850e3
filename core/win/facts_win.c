/* tlsward: facts from the running Windows system, which beat what the
 * registry claims: the kernel's version, and the WinHTTP binary itself. */
#include "facts_win.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOEXW *);

/* GetVersionEx lies to programs without a compatibility manifest;
 * RtlGetVersion does not. */
static int os_version(OSVERSIONINFOEXW *vi)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	rtl_get_version_fn fn;

	if (ntdll == NULL)
		return 0;
	fn = (rtl_get_version_fn)(void (*)(void))GetProcAddress(
		ntdll, "RtlGetVersion");
	if (fn == NULL)
		return 0;
	memset(vi, 0, sizeof *vi);
	vi->dwOSVersionInfoSize = sizeof *vi;
	return fn(vi) == 0;
}

/* The fixed file version of %SystemRoot%\System32\name. */
static int system_file_version(const WCHAR *name, unsigned v[4])
{
	WCHAR path[MAX_PATH];
	VS_FIXEDFILEINFO *ffi = NULL;
	void *info = NULL;
	DWORD size, ignored;
	UINT len = 0;
	UINT n;
	int ok = 0;

	n = GetSystemDirectoryW(path, MAX_PATH);
	if (n == 0 || n + 1 + wcslen(name) >= MAX_PATH)
		return 0;
	path[n] = L'\\';
	wcscpy(path + n + 1, name);
	size = GetFileVersionInfoSizeW(path, &ignored);
	if (size == 0)
		return 0;
	info = malloc(size);
	if (info == NULL)
		return 0;
	if (!GetFileVersionInfoW(path, 0, size, info) ||
	    !VerQueryValueW(info, L"\\", (void **)&ffi, &len) ||
	    ffi == NULL || len < sizeof *ffi)
		goto out;
	v[0] = HIWORD(ffi->dwFileVersionMS);
	v[1] = LOWORD(ffi->dwFileVersionMS);
	v[2] = HIWORD(ffi->dwFileVersionLS);
	v[3] = LOWORD(ffi->dwFileVersionLS);
	ok = 1;
out:
	free(info);
	return ok;
}

static int version_cmp(const unsigned a[4], const unsigned b[4])
{
	for (int i = 0; i < 4; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	return 0;
}

/* The WinHTTP update from the files it replaces: winhttp.dll and webio.dll
 * at or above the OS row's threshold ([DrDAV]: 6.1.7601.23375 on NT 6.1,
 * 6.2.9200.21797 on NT 6.2). One file below it settles "not installed";
 * "installed" needs both. Otherwise (no threshold pinned, a file that
 * cannot be read) the servicing store's answer stands. */
static void kb3140245_from_file(struct tlsr_facts *f)
{
	static const WCHAR *const files[] = {L"winhttp.dll", L"webio.dll"};
	static const char *const names[] = {"winhttp.dll", "webio.dll"};
	const struct tlsr_os *os = tlsr_facts_os(f);
	const unsigned *t = os->winhttp_file_min;
	unsigned v[2][4];
	int i, read[2];

	if (os->winhttp_update == NULL || t[0] == 0)
		return;
	for (i = 0; i < 2; i++) {
		read[i] = system_file_version(files[i], v[i]);
		if (read[i] && version_cmp(v[i], t) < 0) {
			f->kb3140245 = TLSR_NO;
			snprintf(f->kb3140245_source,
				 sizeof f->kb3140245_source,
				 "%s %u.%u.%u.%u < %u.%u.%u.%u", names[i],
				 v[i][0], v[i][1], v[i][2], v[i][3], t[0], t[1],
				 t[2], t[3]);
			return;
		}
	}
	if (!read[0] || !read[1])
		return;
	f->kb3140245 = TLSR_YES;
	snprintf(f->kb3140245_source, sizeof f->kb3140245_source,
		 "winhttp.dll %u.%u.%u.%u and webio.dll %u.%u.%u.%u >= "
		 "%u.%u.%u.%u",
		 v[0][0], v[0][1], v[0][2], v[0][3], v[1][0], v[1][1], v[1][2],
		 v[1][3], t[0], t[1], t[2], t[3]);
}

/* This boot's id, kept in the volatile key HKLM\SOFTWARE\tlsward\Boot
 * (value Id) that the service uses too: Windows drops volatile keys at every
 * boot (Wine when its server restarts), so a missing key is a new boot. The
 * first reader of a boot makes the id: boot time and a counter value. Left
 * "" (unknown: nothing owed is taken as settled) when the key cannot be
 * read or made, e.g. without administrator rights. */
void tlsr_win_boot_id(char *buf, size_t size)
{
	wchar_t wid[64];
	DWORD type, len = sizeof wid - sizeof(wchar_t);
	HKEY root, key;
	LSTATUS rc;

	if (size == 0)
		return;
	buf[0] = '\0';
	/* A volatile key cannot have a lasting child, nor be made below a
	 * missing parent: the root is an ordinary key. */
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\tlsward", 0,
			     NULL, REG_OPTION_NON_VOLATILE,
			     KEY_CREATE_SUB_KEY | KEY_WOW64_64KEY, NULL, &root,
			     NULL);
	if (rc != ERROR_SUCCESS)
		return;
	rc = RegCreateKeyExW(root, L"Boot", 0, NULL, REG_OPTION_VOLATILE,
			     KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY,
			     NULL, &key, NULL);
	RegCloseKey(root);
	if (rc != ERROR_SUCCESS)
		return;
	rc = RegQueryValueExW(key, L"Id", NULL, &type, (BYTE *)wid, &len);
	if (rc != ERROR_SUCCESS || type != REG_SZ || len < sizeof(wchar_t)) {
		FILETIME now;
		ULARGE_INTEGER t;
		LARGE_INTEGER pc;
		SYSTEMTIME st;

		GetSystemTimeAsFileTime(&now);
		t.LowPart = now.dwLowDateTime;
		t.HighPart = now.dwHighDateTime;
		t.QuadPart -= GetTickCount64() * 10000ull;
		now.dwLowDateTime = t.LowPart;
		now.dwHighDateTime = t.HighPart;
		FileTimeToSystemTime(&now, &st);
		QueryPerformanceCounter(&pc);
		swprintf(wid, sizeof wid / sizeof wid[0],
			 L"%04u-%02u-%02uT%02u:%02u:%02uZ-%08lx", st.wYear,
			 st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond,
			 (unsigned long)(pc.QuadPart & 0xffffffff));
		rc = RegSetValueExW(key, L"Id", 0, REG_SZ, (const BYTE *)wid,
				    (DWORD)((wcslen(wid) + 1) *
					    sizeof(wchar_t)));
	} else {
		wid[len / sizeof(wchar_t)] = L'\0';
	}
	RegCloseKey(key);
	if (rc == ERROR_SUCCESS &&
	    WideCharToMultiByte(CP_UTF8, 0, wid, -1, buf, (int)size, NULL,
				NULL) == 0)
		buf[0] = '\0';
}

void tlsr_facts_live(struct tlsr_facts *f)
{
	OSVERSIONINFOEXW vi;

	if (f == NULL)
		return;
	tlsr_win_boot_id(f->boot_id, sizeof f->boot_id);
	if (os_version(&vi)) {
		f->os_known = 1;
		f->os_major = vi.dwMajorVersion;
		f->os_minor = vi.dwMinorVersion;
		f->os_build = vi.dwBuildNumber;
		f->os_sp = vi.wServicePackMajor;
		f->is_server = vi.wProductType != VER_NT_WORKSTATION;
		if (f->product[0] == '\0')
			snprintf(f->product, sizeof f->product,
				 "Windows NT %lu.%lu %s",
				 (unsigned long)vi.dwMajorVersion,
				 (unsigned long)vi.dwMinorVersion,
				 f->is_server ? "server" : "workstation");
	}
#ifdef _WIN64
	f->x64 = 1;
#else
	{
		BOOL wow = FALSE;

		if (IsWow64Process(GetCurrentProcess(), &wow))
			f->x64 = wow != FALSE;
	}
#endif
	if (f->os_known)
		kb3140245_from_file(f);
}
