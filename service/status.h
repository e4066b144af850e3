/* tlsward: the service's Status key (HKLM\SOFTWARE\tlsward\Status), written
 * after every check through any registry backend. Restart values
 * (RestartPending, RestartTime, ...) belong to the restart logic and the
 * engine; this module leaves them alone. */
#ifndef TLSR_STATUS_H
#define TLSR_STATUS_H

#include "tlsr.h"

struct tlsr_status {
	int compliant;
	char last_check[32];     /* ISO-8601 UTC */
	char policy_source[1024];
	char policy_hash[65];    /* SHA-256 hex of the policy file bytes */
	char mode[16];           /* "enforce" or "audit" */
	int blocked;
	char blocked_reasons[1024];
	int ready_for_server;
	int tls12[TLSR_COMP_COUNT];
	unsigned drifts;         /* drifts seen since installation */
	unsigned remediations;   /* values rewritten since installation */
	/* The proof on the wire (prove.c): Proven, ProofTime, ProofEndpoint,
	 * ProofProtocol and ProofResult, written when the policy lists
	 * endpoints and removed when it does not. */
	int proof_listed;
	int proven;
	char proof_time[32];
	char proof_endpoint[TLSR_PROOF_URL_MAX];
	char proof_protocol[16];
	char proof_result[1100];
};

/* Copies compliance, blocking and TLS 1.2 state from a report into st;
 * the other fields are the caller's. */
void tlsr_status_from_report(struct tlsr_status *st,
			     const struct tlsr_report *r);

/* Writes every field of st under TLSR_KEY_STATUS (creating the key), with
 * Version set to this build's version. Stops at the first failure and
 * returns it; reg->message says which value. */
tlsr_err tlsr_status_write(struct tlsr_registry *reg,
			   const struct tlsr_status *st);

/* Reads the Drifts and Remediations counters (0 when absent), so they
 * survive a service restart. */
void tlsr_status_read_counters(struct tlsr_registry *reg, unsigned *drifts,
			       unsigned *remediations);

#endif
