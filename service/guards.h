/* tlsward: the fast path. A full check reads every managed value, several
 * registry round trips each. When a watch fires, the values it covers that
 * tlsward already wrote (so their originals are journalled) and last found
 * as the policy wants are read through keys kept open, and a drifted one is
 * written back at once and read back, before anything else happens (a
 * deleted key is created again, as tlsr_apply's write creates it). Values
 * never written, blocked, deferred or backing off are left to the full
 * pass, which journals before writing. Everything goes through the
 * registry function table, so fault injection and the memory backend
 * cover it. */
#ifndef TLSR_GUARDS_H
#define TLSR_GUARDS_H

#include <stddef.h>
#include <stdint.h>

#include "conflict.h"
#include "env.h"
#include "tlsr.h"

/* A value the fast path re-asserts, or only looks at. */
struct tlsr_guard {
	const struct tlsr_setting *def;
	enum tlsr_view view;
	char id[128];
	int entry;            /* the watch that covers its key */
	struct tlsr_key *key; /* open for reading and writing (NULL for a
			       * value looked at as absent) */
	uint32_t expected;    /* what is written; for a value only looked
			       * at, the DWORD the full pass found */
	int look;             /* only looked at: the full pass found it as
			       * the policy wants, but the fast path may not
			       * write it (absent, the OS default; never
			       * written by tlsward, so not journalled; or a
			       * legacy value without the proof). Found as
			       * the full pass left it, it needs nothing;
			       * otherwise the full pass judges it. */
	int absent;           /* looked at, found absent */
	int journal_first;    /* found as the policy wants by the full pass,
			       * never written by tlsward (no journal
			       * entry): a drift of it is journalled, as
			       * the engine would, before it is put back */
	int hot;              /* drifted at its watch's last heal: read
			       * first */
	int hit;              /* drifted in this heal */
	int noted;            /* the ledger has heard of a write of expected
			       * since this guard was built: the same write
			       * again cannot change what it holds */
	int in_effect;        /* the full pass found expected in place and
			       * the ledger owed nothing for it: expected is
			       * the value in effect at this boot, as the
			       * engine takes it, so putting it back owes no
			       * restart */
};

struct tlsr_guards {
	struct tlsr_guard *v;
	size_t n;
	uint64_t complete;    /* watches whose every item is guarded */
	struct tlsr_key *journal;
	int dirty;            /* rebuild after the next full pass */
};

/* What the fast path did with one drifted value, for the loop to report
 * once every write of the wake is done. */
struct tlsr_guard_outcome {
	const struct tlsr_guard *g;
	int present;
	struct tlsr_value actual; /* as found (owned; cleared by _free) */
	int conflict;   /* a new conflict: report 2005 */
	int backoff;    /* backing off: not written */
	int written;    /* written and read back */
	tlsr_err err;   /* the write's failure, TLSR_OK otherwise */
	char message[256];
};

/* Closes every key; NULL-safe members. */
void tlsr_guards_clear(struct tlsr_guards *gs, struct tlsr_registry *reg);

/* Opens a key per fast-path value of a full pass's final report r (enforce
 * mode only; nothing otherwise). Legacy values are held only while a
 * proof of this boot allows the legacy step (p's proof section), and
 * looked at otherwise; so are values found absent or never written. A
 * watch with any item the fast path can neither hold nor look at (one the
 * full pass left not as the policy wants) is left out of complete, so its
 * wakes run the full pass. */
void tlsr_guards_build(struct tlsr_guards *gs, struct tlsr_registry *reg,
		       const struct tlsr_loop_env *env,
		       const struct tlsr_report *r, const struct tlsr_policy *p);

/* Checks and heals the values under watch entry at now. A value whose
 * change needs a restart is noted in the restart-owed ledger (boot_id)
 * before it is written, as tlsr_apply does. *out (caller frees
 * with tlsr_guard_outcomes_free) gets one outcome per drifted value the
 * fast path acted on. Returns 1 when the full pass is still needed (a value
 * could not be judged or healed here, or the watch covers values the fast
 * path does not hold), 0 when every managed value under it is as the last
 * full pass left it. */
int tlsr_guards_heal(struct tlsr_guards *gs, struct tlsr_registry *reg,
		     struct tlsr_items *items, const struct tlsr_policy *p,
		     const char *boot_id, uint64_t now, int entry,
		     struct tlsr_guard_outcome **out, size_t *n_out);

void tlsr_guard_outcomes_free(struct tlsr_guard_outcome *o, size_t n);

#endif
