/* tlsward tests: a simulated platform for the portable loop. A clock the
 * test advances, in-memory files, captured events, a recorded restart
 * call, watch entries per component and view. */
#ifndef TLSR_SIM_ENV_H
#define TLSR_SIM_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "env.h"

#define SIM_MAX_FILES 16
#define SIM_MAX_EVENTS 4096

struct sim_file {
	char path[256];
	char *data; /* NULL: absent */
	size_t len;
	uint64_t mtime;
	int unreachable; /* stat and read fail ("the network path was not
			  * found") */
	int read_only;   /* replace fails */
};

struct sim_event {
	unsigned id;
	char *v[TLSR_EF_COUNT]; /* copies, NULL when unset */
};

struct sim_env {
	struct tlsr_loop_env env;
	uint64_t now;     /* monotonic ms */
	int64_t utc;      /* ms since 1970 */
	int tz;           /* minutes local - UTC */
	uint64_t random;  /* random_below returns random % n */
	char boot[64];
	int is_server;    /* live_facts sets facts.is_server */
	int notify;       /* source_watch arms (1) or asks to poll (0) */
	char watched[256]; /* the file source_watch was last asked for */
	struct sim_file files[SIM_MAX_FILES];
	size_t n_files;
	struct sim_event *events;
	size_t n_events;
	unsigned restarts; /* restart_now calls */
	unsigned restart_grace;
	tlsr_err restart_err; /* what restart_now returns */
	/* What memory reports, in bytes (0: not known). */
	uint64_t private_bytes;
	uint64_t working_set;
};

/* A fresh simulation: clock at 2026-11-30T12:00:00Z, tz 0, boot "boot-1",
 * notifications armed, 3 MiB private and 7 MiB working set. Caller frees
 * with sim_free. */
struct sim_env *sim_new(void);
void sim_free(struct sim_env *s);

/* Puts a file in place (text copied), bumping its time. */
void sim_put_file(struct sim_env *s, const char *path, const char *text);
/* The file's record, created absent when missing. */
struct sim_file *sim_file(struct sim_env *s, const char *path);

/* Advances both clocks. */
void sim_advance(struct sim_env *s, uint64_t ms);

/* Events with this id since the start. */
size_t sim_count(const struct sim_env *s, unsigned id);
/* The last event with this id, or NULL. */
const struct sim_event *sim_last(const struct sim_env *s, unsigned id);
/* Forgets the captured events. */
void sim_clear_events(struct sim_env *s);

#endif
