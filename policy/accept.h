/* tlsward: what a policy must pass before it is used. A local floor set by
 * the machine's administrators (floor.c), a detached signature made with
 * `openssl dgst -sha256 -sign` (sig_openssl.c, win/sig_win.c) and a serial
 * that never goes down (accept.c). The CLI and the service's policy source
 * both call tlsr_policy_accept, so they take and refuse the same files. */
#ifndef TLSR_ACCEPT_H
#define TLSR_ACCEPT_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Largest floor file and public key accepted, in bytes. */
#define TLSR_FLOOR_MAX_BYTES (16u * 1024u)
#define TLSR_KEY_MAX_BYTES (16u * 1024u)
/* Largest signature file: an RSA-4096 signature is 512 bytes. */
#define TLSR_SIG_MAX_BYTES 1024u
#define TLSR_FLOOR_MAX_SOURCES 8

/* A loaded floor. Rules name TLSR_PROTO_BIT masks; each rule remembers
 * where the floor file set it, for messages. */
struct tlsr_floor {
	unsigned require; /* never disabled, always offered by WinHTTP */
	unsigned forbid;  /* turned off in SChannel, never enabled or kept */
	int enforce;      /* mode must stay enforce */
	size_t n_sources;
	char sources[TLSR_FLOOR_MAX_SOURCES][260]; /* source.path prefixes */
	char label[260];                           /* the floor's file */
};

/* Loads a floor file (YAML, as strict as a policy: unknown keys, anchors,
 * aliases, tags, duplicates are refused). On failure returns TLSR_EPOLICY,
 * TLSR_EIO or TLSR_ETOOBIG with diag at FILE:LINE:COL. */
tlsr_err tlsr_floor_load_buffer(const char *label, const char *buf,
				size_t len, struct tlsr_floor *out,
				struct tlsr_diag *diag);
tlsr_err tlsr_floor_load_file(const char *path, struct tlsr_floor *out,
			      struct tlsr_diag *diag);
/* 1 when path (a policy's source.path) is under one of the floor's
 * sources, compared without case and with / as \; a path with a "." or
 * ".." component never is. 1 when the floor lists no sources. */
int tlsr_floor_path_allowed(const struct tlsr_floor *f, const char *path);
/* "require [tls1.2], forbid [ssl2, ssl3], mode enforce, sources [...]". */
void tlsr_floor_describe(const struct tlsr_floor *f, char *buf, size_t size);

/* tlsr_policy_load_* with a floor (NULL: none). A policy below the floor is
 * refused with "FILE:LINE:COL: ... (local floor: RULE, FLOOR-FILE)". */
tlsr_err tlsr_policy_load_buffer_floor(const char *label, const char *buf,
				       size_t len,
				       const struct tlsr_floor *floor,
				       struct tlsr_policy *out,
				       struct tlsr_diag *diag);
tlsr_err tlsr_policy_load_file_floor(const char *path,
				     const struct tlsr_floor *floor,
				     struct tlsr_policy *out,
				     struct tlsr_diag *diag);

/* Signature check, by the platform's library (OpenSSL's libcrypto off
 * Windows, CNG and crypt32 on Windows). key is a PEM "PUBLIC KEY"
 * (SubjectPublicKeyInfo) holding an ECDSA P-256 or an RSA key of 2048 to
 * 4096 bits; sig is what `openssl dgst -sha256 -sign` writes (DER for
 * ECDSA, PKCS#1 v1.5 for RSA). digest receives SHA-256 of data.
 * Returns TLSR_OK when the signature is valid; TLSR_ESIG when it is not
 * (why says so); TLSR_EKEY when the key is unusable; TLSR_ENOMEM. */
enum { TLSR_ESIG = 100, TLSR_EKEY = 101 };
int tlsr_sig_verify(const char *key, size_t key_len, const void *data,
		    size_t len, const void *sig, size_t sig_len,
		    unsigned char digest[32], char *why, size_t why_size);
/* Checks a public key alone: 0, or TLSR_EKEY with why. */
int tlsr_sig_key_check(const char *key, size_t key_len, char *why,
		       size_t why_size);

/* What a machine requires of a policy. */
struct tlsr_accept_rules {
	const struct tlsr_floor *floor; /* NULL: no local floor */
	const char *key;                /* PEM public key; NULL: unsigned ok */
	size_t key_len;
	unsigned last_serial;           /* the last signed policy accepted */
	unsigned char last_digest[32];  /* its SHA-256 (when last_serial) */
};

/* What was accepted. */
struct tlsr_accepted {
	struct tlsr_policy policy;
	int signed_ok;           /* a signature was required and valid */
	unsigned serial;         /* the policy's serial (0: none) */
	unsigned char digest[32];/* SHA-256 of the policy (signed only) */
};

/* Loads the policy text, checks the floor, and, when rules->key is set,
 * the detached signature sig (NULL: none found) and the serial: a signed
 * policy must carry `serial`, not lower than rules->last_serial, and a
 * serial equal to it must come with the same text. On refusal returns
 * TLSR_EPOLICY (or the loader's error) with diag "FILE:LINE:COL: reason";
 * unsigned, bad signature and replay name themselves in the reason. */
tlsr_err tlsr_policy_accept(const char *label, const char *text, size_t len,
			    const void *sig, size_t sig_len,
			    const struct tlsr_accept_rules *rules,
			    struct tlsr_accepted *out, struct tlsr_diag *diag);
/* The same for a file: reads PATH and, when a key is set, PATH.sig. */
tlsr_err tlsr_policy_accept_file(const char *path,
				 const struct tlsr_accept_rules *rules,
				 struct tlsr_accepted *out,
				 struct tlsr_diag *diag);
/* Reads a whole small file into a malloc'd buffer (NUL added, not
 * counted). TLSR_EIO when missing (errno kept), TLSR_ETOOBIG above max. */
tlsr_err tlsr_accept_read_file(const char *path, size_t max, char **out,
			      size_t *len);

#endif
