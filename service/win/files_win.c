/* tlsward: SHA-256 through the system (bcrypt.dll, loaded for the call). */
#include <windows.h>

#include <stdio.h>

#include "dll_win.h"
#include "files_win.h"

tlsr_err tlsr_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[32];
	char why[300];
	int i;

	if (tlsr_win_sha256(data, len, digest, why, sizeof why) != 0)
		return TLSR_ESYSTEM;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	return TLSR_OK;
}
