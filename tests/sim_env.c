/* tlsward tests: the simulated platform. */
#include "sim_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

static uint64_t sim_now_ms(void *ctx)
{
	return ((struct sim_env *)ctx)->now;
}

static int64_t sim_utc_ms(void *ctx)
{
	return ((struct sim_env *)ctx)->utc;
}

static int sim_tz(void *ctx, int64_t utc)
{
	(void)utc;
	return ((struct sim_env *)ctx)->tz;
}

static uint64_t sim_random(void *ctx, uint64_t n)
{
	return n == 0 ? 0 : ((struct sim_env *)ctx)->random % n;
}

static void sim_boot_id(void *ctx, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ((struct sim_env *)ctx)->boot);
}

static void sim_live_facts(void *ctx, struct tlsr_facts *f)
{
	f->is_server = ((struct sim_env *)ctx)->is_server;
}

static int sim_expand(void *ctx, const char *in, char *out, size_t size)
{
	const char *at = strstr(in, "%ProgramData%");

	(void)ctx;
	if (at == NULL)
		return -1;
	snprintf(out, size, "%.*sC:\\ProgramData%s", (int)(at - in), in,
		 at + strlen("%ProgramData%"));
	return 0;
}

/* One watch per component and view, as watch_win.c plans them. */
static int sim_watch_entry_for(void *ctx, const char *path,
			       enum tlsr_view view)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < tlsr_settings_count; i++)
		if (strcmp(tlsr_settings[i].key, path) == 0)
			return (int)tlsr_settings[i].component * 2 +
			       (view == TLSR_VIEW_32);
	return -1;
}

struct sim_file *sim_file(struct sim_env *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	if (s->n_files == SIM_MAX_FILES)
		abort();
	snprintf(s->files[s->n_files].path, sizeof s->files[0].path, "%s",
		 path);
	return &s->files[s->n_files++];
}

static tlsr_err sim_stat(void *ctx, const char *path, uint64_t *size,
			 uint64_t *mtime, char *why, size_t why_size)
{
	struct sim_file *f = sim_file(ctx, path);

	if (f->unreachable) {
		snprintf(why, why_size, "The network path was not found (53)");
		return TLSR_ENOTFOUND;
	}
	if (f->data == NULL) {
		snprintf(why, why_size,
			 "The system cannot find the file specified (2)");
		return TLSR_ENOTFOUND;
	}
	*size = f->len;
	*mtime = f->mtime;
	return TLSR_OK;
}

static tlsr_err sim_read(void *ctx, const char *path, size_t max, char **buf,
			 size_t *len, char *why, size_t why_size)
{
	struct sim_file *f = sim_file(ctx, path);
	uint64_t size, mtime;
	tlsr_err err = sim_stat(ctx, path, &size, &mtime, why, why_size);

	if (err != TLSR_OK)
		return err;
	if (f->len > max) {
		snprintf(why, why_size, "larger than %zu bytes", max);
		return TLSR_ETOOBIG;
	}
	*buf = malloc(f->len + 1);
	if (*buf == NULL)
		return TLSR_ENOMEM;
	memcpy(*buf, f->data, f->len);
	(*buf)[f->len] = '\0';
	*len = f->len;
	return TLSR_OK;
}

static tlsr_err sim_replace(void *ctx, const char *path, const void *data,
			    size_t len, char *why, size_t why_size)
{
	struct sim_env *s = ctx;
	struct sim_file *f = sim_file(s, path);

	if (f->read_only || f->unreachable) {
		snprintf(why, why_size, "Access is denied (5)");
		return TLSR_EACCESS;
	}
	free(f->data);
	f->data = malloc(len + 1);
	if (f->data == NULL)
		return TLSR_ENOMEM;
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	f->mtime = s->now + 1;
	return TLSR_OK;
}

static tlsr_err sim_remove(void *ctx, const char *path, char *why,
			   size_t why_size)
{
	struct sim_file *f = sim_file(ctx, path);

	if (f->read_only) {
		snprintf(why, why_size, "Access is denied (5)");
		return TLSR_EACCESS;
	}
	free(f->data);
	f->data = NULL;
	f->len = 0;
	return TLSR_OK;
}

static int sim_source_watch(void *ctx, const char *path)
{
	struct sim_env *s = ctx;

	snprintf(s->watched, sizeof s->watched, "%s", path ? path : "");
	return s->notify && path != NULL && strncmp(path, "\\\\", 2) != 0;
}

/* A stand-in digest for the simulation (FNV-1a, four seeds): the loop only
 * compares hashes; the real platform uses the system's SHA-256. */
static tlsr_err sim_sha256(void *ctx, const void *data, size_t len,
			   char out[65])
{
	const unsigned char *p = data;
	int k;

	(void)ctx;
	for (k = 0; k < 4; k++) {
		uint64_t h = 1469598103934665603ull + (uint64_t)k * 7919u;
		size_t i;

		for (i = 0; i < len; i++) {
			h ^= p[i];
			h *= 1099511628211ull;
		}
		snprintf(out + 16 * k, 17, "%016llx", (unsigned long long)h);
	}
	return TLSR_OK;
}

static void sim_report(void *ctx, unsigned id,
		       const struct tlsr_event_fields *f)
{
	struct sim_env *s = ctx;
	struct sim_event *e;
	int i;

	if (s->n_events == SIM_MAX_EVENTS)
		abort();
	e = &s->events[s->n_events++];
	memset(e, 0, sizeof *e);
	e->id = id;
	for (i = 0; f != NULL && i < TLSR_EF_COUNT; i++)
		if (f->v[i] != NULL)
			e->v[i] = strdup(f->v[i]);
}

static tlsr_err sim_restart(void *ctx, unsigned grace, const char *message,
			    char *why, size_t why_size)
{
	struct sim_env *s = ctx;

	(void)message;
	s->restarts++;
	s->restart_grace = grace;
	if (s->restart_err != TLSR_OK)
		snprintf(why, why_size,
			 "A required privilege is not held by the client "
			 "(1314)");
	return s->restart_err;
}

static void sim_memory(void *ctx, uint64_t *private_bytes,
		       uint64_t *working_set)
{
	struct sim_env *s = ctx;

	*private_bytes = s->private_bytes;
	*working_set = s->working_set;
}

struct sim_env *sim_new(void)
{
	struct sim_env *s = calloc(1, sizeof *s);

	if (s == NULL)
		abort();
	s->events = calloc(SIM_MAX_EVENTS, sizeof *s->events);
	if (s->events == NULL)
		abort();
	s->now = 1000;
	s->utc = 1796040000000ll; /* 2026-11-30T12:00:00Z */
	s->notify = 1;
	snprintf(s->boot, sizeof s->boot, "boot-1");
	s->private_bytes = 3u << 20;
	s->working_set = 7u << 20;
	s->env.ctx = s;
	s->env.now_ms = sim_now_ms;
	s->env.utc_ms = sim_utc_ms;
	s->env.tz_offset_min = sim_tz;
	s->env.random_below = sim_random;
	s->env.boot_id = sim_boot_id;
	s->env.live_facts = sim_live_facts;
	s->env.expand = sim_expand;
	s->env.watch_entry_for = sim_watch_entry_for;
	s->env.file_stat = sim_stat;
	s->env.file_read = sim_read;
	s->env.file_replace = sim_replace;
	s->env.file_remove = sim_remove;
	s->env.source_watch = sim_source_watch;
	s->env.sha256_hex = sim_sha256;
	s->env.report = sim_report;
	s->env.restart_now = sim_restart;
	s->env.memory = sim_memory;
	return s;
}

void sim_clear_events(struct sim_env *s)
{
	size_t i;
	int k;

	for (i = 0; i < s->n_events; i++)
		for (k = 0; k < TLSR_EF_COUNT; k++)
			free(s->events[i].v[k]);
	s->n_events = 0;
}

void sim_free(struct sim_env *s)
{
	size_t i;

	sim_clear_events(s);
	free(s->events);
	for (i = 0; i < s->n_files; i++)
		free(s->files[i].data);
	free(s);
}

void sim_put_file(struct sim_env *s, const char *path, const char *text)
{
	struct sim_file *f = sim_file(s, path);

	free(f->data);
	f->data = strdup(text);
	if (f->data == NULL)
		abort();
	f->len = strlen(text);
	f->mtime++;
	f->unreachable = 0;
}

void sim_advance(struct sim_env *s, uint64_t ms)
{
	s->now += ms;
	s->utc += (int64_t)ms;
}

size_t sim_count(const struct sim_env *s, unsigned id)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_events; i++)
		n += s->events[i].id == id;
	return n;
}

const struct sim_event *sim_last(const struct sim_env *s, unsigned id)
{
	size_t i;

	for (i = s->n_events; i > 0; i--)
		if (s->events[i - 1].id == id)
			return &s->events[i - 1];
	return NULL;
}
