/* tlsward: proof outcomes to Status and events (prove.h). */
#include "prove.h"

#include <stdio.h>
#include <string.h>

/* "proven", or "failed: WHY": the Status ProofResult text and the key
 * that tells one outcome from another. */
static void outcome(const struct tlsr_proof_summary *sum, char *buf,
		    size_t size)
{
	if (sum->proven)
		snprintf(buf, size, "proven");
	else
		snprintf(buf, size, "failed: %s", sum->why);
}

void tlsr_prove_init(struct tlsr_prove *pv, struct tlsr_registry *reg)
{
	if (tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				TLSR_ST_PROOF_RESULT, pv->last,
				sizeof pv->last) != TLSR_OK)
		pv->last[0] = '\0';
}

int tlsr_prove_report(struct tlsr_prove *pv, struct tlsr_registry *reg,
		      const struct tlsr_policy *p, struct tlsr_eventlog *log)
{
	struct tlsr_proof_summary sum;
	struct tlsr_event_fields f = {0};
	char now[sizeof pv->last];

	if (p->proof.n_endpoints == 0)
		return 1;
	tlsr_proof_summarize(reg, p, NULL, &sum);
	outcome(&sum, now, sizeof now);
	if (strcmp(now, pv->last) == 0)
		return sum.proven;
	snprintf(pv->last, sizeof pv->last, "%s", now);
	f.v[TLSR_EF_ENDPOINT] = sum.endpoint;
	if (sum.proven) {
		f.v[TLSR_EF_PROTOCOL] = sum.record.protocol;
		f.v[TLSR_EF_REASON] = sum.record.detail;
		tlsr_eventlog_report(log, TLSR_EV_PROOF_PROVEN, &f);
	} else {
		/* The summary's reason starts with the endpoint; the event
		 * names it in its own field. */
		size_t n = strlen(sum.endpoint);
		const char *why = sum.why;

		if (n > 0 && strncmp(why, sum.endpoint, n) == 0) {
			why += n;
			why += strspn(why, ": ");
		}
		f.v[TLSR_EF_REASON] = why;
		f.v[TLSR_EF_IN_FORCE] =
			p->proof.require_for_legacy_off
				? "Legacy protocols are not turned off until "
				  "a proof succeeds."
				: "proof.require_for_legacy_off is false: "
				  "nothing waits for the proof.";
		tlsr_eventlog_report(log, TLSR_EV_PROOF_FAILED, &f);
	}
	return sum.proven;
}

void tlsr_prove_status(struct tlsr_status *st, struct tlsr_registry *reg,
		       const struct tlsr_policy *p)
{
	struct tlsr_proof_summary sum;

	st->proof_listed = p->proof.n_endpoints > 0;
	if (!st->proof_listed)
		return;
	tlsr_proof_summarize(reg, p, NULL, &sum);
	st->proven = sum.proven;
	snprintf(st->proof_endpoint, sizeof st->proof_endpoint, "%s",
		 sum.endpoint);
	snprintf(st->proof_time, sizeof st->proof_time, "%s",
		 sum.has_record ? sum.record.time : "");
	snprintf(st->proof_protocol, sizeof st->proof_protocol, "%s",
		 sum.has_record ? sum.record.protocol : "");
	outcome(&sum, st->proof_result, sizeof st->proof_result);
}
