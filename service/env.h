/* tlsward: what the portable loop needs from the platform, as one function
 * table (SQLite's VFS carries time and randomness the same way). The
 * Windows build gives service/win/env_win.c's table, the tests a simulated
 * one (tests/sim_env.c). Every member gets ctx; none may block for longer
 * than a registry call. Strings are UTF-8. */
#ifndef TLSR_ENV_H
#define TLSR_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "eventlog.h"
#include "tlsr.h"

struct tlsr_loop_env {
	void *ctx;

	/* ---- time ---- */
	/* Monotonic milliseconds (any origin; never goes back). */
	uint64_t (*now_ms)(void *ctx);
	/* Wall clock: milliseconds since 1970-01-01T00:00:00Z. */
	int64_t (*utc_ms)(void *ctx);
	/* Local time minus UTC at utc_ms, in minutes. */
	int (*tz_offset_min)(void *ctx, int64_t utc_ms);
	/* A random number in [0, n); 0 when n is 0. */
	uint64_t (*random_below)(void *ctx, uint64_t n);
	/* This boot's id into buf; "" when it cannot be learnt (then nothing
	 * that depends on a restart having happened is decided). */
	void (*boot_id)(void *ctx, char *buf, size_t size);

	/* ---- the running system ---- */
	/* Overlays what only the running system knows on facts read from the
	 * registry (OS version, product type). May be NULL. */
	void (*live_facts)(void *ctx, struct tlsr_facts *facts);
	/* Expands %VARIABLE% references of in into out; returns 0, or -1 when
	 * it cannot (out then holds in unchanged). */
	int (*expand)(void *ctx, const char *in, char *out, size_t size);

	/* ---- registry change notifications ---- */
	/* Index of the watch whose key holds path (HKLM-relative) in view, or
	 * -1 when none does. Indexes are stable for the loop's life and below
	 * 64: bit i of a TLSR_WAKE_WATCH mask is watch i. */
	int (*watch_entry_for)(void *ctx, const char *path, enum tlsr_view view);

	/* ---- files: the policy source and the cache ---- */
	/* Size and modification time (any unit that changes when the file
	 * does). On failure why says what went wrong. */
	tlsr_err (*file_stat)(void *ctx, const char *path, uint64_t *size,
			      uint64_t *mtime, char *why, size_t why_size);
	/* Reads at most max bytes; caller frees *buf (NUL-terminated). */
	tlsr_err (*file_read)(void *ctx, const char *path, size_t max,
			      char **buf, size_t *len, char *why,
			      size_t why_size);
	/* Replaces path with data atomically: readers see the old file or the
	 * new one, never a part. */
	tlsr_err (*file_replace)(void *ctx, const char *path, const void *data,
				 size_t len, char *why, size_t why_size);
	/* Removes path; TLSR_OK also when it did not exist. */
	tlsr_err (*file_remove)(void *ctx, const char *path, char *why,
				size_t why_size);
	/* Follows path by change notification from now on, in place of the
	 * file followed before (NULL: none). Returns 1 when armed (the driver
	 * then wakes the loop with TLSR_WAKE_SOURCE when it changes), 0 when
	 * the loop must poll it: a share, or a directory that is missing. */
	int (*source_watch)(void *ctx, const char *path);
	/* SHA-256 of data as 64 lowercase hex digits. */
	tlsr_err (*sha256_hex)(void *ctx, const void *data, size_t len,
			       char out[65]);

	/* ---- events ---- */
	/* Reports event id (service/eventlog.h) with fields f (not owned). */
	void (*report)(void *ctx, unsigned id,
		       const struct tlsr_event_fields *f);

	/* ---- the proof on the wire ---- */
	/* Runs `tlsward probe --record` for p's endpoints (a child process,
	 * so SChannel reads its settings afresh; it may take tens of seconds,
	 * and ends early when the service stops) and reports the outcome
	 * (4000/4001, once per change). Returns -1 when the service is
	 * stopping, 0 otherwise. May be NULL: no prober. */
	int (*prove)(void *ctx, const struct tlsr_policy *p);

	/* ---- the service process ---- */
	/* The process's private bytes (its commit charge) and working set,
	 * in bytes; 0 for a figure the platform cannot give. May be NULL. */
	void (*memory)(void *ctx, uint64_t *private_bytes,
		       uint64_t *working_set);

	/* ---- the only side effect outside the registry ---- */
	/* Restarts the computer after grace seconds, showing message. On
	 * failure why holds the system's reason. */
	tlsr_err (*restart_now)(void *ctx, unsigned grace_s,
				const char *message, char *why,
				size_t why_size);
};

#endif
