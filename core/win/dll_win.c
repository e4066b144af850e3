/* tlsward: system DLLs loaded for a use (dll_win.h). */
#include "dll_win.h"

#include <bcrypt.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "wstr.h"

HMODULE tlsr_win_dll_open(const wchar_t *dll,
			  const struct tlsr_win_proc *procs, size_t n,
			  char *why, size_t why_size)
{
	wchar_t path[MAX_PATH];
	char text[300], name[64];
	HMODULE h;
	UINT len;
	size_t i;

	tlsr_win_utf8(dll, name, sizeof name);
	/* From the system directory only, never from beside the exe or the
	 * current directory. */
	len = GetSystemDirectoryW(path, MAX_PATH);
	if (len == 0 || len + 1 + wcslen(dll) >= MAX_PATH) {
		tlsr_win_errtext(len == 0 ? GetLastError()
					  : ERROR_FILENAME_EXCED_RANGE,
				 text, sizeof text);
		snprintf(why, why_size, "cannot find the system directory "
			 "for %s: %s", name, text);
		return NULL;
	}
	path[len] = L'\\';
	wcscpy(path + len + 1, dll);
	h = LoadLibraryExW(path, NULL, 0);
	if (h == NULL) {
		tlsr_win_errtext(GetLastError(), text, sizeof text);
		snprintf(why, why_size, "cannot load %s: %s", name, text);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		FARPROC f = GetProcAddress(h, procs[i].name);

		if (f == NULL) {
			tlsr_win_errtext(GetLastError(), text, sizeof text);
			snprintf(why, why_size, "%s has no %s: %s", name,
				 procs[i].name, text);
			FreeLibrary(h);
			return NULL;
		}
		/* A function pointer's bytes into another function pointer
		 * type: the same representation on Windows. */
		memcpy(procs[i].slot, &f, sizeof f);
	}
	return h;
}

int tlsr_win_sha256(const void *data, size_t len, unsigned char digest[32],
		    char *why, size_t why_size)
{
	struct {
		__typeof__(BCryptOpenAlgorithmProvider) *open;
		__typeof__(BCryptCreateHash) *create;
		__typeof__(BCryptHashData) *hash;
		__typeof__(BCryptFinishHash) *finish;
		__typeof__(BCryptDestroyHash) *destroy;
		__typeof__(BCryptCloseAlgorithmProvider) *close;
	} cng;
	const struct tlsr_win_proc procs[] = {
		{"BCryptOpenAlgorithmProvider", &cng.open},
		{"BCryptCreateHash", &cng.create},
		{"BCryptHashData", &cng.hash},
		{"BCryptFinishHash", &cng.finish},
		{"BCryptDestroyHash", &cng.destroy},
		{"BCryptCloseAlgorithmProvider", &cng.close},
	};
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE hash = NULL;
	NTSTATUS st;
	HMODULE dll;

	if (len > 0xFFFFFFFFu) {
		snprintf(why, why_size, "SHA-256: %zu bytes is more than "
			 "bcrypt.dll hashes in one call", len);
		return -1;
	}
	dll = tlsr_win_dll_open(L"bcrypt.dll", procs,
				sizeof procs / sizeof procs[0], why,
				why_size);
	if (dll == NULL)
		return -1;
	/* BCryptHash needs Windows 10; the open/create/finish sequence works
	 * on Windows 7 too. */
	st = cng.open(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0);
	if (BCRYPT_SUCCESS(st)) {
		st = cng.create(alg, &hash, NULL, 0, NULL, 0, 0);
		if (BCRYPT_SUCCESS(st)) {
			st = cng.hash(hash, (PUCHAR)data, (ULONG)len, 0);
			if (BCRYPT_SUCCESS(st))
				st = cng.finish(hash, digest, 32, 0);
			cng.destroy(hash);
		}
		cng.close(alg, 0);
	}
	FreeLibrary(dll);
	if (BCRYPT_SUCCESS(st))
		return 0;
	snprintf(why, why_size, "SHA-256 (bcrypt.dll) failed: NTSTATUS "
		 "0x%08lx", (unsigned long)st);
	return -1;
}
