/* tlsward: where the policy comes from, for the service and the CLI alike.
 * The configured file (--policy, Parameters\PolicyPath with %VARIABLES%
 * expanded, or the data directory's policy.yaml) until a policy in force
 * names another in source.path, which is then followed instead: at most
 * TLSR_FOLLOW_MAX_HOPS hops, so two files naming each other cannot loop.
 * Parameters\Mode, when set, overrides the file's mode.
 *
 * The service's side (tlsr_follow) accepts a file only through
 * tlsr_machine_accept under the machine's rules (the local floor, the
 * policy key and its signature next to the file, the serial guard), keeps
 * the last good policy (and its signature) in a cache file, puts it in
 * force while the source is unreachable, and reports 1100/1101/1102 once
 * per change. It reads files only through the platform table. */
#ifndef TLSR_FOLLOW_H
#define TLSR_FOLLOW_H

#include <stdint.h>

#include "env.h"
#include "tlsr.h"

#define TLSR_FOLLOW_MAX_HOPS 3

/* Expands %VARIABLES% (env.h's expand); NULL: none. */
typedef int (*tlsr_expand_fn)(void *ctx, const char *in, char *out,
			      size_t size);

/* The configured policy file and Parameters\Mode ("" when unset) as the
 * service sees them: override (--policy) when not NULL, else
 * Parameters\PolicyPath (expanded), else DATA_DIR\policy.yaml. The one
 * place both the service and the CLI learn it. */
void tlsr_policy_locate(struct tlsr_registry *reg, const char *override,
			const char *data_dir, tlsr_expand_fn expand,
			void *expand_ctx, char *path, size_t size, char *mode,
			size_t mode_size);

/* Parameters\Mode applied to a file's mode: "audit" or "enforce" (any
 * case) wins, anything else leaves file_mode. */
enum tlsr_mode tlsr_policy_mode_override(enum tlsr_mode file_mode,
					 const char *mode);

/* The file a policy loaded from current says to follow next, or NULL when
 * it names none or itself. */
const char *tlsr_follow_next(const struct tlsr_policy *p,
			     const char *current);

/* The CLI's load: locates the policy as the service does, loads it and
 * follows source.path hops, with Parameters\Mode applied. source gets the
 * file the policy came from. On failure diag says why. */
tlsr_err tlsr_policy_load_located(struct tlsr_registry *reg,
				  const char *override, const char *data_dir,
				  tlsr_expand_fn expand, void *expand_ctx,
				  struct tlsr_policy *out, char *source,
				  size_t source_size, struct tlsr_diag *diag);

/* ---- the service's policy source ---- */

struct tlsr_follow {
	const struct tlsr_loop_env *env;
	struct tlsr_registry *reg; /* during tlsr_follow_load */
	char override[1024];      /* --policy, "" when none */
	char data_dir[1024];
	char cache_path[1100];

	int have_policy;
	struct tlsr_policy policy; /* Parameters\Mode applied */
	enum tlsr_mode file_mode;  /* the mode the file says */
	char source[1100];         /* where the policy in force came from */
	char hash[65];
	char rejected_hash[65];    /* the last rejected file, reported once */
	char configured[1024];
	char target[1024];         /* the file followed now */
	char cache_source[1100];   /* where the cache's policy came from */
	int unreachable_reported;

	/* The target's last seen size and time (have_stat 0: read it). */
	int have_stat;
	uint64_t size, mtime;
	int notified;              /* the platform watches the target */
	int watching;              /* source_watch was asked for target */
	uint64_t next_poll;        /* monotonic ms; 0: not polled */
	char last_error[600];      /* the last cache write failure, or "" */
};

/* Starts following; nothing is read yet. override may be NULL. */
void tlsr_follow_init(struct tlsr_follow *f, const struct tlsr_loop_env *env,
		      const char *override, const char *data_dir,
		      const char *cache_source);

/* Looks at the source: with force it re-reads even when size and time look
 * unchanged (start, a reload request, which 1100 then confirms). Returns 1
 * when the policy in force changed (or its mode), 0 otherwise. now: the
 * wake's monotonic time, for the next poll. */
int tlsr_follow_load(struct tlsr_follow *f, struct tlsr_registry *reg,
		     int force, uint64_t now);

#endif
