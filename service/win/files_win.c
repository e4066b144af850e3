/* tlsward: SHA-256 through the system (bcrypt.dll). */
#include <windows.h>
#include <bcrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_win.h"

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
