/* tlsward: per-item memory and conflict damping. */
#include "conflict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tlsr_item_state *tlsr_items_find(const struct tlsr_items *items,
					const char *id)
{
	size_t i;

	for (i = 0; i < items->n; i++)
		if (strcmp(items->v[i].id, id) == 0)
			return &items->v[i];
	return NULL;
}

struct tlsr_item_state *tlsr_items_get(struct tlsr_items *items,
				       const char *id)
{
	struct tlsr_item_state *st = tlsr_items_find(items, id), *grown;

	if (st != NULL)
		return st;
	grown = realloc(items->v, (items->n + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	items->v = grown;
	st = &items->v[items->n++];
	memset(st, 0, sizeof *st);
	snprintf(st->id, sizeof st->id, "%s", id);
	return st;
}

void tlsr_items_clear(struct tlsr_items *items)
{
	size_t i;

	for (i = 0; i < items->n; i++)
		free(items->v[i].reverts);
	free(items->v);
	items->v = NULL;
	items->n = 0;
}

void tlsr_conflict_forget_if_quiet(struct tlsr_item_state *st, uint64_t now,
				   const struct tlsr_policy *p)
{
	uint64_t window = (uint64_t)p->conflict.window * 1000u;

	if (st->n_reverts == 0 && st->backoff_ms == 0 && !st->fight)
		return;
	if (st->last_write == 0 || now - st->last_write < window)
		return;
	st->n_reverts = 0;
	st->backoff_ms = 0;
	st->backoff_until = 0;
	st->conflict_reported = 0;
	if (st->fight && (st->quiet_reverts > 0 || st->quiet_writes > 0)) {
		if (st->ended_reverts == 0 && st->ended_writes == 0)
			st->ended_since = st->quiet_since;
		st->ended_reverts += st->quiet_reverts;
		st->ended_writes += st->quiet_writes;
	}
	st->fight = 0;
	st->quiet_reverts = 0;
	st->quiet_writes = 0;
}

int tlsr_conflict_note_revert(struct tlsr_item_state *st, uint64_t now,
			      const struct tlsr_policy *p)
{
	uint64_t window = (uint64_t)p->conflict.window * 1000u;
	size_t need = (size_t)p->conflict.max_reverts + 1, i, kept = 0;
	uint64_t before = st->last_drift;
	int started = 0;

	tlsr_conflict_forget_if_quiet(st, now, p);
	st->last_drift = now;
	st->held = 0;
	/* Only the latest max_reverts + 1 reverts can decide anything, so
	 * the ring holds exactly that many: no policy limit is cut short. */
	if (st->cap != need) {
		uint64_t *r = realloc(st->reverts, need * sizeof *r);

		if (r == NULL)
			return -1;
		st->reverts = r;
		st->cap = need;
		if (st->n_reverts > need) {
			memmove(r, r + (st->n_reverts - need),
				need * sizeof *r);
			st->n_reverts = need;
		}
	}
	for (i = 0; i < st->n_reverts; i++)
		if (now - st->reverts[i] < window)
			st->reverts[kept++] = st->reverts[i];
	st->n_reverts = kept;
	if (st->n_reverts == st->cap) {
		memmove(st->reverts, st->reverts + 1,
			(st->cap - 1) * sizeof *st->reverts);
		st->n_reverts--;
	}
	st->reverts[st->n_reverts++] = now;
	st->last_revert = now;
	/* A revert of tlsward's put-back within a window of the drift it put
	 * back is what a fight looks like: the other agent wrote its value
	 * again. A revert later than that is a drift like any other. */
	if (!st->fight) {
		if (before == 0 || now - before >= window ||
		    st->last_write == 0 || now - st->last_write >= window)
			return 0;
		st->fight = 1;
		started = 1;
	}
	st->fight_reverts++;
	st->quiet_reverts++;
	if (st->n_reverts <= p->conflict.max_reverts)
		return started;
	st->backoff_ms = st->backoff_ms == 0 ? TLSR_BACKOFF_MIN_MS
			 : st->backoff_ms * 2 > TLSR_BACKOFF_MAX_MS
				 ? TLSR_BACKOFF_MAX_MS
				 : st->backoff_ms * 2;
	st->backoff_until = now + st->backoff_ms;
	if (st->conflict_reported)
		return started;
	st->conflict_reported = 1;
	return 1;
}

int tlsr_conflict_backing_off(const struct tlsr_item_state *st, uint64_t now)
{
	return st->backoff_until > now;
}

void tlsr_conflict_note_drift(struct tlsr_item_state *st, uint64_t now)
{
	if (st->held)
		st->last_drift = now;
	st->held = 0;
}

void tlsr_conflict_note_write(struct tlsr_item_state *st, uint64_t now)
{
	st->wrote = 1;
	st->held = 1;
	st->last_write = now;
}

uint64_t tlsr_conflict_next_end(const struct tlsr_items *items, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < items->n; i++)
		if (items->v[i].backoff_until > now &&
		    items->v[i].backoff_until < next)
			next = items->v[i].backoff_until;
	return next;
}
