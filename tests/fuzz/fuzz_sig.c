/* tlsward fuzz target: the signature path of tlsr_policy_accept, from
 * hostile bytes. The input is split at the first two 0xFF bytes into a
 * public key (PEM), a signature and a policy; with no 0xFF the input is the
 * signature, checked against a fixed P-256 key and policy. A hostile key,
 * signature or policy must be refused, located, and never accepted. */
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "fuzz.h"

static const char key[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEejJKyHMgn9cKyoI6UzDBcmWWP8+O\n"
	"EUivFZDqYDTGJVeHTU0lXP4GTf3W/2L/BnZKpunrNb9ponXE0YpTyIXGNQ==\n"
	"-----END PUBLIC KEY-----\n";
static const char policy[] = "version: 1\nserial: 3\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *k = (const uint8_t *)key, *s = data,
		      *p = (const uint8_t *)policy;
	size_t kl = sizeof key - 1, sl = size, pl = sizeof policy - 1;
	const uint8_t *a = memchr(data, 0xFF, size), *b = NULL;
	struct tlsr_accept_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_diag diag;
	char *kbuf;
	tlsr_err err;

	if (a != NULL)
		b = memchr(a + 1, 0xFF, size - (size_t)(a + 1 - data));
	if (a != NULL && b != NULL) {
		k = data;
		kl = (size_t)(a - data);
		s = a + 1;
		sl = (size_t)(b - s);
		p = b + 1;
		pl = size - (size_t)(p - data);
	}
	/* The service hands the key over NUL-terminated, as read from the
	 * registry. */
	kbuf = malloc(kl + 1);
	if (kbuf == NULL)
		return 0;
	memcpy(kbuf, k, kl);
	kbuf[kl] = '\0';
	memset(&rules, 0, sizeof rules);
	rules.key = kbuf;
	rules.key_len = kl;
	memset(&diag, 0, sizeof diag);
	err = tlsr_policy_accept("fuzz", (const char *)p, pl, s, sl, &rules,
				 &acc, &diag);
	free(kbuf);
	/* Nobody can forge a P-256 signature by fuzzing: only a key the
	 * fuzzer wrote itself could verify, so acceptance with the fixed
	 * key is a bug. */
	if (err == TLSR_OK && k == (const uint8_t *)key)
		abort();
	if (err == TLSR_EPOLICY &&
	    (diag.line == 0 || diag.col == 0 || diag.message[0] == '\0'))
		abort();
	if (err != TLSR_OK && err != TLSR_EPOLICY && err != TLSR_ETOOBIG &&
	    err != TLSR_ENOMEM)
		abort();
	return 0;
}
