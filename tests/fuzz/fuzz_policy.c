/* tlsward fuzz target: the YAML policy loader. Besides crashes it checks
 * what the loader promises: every rejection is located, nothing accepted
 * breaks the safety floor. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "policy.h"

static int floor_holds(const struct tlsr_policy *p)
{
	unsigned ssl2 = TLSR_PROTO_BIT(TLSR_PROTO_SSL2);
	unsigned tls12 = TLSR_PROTO_BIT(TLSR_PROTO_TLS12);

	return p->version == 1 &&
	       (p->winhttp.default_secure_protocols & 0x800u) &&
	       !(p->winhttp.default_secure_protocols & 0x8u) &&
	       !(p->winhttp.default_secure_protocols &
		 ~(uint32_t)TLSR_WINHTTP_KNOWN_BITS) &&
	       !(p->schannel.enable & ssl2) && !(p->winhttp.keep & ssl2) &&
	       !(p->schannel.disable & tls12) &&
	       !(p->schannel.disable & p->winhttp.keep) &&
	       !(p->schannel.enable & p->schannel.disable) &&
	       p->schannel.sides != 0 && p->check.jitter <= p->check.interval &&
	       p->restart.window_start < 1440 && p->restart.window_end < 1440 &&
	       p->restart.window_start != p->restart.window_end &&
	       memchr(p->restart.message, '\0', sizeof p->restart.message) &&
	       memchr(p->source.path, '\0', sizeof p->source.path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsr_policy p;
	struct tlsr_diag diag;
	tlsr_err err;

	memset(&diag, 0, sizeof diag);
	err = tlsr_policy_load_buffer("fuzz", (const char *)data, size, &p,
				      &diag);
	if (err == TLSR_OK) {
		if (!floor_holds(&p))
			abort();
	} else if (err == TLSR_EPOLICY || err == TLSR_ETOOBIG) {
		if (diag.line == 0 || diag.col == 0 || diag.message[0] == '\0')
			abort();
	} else if (err != TLSR_ENOMEM) {
		abort();
	}
	return 0;
}
