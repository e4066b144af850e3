/* tlsward: the restart a change owes. Whether one is owed, when it is due
 * (the next moment of the policy's window, spread per machine across it),
 * and firing it once per boot through the platform's restart actuator.
 * restart.c owns the restart state; status.c writes it to Status. Nothing
 * here reads a clock: every time comes from the caller. */
#ifndef TLSR_RESTART_H
#define TLSR_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "tlsr.h"

struct tlsr_restart {
	char boot_id[64];     /* this boot ("" unknown) */
	uint32_t seed;        /* this machine's place in the window */
	int pending;          /* a restart is owed */
	char owed[1024];      /* what owes it: ids, NUL-separated */
	size_t owed_len;
	char reason[256];
	char owed_boot[64];   /* the boot in which it became owed */
	int scheduled;        /* due is set */
	int64_t due;          /* UTC ms of the scheduled restart */
	char attempt[400];    /* the outcome of the attempt, "" before */
	int attempted;        /* restart_now was called this boot */
};

/* The restart mode in force: the policy's, except that a server whose
 * policy does not set restart.mode is only told (notify). */
enum tlsr_restart_mode tlsr_restart_mode_for(const struct tlsr_policy *p,
					     const struct tlsr_facts *facts);

/* UTC ms of the next restart for a change owed at now_utc: this machine's
 * minute of the window (window_start + seed mod its length, local time,
 * tz_offset minutes ahead of UTC), today or tomorrow; now_utc when the
 * window is open and this machine's minute has passed. */
int64_t tlsr_restart_next_in_window(int64_t now_utc, int tz_offset,
				    unsigned window_start, unsigned window_end,
				    uint32_t seed);

/* Starts from what Status recorded (pending, reason, time, boot, attempt)
 * at boot boot_id. A restart owed in another known boot has happened:
 * the state is cleared and note says so (else note is ""). With an
 * unknown boot id nothing is cleared (fail closed). */
void tlsr_restart_init(struct tlsr_restart *rs, const char *boot_id,
		       uint32_t seed, int pending, const char *reason,
		       const char *time, const char *owed_boot,
		       const char *attempt, char *note, size_t note_size);

/* After a pass or a fast-path heal: owed says whether a restart is owed now
 * (list: the ids, NUL-separated, list_len bytes). A newly owed restart is
 * recorded and acted on by mode: schedule (event 3000 with the time),
 * notify (3001), never (Status only). Returns 1 when the state changed. */
int tlsr_restart_update(struct tlsr_restart *rs,
			const struct tlsr_loop_env *env,
			const struct tlsr_policy *p,
			const struct tlsr_facts *facts, int owed,
			const char *list, size_t list_len, const char *reason,
			int64_t now_utc);

/* Forgets the owed restart (nothing is owed any more). */
void tlsr_restart_clear(struct tlsr_restart *rs);

/* Milliseconds until the scheduled restart is due (0: now), or -1. */
int64_t tlsr_restart_due_ms(const struct tlsr_restart *rs, int64_t now_utc);

/* When due: calls env->restart_now once per boot, records the outcome in
 * rs->attempt and reports 3002 when it failed. Returns 1 when it tried. */
int tlsr_restart_fire(struct tlsr_restart *rs, const struct tlsr_loop_env *env,
		      const struct tlsr_policy *p, int64_t now_utc);

/* "2026-11-22T04:00:00Z" for a UTC ms time (buf of at least 21 bytes). */
void tlsr_utc_iso(int64_t utc_ms, char *buf, size_t size);
/* The reverse; -1 when s is not such a time. */
int tlsr_utc_parse(const char *s, int64_t *out);

#endif
