/* tlsward: strict YAML policy loading (libyaml). The struct itself is
 * core's struct tlsr_policy. */
#ifndef TLSR_POLICY_H
#define TLSR_POLICY_H

#include <stddef.h>

#include "tlsr.h"

/* Largest policy accepted, in bytes. */
#define TLSR_POLICY_MAX_BYTES (64u * 1024u)

/* Loads and validates a policy file. On failure returns TLSR_EPOLICY (or
 * TLSR_EIO / TLSR_ETOOBIG), fills diag with FILE:LINE:COL and leaves *out
 * untouched. Unknown keys, anchors, aliases, tags, duplicate keys, multiple
 * documents and the safety floor (TLS 1.2 stays on, SSL 2.0 stays off, kept
 * protocols stay usable) are rejected. */
tlsr_err tlsr_policy_load_file(const char *path, struct tlsr_policy *out,
			       struct tlsr_diag *diag);
/* The same for a buffer; label names it in diag. */
tlsr_err tlsr_policy_load_buffer(const char *label, const char *buf,
				 size_t len, struct tlsr_policy *out,
				 struct tlsr_diag *diag);

#endif
