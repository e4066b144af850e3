/* tlsward fuzz target: the local floor loader, and the floor check of the
 * seed policy against whatever floor loads. Every rejection is located;
 * an accepted floor holds no contradiction (a protocol both required and
 * forbidden, SSL 2.0 required, TLS 1.2 forbidden). */
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "fuzz.h"

static const char seed[] =
	"version: 1\n"
	"winhttp:\n"
	"  default_secure_protocols: 0xA00\n"
	"  keep: []\n"
	"schannel:\n"
	"  disable: [ssl2, ssl3, tls1.0]\n"
	"source:\n"
	"  path: '\\\\cm01\\tlsward$\\policy.yaml'\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsr_policy p;
	struct tlsr_floor f;
	struct tlsr_diag diag;
	char text[1024];
	tlsr_err err;

	memset(&diag, 0, sizeof diag);
	err = tlsr_floor_load_buffer("fuzz", (const char *)data, size, &f,
				     &diag);
	if (err == TLSR_OK) {
		if ((f.require & f.forbid) ||
		    (f.require & TLSR_PROTO_BIT(TLSR_PROTO_SSL2)) ||
		    (f.forbid & TLSR_PROTO_BIT(TLSR_PROTO_TLS12)) ||
		    f.n_sources > TLSR_FLOOR_MAX_SOURCES)
			abort();
		tlsr_floor_describe(&f, text, sizeof text);
		memset(&diag, 0, sizeof diag);
		err = tlsr_policy_load_buffer_floor("seed", seed,
						    sizeof seed - 1, &f, &p,
						    &diag);
		if (err != TLSR_OK &&
		    (err != TLSR_EPOLICY || diag.line == 0 ||
		     strstr(diag.message, "(local floor: ") == NULL))
			abort();
	} else if (err == TLSR_EPOLICY || err == TLSR_ETOOBIG) {
		if (diag.line == 0 || diag.col == 0 || diag.message[0] == '\0')
			abort();
	} else if (err != TLSR_ENOMEM) {
		abort();
	}
	return 0;
}
