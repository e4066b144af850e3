/* tlsward: what the loop remembers about each managed item between passes,
 * and conflict damping: counting the reverts of tlsward's own writes and
 * backing off (1 min, doubling to 1 h) while another agent keeps putting
 * its value back. A conflict (a fight) is on from the revert of tlsward's
 * put-back that comes within conflict.window of the drift it put back
 * until the value stands as written for a whole window; while it is on,
 * reverts and put-backs are counted here and reported by the loop as a few
 * 2005s, not one by one (docs/events.md). Pure functions of (state, now,
 * policy). */
#ifndef TLSR_CONFLICT_H
#define TLSR_CONFLICT_H

#include <stddef.h>
#include <stdint.h>

#include "tlsr.h"

#define TLSR_BACKOFF_MIN_MS (60u * 1000u)
#define TLSR_BACKOFF_MAX_MS (3600u * 1000u)

struct tlsr_item_state {
	char id[128];
	int drift_reported;
	int blocked_reported;
	int failed_reported;
	int wrote;           /* the value in place is tlsward's own write */
	int held;            /* the value was as the policy wants it when last
			      * seen (found so, or written) */
	uint64_t last_drift; /* when a value held last drifted (ms) */
	uint64_t *reverts;   /* the latest reverts, a ring of cap entries */
	size_t n_reverts, cap;
	uint64_t last_revert;
	uint64_t last_write;
	uint64_t backoff_ms; /* 0: not backing off */
	uint64_t backoff_until;
	int conflict_reported; /* the back-off of this conflict was reported */
	int fight;             /* a conflict is on */
	unsigned fight_reverts; /* reverts in a conflict not yet added to the
				 * Status counters (the loop adds them) */
	unsigned quiet_reverts; /* reverts in this conflict since its last
				 * 2005, not reported one by one */
	unsigned quiet_writes;  /* put-backs in this conflict since then */
	int64_t quiet_since;    /* UTC ms of that 2005 (set by the loop) */
	unsigned ended_reverts; /* the quiet counts of conflicts that ended,
				 * not yet reported (the loop reports them in
				 * the next event on the value) */
	unsigned ended_writes;
	int64_t ended_since;
	char other[64];         /* what the other agent wrote last, as events
				 * show it (set by the loop) */
};

/* Every item the loop has seen; grows as needed. */
struct tlsr_items {
	struct tlsr_item_state *v;
	size_t n;
};

/* The state of item id, created on first sight; NULL when out of memory. */
struct tlsr_item_state *tlsr_items_get(struct tlsr_items *items,
				       const char *id);
/* The state of id, or NULL when never seen. */
struct tlsr_item_state *tlsr_items_find(const struct tlsr_items *items,
					const char *id);
/* Forgets every item (a new policy: what was learnt no longer holds). */
void tlsr_items_clear(struct tlsr_items *items);

/* Notes a drift of the value at now (ms), found by any path; only a drift
 * of a value held counts (tlsr_conflict_note_revert notes its own). */
void tlsr_conflict_note_drift(struct tlsr_item_state *st, uint64_t now);

/* Counts a revert of a value tlsward wrote, at now (ms). A revert that
 * comes within p->conflict.window of the value's previous drift (the
 * second revert in the window: the other agent wrote its value again after
 * tlsward put it back) starts a conflict (st->fight);
 * every revert while one is on adds to fight_reverts and quiet_reverts.
 * Past p->conflict.max_reverts reverts within the window, the item backs
 * off: 1 min, doubling up to 1 h while the reverts go on. Returns 1 when a
 * 2005 is due (the conflict starts, or its first back-off does), 0
 * otherwise; -1 when out of memory (nothing counted). */
int tlsr_conflict_note_revert(struct tlsr_item_state *st, uint64_t now,
			      const struct tlsr_policy *p);

/* tlsward's last write has stood for a whole conflict.window (call it when
 * the value is found as written, or when a revert is seen): whatever
 * fought over the value has stopped, so the conflict is over, the back-off
 * and the count start afresh and a new conflict is reported again. The
 * conflict's quiet counts move to ended_*, for the loop to report. The one
 * reset rule, for the full pass and the fast path alike. */
void tlsr_conflict_forget_if_quiet(struct tlsr_item_state *st, uint64_t now,
				   const struct tlsr_policy *p);

/* 1 while st backs off at now. */
int tlsr_conflict_backing_off(const struct tlsr_item_state *st, uint64_t now);

/* Records that tlsward wrote the value (read back as written) at now. */
void tlsr_conflict_note_write(struct tlsr_item_state *st, uint64_t now);

/* The earliest end of a back-off after now, or UINT64_MAX when none. */
uint64_t tlsr_conflict_next_end(const struct tlsr_items *items,
				uint64_t now);

#endif
