/* tlsward: a machine's own rules for policies, as installed under
 * HKLM\SOFTWARE\tlsward\Parameters: the local floor (Floor), the policy key
 * (PolicyKey) and the last signed policy accepted (PolicySerial,
 * PolicySha256). Portable: read through the registry function table. */
#ifndef TLSR_MACHINE_H
#define TLSR_MACHINE_H

#include "accept.h"
#include "registry.h"

struct tlsr_machine_rules {
	struct tlsr_accept_rules rules; /* what tlsr_policy_accept gets */
	struct tlsr_floor floor;
	char *key;       /* PEM text, malloc'd; NULL without a key */
	int has_floor;
	int broken;      /* a floor or key is set but unusable */
	struct tlsr_diag broken_why;
};

/* Reads the rules. A floor or key that is set but cannot be read or is
 * invalid makes the rules "broken": every policy is then refused (fail
 * closed) with broken_why, and the last good policy stays. */
void tlsr_machine_rules_load(struct tlsr_registry *reg,
			     struct tlsr_machine_rules *m);
void tlsr_machine_rules_free(struct tlsr_machine_rules *m);

/* tlsr_policy_accept under the machine's rules. */
tlsr_err tlsr_machine_accept(const struct tlsr_machine_rules *m,
			     const char *label, const char *text, size_t len,
			     const void *sig, size_t sig_len,
			     struct tlsr_accepted *out, struct tlsr_diag *diag);

/* Records a signed policy put in force (serial and SHA-256), so a lower
 * serial is refused from now on, across restarts. No-op for unsigned. */
tlsr_err tlsr_machine_note_accepted(struct tlsr_registry *reg,
				    const struct tlsr_accepted *a);

/* "require [tls1.2], forbid [ssl3] (Parameters\Floor)" or "none", and
 * "ECDSA P-256 key, last serial 7" style text, for `tlsward status`. */
void tlsr_machine_describe(const struct tlsr_machine_rules *m, char *floor,
			   size_t floor_size, char *key, size_t key_size);

/* For `service install --floor FILE --policy-key PUB.pem`: reads and
 * checks each file given (NULL: not given) and returns its text, to be
 * stored in Parameters (caller frees). TLSR_OK, or an error with diag. */
tlsr_err tlsr_machine_prepare(const char *floor_path, const char *key_path,
			      char **floor_text, char **key_text,
			      struct tlsr_diag *diag);

#endif
