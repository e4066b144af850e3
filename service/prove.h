/* tlsward: the service's side of the proof on the wire. The service runs
 * `tlsward probe --record` in a child process (probe_win.c); this module
 * turns the records it leaves under SOFTWARE\tlsward\Proof into Status
 * values and into events 4000 (proven) and 4001 (failed), reported once per
 * change of outcome. Portable: registry function table and the event log
 * interface only. */
#ifndef TLSR_PROVE_H
#define TLSR_PROVE_H

#include "eventlog.h"
#include "proof.h"
#include "status.h"

struct tlsr_prove {
	/* The outcome last reported, as Status ProofResult spells it
	 * ("proven", or "failed: WHY"); "" before the first. */
	char last[1100];
};

/* Starts from the outcome Status last recorded, so a service restart does
 * not report the same outcome again. */
void tlsr_prove_init(struct tlsr_prove *pv, struct tlsr_registry *reg);

/* After a probe: judges p's endpoints from the records of this boot and
 * reports 4000 or 4001 when the outcome differs from the last one
 * reported. Returns 1 when every endpoint is proven. */
int tlsr_prove_report(struct tlsr_prove *pv, struct tlsr_registry *reg,
		      const struct tlsr_policy *p, struct tlsr_eventlog *log);

/* Fills st's proof fields (none when p lists no endpoints). */
void tlsr_prove_status(struct tlsr_status *st, struct tlsr_registry *reg,
		       const struct tlsr_policy *p);

#endif
