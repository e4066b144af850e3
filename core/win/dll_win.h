/* tlsward: system DLLs loaded when a feature needs them and let go after,
 * rather than imported: bcrypt.dll (the policy's SHA-256) and crypt32.dll
 * (a signed policy's key) are not mapped in the service process between
 * uses. Windows builds only. */
#ifndef TLSR_DLL_WIN_H
#define TLSR_DLL_WIN_H

#include <windows.h>

#include <stddef.h>

/* One export to look up: its name, and the function pointer it goes into
 * (any function pointer type). */
struct tlsr_win_proc {
	const char *name;
	void *slot;
};

/* Loads dll (a file name, e.g. L"bcrypt.dll") from the system directory
 * and sets every slot of procs. Returns the module, which the caller
 * releases with FreeLibrary once done with the functions; NULL when the
 * DLL or an export is missing, with why saying which and the Windows
 * error. */
HMODULE tlsr_win_dll_open(const wchar_t *dll,
			  const struct tlsr_win_proc *procs, size_t n,
			  char *why, size_t why_size);

/* SHA-256 of len bytes at data into digest, through bcrypt.dll loaded for
 * the call. Returns 0, or -1 with why set. */
int tlsr_win_sha256(const void *data, size_t len, unsigned char digest[32],
		    char *why, size_t why_size);

#endif
