/* tlsward: the fast path, over the registry function table. */
#include "guards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "owed.h"

#define MAX_ENTRIES 64

void tlsr_guards_clear(struct tlsr_guards *gs, struct tlsr_registry *reg)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		if (gs->v[i].key != NULL)
			reg->ops->close_key(reg, gs->v[i].key);
	free(gs->v);
	gs->v = NULL;
	gs->n = 0;
	gs->complete = 0;
	if (gs->journal != NULL)
		reg->ops->close_key(reg, gs->journal);
	gs->journal = NULL;
}

/* 1 when id is among the ids of list ("id\0id\0\0"). */
static int listed(const char *list, const char *id)
{
	for (; *list != '\0'; list += strlen(list) + 1)
		if (strcmp(list, id) == 0)
			return 1;
	return 0;
}

void tlsr_guards_build(struct tlsr_guards *gs, struct tlsr_registry *reg,
		       const struct tlsr_loop_env *env,
		       const struct tlsr_report *r, const struct tlsr_policy *p)
{
	uint64_t partial = 0;
	size_t i, n_owed = 0;
	char owed[8192];
	int owed_known = 1;

	tlsr_guards_clear(gs, reg);
	gs->dirty = 0;
	if (env->watch_entry_for == NULL)
		return;
	if (reg->ops->open_key(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, 0,
			       &gs->journal) != TLSR_OK) {
		gs->journal = NULL;
		return;
	}
	gs->v = calloc(r->n_items + 1, sizeof *gs->v);
	if (gs->v == NULL)
		return;
	/* What the ledger owes now; unreadable, every value counts as owed
	 * (a restart is never ruled out on a guess). */
	if (tlsr_owed_list(reg, r->facts.boot_id, owed, sizeof owed,
			   &n_owed) != TLSR_OK)
		owed_known = 0;
	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		int entry = env->watch_entry_for(env->ctx, it->def->key,
						 it->view);
		struct tlsr_guard *g = &gs->v[gs->n];
		struct tlsr_value journal = {0};

		if (entry < 0 || entry >= MAX_ENTRIES)
			continue;
		if (it->state != TLSR_STATE_OK || it->deferred ||
		    it->def->type != TLSR_REG_DWORD) {
			partial |= (uint64_t)1 << entry;
			continue;
		}
		/* A legacy value is re-asserted only while a proof of this
		 * boot allows the legacy step: otherwise the full pass
		 * decides, and defers it. Only a value whose original is
		 * journalled is written without the engine. */
		g->look = !it->present ||
			  (it->phase == TLSR_PHASE_LEGACY && r->proof_listed &&
			   p->proof.require_for_legacy_off && !r->proven);
		/* A value in place as the policy wants it that tlsward never
		 * wrote is journalled at its first drift, then put back, as
		 * the engine does; one of another type or data (stricter) is
		 * only looked at. */
		g->journal_first =
			!g->look &&
			reg->ops->get_value(reg, gs->journal, it->id,
					    &journal) != TLSR_OK;
		tlsr_value_clear(&journal);
		if (g->journal_first &&
		    (it->stricter || it->actual.type != TLSR_REG_DWORD ||
		     it->actual.size != 4 ||
		     tlsr_le32_get(it->actual.data) != it->expected)) {
			g->journal_first = 0;
			g->look = 1;
		}
		g->absent = !it->present;
		if (g->look && !g->absent &&
		    (it->actual.type != TLSR_REG_DWORD ||
		     it->actual.size != 4)) {
			partial |= (uint64_t)1 << entry;
			continue;
		}
		/* A value looked at as absent is read by its path: its key
		 * may not exist. */
		if (!g->absent &&
		    reg->ops->open_key(reg, it->def->key, it->view, 0,
				       &g->key) != TLSR_OK) {
			g->key = NULL;
			partial |= (uint64_t)1 << entry;
			continue;
		}
		g->def = it->def;
		g->view = it->view;
		snprintf(g->id, sizeof g->id, "%s", it->id);
		g->entry = entry;
		g->expected = g->look && !g->absent
				      ? tlsr_le32_get(it->actual.data)
				      : it->expected;
		g->in_effect = it->present && owed_known &&
			       !listed(owed, it->id);
		gs->n++;
		gs->complete |= (uint64_t)1 << entry;
	}
	gs->complete &= ~partial;
}

/* 1 when v is the DWORD expected. */
static int holds(const struct tlsr_value *v, uint32_t expected)
{
	return v->type == TLSR_REG_DWORD && v->size == 4 &&
	       tlsr_le32_get(v->data) == expected;
}

/* Opens g's key again, creating it (and its parents) when missing, as
 * tlsr_apply's write does: a handle to a key another agent deleted reads
 * and writes nothing (TLSR_ENOTFOUND), and the key it stood for may be
 * gone or made anew. Like tlsr_apply, no journal entry is made for the
 * key: the journal keeps each value's original, and a rollback restores
 * the values. The old handle is kept when the key cannot be opened. */
static tlsr_err reopen(struct tlsr_guard *g, struct tlsr_registry *reg)
{
	struct tlsr_key *key = NULL;
	tlsr_err err;

	err = reg->ops->open_key(reg, g->def->key, g->view, 1, &key);
	if (err != TLSR_OK)
		return err;
	reg->ops->close_key(reg, g->key);
	g->key = key;
	return TLSR_OK;
}

/* Writes g's value and reads it back. A value found absent may be absent
 * because its key was deleted: the key is opened again (created when
 * missing) first, so one rewrite heals a deleted key too. A value
 * overwritten with another DWORD before the read-back is a revert too, or
 * a fast enough agent would never bring the back-off closer: counted as
 * one, not a failure. A read-back of another type is a failure (2003). */
static void rewrite(struct tlsr_guard_outcome *o, struct tlsr_guard *g,
		    struct tlsr_registry *reg, struct tlsr_item_state *st,
		    const struct tlsr_policy *p, const char *boot_id,
		    uint64_t now)
{
	struct tlsr_value back = {0};
	uint8_t data[4];
	struct tlsr_value after = {TLSR_REG_DWORD, 4, data};
	int c;

	tlsr_le32_put(data, g->expected);
	reg->message[0] = '\0';
	/* The ledger hears of the write first, so a failure in between
	 * leaves a restart owed, never a change no restart applies. */
	if (g->def->restart != TLSR_RESTART_NONE && !g->noted) {
		/* Putting back the value in effect at this boot restores what
		 * the OS runs with: the ledger, told so, owes nothing for it
		 * (whatever another agent wrote in between never took
		 * effect). */
		o->err = tlsr_owed_note_write(reg, boot_id, g->id,
					      g->in_effect ? &after
					      : o->present ? &o->actual
							   : NULL,
					      &after);
		if (o->err != TLSR_OK) {
			snprintf(o->message, sizeof o->message,
				 "could not record the restart owed: %.200s",
				 reg->message);
			return;
		}
		/* The ledger keeps the at-boot value of the first write of a
		 * boot; writing the same value again changes nothing there
		 * (a rebuild of the guards, after any full pass that wrote or
		 * a rollback, asks again). */
		g->noted = 1;
	}
	o->err = o->present ? TLSR_OK : reopen(g, reg);
	if (o->err == TLSR_OK)
		o->err = reg->ops->set_value(reg, g->key, g->def->name,
					     TLSR_REG_DWORD, data, sizeof data);
	if (o->err == TLSR_OK)
		o->err = reg->ops->get_value(reg, g->key, g->def->name, &back);
	if (o->err != TLSR_OK) {
		snprintf(o->message, sizeof o->message, "%s", reg->message);
		return;
	}
	if (!holds(&back, g->expected) && back.type == TLSR_REG_DWORD &&
	    back.size == 4) {
		/* The write succeeded and another agent's DWORD was written
		 * over it before the read-back: a revert, not a failure (err
		 * stays TLSR_OK, written 0). */
		snprintf(o->message, sizeof o->message,
			 "read back 0x%08lx instead of 0x%08lx",
			 (unsigned long)tlsr_le32_get(back.data),
			 (unsigned long)g->expected);
		/* The drift this write healed came first. */
		tlsr_conflict_note_drift(st, now);
		st->last_write = now;
		c = tlsr_conflict_note_revert(st, now, p);
		o->conflict |= c == 1;
	} else if (!holds(&back, g->expected)) {
		o->err = TLSR_EVERIFY;
		snprintf(o->message, sizeof o->message,
			 "read back type %lu, %zu bytes instead of 0x%08lx",
			 (unsigned long)back.type, back.size,
			 (unsigned long)g->expected);
	} else {
		o->written = 1;
	}
	tlsr_value_clear(&back);
}

int tlsr_guards_heal(struct tlsr_guards *gs, struct tlsr_registry *reg,
		     struct tlsr_items *items, const struct tlsr_policy *p,
		     const char *boot_id, uint64_t now, int entry,
		     struct tlsr_guard_outcome **out, size_t *n_out)
{
	struct tlsr_guard_outcome *o = NULL;
	size_t i, k, n = 0;
	int full = 0;

	*out = NULL;
	*n_out = 0;
	if (entry < 0 || entry >= MAX_ENTRIES || gs->dirty ||
	    gs->journal == NULL)
		return 1;
	if (!(gs->complete & ((uint64_t)1 << entry)))
		full = 1;
	/* Every value under the watch is read; those that drifted at the
	 * watch's last heal first, as an agent that reverts a value tends to
	 * do it again. */
	for (k = 0; k < 2 * gs->n; k++) {
		struct tlsr_guard *g = &gs->v[k % gs->n];
		struct tlsr_value v = {0}, j = {0};
		struct tlsr_item_state *st;
		struct tlsr_guard_outcome *grown;
		tlsr_err err;
		int c;

		if (g->entry != entry || (k < gs->n) != (g->hot != 0))
			continue;
		if (g->look) {
			/* As the full pass left it, or the full pass judges
			 * it again (and builds the guards anew). */
			err = g->absent ? tlsr_reg_get(reg, g->def->key, g->view,
						       g->def->name, &v)
					: reg->ops->get_value(reg, g->key,
							      g->def->name, &v);
			if (g->absent ? err != TLSR_ENOTFOUND
				      : err != TLSR_OK ||
					    !holds(&v, g->expected)) {
				gs->dirty = 1;
				full = 1;
			}
			tlsr_value_clear(&v);
			continue;
		}
		err = reg->ops->get_value(reg, g->key, g->def->name, &v);
		if (err == TLSR_OK && holds(&v, g->expected)) {
			tlsr_value_clear(&v);
			continue;
		}
		/* From here on, a value left as it is found needs the full
		 * pass (it judges it, and Status must say so); a value healed
		 * and read back does not. */
		if (err != TLSR_OK && err != TLSR_ENOTFOUND) {
			/* The key went away or cannot be read: the full pass
			 * sees and says what. */
			tlsr_value_clear(&v);
			full = 1;
			continue;
		}
		st = tlsr_items_get(items, g->id);
		if (st == NULL || tlsr_conflict_backing_off(st, now)) {
			tlsr_value_clear(&v);
			full = 1;
			continue;
		}
		/* Only a value whose original is still journalled (a rollback
		 * removes entries) may be written without the engine; one
		 * tlsward never wrote is journalled here first. */
		if (g->journal_first) {
			struct tlsr_item it = {0};

			it.def = g->def;
			it.view = g->view;
			snprintf(it.id, sizeof it.id, "%s", g->id);
			it.present = err == TLSR_OK;
			it.actual = v;
			if (tlsr_journal_record(reg, &it) != TLSR_OK) {
				tlsr_value_clear(&v);
				gs->dirty = 1;
				full = 1;
				continue;
			}
			g->journal_first = 0;
		} else if (reg->ops->get_value(reg, gs->journal, g->id, &j) !=
			   TLSR_OK) {
			tlsr_value_clear(&v);
			gs->dirty = 1;
			full = 1;
			continue;
		}
		tlsr_value_clear(&j);
		grown = realloc(o, (n + 1) * sizeof *o);
		if (grown == NULL) {
			tlsr_value_clear(&v);
			full = 1;
			continue;
		}
		o = grown;
		memset(&o[n], 0, sizeof *o);
		g->hit = 1;
		o[n].g = g;
		o[n].present = err == TLSR_OK;
		o[n].actual = v;
		if (st->wrote) {
			st->wrote = 0;
			c = tlsr_conflict_note_revert(st, now, p);
			o[n].conflict = c == 1;
			o[n].backoff = tlsr_conflict_backing_off(st, now);
		}
		if (!o[n].backoff)
			rewrite(&o[n], g, reg, st, p, boot_id, now);
		/* A conflict that starts with the value written and read
		 * back needs no full pass; a back-off or a write that did
		 * not stand does. */
		if (o[n].backoff || !o[n].written)
			full = 1;
		n++;
	}
	if (n > 0)
		for (i = 0; i < gs->n; i++)
			if (gs->v[i].entry == entry) {
				gs->v[i].hot = gs->v[i].hit;
				gs->v[i].hit = 0;
			}
	*out = o;
	*n_out = n;
	return full;
}

void tlsr_guard_outcomes_free(struct tlsr_guard_outcome *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tlsr_value_clear(&o[i].actual);
	free(o);
}
