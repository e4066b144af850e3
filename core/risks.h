/* tlsward: the risks check and plan report (core internal). */
#ifndef TLSR_RISKS_H
#define TLSR_RISKS_H

#include "tlsr.h"

/* Policy key the "SSL Cipher Suite Order" group policy writes, HKLM. */
#define TLSR_CIPHER_POLICY_KEY                                                 \
	"SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\000" \
	"10002"

/* WinINet's SecureProtocols, the machine value and the policy. */
#define TLSR_WININET_KEY                                                       \
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
#define TLSR_WININET_POLICY_KEY                                                \
	"SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet "  \
	"Settings"

/* Fills r->risks, r->n_risks and r->critical from the registry, the OS row
 * (r->os) and whether TLS 1.2 is in effect per component, restarts aside
 * (effective[]): what holds once the owed restart has happened. */
tlsr_err tlsr_risks_assess(struct tlsr_registry *reg,
			   const struct tlsr_policy *p, struct tlsr_report *r,
			   const int effective[TLSR_COMP_COUNT]);

/* Whether a cipher suite list (names separated by commas, blanks or NULs)
 * has a TLS 1.2 suite a Configuration Manager server with an RSA
 * certificate offers. */
int tlsr_ciphers_have_tls12(const char *list);

#endif
