/* tlsward: the remediation loop on a simulated platform (tests/sim_env.c)
 * over the memory registry: conflict damping, restart scheduling, policy
 * following, the fast path, failure reporting. Time is the test's. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "loop.h"
#include "restart.h"
#include "sim_env.h"
#include "tlsr.h"

#define DATA_DIR "C:\\ProgramData\\tlsward"
#define POLICY DATA_DIR "\\policy.yaml"
#define CACHE DATA_DIR "\\policy.cache.yaml"
#define SEC 1000ull
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

#define DSP "winhttp.default_secure_protocols"
#define S12 "schannel.tls1.2.client.enabled"

struct h {
	struct sim_env *s;
	struct tlsr_registry *reg; /* a fault wrapper around memory */
	struct tlsr_loop *l;
	uint64_t woke; /* the simulated time of the last wake */
};

/* Wakes the loop, as the driver does, and notes when. */
static void wake(struct h *h, enum tlsr_wake why, uint64_t mask)
{
	h->woke = h->s->now;
	tlsr_loop_wake(h->l, why, mask);
}

static char *slurp(const char *rel)
{
	char path[1024];
	const char *dir = getenv("TLSR_DATA");
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc((size_t)n + 1, 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* The test policy with the line starting with `from` replaced by `to`
 * (several pairs; NULL ends them). Caller frees. */
static char *policy_with(const char *from, ...)
{
	char *text = slurp("loop/policy.yaml");
	va_list ap;
	const char *a = from;

	va_start(ap, from);
	while (a != NULL) {
		const char *b = va_arg(ap, const char *);
		char *at = strstr(text, a), *end, *out;
		size_t len;

		ck_assert_msg(at != NULL, "no '%s' in the policy", a);
		end = strchr(at, '\n');
		len = strlen(text) - (size_t)(end - at) + strlen(b) + 1;
		out = malloc(len);
		ck_assert_ptr_nonnull(out);
		snprintf(out, len, "%.*s%s%s", (int)(at - text), text, b, end);
		free(text);
		text = out;
		a = va_arg(ap, const char *);
	}
	va_end(ap);
	return text;
}

static struct tlsr_registry *machine(const char *name)
{
	char path[1024];
	const char *dir = getenv("TLSR_DATA");
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;

	snprintf(path, sizeof path, "%s/machines/%s.reg",
		 dir ? dir : "tests/data", name);
	ck_assert_int_eq(tlsr_regfile_read(path, &reg, &diag), TLSR_OK);
	return tlsr_registry_fault_new(reg);
}

static void new_loop(struct h *h)
{
	struct tlsr_loop_opts o = {0};

	o.data_dir = DATA_DIR;
	ck_assert_int_eq(tlsr_loop_new(h->reg, &h->s->env, &o, &h->l), TLSR_OK);
	wake(h, TLSR_WAKE_START, 0);
}

/* A started loop on a Windows 10 machine with policy (NULL: the test
 * policy as it is). */
static void setup(struct h *h, const char *policy)
{
	char *text = policy ? NULL : slurp("loop/policy.yaml");

	memset(h, 0, sizeof *h);
	h->s = sim_new();
	h->reg = machine("win10-22h2");
	sim_put_file(h->s, POLICY, policy ? policy : text);
	free(text);
	new_loop(h);
}

static void teardown(struct h *h)
{
	if (h->l != NULL)
		tlsr_loop_stop(h->l, NULL);
	tlsr_loop_free(h->l);
	tlsr_registry_destroy(h->reg);
	sim_free(h->s);
}

/* Runs every deadline that is due now. */
static void run_due(struct h *h)
{
	int guard;

	for (guard = 0; guard < 100 && tlsr_loop_next_timeout(h->l) == 0;
	     guard++)
		wake(h, TLSR_WAKE_TIMER, 0);
	ck_assert_int_lt(guard, 100);
}

/* Lets ms pass, waking the loop at each deadline on the way, as the
 * driver does (the timeout counts from the last wake). */
static void tick(struct h *h, uint64_t ms)
{
	for (;;) {
		int64_t t = tlsr_loop_next_timeout(h->l);
		uint64_t since = h->s->now - h->woke;

		if (t >= 0)
			t = (uint64_t)t > since ? t - (int64_t)since : 0;
		if (t < 0 || (uint64_t)t > ms) {
			sim_advance(h->s, ms);
			return;
		}
		sim_advance(h->s, (uint64_t)t);
		ms -= (uint64_t)t;
		wake(h, TLSR_WAKE_TIMER, 0);
	}
}

static const struct tlsr_setting *def(const char *id)
{
	const struct tlsr_setting *d = tlsr_setting_find(id);

	ck_assert_ptr_nonnull(d);
	return d;
}

static enum tlsr_view view_of(const char *id)
{
	return def(id)->views == TLSR_VIEWS_BOTH ? TLSR_VIEW_64
						 : TLSR_VIEW_NONE;
}

static uint32_t value(struct h *h, const char *id)
{
	uint32_t v = 0xdeadbeef;

	tlsr_reg_get_dword(h->reg, def(id)->key, view_of(id), def(id)->name,
			   &v);
	return v;
}

/* Another agent writes v; the watch over the value fires. */
static void revert(struct h *h, const char *id, uint32_t v)
{
	int entry = h->s->env.watch_entry_for(h->s, def(id)->key, view_of(id));

	ck_assert_int_eq(tlsr_reg_set_dword(h->reg, def(id)->key, view_of(id),
					    def(id)->name, v),
			 TLSR_OK);
	ck_assert_int_ge(entry, 0);
	wake(h, TLSR_WAKE_WATCH, (uint64_t)1 << entry);
	run_due(h);
}

static uint32_t status_dword(struct h *h, const char *name)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_msg(tlsr_reg_get_dword(h->reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					 name, &v) == TLSR_OK,
		      "Status\\%s is missing", name);
	return v;
}

static const char *status_text(struct h *h, const char *name)
{
	static char buf[1024];

	if (tlsr_reg_get_string(h->reg, TLSR_KEY_STATUS, TLSR_VIEW_64, name,
				buf, sizeof buf) != TLSR_OK)
		return "(absent)";
	return buf;
}

/* ---- risks ---- */

/* A client where TLS 1.0 is already off before TLS 1.2 works: the SOC is
 * told once (2010), not at every pass, and Status says so (audit mode:
 * nothing remediates it). */
START_TEST(loop_critical_risk_reported_once)
{
	struct h h;
	char *text = policy_with("mode:", "mode: audit", NULL);
	size_t n;

	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win7-sp1-tls10-off");
	sim_put_file(h.s, POLICY, text);
	free(text);
	new_loop(&h);
	n = sim_count(h.s, TLSR_EV_CRITICAL_RISK);
	ck_assert_uint_ge(n, 1);
	ck_assert_ptr_nonnull(
		strstr(sim_last(h.s, TLSR_EV_CRITICAL_RISK)->v[TLSR_EF_RISK],
		       "legacy-off-before-tls12"));
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_RISK_CRITICAL), 1);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CRITICAL_RISK), n);
	teardown(&h);
}
END_TEST

/* ---- conflict damping ---- */

START_TEST(loop_conflict_backs_off_past_max_reverts_and_doubles_to_an_hour)
{
	static const unsigned expect_min[] = {1, 2, 4, 8, 16, 32, 60, 60};
	struct h h;
	size_t round, i;

	setup(&h, NULL);
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 0);
	ck_assert_uint_eq(value(&h, S12), 1);
	/* The first revert undoes no write of tlsward's (the value was in
	 * place already) and is not counted; the next three are healed at
	 * once, the first of them starting the conflict (one 2005); the
	 * fourth counted one (past max_reverts 3) starts the back-off: not
	 * rewritten, reported once. */
	for (i = 0; i < 4; i++) {
		revert(&h, S12, 0);
		ck_assert_uint_eq(value(&h, S12), 1);
		sim_advance(h.s, 10 * SEC);
	}
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_DRIFT), 1);
	for (round = 0; round < sizeof expect_min / sizeof expect_min[0];
	     round++) {
		size_t healed = sim_count(h.s, TLSR_EV_REMEDIATED);
		uint32_t rem = status_dword(&h, TLSR_ST_REMEDIATIONS);

		revert(&h, S12, 0);
		ck_assert_msg(value(&h, S12) == 0,
			      "round %zu: rewritten while backing off", round);
		ck_assert_int_eq(tlsr_loop_next_timeout(h.l),
				 (int64_t)expect_min[round] * (int64_t)MIN);
		tick(&h, expect_min[round] * MIN - 1);
		ck_assert_uint_eq(value(&h, S12), 0);
		tick(&h, 1);
		/* The back-off ended: rewritten exactly once, counted, not
		 * reported (the conflict goes on). */
		ck_assert_msg(value(&h, S12) == 1,
			      "round %zu: not rewritten when the back-off "
			      "ended",
			      round);
		ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), healed);
		ck_assert_uint_eq(status_dword(&h, TLSR_ST_REMEDIATIONS),
				  rem + 1);
	}
	/* The conflict's start and its back-off; the doublings are
	 * silent. Every revert counts: 3 before the back-off, 1 a round. */
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 2);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_CONFLICTS), 3 + 8);
	ck_assert_ptr_nonnull(
		strstr(sim_last(h.s, TLSR_EV_CONFLICT)->v[TLSR_EF_REASON],
		       "reverted 4 times"));
	teardown(&h);
}
END_TEST

START_TEST(loop_conflict_backoff_end_rewrites_once_and_counts_again)
{
	struct h h;
	size_t i, healed;

	setup(&h, NULL);
	for (i = 0; i < 5; i++)
		revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 0);
	tick(&h, MIN);
	ck_assert_uint_eq(value(&h, S12), 1);
	healed = sim_count(h.s, TLSR_EV_REMEDIATED);
	/* The next revert is counted with the earlier ones: back off again
	 * at once (2 min), no rewrite, no third 2005 (the conflict's start
	 * and its first back-off were reported). */
	revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), healed);
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), (int64_t)(2 * MIN));
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 2);
	teardown(&h);
}
END_TEST

START_TEST(loop_conflict_quiet_window_resets_and_reports_again)
{
	char *p = policy_with("  window: 24h", "  window: 10m", NULL);
	struct h h;
	size_t i;

	setup(&h, p);
	free(p);
	for (i = 0; i < 5; i++)
		revert(&h, S12, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 2);
	tick(&h, MIN);
	ck_assert_uint_eq(value(&h, S12), 1);
	/* tlsward's write stands for a whole window: the fight is over. */
	tick(&h, 10 * MIN);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	for (i = 0; i < 3; i++) {
		revert(&h, S12, 0);
		ck_assert_msg(value(&h, S12) == 1,
			      "revert %zu after the quiet window not healed",
			      i + 1);
	}
	/* The first was a drift like any other, the second started a new
	 * conflict (2005), this one starts its back-off (2005). */
	revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 4);
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), (int64_t)MIN);
	teardown(&h);
}
END_TEST

START_TEST(loop_new_policy_forgets_reverts)
{
	char *p;
	struct h h;
	size_t i;

	setup(&h, NULL);
	for (i = 0; i < 5; i++)
		revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 0);
	p = policy_with("  max_reverts: 3", "  max_reverts: 5", NULL);
	sim_put_file(h.s, POLICY, p);
	free(p);
	wake(&h, TLSR_WAKE_SOURCE, 0);
	run_due(&h);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_LOADED), 2);
	/* The new policy's pass rewrites it at once, back-off forgotten. */
	ck_assert_uint_eq(value(&h, S12), 1);
	for (i = 0; i < 5; i++) {
		revert(&h, S12, 0);
		ck_assert_uint_eq(value(&h, S12), 1);
	}
	/* The old conflict's start and back-off, the new one's start: its
	 * five reverts stay within max_reverts 5. */
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 3);
	teardown(&h);
}
END_TEST

/* ---- restart ---- */

START_TEST(loop_restart_window_across_midnight_schedules_next_start)
{
	/* 22:00-04:00 local, an hour ahead of UTC. */
	int64_t noon = 1796040000000ll; /* 2026-11-30T12:00:00Z */
	int64_t half_past_one_local = 1796085000000ll; /* 00:30Z next day */
	char *p;
	struct h h;
	char when[32];
	const struct sim_event *e;

	tlsr_utc_iso(tlsr_restart_next_in_window(noon, 60, 1320, 240, 0), when,
		     sizeof when);
	ck_assert_str_eq(when, "2026-11-30T21:00:00Z");
	/* Inside the window after midnight: now, or this machine's minute. */
	ck_assert_int_eq(tlsr_restart_next_in_window(half_past_one_local, 60,
						     1320, 240, 0),
			 half_past_one_local);
	tlsr_utc_iso(tlsr_restart_next_in_window(half_past_one_local, 60, 1320,
						 240, 300),
		     when, sizeof when);
	ck_assert_str_eq(when, "2026-12-01T02:00:00Z");
	/* 23:59:30 local, outside a 00:00-01:00 window: 30 s later. */
	tlsr_utc_iso(tlsr_restart_next_in_window(noon + (11 * 60 + 59) * MIN +
							 30 * SEC,
						 0, 0, 60, 0),
		     when, sizeof when);
	ck_assert_str_eq(when, "2026-12-01T00:00:00Z");

	/* The loop: the first pass writes DefaultSecureProtocols. */
	p = policy_with("  mode: never", "  mode: schedule", "  window: ",
			"  window: \"22:00-04:00\"", NULL);
	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.s->tz = 60;
	h.reg = machine("win7-sp1-patched");
	sim_put_file(h.s, POLICY, p);
	free(p);
	new_loop(&h);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_RESTART_SCHEDULED), 1);
	e = sim_last(h.s, TLSR_EV_RESTART_SCHEDULED);
	ck_assert_str_eq(e->v[TLSR_EF_RESTART_TIME], "2026-11-30T21:00:00Z");
	ck_assert_str_eq(status_text(&h, TLSR_ST_RESTART_TIME),
			 "2026-11-30T21:00:00Z");
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_RESTART_PENDING), 1);
	ck_assert_ptr_nonnull(
		strstr(status_text(&h, TLSR_ST_RESTART_REASON), DSP));
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), (int64_t)(9 * HOUR));
	teardown(&h);
}
END_TEST

/* A started loop that owes a restart (Windows 7 needs
 * DefaultSecureProtocols written) under restart settings mode_line and
 * window_line, on a machine with seed and server. */
static void setup_restart(struct h *h, const char *mode_line,
			  const char *window_line, uint32_t seed, int server)
{
	char *p = policy_with("  mode: never", mode_line, "  window: ",
			      window_line, NULL);

	memset(h, 0, sizeof *h);
	h->s = sim_new();
	h->s->is_server = server;
	h->reg = machine("win7-sp1-patched");
	if (seed != 0)
		ck_assert_int_eq(tlsr_reg_set_dword(h->reg, TLSR_KEY_ROOT,
						    TLSR_VIEW_64,
						    TLSR_MACHINE_SEED, seed),
				 TLSR_OK);
	sim_put_file(h->s, POLICY, p);
	free(p);
	new_loop(h);
}

START_TEST(loop_restart_is_spread_per_machine_across_the_window)
{
	struct h a, b, a2;
	char ta[1024], tb[1024];

	setup_restart(&a, "  mode: schedule", "  window: \"02:00-04:00\"", 7,
		      0);
	setup_restart(&b, "  mode: schedule", "  window: \"02:00-04:00\"", 100,
		      0);
	snprintf(ta, sizeof ta, "%s", status_text(&a, TLSR_ST_RESTART_TIME));
	snprintf(tb, sizeof tb, "%s", status_text(&b, TLSR_ST_RESTART_TIME));
	ck_assert_str_eq(ta, "2026-12-01T02:07:00Z");
	ck_assert_str_eq(tb, "2026-12-01T03:40:00Z");
	/* Deterministic per machine: the same seed, the same minute. */
	setup_restart(&a2, "  mode: schedule", "  window: \"02:00-04:00\"", 7,
		      0);
	ck_assert_str_eq(status_text(&a2, TLSR_ST_RESTART_TIME), ta);
	teardown(&a);
	teardown(&b);
	teardown(&a2);
	/* A machine without a seed draws one once and keeps it. */
	setup_restart(&a, "  mode: schedule", "  window: \"02:00-04:00\"", 0,
		      0);
	{
		uint32_t seed = 0;

		ck_assert_int_eq(tlsr_reg_get_dword(a.reg, TLSR_KEY_ROOT,
						    TLSR_VIEW_64,
						    TLSR_MACHINE_SEED, &seed),
				 TLSR_OK);
	}
	teardown(&a);
}
END_TEST

START_TEST(loop_restart_server_defaults_to_notify)
{
	struct h srv, srv_schedule, client;

	/* The policy sets no restart.mode: a server is only told. */
	setup_restart(&srv, "  message: \"tlsward\"",
		      "  window: \"02:00-04:00\"", 7, 1);
	ck_assert_uint_eq(sim_count(srv.s, TLSR_EV_RESTART_PENDING), 1);
	ck_assert_uint_eq(sim_count(srv.s, TLSR_EV_RESTART_SCHEDULED), 0);
	ck_assert_str_eq(status_text(&srv, TLSR_ST_RESTART_TIME), "(absent)");
	ck_assert_int_eq(tlsr_loop_next_timeout(srv.l), (int64_t)(24 * HOUR));
	/* A client with the same policy gets the default, schedule. */
	setup_restart(&client, "  message: \"tlsward\"",
		      "  window: \"02:00-04:00\"", 7, 0);
	ck_assert_uint_eq(sim_count(client.s, TLSR_EV_RESTART_SCHEDULED), 1);
	/* A server whose policy says schedule is scheduled. */
	setup_restart(&srv_schedule, "  mode: schedule",
		      "  window: \"02:00-04:00\"", 7, 1);
	ck_assert_uint_eq(sim_count(srv_schedule.s, TLSR_EV_RESTART_SCHEDULED),
			  1);
	teardown(&srv);
	teardown(&client);
	teardown(&srv_schedule);
}
END_TEST

START_TEST(loop_restart_fires_once_per_boot_and_records_attempt)
{
	struct h h;
	const struct sim_event *e;

	/* Noon UTC, tz 0: a window from noon, this machine's minute first. */
	setup_restart(&h, "  mode: schedule", "  window: \"12:00-14:00\"", 120,
		      0);
	h.s->restart_err = TLSR_EACCESS;
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), 0);
	run_due(&h);
	ck_assert_uint_eq(h.s->restarts, 1);
	ck_assert_uint_eq(h.s->restart_grace, 600);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_RESTART_FAILED), 1);
	e = sim_last(h.s, TLSR_EV_RESTART_FAILED);
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON], "(1314)"));
	ck_assert_ptr_nonnull(
		strstr(status_text(&h, TLSR_ST_RESTART_ATTEMPT), "failed"));
	ck_assert_ptr_nonnull(
		strstr(status_text(&h, TLSR_ST_LAST_ERROR), "(1314)"));
	tick(&h, 2 * HOUR);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	run_due(&h);
	ck_assert_uint_eq(h.s->restarts, 1);
	/* The service restarts in the same boot: no second attempt. */
	tlsr_loop_stop(h.l, NULL);
	tlsr_loop_free(h.l);
	new_loop(&h);
	run_due(&h);
	ck_assert_uint_eq(h.s->restarts, 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_RESTART_SCHEDULED), 1);
	/* A new boot: the restart happened, nothing is owed any more. */
	tlsr_loop_stop(h.l, NULL);
	tlsr_loop_free(h.l);
	snprintf(h.s->boot, sizeof h.s->boot, "boot-2");
	new_loop(&h);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_RESTART_PENDING), 0);
	ck_assert_str_eq(status_text(&h, TLSR_ST_RESTART_ATTEMPT), "(absent)");
	ck_assert_ptr_nonnull(strstr(
		sim_last(h.s, TLSR_EV_SERVICE_STARTED)->v[TLSR_EF_REASON],
		"restarted"));
	teardown(&h);
}
END_TEST

START_TEST(loop_restart_unknown_boot_keeps_it_owed)
{
	struct h h;

	setup_restart(&h, "  mode: notify", "  window: \"02:00-04:00\"", 7, 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_RESTART_PENDING), 1);
	tlsr_loop_stop(h.l, NULL);
	tlsr_loop_free(h.l);
	h.s->boot[0] = '\0';
	new_loop(&h);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_RESTART_PENDING), 1);
	teardown(&h);
}
END_TEST

/* A loop in a second boot (nothing owed any more), its fast path armed. */
static void setup_settled(struct h *h)
{
	setup_restart(h, "  mode: never", "  window: \"02:00-04:00\"", 7, 0);
	tlsr_loop_stop(h->l, NULL);
	tlsr_loop_free(h->l);
	snprintf(h->s->boot, sizeof h->s->boot, "boot-2");
	new_loop(h);
	ck_assert_uint_eq(status_dword(h, TLSR_ST_RESTART_PENDING), 0);
	ck_assert_uint_eq(status_dword(h, TLSR_ST_READY_FOR_SERVER),
			  status_dword(h, TLSR_ST_READY_FOR_SERVER_TLS12));
}

START_TEST(loop_restart_owed_rule_is_the_same_on_fast_and_full_path)
{
	struct h fast, full;
	char owed_fast[256], owed_full[256];
	struct tlsr_value v = {0};

	setup_settled(&fast);
	setup_settled(&full);
	/* GPO puts the OS default back. Fast path: the watch fires. */
	revert(&fast, DSP, 0xa0);
	ck_assert_uint_eq(value(&fast, DSP), 0xaa0);
	/* Full path: no watch, the next check sees it. */
	ck_assert_int_eq(tlsr_reg_set_dword(full.reg, def(DSP)->key,
					    TLSR_VIEW_64, def(DSP)->name, 0xa0),
			 TLSR_OK);
	wake(&full, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(value(&full, DSP), 0xaa0);
	ck_assert_uint_eq(status_dword(&fast, TLSR_ST_RESTART_PENDING), 1);
	ck_assert_uint_eq(status_dword(&full, TLSR_ST_RESTART_PENDING), 1);
	/* Owed a restart: not ready for a server to require TLS 1.2 yet. */
	ck_assert_uint_eq(status_dword(&fast, TLSR_ST_READY_FOR_SERVER), 0);
	ck_assert_uint_eq(status_dword(&full, TLSR_ST_READY_FOR_SERVER), 0);
	ck_assert_int_eq(tlsr_reg_get(fast.reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      TLSR_ST_RESTART_OWED, &v),
			 TLSR_OK);
	ck_assert_uint_le(v.size, sizeof owed_fast);
	memcpy(owed_fast, v.data, v.size);
	tlsr_value_clear(&v);
	ck_assert_int_eq(tlsr_reg_get(full.reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      TLSR_ST_RESTART_OWED, &v),
			 TLSR_OK);
	memcpy(owed_full, v.data, v.size);
	ck_assert_int_eq(memcmp(owed_fast, owed_full, v.size), 0);
	tlsr_value_clear(&v);
	teardown(&fast);
	teardown(&full);
}
END_TEST

/* Another agent sets DefaultSecureProtocols in the 32-bit view to v in
 * both loops: one heals it by its watch (the fast path), the other at a
 * check-now (the full pass). */
static void drift_dsp32_both(struct h *fast, struct h *full, uint32_t v)
{
	const struct tlsr_setting *d = def(DSP);
	int entry = fast->s->env.watch_entry_for(fast->s, d->key, TLSR_VIEW_32);

	ck_assert_int_ge(entry, 0);
	ck_assert_int_eq(tlsr_reg_set_dword(fast->reg, d->key, TLSR_VIEW_32,
					    d->name, v),
			 TLSR_OK);
	wake(fast, TLSR_WAKE_WATCH, (uint64_t)1 << entry);
	run_due(fast);
	ck_assert_int_eq(tlsr_reg_set_dword(full->reg, d->key, TLSR_VIEW_32,
					    d->name, v),
			 TLSR_OK);
	wake(full, TLSR_WAKE_CHECK_NOW, 0);
}

static uint32_t dsp32(struct h *h)
{
	uint32_t v = 0xdeadbeef;

	tlsr_reg_get_dword(h->reg, def(DSP)->key, TLSR_VIEW_32, def(DSP)->name,
			   &v);
	return v;
}

/* tlsward's value written in the first boot is what the second boot runs
 * with: putting it back after another agent's change restores the value in
 * effect and owes no restart, on the fast path and the full pass alike. */
START_TEST(loop_putting_back_the_value_in_effect_owes_no_restart)
{
	struct h fast, full;

	setup_settled(&fast);
	setup_settled(&full);
	drift_dsp32_both(&fast, &full, 0xa0);
	ck_assert_uint_eq(dsp32(&fast), 0xaa0);
	ck_assert_uint_eq(dsp32(&full), 0xaa0);
	ck_assert_uint_eq(status_dword(&fast, TLSR_ST_RESTART_PENDING), 0);
	ck_assert_uint_eq(status_dword(&full, TLSR_ST_RESTART_PENDING), 0);
	/* The count of 3001 is what the first boot's pass reported. */
	ck_assert_uint_eq(sim_count(fast.s, TLSR_EV_RESTART_PENDING),
			  sim_count(full.s, TLSR_EV_RESTART_PENDING));
	teardown(&fast);
	teardown(&full);
}
END_TEST

/* The same drift in the boot tlsward wrote the value: the value in effect
 * is still the one from before that write, so the restart stays owed on
 * both paths. */
START_TEST(loop_putting_back_a_value_not_yet_in_effect_stays_owed)
{
	struct h fast, full;

	setup_restart(&fast, "  mode: never", "  window: \"02:00-04:00\"", 7,
		      0);
	setup_restart(&full, "  mode: never", "  window: \"02:00-04:00\"", 7,
		      0);
	drift_dsp32_both(&fast, &full, 0xa0);
	ck_assert_uint_eq(dsp32(&fast), 0xaa0);
	ck_assert_uint_eq(dsp32(&full), 0xaa0);
	ck_assert_uint_eq(status_dword(&fast, TLSR_ST_RESTART_PENDING), 1);
	ck_assert_uint_eq(status_dword(&full, TLSR_ST_RESTART_PENDING), 1);
	teardown(&fast);
	teardown(&full);
}
END_TEST

/* ---- policy following ---- */

static char *policy_naming(const char *next)
{
	char *text = slurp("loop/policy.yaml"), *out;
	size_t len = strlen(text) + strlen(next) + 64;

	out = malloc(len);
	ck_assert_ptr_nonnull(out);
	snprintf(out, len, "%ssource:\n  path: '%s'\n  poll: 5m\n", text,
		 next);
	free(text);
	return out;
}

START_TEST(loop_follow_three_hops_and_two_files_naming_each_other)
{
	struct h h;
	char *p;
	size_t loaded;

	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win10-22h2");
	p = policy_naming("C:\\p\\a.yaml");
	sim_put_file(h.s, POLICY, p);
	free(p);
	p = policy_naming("C:\\p\\b.yaml");
	sim_put_file(h.s, "C:\\p\\a.yaml", p);
	free(p);
	p = policy_naming("C:\\p\\c.yaml");
	sim_put_file(h.s, "C:\\p\\b.yaml", p);
	free(p);
	p = policy_with("  mode: never", "  mode: notify", NULL);
	sim_put_file(h.s, "C:\\p\\c.yaml", p);
	free(p);
	new_loop(&h);
	/* The configured file, then a and b: three loads, no more. */
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_LOADED), 3);
	ck_assert_str_eq(status_text(&h, TLSR_ST_POLICY_SOURCE),
			 "C:\\p\\b.yaml");
	teardown(&h);

	/* x and y name each other: bounded, and it settles. */
	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win10-22h2");
	p = policy_naming("C:\\p\\y.yaml");
	sim_put_file(h.s, POLICY, p);
	sim_put_file(h.s, "C:\\p\\x.yaml", p);
	free(p);
	p = policy_naming("C:\\p\\x.yaml");
	sim_put_file(h.s, "C:\\p\\y.yaml", p);
	free(p);
	new_loop(&h);
	loaded = sim_count(h.s, TLSR_EV_POLICY_LOADED);
	ck_assert_uint_le(loaded, 3);
	wake(&h, TLSR_WAKE_SOURCE, 0);
	tick(&h, 3 * HOUR);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_LOADED), loaded);
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 0);
	teardown(&h);
}
END_TEST

START_TEST(loop_unreachable_at_start_puts_cache_in_force)
{
	const char *share = "\\\\cm01\\tlsward$\\policy.yaml";
	struct h h;
	char *p = slurp("loop/policy.yaml");
	const struct sim_event *e;

	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win10-22h2");
	ck_assert_int_eq(tlsr_reg_set_string(h.reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64,
					     TLSR_PARAM_POLICY_PATH, share),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(h.reg, TLSR_KEY_STATUS,
					     TLSR_VIEW_64,
					     TLSR_ST_POLICY_CACHE_SOURCE,
					     share),
			 TLSR_OK);
	sim_put_file(h.s, CACHE, p);
	sim_file(h.s, share)->unreachable = 1;
	new_loop(&h);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_UNREACHABLE), 1);
	e = sim_last(h.s, TLSR_EV_POLICY_UNREACHABLE);
	ck_assert_str_eq(e->v[TLSR_EF_POLICY_SOURCE], share);
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_IN_FORCE], CACHE));
	ck_assert_str_eq(sim_last(h.s, TLSR_EV_POLICY_LOADED)
				 ->v[TLSR_EF_POLICY_SOURCE],
			 CACHE);
	ck_assert_str_eq(status_text(&h, TLSR_ST_POLICY_SOURCE), CACHE);
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 0);
	/* The share is polled (never watched) and comes back. */
	ck_assert_int_le(tlsr_loop_next_timeout(h.l), (int64_t)(11 * MIN));
	ck_assert_str_eq(h.s->watched, share);
	sim_put_file(h.s, share, p);
	tick(&h, 11 * MIN);
	ck_assert_str_eq(status_text(&h, TLSR_ST_POLICY_SOURCE), share);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_UNREACHABLE), 1);
	free(p);
	teardown(&h);
}
END_TEST

START_TEST(loop_rejected_hash_reported_once)
{
	struct h h;

	setup(&h, "version: 1\nmode: enforce\nwinhttp: [\n");
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_REJECTED), 1);
	ck_assert_ptr_nonnull(strstr(
		sim_last(h.s, TLSR_EV_POLICY_REJECTED)->v[TLSR_EF_REASON],
		POLICY ":"));
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 2);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 0);
	/* Touched, same bytes: not reported again. */
	sim_file(h.s, POLICY)->mtime++;
	wake(&h, TLSR_WAKE_SOURCE, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_REJECTED), 1);
	/* Other broken bytes: reported. */
	sim_put_file(h.s, POLICY, "version: 1\nmode: sideways\n");
	wake(&h, TLSR_WAKE_SOURCE, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_POLICY_REJECTED), 2);
	teardown(&h);
}
END_TEST

/* ---- the fast path ---- */

START_TEST(loop_guard_without_journal_defers_to_full_pass)
{
	struct h h;
	struct tlsr_value j = {0};

	setup(&h, NULL);
	revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 1);
	/* A rollback while the service runs removes the journal entry. */
	ck_assert_int_eq(tlsr_reg_delete_value(h.reg, TLSR_KEY_JOURNAL,
					       TLSR_VIEW_64, S12),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_dword(h.reg, def(S12)->key,
					    TLSR_VIEW_NONE, def(S12)->name, 0),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_WATCH,
		       (uint64_t)1 << h.s->env.watch_entry_for(
			       h.s, def(S12)->key, TLSR_VIEW_NONE));
	/* Not written without the engine, which journals first. */
	ck_assert_uint_eq(value(&h, S12), 0);
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), 0);
	run_due(&h);
	ck_assert_uint_eq(value(&h, S12), 1);
	ck_assert_int_eq(tlsr_reg_get(h.reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      S12, &j),
			 TLSR_OK);
	tlsr_value_clear(&j);
	teardown(&h);
}
END_TEST

START_TEST(loop_fast_path_heals_a_restart_value_alone)
{
	struct h h;
	int entry;

	setup_settled(&h);
	/* Once through the full pass (it journals), then the fast path, once
	 * the first heal has stood for conflict.window (a revert sooner would
	 * be a conflict). */
	revert(&h, DSP, 0xa0);
	tick(&h, 24 * HOUR);
	entry = h.s->env.watch_entry_for(h.s, def(DSP)->key, TLSR_VIEW_64);
	ck_assert_int_eq(tlsr_reg_set_dword(h.reg, def(DSP)->key,
					    TLSR_VIEW_64, def(DSP)->name, 0xa0),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_WATCH, (uint64_t)1 << entry);
	ck_assert_uint_eq(value(&h, DSP), 0xaa0);
	/* Healed without asking for the full pass. */
	ck_assert_int_ne(tlsr_loop_next_timeout(h.l), 0);
	teardown(&h);
}
END_TEST

START_TEST(loop_fast_path_reports_what_it_read)
{
	struct h h;
	const struct sim_event *e;

	setup(&h, NULL);
	/* The first heal is the full pass's (it journals the original);
	 * from then on the fast path holds the value. The next drift comes
	 * after conflict.window, so it is no conflict. */
	revert(&h, S12, 0);
	tick(&h, 24 * HOUR);
	ck_assert_int_eq(tlsr_reg_set_string(h.reg, def(S12)->key,
					     TLSR_VIEW_NONE, def(S12)->name,
					     "on"),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_WATCH,
		       (uint64_t)1 << h.s->env.watch_entry_for(
			       h.s, def(S12)->key, TLSR_VIEW_NONE));
	ck_assert_uint_eq(value(&h, S12), 1);
	e = sim_last(h.s, TLSR_EV_DRIFT);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->v[TLSR_EF_ACTUAL], "type 1, 6 bytes: 6f 00 6e 00 00 00");
	teardown(&h);
}
END_TEST

/* ---- failures ---- */

START_TEST(loop_check_failure_reports_2006_and_status)
{
	struct h h;
	unsigned long calls, n;
	unsigned passes;
	int seen = 0;

	setup(&h, NULL);
	/* Persistent: the registry refuses everything from now on. */
	tlsr_fault_arm_from(h.reg, 1, TLSR_EACCESS);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CHECK_FAILED), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_STATUS_FAILED), 1);
	ck_assert_ptr_nonnull(
		strstr(sim_last(h.s, TLSR_EV_CHECK_FAILED)->v[TLSR_EF_REASON],
		       "injected fault"));
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 1);
	tlsr_fault_arm(h.reg, 0, TLSR_OK);
	passes = status_dword(&h, TLSR_ST_PASSES);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_PASSES), passes + 1);
	ck_assert_str_eq(status_text(&h, TLSR_ST_LAST_ERROR), "");

	/* One failing call at a time: whenever the check fails, Status
	 * says Compliant=0 and names the error. */
	tlsr_fault_arm(h.reg, 0, TLSR_OK);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	calls = tlsr_fault_calls(h.reg);
	for (n = 1; n <= calls; n++) {
		size_t before = sim_count(h.s, TLSR_EV_CHECK_FAILED);

		tlsr_fault_arm(h.reg, n, TLSR_EIO);
		wake(&h, TLSR_WAKE_CHECK_NOW, 0);
		tlsr_fault_arm(h.reg, 0, TLSR_OK);
		if (sim_count(h.s, TLSR_EV_CHECK_FAILED) == before)
			continue;
		seen++;
		ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 0);
		ck_assert_ptr_nonnull(strstr(
			status_text(&h, TLSR_ST_LAST_ERROR), "injected fault"));
		wake(&h, TLSR_WAKE_CHECK_NOW, 0);
		ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	}
	ck_assert_int_gt(seen, 0);
	teardown(&h);
}
END_TEST

START_TEST(loop_fault_at_every_call_of_a_wake_converges)
{
	unsigned long calls, n;
	struct h h;

	/* How many registry calls a drift, its heal and the pass make. */
	setup(&h, NULL);
	tlsr_fault_arm(h.reg, 0, TLSR_OK);
	revert(&h, DSP, 0xa0);
	calls = tlsr_fault_calls(h.reg);
	teardown(&h);
	ck_assert_uint_gt(calls, 3);
	for (n = 1; n <= calls + 1; n++) {
		setup(&h, NULL);
		ck_assert_int_eq(tlsr_reg_set_dword(h.reg, def(DSP)->key,
						    TLSR_VIEW_64,
						    def(DSP)->name, 0xa0),
				 TLSR_OK);
		tlsr_fault_arm(h.reg, n, TLSR_EACCESS);
		wake(&h, TLSR_WAKE_WATCH,
			       (uint64_t)1 << h.s->env.watch_entry_for(
				       h.s, def(DSP)->key, TLSR_VIEW_64));
		run_due(&h);
		tlsr_fault_arm(h.reg, 0, TLSR_OK);
		wake(&h, TLSR_WAKE_CHECK_NOW, 0);
		ck_assert_msg(value(&h, DSP) == 0xaa0,
			      "fault at call %lu: not healed", n);
		ck_assert_msg(tlsr_loop_exit_code(h.l) == 0,
			      "fault at call %lu: not compliant", n);
		ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
		teardown(&h);
	}
}
END_TEST

START_TEST(loop_start_note_goes_into_1000)
{
	struct tlsr_loop_opts o = {0};
	struct h h;
	char *p = slurp("loop/policy.yaml");

	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win10-22h2");
	sim_put_file(h.s, POLICY, p);
	free(p);
	o.data_dir = DATA_DIR;
	o.start_note = "Self-configuration incomplete: OpenServiceW: Access "
		       "is denied (5)";
	ck_assert_int_eq(tlsr_loop_new(h.reg, &h.s->env, &o, &h.l), TLSR_OK);
	wake(&h, TLSR_WAKE_START, 0);
	ck_assert_ptr_nonnull(strstr(
		sim_last(h.s, TLSR_EV_SERVICE_STARTED)->v[TLSR_EF_REASON],
		"OpenServiceW: Access is denied (5)"));
	teardown(&h);
}
END_TEST

START_TEST(loop_fatal_error_is_reported_and_stop_names_it)
{
	struct h h;
	const struct sim_event *e;

	setup(&h, NULL);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_SERVICE_STARTED), 1);
	tlsr_loop_fail(h.l, "WaitForMultipleObjects: The handle is invalid "
			    "(6)");
	tlsr_loop_stop(h.l, NULL);
	tlsr_loop_stop(h.l, NULL);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_SERVICE_FAILED), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_SERVICE_STOPPED), 1);
	e = sim_last(h.s, TLSR_EV_SERVICE_STOPPED);
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON], "(6)"));
	ck_assert_int_eq(tlsr_loop_exit_code(h.l), 2);
	teardown(&h);
}
END_TEST

START_TEST(loop_passes_count_completed_passes)
{
	struct h h;
	unsigned before;

	setup(&h, NULL);
	before = status_dword(&h, TLSR_ST_PASSES);
	ck_assert_uint_eq(before, 1);
	ck_assert_str_ne(status_text(&h, TLSR_ST_LAST_CHECK), "(absent)");
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	wake(&h, TLSR_WAKE_RELOAD, 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_PASSES), before + 2);
	ck_assert_uint_eq(tlsr_loop_passes(h.l), before + 2);
	/* The periodic check is a pass too. */
	tick(&h, 24 * HOUR);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_PASSES), before + 3);
	teardown(&h);
}
END_TEST

START_TEST(loop_cache_write_failure_reports_1004)
{
	struct h h;

	memset(&h, 0, sizeof h);
	h.s = sim_new();
	h.reg = machine("win10-22h2");
	{
		char *p = slurp("loop/policy.yaml");

		sim_put_file(h.s, POLICY, p);
		free(p);
	}
	sim_file(h.s, CACHE)->read_only = 1;
	new_loop(&h);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CACHE_FAILED), 1);
	ck_assert_ptr_nonnull(
		strstr(status_text(&h, TLSR_ST_LAST_ERROR), "Access is denied"));
	teardown(&h);
}
END_TEST

START_TEST(loop_policy_locate_is_shared_with_the_cli)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	char path[1024], mode[16];

	tlsr_policy_locate(reg, NULL, DATA_DIR, NULL, NULL, path, sizeof path,
			   mode, sizeof mode);
	ck_assert_str_eq(path, POLICY);
	ck_assert_str_eq(mode, "");
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64,
					     TLSR_PARAM_POLICY_PATH,
					     "%ProgramData%\\t\\p.yaml"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64, TLSR_PARAM_MODE,
					     "Audit"),
			 TLSR_OK);
	{
		struct sim_env *s = sim_new();

		tlsr_policy_locate(reg, NULL, DATA_DIR, s->env.expand, s, path,
				   sizeof path, mode, sizeof mode);
		sim_free(s);
	}
	ck_assert_str_eq(path, "C:\\ProgramData\\t\\p.yaml");
	ck_assert_int_eq(tlsr_policy_mode_override(TLSR_MODE_ENFORCE, mode),
			 TLSR_MODE_AUDIT);
	tlsr_policy_locate(reg, "D:\\x.yaml", DATA_DIR, NULL, NULL, path,
			   sizeof path, mode, sizeof mode);
	ck_assert_str_eq(path, "D:\\x.yaml");
	tlsr_registry_destroy(reg);
}
END_TEST

/* The service's memory goes into Status with the record, as the platform
 * reports it; a figure the platform cannot give is not left behind. */
static uint64_t status_qword(struct h *h, const char *name)
{
	struct tlsr_value v = {0};
	uint64_t n = 0;

	if (tlsr_reg_get(h->reg, TLSR_KEY_STATUS, TLSR_VIEW_64, name, &v) !=
	    TLSR_OK)
		return 0;
	ck_assert_int_eq(v.type, TLSR_REG_QWORD);
	ck_assert_uint_eq(v.size, 8);
	for (int i = 7; i >= 0; i--)
		n = n << 8 | v.data[i];
	tlsr_value_clear(&v);
	return n;
}

START_TEST(loop_status_carries_the_process_memory)
{
	struct h h;

	setup(&h, NULL);
	ck_assert_uint_eq(status_qword(&h, TLSR_ST_PRIVATE_BYTES), 3u << 20);
	ck_assert_uint_eq(status_qword(&h, TLSR_ST_WORKING_SET), 7u << 20);
	h.s->private_bytes = 0;
	h.s->working_set = 5u << 20;
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(status_qword(&h, TLSR_ST_PRIVATE_BYTES), 0);
	ck_assert_uint_eq(status_qword(&h, TLSR_ST_WORKING_SET), 5u << 20);
	teardown(&h);
}
END_TEST

/* ---- the fast path: deleted keys and bursts ---- */

#define NET4 "dotnet.v4.0.30319.strong_crypto"
#define NET4_SD "dotnet.v4.0.30319.system_default_tls_versions"
#define NET2 "dotnet.v2.0.50727.strong_crypto"
#define NET2_SD "dotnet.v2.0.50727.system_default_tls_versions"

static const char *const dotnet_ids[] = {NET2, NET2_SD, NET4, NET4_SD};

/* The drift of id's wanted value that another agent writes. */
static uint32_t bad_for(const char *id)
{
	return strcmp(id, DSP) == 0 ? 0xa0 : 0;
}

/* Another agent writes id's drift in view, waking nothing. */
static void damage(struct h *h, const char *id, enum tlsr_view view)
{
	ck_assert_int_eq(tlsr_reg_set_dword(h->reg, def(id)->key, view,
					    def(id)->name, bad_for(id)),
			 TLSR_OK);
}

static uint32_t value_in(struct h *h, const char *id, enum tlsr_view view)
{
	uint32_t v = 0xdeadbeef;

	tlsr_reg_get_dword(h->reg, def(id)->key, view, def(id)->name, &v);
	return v;
}

static uint64_t bit_of(struct h *h, const char *id, enum tlsr_view view)
{
	int entry = h->s->env.watch_entry_for(h->s, def(id)->key, view);

	ck_assert_int_ge(entry, 0);
	return (uint64_t)1 << entry;
}

/* Drifts id in view once and lets the loop heal it (the first heal of a
 * value is the full pass's: it journals the original), so that from then
 * on the fast path holds it. The heal then stands for conflict.window: the
 * next drift is a first drift again, not a conflict. */
static void journal_one(struct h *h, const char *id, enum tlsr_view view)
{
	damage(h, id, view);
	wake(h, TLSR_WAKE_WATCH, bit_of(h, id, view));
	run_due(h);
	ck_assert_uint_ne(value_in(h, id, view), bad_for(id));
	tick(h, 24 * HOUR);
}

/* A .NET key deleted whole (an uninstaller, a cleanup script) is created
 * again with its values by the fast path, with no full pass; the journal
 * keeps the originals, so a rollback still gives back exactly what the
 * machine had. */
START_TEST(loop_fast_path_recreates_a_deleted_key_without_a_full_pass)
{
	struct tlsr_value j0 = {0}, j1 = {0}, a = {0};
	struct tlsr_diag diag;
	size_t i, restored = 0;
	unsigned passes;
	uint64_t mask;
	struct h h;
	int round;

	setup(&h, NULL);
	for (i = 0; i < 4; i++)
		journal_one(&h, dotnet_ids[i], TLSR_VIEW_64);
	ck_assert_int_eq(tlsr_reg_get(h.reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      NET4, &j0),
			 TLSR_OK);
	mask = bit_of(&h, NET4, TLSR_VIEW_64);
	passes = tlsr_loop_passes(h.l);
	/* Twice: the second time through the handles the first heal
	 * opened. */
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(h.reg->ops->delete_key(h.reg, def(NET4)->key,
							TLSR_VIEW_64),
				 TLSR_OK);
		wake(&h, TLSR_WAKE_WATCH, mask);
		ck_assert_uint_eq(value_in(&h, NET4, TLSR_VIEW_64), 1);
		ck_assert_uint_eq(value_in(&h, NET4_SD, TLSR_VIEW_64), 1);
		/* No full pass due, none run. */
		ck_assert_int_ne(tlsr_loop_next_timeout(h.l), 0);
		run_due(&h);
		ck_assert_uint_eq(tlsr_loop_passes(h.l), passes);
	}
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATION_FAILED), 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	/* The journal still holds the first original, unchanged. */
	ck_assert_int_eq(tlsr_reg_get(h.reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      NET4, &j1),
			 TLSR_OK);
	ck_assert_uint_eq(j1.size, j0.size);
	ck_assert_int_eq(memcmp(j1.data, j0.data, j0.size), 0);
	/* A rollback puts back exactly what each value held before
	 * tlsward's first write (the drift journal_one made). */
	ck_assert_int_eq(tlsr_rollback(h.reg, &restored, &diag), TLSR_OK);
	ck_assert_uint_ge(restored, 4);
	for (i = 0; i < 4; i++) {
		const struct tlsr_setting *d = def(dotnet_ids[i]);

		ck_assert_int_eq(tlsr_reg_get(h.reg, d->key, TLSR_VIEW_64,
					      d->name, &a),
				 TLSR_OK);
		ck_assert_uint_eq(a.type, TLSR_REG_DWORD);
		ck_assert_uint_eq(a.size, 4);
		ck_assert_uint_eq(value_in(&h, dotnet_ids[i], TLSR_VIEW_64),
				  bad_for(dotnet_ids[i]));
		tlsr_value_clear(&a);
	}
	tlsr_value_clear(&j0);
	tlsr_value_clear(&j1);
	teardown(&h);
}
END_TEST

/* A Group Policy refresh rewrites values under several watches at once:
 * each is healed on the fast path, with no full pass, and Status is
 * written once, after the driver's second look. */
START_TEST(loop_burst_over_several_watches_heals_without_a_full_pass)
{
	static const enum tlsr_view views[] = {TLSR_VIEW_64, TLSR_VIEW_32};
	unsigned passes, drifts, healed;
	uint64_t mask = 0;
	size_t i, v;
	struct h h;

	setup(&h, NULL);
	for (v = 0; v < 2; v++) {
		journal_one(&h, DSP, views[v]);
		for (i = 0; i < 4; i++)
			journal_one(&h, dotnet_ids[i], views[v]);
	}
	passes = tlsr_loop_passes(h.l);
	drifts = status_dword(&h, TLSR_ST_DRIFTS);
	healed = status_dword(&h, TLSR_ST_REMEDIATIONS);
	sim_clear_events(h.s);
	for (v = 0; v < 2; v++) {
		damage(&h, DSP, views[v]);
		mask |= bit_of(&h, DSP, views[v]);
		for (i = 0; i < 4; i++) {
			damage(&h, dotnet_ids[i], views[v]);
			mask |= bit_of(&h, dotnet_ids[i], views[v]);
		}
	}
	/* Four watches fired. As the driver does: the watch that woke it
	 * first, then every watch that fired. */
	ck_assert_uint_eq((unsigned)__builtin_popcountll(mask), 4);
	wake(&h, TLSR_WAKE_WATCH_FIRST, bit_of(&h, DSP, TLSR_VIEW_64));
	ck_assert_uint_eq(value_in(&h, DSP, TLSR_VIEW_64), 0xaa0);
	ck_assert_uint_eq(value_in(&h, DSP, TLSR_VIEW_32), 0xa0);
	/* Status waits for the second look. */
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_REMEDIATIONS), healed);
	wake(&h, TLSR_WAKE_WATCH, mask);
	for (v = 0; v < 2; v++) {
		ck_assert_uint_eq(value_in(&h, DSP, views[v]), 0xaa0);
		for (i = 0; i < 4; i++)
			ck_assert_uint_eq(
			    value_in(&h, dotnet_ids[i], views[v]), 1);
	}
	ck_assert_int_ne(tlsr_loop_next_timeout(h.l), 0);
	run_due(&h);
	ck_assert_uint_eq(tlsr_loop_passes(h.l), passes);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 10);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_DRIFTS), drifts + 10);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_REMEDIATIONS), healed + 10);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	teardown(&h);
}
END_TEST

/* On Windows 10 a SChannel value left absent is the OS default, and
 * tlsward never writes it, so it has no journal entry: the fast path only
 * looks at it. A drift of a value it holds under the same watch is then
 * healed without a full pass; the absent value written behind its back
 * sends the watch to the full pass, which judges it. */
START_TEST(loop_fast_path_looks_at_a_value_left_absent)
{
	const char *dbd = "schannel.tls1.2.client.disabled_by_default";
	unsigned passes;
	struct h h;

	setup(&h, NULL);
	ck_assert_int_eq(tlsr_reg_delete_value(h.reg, def(dbd)->key,
					       TLSR_VIEW_NONE, def(dbd)->name),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	journal_one(&h, S12, TLSR_VIEW_NONE);
	passes = tlsr_loop_passes(h.l);
	damage(&h, S12, TLSR_VIEW_NONE);
	wake(&h, TLSR_WAKE_WATCH, bit_of(&h, S12, TLSR_VIEW_NONE));
	ck_assert_uint_eq(value_in(&h, S12, TLSR_VIEW_NONE), 1);
	ck_assert_int_ne(tlsr_loop_next_timeout(h.l), 0);
	run_due(&h);
	ck_assert_uint_eq(tlsr_loop_passes(h.l), passes);
	/* The absent value appears, turning TLS 1.2 off by default. */
	ck_assert_int_eq(tlsr_reg_set_dword(h.reg, def(dbd)->key,
					    TLSR_VIEW_NONE, def(dbd)->name, 1),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_WATCH, bit_of(&h, dbd, TLSR_VIEW_NONE));
	ck_assert_int_eq(tlsr_loop_next_timeout(h.l), 0);
	run_due(&h);
	ck_assert_uint_eq(tlsr_loop_passes(h.l), passes + 1);
	ck_assert_uint_eq(value_in(&h, dbd, TLSR_VIEW_NONE), 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	teardown(&h);
}
END_TEST

/* A value found as the policy wants it that tlsward never wrote (no
 * journal entry) is journalled at its first drift, as the engine would,
 * and put back on the fast path: no full pass; the journal holds what the
 * drift left, so a rollback restores it, as after a full pass. */
START_TEST(loop_fast_path_journals_a_value_it_never_wrote)
{
	unsigned passes;
	size_t restored = 0;
	struct tlsr_diag diag = {0};
	struct tlsr_value j = {0};
	struct h h;

	setup(&h, NULL);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	/* tlsward has a journal (it put another value back)... */
	journal_one(&h, DSP, TLSR_VIEW_64);
	/* ...and another tool sets this one as the policy wants: tlsward
	 * never wrote it. */
	ck_assert_int_eq(tlsr_reg_set_dword(h.reg, def(S12)->key,
					    TLSR_VIEW_NONE, def(S12)->name, 1),
			 TLSR_OK);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_COMPLIANT), 1);
	ck_assert_int_eq(tlsr_reg_get(h.reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      S12, &j),
			 TLSR_ENOTFOUND);
	passes = tlsr_loop_passes(h.l);
	damage(&h, S12, TLSR_VIEW_NONE);
	wake(&h, TLSR_WAKE_WATCH, bit_of(&h, S12, TLSR_VIEW_NONE));
	ck_assert_uint_eq(value_in(&h, S12, TLSR_VIEW_NONE), 1);
	run_due(&h);
	ck_assert_uint_eq(tlsr_loop_passes(h.l), passes);
	ck_assert_int_eq(tlsr_reg_get(h.reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      S12, &j),
			 TLSR_OK);
	tlsr_value_clear(&j);
	ck_assert_int_eq(tlsr_rollback(h.reg, &restored, &diag), TLSR_OK);
	ck_assert_uint_eq(value_in(&h, S12, TLSR_VIEW_NONE), bad_for(S12));
	teardown(&h);
}
END_TEST

/* ---- conflict damping: the event contract (docs/events.md) ---- */

/* The test policy with the flap bench's damping: 5 reverts in 10 min. */
static void setup_flap(struct h *h)
{
	char *p = policy_with("  max_reverts: 3", "  max_reverts: 5",
			      "  window: 24h", "  window: 10m", NULL);

	setup(h, p);
	free(p);
	/* Whatever the first pass wrote has stood for a window. */
	tick(h, 11 * MIN);
}

/* Events of item id since the last sim_clear_events. */
static size_t item_events(const struct sim_env *s, unsigned id,
			  const char *item)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_events; i++)
		if (s->events[i].id == id && s->events[i].v[TLSR_EF_SETTING] &&
		    strcmp(s->events[i].v[TLSR_EF_SETTING], item) == 0)
			n++;
	return n;
}

/* An adversary rewriting a value: the first drift is reported as ever
 * (2001, 2002); the revert of that put-back starts the conflict (one
 * 2005); the reverts and put-backs after it are counted, not reported;
 * past max_reverts the back-off starts (one 2005). Four events for any
 * number of reverts, and every revert in the Status counters. */
START_TEST(loop_conflict_flap_reports_four_events_and_counts_every_revert)
{
	struct h h;
	uint32_t drifts, rems, conflicts;
	const struct sim_event *e;
	size_t i;

	setup_flap(&h);
	drifts = status_dword(&h, TLSR_ST_DRIFTS);
	rems = status_dword(&h, TLSR_ST_REMEDIATIONS);
	conflicts = status_dword(&h, TLSR_ST_CONFLICTS);
	sim_clear_events(h.s);
	for (i = 0; i < 50; i++) {
		revert(&h, S12, 0);
		sim_advance(h.s, 1);
	}
	ck_assert_uint_eq(value(&h, S12), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_DRIFT), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 2);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATION_FAILED), 0);
	ck_assert_uint_eq(item_events(h.s, TLSR_EV_DRIFT, S12) +
				  item_events(h.s, TLSR_EV_REMEDIATED, S12) +
				  item_events(h.s, TLSR_EV_CONFLICT, S12),
			  4);
	/* In order: drift, remediated, the conflict, its back-off. */
	ck_assert_uint_eq(h.s->events[0].id, TLSR_EV_DRIFT);
	ck_assert_uint_eq(h.s->events[1].id, TLSR_EV_REMEDIATED);
	for (i = 2; i < h.s->n_events && h.s->events[i].id != TLSR_EV_CONFLICT;
	     i++)
		;
	ck_assert_uint_lt(i, h.s->n_events);
	e = &h.s->events[i];
	ck_assert_str_eq(e->v[TLSR_EF_ACTUAL], "0x00000000");
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "puts it back up to 5 times within 600 s"));
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "not reported one by one"));
	e = sim_last(h.s, TLSR_EV_CONFLICT);
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "reverted 6 times within 600 s"));
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "for 60 s, until 2026-11-30T12:"));
	/* The drift, then 6 reverts of tlsward's writes (the ones during
	 * the back-off undo no write of tlsward's); 1 + 5 put-backs. */
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_DRIFTS), drifts + 1 + 6);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_CONFLICTS), conflicts + 6);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_REMEDIATIONS), rems + 6);
	teardown(&h);
}
END_TEST

/* The fight ends when tlsward's write stands for a whole window: the next
 * check says so in one 2002 that carries what was counted without an
 * event, and the next drift is reported as any first drift. */
START_TEST(loop_conflict_quiet_window_reports_what_was_counted)
{
	struct h h;
	const struct sim_event *e;
	size_t i;

	setup_flap(&h);
	for (i = 0; i < 10; i++)
		revert(&h, S12, 0);
	sim_clear_events(h.s);
	tick(&h, MIN);
	ck_assert_uint_eq(value(&h, S12), 1);
	/* The back-off's end put it back: compliant again, but the
	 * conflict is on, so that is no news (no 2000, no 2002). */
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CHECK_COMPLIANT), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 0);
	sim_clear_events(h.s);
	/* Not yet a whole window since the back-off's put-back. */
	tick(&h, 9 * MIN);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 0);
	tick(&h, MIN);
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 1);
	e = sim_last(h.s, TLSR_EV_REMEDIATED);
	ck_assert_str_eq(e->v[TLSR_EF_SETTING], S12);
	ck_assert_str_eq(e->v[TLSR_EF_ACTUAL], "0x00000000");
	ck_assert_ptr_nonnull(e->v[TLSR_EF_REASON]);
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "A conflict over this value ended"));
	/* After the back-off's 2005: no revert, the put-back that stood. */
	ck_assert_ptr_nonnull(strstr(e->v[TLSR_EF_REASON],
				     "0 more reverts by another agent (the "
				     "last to 0x00000000) and 1 put-back by"));
	wake(&h, TLSR_WAKE_CHECK_NOW, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 1);
	/* A new first drift: 2001 and 2002, nothing carried over. */
	revert(&h, S12, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_DRIFT), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 2);
	ck_assert_ptr_null(sim_last(h.s, TLSR_EV_REMEDIATED)->v[TLSR_EF_REASON]);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 0);
	teardown(&h);
}
END_TEST

/* A fight that stops before any check sees its end: the next drift, a
 * window later, is reported as a first drift, and its 2002 carries the
 * reverts and put-backs that were counted without an event. */
START_TEST(loop_conflict_unreported_count_goes_with_the_next_drift)
{
	struct h h;
	const char *why;

	setup_flap(&h);
	revert(&h, S12, 0); /* the first drift: 2001, 2002 */
	revert(&h, S12, 0); /* the conflict starts: 2005 */
	revert(&h, S12, 0); /* counted */
	revert(&h, S12, 0); /* counted */
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 1);
	ck_assert_uint_eq(value(&h, S12), 1);
	sim_clear_events(h.s);
	tick(&h, 10 * MIN);
	revert(&h, S12, 0);
	ck_assert_uint_eq(value(&h, S12), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_DRIFT), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 1);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 0);
	why = sim_last(h.s, TLSR_EV_REMEDIATED)->v[TLSR_EF_REASON];
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "2 more reverts by another agent"));
	ck_assert_ptr_nonnull(strstr(why, "and 3 put-backs"));
	teardown(&h);
}
END_TEST

/* An agent that writes its DWORD over tlsward's before the read-back. */
static const struct tlsr_registry_ops *adv_inner;
static const char *adv_name;
static uint32_t adv_type;

static tlsr_err adv_set_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, uint32_t type,
			      const void *data, size_t size)
{
	static const uint8_t zero[4], text[] = {'o', 0, 'n', 0, 0, 0};
	tlsr_err err = adv_inner->set_value(reg, key, name, type, data, size);

	if (err != TLSR_OK || adv_name == NULL || strcmp(name, adv_name) != 0)
		return err;
	if (adv_type == TLSR_REG_DWORD)
		adv_inner->set_value(reg, key, name, TLSR_REG_DWORD, zero,
				     sizeof zero);
	else
		adv_inner->set_value(reg, key, name, adv_type, text,
				     sizeof text);
	return err;
}

static struct tlsr_registry_ops adv_ops;

static void arm_adversary(struct h *h, const char *name, uint32_t type)
{
	adv_inner = h->reg->ops;
	adv_ops = *adv_inner;
	adv_ops.set_value = adv_set_value;
	h->reg->ops = &adv_ops;
	adv_name = name;
	adv_type = type;
}

static void disarm_adversary(struct h *h)
{
	h->reg->ops = adv_inner;
	adv_name = NULL;
}

/* A write read back as another agent's DWORD succeeded and was reverted:
 * counted as a revert (it starts the conflict), never a 2003, on the fast
 * path and in the full pass alike. */
START_TEST(loop_conflict_overwrite_before_read_back_is_a_revert)
{
	struct h h;
	uint32_t conflicts;

	setup_flap(&h);
	revert(&h, S12, 0); /* the full pass journals it; the fast path holds it */
	tick(&h, 11 * MIN);
	conflicts = status_dword(&h, TLSR_ST_CONFLICTS);
	sim_clear_events(h.s);
	arm_adversary(&h, def(S12)->name, TLSR_REG_DWORD);
	/* The fast path's write is overwritten (a revert: the conflict
	 * starts), then the full pass's write too (counted). */
	revert(&h, S12, 0);
	disarm_adversary(&h);
	ck_assert_uint_eq(value(&h, S12), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATION_FAILED), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_REMEDIATED), 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 1);
	ck_assert_uint_eq(status_dword(&h, TLSR_ST_CONFLICTS), conflicts + 2);
	teardown(&h);
}
END_TEST

/* A read-back of another type is no other agent's DWORD: a failure, 2003,
 * and no conflict. */
START_TEST(loop_read_back_of_another_type_is_a_failure)
{
	struct h h;

	setup_flap(&h);
	revert(&h, S12, 0);
	tick(&h, 11 * MIN);
	sim_clear_events(h.s);
	arm_adversary(&h, def(S12)->name, TLSR_REG_SZ);
	revert(&h, S12, 0);
	disarm_adversary(&h);
	ck_assert_uint_ge(sim_count(h.s, TLSR_EV_REMEDIATION_FAILED), 1);
	ck_assert_ptr_nonnull(
		strstr(sim_last(h.s, TLSR_EV_REMEDIATION_FAILED)->v[TLSR_EF_REASON],
		       "type"));
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 0);
	teardown(&h);
}
END_TEST

/* Damping is per value: while one value is fought over, a burst of other
 * values drifting once each (a Group Policy refresh) reports each one. */
START_TEST(loop_burst_reports_every_value_while_another_is_fought)
{
	static const char *const ids[] = {
		DSP,
		"dotnet.v4.0.30319.strong_crypto",
		"dotnet.v4.0.30319.system_default_tls_versions",
		"dotnet.v2.0.50727.strong_crypto",
		"dotnet.v2.0.50727.system_default_tls_versions",
	};
	size_t n = sizeof ids / sizeof ids[0], i;
	uint64_t mask = 0;
	struct h h;

	setup_flap(&h);
	sim_clear_events(h.s);
	for (i = 0; i < 4; i++)
		revert(&h, S12, 0);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 1);
	for (i = 0; i < n; i++) {
		const struct tlsr_setting *d = def(ids[i]);

		ck_assert_int_eq(tlsr_reg_set_dword(h.reg, d->key,
						    view_of(ids[i]), d->name,
						    i == 0 ? 0xa0 : 0),
				 TLSR_OK);
		mask |= (uint64_t)1 << h.s->env.watch_entry_for(
				h.s, d->key, view_of(ids[i]));
	}
	wake(&h, TLSR_WAKE_WATCH, mask);
	run_due(&h);
	for (i = 0; i < n; i++) {
		ck_assert_msg(item_events(h.s, TLSR_EV_DRIFT, ids[i]) == 1,
			      "%s: no single 2001", ids[i]);
		ck_assert_msg(item_events(h.s, TLSR_EV_REMEDIATED, ids[i]) == 1,
			      "%s: no single 2002", ids[i]);
	}
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_DRIFT), 1 + n);
	ck_assert_uint_eq(sim_count(h.s, TLSR_EV_CONFLICT), 1);
	teardown(&h);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
		       loop_conflict_backs_off_past_max_reverts_and_doubles_to_an_hour);
	tcase_add_test(tc, loop_conflict_backoff_end_rewrites_once_and_counts_again);
	tcase_add_test(tc, loop_conflict_quiet_window_resets_and_reports_again);
	tcase_add_test(tc, loop_new_policy_forgets_reverts);
	tcase_add_test(tc, loop_restart_window_across_midnight_schedules_next_start);
	tcase_add_test(tc, loop_restart_is_spread_per_machine_across_the_window);
	tcase_add_test(tc, loop_restart_server_defaults_to_notify);
	tcase_add_test(tc, loop_restart_fires_once_per_boot_and_records_attempt);
	tcase_add_test(tc, loop_restart_unknown_boot_keeps_it_owed);
	tcase_add_test(tc, loop_restart_owed_rule_is_the_same_on_fast_and_full_path);
	tcase_add_test(tc, loop_putting_back_the_value_in_effect_owes_no_restart);
	tcase_add_test(tc, loop_putting_back_a_value_not_yet_in_effect_stays_owed);
	tcase_add_test(tc, loop_follow_three_hops_and_two_files_naming_each_other);
	tcase_add_test(tc, loop_unreachable_at_start_puts_cache_in_force);
	tcase_add_test(tc, loop_rejected_hash_reported_once);
	tcase_add_test(tc, loop_guard_without_journal_defers_to_full_pass);
	tcase_add_test(tc, loop_fast_path_reports_what_it_read);
	tcase_add_test(tc, loop_fast_path_heals_a_restart_value_alone);
	tcase_add_test(tc, loop_check_failure_reports_2006_and_status);
	tcase_add_test(tc, loop_critical_risk_reported_once);
	tcase_add_test(tc, loop_fault_at_every_call_of_a_wake_converges);
	tcase_add_test(tc, loop_fatal_error_is_reported_and_stop_names_it);
	tcase_add_test(tc, loop_start_note_goes_into_1000);
	tcase_add_test(tc, loop_passes_count_completed_passes);
	tcase_add_test(tc, loop_cache_write_failure_reports_1004);
	tcase_add_test(tc, loop_policy_locate_is_shared_with_the_cli);
	tcase_add_test(tc, loop_status_carries_the_process_memory);
	tcase_add_test(tc, loop_fast_path_recreates_a_deleted_key_without_a_full_pass);
	tcase_add_test(tc, loop_burst_over_several_watches_heals_without_a_full_pass);
	tcase_add_test(tc, loop_fast_path_looks_at_a_value_left_absent);
	tcase_add_test(tc, loop_fast_path_journals_a_value_it_never_wrote);
	tcase_add_test(tc,
		       loop_conflict_flap_reports_four_events_and_counts_every_revert);
	tcase_add_test(tc, loop_conflict_quiet_window_reports_what_was_counted);
	tcase_add_test(tc, loop_conflict_unreported_count_goes_with_the_next_drift);
	tcase_add_test(tc, loop_conflict_overwrite_before_read_back_is_a_revert);
	tcase_add_test(tc, loop_read_back_of_another_type_is_a_failure);
	tcase_add_test(tc, loop_burst_reports_every_value_while_another_is_fought);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
