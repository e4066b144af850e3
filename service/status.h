/* tlsward: the service's Status key (HKLM\SOFTWARE\tlsward\Status), the
 * record Configuration Manager inventory and `tlsward status` read. This
 * module is its only writer: compliance, counters, the policy in force, the
 * last error and the restart state all go through tlsr_status_write. Names
 * are core/names.h's.
 *
 * LastCheck marks a complete record: it is deleted before the other values
 * are written and written last, so a reader that finds LastCheck reads a
 * record written whole by one pass (and a failed write leaves no LastCheck,
 * never a mix that looks complete). */
#ifndef TLSR_STATUS_H
#define TLSR_STATUS_H

#include "tlsr.h"

struct tlsr_status {
	int compliant;
	char last_check[32];     /* ISO-8601 UTC */
	char policy_source[1024];
	char policy_hash[65];    /* SHA-256 hex of the policy file bytes */
	char policy_cache_source[1024]; /* where the cached policy came from */
	char mode[16];           /* "enforce" or "audit" */
	int blocked;
	char blocked_reasons[1024];
	int ready_for_server;    /* the report's: TLS 1.2 in all three */
	int ready;               /* ReadyForServer: that, and nothing owed */
	int tls12[TLSR_COMP_COUNT];
	unsigned drifts;         /* drifts seen since installation */
	unsigned remediations;   /* values rewritten since installation */
	unsigned conflicts;      /* conflicts (2005) since installation */
	unsigned passes;         /* completed passes since installation */
	char last_error[512];    /* the last internal failure, "" when none */
	/* The restart owed (restart.c). */
	int restart_pending;
	char restart_owed[1024]; /* ids, NUL-separated, "" when none */
	size_t restart_owed_len; /* bytes of restart_owed, with NULs */
	/* The report's risks (core/risks.c): RiskCritical and Risks, one
	 * "severity id: message" entry each, NUL-separated. */
	int risk_critical;
	char risks[1900];
	size_t risks_len; /* bytes of risks, with NULs */
	char restart_reason[256];
	char restart_time[32];   /* ISO-8601 UTC, "" when not scheduled */
	char restart_boot_id[64];
	char restart_attempt[400];
	/* The proof on the wire (prove.c): Proven, ProofTime, ProofEndpoint,
	 * ProofProtocol and ProofResult, written when the policy lists
	 * endpoints and removed when it does not. */
	int proof_listed;
	int proven;
	char proof_time[32];
	char proof_endpoint[TLSR_PROOF_URL_MAX];
	char proof_protocol[16];
	char proof_result[1100];
	/* The service process's memory when the record was written, in
	 * bytes (env.h's memory): PrivateBytes and WorkingSet, REG_QWORD. 0:
	 * the platform could not say, and the value is removed. */
	uint64_t private_bytes;
	uint64_t working_set;
};

/* Copies compliance, blocking and TLS 1.2 state from a report into st;
 * the other fields are the caller's. */
void tlsr_status_from_report(struct tlsr_status *st,
			     const struct tlsr_report *r);

/* Writes every field of st under TLSR_KEY_STATUS (creating the key), with
 * Version set to this build's version; empty optional texts are removed.
 * LastCheck is written last (see above). Stops at the first failure and
 * returns it; reg->message says which value. */
tlsr_err tlsr_status_write(struct tlsr_registry *reg,
			   const struct tlsr_status *st);

/* After a fast-path heal that left every value as the last pass found it:
 * the rest of the record still holds, so only the counters change, then
 * LastCheck (still written last). */
tlsr_err tlsr_status_write_counters(struct tlsr_registry *reg,
				    const struct tlsr_status *st);

/* Reads back what a restarted service continues from: the counters (0 when
 * absent), the restart values and PolicyCacheSource. Fields not found are
 * left zero. */
void tlsr_status_read(struct tlsr_registry *reg, struct tlsr_status *st);

#endif
