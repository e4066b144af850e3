/* tlsward: the remediation loop, shared by the service and `run --console`
 * and driven by the tests on a simulated platform. */
#include "loop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "conflict.h"
#include "follow.h"
#include "guards.h"
#include "owed.h"
#include "proof.h"
#include "restart.h"
#include "status.h"


struct tlsr_loop {
	struct tlsr_registry *reg;
	const struct tlsr_loop_env *env;
	struct tlsr_loop_opts o;
	char policy_path[1024];
	char data_dir[1024];
	char start_note[600];

	uint64_t now;    /* monotonic ms, read once per wake */
	int64_t now_utc; /* wall clock ms, read once per wake */

	struct tlsr_follow follow;
	char policy_hash[65]; /* the policy the item memory belongs to */
	char risks_seen[2048]; /* ids of the last check's risks, "\n" after
				* each: a risk is reported when it appears */
	struct tlsr_facts facts;
	struct tlsr_items items;
	struct tlsr_guards guards;
	struct tlsr_restart restart;
	struct tlsr_status counters; /* drifts, remediations, conflicts,
				      * passes */
	struct tlsr_status *last;    /* the last pass's report, for the
				      * Status writes between passes */

	uint64_t next_check;
	uint64_t next_probe; /* 0: no proof to run */
	int pass_due;       /* a watch asked for a full pass */
	int status_owed;    /* heals since the last Status write: 1 the
			     * counters, 2 the whole record (the restart
			     * state changed) */
	int last_compliant; /* -1: no pass yet */
	int exit_code;
	int started, stopped, announced;
	char last_error[512];
	int error_this_wake; /* note_error was called in this wake */
	char fatal[512];    /* what tlsr_loop_fail reported */
	int check_failed_reported;
	int status_failed_reported;
	int cache_failed_reported;
};

/* ---- events ---- */

static void report(struct tlsr_loop *l, unsigned id,
		   const struct tlsr_event_fields *f)
{
	l->env->report(l->env->ctx, id, f);
}

/* Records an internal failure for Status LastError, with its time. */
static void note_error(struct tlsr_loop *l, const char *text)
{
	char when[32];

	tlsr_utc_iso(l->now_utc, when, sizeof when);
	tlsr_textf(l->last_error, sizeof l->last_error, "%s: %s", when, text);
	l->error_this_wake = 1;
}

/* REG_DWORD data as events show it, "0x00000aa0". */
static void fmt_dword(uint32_t v, char *buf, size_t size)
{
	tlsr_textf(buf, size, "0x%08lx", (unsigned long)v);
}

/* What a value holds: its DWORD, "absent", or its type, size and first
 * bytes. */
static void fmt_actual(int present, const struct tlsr_value *v, char *buf,
		       size_t size)
{
	size_t i, at;

	if (!present) {
		tlsr_textf(buf, size, "absent");
		return;
	}
	if (v->type == TLSR_REG_DWORD && v->size == 4 && v->data != NULL) {
		fmt_dword(tlsr_le32_get(v->data), buf, size);
		return;
	}
	at = (size_t)snprintf(buf, size, "type %lu, %zu bytes",
			      (unsigned long)v->type, v->size);
	for (i = 0; i < v->size && i < 16 && at + 4 < size; i++)
		at += (size_t)snprintf(buf + at, size - at, "%s%02x",
				       i ? " " : ": ", v->data[i]);
	if (i < v->size && at + 4 < size)
		tlsr_textf(buf + at, size - at, " ...");
}

/* Reports an item event with the standard insertion strings, what the
 * value holds already formatted (fmt_actual). */
static void text_event(struct tlsr_loop *l, unsigned id,
		       const struct tlsr_setting *def, enum tlsr_view view,
		       const char *item_id, const char *act, uint32_t expected,
		       const char *reason)
{
	struct tlsr_event_fields f = {0};
	char exp[40];

	fmt_dword(expected, exp, sizeof exp);
	f.v[TLSR_EF_SETTING] = item_id;
	f.v[TLSR_EF_KEY] = def->key;
	f.v[TLSR_EF_VIEW] = tlsr_view_name(view);
	f.v[TLSR_EF_NAME] = def->name;
	f.v[TLSR_EF_EXPECTED] = exp;
	f.v[TLSR_EF_ACTUAL] = act;
	f.v[TLSR_EF_POLICY_SOURCE] = l->follow.source;
	f.v[TLSR_EF_POLICY_HASH] = l->follow.hash;
	f.v[TLSR_EF_REASON] = reason;
	report(l, id, &f);
}

/* Reports an item event with the standard insertion strings. */
static void value_event(struct tlsr_loop *l, unsigned id,
			const struct tlsr_setting *def, enum tlsr_view view,
			const char *item_id, int present,
			const struct tlsr_value *actual, uint32_t expected,
			const char *reason)
{
	char act[128];

	fmt_actual(present, actual, act, sizeof act);
	text_event(l, id, def, view, item_id, act, expected, reason);
}

static void item_event(struct tlsr_loop *l, unsigned id,
		       const struct tlsr_item *it, uint32_t expected,
		       const char *reason)
{
	value_event(l, id, it->def, it->view, it->id, it->present, &it->actual,
		    expected, reason);
}

/* ---- conflicts (service/conflict.h, docs/events.md) ---- */

/* Adds the reverts counted in a conflict since the last call to Drifts and
 * Conflicts: each one counts, reported one by one or not. */
static void count_fight(struct tlsr_loop *l, struct tlsr_item_state *st)
{
	l->counters.drifts += st->fight_reverts;
	l->counters.conflicts += st->fight_reverts;
	st->fight_reverts = 0;
}

/* "s" unless n is 1. */
static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Appends sep and what ended conflicts over st counted without an event
 * each to buf, and forgets it: the next event on the value carries it.
 * Returns 1 when there was something to say. */
static int take_ended(struct tlsr_item_state *st, const char *sep, char *buf,
		      size_t size)
{
	char since[32];
	size_t at = strlen(buf);

	if (st->ended_reverts == 0 && st->ended_writes == 0)
		return 0;
	tlsr_utc_iso(st->ended_since, since, sizeof since);
	tlsr_textf(
	    buf + at, size - at,
	    "%sa conflict over this value ended (tlsward's write stood for "
	    "conflict.window): since %s, %u more revert%s by "
	    "another agent (the last to %s) and %u put-back%s by tlsward "
	    "were counted in Status (Drifts, Conflicts, Remediations) "
	    "without an event each",
	    sep, since, st->ended_reverts, plural(st->ended_reverts),
	    st->other[0] ? st->other : "?", st->ended_writes,
	    plural(st->ended_writes));
	st->ended_reverts = 0;
	st->ended_writes = 0;
	return 1;
}

/* 2002's reason: NULL, or the end of a conflict (take_ended) as a
 * sentence. */
static const char *remediated_reason(struct tlsr_item_state *st, char *buf,
				     size_t size)
{
	buf[0] = '\0';
	if (st == NULL || !take_ended(st, "", buf, size))
		return NULL;
	buf[0] = 'A';
	tlsr_textf(buf + strlen(buf), size - strlen(buf), ".");
	return buf;
}

/* 2005's reason: the conflict starts, or its back-off does. */
static void conflict_reason(const struct tlsr_loop *l,
			    struct tlsr_item_state *st, char *buf,
			    size_t size)
{
	const struct tlsr_policy *p = &l->follow.policy;
	char until[32];

	if (tlsr_conflict_backing_off(st, l->now)) {
		tlsr_utc_iso(l->now_utc +
				     (int64_t)(st->backoff_until - l->now),
			     until, sizeof until);
		tlsr_textf(
		    buf, size,
		    "reverted %zu time%s within %u s; tlsward stops "
		    "rewriting it for %u s, until %s, doubling up to %u s "
		    "while the reverts go on",
		    st->n_reverts, plural(st->n_reverts), p->conflict.window,
		    (unsigned)(st->backoff_ms / 1000u), until,
		    (unsigned)(TLSR_BACKOFF_MAX_MS / 1000u));
	} else {
		tlsr_textf(
		    buf, size,
		    "tlsward's write was reverted %llu ms after it was "
		    "made (%zu revert%s within %u s so far); tlsward puts it "
		    "back up to %u time%s within %u s, then stops rewriting "
		    "it for %u s, doubling up to %u s while the reverts go "
		    "on. Until its write stands for %u s, the reverts and "
		    "put-backs are counted in Status (Drifts, Conflicts, "
		    "Remediations), not reported one by one",
		    (unsigned long long)(l->now - st->last_write),
		    st->n_reverts, plural(st->n_reverts), p->conflict.window,
		    p->conflict.max_reverts, plural(p->conflict.max_reverts),
		    p->conflict.window, (unsigned)(TLSR_BACKOFF_MIN_MS / 1000u),
		    (unsigned)(TLSR_BACKOFF_MAX_MS / 1000u),
		    p->conflict.window);
	}
}

/* 1 while a conflict is on over some value. */
static int conflict_on(const struct tlsr_loop *l)
{
	size_t i;

	for (i = 0; i < l->items.n; i++)
		if (l->items.v[i].fight)
			return 1;
	return 0;
}

/* Reports the 2005 tlsr_conflict_note_revert asked for; act: what the
 * other agent wrote. Its quiet counts start again from here. */
static void conflict_event(struct tlsr_loop *l, struct tlsr_item_state *st,
			   const struct tlsr_setting *def, enum tlsr_view view,
			   const char *item_id, const char *act,
			   uint32_t expected)
{
	char reason[1000];

	conflict_reason(l, st, reason, sizeof reason);
	take_ended(st, "; before this, ", reason, sizeof reason);
	text_event(l, TLSR_EV_CONFLICT, def, view, item_id, act, expected,
		   reason);
	st->quiet_reverts = 0;
	st->quiet_writes = 0;
	st->quiet_since = l->now_utc;
}

void tlsr_loop_fail(struct tlsr_loop *l, const char *fmt, ...)
{
	struct tlsr_event_fields f = {0};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->fatal, sizeof l->fatal, fmt, ap);
	va_end(ap);
	note_error(l, l->fatal);
	l->exit_code = 2;
	f.v[TLSR_EF_REASON] = l->fatal;
	report(l, TLSR_EV_SERVICE_FAILED, &f);
}

void tlsr_loop_stop(struct tlsr_loop *l, const char *reason)
{
	struct tlsr_event_fields f = {0};
	char text[600];

	if (l->stopped || !l->announced)
		return;
	l->stopped = 1;
	if (reason != NULL)
		tlsr_textf(text, sizeof text, "%s", reason);
	else if (l->fatal[0] != '\0')
		tlsr_textf(text, sizeof text, "The loop failed: %s", l->fatal);
	else
		tlsr_textf(text, sizeof text, "Stop requested.");
	f.v[TLSR_EF_REASON] = text;
	report(l, TLSR_EV_SERVICE_STOPPED, &f);
}

/* ---- Status ---- */

/* The proof values (Proven, Proof*): written when the policy lists
 * endpoints, removed when it does not. */
static void proof_status(struct tlsr_loop *l, struct tlsr_status *st)
{
	const struct tlsr_policy *p = &l->follow.policy;
	struct tlsr_proof_summary *sum;

	st->proof_listed = p->proof.n_endpoints > 0;
	if (!st->proof_listed)
		return;
	sum = calloc(1, sizeof *sum);
	if (sum == NULL)
		return;
	tlsr_proof_summarize(l->reg, p, NULL, sum);
	st->proven = sum->proven;
	tlsr_textf(st->proof_endpoint, sizeof st->proof_endpoint, "%s",
		   sum->endpoint);
	tlsr_textf(st->proof_time, sizeof st->proof_time, "%s",
		   sum->has_record ? sum->record.time : "");
	tlsr_textf(st->proof_protocol, sizeof st->proof_protocol, "%s",
		   sum->has_record ? sum->record.protocol : "");
	if (sum->proven)
		tlsr_textf(st->proof_result, sizeof st->proof_result, "proven");
	else
		tlsr_textf(st->proof_result, sizeof st->proof_result,
			   "failed: %s", sum->why);
	free(sum);
}

/* Fills the parts of Status every write carries. */
static void status_common(struct tlsr_loop *l, struct tlsr_status *st)
{
	const struct tlsr_restart *rs = &l->restart;

	tlsr_utc_iso(l->now_utc, st->last_check, sizeof st->last_check);
	if (l->follow.have_policy) {
		tlsr_textf(st->policy_source, sizeof st->policy_source, "%s",
			   l->follow.source);
		tlsr_textf(st->policy_hash, sizeof st->policy_hash, "%s",
			   l->follow.hash);
		tlsr_textf(st->mode, sizeof st->mode, "%s",
			   tlsr_mode_name(l->follow.policy.mode));
	}
	tlsr_textf(st->policy_cache_source, sizeof st->policy_cache_source,
		   "%s", l->follow.cache_source);
	st->drifts = l->counters.drifts;
	st->remediations = l->counters.remediations;
	st->conflicts = l->counters.conflicts;
	st->passes = l->counters.passes;
	tlsr_textf(st->last_error, sizeof st->last_error, "%s", l->last_error);
	st->private_bytes = st->working_set = 0;
	if (l->env->memory != NULL)
		l->env->memory(l->env->ctx, &st->private_bytes,
			       &st->working_set);
	if (l->follow.have_policy)
		proof_status(l, st);
	st->restart_pending = rs->pending;
	/* Ready for a server to require TLS 1.2: it holds everywhere and no
	 * change of it waits for a restart. */
	st->ready = st->ready_for_server && !rs->pending;
	if (rs->pending) {
		memcpy(st->restart_owed, rs->owed, rs->owed_len);
		st->restart_owed_len = rs->owed_len;
		tlsr_textf(st->restart_reason, sizeof st->restart_reason, "%s",
			   rs->reason);
		if (rs->scheduled)
			tlsr_utc_iso(rs->due, st->restart_time,
				     sizeof st->restart_time);
		tlsr_textf(st->restart_boot_id, sizeof st->restart_boot_id,
			   "%s", rs->owed_boot);
		tlsr_textf(st->restart_attempt, sizeof st->restart_attempt,
			   "%s", rs->attempt);
	}
}

/* The outcome of a Status write (l->reg->message cleared before it): a
 * failure is noted for LastError and reported (2007) once until a write
 * succeeds. */
static void status_written(struct tlsr_loop *l, tlsr_err err)
{
	struct tlsr_event_fields f = {0};
	char why[600];

	if (err == TLSR_OK) {
		l->status_failed_reported = 0;
		return;
	}
	tlsr_textf(why, sizeof why, "%s%s%s", tlsr_strerror(err),
		   l->reg->message[0] ? ": " : "", l->reg->message);
	note_error(l, why);
	if (l->status_failed_reported)
		return;
	l->status_failed_reported = 1;
	f.v[TLSR_EF_REASON] = why;
	report(l, TLSR_EV_STATUS_FAILED, &f);
}

/* Writes the Status key; r NULL: no report (no policy, or the check
 * failed), so Compliant=0. A failure is reported once until a write
 * succeeds. */
static void write_status(struct tlsr_loop *l, const struct tlsr_report *r,
			 const struct tlsr_status *prev)
{
	struct tlsr_status *st = calloc(1, sizeof *st);
	tlsr_err err;

	if (st == NULL)
		return;
	if (prev != NULL)
		*st = *prev;
	else if (r != NULL)
		tlsr_status_from_report(st, r);
	status_common(l, st);
	l->reg->message[0] = '\0';
	err = tlsr_status_write(l->reg, st);
	free(st);
	status_written(l, err);
}

/* ---- policy and facts ---- */

/* Follows the source; a new policy forgets what was learnt about reverts
 * and back-offs. Returns 1 when the policy in force changed. */
static int load_policy(struct tlsr_loop *l, int force)
{
	struct tlsr_event_fields f = {0};
	int changed = tlsr_follow_load(&l->follow, l->reg, force, l->now);

	if (l->follow.have_policy &&
	    strcmp(l->policy_hash, l->follow.hash) != 0) {
		tlsr_textf(l->policy_hash, sizeof l->policy_hash, "%s",
			   l->follow.hash);
		tlsr_items_clear(&l->items);
	}
	if (changed)
		l->guards.dirty = 1;
	if (l->follow.last_error[0] != '\0') {
		if (!l->cache_failed_reported) {
			l->cache_failed_reported = 1;
			note_error(l, l->follow.last_error);
			f.v[TLSR_EF_POLICY_SOURCE] = l->follow.cache_path;
			f.v[TLSR_EF_REASON] = l->follow.last_error;
			report(l, TLSR_EV_CACHE_FAILED, &f);
		}
	} else {
		l->cache_failed_reported = 0;
	}
	return changed;
}

static void read_facts(struct tlsr_loop *l)
{
	memset(&l->facts, 0, sizeof l->facts);
	tlsr_facts_read(l->reg, &l->facts);
	if (l->env->live_facts != NULL)
		l->env->live_facts(l->env->ctx, &l->facts);
	/* The platform's boot id is the one the ledger is kept by. */
	tlsr_textf(l->facts.boot_id, sizeof l->facts.boot_id, "%s",
		   l->restart.boot_id);
	l->guards.dirty = 1;
}

/* ---- restart ---- */

/* After a pass or a heal: the restart state mirrors the ledger
 * (core/owed.h), whichever path wrote. A newly owed restart is recorded
 * and acted on; one no longer owed (a write put the at-boot value back) is
 * forgotten. A ledger that cannot be read changes nothing. */
static void restart_sync(struct tlsr_loop *l)
{
	char list[sizeof l->restart.owed], reason[sizeof l->restart.reason];
	size_t count = 0, len = 0, at, i;

	l->reg->message[0] = '\0';
	if (tlsr_owed_list(l->reg, l->restart.boot_id, list, sizeof list,
			   &count) != TLSR_OK &&
	    count == 0)
		return;
	while (len + 1 < sizeof list && list[len] != '\0')
		len += strlen(list + len) + 1;
	if (count == 0) {
		tlsr_restart_clear(&l->restart);
		return;
	}
	at = (size_t)snprintf(reason, sizeof reason,
			      "written values take effect only after a "
			      "restart");
	for (i = 0; i < len && at + 3 < sizeof reason;
	     i += strlen(list + i) + 1)
		at += (size_t)snprintf(reason + at, sizeof reason - at, "%s%s",
				       i ? ", " : ": ", list + i);
	tlsr_restart_update(&l->restart, l->env, &l->follow.policy, &l->facts,
			    1, list, len, reason, l->now_utc);
}

/* ---- one pass ---- */

#define NOTE_DRIFT 1u
#define NOTE_CONFLICT 2u
#define NOTE_BLOCKED 4u
#define NOTE_ENDED 8u /* a conflict ended with counts not yet reported */

struct outcome {
	size_t item;
	uint32_t value;
	tlsr_err err;
	char message[256];
};

struct apply_ctx {
	struct tlsr_loop *l;
	struct outcome *out;
	size_t n, cap;
};

/* tlsr_apply's callback: records each outcome for reporting later, so
 * that logging never delays a heal. */
static void on_action(void *data, const struct tlsr_report *r,
		      const struct tlsr_action *a, tlsr_err result)
{
	struct apply_ctx *ctx = data;
	struct outcome *o;

	(void)r;
	if (ctx->n == ctx->cap)
		return; /* cap is the plan's size: never reached */
	o = &ctx->out[ctx->n++];
	o->item = a->item;
	o->value = a->value;
	o->err = result;
	tlsr_textf(o->message, sizeof o->message, "%s", ctx->l->reg->message);
}

/* Reports one apply outcome (2002, 2003, or 2005 for a write another
 * agent overwrote before its read-back) and updates the item. While a
 * conflict is on, a put-back is counted, not reported. */
static void report_outcome(struct tlsr_loop *l, const struct tlsr_report *r,
			   const struct outcome *o)
{
	const struct tlsr_item *it = &r->items[o->item];
	struct tlsr_item_state *st = tlsr_items_get(&l->items, it->id);
	char reason[1000], act[128];

	if (o->err == TLSR_OK) {
		l->counters.remediations++;
		if (st == NULL) {
			item_event(l, TLSR_EV_REMEDIATED, it, o->value, NULL);
			return;
		}
		tlsr_conflict_note_write(st, l->now);
		st->drift_reported = 0;
		st->failed_reported = 0;
		if (st->fight) {
			st->quiet_writes++;
			return;
		}
		item_event(l, TLSR_EV_REMEDIATED, it, o->value,
			   remediated_reason(st, reason, sizeof reason));
		return;
	}
	/* The engine read back another DWORD (core/engine.c
	 * write_verified): tlsward wrote it and another agent put its own
	 * value back before the read-back. A revert, not a failure. */
	if (st != NULL && o->err == TLSR_EVERIFY &&
	    strstr(o->message, "read back another number") != NULL) {
		st->last_write = l->now;
		if (tlsr_conflict_note_revert(st, l->now, &l->follow.policy) ==
		    1) {
			fmt_actual(it->present, &it->actual, act, sizeof act);
			conflict_event(l, st, it->def, it->view, it->id, act,
				       it->expected);
		}
		count_fight(l, st);
		return;
	}
	if (st != NULL && st->failed_reported)
		return;
	if (o->message[0] != '\0')
		tlsr_textf(reason, sizeof reason, "%s: %s",
			   tlsr_strerror(o->err), o->message);
	else
		tlsr_textf(reason, sizeof reason, "%s", tlsr_strerror(o->err));
	item_event(l, TLSR_EV_REMEDIATION_FAILED, it, o->value, reason);
	if (st != NULL)
		st->failed_reported = 1;
}

/* What changed since the last pass, reverts, and which items may be
 * written now. Sets notes[i] for the events to report. */
static void triage(struct tlsr_loop *l, const struct tlsr_report *r,
		   unsigned char *notes)
{
	size_t i;

	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		struct tlsr_item_state *st = tlsr_items_get(&l->items, it->id);

		if (st == NULL)
			continue;
		if (it->state == TLSR_STATE_OK) {
			st->drift_reported = 0;
			st->blocked_reported = 0;
			st->failed_reported = 0;
			st->held = 1;
			tlsr_conflict_forget_if_quiet(st, l->now,
						      &l->follow.policy);
			if (st->ended_reverts > 0 || st->ended_writes > 0)
				notes[i] |= NOTE_ENDED;
			continue;
		}
		if (it->state == TLSR_STATE_BLOCKED) {
			if (!st->blocked_reported)
				notes[i] |= NOTE_BLOCKED;
			st->blocked_reported = 1;
			continue;
		}
		if (it->deferred)
			continue;
		if (st->wrote) {
			st->wrote = 0;
			if (tlsr_conflict_note_revert(st, l->now,
						      &l->follow.policy) == 1)
				notes[i] |= NOTE_CONFLICT;
		} else {
			tlsr_conflict_note_drift(st, l->now);
		}
		count_fight(l, st);
		if (st->fight) {
			/* Counted (count_fight), not reported one by one. */
			fmt_actual(it->present, &it->actual, st->other,
				   sizeof st->other);
			continue;
		}
		if (!st->drift_reported) {
			notes[i] |= NOTE_DRIFT;
			l->counters.drifts++;
			st->drift_reported = 1;
		}
	}
}

/* Marks the items whose expected value the fast path knows to be in
 * effect at this boot (guards.h, in_effect): putting one back owes no
 * restart on the full pass either. */
static void in_effect(struct tlsr_loop *l, struct tlsr_report *r)
{
	size_t i, k;

	for (i = 0; i < r->n_items; i++)
		for (k = 0; k < l->guards.n; k++)
			if (l->guards.v[k].in_effect &&
			    l->guards.v[k].expected == r->items[i].expected &&
			    strcmp(l->guards.v[k].id, r->items[i].id) == 0)
				r->items[i].in_effect = 1;
}

/* Applies the plan without the items backing off; outcomes go to ctx. */
static void enforce(struct tlsr_loop *l, const struct tlsr_report *r,
		    struct apply_ctx *ctx, struct tlsr_apply_result *res)
{
	struct tlsr_plan *plan = NULL, mine;
	size_t i, n = 0;

	if (tlsr_plan_make(r, &plan) != TLSR_OK)
		return;
	mine = *plan;
	mine.actions = malloc((plan->n_actions + 1) * sizeof *mine.actions);
	ctx->out = calloc(plan->n_actions + 1, sizeof *ctx->out);
	if (mine.actions == NULL || ctx->out == NULL)
		goto out;
	ctx->cap = plan->n_actions;
	for (i = 0; i < plan->n_actions; i++) {
		const struct tlsr_item *it = &r->items[plan->actions[i].item];
		struct tlsr_item_state *st = tlsr_items_find(&l->items, it->id);

		if (st != NULL && tlsr_conflict_backing_off(st, l->now))
			continue;
		mine.actions[n++] = plan->actions[i];
	}
	mine.n_actions = n;
	/* A failure before the first write (the journal) reaches no
	 * callback: it is reported against the action it stopped. */
	if (n > 0 &&
	    tlsr_apply(l->reg, r, &mine, on_action, ctx, res) != TLSR_OK &&
	    ctx->n == 0 && res->first_failed < n) {
		struct outcome *o = &ctx->out[ctx->n++];

		o->item = mine.actions[res->first_failed].item;
		o->value = mine.actions[res->first_failed].value;
		o->err = res->first_error;
		tlsr_textf(o->message, sizeof o->message, "%s", res->message);
	}
out:
	free(mine.actions);
	tlsr_plan_free(plan);
}

/* The check failed: 2006 once until a check succeeds, and Status says
 * Compliant=0 with the error. */
static void check_failed(struct tlsr_loop *l, tlsr_err err)
{
	struct tlsr_event_fields f = {0};
	char why[600];

	tlsr_textf(why, sizeof why, "%s%s%s", tlsr_strerror(err),
		   l->reg->message[0] ? ": " : "", l->reg->message);
	note_error(l, why);
	if (!l->check_failed_reported) {
		l->check_failed_reported = 1;
		f.v[TLSR_EF_POLICY_SOURCE] = l->follow.source;
		f.v[TLSR_EF_POLICY_HASH] = l->follow.hash;
		f.v[TLSR_EF_REASON] = why;
		report(l, TLSR_EV_CHECK_FAILED, &f);
	}
	l->last_compliant = -1;
	write_status(l, NULL, NULL);
}

/* check -> plan -> apply (enforce) -> events -> restart -> status. The
 * writes come first and the events after, so a drift is healed before
 * anything is logged about it. verbose: a compliant result is reported
 * even when the last pass was compliant too (start, timer, check now).
 * Returns 1 compliant, 0 not, -1 error. */
/* 2010 and 2011 for each critical or warning risk the last check did not
 * have: once when it appears, again only after it has gone. */
static void report_risks(struct tlsr_loop *l, const struct tlsr_report *r)
{
	char seen[sizeof l->risks_seen], mark[64];
	size_t i, at = 0;
	int n;

	seen[0] = '\0';
	for (i = 0; i < r->n_risks; i++) {
		const struct tlsr_risk *k = &r->risks[i];
		struct tlsr_event_fields f = {0};

		tlsr_textf(mark, sizeof mark, "%s\n", k->id);
		n = snprintf(seen + at, sizeof seen - at, "%s", mark);
		if (n > 0 && (size_t)n < sizeof seen - at)
			at += (size_t)n;
		if (k->severity == TLSR_SEV_INFO ||
		    strstr(l->risks_seen, mark) != NULL)
			continue;
		f.v[TLSR_EF_RISK] = k->id;
		f.v[TLSR_EF_REASON] = k->message;
		report(l, k->severity == TLSR_SEV_CRITICAL
				  ? TLSR_EV_CRITICAL_RISK
				  : TLSR_EV_RISK,
		       &f);
	}
	memcpy(l->risks_seen, seen, sizeof seen);
}

static int pass(struct tlsr_loop *l, int verbose)
{
	struct tlsr_report *r = NULL, *after = NULL;
	struct tlsr_apply_result res = {0};
	struct apply_ctx ctx = {0};
	unsigned char *notes;
	char reason[1000], act[128];
	int compliant, settled;
	size_t i;
	tlsr_err err;

	l->pass_due = 0;
	/* Every pass ends in a Status write, with the heals before it. */
	l->status_owed = 0;
	if (!l->follow.have_policy) {
		l->counters.passes++;
		write_status(l, NULL, NULL);
		return -1;
	}
	l->reg->message[0] = '\0';
	err = tlsr_check(l->reg, &l->follow.policy, &l->facts, &r);
	if (err != TLSR_OK) {
		check_failed(l, err);
		return -1;
	}
	l->check_failed_reported = 0;
	notes = calloc(r->n_items + 1, 1);
	if (notes == NULL) {
		tlsr_report_free(r);
		check_failed(l, TLSR_ENOMEM);
		return -1;
	}
	triage(l, r, notes);
	/* What the machine was found in, before any remediation. */
	report_risks(l, r);
	ctx.l = l;
	if (l->follow.policy.mode == TLSR_MODE_ENFORCE) {
		in_effect(l, r);
		enforce(l, r, &ctx, &res);
	}

	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		struct tlsr_item_state *st;

		if (notes[i] & NOTE_BLOCKED)
			item_event(l, TLSR_EV_BLOCKED, it, it->expected,
				   it->reason ? it->reason
					      : "a prerequisite is missing");
		if (notes[i] & NOTE_DRIFT)
			item_event(l, TLSR_EV_DRIFT, it, it->expected, NULL);
		st = tlsr_items_find(&l->items, it->id);
		if ((notes[i] & NOTE_CONFLICT) && st != NULL) {
			fmt_actual(it->present, &it->actual, act, sizeof act);
			conflict_event(l, st, it->def, it->view, it->id, act,
				       it->expected);
		}
		/* The end of a conflict: its last put-back stood, and what
		 * was counted without an event is reported with it. */
		if ((notes[i] & NOTE_ENDED) && st != NULL &&
		    remediated_reason(st, reason, sizeof reason) != NULL)
			text_event(l, TLSR_EV_REMEDIATED, it->def, it->view,
				   it->id, st->other[0] ? st->other : "?",
				   it->expected, reason);
	}
	for (i = 0; i < ctx.n; i++)
		report_outcome(l, r, &ctx.out[i]);
	free(notes);

	free(ctx.out);
	restart_sync(l);
	if (res.written > 0 || res.failed > 0) {
		l->reg->message[0] = '\0';
		err = tlsr_check(l->reg, &l->follow.policy, &l->facts, &after);
		if (err != TLSR_OK) {
			tlsr_report_free(r);
			check_failed(l, err);
			return -1;
		}
		tlsr_report_free(r);
		r = after;
		l->guards.dirty = 1;
	}
	compliant = r->compliant;
	/* A value fought over goes in and out of compliance with each
	 * revert and put-back: compliance that returns while a conflict is
	 * on is not news yet, and is reported by the first pass after the
	 * conflicts end (the timer's and check now's 2000 still come). */
	settled = verbose || !conflict_on(l);
	if (compliant && settled && (verbose || l->last_compliant != 1)) {
		struct tlsr_event_fields f = {0};

		f.v[TLSR_EF_POLICY_SOURCE] = l->follow.source;
		f.v[TLSR_EF_POLICY_HASH] = l->follow.hash;
		report(l, TLSR_EV_CHECK_COMPLIANT, &f);
	}
	if (settled || !compliant)
		l->last_compliant = compliant;
	/* After a remediation, the check that followed it decides which
	 * risks remain: one that went is reported again should it return. */
	if (r == after)
		report_risks(l, r);
	/* A pass that completes clears the last error, unless this wake
	 * itself failed somewhere. */
	if (!l->error_this_wake)
		l->last_error[0] = '\0';
	l->counters.passes++;
	memset(l->last, 0, sizeof *l->last);
	tlsr_status_from_report(l->last, r);
	write_status(l, r, NULL);
	if (l->guards.dirty)
		tlsr_guards_build(&l->guards, l->reg, l->env, r,
				  &l->follow.policy);
	if (l->follow.policy.mode != TLSR_MODE_ENFORCE)
		tlsr_guards_clear(&l->guards, l->reg);
	tlsr_report_free(r);
	return compliant;
}

/* ---- the fast path ---- */

/* 1 when a restart-needing value healed in o[0..n) is not yet among the
 * ids the restart state lists. */
static int owed_news(const struct tlsr_loop *l,
		     const struct tlsr_guard_outcome *o, size_t n)
{
	const struct tlsr_restart *rs = &l->restart;
	size_t i, at;
	int known;

	for (i = 0; i < n; i++) {
		if (!o[i].written || o[i].g->def->restart == TLSR_RESTART_NONE)
			continue;
		known = 0;
		for (at = 0; at < rs->owed_len && !known;
		     at += strlen(rs->owed + at) + 1)
			known = strcmp(rs->owed + at, o[i].g->id) == 0;
		if (!rs->pending || !known)
			return 1;
	}
	return 0;
}

/* The cheap Status write after a heal; a failure is reported as any
 * Status write failure. */
static void write_counters(struct tlsr_loop *l)
{
	struct tlsr_status st = {0};

	tlsr_utc_iso(l->now_utc, st.last_check, sizeof st.last_check);
	st.drifts = l->counters.drifts;
	st.remediations = l->counters.remediations;
	st.conflicts = l->counters.conflicts;
	l->reg->message[0] = '\0';
	status_written(l, tlsr_status_write_counters(l->reg, &st));
}

/* Heals what watch entry covers; *o and *n get what it did, for
 * heal_report. Returns 1 when the full pass is still needed. */
static int heal(struct tlsr_loop *l, int entry,
		struct tlsr_guard_outcome **o, size_t *n)
{
	*o = NULL;
	*n = 0;
	if (!l->follow.have_policy ||
	    l->follow.policy.mode != TLSR_MODE_ENFORCE)
		return 1;
	return tlsr_guards_heal(&l->guards, l->reg, &l->items,
				&l->follow.policy, l->restart.boot_id, l->now,
				entry, o, n);
}

/* Reports what heal did (o, n; freed here), once every heal of the wake
 * has written. While a conflict is on, its reverts and put-backs are
 * counted, not reported one by one. */
static void heal_report(struct tlsr_loop *l, struct tlsr_guard_outcome *o,
			size_t n)
{
	size_t i;
	int owed = 0;
	char reason[1000], act[128];

	for (i = 0; i < n; i++) {
		const struct tlsr_guard *g = o[i].g;
		struct tlsr_item_state *st = tlsr_items_get(&l->items, g->id);

		if (st == NULL)
			continue;
		tlsr_conflict_note_drift(st, l->now);
		count_fight(l, st);
		fmt_actual(o[i].present, &o[i].actual, act, sizeof act);
		if (st->fight)
			tlsr_textf(st->other, sizeof st->other, "%s", act);
		else if (!st->drift_reported) {
			text_event(l, TLSR_EV_DRIFT, g->def, g->view, g->id,
				   act, g->expected, NULL);
			l->counters.drifts++;
			st->drift_reported = 1;
		}
		if (o[i].conflict)
			conflict_event(l, st, g->def, g->view, g->id, act,
				       g->expected);
		if (o[i].backoff)
			continue;
		if (o[i].written) {
			l->counters.remediations++;
			tlsr_conflict_note_write(st, l->now);
			st->drift_reported = 0;
			st->failed_reported = 0;
			/* guards.c noted it in the ledger before writing,
			 * as tlsr_apply does; the value in effect put back
			 * owes nothing. */
			owed |= g->def->restart != TLSR_RESTART_NONE &&
				!g->in_effect;
			if (st->fight)
				st->quiet_writes++;
			else
				text_event(l, TLSR_EV_REMEDIATED, g->def,
					   g->view, g->id, act, g->expected,
					   remediated_reason(st, reason,
							     sizeof reason));
		} else if (o[i].err == TLSR_OK) {
			/* Overwritten before the read-back: a revert,
			 * counted by guards.c, not a failure. */
		} else if (!st->failed_reported) {
			tlsr_textf(reason, sizeof reason, "%s%s%s",
				   tlsr_strerror(o[i].err),
				   o[i].message[0] ? ": " : "", o[i].message);
			value_event(l, TLSR_EV_REMEDIATION_FAILED, g->def,
				    g->view, g->id, o[i].present, &o[i].actual,
				    g->expected, reason);
			st->failed_reported = 1;
		}
	}
	/* A restart already owed by these values stays owed: the ledger is
	 * read again only for one not known yet. */
	if (owed && owed_news(l, o, n)) {
		restart_sync(l);
		l->status_owed = 2;
	} else if (n > 0 && l->status_owed == 0) {
		l->status_owed = 1;
	}
	tlsr_guard_outcomes_free(o, n);
}

/* Writes the Status the heals of a wake owe, once for all of them. Every
 * value healed is back as the last full pass left it, so its report would
 * be the same: only the counters and the time of the check change (the
 * whole record when the restart state did). A full pass that is due
 * writes it instead. */
static void heal_status(struct tlsr_loop *l)
{
	if (l->status_owed == 0 || l->pass_due)
		return;
	if (l->status_owed == 2)
		write_status(l, NULL, l->last);
	else
		write_counters(l);
	l->status_owed = 0;
}

/* ---- the proof on the wire ---- */

/* A new policy or a reload: probe at the next wake. */
static void probe_soon(struct tlsr_loop *l)
{
	l->next_probe = l->follow.have_policy &&
				l->follow.policy.proof.n_endpoints > 0 &&
				l->env->prove != NULL
			? l->now
			: 0;
}

/* Runs the probe, then a pass: a new proof may let the legacy step go
 * ahead. */
static void prove(struct tlsr_loop *l)
{
	const struct tlsr_policy *p = &l->follow.policy;

	l->next_probe = 0;
	if (!l->follow.have_policy || p->proof.n_endpoints == 0 ||
	    l->env->prove == NULL)
		return;
	if (l->env->prove(l->env->ctx, p) < 0)
		return; /* stopping */
	l->next_probe = l->now + (uint64_t)p->proof.interval * 1000u;
	/* The guards follow the proof: legacy values are guarded only while
	 * it holds. */
	l->guards.dirty = 1;
	pass(l, 0);
}

/* ---- waking ---- */

/* seconds plus a random share of jitter, in milliseconds. */
static uint64_t interval_ms(struct tlsr_loop *l, unsigned seconds,
			    unsigned jitter)
{
	return (uint64_t)seconds * 1000u +
	       l->env->random_below(l->env->ctx, (uint64_t)jitter * 1000u + 1);
}

static void schedule_check(struct tlsr_loop *l)
{
	struct tlsr_policy d;
	const struct tlsr_policy *p = &l->follow.policy;

	if (!l->follow.have_policy) {
		tlsr_policy_defaults(&d);
		p = &d;
	}
	l->next_check = l->now + interval_ms(l, p->check.interval,
					     p->check.jitter);
}

/* This machine's place in the restart window: drawn once, kept under
 * TLSR_KEY_ROOT. */
static uint32_t machine_seed(struct tlsr_loop *l)
{
	uint32_t seed;

	if (tlsr_reg_get_dword(l->reg, TLSR_KEY_ROOT, TLSR_VIEW_64,
			       TLSR_MACHINE_SEED, &seed) == TLSR_OK)
		return seed;
	seed = (uint32_t)l->env->random_below(l->env->ctx, 0x100000000ull);
	tlsr_reg_set_dword(l->reg, TLSR_KEY_ROOT, TLSR_VIEW_64,
			   TLSR_MACHINE_SEED, seed);
	return seed;
}

static void start(struct tlsr_loop *l)
{
	struct tlsr_event_fields f = {0};
	struct tlsr_status *prev = calloc(1, sizeof *prev);
	char boot[64] = "", note[1100];
	int compliant;

	if (prev == NULL) {
		tlsr_loop_fail(l, "out of memory");
		return;
	}
	tlsr_status_read(l->reg, prev);
	l->counters.drifts = prev->drifts;
	l->counters.remediations = prev->remediations;
	l->counters.conflicts = prev->conflicts;
	l->counters.passes = prev->passes;
	l->env->boot_id(l->env->ctx, boot, sizeof boot);
	tlsr_restart_init(&l->restart, boot, machine_seed(l),
			  prev->restart_pending, prev->restart_reason,
			  prev->restart_time, prev->restart_boot_id,
			  prev->restart_attempt, note, sizeof note);
	/* A known new boot settles what earlier boots owed (the restart
	 * happened); what the ledger still holds is owed now, whoever wrote
	 * it (an apply from the command line too). */
	tlsr_owed_settle(l->reg, boot);
	{
		int any = 0;

		if (tlsr_owed_any(l->reg, boot, &any) == TLSR_OK && !any &&
		    l->restart.pending) {
			tlsr_restart_clear(&l->restart);
			tlsr_textf(
			    note, sizeof note,
			    "The computer has restarted since the restart "
			    "was owed: RestartPending cleared.");
		}
	}
	tlsr_follow_init(&l->follow, l->env,
			 l->policy_path[0] ? l->policy_path : NULL, l->data_dir,
			 prev->policy_cache_source);
	free(prev);
	load_policy(l, 1);
	read_facts(l);
	if (!l->follow.have_policy)
		tlsr_textf(note + strlen(note), sizeof note - strlen(note),
			   "%sNo usable policy: nothing is enforced until one "
			   "loads.",
			   note[0] ? " " : "");
	if (l->start_note[0] != '\0')
		tlsr_textf(note + strlen(note), sizeof note - strlen(note),
			   "%s%s.", note[0] ? " " : "", l->start_note);
	f.v[TLSR_EF_VERSION] = TLSR_VERSION_STRING;
	f.v[TLSR_EF_MODE] = l->follow.have_policy
				    ? tlsr_mode_name(l->follow.policy.mode)
				    : "none";
	f.v[TLSR_EF_POLICY_SOURCE] =
		l->follow.have_policy ? l->follow.source : "none";
	f.v[TLSR_EF_REASON] = note;
	/* `run --once` is one check, not a service life: no 1000/1001. */
	if (!l->o.once) {
		report(l, TLSR_EV_SERVICE_STARTED, &f);
		l->announced = 1;
	}
	l->started = 1;
	schedule_check(l);
	compliant = pass(l, 1);
	/* A service life starts with a proof, as after every restart. */
	if (!l->o.once)
		probe_soon(l);
	l->exit_code = compliant < 0 ? 2 : compliant ? 0 : 1;
}

/* The timer: poll, periodic check, back-offs ending, a watch's pass,
 * restart. */
static void on_timer(struct tlsr_loop *l)
{
	int run = l->pass_due, verbose = 0;
	size_t i;

	if (l->follow.next_poll != 0 && l->now >= l->follow.next_poll &&
	    load_policy(l, 0)) {
		run = 1;
		probe_soon(l);
	}
	if (l->now >= l->next_check) {
		read_facts(l);
		run = verbose = 1;
		schedule_check(l);
	}
	for (i = 0; i < l->items.n; i++)
		if (l->items.v[i].backoff_until != 0 &&
		    l->items.v[i].backoff_until <= l->now) {
			l->items.v[i].backoff_until = 0;
			run = 1;
		}
	if (run)
		pass(l, verbose);
	if (l->next_probe != 0 && l->now >= l->next_probe)
		prove(l);
	if (l->follow.have_policy &&
	    tlsr_restart_fire(&l->restart, l->env, &l->follow.policy,
			      l->now_utc)) {
		if (l->restart.attempt[0] != '\0' &&
		    strstr(l->restart.attempt, "failed") != NULL)
			note_error(l, l->restart.attempt);
		write_status(l, NULL, l->last);
	}
}

void tlsr_loop_wake(struct tlsr_loop *l, enum tlsr_wake why,
		    uint64_t watch_mask)
{
	struct {
		struct tlsr_guard_outcome *o;
		size_t n;
	} healed[64];
	int full = 0, bit, k = 0;

	l->now = l->env->now_ms(l->env->ctx);
	l->now_utc = l->env->utc_ms(l->env->ctx);
	l->error_this_wake = 0;
	if (why != TLSR_WAKE_START && !l->started)
		return;
	switch (why) {
	case TLSR_WAKE_START:
		if (!l->started)
			start(l);
		break;
	case TLSR_WAKE_TIMER:
		on_timer(l);
		break;
	case TLSR_WAKE_CHECK_NOW:
		read_facts(l);
		l->exit_code = pass(l, 1) == 1 ? 0 : 1;
		break;
	case TLSR_WAKE_RELOAD:
		load_policy(l, 1);
		read_facts(l);
		pass(l, 1);
		probe_soon(l);
		break;
	case TLSR_WAKE_SOURCE:
		if (load_policy(l, 0)) {
			pass(l, 1);
			probe_soon(l);
		}
		break;
	case TLSR_WAKE_WATCH:
	case TLSR_WAKE_WATCH_FIRST:
		/* Every watch that fired is healed on the fast path (a burst
		 * fires several); the full pass runs only when a heal needs
		 * it. */
		/* Every value is put back before anything is reported: the
		 * events and Status wait, the drifted values do not. */
		for (bit = 0; bit < 64; bit++)
			if (watch_mask & ((uint64_t)1 << bit)) {
				full |= heal(l, bit, &healed[k].o, &healed[k].n);
				k++;
			}
		for (bit = 0; bit < k; bit++)
			heal_report(l, healed[bit].o, healed[bit].n);
		if (full)
			l->pass_due = 1;
		break;
	}
	/* One Status write after every heal of the wake; the driver's first
	 * look leaves it to the second. */
	if (why != TLSR_WAKE_WATCH_FIRST)
		heal_status(l);
}

int64_t tlsr_loop_next_timeout(const struct tlsr_loop *l)
{
	uint64_t next = UINT64_MAX, end;
	int64_t restart;

	if (!l->started || l->o.once)
		return -1;
	if (l->pass_due)
		return 0;
	next = l->next_check;
	if (l->follow.next_poll != 0 && l->follow.next_poll < next)
		next = l->follow.next_poll;
	if (l->next_probe != 0 && l->next_probe < next)
		next = l->next_probe;
	end = tlsr_conflict_next_end(&l->items, l->now);
	if (end < next)
		next = end;
	restart = tlsr_restart_due_ms(&l->restart, l->now_utc);
	if (restart >= 0 && l->now + (uint64_t)restart < next)
		next = l->now + (uint64_t)restart;
	if (next == UINT64_MAX)
		return -1;
	return next > l->now ? (int64_t)(next - l->now) : 0;
}

tlsr_err tlsr_loop_new(struct tlsr_registry *reg,
		       const struct tlsr_loop_env *env,
		       const struct tlsr_loop_opts *opts,
		       struct tlsr_loop **out)
{
	struct tlsr_loop *l = calloc(1, sizeof *l);

	if (l == NULL)
		return TLSR_ENOMEM;
	l->last = calloc(1, sizeof *l->last);
	if (l->last == NULL) {
		free(l);
		return TLSR_ENOMEM;
	}
	l->reg = reg;
	l->env = env;
	l->o = *opts;
	tlsr_textf(l->policy_path, sizeof l->policy_path, "%s",
		   opts->policy_path ? opts->policy_path : "");
	tlsr_textf(l->data_dir, sizeof l->data_dir, "%s",
		   opts->data_dir ? opts->data_dir : "");
	tlsr_textf(l->start_note, sizeof l->start_note, "%s",
		   opts->start_note ? opts->start_note : "");
	l->o.policy_path = NULL;
	l->o.data_dir = NULL;
	l->o.start_note = NULL;
	l->last_compliant = -1;
	l->exit_code = 2;
	*out = l;
	return TLSR_OK;
}

int tlsr_loop_exit_code(const struct tlsr_loop *l)
{
	return l->exit_code;
}

unsigned tlsr_loop_passes(const struct tlsr_loop *l)
{
	return l->counters.passes;
}

void tlsr_loop_free(struct tlsr_loop *l)
{
	if (l == NULL)
		return;
	tlsr_guards_clear(&l->guards, l->reg);
	tlsr_items_clear(&l->items);
	free(l->last);
	free(l);
}
