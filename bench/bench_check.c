/* Benchmark: the cost of one full check (facts, then every managed value
 * compared with the policy), as the service runs it on its periodic check,
 * and of the check alone, on facts read before, as on a pass after a
 * watch fired.
 *
 *   bench_check POLICY.yaml MACHINE.reg [ITERATIONS]   memory backend
 *   bench_check POLICY.yaml --live [ITERATIONS]        live registry (Win32)
 *
 * The baseline, measured in the same run and interleaved with the check in
 * batches, is the least any checker must do: read each value the settings
 * table names, in each of its views, once. Prints one line with both times
 * per call (the median batch) and their ratio: CPU time on a native build,
 * wall time on Windows (where most of a live registry call's time is spent
 * in the registry, under Wine in wineserver). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "tlsr.h"

#if defined(_WIN32)
#include <windows.h>

#include "registry_win32.h"
#endif

#define BATCHES 21

static double now_us(void)
{
#if defined(_WIN32)
	LARGE_INTEGER t, f;

	QueryPerformanceCounter(&t);
	QueryPerformanceFrequency(&f);
	return (double)t.QuadPart * 1e6 / (double)f.QuadPart;
#else
	struct timespec ts;

	/* The process's CPU time: on a machine shared with other work, wall
	 * time measures the neighbours too. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One full check; returns 0 or -1. */
static int one_check(struct tlsr_registry *reg, const struct tlsr_policy *p)
{
	struct tlsr_report *r = NULL;
	struct tlsr_facts facts;

	if (tlsr_facts_read(reg, &facts) != TLSR_OK ||
	    tlsr_check(reg, p, &facts, &r) != TLSR_OK)
		return -1;
	tlsr_report_free(r);
	return 0;
}

/* The check alone, on facts read before (a pass after a watch fired). */
static int check_only(struct tlsr_registry *reg, const struct tlsr_policy *p,
		      const struct tlsr_facts *facts)
{
	struct tlsr_report *r = NULL;

	if (tlsr_check(reg, p, facts, &r) != TLSR_OK)
		return -1;
	tlsr_report_free(r);
	return 0;
}

/* Reads every value the settings table names, in both views where the row
 * has two; returns how many were present. */
static size_t read_all(struct tlsr_registry *reg)
{
	size_t present = 0;

	for (size_t i = 0; i < tlsr_settings_count; i++) {
		const struct tlsr_setting *s = &tlsr_settings[i];
		enum tlsr_view views[2] = {TLSR_VIEW_64, TLSR_VIEW_32};
		size_t nv = s->views == TLSR_VIEWS_BOTH ? 2 : 1;

		for (size_t v = 0; v < nv; v++) {
			uint32_t d;

			present += tlsr_reg_get_dword(reg, s->key,
						      nv == 2 ? views[v]
							      : TLSR_VIEW_NONE,
						      s->name, &d) == TLSR_OK;
		}
	}
	return present;
}

int main(int argc, char **argv)
{
	double check_us[BATCHES], base_us[BATCHES], only_us[BATCHES];
	struct tlsr_facts facts;
	struct tlsr_registry *reg = NULL;
	struct tlsr_policy policy;
	struct tlsr_diag diag;
	const char *backend;
	unsigned long n = 2000, calls0, calls1, calls2;
	size_t present = 0;
	int rc = EXIT_FAILURE;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bench_check POLICY.yaml MACHINE.reg|"
				"--live [ITERATIONS]\n");
		return 2;
	}
	if (argc == 4)
		n = strtoul(argv[3], NULL, 10);
	if (n == 0)
		n = 1;
	if (tlsr_policy_load_file(argv[1], &policy, &diag) != TLSR_OK) {
		char msg[1200];

		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "bench_check: %s\n", msg);
		return 2;
	}
	if (!strcmp(argv[2], "--live")) {
#if defined(_WIN32)
		reg = tlsr_registry_win32_new();
		backend = "live Win32 registry";
#else
		fprintf(stderr, "bench_check: --live needs the Windows build\n");
		return 2;
#endif
	} else {
		if (tlsr_regfile_read(argv[2], &reg, &diag) != TLSR_OK) {
			char msg[1200];

			tlsr_diag_format(&diag, msg, sizeof msg);
			fprintf(stderr, "bench_check: %s\n", msg);
			return 2;
		}
		backend = "memory backend";
	}
	/* The fault wrapper, never armed, counts the registry calls. */
	reg = reg ? tlsr_registry_fault_new(reg) : NULL;
	if (reg == NULL)
		return 2;
	/* Warm both paths once, counting their calls. */
	calls0 = tlsr_fault_calls(reg);
	if (one_check(reg, &policy)) {
		fprintf(stderr, "bench_check: the check failed\n");
		goto out;
	}
	calls1 = tlsr_fault_calls(reg);
	present = read_all(reg);
	calls2 = tlsr_fault_calls(reg);
	if (tlsr_facts_read(reg, &facts) != TLSR_OK)
		goto out;
	/* Interleaved batches: whatever the machine does in the meantime
	 * falls on both sides alike. */
	for (int b = 0; b < BATCHES; b++) {
		double t0 = now_us();

		for (unsigned long i = 0; i < n; i++)
			if (one_check(reg, &policy))
				goto out;
		double t1 = now_us();
		for (unsigned long i = 0; i < n; i++)
			present = read_all(reg);
		double t2 = now_us();
		for (unsigned long i = 0; i < n; i++)
			if (check_only(reg, &policy, &facts))
				goto out;
		double t3 = now_us();

		check_us[b] = (t1 - t0) / (double)n;
		base_us[b] = (t2 - t1) / (double)n;
		only_us[b] = (t3 - t2) / (double)n;
	}
	qsort(check_us, BATCHES, sizeof check_us[0], cmp_double);
	qsort(base_us, BATCHES, sizeof base_us[0], cmp_double);
	qsort(only_us, BATCHES, sizeof only_us[0], cmp_double);
	printf("check cost on the %s: full check %.2f us; baseline (read the "
	       "%zu managed values present, of %zu rows) %.2f us; ratio %.1f "
	       "(median of %d batches of %lu); registry calls %lu against "
	       "%lu; the check alone, on facts read before: %.2f us\n",
	       backend, check_us[BATCHES / 2], present, tlsr_settings_count,
	       base_us[BATCHES / 2],
	       base_us[BATCHES / 2] > 0 ? check_us[BATCHES / 2] /
					      base_us[BATCHES / 2]
					: 0.0,
	       BATCHES, n, calls1 - calls0, calls2 - calls1,
	       only_us[BATCHES / 2]);
	rc = EXIT_SUCCESS;
out:
	tlsr_registry_destroy(reg);
	return rc;
}
