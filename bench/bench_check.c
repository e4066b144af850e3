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
 * in the registry, under Wine in wineserver). The line ends with the calls
 * of each by kind (the operations tlsward made; on the live registry also
 * the Reg* API calls, each a round trip to wineserver under Wine) and, on
 * the live registry, the cost of one bare RegQueryValueExW of a DWORD and of
 * one RegOpenKeyExW with its RegCloseKey, timed in the same batches. */
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
/* Bare calls per iteration of a live batch. */
#define BARE 10

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

/* Bare Reg* calls, the least a round trip costs: n * BARE reads of the
 * 64-bit WinHTTP DefaultSecureProtocols through one open key, and n opens
 * and closes of that key; their times per call and per pair. Returns 0, or
 * -1 when the key cannot be opened. */
static int bare_calls(unsigned long n, double *query_us, double *open_us)
{
#if defined(_WIN32)
	static const WCHAR path[] =
	    L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet "
	    L"Settings\\WinHttp";
	HKEY hkey;
	DWORD d, type, size;
	double t0, t1, t2;

	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0,
			  KEY_READ | KEY_WOW64_64KEY, &hkey) != ERROR_SUCCESS) {
		fprintf(stderr, "bench_check: cannot open the WinHttp key\n");
		return -1;
	}
	t0 = now_us();
	for (unsigned long i = 0; i < n * BARE; i++) {
		size = sizeof d;
		RegQueryValueExW(hkey, L"DefaultSecureProtocols", NULL, &type,
				 (BYTE *)&d, &size);
	}
	t1 = now_us();
	RegCloseKey(hkey);
	for (unsigned long i = 0; i < n; i++) {
		if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0,
				  KEY_READ | KEY_WOW64_64KEY,
				  &hkey) == ERROR_SUCCESS)
			RegCloseKey(hkey);
	}
	t2 = now_us();
	*query_us = (t1 - t0) / (double)(n * BARE);
	*open_us = (t2 - t1) / (double)n;
	return 0;
#else
	(void)n;
	*query_us = *open_us = 0;
	return 0;
#endif
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

/* Appends "KIND a/b/c" for the full check, the check alone and the
 * baseline. */
static void print_counts(const char *what, const struct tlsr_reg_counts c[3])
{
	printf("; %s (full check / check alone / baseline): open %lu/%lu/%lu, "
	       "query %lu/%lu/%lu, enum %lu/%lu/%lu, close %lu/%lu/%lu, "
	       "other %lu/%lu/%lu",
	       what, c[0].open, c[1].open, c[2].open, c[0].query, c[1].query,
	       c[2].query, c[0].enumerate, c[1].enumerate, c[2].enumerate,
	       c[0].close, c[1].close, c[2].close, c[0].other, c[1].other,
	       c[2].other);
}

/* b - a, kind by kind. */
static struct tlsr_reg_counts counts_sub(struct tlsr_reg_counts b,
					 struct tlsr_reg_counts a)
{
	b.open -= a.open;
	b.query -= a.query;
	b.enumerate -= a.enumerate;
	b.close -= a.close;
	b.other -= a.other;
	return b;
}

/* The counts of the fault wrapper and, live, of the Win32 backend. */
static void counts_now(struct tlsr_registry *reg, struct tlsr_registry *w32,
		       struct tlsr_reg_counts *ops, struct tlsr_reg_counts *api)
{
	tlsr_fault_counts(reg, ops);
	memset(api, 0, sizeof *api);
#if defined(_WIN32)
	if (w32 != NULL)
		tlsr_registry_win32_counts(w32, api);
#else
	(void)w32;
#endif
}

int main(int argc, char **argv)
{
	double check_us[BATCHES], base_us[BATCHES], only_us[BATCHES];
	struct tlsr_facts facts;
	struct tlsr_registry *reg = NULL, *w32 = NULL;
	struct tlsr_reg_counts ops[4], api[4], ops_d[3], api_d[3];
	double bare_q[BATCHES], bare_oc[BATCHES];
	int live = 0;
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
		reg = w32 = tlsr_registry_win32_new();
		backend = "live Win32 registry";
		live = 1;
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
	counts_now(reg, w32, &ops[0], &api[0]);
	if (one_check(reg, &policy)) {
		fprintf(stderr, "bench_check: the check failed\n");
		goto out;
	}
	calls1 = tlsr_fault_calls(reg);
	counts_now(reg, w32, &ops[1], &api[1]);
	present = read_all(reg);
	calls2 = tlsr_fault_calls(reg);
	counts_now(reg, w32, &ops[2], &api[2]);
	if (tlsr_facts_read(reg, &facts) != TLSR_OK)
		goto out;
	counts_now(reg, w32, &ops[2], &api[2]);
	if (check_only(reg, &policy, &facts))
		goto out;
	counts_now(reg, w32, &ops[3], &api[3]);
	ops_d[0] = counts_sub(ops[1], ops[0]);
	ops_d[1] = counts_sub(ops[3], ops[2]);
	api_d[0] = counts_sub(api[1], api[0]);
	api_d[1] = counts_sub(api[3], api[2]);
	counts_now(reg, w32, &ops[0], &api[0]);
	read_all(reg);
	counts_now(reg, w32, &ops[1], &api[1]);
	ops_d[2] = counts_sub(ops[1], ops[0]);
	api_d[2] = counts_sub(api[1], api[0]);
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
		bare_q[b] = bare_oc[b] = 0;
		if (live && bare_calls(n, &bare_q[b], &bare_oc[b]))
			goto out;
	}
	qsort(check_us, BATCHES, sizeof check_us[0], cmp_double);
	qsort(base_us, BATCHES, sizeof base_us[0], cmp_double);
	qsort(only_us, BATCHES, sizeof only_us[0], cmp_double);
	qsort(bare_q, BATCHES, sizeof bare_q[0], cmp_double);
	qsort(bare_oc, BATCHES, sizeof bare_oc[0], cmp_double);
	printf("check cost on the %s: full check %.2f us; baseline (read the "
	       "%zu managed values present, of %zu rows) %.2f us; ratio %.1f "
	       "(median of %d batches of %lu); registry calls %lu against "
	       "%lu; the check alone, on facts read before: %.2f us",
	       backend, check_us[BATCHES / 2], present, tlsr_settings_count,
	       base_us[BATCHES / 2],
	       base_us[BATCHES / 2] > 0 ? check_us[BATCHES / 2] /
					      base_us[BATCHES / 2]
					: 0.0,
	       BATCHES, n, calls1 - calls0, calls2 - calls1,
	       only_us[BATCHES / 2]);
	print_counts("tlsward's calls by kind", ops_d);
	if (live) {
		print_counts("Reg* API calls", api_d);
		printf("; bare RegQueryValueExW of a DWORD %.2f us a call, "
		       "RegOpenKeyExW and RegCloseKey %.2f us a pair",
		       bare_q[BATCHES / 2], bare_oc[BATCHES / 2]);
	}
	printf("\n");
	rc = EXIT_SUCCESS;
out:
	tlsr_registry_destroy(reg);
	return rc;
}
