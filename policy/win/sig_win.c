/* tlsward: policy signatures on Windows, with crypt32 (PEM, the
 * SubjectPublicKeyInfo and the DER ECDSA signature) and CNG (SHA-256 and
 * BCryptVerifySignature). Windows 7 has every call used here; Wine's bcrypt
 * verifies both key kinds (tests/wine/test-policy-signed.sh). Both DLLs
 * are loaded for a check and let go after (core/win/dll_win.h): the
 * service verifies a policy only when one arrives. */
#include <windows.h>
#include <wincrypt.h>
#include <bcrypt.h>
#include <stdio.h>
#include <string.h>

#include "accept.h"
#include "dll_win.h"

#ifndef NT_SUCCESS
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#endif

/* The calls of this file, bound by api_open. */
struct api {
	HMODULE crypt32, bcrypt;
	__typeof__(CryptStringToBinaryA) *CryptStringToBinaryA;
	__typeof__(CryptDecodeObjectEx) *CryptDecodeObjectEx;
	__typeof__(CryptImportPublicKeyInfoEx2) *CryptImportPublicKeyInfoEx2;
	__typeof__(BCryptDestroyKey) *BCryptDestroyKey;
	__typeof__(BCryptVerifySignature) *BCryptVerifySignature;
};

/* Loads crypt32.dll and bcrypt.dll into a; -1 with why set when either
 * (or a call) is missing. Released by api_close. */
static int api_open(struct api *a, char *why, size_t why_size)
{
	const struct tlsr_win_proc crypt32[] = {
		{"CryptStringToBinaryA", &a->CryptStringToBinaryA},
		{"CryptDecodeObjectEx", &a->CryptDecodeObjectEx},
		{"CryptImportPublicKeyInfoEx2",
		 &a->CryptImportPublicKeyInfoEx2},
	};
	const struct tlsr_win_proc bcrypt[] = {
		{"BCryptDestroyKey", &a->BCryptDestroyKey},
		{"BCryptVerifySignature", &a->BCryptVerifySignature},
	};

	a->crypt32 = tlsr_win_dll_open(L"crypt32.dll", crypt32,
				       sizeof crypt32 / sizeof crypt32[0], why,
				       why_size);
	if (a->crypt32 == NULL)
		return -1;
	a->bcrypt = tlsr_win_dll_open(L"bcrypt.dll", bcrypt,
				      sizeof bcrypt / sizeof bcrypt[0], why,
				      why_size);
	if (a->bcrypt == NULL) {
		FreeLibrary(a->crypt32);
		return -1;
	}
	return 0;
}

static void api_close(struct api *a)
{
	FreeLibrary(a->bcrypt);
	FreeLibrary(a->crypt32);
}

/* The key as a CNG handle, held to ECDSA P-256 or RSA 2048-4096;
 * *ecdsa says which. */
static BCRYPT_KEY_HANDLE load_key(const struct api *a, const char *key,
				  size_t key_len, int *ecdsa, char *why,
				  size_t why_size)
{
	CERT_PUBLIC_KEY_INFO *info = NULL;
	BCRYPT_KEY_HANDLE h = NULL;
	BYTE der[TLSR_KEY_MAX_BYTES];
	DWORD der_len = sizeof der, info_len = 0, bits = 0;
	const char *curve = NULL;

	if (key == NULL || key_len == 0 || key_len > TLSR_KEY_MAX_BYTES) {
		snprintf(why, why_size, "no public key, or one larger than %u "
			 "bytes", TLSR_KEY_MAX_BYTES);
		return NULL;
	}
	if (strstr(key, "-----BEGIN PUBLIC KEY-----") == NULL ||
	    !a->CryptStringToBinaryA(key, (DWORD)key_len,
				  CRYPT_STRING_BASE64HEADER, der, &der_len,
				  NULL, NULL) ||
	    !a->CryptDecodeObjectEx(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, der,
				 der_len, CRYPT_DECODE_ALLOC_FLAG, NULL, &info,
				 &info_len)) {
		snprintf(why, why_size, "not a PEM public key (\"-----BEGIN "
			 "PUBLIC KEY-----\", as `openssl pkey -pubout` "
			 "writes)");
		return NULL;
	}
	if (strcmp(info->Algorithm.pszObjId, szOID_ECC_PUBLIC_KEY) == 0) {
		*ecdsa = 1;
		/* The parameters are the curve's OID, DER-encoded. */
		static const BYTE p256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
					    0x3D, 0x03, 0x01, 0x07};
		if (info->Algorithm.Parameters.cbData != sizeof p256 ||
		    memcmp(info->Algorithm.Parameters.pbData, p256,
			   sizeof p256) != 0)
			curve = "another curve";
	} else if (strcmp(info->Algorithm.pszObjId, szOID_RSA_RSA) == 0) {
		*ecdsa = 0;
	} else {
		snprintf(why, why_size, "the key is neither ECDSA P-256 nor "
			 "RSA");
		LocalFree(info);
		return NULL;
	}
	if (curve != NULL) {
		snprintf(why, why_size, "the EC key is on %s; tlsward "
			 "verifies P-256 (prime256v1)", curve);
		LocalFree(info);
		return NULL;
	}
	if (!*ecdsa) {
		/* The modulus size, from crypt32's decoding of the key
		 * (Wine's bcrypt has no BCRYPT_KEY_LENGTH for RSA keys). */
		BYTE *blob = NULL;
		DWORD blob_len = 0;

		if (a->CryptDecodeObjectEx(X509_ASN_ENCODING, RSA_CSP_PUBLICKEYBLOB,
					info->PublicKey.pbData,
					info->PublicKey.cbData,
					CRYPT_DECODE_ALLOC_FLAG, NULL, &blob,
					&blob_len)) {
			if (blob_len >= sizeof(BLOBHEADER) + sizeof(RSAPUBKEY))
				bits = ((const RSAPUBKEY *)(blob +
							    sizeof(BLOBHEADER)))
					       ->bitlen;
			LocalFree(blob);
		}
		if (bits < 2048 || bits > 4096) {
			snprintf(why, why_size, "the RSA key has %lu bits; "
				 "tlsward verifies 2048 to 4096",
				 (unsigned long)bits);
			LocalFree(info);
			return NULL;
		}
	}
	if (!a->CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING, info, 0, NULL,
					    &h)) {
		snprintf(why, why_size, "the key cannot be imported (error "
			 "%lu)", (unsigned long)GetLastError());
		LocalFree(info);
		return NULL;
	}
	LocalFree(info);
	return h;
}

int tlsr_sig_key_check(const char *key, size_t key_len, char *why,
		       size_t why_size)
{
	int ecdsa = 0;
	struct api a;
	BCRYPT_KEY_HANDLE h;

	if (api_open(&a, why, why_size) != 0)
		return TLSR_ESYSTEM;
	h = load_key(&a, key, key_len, &ecdsa, why, why_size);
	if (h != NULL)
		a.BCryptDestroyKey(h);
	api_close(&a);
	return h != NULL ? TLSR_OK : TLSR_EKEY;
}

/* DER SEQUENCE { r, s } into the 64 bytes r || s CNG verifies. */
static int ecdsa_raw(const struct api *a, const void *sig, size_t sig_len,
		     BYTE raw[64])
{
	CERT_ECC_SIGNATURE *es = NULL;
	DWORD es_len = 0, i;
	int ok = 0;

	if (!a->CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ECC_SIGNATURE,
				 (const BYTE *)sig, (DWORD)sig_len,
				 CRYPT_DECODE_ALLOC_FLAG, NULL, &es, &es_len))
		return 0;
	/* crypt32 gives r and s little-endian, leading zeros dropped. */
	if (es->r.cbData <= 32 && es->s.cbData <= 32) {
		memset(raw, 0, 64);
		for (i = 0; i < es->r.cbData; i++)
			raw[31 - i] = es->r.pbData[i];
		for (i = 0; i < es->s.cbData; i++)
			raw[63 - i] = es->s.pbData[i];
		ok = 1;
	}
	LocalFree(es);
	return ok;
}

int tlsr_sig_verify(const char *key, size_t key_len, const void *data,
		    size_t len, const void *sig, size_t sig_len,
		    unsigned char digest[32], char *why, size_t why_size)
{
	BCRYPT_PKCS1_PADDING_INFO pkcs1 = {BCRYPT_SHA256_ALGORITHM};
	BCRYPT_KEY_HANDLE h;
	NTSTATUS st;
	BYTE raw[64];
	int ecdsa = 0, rc;
	struct api a;

	if (tlsr_win_sha256(data, len, digest, why, why_size) != 0)
		return TLSR_ENOMEM;
	if (api_open(&a, why, why_size) != 0)
		return TLSR_ESYSTEM;
	h = load_key(&a, key, key_len, &ecdsa, why, why_size);
	if (h == NULL) {
		rc = TLSR_EKEY;
		goto out;
	}
	rc = TLSR_ESIG;
	if (sig == NULL || sig_len == 0 || sig_len > TLSR_SIG_MAX_BYTES) {
		snprintf(why, why_size, "the signature is empty or larger "
			 "than %u bytes", TLSR_SIG_MAX_BYTES);
		goto out;
	}
	if (ecdsa) {
		if (!ecdsa_raw(&a, sig, sig_len, raw)) {
			snprintf(why, why_size, "the signature is not a DER "
				 "ECDSA signature, as `openssl dgst -sha256 "
				 "-sign` writes");
			goto out;
		}
		st = a.BCryptVerifySignature(h, NULL, digest, 32, raw, 64, 0);
	} else {
		st = a.BCryptVerifySignature(h, &pkcs1, digest, 32,
					     (PUCHAR)sig, (ULONG)sig_len,
					     BCRYPT_PAD_PKCS1);
	}
	if (NT_SUCCESS(st))
		rc = TLSR_OK;
	else
		snprintf(why, why_size, "the signature does not match the "
			 "policy and the installed key");
out:
	if (h != NULL)
		a.BCryptDestroyKey(h);
	api_close(&a);
	return rc;
}
