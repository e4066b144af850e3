/* tlsward: the policy source. */
#include "follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "machine.h"
#include "policy.h"

/* Case-insensitive ASCII comparison: Windows paths and mode names. */
static int same_text(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a, cb = *b;

		if (ca >= 'A' && ca <= 'Z')
			ca = (char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (char)(cb - 'A' + 'a');
		if (ca != cb)
			return 0;
		if (ca == '\0')
			return 1;
	}
}

void tlsr_policy_locate(struct tlsr_registry *reg, const char *override,
			const char *data_dir, tlsr_expand_fn expand,
			void *expand_ctx, char *path, size_t size, char *mode,
			size_t mode_size)
{
	char raw[1024];

	mode[0] = '\0';
	if (tlsr_reg_get_string(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				TLSR_PARAM_MODE, mode, mode_size) != TLSR_OK)
		mode[0] = '\0';
	if (override != NULL && override[0] != '\0') {
		tlsr_textf(path, size, "%s", override);
		return;
	}
	if (tlsr_reg_get_string(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				TLSR_PARAM_POLICY_PATH, raw,
				sizeof raw) == TLSR_OK &&
	    raw[0] != '\0') {
		/* An installer may write %ProgramData%\... (REG_EXPAND_SZ). */
		if (strchr(raw, '%') == NULL || expand == NULL ||
		    expand(expand_ctx, raw, path, size) != 0)
			tlsr_textf(path, size, "%s", raw);
		return;
	}
	tlsr_textf(path, size, "%s\\" TLSR_FILE_POLICY, data_dir);
}

enum tlsr_mode tlsr_policy_mode_override(enum tlsr_mode file_mode,
					 const char *mode)
{
	if (same_text(mode, "audit"))
		return TLSR_MODE_AUDIT;
	if (same_text(mode, "enforce"))
		return TLSR_MODE_ENFORCE;
	return file_mode;
}

const char *tlsr_follow_next(const struct tlsr_policy *p, const char *current)
{
	if (p->source.path[0] == '\0' || same_text(p->source.path, current))
		return NULL;
	return p->source.path;
}

tlsr_err tlsr_policy_load_located(struct tlsr_registry *reg,
				  const char *override, const char *data_dir,
				  tlsr_expand_fn expand, void *expand_ctx,
				  struct tlsr_policy *out, char *source,
				  size_t source_size, struct tlsr_diag *diag)
{
	char path[1024], mode[16];
	const char *next;
	struct tlsr_policy p;
	tlsr_err err;
	int hop;

	tlsr_policy_locate(reg, override, data_dir, expand, expand_ctx, path,
			   sizeof path, mode, sizeof mode);
	err = tlsr_policy_load_file(path, &p, diag);
	if (err != TLSR_OK)
		return err;
	/* The service follows source.path the same way; a hop that cannot be
	 * read leaves the policy that named it in force, as in the service
	 * before its cache exists. */
	for (hop = 1; hop < TLSR_FOLLOW_MAX_HOPS; hop++) {
		struct tlsr_policy q;
		struct tlsr_diag d = {0};

		next = tlsr_follow_next(&p, path);
		if (next == NULL)
			break;
		if (tlsr_policy_load_file(next, &q, &d) != TLSR_OK)
			break;
		tlsr_textf(path, sizeof path, "%s", next);
		p = q;
	}
	p.mode = tlsr_policy_mode_override(p.mode, mode);
	*out = p;
	tlsr_textf(source, source_size, "%s", path);
	return TLSR_OK;
}

void tlsr_follow_init(struct tlsr_follow *f, const struct tlsr_loop_env *env,
		      const char *override, const char *data_dir,
		      const char *cache_source)
{
	memset(f, 0, sizeof *f);
	f->env = env;
	tlsr_textf(f->override, sizeof f->override, "%s",
		   override ? override : "");
	tlsr_textf(f->data_dir, sizeof f->data_dir, "%s", data_dir);
	tlsr_textf(f->cache_path, sizeof f->cache_path,
		   "%s\\" TLSR_FILE_POLICY_CACHE, data_dir);
	tlsr_textf(f->cache_source, sizeof f->cache_source, "%s",
		   cache_source ? cache_source : "");
}

/* The policy in force (source and hash), or "none", for 1101/1102. */
static void in_force(const struct tlsr_follow *f, char *buf, size_t size)
{
	if (f->have_policy)
		tlsr_textf(buf, size, "%s (SHA-256 %s)", f->source, f->hash);
	else
		tlsr_textf(buf, size, "none");
}

static void report(struct tlsr_follow *f, unsigned id,
		   const struct tlsr_event_fields *ev)
{
	f->env->report(f->env->ctx, id, ev);
}

/* Puts p in force and reports 1100. */
static void adopt(struct tlsr_follow *f, const struct tlsr_policy *p,
		  const char *source, const char *hash, const char *mode)
{
	struct tlsr_event_fields ev = {0};

	f->policy = *p;
	f->file_mode = p->mode;
	f->policy.mode = tlsr_policy_mode_override(f->file_mode, mode);
	f->have_policy = 1;
	tlsr_textf(f->source, sizeof f->source, "%s", source);
	tlsr_textf(f->hash, sizeof f->hash, "%s", hash);
	ev.v[TLSR_EF_POLICY_SOURCE] = f->source;
	ev.v[TLSR_EF_POLICY_HASH] = f->hash;
	ev.v[TLSR_EF_MODE] = tlsr_mode_name(f->policy.mode);
	report(f, TLSR_EV_POLICY_LOADED, &ev);
}

/* The last good policy (policy.cache.yaml) stands in for an unreachable or
 * rejected origin: when nothing is in force, or when what is in force is
 * only the bootstrap file while the cache holds a newer policy from origin
 * itself. A file named on the command line is what the user wants checked:
 * no stand-in for it. Returns 1 when the cache was put in force. */
static int use_cache(struct tlsr_follow *f, const char *origin,
		     const char *mode)
{
	const struct tlsr_loop_env *env = f->env;
	struct tlsr_machine_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_diag diag = {0};
	char why[256], hash[65], sig_path[sizeof f->cache_path + 8];
	char *buf = NULL, *sig = NULL;
	size_t len, sig_len = 0;
	int used = 0;

	if (f->override[0] != '\0')
		return 0;
	if (f->have_policy &&
	    (!same_text(f->cache_source, origin) ||
	     same_text(f->source, origin) ||
	     same_text(f->source, f->cache_path)))
		return 0;
	if (env->file_read(env->ctx, f->cache_path, TLSR_POLICY_MAX_BYTES,
			   &buf, &len, why, sizeof why) != TLSR_OK)
		return 0;
	/* The cache keeps its signature next to it and passes the same
	 * rules (floor, key) as the file it was copied from. */
	tlsr_textf(sig_path, sizeof sig_path, "%s.sig", f->cache_path);
	if (env->file_read(env->ctx, sig_path, TLSR_SIG_MAX_BYTES, &sig,
			   &sig_len, why, sizeof why) != TLSR_OK)
		sig = NULL;
	tlsr_machine_rules_load(f->reg, &rules);
	if (env->sha256_hex(env->ctx, buf, len, hash) == TLSR_OK &&
	    (!f->have_policy || strcmp(hash, f->hash) != 0) &&
	    tlsr_machine_accept(&rules, f->cache_path, buf, len, sig, sig_len,
				&acc, &diag) == TLSR_OK) {
		adopt(f, &acc.policy, f->cache_path, hash, mode);
		used = 1;
	}
	tlsr_machine_rules_free(&rules);
	free(sig);
	free(buf);
	return used;
}

enum { LOAD_NONE, LOAD_CACHE, LOAD_NEW };

/* The source could not be read: the cache stands in, and 1102 says so
 * once until the source is back. */
static int unreachable(struct tlsr_follow *f, const char *path,
		       const char *why, const char *mode)
{
	struct tlsr_event_fields ev = {0};
	char now_in[1200];
	int got = use_cache(f, path, mode);

	if (!f->unreachable_reported) {
		in_force(f, now_in, sizeof now_in);
		ev.v[TLSR_EF_POLICY_SOURCE] = path;
		ev.v[TLSR_EF_REASON] = why;
		ev.v[TLSR_EF_IN_FORCE] = now_in;
		report(f, TLSR_EV_POLICY_UNREACHABLE, &ev);
		f->unreachable_reported = 1;
	}
	return got ? LOAD_CACHE : LOAD_NONE;
}

/* The file was read but is no policy: 1101 once per file content, and the
 * cache may stand in. */
static int rejected(struct tlsr_follow *f, const char *path,
		    const char *hash, const char *seen, struct tlsr_diag *diag,
		    const char *mode)
{
	struct tlsr_event_fields ev = {0};
	char why[600], now_in[1200];
	int got = use_cache(f, path, mode);

	tlsr_diag_format(diag, why, sizeof why);
	in_force(f, now_in, sizeof now_in);
	ev.v[TLSR_EF_POLICY_SOURCE] = path;
	ev.v[TLSR_EF_POLICY_HASH] = hash;
	ev.v[TLSR_EF_REASON] = why;
	ev.v[TLSR_EF_IN_FORCE] = now_in;
	report(f, TLSR_EV_POLICY_REJECTED, &ev);
	tlsr_textf(f->rejected_hash, sizeof f->rejected_hash, "%s", seen);
	return got ? LOAD_CACHE : LOAD_NONE;
}

/* A new good policy from path: in force, and kept as the cache with its
 * signature (or none). */
static int accepted(struct tlsr_follow *f, const char *path,
		    const struct tlsr_accepted *acc, const char *buf,
		    size_t len, const char *sig, size_t sig_len,
		    const char *hash, const char *mode)
{
	const struct tlsr_loop_env *env = f->env;
	char why[300], cache_sig[sizeof f->cache_path + 8];
	tlsr_err err;

	f->rejected_hash[0] = '\0';
	adopt(f, &acc->policy, path, hash, mode);
	/* A signed policy raises the serial a replay must beat. */
	if (tlsr_machine_note_accepted(f->reg, acc) != TLSR_OK)
		tlsr_textf(f->last_error, sizeof f->last_error,
			   "cannot record the serial of the policy %s: %s",
			   path, f->reg->message);
	if (same_text(path, f->cache_path))
		return LOAD_NEW;
	tlsr_textf(cache_sig, sizeof cache_sig, "%s.sig", f->cache_path);
	if (sig != NULL)
		err = env->file_replace(env->ctx, cache_sig, sig, sig_len, why,
					sizeof why);
	else
		err = env->file_remove(env->ctx, cache_sig, why, sizeof why);
	if (err == TLSR_OK &&
	    env->file_replace(env->ctx, f->cache_path, buf, len, why,
			      sizeof why) == TLSR_OK) {
		tlsr_textf(f->cache_source, sizeof f->cache_source, "%s", path);
		f->last_error[0] = '\0';
	} else {
		tlsr_textf(f->last_error, sizeof f->last_error,
			   "cannot write the policy cache %s: %s",
			   f->cache_path, why);
	}
	return LOAD_NEW;
}

/* Re-arms the source's notification when the target changed. */
static void follow_target(struct tlsr_follow *f, const char *path)
{
	if (f->watching && strcmp(f->target, path) == 0)
		return;
	tlsr_textf(f->target, sizeof f->target, "%s", path);
	f->have_stat = 0;
	f->unreachable_reported = 0;
	f->watching = 1;
	f->notified = f->env->source_watch != NULL &&
		      f->env->source_watch(f->env->ctx, path) == 1;
}

/* Reads path: see tlsr_follow_load. */
static int load_from(struct tlsr_follow *f, const char *path, int force,
		     const char *mode)
{
	const struct tlsr_loop_env *env = f->env;
	struct tlsr_machine_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_diag diag = {0};
	char why[600], hash[65] = "", seen[65] = "", sig_path[1100];
	uint64_t size = 0, mtime = 0;
	char *buf = NULL, *sig = NULL;
	size_t len = 0, sig_len = 0;
	tlsr_err err;
	int got, keyed;

	if (strcmp(f->target, path) != 0 || !f->watching) {
		follow_target(f, path);
		force = 1;
	}
	/* With a policy key the signature next to the file counts too: the
	 * file is read each time, as a new .sig alone changes the answer. */
	tlsr_machine_rules_load(f->reg, &rules);
	keyed = rules.rules.key != NULL;
	tlsr_machine_rules_free(&rules);
	if (keyed)
		force = 1;
	err = env->file_stat(env->ctx, path, &size, &mtime, why, sizeof why);
	if (err != TLSR_OK) {
		f->have_stat = 0;
		return unreachable(f, path, why, mode);
	}
	if (!force && f->have_stat && size == f->size && mtime == f->mtime)
		return LOAD_NONE;
	err = env->file_read(env->ctx, path, TLSR_POLICY_MAX_BYTES, &buf, &len,
			     why, sizeof why);
	if (err == TLSR_ETOOBIG) {
		tlsr_diag_set(&diag, path, 0, 0, "%s", why);
		f->have_stat = 1;
		f->size = size;
		f->mtime = mtime;
		if (!force && f->rejected_hash[0] == '\0')
			return LOAD_NONE;
		return rejected(f, path, "", "", &diag, mode);
	}
	if (err != TLSR_OK) {
		f->have_stat = 0;
		return unreachable(f, path, why, mode);
	}
	f->unreachable_reported = 0;
	f->have_stat = 1;
	f->size = size;
	f->mtime = mtime;
	if (env->sha256_hex(env->ctx, buf, len, hash) != TLSR_OK) {
		free(buf);
		f->have_stat = 0;
		return unreachable(f, path, "SHA-256 is unavailable", mode);
	}
	if (f->have_policy && strcmp(hash, f->hash) == 0 &&
	    strcmp(path, f->source) == 0) {
		free(buf);
		return LOAD_NONE;
	}
	if (keyed) {
		tlsr_textf(sig_path, sizeof sig_path, "%s.sig", path);
		if (env->file_read(env->ctx, sig_path, TLSR_SIG_MAX_BYTES, &sig,
				   &sig_len, why, sizeof why) != TLSR_OK)
			sig = NULL;
	}
	/* What was refused is the file with its signature. */
	tlsr_textf(seen, sizeof seen, "%s", hash);
	if (sig != NULL) {
		char both[65 + 2 * TLSR_SIG_MAX_BYTES];
		size_t i;

		tlsr_textf(both, sizeof both, "%s", hash);
		for (i = 0; i < sig_len; i++)
			snprintf(both + 64 + 2 * i, 3, "%02x",
				 (unsigned char)sig[i]);
		env->sha256_hex(env->ctx, both, strlen(both), seen);
	}
	if ((!force || keyed) && strcmp(seen, f->rejected_hash) == 0) {
		free(sig);
		free(buf);
		return LOAD_NONE;
	}
	tlsr_machine_rules_load(f->reg, &rules);
	err = tlsr_machine_accept(&rules, path, buf, len, sig, sig_len, &acc,
				  &diag);
	tlsr_machine_rules_free(&rules);
	if (err != TLSR_OK) {
		free(sig);
		free(buf);
		return rejected(f, path, hash, seen, &diag, mode);
	}
	got = accepted(f, path, &acc, buf, len, sig, sig_len, hash, mode);
	free(sig);
	free(buf);
	return got;
}

int tlsr_follow_load(struct tlsr_follow *f, struct tlsr_registry *reg,
		     int force, uint64_t now)
{
	char configured[1024], mode[16];
	enum tlsr_mode before = f->policy.mode;
	const char *next;
	int hop, got, changed = 0, had = f->have_policy;

	f->reg = reg;
	tlsr_policy_locate(reg, f->override[0] ? f->override : NULL,
			   f->data_dir, f->env->expand, f->env->ctx,
			   configured, sizeof configured, mode, sizeof mode);
	if (strcmp(configured, f->configured) != 0) {
		tlsr_textf(f->configured, sizeof f->configured, "%s",
			   configured);
		follow_target(f, configured);
		force = 1;
	}
	for (hop = 0; hop < TLSR_FOLLOW_MAX_HOPS; hop++) {
		got = load_from(f, f->target, force, mode);
		if (got != LOAD_NONE)
			changed = 1;
		if (got != LOAD_NEW)
			break;
		next = tlsr_follow_next(&f->policy, f->target);
		/* The last hop's policy stays in force and its file is the one
		 * followed, so files naming each other settle. */
		if (next == NULL || hop + 1 == TLSR_FOLLOW_MAX_HOPS)
			break;
		follow_target(f, next);
		force = 1;
	}
	if (f->have_policy && !changed) {
		/* Parameters\Mode may have changed alone: the same policy in
		 * another mode is reported as loaded. A reload that changes
		 * nothing (the service's own write of Parameters\PolicySerial
		 * fires the Parameters watch too) reports nothing. */
		f->policy.mode = tlsr_policy_mode_override(f->file_mode, mode);
		if (had && f->policy.mode != before) {
			struct tlsr_event_fields ev = {0};

			changed = 1;
			ev.v[TLSR_EF_POLICY_SOURCE] = f->source;
			ev.v[TLSR_EF_POLICY_HASH] = f->hash;
			ev.v[TLSR_EF_MODE] = tlsr_mode_name(f->policy.mode);
			report(f, TLSR_EV_POLICY_LOADED, &ev);
		}
	}
	if (f->notified) {
		f->next_poll = 0;
	} else {
		unsigned poll = f->have_policy && f->policy.source.poll
					? f->policy.source.poll
					: 60;

		f->next_poll = now + (uint64_t)poll * 1000u +
			       f->env->random_below(f->env->ctx,
						    (uint64_t)poll * 100u + 1);
	}
	return changed;
}
