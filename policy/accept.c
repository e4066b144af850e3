/* tlsward: the one gate a policy passes before the CLI or the service uses
 * it: the loader and the safety floor, the local floor, and, where a policy
 * key is installed, the detached signature and the serial. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"

tlsr_err tlsr_accept_read_file(const char *path, size_t max, char **out,
			       size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;
	int saved;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return TLSR_EIO;
	buf = malloc(max + 2);
	if (buf == NULL) {
		fclose(f);
		return TLSR_ENOMEM;
	}
	/* One byte more than allowed tells a file at the limit from a
	 * larger one. */
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		free(buf);
		errno = saved;
		return TLSR_EIO;
	}
	fclose(f);
	if (n > max) {
		free(buf);
		return TLSR_ETOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return TLSR_OK;
}

static void hex(const unsigned char *d, size_t n, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[d[i] >> 4];
		buf[2 * i + 1] = digits[d[i] & 15];
	}
	buf[2 * n] = '\0';
}

tlsr_err tlsr_policy_accept(const char *label, const char *text, size_t len,
			    const void *sig, size_t sig_len,
			    const struct tlsr_accept_rules *rules,
			    struct tlsr_accepted *out, struct tlsr_diag *diag)
{
	struct tlsr_accepted a;
	char why[256], sha[65];
	tlsr_err err;
	int rc;

	label = label ? label : "<policy>";
	memset(&a, 0, sizeof a);
	/* The signature first: an unsigned or forged file is not parsed
	 * further than it must be, and its reason says what is wrong. */
	if (rules != NULL && rules->key != NULL) {
		if (sig == NULL) {
			tlsr_diag_set(diag, label, 1, 1,
				      "unsigned: no signature %s.sig next to "
				      "it, and this machine accepts only "
				      "signed policies",
				      label);
			return TLSR_EPOLICY;
		}
		rc = tlsr_sig_verify(rules->key, rules->key_len, text, len,
				     sig, sig_len, a.digest, why, sizeof why);
		if (rc == TLSR_EKEY) {
			tlsr_diag_set(diag, label, 1, 1,
				      "bad signature: the installed policy "
				      "key is unusable: %s",
				      why);
			return TLSR_EPOLICY;
		}
		if (rc != TLSR_OK) {
			tlsr_diag_set(diag, label, 1, 1, "bad signature: %s",
				      why);
			return rc == TLSR_ENOMEM ? TLSR_ENOMEM : TLSR_EPOLICY;
		}
		a.signed_ok = 1;
	}
	err = tlsr_policy_load_buffer_floor(label, text, len,
					    rules ? rules->floor : NULL,
					    &a.policy, diag);
	if (err != TLSR_OK)
		return err;
	a.serial = a.policy.serial;
	if (a.signed_ok) {
		if (a.serial == 0) {
			tlsr_diag_set(diag, label, 1, 1,
				      "a signed policy needs a serial (a "
				      "number raised with every release, "
				      "like \"serial: 2026113001\")");
			return TLSR_EPOLICY;
		}
		if (a.serial < rules->last_serial) {
			tlsr_diag_set(diag, label, 1, 1,
				      "replayed: serial %u is older than the "
				      "last accepted serial %u",
				      a.serial, rules->last_serial);
			return TLSR_EPOLICY;
		}
		if (a.serial == rules->last_serial &&
		    memcmp(a.digest, rules->last_digest, 32) != 0) {
			hex(a.digest, 8, sha);
			tlsr_diag_set(diag, label, 1, 1,
				      "replayed: serial %u was already "
				      "accepted with other text (this one "
				      "is sha256 %s...); raise the serial",
				      a.serial, sha);
			return TLSR_EPOLICY;
		}
	}
	if (out != NULL)
		*out = a;
	return TLSR_OK;
}

tlsr_err tlsr_policy_accept_file(const char *path,
				 const struct tlsr_accept_rules *rules,
				 struct tlsr_accepted *out,
				 struct tlsr_diag *diag)
{
	char *text = NULL, *sig = NULL, sigpath[1100];
	size_t len = 0, sig_len = 0;
	tlsr_err err;

	err = tlsr_accept_read_file(path, TLSR_POLICY_MAX_BYTES, &text, &len);
	if (err == TLSR_ETOOBIG) {
		tlsr_diag_set(diag, path, 1, 1,
			      "policy is larger than %u bytes",
			      TLSR_POLICY_MAX_BYTES);
		return err;
	}
	if (err != TLSR_OK) {
		tlsr_diag_set(diag, path, 0, 0, "cannot open the policy: %s",
			      err == TLSR_EIO ? strerror(errno)
					      : tlsr_strerror(err));
		return err;
	}
	if (rules != NULL && rules->key != NULL) {
		snprintf(sigpath, sizeof sigpath, "%s.sig", path);
		err = tlsr_accept_read_file(sigpath, TLSR_SIG_MAX_BYTES, &sig,
					    &sig_len);
		if (err == TLSR_ETOOBIG) {
			tlsr_diag_set(diag, path, 1, 1,
				      "bad signature: %s is larger than %u "
				      "bytes",
				      sigpath, TLSR_SIG_MAX_BYTES);
			free(text);
			return TLSR_EPOLICY;
		}
		if (err == TLSR_ENOMEM) {
			free(text);
			tlsr_diag_set(diag, path, 0, 0, "out of memory");
			return err;
		}
	}
	err = tlsr_policy_accept(path, text, len, sig, sig_len, rules, out,
				 diag);
	free(sig);
	free(text);
	return err;
}
