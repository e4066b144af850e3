/* tlsward: policy signatures on Windows, with crypt32 (PEM, the
 * SubjectPublicKeyInfo and the DER ECDSA signature) and CNG (SHA-256 and
 * BCryptVerifySignature). Windows 7 has every call used here; Wine's bcrypt
 * verifies both key kinds (tests/wine/test-policy-signed.sh). */
#include <windows.h>
#include <wincrypt.h>
#include <bcrypt.h>
#include <stdio.h>
#include <string.h>

#include "accept.h"

#ifndef NT_SUCCESS
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#endif

static int sha256(const void *data, size_t len, unsigned char digest[32])
{
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE h = NULL;
	int ok = 0;

	if (len > 0xFFFFFFFFu)
		return 0;
	if (!NT_SUCCESS(BCryptOpenAlgorithmProvider(
		    &alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)))
		return 0;
	if (NT_SUCCESS(BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0)) &&
	    NT_SUCCESS(BCryptHashData(h, (PUCHAR)data, (ULONG)len, 0)) &&
	    NT_SUCCESS(BCryptFinishHash(h, digest, 32, 0)))
		ok = 1;
	if (h != NULL)
		BCryptDestroyHash(h);
	BCryptCloseAlgorithmProvider(alg, 0);
	return ok;
}

/* The key as a CNG handle, held to ECDSA P-256 or RSA 2048-4096;
 * *ecdsa says which. */
static BCRYPT_KEY_HANDLE load_key(const char *key, size_t key_len,
				  int *ecdsa, char *why, size_t why_size)
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
	    !CryptStringToBinaryA(key, (DWORD)key_len,
				  CRYPT_STRING_BASE64HEADER, der, &der_len,
				  NULL, NULL) ||
	    !CryptDecodeObjectEx(X509_ASN_ENCODING, X509_PUBLIC_KEY_INFO, der,
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

		if (CryptDecodeObjectEx(X509_ASN_ENCODING, RSA_CSP_PUBLICKEYBLOB,
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
	if (!CryptImportPublicKeyInfoEx2(X509_ASN_ENCODING, info, 0, NULL,
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
	BCRYPT_KEY_HANDLE h = load_key(key, key_len, &ecdsa, why, why_size);

	if (h == NULL)
		return TLSR_EKEY;
	BCryptDestroyKey(h);
	return TLSR_OK;
}

/* DER SEQUENCE { r, s } into the 64 bytes r || s CNG verifies. */
static int ecdsa_raw(const void *sig, size_t sig_len, BYTE raw[64])
{
	CERT_ECC_SIGNATURE *es = NULL;
	DWORD es_len = 0, i;
	int ok = 0;

	if (!CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ECC_SIGNATURE,
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
	int ecdsa = 0;

	if (!sha256(data, len, digest)) {
		snprintf(why, why_size, "SHA-256 failed");
		return TLSR_ENOMEM;
	}
	h = load_key(key, key_len, &ecdsa, why, why_size);
	if (h == NULL)
		return TLSR_EKEY;
	if (sig == NULL || sig_len == 0 || sig_len > TLSR_SIG_MAX_BYTES) {
		BCryptDestroyKey(h);
		snprintf(why, why_size, "the signature is empty or larger "
			 "than %u bytes", TLSR_SIG_MAX_BYTES);
		return TLSR_ESIG;
	}
	if (ecdsa) {
		if (!ecdsa_raw(sig, sig_len, raw)) {
			BCryptDestroyKey(h);
			snprintf(why, why_size, "the signature is not a DER "
				 "ECDSA signature, as `openssl dgst -sha256 "
				 "-sign` writes");
			return TLSR_ESIG;
		}
		st = BCryptVerifySignature(h, NULL, digest, 32, raw, 64, 0);
	} else {
		st = BCryptVerifySignature(h, &pkcs1, digest, 32, (PUCHAR)sig,
					   (ULONG)sig_len, BCRYPT_PAD_PKCS1);
	}
	BCryptDestroyKey(h);
	if (NT_SUCCESS(st))
		return TLSR_OK;
	snprintf(why, why_size, "the signature does not match the policy "
		 "and the installed key");
	return TLSR_ESIG;
}
