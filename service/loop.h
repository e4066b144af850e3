/* tlsward: the remediation loop, portable. A driver (service/win/run_win.c,
 * or a test) waits for whatever wakes it, reads nothing itself and calls
 * tlsr_loop_wake; the loop reads "now" once per wake from its platform
 * table and says when it wants to be woken next (libuv's
 * uv__next_timeout). */
#ifndef TLSR_LOOP_H
#define TLSR_LOOP_H

#include <stdint.h>

#include "env.h"
#include "tlsr.h"

struct tlsr_loop_opts {
	int console;             /* the driver prints events on stderr */
	int once;                /* one check/apply pass (TLSR_WAKE_START) */
	const char *policy_path; /* UTF-8; NULL: Parameters\PolicyPath */
	const char *data_dir;    /* the policy cache's directory */
	const char *start_note;  /* added to 1000's reason (NULL: none) */
};

enum tlsr_wake {
	TLSR_WAKE_START,     /* first wake: policy, facts, the first pass */
	TLSR_WAKE_TIMER,     /* tlsr_loop_next_timeout elapsed */
	TLSR_WAKE_CHECK_NOW, /* the check-now control */
	TLSR_WAKE_RELOAD,    /* PARAMCHANGE or a change of Parameters */
	TLSR_WAKE_SOURCE,    /* the policy file's directory changed */
	TLSR_WAKE_WATCH,     /* managed keys changed (watch_mask says which) */
	TLSR_WAKE_WATCH_FIRST, /* the same, healed before the driver re-arms
				* its watches; the driver follows it with
				* TLSR_WAKE_WATCH (its second look), whose
				* Status write covers both */
};

struct tlsr_loop;

/* reg and env are borrowed: the caller destroys them after tlsr_loop_free.
 * opts is copied. Reports nothing yet. */
tlsr_err tlsr_loop_new(struct tlsr_registry *reg,
		       const struct tlsr_loop_env *env,
		       const struct tlsr_loop_opts *opts,
		       struct tlsr_loop **out);

/* Handles one wake. watch_mask: the watches that fired (bit i: entry i),
 * TLSR_WAKE_WATCH and TLSR_WAKE_WATCH_FIRST only. Heals write Status once
 * per wake, after all of them (TLSR_WAKE_WATCH_FIRST: at the next wake). */
void tlsr_loop_wake(struct tlsr_loop *l, enum tlsr_wake why,
		    uint64_t watch_mask);

/* Milliseconds until the next deadline (periodic check, policy poll, end of
 * a back-off, a scheduled restart); 0 when one is due, -1 for none. */
int64_t tlsr_loop_next_timeout(const struct tlsr_loop *l);

/* Reports a failure the loop cannot go on after (event 1002 with reason)
 * and remembers it for the stop event. */
void tlsr_loop_fail(struct tlsr_loop *l, const char *fmt, ...)
	TLSR_PRINTF(2, 3);


/* Reports 1001 with reason (NULL: the failure tlsr_loop_fail recorded, or
 * "Stop requested."). Once. */
void tlsr_loop_stop(struct tlsr_loop *l, const char *reason);

/* 0 compliant, 1 not compliant after the last pass, 2 when the loop could
 * not run (no policy, check failed, or tlsr_loop_fail). */
int tlsr_loop_exit_code(const struct tlsr_loop *l);

/* Completed passes since tlsr_loop_new. */
unsigned tlsr_loop_passes(const struct tlsr_loop *l);

/* NULL-safe. */
void tlsr_loop_free(struct tlsr_loop *l);

#endif
