/* Benchmark: a fleet of clients following one policy file on an SMB share.
 *
 *   bench_fleet [--clients N] [--hours H] [--poll S] [--change-at H]
 *               [--storm MIN] [--policy-bytes B] [--budget RPS]
 *
 * Every client boots within the first --storm minutes (a morning's logon
 * storm), loads the policy, then follows it as the service does: every
 * source.poll seconds plus a random share of a tenth of it, it asks the
 * share for the file's size and time, and reads the file only when one of
 * them changed. At --change-at hours the administrator replaces the policy.
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

#define STAT_BYTES 900u
#define READ_BYTES 1100u

struct sim {
	unsigned long clients;
	unsigned hours, poll, storm_min;
	double change_at_h;
	unsigned policy_bytes;
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

/* The service's schedule (service/follow.c, tlsr_follow_load): the next
 * poll is poll seconds away, plus a random share of a tenth of it. */
static uint64_t next_poll(uint64_t now_ms, unsigned poll)
{
	return now_ms + (uint64_t)poll * 1000u +
	       random_below((uint64_t)poll * 100u + 1);
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

/* One client following the file as tlsward does: stat every poll, read
 * only when the size or time moved. */
static void run_tlsward(const struct sim *s, struct tally *t, uint64_t boot,
			uint64_t end, uint64_t change_ms)
{
	uint64_t seen_version = boot >= change_ms; /* the first load reads */
	uint64_t now = boot;

	count(t, s, now, READ_BYTES + s->policy_bytes, change_ms);
	if (seen_version && now > t->last_update_ms)
		t->last_update_ms = now;
	for (now = next_poll(now, s->poll); now < end;
	     now = next_poll(now, s->poll)) {
		int changed = (now >= change_ms) != (int)seen_version;

		count(t, s, now, STAT_BYTES, change_ms);
		if (changed) {
			count(t, s, now, READ_BYTES + s->policy_bytes,
			      change_ms);
			seen_version = 1;
			if (now > t->last_update_ms)
				t->last_update_ms = now;
		}
	}
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

int main(int argc, char **argv)
{
	struct sim s = {100000, 24, 600, 5, 12.0, 1200, 1000.0};
	struct tally tw = {0}, tn = {0};
	uint32_t pw, pn;
	double mw, mn, sw, sn, v;
	uint64_t bw, bn, end, change_ms, window_bytes_w = 0;

	for (int i = 1; i < argc; i++) {
		if (arg_num(argc, argv, &i, &v)) {
			fprintf(stderr, "usage: bench_fleet [--clients N] "
					"[--hours H] [--poll S] [--change-at H] "
					"[--storm MIN] [--policy-bytes B] "
					"[--budget RPS]\n");
			return 2;
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
		else if (!strcmp(argv[i - 1], "--policy-bytes"))
			s.policy_bytes = (unsigned)v;
		else if (!strcmp(argv[i - 1], "--budget"))
			s.budget = v;
		else
			return 2;
	}
	if (s.change_at_h >= s.hours)
		s.change_at_h = s.hours / 2.0;
	if (s.clients == 0 || s.hours == 0 || s.poll == 0)
		return 2;
	end = (uint64_t)s.hours * 3600000u;
	change_ms = (uint64_t)(s.change_at_h * 3600000.0);
	tw.per_s = calloc((size_t)s.hours * 3600u, sizeof *tw.per_s);
	tn.per_s = calloc((size_t)s.hours * 3600u, sizeof *tn.per_s);
	if (!tw.per_s || !tn.per_s)
		return 1;
	for (unsigned long c = 0; c < s.clients; c++) {
		uint64_t boot = random_below((uint64_t)s.storm_min * 60000u);

		run_tlsward(&s, &tw, boot, end, change_ms);
		run_naive(&s, &tn, boot, end, change_ms);
	}
	printf("fleet of %lu clients, one policy file of %u bytes on one "
	       "share, source.poll %u s, every client booting within %u "
	       "minutes, the policy changed at %.1f h of %u h\n",
	       s.clients, s.policy_bytes, s.poll, s.storm_min, s.change_at_h,
	       s.hours);
	summary("tlsward (poll + jitter, conditional read)", &s, &tw,
		change_ms, &pw, &mw, &sw, &bw);
	summary("naive (fixed interval, whole file)", &s, &tn, change_ms,
		&pn, &mn, &sn, &bn);
	/* The bytes of the change itself: from the change for one poll
	 * interval and a tenth, when every tlsward client has read it. */
	window_bytes_w = bw;
	{
		double max_fleet = s.budget * (double)s.clients / (double)pw;
		double per_client_peak = (double)pw / (double)s.clients;

		printf("ROW\tfleet of %lu: peak requests/s on the share\t%u/s\t"
		       "naive %u/s\t%.2fx\t(reported)\t-\n",
		       s.clients, pw, pn, (double)pw / (double)pn);
		printf("ROW\tfleet of %lu: mean requests/s (after the storm)\t"
		       "%.1f/s (%.1f/s)\tnaive %.1f/s (%.1f/s)\t%.2fx\t"
		       "(reported)\t-\n",
		       s.clients, mw, sw, mn, sn, mw / mn);
		printf("ROW\tfleet of %lu: bytes moved from the policy change "
		       "to the end of the run (%.1f h)\t%.1f MB\tnaive %.1f MB"
		       "\t%.2fx\t(reported)\t-\n",
		       s.clients, s.hours - s.change_at_h,
		       (double)window_bytes_w / 1e6, (double)bn / 1e6,
		       (double)window_bytes_w / (double)bn);
		printf("ROW\tlargest fleet on one share within %.0f requests/s"
		       " at peak\t%.0f clients\tnaive %.0f clients\t%.1fx\t"
		       "(reported)\t-\n",
		       s.budget, max_fleet,
		       s.budget * (double)s.clients / (double)pn,
		       (double)pn / (double)pw);
		printf("fleet: %.5f requests/s per client at peak; a share "
		       "budget of %.0f requests/s serves %.0f clients\n",
		       per_client_peak, s.budget, max_fleet);
	}
	free(tw.per_s);
	free(tn.per_s);
	return 0;
}
