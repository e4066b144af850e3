/* tlsward: what the loop remembers about each managed item between passes,
 * and conflict damping: counting the reverts of tlsward's own writes and
 * backing off (1 min, doubling to 1 h) while another agent keeps putting
 * its value back. Pure functions of (state, now, policy). */
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
	uint64_t *reverts;   /* the latest reverts, a ring of cap entries */
	size_t n_reverts, cap;
	uint64_t last_revert;
	uint64_t last_write;
	uint64_t backoff_ms; /* 0: not backing off */
	uint64_t backoff_until;
	int conflict_reported;
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

/* Counts a revert of a value tlsward wrote, at now (ms). Past
 * p->conflict.max_reverts reverts within p->conflict.window, the item backs
 * off: 1 min, doubling up to 1 h while the reverts go on. Returns 1 when
 * the conflict is new and must be reported (2005), 0 otherwise; -1 when
 * out of memory (nothing counted). */
int tlsr_conflict_note_revert(struct tlsr_item_state *st, uint64_t now,
			      const struct tlsr_policy *p);

/* tlsward's last write has stood for a whole conflict.window (call it when
 * the value is found as written, or when a revert is seen): whatever
 * fought over the value has stopped, so the back-off and the count start
 * afresh and a new conflict is reported again. The one reset rule, for the
 * full pass and the fast path alike. */
void tlsr_conflict_forget_if_quiet(struct tlsr_item_state *st, uint64_t now,
				   const struct tlsr_policy *p);

/* 1 while st backs off at now. */
int tlsr_conflict_backing_off(const struct tlsr_item_state *st, uint64_t now);

/* Records that tlsward wrote the value at now. */
void tlsr_conflict_note_write(struct tlsr_item_state *st, uint64_t now);

/* The earliest end of a back-off after now, or UINT64_MAX when none. */
uint64_t tlsr_conflict_next_end(const struct tlsr_items *items,
				uint64_t now);

#endif
