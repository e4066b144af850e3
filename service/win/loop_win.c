/* tlsward: the remediation loop, shared by the service and
 * `run --console`. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_win.h"
#include "loop_win.h"
#include "restart_win.h"
#include "util_win.h"
#include "watch_win.h"
#include "platform.h"
#include "machine.h"
#include "policy.h"
#include "probe.h"
#include "prove.h"
#include "status.h"

#define BACKOFF_MIN_S 60u
#define BACKOFF_MAX_S 3600u
#define MAX_REVERTS_KEPT 64
#define MAX_HANDLES 16

/* What the loop remembers about one item between passes. */
struct item_state {
	char id[128];
	int drift_reported;
	int blocked_reported;
	int failed_reported;
	int wrote; /* the value in place is tlsward's own write */
	ULONGLONG reverts[MAX_REVERTS_KEPT];
	size_t n_reverts;
	ULONGLONG last_revert;
	ULONGLONG last_write;
	unsigned backoff_s; /* 0: not backing off */
	ULONGLONG backoff_until;
	int conflict_reported;
};

struct loop {
	const struct tlsr_loop_opts *o;
	struct tlsr_registry *reg;
	struct tlsr_eventlog *log;
	struct tlsr_watch *watch;
	struct tlsr_psource *src;
	HANDLE timer;
	char data_dir[MAX_PATH * 3];
	char cache_path[MAX_PATH * 3 + 32];

	int have_policy;
	struct tlsr_policy policy;
	enum tlsr_mode file_mode; /* the mode the policy file says */
	char source[1100];        /* where the policy in force came from */
	char hash[65];
	char rejected_hash[65];   /* last rejected file, not reported twice */
	char configured[1024];    /* --policy, Parameters\PolicyPath or default */
	char target[1024];        /* the file followed now */
	unsigned src_poll;
	int unreachable_reported;

	struct tlsr_facts facts;
	struct item_state *items;
	size_t n_items;

	ULONGLONG next_check;
	ULONGLONG next_poll;
	unsigned drifts;
	unsigned remediations;
	int last_compliant; /* -1: no pass yet */
	struct tlsr_restart restart;

	struct guard *guards; /* the fast path's open values */
	size_t n_guards;
	HKEY journal;         /* the journal key, for the fast path */
	unsigned complete; /* watches whose every item is guarded */
	int guards_dirty;

	struct tlsr_prove prove; /* the proof on the wire */
	ULONGLONG next_probe;    /* 0: no endpoints to probe */
};

/* A value the fast path re-asserts: one tlsward has written (so its
 * original is journalled) and last found as the policy wants it. */
struct guard {
	const struct tlsr_setting *def;
	enum tlsr_view view;
	char id[128];
	int entry; /* the watch that covers its key */
	HKEY key;
	wchar_t *name;
	wchar_t *journal_name; /* its entry under TLSR_KEY_JOURNAL */
	DWORD expected;
};

/* REG_DWORD data as events show it, "0x00000aa0". */
static void fmt_dword(uint32_t v, char *buf, size_t size)
{
	snprintf(buf, size, "0x%08lx", (unsigned long)v);
}

/* What an item holds: its data, "absent", or its type and size. */
static void fmt_actual(const struct tlsr_item *it, char *buf, size_t size)
{
	const struct tlsr_value *v = &it->actual;

	if (!it->present)
		snprintf(buf, size, "absent");
	else if (v->type == TLSR_REG_DWORD && v->size == 4)
		fmt_dword((uint32_t)v->data[0] | (uint32_t)v->data[1] << 8 |
				  (uint32_t)v->data[2] << 16 |
				  (uint32_t)v->data[3] << 24,
			  buf, size);
	else
		snprintf(buf, size, "type %lu, %zu bytes of data",
			 (unsigned long)v->type, v->size);
}

/* The policy in force (source and hash), or "none", for 1101/1102. */
static void in_force(const struct loop *l, char *buf, size_t size)
{
	if (l->have_policy)
		snprintf(buf, size, "%s (SHA-256 %s)", l->source, l->hash);
	else
		snprintf(buf, size, "none");
}

/* Reports an item event with the standard insertion strings. */
static void item_event(struct loop *l, unsigned id, const struct tlsr_item *it,
		       uint32_t expected, const char *reason)
{
	struct tlsr_event_fields f = {0};
	char exp[40], act[64];

	fmt_dword(expected, exp, sizeof exp);
	fmt_actual(it, act, sizeof act);
	f.v[TLSR_EF_SETTING] = it->id;
	f.v[TLSR_EF_KEY] = it->def->key;
	f.v[TLSR_EF_VIEW] = tlsr_view_name(it->view);
	f.v[TLSR_EF_NAME] = it->def->name;
	f.v[TLSR_EF_EXPECTED] = exp;
	f.v[TLSR_EF_ACTUAL] = act;
	f.v[TLSR_EF_POLICY_SOURCE] = l->source;
	f.v[TLSR_EF_POLICY_HASH] = l->hash;
	f.v[TLSR_EF_REASON] = reason;
	tlsr_eventlog_report(l->log, id, &f);
}

/* The loop's memory of an item, created on first sight; NULL when out
 * of memory. */
static struct item_state *state_for(struct loop *l, const char *id)
{
	struct item_state *grown;
	size_t i;

	for (i = 0; i < l->n_items; i++)
		if (strcmp(l->items[i].id, id) == 0)
			return &l->items[i];
	grown = realloc(l->items, (l->n_items + 1) * sizeof *grown);
	if (grown == NULL)
		return NULL;
	l->items = grown;
	memset(&l->items[l->n_items], 0, sizeof *grown);
	snprintf(l->items[l->n_items].id, sizeof grown->id, "%s", id);
	return &l->items[l->n_items++];
}

/* ---- policy ---- */

/* The configured policy file (--policy, Parameters\PolicyPath or the
 * default) and Parameters\Mode. */
static void config_path(struct loop *l, char *path, size_t size,
			char *mode, size_t mode_size)
{
	mode[0] = '\0';
	tlsr_reg_get_string(l->reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64, TLSR_PARAM_MODE,
			    mode, mode_size);
	if (l->o->policy_path != NULL) {
		snprintf(path, size, "%s", l->o->policy_path);
		return;
	}
	if (tlsr_reg_get_string(l->reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				TLSR_PARAM_POLICY_PATH, path, size) == TLSR_OK &&
	    path[0] != '\0') {
		/* An installer may write %ProgramData%\... (REG_EXPAND_SZ). */
		if (strchr(path, '%') != NULL) {
			wchar_t *w = tlsr_win_wide(path), out[1024];
			DWORD n = w ? ExpandEnvironmentStringsW(w, out, 1024) : 0;

			if (n > 0 && n <= 1024)
				tlsr_win_utf8(out, path, size);
			free(w);
		}
		return;
	}
	snprintf(path, size, "%s\\" TLSR_FILE_POLICY, l->data_dir);
}

/* Parameters\Mode, when set, overrides the mode the policy file says. */
static void apply_mode_override(struct loop *l, const char *mode)
{
	l->policy.mode = l->file_mode;
	if (_stricmp(mode, "audit") == 0)
		l->policy.mode = TLSR_MODE_AUDIT;
	else if (_stricmp(mode, "enforce") == 0)
		l->policy.mode = TLSR_MODE_ENFORCE;
}

/* Puts p in force and reports 1100. */
static void adopt(struct loop *l, const struct tlsr_policy *p,
		  const char *source, const char *hash, const char *mode)
{
	struct tlsr_event_fields f = {0};

	l->policy = *p;
	l->file_mode = p->mode;
	apply_mode_override(l, mode);
	l->have_policy = 1;
	snprintf(l->source, sizeof l->source, "%s", source);
	snprintf(l->hash, sizeof l->hash, "%s", hash);
	/* A new policy may expect other values: what was learnt about
	 * reverts and back-offs no longer holds. */
	free(l->items);
	l->items = NULL;
	l->n_items = 0;
	l->guards_dirty = 1;
	f.v[TLSR_EF_POLICY_SOURCE] = l->source;
	f.v[TLSR_EF_POLICY_HASH] = l->hash;
	f.v[TLSR_EF_MODE] = tlsr_mode_name(l->policy.mode);
	tlsr_eventlog_report(l->log, TLSR_EV_POLICY_LOADED, &f);
}

/* The last good policy (policy.cache.yaml), when nothing is in force, or
 * when what is in force is only the bootstrap file while the cache holds a
 * newer policy from the unreachable source itself (origin). Returns 1 when
 * the cache was put in force. */
static int use_cache(struct loop *l, const char *origin, const char *mode)
{
	struct tlsr_machine_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_diag diag;
	char why[256], hash[65], from[1024] = "", sig_path[sizeof l->cache_path + 8];
	char *buf = NULL, *sig = NULL;
	size_t len, sig_len = 0;
	int used = 0;

	/* A file named on the command line is what the user wants checked:
	 * no stand-in for it. */
	if (l->o->policy_path != NULL)
		return 0;
	if (l->have_policy) {
		tlsr_reg_get_string(l->reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				    TLSR_ST_POLICY_CACHE_SOURCE, from, sizeof from);
		if (_stricmp(from, origin) != 0 ||
		    _stricmp(l->source, origin) == 0 ||
		    _stricmp(l->source, l->cache_path) == 0)
			return 0;
	}
	if (tlsr_win_read_file(l->cache_path, TLSR_POLICY_MAX_BYTES, &buf,
			       &len, why, sizeof why) != TLSR_OK)
		return 0;
	/* The cache keeps its signature next to it and passes the same
	 * rules (floor, key) as the file it was copied from. */
	snprintf(sig_path, sizeof sig_path, "%s.sig", l->cache_path);
	if (tlsr_win_read_file(sig_path, TLSR_SIG_MAX_BYTES, &sig, &sig_len,
			       why, sizeof why) != TLSR_OK)
		sig = NULL;
	tlsr_machine_rules_load(l->reg, &rules);
	if (tlsr_sha256_hex(buf, len, hash) == TLSR_OK &&
	    (!l->have_policy || strcmp(hash, l->hash) != 0) &&
	    tlsr_machine_accept(&rules, l->cache_path, buf, len, sig, sig_len,
				&acc, &diag) == TLSR_OK) {
		adopt(l, &acc.policy, l->cache_path, hash, mode);
		used = 1;
	}
	tlsr_machine_rules_free(&rules);
	free(sig);
	free(buf);
	return used;
}

enum { LOAD_NONE, LOAD_CACHE, LOAD_NEW };

/* Reads the policy at path (even when it looks unchanged with force, a
 * reload request, which is also confirmed with 1100). Returns LOAD_NEW
 * when a policy from path was put in force, LOAD_CACHE when the cache was,
 * LOAD_NONE otherwise. */
static int load_from(struct loop *l, const char *path, int force,
		     const char *mode)
{
	struct tlsr_event_fields f = {0};
	struct tlsr_machine_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_diag diag;
	char why[600], hash[65] = "", now_in[1200], seen[65] = "";
	char sig_path[1100], cache_sig[sizeof l->cache_path + 8];
	unsigned poll = l->have_policy ? l->policy.source.poll : 0;
	char *buf = NULL, *sig = NULL;
	size_t len = 0, sig_len = 0;
	tlsr_err err;
	int got, reread = force;

	/* With a policy key, the signature next to the file counts too: the
	 * file is read each time, as a new .sig alone changes the answer. */
	tlsr_machine_rules_load(l->reg, &rules);
	if (rules.rules.key != NULL)
		reread = 1;

	if (l->src == NULL || strcmp(tlsr_psource_path(l->src), path) != 0 ||
	    l->src_poll != poll) {
		tlsr_psource_close(l->src);
		l->src = NULL;
		if (tlsr_psource_open(path, poll, &l->src) != TLSR_OK) {
			tlsr_machine_rules_free(&rules);
			return LOAD_NONE;
		}
		l->src_poll = poll;
		reread = 1;
		l->unreachable_reported = 0;
	}
	err = tlsr_psource_read(l->src, reread, &buf, &len, hash, why,
				sizeof why);
	if (err != TLSR_OK && err != TLSR_ETOOBIG) {
		tlsr_machine_rules_free(&rules);
		got = use_cache(l, path, mode);
		if (!l->unreachable_reported) {
			in_force(l, now_in, sizeof now_in);
			f.v[TLSR_EF_POLICY_SOURCE] = path;
			f.v[TLSR_EF_REASON] = why;
			f.v[TLSR_EF_IN_FORCE] = now_in;
			tlsr_eventlog_report(l->log, TLSR_EV_POLICY_UNREACHABLE,
					     &f);
			l->unreachable_reported = 1;
		}
		return got ? LOAD_CACHE : LOAD_NONE;
	}
	l->unreachable_reported = 0;
	if (err == TLSR_OK && buf == NULL) {
		tlsr_machine_rules_free(&rules);
		return LOAD_NONE; /* unchanged */
	}
	if (err == TLSR_OK && l->have_policy && strcmp(hash, l->hash) == 0 &&
	    strcmp(path, l->source) == 0) {
		tlsr_machine_rules_free(&rules);
		free(buf);
		if (force) {
			apply_mode_override(l, mode);
			f.v[TLSR_EF_POLICY_SOURCE] = l->source;
			f.v[TLSR_EF_POLICY_HASH] = l->hash;
			f.v[TLSR_EF_MODE] = tlsr_mode_name(l->policy.mode);
			tlsr_eventlog_report(l->log, TLSR_EV_POLICY_LOADED,
					     &f);
		}
		return LOAD_NONE;
	}
	if (err == TLSR_OK && rules.rules.key != NULL) {
		snprintf(sig_path, sizeof sig_path, "%s.sig", path);
		if (tlsr_win_read_file(sig_path, TLSR_SIG_MAX_BYTES, &sig,
				       &sig_len, now_in,
				       sizeof now_in) != TLSR_OK)
			sig = NULL;
	}
	/* What was refused is the file with its signature. */
	snprintf(seen, sizeof seen, "%s", hash);
	if (sig != NULL) {
		char both[65 + 2 * TLSR_SIG_MAX_BYTES];
		size_t i;

		snprintf(both, sizeof both, "%s", hash);
		for (i = 0; i < sig_len; i++)
			snprintf(both + 64 + 2 * i, 3, "%02x",
				 (unsigned char)sig[i]);
		tlsr_sha256_hex(both, strlen(both), seen);
	}
	if (err == TLSR_OK && (!reread || rules.rules.key != NULL) &&
	    strcmp(seen, l->rejected_hash) == 0) {
		tlsr_machine_rules_free(&rules);
		free(sig);
		free(buf);
		return LOAD_NONE;
	}
	if (err == TLSR_OK)
		err = tlsr_machine_accept(&rules, path, buf, len, sig, sig_len,
					  &acc, &diag);
	else
		tlsr_diag_set(&diag, path, 0, 0, "%s", why);
	tlsr_machine_rules_free(&rules);
	if (err != TLSR_OK) {
		got = use_cache(l, path, mode);
		tlsr_diag_format(&diag, why, sizeof why);
		in_force(l, now_in, sizeof now_in);
		f.v[TLSR_EF_POLICY_SOURCE] = path;
		f.v[TLSR_EF_POLICY_HASH] = hash;
		f.v[TLSR_EF_REASON] = why;
		f.v[TLSR_EF_IN_FORCE] = now_in;
		tlsr_eventlog_report(l->log, TLSR_EV_POLICY_REJECTED, &f);
		snprintf(l->rejected_hash, sizeof l->rejected_hash, "%s", seen);
		free(sig);
		free(buf);
		return got ? LOAD_CACHE : LOAD_NONE;
	}
	l->rejected_hash[0] = '\0';
	adopt(l, &acc.policy, path, hash, mode);
	/* A signed policy raises the serial a replay must beat. */
	if (tlsr_machine_note_accepted(l->reg, &acc) != TLSR_OK &&
	    l->o->console)
		fprintf(stderr, "tlsward: cannot record the policy serial\n");
	/* The cache keeps the signature with the policy (or none). */
	snprintf(cache_sig, sizeof cache_sig, "%s.sig", l->cache_path);
	if (sig != NULL)
		tlsr_win_write_file(cache_sig, sig, sig_len);
	else {
		wchar_t *w = tlsr_win_wide(cache_sig);

		if (w != NULL)
			DeleteFileW(w);
		free(w);
	}
	if (tlsr_win_write_file(l->cache_path, buf, len) == TLSR_OK)
		tlsr_reg_set_string(l->reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				    TLSR_ST_POLICY_CACHE_SOURCE, path);
	else if (l->o->console)
		fprintf(stderr, "tlsward: cannot write %s\n", l->cache_path);
	free(sig);
	free(buf);
	return LOAD_NEW;
}

/* Follows the policy source: the configured file (--policy, Parameters\
 * PolicyPath, or the default) until a policy in force names another in
 * source.path, which is then followed instead (a few hops at most, so two
 * files naming each other cannot loop). force re-reads even when size and
 * time look unchanged (start, PARAMCHANGE). Returns 1 when the policy in
 * force changed. */
static int load_policy(struct loop *l, int force)
{
	char configured[1024], mode[16];
	int hop, got, changed = 0;

	config_path(l, configured, sizeof configured, mode, sizeof mode);
	if (strcmp(configured, l->configured) != 0) {
		snprintf(l->configured, sizeof l->configured, "%s",
			 configured);
		snprintf(l->target, sizeof l->target, "%s", configured);
		force = 1;
	}
	for (hop = 0; hop < 3; hop++) {
		got = load_from(l, l->target, force, mode);
		if (got != LOAD_NONE)
			changed = 1;
		if (got != LOAD_NEW || l->policy.source.path[0] == '\0' ||
		    _stricmp(l->policy.source.path, l->target) == 0)
			break;
		snprintf(l->target, sizeof l->target, "%s",
			 l->policy.source.path);
	}
	return changed;
}

/* Facts from the registry and the running system. */
static void read_facts(struct loop *l)
{
	memset(&l->facts, 0, sizeof l->facts);
	tlsr_facts_read(l->reg, &l->facts);
	tlsr_platform_live_facts(&l->facts);
	l->guards_dirty = 1;
}

/* ---- one pass ---- */

/* What a pass learnt about an item, reported once the writes are done so
 * that logging never delays a heal. */
#define NOTE_DRIFT 1u
#define NOTE_CONFLICT 2u
#define NOTE_BLOCKED 4u

struct outcome {
	size_t item;
	uint32_t value;
	tlsr_err err;
	char message[256];
};

struct apply_ctx {
	struct loop *l;
	struct outcome *out;
	size_t n, cap;
};

/* tlsr_apply's callback: records each outcome for reporting later. */
static void on_action(void *data, const struct tlsr_report *r,
		      const struct tlsr_action *a, tlsr_err result)
{
	struct apply_ctx *ctx = data;
	struct outcome *o;

	(void)r;
	if (ctx->n == ctx->cap)
		return;
	o = &ctx->out[ctx->n++];
	o->item = a->item;
	o->value = a->value;
	o->err = result;
	snprintf(o->message, sizeof o->message, "%s", ctx->l->reg->message);
}

/* Counts a revert of a value tlsward wrote; past the policy's limit within
 * its window the item backs off (1 min, doubling to 1 h). Returns 1 when
 * the conflict is new and must be reported. */
static int note_revert(struct loop *l, struct item_state *st, ULONGLONG now)
{
	ULONGLONG window = (ULONGLONG)l->policy.conflict.window * 1000u;
	size_t i, kept = 0;

	/* The value stayed put for a whole window after tlsward last wrote
	 * it: whatever fought over it has stopped, start afresh. */
	if (st->backoff_s != 0 && st->last_write != 0 &&
	    now - st->last_write >= window) {
		st->backoff_s = 0;
		st->n_reverts = 0;
		st->conflict_reported = 0;
	}
	for (i = 0; i < st->n_reverts; i++)
		if (now - st->reverts[i] < window)
			st->reverts[kept++] = st->reverts[i];
	st->n_reverts = kept;
	if (st->n_reverts < MAX_REVERTS_KEPT)
		st->reverts[st->n_reverts++] = now;
	st->last_revert = now;
	if (st->n_reverts <= l->policy.conflict.max_reverts)
		return 0;
	st->backoff_s = st->backoff_s == 0 ? BACKOFF_MIN_S
			: st->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S
							    : st->backoff_s * 2;
	st->backoff_until = now + (ULONGLONG)st->backoff_s * 1000u;
	if (st->conflict_reported)
		return 0;
	st->conflict_reported = 1;
	return 1;
}

/* Reports 2005 for an item that just started backing off. */
static void report_conflict(struct loop *l, const struct tlsr_item *it)
{
	struct item_state *st = state_for(l, it->id);
	char reason[300];

	if (st == NULL)
		return;
	snprintf(reason, sizeof reason,
		 "reverted %zu times within %u s; tlsward stops rewriting it "
		 "for %u s, doubling up to %u s while the reverts go on",
		 st->n_reverts, l->policy.conflict.window, st->backoff_s,
		 BACKOFF_MAX_S);
	item_event(l, TLSR_EV_CONFLICT, it, it->expected, reason);
}

/* Reports one apply outcome (2002 or 2003) and updates the item. */
static void report_outcome(struct loop *l, const struct tlsr_report *r,
			   const struct outcome *o)
{
	const struct tlsr_item *it = &r->items[o->item];
	struct item_state *st = state_for(l, it->id);
	char reason[400];

	if (o->err == TLSR_OK) {
		item_event(l, TLSR_EV_REMEDIATED, it, o->value, NULL);
		l->remediations++;
		if (st != NULL) {
			st->wrote = 1;
			st->last_write = GetTickCount64();
			st->drift_reported = 0;
			st->failed_reported = 0;
		}
		return;
	}
	if (st != NULL && o->err == TLSR_EVERIFY) {
		ULONGLONG now = GetTickCount64();

		/* tlsward wrote it and another agent put its own value back
		 * before the read-back: count the revert. */
		st->last_write = now;
		if (note_revert(l, st, now))
			report_conflict(l, it);
	}
	if (st != NULL && st->failed_reported)
		return;
	if (o->message[0] != '\0')
		snprintf(reason, sizeof reason, "%s: %s", tlsr_strerror(o->err),
			 o->message);
	else
		snprintf(reason, sizeof reason, "%s", tlsr_strerror(o->err));
	item_event(l, TLSR_EV_REMEDIATION_FAILED, it, o->value, reason);
	if (st != NULL)
		st->failed_reported = 1;
}

/* Looks at every item: what changed since the last pass, reverts, and which
 * items may be written now. Sets notes[i] for the events to report. */
static void triage(struct loop *l, const struct tlsr_report *r,
		   unsigned char *notes, ULONGLONG now)
{
	size_t i;

	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		struct item_state *st = state_for(l, it->id);

		if (st == NULL)
			continue;
		if (it->state == TLSR_STATE_OK) {
			st->drift_reported = 0;
			st->blocked_reported = 0;
			st->failed_reported = 0;
			if (st->backoff_s != 0 &&
			    now - st->last_revert >=
				    (ULONGLONG)l->policy.conflict.window *
					    1000u) {
				st->backoff_s = 0;
				st->backoff_until = 0;
				st->n_reverts = 0;
				st->conflict_reported = 0;
			}
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
			if (note_revert(l, st, now))
				notes[i] |= NOTE_CONFLICT;
		}
		if (!st->drift_reported) {
			notes[i] |= NOTE_DRIFT;
			l->drifts++;
			st->drift_reported = 1;
		}
	}
}

/* Applies the plan without the items backing off; outcomes go to ctx. */
static void enforce(struct loop *l, const struct tlsr_report *r,
		    struct apply_ctx *ctx, struct tlsr_apply_result *res,
		    ULONGLONG now)
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
		struct item_state *st = state_for(l, it->id);

		if (st != NULL && st->backoff_until > now)
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
		snprintf(o->message, sizeof o->message, "%s", res->message);
	}
out:
	free(mine.actions);
	tlsr_plan_free(plan);
}

/* Updates LastCheck and the counters alone, after a fast-path heal. */
static void write_counters(struct loop *l)
{
	char now[32];

	tlsr_utc_now_iso(now, sizeof now);
	tlsr_reg_set_string(l->reg, TLSR_KEY_STATUS, TLSR_VIEW_64, TLSR_ST_LAST_CHECK,
			    now);
	tlsr_reg_set_dword(l->reg, TLSR_KEY_STATUS, TLSR_VIEW_64, TLSR_ST_DRIFTS,
			   l->drifts);
	tlsr_reg_set_dword(l->reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			   TLSR_ST_REMEDIATIONS, l->remediations);
}

/* ---- the fast path ----
 *
 * A full check reads every managed value, several registry round trips
 * each; under load that is milliseconds. When a watch fires, the values it
 * covers that tlsward already wrote are read through handles kept open and
 * a drifted one is written back at once (and read back), before anything
 * else happens; the full pass follows to update the Status key. Values
 * never written (no journal entry yet), blocked, deferred or backing off
 * are left to the full pass, which journals before writing. */

/* Closes the fast path's handles. */
static void guards_clear(struct loop *l)
{
	size_t i;

	for (i = 0; i < l->n_guards; i++) {
		RegCloseKey(l->guards[i].key);
		free(l->guards[i].name);
		free(l->guards[i].journal_name);
	}
	free(l->guards);
	l->guards = NULL;
	l->n_guards = 0;
	l->complete = 0;
	if (l->journal != NULL)
		RegCloseKey(l->journal);
	l->journal = NULL;
}

/* Opens a handle per fast-path value from a pass's final report. */
static void guards_build(struct loop *l, const struct tlsr_report *r)
{
	unsigned partial = 0;
	size_t i;

	guards_clear(l);
	l->guards_dirty = 0;
	if (l->watch == NULL || l->policy.mode != TLSR_MODE_ENFORCE)
		return;
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"" TLSR_KEY_JOURNAL, 0,
			  KEY_QUERY_VALUE | KEY_WOW64_64KEY,
			  &l->journal) != ERROR_SUCCESS) {
		l->journal = NULL;
		return;
	}
	l->guards = calloc(r->n_items + 1, sizeof *l->guards);
	if (l->guards == NULL)
		return;
	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		int entry = tlsr_watch_entry_for(l->watch, it->def->key,
						 it->view);
		struct guard *g = &l->guards[l->n_guards];
		struct tlsr_value journal = {0};
		wchar_t *wkey;
		LSTATUS rc;

		if (entry < 0 || entry >= 32)
			continue;
		/* A legacy value is re-asserted only while a proof of this
		 * boot allows the legacy step: otherwise the full pass
		 * decides, and defers it. */
		if (it->state != TLSR_STATE_OK || it->deferred ||
		    (it->phase == TLSR_PHASE_LEGACY && r->proof_listed &&
		     l->policy.proof.require_for_legacy_off && !r->proven) ||
		    it->def->type != TLSR_REG_DWORD ||
		    tlsr_reg_get(l->reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, it->id,
				 &journal) != TLSR_OK) {
			partial |= 1u << entry;
			continue;
		}
		tlsr_value_clear(&journal);
		wkey = tlsr_win_wide(it->def->key);
		g->name = tlsr_win_wide(it->def->name);
		rc = wkey && g->name
			     ? RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0,
					     KEY_QUERY_VALUE | KEY_SET_VALUE |
						     (it->view == TLSR_VIEW_32
							      ? KEY_WOW64_32KEY
							      : KEY_WOW64_64KEY),
					     &g->key)
			     : ERROR_NOT_ENOUGH_MEMORY;
		free(wkey);
		g->journal_name = tlsr_win_wide(it->id);
		if (rc == ERROR_SUCCESS && g->journal_name == NULL) {
			RegCloseKey(g->key);
			rc = ERROR_NOT_ENOUGH_MEMORY;
		}
		if (rc != ERROR_SUCCESS) {
			free(g->name);
			free(g->journal_name);
			g->name = NULL;
			g->journal_name = NULL;
			partial |= 1u << entry;
			continue;
		}
		g->def = it->def;
		g->view = it->view;
		snprintf(g->id, sizeof g->id, "%s", it->id);
		g->entry = entry;
		g->expected = it->expected;
		l->n_guards++;
		l->complete |= 1u << entry;
	}
	l->complete &= ~partial;
}

/* Reports a fast-path event through the same texts as the full pass. */
static void guard_event(struct loop *l, unsigned id, const struct guard *g,
			int present, DWORD type, DWORD size, DWORD value,
			const char *reason)
{
	struct tlsr_item it;
	uint8_t data[4];

	memset(&it, 0, sizeof it);
	it.def = g->def;
	it.view = g->view;
	snprintf(it.id, sizeof it.id, "%s", g->id);
	it.expected = g->expected;
	it.present = present;
	data[0] = (uint8_t)value;
	data[1] = (uint8_t)(value >> 8);
	data[2] = (uint8_t)(value >> 16);
	data[3] = (uint8_t)(value >> 24);
	it.actual.type = type;
	it.actual.size = size;
	it.actual.data = data;
	if (id == TLSR_EV_CONFLICT)
		report_conflict(l, &it);
	else
		item_event(l, id, &it, g->expected, reason);
}

/* Checks and heals the values under watch entry. Returns 1 when the full
 * pass is still needed (a value could not be judged or healed here, or the
 * watch covers values the fast path does not hold), 0 when every managed
 * value under the watch is as the last full pass left it. */
static int fast_heal(struct loop *l, int entry)
{
	struct {
		size_t g;
		int present;
		DWORD type, size, value;
		LSTATUS set;
		int conflict;
		int backoff;
	} seen[32];
	ULONGLONG now = GetTickCount64();
	size_t i, n = 0;
	int full = 0;

	if (entry < 0 || entry >= 32 || l->guards_dirty)
		return 1;
	if (!(l->complete & (1u << entry)))
		full = 1;
	for (i = 0; i < l->n_guards && n < 32; i++) {
		struct guard *g = &l->guards[i];
		struct item_state *st;
		DWORD type = 0, value = 0, size = sizeof value, back = 0;
		LSTATUS rc;

		if (g->entry != entry)
			continue;
		rc = RegQueryValueExW(g->key, g->name, NULL, &type,
				      (BYTE *)&value, &size);
		if (rc == ERROR_SUCCESS && type == REG_DWORD &&
		    size == sizeof value && value == g->expected)
			continue;
		full = 1;
		if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND &&
		    rc != ERROR_MORE_DATA)
			continue; /* the key went away: the full pass sees */
		st = state_for(l, g->id);
		if (st == NULL || st->backoff_until > now)
			continue;
		/* Only a value whose original is still journalled (a rollback
		 * removes entries) may be written without the engine. */
		if (RegQueryValueExW(l->journal, g->journal_name, NULL, NULL,
				     NULL, NULL) != ERROR_SUCCESS) {
			l->guards_dirty = 1;
			continue;
		}
		seen[n].g = i;
		seen[n].present = rc != ERROR_FILE_NOT_FOUND;
		seen[n].type = type;
		seen[n].size = rc == ERROR_MORE_DATA ? 0 : size;
		seen[n].value = value;
		seen[n].conflict = 0;
		seen[n].backoff = 0;
		seen[n].set = ERROR_SUCCESS;
		if (st->wrote) {
			st->wrote = 0;
			seen[n].conflict = note_revert(l, st, now);
			seen[n].backoff = st->backoff_until > now;
		}
		if (!seen[n].backoff) {
			seen[n].set = RegSetValueExW(g->key, g->name, 0,
						     REG_DWORD,
						     (const BYTE *)&g->expected,
						     sizeof g->expected);
			size = sizeof back;
			if (seen[n].set == ERROR_SUCCESS &&
			    (RegQueryValueExW(g->key, g->name, NULL, &type,
					      (BYTE *)&back,
					      &size) != ERROR_SUCCESS ||
			     type != REG_DWORD || back != g->expected)) {
				/* Written, then overwritten before the read-back:
				 * that is a revert too, or a fast enough agent
				 * would never bring the back-off closer. */
				seen[n].set = ERROR_INVALID_DATA;
				st->last_write = now;
				seen[n].conflict |= note_revert(l, st, now);
			}
		}
		n++;
	}

	/* Logged after every write of this wake. */
	for (i = 0; i < n; i++) {
		struct guard *g = &l->guards[seen[i].g];
		struct item_state *st = state_for(l, g->id);
		char reason[300];

		if (st == NULL)
			continue;
		if (!st->drift_reported) {
			guard_event(l, TLSR_EV_DRIFT, g, seen[i].present,
				    seen[i].type, seen[i].size, seen[i].value,
				    NULL);
			l->drifts++;
			st->drift_reported = 1;
		}
		if (seen[i].conflict)
			guard_event(l, TLSR_EV_CONFLICT, g, seen[i].present,
				    seen[i].type, seen[i].size, seen[i].value,
				    NULL);
		if (seen[i].backoff)
			continue;
		if (seen[i].set == ERROR_SUCCESS) {
			guard_event(l, TLSR_EV_REMEDIATED, g, seen[i].present,
				    seen[i].type, seen[i].size, seen[i].value,
				    NULL);
			l->remediations++;
			st->wrote = 1;
			st->last_write = GetTickCount64();
			st->drift_reported = 0;
			st->failed_reported = 0;
		} else if (!st->failed_reported) {
			char text[256];

			tlsr_win_errtext((DWORD)seen[i].set, text, sizeof text);
			snprintf(reason, sizeof reason, "%s", text);
			guard_event(l, TLSR_EV_REMEDIATION_FAILED, g,
				    seen[i].present, seen[i].type, seen[i].size,
				    seen[i].value, reason);
			st->failed_reported = 1;
		}
	}
	for (i = 0; i < n; i++)
		if (seen[i].conflict || seen[i].backoff ||
		    seen[i].set != ERROR_SUCCESS)
			full = 1;
	/* Every value under the watch is back as the last full pass left
	 * it, so its report would be the same: only the counters and the
	 * time of the check change. */
	if (!full && n > 0)
		write_counters(l);
	return full;
}

/* Writes the Status key from a report (NULL: no policy in force). */
static void write_status(struct loop *l, const struct tlsr_report *r)
{
	struct tlsr_status st = {0};
	tlsr_err err;

	if (r != NULL)
		tlsr_status_from_report(&st, r);
	tlsr_utc_now_iso(st.last_check, sizeof st.last_check);
	if (l->have_policy) {
		snprintf(st.policy_source, sizeof st.policy_source, "%s",
			 l->source);
		snprintf(st.policy_hash, sizeof st.policy_hash, "%s", l->hash);
		snprintf(st.mode, sizeof st.mode, "%s",
			 tlsr_mode_name(l->policy.mode));
		tlsr_prove_status(&st, l->reg, &l->policy);
	}
	st.drifts = l->drifts;
	st.remediations = l->remediations;
	err = tlsr_status_write(l->reg, &st);
	if (err != TLSR_OK && l->o->console)
		fprintf(stderr, "tlsward: cannot write the Status key: %s%s%s\n",
			tlsr_strerror(err), l->reg->message[0] ? ": " : "",
			l->reg->message);
}

/* check -> plan -> apply (enforce) -> events -> status. The writes come
 * first and the events after, so a drift is healed before anything is
 * logged about it. verbose: a compliant result is reported even when the
 * last pass was compliant too (start, timer, check now). Returns 1
 * compliant, 0 not, -1 error. */
static int pass(struct loop *l, int verbose)
{
	struct tlsr_report *r = NULL, *after = NULL;
	struct tlsr_apply_result res = {0};
	struct apply_ctx ctx = {0};
	ULONGLONG now = GetTickCount64();
	unsigned char *notes;
	int compliant;
	size_t i;
	tlsr_err err;

	if (!l->have_policy) {
		write_status(l, NULL);
		return -1;
	}
	err = tlsr_check(l->reg, &l->policy, &l->facts, &r);
	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward: check failed: %s%s%s\n",
			tlsr_strerror(err), l->reg->message[0] ? ": " : "",
			l->reg->message);
		return -1;
	}
	notes = calloc(r->n_items + 1, 1);
	if (notes == NULL) {
		tlsr_report_free(r);
		return -1;
	}
	triage(l, r, notes, now);
	ctx.l = l;
	if (l->policy.mode == TLSR_MODE_ENFORCE)
		enforce(l, r, &ctx, &res, now);

	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];

		if (notes[i] & NOTE_BLOCKED)
			item_event(l, TLSR_EV_BLOCKED, it, it->expected,
				   it->reason ? it->reason
					      : "a prerequisite is missing");
		if (notes[i] & NOTE_DRIFT)
			item_event(l, TLSR_EV_DRIFT, it, it->expected, NULL);
		if (notes[i] & NOTE_CONFLICT)
			report_conflict(l, it);
	}
	for (i = 0; i < ctx.n; i++)
		report_outcome(l, r, &ctx.out[i]);
	free(ctx.out);
	free(notes);

	if (l->policy.mode == TLSR_MODE_ENFORCE)
		tlsr_restart_update(&l->restart, l->reg, &l->policy, l->log,
				    res.restart_required,
				    "DefaultSecureProtocols changed; WinHTTP "
				    "reads it only when it starts");
	if (res.written > 0 || res.failed > 0)
		tlsr_check(l->reg, &l->policy, &l->facts, &after);
	if (after != NULL) {
		tlsr_report_free(r);
		r = after;
	}
	compliant = r->compliant;
	if (compliant && (verbose || l->last_compliant != 1)) {
		struct tlsr_event_fields f = {0};

		f.v[TLSR_EF_POLICY_SOURCE] = l->source;
		f.v[TLSR_EF_POLICY_HASH] = l->hash;
		tlsr_eventlog_report(l->log, TLSR_EV_CHECK_COMPLIANT, &f);
	}
	l->last_compliant = compliant;
	write_status(l, r);
	if (res.written > 0 || res.failed > 0)
		l->guards_dirty = 1;
	if (l->guards_dirty)
		guards_build(l, r);
	tlsr_report_free(r);
	return compliant;
}

/* ---- the proof on the wire ---- */

/* Runs `tlsward probe --record` in a child process (so SChannel reads its
 * settings as they are now), reports the outcome, and runs a pass: a new
 * proof may let the legacy step go ahead. */
static void prove(struct loop *l)
{
	char log_path[sizeof l->data_dir + 16], why[300];
	int rc;

	l->next_probe = 0;
	if (!l->have_policy || l->policy.proof.n_endpoints == 0)
		return;
	snprintf(log_path, sizeof log_path, "%s\\" TLSR_FILE_PROBE_LOG, l->data_dir);
	rc = tlsr_probe_child(&l->policy, log_path, l->o->stop, why,
			      sizeof why);
	if (rc < 0 && l->o->console)
		fprintf(stderr, "tlsward: %s\n", why);
	if (WaitForSingleObject(l->o->stop, 0) == WAIT_OBJECT_0)
		return;
	tlsr_prove_report(&l->prove, l->reg, &l->policy, l->log);
	l->next_probe = GetTickCount64() +
			(ULONGLONG)l->policy.proof.interval * 1000u;
	/* The guards follow the proof: legacy values are guarded only while
	 * it holds. */
	l->guards_dirty = 1;
	pass(l, 0);
}

/* A new policy or a reload: probe soon (at the next wake). */
static void probe_soon(struct loop *l)
{
	l->next_probe = l->have_policy && l->policy.proof.n_endpoints > 0
				? GetTickCount64()
				: 0;
}

/* ---- waiting ---- */

/* seconds plus a random share of jitter, in milliseconds. */
static ULONGLONG interval_ms(unsigned seconds, unsigned jitter)
{
	return (ULONGLONG)seconds * 1000u +
	       tlsr_win_random((ULONGLONG)jitter * 1000u + 1);
}

/* When the next periodic check is due. */
static void schedule_check(struct loop *l)
{
	struct tlsr_policy d;
	const struct tlsr_policy *p = &l->policy;

	if (!l->have_policy) {
		tlsr_policy_defaults(&d);
		p = &d;
	}
	l->next_check = GetTickCount64() +
			interval_ms(p->check.interval ? p->check.interval : 3600,
				    p->check.jitter);
}

/* When a polled policy source is read next (0: not polled). */
static void schedule_poll(struct loop *l)
{
	unsigned poll = l->src ? tlsr_psource_poll(l->src) : 0;

	l->next_poll = poll ? GetTickCount64() + interval_ms(poll, poll / 10)
			    : 0;
}

/* Arms the timer for the nearest deadline: the periodic check, the policy
 * poll, the end of a back-off, the scheduled restart. */
static void arm_timer(struct loop *l)
{
	ULONGLONG now = GetTickCount64(), next = l->next_check;
	LARGE_INTEGER due;
	long long restart;
	size_t i;

	if (l->next_poll != 0 && l->next_poll < next)
		next = l->next_poll;
	if (l->next_probe != 0 && l->next_probe < next)
		next = l->next_probe;
	for (i = 0; i < l->n_items; i++)
		if (l->items[i].backoff_until > now &&
		    l->items[i].backoff_until < next)
			next = l->items[i].backoff_until;
	restart = tlsr_restart_due_ms(&l->restart);
	if (restart >= 0 && now + (ULONGLONG)restart < next)
		next = now + (ULONGLONG)restart;
	due.QuadPart = next > now ? -(LONGLONG)((next - now) * 10000u) : -1;
	SetWaitableTimer(l->timer, &due, 0, NULL, NULL, FALSE);
}

/* The timer fired: poll, periodic check, back-offs ending, restart. */
static void on_timer(struct loop *l)
{
	ULONGLONG now = GetTickCount64();
	int run = 0, verbose = 0;
	size_t i;

	if (l->next_poll != 0 && now >= l->next_poll) {
		if (load_policy(l, 0)) {
			run = 1;
			probe_soon(l);
		}
		schedule_poll(l);
	}
	if (now >= l->next_check) {
		read_facts(l);
		run = verbose = 1;
		schedule_check(l);
	}
	for (i = 0; i < l->n_items; i++)
		if (l->items[i].backoff_until != 0 &&
		    l->items[i].backoff_until <= now) {
			l->items[i].backoff_until = 0;
			run = 1;
		}
	if (run)
		pass(l, verbose);
	if (l->next_probe != 0 && GetTickCount64() >= l->next_probe)
		prove(l);
	if (tlsr_restart_due_ms(&l->restart) == 0)
		tlsr_restart_fire(&l->restart, l->reg, &l->policy,
				  l->o->console);
}

/* PARAMCHANGE or a change of Parameters: policy, facts, then a pass. */
static void reload(struct loop *l)
{
	load_policy(l, 1);
	schedule_poll(l);
	read_facts(l);
	pass(l, 1);
	probe_soon(l);
}

/* Waits and dispatches until stop; returns the exit code. */
static int run_waiting(struct loop *l)
{
	HANDLE h[MAX_HANDLES];
	DWORD n, w, i_stop, i_check = MAXDWORD, i_reload = MAXDWORD, i_timer,
			    i_src = MAXDWORD, i_watch;
	unsigned fired, entries;

	for (;;) {
		n = 0;
		i_stop = n;
		h[n++] = l->o->stop;
		if (l->o->check_now != NULL) {
			i_check = n;
			h[n++] = l->o->check_now;
		}
		if (l->o->reload != NULL) {
			i_reload = n;
			h[n++] = l->o->reload;
		}
		i_timer = n;
		h[n++] = l->timer;
		i_src = MAXDWORD;
		if (l->src != NULL && tlsr_psource_event(l->src) != NULL) {
			i_src = n;
			h[n++] = tlsr_psource_event(l->src);
		}
		i_watch = n;
		n += (DWORD)tlsr_watch_events(l->watch, h + n, MAX_HANDLES - n);
		arm_timer(l);

		w = WaitForMultipleObjects(n, h, FALSE, INFINITE);
		if (w == WAIT_FAILED) {
			char text[256];

			tlsr_win_errtext(GetLastError(), text, sizeof text);
			fprintf(stderr, "tlsward: WaitForMultipleObjects: %s\n",
				text);
			return 2;
		}
		w -= WAIT_OBJECT_0;
		if (w == i_stop)
			return 0;
		if (w == i_check) {
			read_facts(l);
			pass(l, 1);
		} else if (w == i_reload) {
			reload(l);
		} else if (w == i_timer) {
			on_timer(l);
		} else if (w == i_src) {
			tlsr_psource_rearm(l->src);
			if (load_policy(l, 0)) {
				pass(l, 1);
				probe_soon(l);
			}
		} else if (w >= i_watch && w < n) {
			/* Heal first; re-arm before the full pass, so a change
			 * made while it runs wakes the loop again. */
			int full = fast_heal(l, (int)(w - i_watch));

			fired = tlsr_watch_rearm(l->watch, &entries);
			if (fired & TLSR_WATCH_PARAMETERS)
				reload(l);
			else if (full || entries != 1u << (w - i_watch))
				pass(l, 0);
		}
	}
}

int tlsr_loop_run(const struct tlsr_loop_opts *o)
{
	struct tlsr_event_fields f = {0};
	struct tlsr_diag diag = {0};
	struct loop l = {0};
	char note[300], msg[600];
	int code = 2, compliant;
	tlsr_err err;

	l.o = o;
	l.last_compliant = -1;
	tlsr_win_data_dir(l.data_dir, sizeof l.data_dir);
	tlsr_win_mkdirs(l.data_dir);
	snprintf(l.cache_path, sizeof l.cache_path, "%s\\" TLSR_FILE_POLICY_CACHE,
		 l.data_dir);
	err = tlsr_platform_live_registry(&l.reg, &diag);
	if (err != TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "tlsward: %s\n", msg);
		return 2;
	}
	err = tlsr_eventlog_open(l.data_dir, o->console, &l.log);
	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward: cannot open the event log: %s\n",
			tlsr_strerror(err));
		goto out;
	}
	l.timer = CreateWaitableTimerW(NULL, FALSE, NULL);
	if (l.timer == NULL) {
		tlsr_win_errtext(GetLastError(), msg, sizeof msg);
		fprintf(stderr, "tlsward: CreateWaitableTimerW: %s\n", msg);
		goto out;
	}
	tlsr_restart_init(&l.restart, l.reg, note, sizeof note);
	tlsr_status_read_counters(l.reg, &l.drifts, &l.remediations);
	tlsr_prove_init(&l.prove, l.reg);
	load_policy(&l, 1);
	read_facts(&l);

	if (o->once) {
		if (!l.have_policy) {
			fprintf(stderr, "tlsward: no usable policy (see the "
					"events above); nothing checked\n");
			goto out;
		}
		compliant = pass(&l, 1);
		code = compliant < 0 ? 2 : compliant ? 0 : 1;
		goto out;
	}

	if (!l.have_policy)
		snprintf(note + strlen(note), sizeof note - strlen(note),
			 "%sNo usable policy: nothing is enforced until one "
			 "loads.",
			 note[0] ? " " : "");
	f.v[TLSR_EF_VERSION] = TLSR_VERSION_STRING;
	f.v[TLSR_EF_MODE] =
		l.have_policy ? tlsr_mode_name(l.policy.mode) : "none";
	f.v[TLSR_EF_POLICY_SOURCE] = l.have_policy ? l.source : "none";
	f.v[TLSR_EF_REASON] = note;
	tlsr_eventlog_report(l.log, TLSR_EV_SERVICE_STARTED, &f);
	err = tlsr_watch_open(&l.watch);
	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward: cannot watch the registry: %s\n",
			tlsr_strerror(err));
		goto out;
	}
	if (o->console)
		tlsr_watch_describe(l.watch);
	schedule_check(&l);
	schedule_poll(&l);
	pass(&l, 1);
	if (o->running != NULL)
		o->running(o->data);
	/* After start, which is also after every restart tlsward owed. */
	prove(&l);
	code = run_waiting(&l);
	memset(&f, 0, sizeof f);
	f.v[TLSR_EF_REASON] = code == 0 ? "Stop requested."
					: "The loop failed.";
	tlsr_eventlog_report(l.log, TLSR_EV_SERVICE_STOPPED, &f);
out:
	guards_clear(&l);
	tlsr_watch_close(l.watch);
	tlsr_psource_close(l.src);
	if (l.timer != NULL)
		CloseHandle(l.timer);
	free(l.items);
	tlsr_eventlog_close(l.log);
	tlsr_registry_destroy(l.reg);
	return code;
}
