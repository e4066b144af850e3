/* Benchmark: a fleet of clients following one policy file on an SMB share.
 *
 *   bench_fleet POLICY.yaml [--clients N] [--hours H] [--poll S]
 *               [--change-at H] [--storm MIN] [--budget RPS]
 *
 * Every client boots within the first --storm minutes (a morning's logon
 * storm) and runs the service's own policy source, service/follow.c
 * (tlsr_follow_load), on a simulated platform whose share holds POLICY.yaml
 * with source.poll set to --poll seconds: the real schedule (the poll
 * interval plus a random share of a tenth of it) and the real conditional
 * read (the file is read only when its size or time changed). At
 * --change-at hours the administrator replaces the policy.
 * The baseline, simulated in the same run on the same boots, is naive
 * fixed-interval polling: every client reads the whole file every --poll
 * seconds.
 *
 * Wire cost assumed per request (SMB2 compound, request and response): a
 * size-and-time query (CREATE + QUERY_INFO + CLOSE) 900 bytes, a read
 * (CREATE + READ + CLOSE) 1,100 bytes plus the file.
 *
 * Prints the peak and mean requests per second (the peak over 1-second
 * bins, the mean over the whole run and after the storm), the bytes moved
 * from the policy change until every client has the new file, how long
 * that took, and the largest fleet whose peak stays within --budget
 * requests per second on one share. Rows for bench/run.sh's table start
 * with ROW. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"

#define STAT_BYTES 900u
#define READ_BYTES 1100u
#define SHARE_PATH "\\\\cm01\\tlsward$\\policy.yaml"

struct sim {
	unsigned long clients;
	unsigned hours, poll, storm_min;
	double change_at_h;
	unsigned policy_bytes; /* the changed file's */
	double budget;
};

struct tally {
	uint32_t *per_s;      /* requests in each second of the run */
	uint64_t requests;
	uint64_t change_bytes; /* from the change until all have it */
	uint64_t last_update_ms; /* when the last client read the new file */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* A random number in [0, n): xorshift64*, fixed seed, so runs repeat. */
static uint64_t random_below(uint64_t n)
{
	uint64_t x = rng_state;

	if (n == 0)
		return 0;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (x * 0x2545f4914f6cdd1dull) % n;
}

static void count(struct tally *t, const struct sim *s, uint64_t at_ms,
		  unsigned bytes, uint64_t change_ms)
{
	uint64_t sec = at_ms / 1000u;

	if (sec < (uint64_t)s->hours * 3600u)
		t->per_s[sec]++;
	t->requests++;
	if (at_ms >= change_ms)
		t->change_bytes += bytes;
}

/* The simulated platform of one client: the share's file, before and
 * after the change, and the tally its requests go to. */
struct client {
	struct tlsr_loop_env env;
	const struct sim *s;
	struct tally *t;
	uint64_t now, change_ms;
	const char *text[2]; /* the policy before and after the change */
	size_t len[2];
};

static uint64_t c_now(void *ctx)
{
	return ((struct client *)ctx)->now;
}

static uint64_t c_random(void *ctx, uint64_t n)
{
	(void)ctx;
	return random_below(n);
}

static int c_version(const struct client *c)
{
	return c->now >= c->change_ms;
}

static tlsr_err c_stat(void *ctx, const char *path, uint64_t *size,
		       uint64_t *mtime, char *why, size_t why_size)
{
	struct client *c = ctx;

	(void)path, (void)why, (void)why_size;
	count(c->t, c->s, c->now, STAT_BYTES, c->change_ms);
	*size = c->len[c_version(c)];
	*mtime = c_version(c) ? c->change_ms : 1;
	return TLSR_OK;
}

static tlsr_err c_read(void *ctx, const char *path, size_t max, char **buf,
		       size_t *len, char *why, size_t why_size)
{
	struct client *c = ctx;
	int v = c_version(c);

	(void)path, (void)max, (void)why, (void)why_size;
	count(c->t, c->s, c->now, READ_BYTES + (unsigned)c->len[v],
	      c->change_ms);
	if (v && c->now > c->t->last_update_ms)
		c->t->last_update_ms = c->now;
	*buf = malloc(c->len[v] + 1);
	if (*buf == NULL)
		return TLSR_ENOMEM;
	memcpy(*buf, c->text[v], c->len[v] + 1);
	*len = c->len[v];
	return TLSR_OK;
}

/* The local cache the service keeps: not on the share, not counted. */
static tlsr_err c_replace(void *ctx, const char *path, const void *data,
			  size_t len, char *why, size_t why_size)
{
	(void)ctx, (void)path, (void)data, (void)len, (void)why, (void)why_size;
	return TLSR_OK;
}

static tlsr_err c_remove(void *ctx, const char *path, char *why,
			 size_t why_size)
{
	(void)ctx, (void)path, (void)why, (void)why_size;
	return TLSR_OK;
}

/* A share cannot be watched: the service polls it. */
static int c_watch(void *ctx, const char *path)
{
	(void)ctx, (void)path;
	return 0;
}

/* Tells the two versions apart; the simulation needs no real digest. */
static tlsr_err c_hash(void *ctx, const void *data, size_t len, char out[65])
{
	uint64_t h = 1469598103934665603ull;

	(void)ctx;
	for (size_t i = 0; i < len; i++)
		h = (h ^ ((const unsigned char *)data)[i]) * 1099511628211ull;
	snprintf(out, 65, "%016llx%048d", (unsigned long long)h, 0);
	return TLSR_OK;
}

static void c_report(void *ctx, unsigned id, const struct tlsr_event_fields *f)
{
	(void)ctx, (void)id, (void)f;
}

/* One client running the service's policy source until the end. */
static int run_tlsward(struct client *c, struct tlsr_follow *f,
		       struct tlsr_registry *reg, uint64_t boot, uint64_t end)
{
	tlsr_follow_init(f, &c->env, SHARE_PATH, "C:\\ProgramData\\tlsward",
			 "");
	c->now = boot;
	tlsr_follow_load(f, reg, 1, c->now);
	if (!f->have_policy)
		return -1;
	while (f->next_poll != 0 && f->next_poll < end) {
		c->now = f->next_poll;
		tlsr_follow_load(f, reg, 0, c->now);
	}
	return f->next_poll == 0 ? -1 : 0;
}

/* One client reading the whole file every poll seconds. */
static void run_naive(const struct sim *s, struct tally *t, uint64_t boot,
		      uint64_t end, uint64_t change_ms)
{
	uint64_t first_after = 0;

	for (uint64_t now = boot; now < end; now += (uint64_t)s->poll * 1000u) {
		count(t, s, now, READ_BYTES + s->policy_bytes, change_ms);
		if (now >= change_ms && !first_after)
			first_after = now;
	}
	if (first_after > t->last_update_ms)
		t->last_update_ms = first_after;
}

static void summary(const char *who, const struct sim *s,
		    const struct tally *t, uint64_t change_ms, uint32_t *peak,
		    double *mean, double *steady, uint64_t *bytes)
{
	uint64_t secs = (uint64_t)s->hours * 3600u, after = 0;
	uint64_t from = (uint64_t)(s->storm_min + 2u * s->poll / 60u + 1u) * 60u;

	uint64_t peak_at = 0;

	*peak = 0;
	for (uint64_t i = 0; i < secs; i++) {
		if (t->per_s[i] > *peak) {
			*peak = t->per_s[i];
			peak_at = i;
		}
		if (i >= from)
			after += t->per_s[i];
	}
	*mean = (double)t->requests / (double)secs;
	*steady = from < secs ? (double)after / (double)(secs - from) : 0;
	/* Everything from the change on, minus what polling would cost
	 * anyway is not subtracted: the figure is all bytes moved while the
	 * change spreads. */
	*bytes = t->change_bytes;
	printf("%s: %llu requests; peak %u/s (at %.2f h); mean %.1f/s (%.1f/s after the "
	       "storm); policy change reached every client %.0f s after it "
	       "was made\n",
	       who, (unsigned long long)t->requests, *peak,
	       (double)peak_at / 3600.0, *mean, *steady,
	       t->last_update_ms > change_ms
		       ? (double)(t->last_update_ms - change_ms) / 1000.0
		       : 0.0);
}

static int arg_num(int argc, char **argv, int *i, double *out)
{
	char *end;

	if (*i + 1 >= argc)
		return -1;
	*out = strtod(argv[++*i], &end);
	return *end || *out < 0 ? -1 : 0;
}

/* POLICY.yaml without its source section, then one that names the share
 * with the poll asked for; *out is malloc'd. */
static int policy_text(const char *path, unsigned poll, const char *extra,
		       char **out, size_t *len)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t cap = 65536, n = 0;
	int in_source = 0;
	char *buf = malloc(cap);

	if (f == NULL || buf == NULL) {
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		if (line[0] != ' ' && line[0] != '#' && line[0] != '\n')
			in_source = strncmp(line, "source:", 7) == 0;
		if (!in_source && n + strlen(line) < cap - 512)
			n += (size_t)snprintf(buf + n, cap - n, "%s", line);
	}
	fclose(f);
	n += (size_t)snprintf(buf + n, cap - n,
			      "source:\n  path: '%s'\n  poll: %us\n%s",
			      SHARE_PATH, poll, extra);
	*out = buf;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	struct sim s = {100000, 24, 600, 5, 12.0, 0, 1000.0};
	struct tally tw = {0}, tn = {0};
	static struct tlsr_follow follow;
	struct tlsr_registry *reg = NULL;
	struct client c = {0};
	char *text[2] = {NULL, NULL};
	uint32_t pw, pn;
	double mw, mn, sw, sn, v;
	uint64_t bw, bn, end, change_ms;
	int rc = 1;

	for (int i = 2; i < argc; i++) {
		if (arg_num(argc, argv, &i, &v)) {
			argc = 0;
			break;
		}
		if (!strcmp(argv[i - 1], "--clients"))
			s.clients = (unsigned long)v;
		else if (!strcmp(argv[i - 1], "--hours"))
			s.hours = (unsigned)v;
		else if (!strcmp(argv[i - 1], "--poll"))
			s.poll = (unsigned)v;
		else if (!strcmp(argv[i - 1], "--change-at"))
			s.change_at_h = v;
		else if (!strcmp(argv[i - 1], "--storm"))
			s.storm_min = (unsigned)v;
		else if (!strcmp(argv[i - 1], "--budget"))
			s.budget = v;
		else
			argc = 0;
	}
	if (argc < 2 || s.clients == 0 || s.hours == 0 || s.poll == 0 ||
	    s.budget <= 0) {
		fprintf(stderr, "usage: bench_fleet POLICY.yaml [--clients N] "
				"[--hours H] [--poll S] [--change-at H] "
				"[--storm MIN] [--budget RPS]\n");
		return 2;
	}
	if (s.change_at_h >= s.hours)
		s.change_at_h = s.hours / 2.0;
	if (policy_text(argv[1], s.poll, "", &text[0], &c.len[0]) ||
	    policy_text(argv[1], s.poll,
			"# changed by the administrator at the change time\n",
			&text[1], &c.len[1])) {
		fprintf(stderr, "bench_fleet: cannot read %s\n", argv[1]);
		return 2;
	}
	s.policy_bytes = (unsigned)c.len[1];
	end = (uint64_t)s.hours * 3600000u;
	change_ms = (uint64_t)(s.change_at_h * 3600000.0);
	tw.per_s = calloc((size_t)s.hours * 3600u, sizeof *tw.per_s);
	tn.per_s = calloc((size_t)s.hours * 3600u, sizeof *tn.per_s);
	reg = tlsr_registry_mem_new();
	if (!tw.per_s || !tn.per_s || !reg)
		goto out;
	c.env.ctx = &c;
	c.env.now_ms = c_now;
	c.env.random_below = c_random;
	c.env.file_stat = c_stat;
	c.env.file_read = c_read;
	c.env.file_replace = c_replace;
	c.env.file_remove = c_remove;
	c.env.source_watch = c_watch;
	c.env.sha256_hex = c_hash;
	c.env.report = c_report;
	c.s = &s;
	c.t = &tw;
	c.change_ms = change_ms;
	c.text[0] = text[0];
	c.text[1] = text[1];
	for (unsigned long n = 0; n < s.clients; n++) {
		uint64_t boot = random_below((uint64_t)s.storm_min * 60000u);

		if (run_tlsward(&c, &follow, reg, boot, end)) {
			fprintf(stderr, "bench_fleet: the simulated client did "
					"not load the policy\n");
			goto out;
		}
		run_naive(&s, &tn, boot, end, change_ms);
	}
	printf("fleet of %lu clients, one policy file of %u bytes on one "
	       "share, source.poll %u s, every client booting within %u "
	       "minutes, the policy changed at %.1f h of %u h\n",
	       s.clients, s.policy_bytes, s.poll, s.storm_min, s.change_at_h,
	       s.hours);
	summary("tlsward (service/follow.c: poll + jitter, conditional read)",
		&s, &tw, change_ms, &pw, &mw, &sw, &bw);
	summary("naive (fixed interval, whole file)", &s, &tn, change_ms,
		&pn, &mn, &sn, &bn);
	printf("ROW\tfleet of %lu: peak requests/s on the share\t%u/s\t"
	       "naive %u/s\t%.2fx\t(reported)\t-\n",
	       s.clients, pw, pn, (double)pw / (double)pn);
	printf("ROW\tfleet of %lu: mean requests/s (after the storm)\t"
	       "%.1f/s (%.1f/s)\tnaive %.1f/s (%.1f/s)\t%.2fx\t(reported)\t-\n",
	       s.clients, mw, sw, mn, sn, mw / mn);
	printf("ROW\tfleet of %lu: bytes moved from the policy change to the "
	       "end of the run (%.1f h)\t%.1f MB\tnaive %.1f MB\t%.2fx\t"
	       "(reported)\t-\n",
	       s.clients, s.hours - s.change_at_h, (double)bw / 1e6,
	       (double)bn / 1e6, (double)bw / (double)bn);
	printf("ROW\tlargest fleet on one share within %.0f requests/s at "
	       "peak\t%.0f clients\tnaive %.0f clients\t%.1fx\t(reported)\t-\n",
	       s.budget, s.budget * (double)s.clients / (double)pw,
	       s.budget * (double)s.clients / (double)pn,
	       (double)pn / (double)pw);
	printf("fleet: %.5f requests/s per client at peak; a share budget of "
	       "%.0f requests/s serves %.0f clients\n",
	       (double)pw / (double)s.clients, s.budget,
	       s.budget * (double)s.clients / (double)pw);
	rc = 0;
out:
	tlsr_registry_destroy(reg);
	free(tw.per_s);
	free(tn.per_s);
	free(text[0]);
	free(text[1]);
	return rc;
}
