/* tlsward: policy signatures off Windows, with OpenSSL's libcrypto. The
 * Windows build uses win/sig_win.c (CNG) instead; both accept the same keys
 * and signatures, those `openssl dgst -sha256 -sign` makes. */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "accept.h"

/* The key, parsed and held to what both platforms verify: ECDSA on P-256,
 * or RSA of 2048 to 4096 bits. NULL with why set otherwise. */
static EVP_PKEY *load_key(const char *key, size_t key_len, char *why,
			  size_t why_size)
{
	char group[64] = "";
	EVP_PKEY *pk;
	BIO *bio;
	int bits;

	if (key == NULL || key_len == 0 || key_len > TLSR_KEY_MAX_BYTES) {
		snprintf(why, why_size, "no public key, or one larger than %u "
			 "bytes", TLSR_KEY_MAX_BYTES);
		return NULL;
	}
	bio = BIO_new_mem_buf(key, (int)key_len);
	if (bio == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pk == NULL) {
		snprintf(why, why_size, "not a PEM public key (\"-----BEGIN "
			 "PUBLIC KEY-----\", as `openssl pkey -pubout` "
			 "writes)");
		return NULL;
	}
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, group, sizeof group, NULL) &&
		    strcmp(group, "prime256v1") == 0)
			return pk;
		snprintf(why, why_size, "the EC key is on %s; tlsward "
			 "verifies P-256 (prime256v1)",
			 group[0] ? group : "an unnamed curve");
		break;
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pk);
		if (bits >= 2048 && bits <= 4096)
			return pk;
		snprintf(why, why_size, "the RSA key has %d bits; tlsward "
			 "verifies 2048 to 4096", bits);
		break;
	default:
		snprintf(why, why_size, "the key is neither ECDSA P-256 nor "
			 "RSA");
		break;
	}
	EVP_PKEY_free(pk);
	return NULL;
}

int tlsr_sig_key_check(const char *key, size_t key_len, char *why,
		       size_t why_size)
{
	EVP_PKEY *pk = load_key(key, key_len, why, why_size);

	if (pk == NULL)
		return TLSR_EKEY;
	EVP_PKEY_free(pk);
	return TLSR_OK;
}

int tlsr_sig_verify(const char *key, size_t key_len, const void *data,
		    size_t len, const void *sig, size_t sig_len,
		    unsigned char digest[32], char *why, size_t why_size)
{
	unsigned int dlen = 32;
	EVP_MD_CTX *ctx;
	EVP_PKEY *pk;
	int rc;

	if (!EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL)) {
		snprintf(why, why_size, "SHA-256 failed");
		return TLSR_ENOMEM;
	}
	pk = load_key(key, key_len, why, why_size);
	if (pk == NULL)
		return TLSR_EKEY;
	if (sig == NULL || sig_len == 0 || sig_len > TLSR_SIG_MAX_BYTES) {
		EVP_PKEY_free(pk);
		snprintf(why, why_size, "the signature is empty or larger "
			 "than %u bytes", TLSR_SIG_MAX_BYTES);
		return TLSR_ESIG;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		EVP_PKEY_free(pk);
		snprintf(why, why_size, "out of memory");
		return TLSR_ENOMEM;
	}
	rc = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) == 1 &&
	     EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (rc)
		return TLSR_OK;
	snprintf(why, why_size, "the signature does not match the policy "
		 "and the installed key");
	return TLSR_ESIG;
}
