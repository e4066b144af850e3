/* tlsward: the command line as a user runs it: exit codes, output and the
 * files it writes. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tlsr.h"

struct run {
	int status;
	char *out;
	char *err;
};

static char tmpdir[256];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc((size_t)n + 1, 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* dir/rel in one of 16 rotating buffers: a test may hold a few paths at
 * once. */
static const char *path_in(const char *dir, const char *rel)
{
	static char buf[16][1024];
	static unsigned next;
	char *p = buf[next++ % 16];

	snprintf(p, sizeof buf[0], "%s/%s", dir, rel);
	return p;
}

static const char *data_path(const char *rel)
{
	const char *dir = getenv("TLSR_DATA");

	return path_in(dir ? dir : "tests/data", rel);
}

static const char *source_path(const char *rel)
{
	const char *dir = getenv("TLSR_SOURCE_ROOT");

	return path_in(dir ? dir : ".", rel);
}

static const char *tmp_path(const char *name)
{
	return path_in(tmpdir, name);
}

/* Runs tlsward with a NULL-terminated argument list; captures everything. */
static struct run tlsward(const char *first, ...)
{
	const char *exe = getenv("TLSWARD");
	const char *argv[32];
	struct run r = {0};
	char out[512], err[512];
	va_list ap;
	int n = 0;
	pid_t pid;

	ck_assert_msg(exe != NULL, "TLSWARD is not set");
	argv[n++] = exe;
	va_start(ap, first);
	for (const char *a = first; a != NULL && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(out, sizeof out, "%s/stdout", tmpdir);
	snprintf(err, sizeof err, "%s/stderr", tmpdir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fo, 1);
		dup2(fe, 2);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &r.status, 0), pid);
	ck_assert_msg(WIFEXITED(r.status), "tlsward died (signal)");
	r.status = WEXITSTATUS(r.status);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

/* 1 when text begins with prefix: what a user reads first. */
static int starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define SEED source_path("policy/examples/seed.yaml")
#define MACHINE(name) data_path("machines/" name ".reg")

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tlsward-cli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(cli_version_and_help)
{
	static const char *const cmds[] = {"check", "plan", "apply", "status",
					   "rollback", "policy"};
	struct run r = tlsward("--version", NULL);

	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "tlsward " TLSR_PROJECT_VERSION "\n");
	run_free(&r);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		r = tlsward(cmds[i], "--help", NULL);
		ck_assert_msg(r.status == 0, "%s --help exits %d", cmds[i],
			      r.status);
		ck_assert_msg(strstr(r.out, "usage: tlsward") != NULL,
			      "%s --help prints no usage", cmds[i]);
		run_free(&r);
	}
}
END_TEST

START_TEST(cli_version_refuses_extra_arguments)
{
	struct run r = tlsward("--version", "check", NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(
	    strstr(r.err, "unexpected argument 'check' after --version"));
	run_free(&r);
	r = tlsward("version", "--format", "json", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_str_eq(r.out, "");
	run_free(&r);
}
END_TEST

/* The service commands run only on Windows, but their help is everywhere. */
START_TEST(cli_service_and_run_help_on_every_os)
{
	static const char *const cases[][3] = {
		{"service", "--help", "usage: tlsward service install"},
		{"service", "install", "usage: tlsward service install"},
		{"run", "--help", "usage: tlsward run --console"},
		{"run", "-h", "usage: tlsward run --console"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* "service install --help" asks for help, too. */
		struct run r = strcmp(cases[i][1], "install") == 0
				       ? tlsward(cases[i][0], cases[i][1],
						 "--help", NULL)
				       : tlsward(cases[i][0], cases[i][1], NULL);

		ck_assert_msg(r.status == 0, "%s %s exits %d: %s",
			      cases[i][0], cases[i][1], r.status, r.err);
		ck_assert_msg(starts_with(r.out, cases[i][2]),
			      "%s %s --help: %s", cases[i][0], cases[i][1],
			      r.out);
		ck_assert_ptr_nonnull(strstr(r.out, "only on Windows"));
		ck_assert_str_eq(r.err, "");
		run_free(&r);
	}
}
END_TEST

START_TEST(cli_usage_errors_name_the_command_once)
{
	struct run r = tlsward("rollback", "--registry", MACHINE("win10-22h2"),
			       NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(starts_with(r.err, "tlsward rollback: --registry and "
					 "--out go together\n"),
		      "stderr: %s", r.err);
	run_free(&r);
	r = tlsward("apply", "--policy", SEED, "--out", tmp_path("x.reg"),
		    NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(starts_with(r.err, "tlsward apply: --out goes with "
					 "--registry\n"),
		      "stderr: %s", r.err);
	run_free(&r);
	r = tlsward("plan", "--registry", MACHINE("win10-22h2"), NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(starts_with(r.err, "tlsward plan: needs --policy FILE"),
		      "stderr: %s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(cli_usage_errors_exit_2)
{
	struct run r = tlsward("frobnicate", NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
	run_free(&r);
	r = tlsward("check", "--registry", MACHINE("win10-22h2"), NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "needs --policy FILE"));
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry",
		    MACHINE("win10-22h2"), "--format", "xml", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown format 'xml'"));
	run_free(&r);
	r = tlsward("apply", "--policy", SEED, "--registry",
		    MACHINE("win10-22h2"), NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "needs --out"));
	run_free(&r);
	r = tlsward("apply", "--policy", SEED, "--registry",
		    MACHINE("win10-22h2-drift"), "--out",
		    MACHINE("win10-22h2-drift"), NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "is the input file"));
	run_free(&r);
	{
		/* Nor the policy: a slip of the fingers must not overwrite it. */
		const char *policy = tmp_path("policy.yaml");
		char cmd[1200];
		char *before, *after;

		snprintf(cmd, sizeof cmd, "cp '%s' '%s'", SEED, policy);
		ck_assert_int_eq(system(cmd), 0);
		before = slurp(policy);
		r = tlsward("apply", "--policy", policy, "--registry",
			    MACHINE("win10-22h2-drift"), "--out", policy, NULL);
		ck_assert_int_eq(r.status, 2);
		ck_assert_ptr_nonnull(strstr(r.err, "is the policy file"));
		after = slurp(policy);
		ck_assert_str_eq(after, before);
		free(before);
		free(after);
		run_free(&r);
	}
}
END_TEST

START_TEST(cli_live_registry_needs_windows)
{
	struct run r = tlsward("check", "--policy", SEED, NULL);

	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--registry FILE"));
	run_free(&r);
	r = tlsward("service", "install", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "only on Windows"));
	run_free(&r);
}
END_TEST

START_TEST(cli_check_exit_codes_follow_state)
{
	static const struct {
		const char *machine;
		int exit;
	} cases[] = {
		{"win10-22h2", 0},        {"win11", 0},
		{"win10-22h2-drift", 1},  {"win11-drift", 1},
		{"win7-sp1-unpatched", 3}, {"win7-sp1-patched", 1},
		{"server2012r2", 0},      {"server2012r2-drift", 1},
		{"win7-sp1-patched-drift", 1}, {"win7-sp1-unpatched-drift", 3},
		{"win7-sp1-tls10-off", 5}, {"vista-sp2", 3},
		{"win10-22h2-stricter", 1},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[128];
		const char *path;
		struct run r;

		snprintf(name, sizeof name, "machines/%s.reg", cases[i].machine);
		path = data_path(name);
		r = tlsward("check", "--policy", SEED, "--registry", path,
			    NULL);
		ck_assert_msg(r.status == cases[i].exit,
			      "check %s exits %d, want %d\n%s%s",
			      cases[i].machine, r.status, cases[i].exit, r.out,
			      r.err);
		run_free(&r);
	}
}
END_TEST

/* Fails unless every "no" and "not needed" in text is followed by its
 * reason in parentheses. */
static void assert_every_no_says_why(const char *text, const char *what)
{
	static const char *const words[] = {" no", " not needed"};

	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t len = strlen(words[w]);

		for (const char *p = strstr(text, words[w]); p != NULL;
		     p = strstr(p + 1, words[w])) {
			char next = p[len];

			/* A verdict ends there ("no," "no\n"); "no" before
			 * a word ("no installed package") is not one. */
			if (next != '\n' && next != ',' && next != ';' &&
			    next != ' ' && next != '\0')
				continue;
			if (next == ' ' && p[len + 1] != '(')
				continue;
			ck_assert_msg(strncmp(p + len, " (", 2) == 0,
				      "%s: '%s' without its reason in:\n%s",
				      what, words[w], text);
		}
	}
}

START_TEST(cli_every_no_says_why)
{
	static const char *const machines[] = {
		"win7-sp1-unpatched", "win7-sp1-patched", "win10-22h2",
		"win10-22h2-drift",   "server2012r2",     "win11-drift",
	};
	const char *out;
	struct run r;

	for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++) {
		char name[128];

		snprintf(name, sizeof name, "machines/%s.reg", machines[i]);
		r = tlsward("check", "--policy", SEED, "--registry",
			    data_path(name), NULL);
		assert_every_no_says_why(r.out, machines[i]);
		run_free(&r);
	}
	r = tlsward("check", "--policy", SEED, "--registry",
		    MACHINE("win7-sp1-unpatched"), NULL);
	ck_assert_ptr_nonnull(
	    strstr(r.out, "WinHTTP no (blocked by a missing prerequisite)"));
	ck_assert_ptr_nonnull(strstr(r.out, "ready for servers to require "
					    "TLS 1.2: no (TLS 1.2 does not "
					    "hold yet in WinHTTP"));
	run_free(&r);
	/* Written, but not in effect before the restart. */
	out = tmp_path("applied.reg");
	r = tlsward("apply", "--policy", SEED, "--registry",
		    MACHINE("win7-sp1-patched"), "--out", out, NULL);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry", out, NULL);
	assert_every_no_says_why(r.out, "win7-sp1-patched after apply");
	ck_assert_ptr_nonnull(strstr(r.out,
				     "ready for servers to require TLS 1.2: no "
				     "(the restart these changes need has not "
				     "happened yet)"));
	run_free(&r);
}
END_TEST

/* The two lines about the machine say one thing each: a KB that is not
 * needed is not also "unknown", .NET that is not installed does not hold
 * TLS 1.2, and every "no" in any fixture's report has its reason. */
START_TEST(cli_facts_line_never_contradicts_itself)
{
	DIR *d = opendir(data_path("machines"));
	struct dirent *e;
	int seen = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char name[300];
		const char *kb, *tls;
		struct run r;

		if (len < 5 || strcmp(e->d_name + len - 4, ".reg") != 0)
			continue;
		snprintf(name, sizeof name, "machines/%s", e->d_name);
		r = tlsward("check", "--policy", SEED, "--registry",
			    data_path(name), NULL);
		assert_every_no_says_why(r.out, e->d_name);
		kb = strstr(r.out, ": not needed (");
		if (kb != NULL) {
			const char *end = strchr(kb, '\n');

			ck_assert_msg(strncmp(kb + 14, "not needed", 10) != 0 &&
					      (strstr(kb, "unknown") == NULL ||
					       strstr(kb, "unknown") > end),
				      "%s: %.*s", e->d_name,
				      (int)(end - kb), kb);
		}
		/* Vista's WinHTTP has no TLS 1.2 and no update gives it. */
		if (strncmp(e->d_name, "vista", 5) == 0)
			ck_assert_msg(strstr(r.out, "KB3140245: does not apply (") !=
					      NULL,
				      "%s:\n%s", e->d_name, r.out);
		tls = strstr(r.out, "\nTLS 1.2: ");
		ck_assert_msg(tls != NULL, "%s: no TLS 1.2 line", e->d_name);
		if (strstr(r.out, ".NET: none") != NULL)
			ck_assert_msg(strncmp(strstr(tls, ".NET "), ".NET yes",
					      8) != 0,
				      "%s: .NET none, but .NET yes:\n%s",
				      e->d_name, r.out);
		run_free(&r);
		seen++;
	}
	closedir(d);
	ck_assert_int_ge(seen, 10);
}
END_TEST

START_TEST(cli_check_json_names_every_setting)
{
	struct run r = tlsward("check", "--policy", SEED, "--registry",
			       MACHINE("win7-sp1-unpatched"), "--format",
			       "json", NULL);

	ck_assert_int_eq(r.status, 3);
	ck_assert_ptr_nonnull(strstr(r.out, "\"compliant\": false"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"restart_required\": true"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"facts\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"kb3140245\": false"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"id\": \"winhttp.default_secure_protocols@32\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"view\": \"32\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"state\": \"blocked\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"state\": \"missing\""));
	ck_assert_ptr_null(strstr(r.out, "Wow6432Node"));
	run_free(&r);
}
END_TEST

START_TEST(cli_facts_on_command_line_override_registry)
{
	/* The unpatched Windows 7 export, declared patched (KB3140245, .NET
	 * 4.8, no .NET 3.5): no longer blocked. */
	struct run r = tlsward("check", "--policy", SEED, "--registry",
			       MACHINE("win7-sp1-unpatched"), "--kb3140245",
			       "yes", "--net4-release", "528040", "--net35",
			       "no", NULL);

	ck_assert_int_eq(r.status, 1);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry",
		    MACHINE("win7-sp1-unpatched"), "--os", "6.3.9600",
		    "--net4-release", "528040", "--net35", "no", NULL);
	ck_assert_int_eq(r.status, 1);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry",
		    MACHINE("win10-22h2"), "--os", "six", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "--os takes"));
	run_free(&r);
}
END_TEST

START_TEST(cli_plan_orders_schannel_winhttp_dotnet)
{
	struct run r = tlsward("plan", "--policy", SEED, "--registry",
			       MACHINE("win7-sp1-unpatched"), "--format",
			       "json", NULL);
	const char *w, *s, *d;

	ck_assert_int_eq(r.status, 3);
	w = strstr(r.out, "\"phase\": \"winhttp\"");
	s = strstr(r.out, "\"phase\": \"schannel\"");
	d = strstr(r.out, "\"phase\": \"dotnet\"");
	ck_assert_msg(w && s && d, "plan lacks a phase:\n%s", r.out);
	/* SChannel's TLS 1.2 first: WinHTTP's needs it on Windows 7. */
	ck_assert_msg(s < w && w < d, "plan out of order:\n%s", r.out);
	run_free(&r);
}
END_TEST

START_TEST(cli_apply_writes_out_and_converges)
{
	const char *out = tmp_path("after.reg");
	const char *again = tmp_path("again.reg");
	const char *in = MACHINE("win10-22h2-drift");
	char *before = slurp(in);
	struct run r = tlsward("apply", "--policy", SEED, "--registry", in,
			       "--out", out, NULL);
	char *after_in;

	ck_assert_msg(r.status == 0, "apply exits %d\n%s%s", r.status, r.out,
		      r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "wrote"));
	run_free(&r);
	/* The input is never changed. */
	after_in = slurp(in);
	ck_assert_int_eq(memcmp(before, after_in, strlen(before)), 0);
	free(before);
	free(after_in);
	/* regedit's own encoding: UTF-16LE with a BOM. */
	{
		char *bytes = slurp(out);

		ck_assert_int_eq((unsigned char)bytes[0], 0xff);
		ck_assert_int_eq((unsigned char)bytes[1], 0xfe);
		free(bytes);
	}
	r = tlsward("check", "--policy", SEED, "--registry", out, NULL);
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
	/* Idempotent: a second apply has nothing to do. */
	r = tlsward("apply", "--policy", SEED, "--registry", out, "--out",
		    again, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(starts_with(r.out, "Nothing to apply: "), "stdout: %s",
		      r.out);
	ck_assert_ptr_null(strstr(r.out, "Applying"));
	ck_assert_ptr_null(strstr(r.out, "After apply"));
	ck_assert_ptr_nonnull(strstr(r.out, "compliant: "));
	ck_assert_int_eq(access(again, F_OK), 0);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry", again, NULL);
	ck_assert_int_eq(r.status, 0);
	run_free(&r);
}
END_TEST

START_TEST(cli_apply_blocked_prestages_and_exits_3)
{
	const char *out = tmp_path("win7.reg");
	struct run r = tlsward("apply", "--policy", SEED, "--registry",
			       MACHINE("win7-sp1-unpatched"), "--out", out,
			       NULL);

	ck_assert_int_eq(r.status, 3);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry", out, "--format",
		    "json", NULL);
	ck_assert_int_eq(r.status, 3);
	/* Pre-staged: the value is in place, but never counted compliant. */
	ck_assert_ptr_nonnull(strstr(r.out, "\"actual\": 2720"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"state\": \"blocked\""));
	ck_assert_ptr_null(strstr(r.out, "\"state\": \"missing\""));
	run_free(&r);
}
END_TEST

START_TEST(cli_dry_run_and_audit_write_nothing)
{
	const char *out = tmp_path("dry.reg");
	struct run r = tlsward("apply", "--policy", SEED, "--registry",
			       MACHINE("win10-22h2-drift"), "--out", out,
			       "--dry-run", NULL);

	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "nothing written"));
	ck_assert_int_ne(access(out, F_OK), 0);
	run_free(&r);
	r = tlsward("apply", "--policy",
		    source_path("policy/examples/audit.yaml"), "--registry",
		    MACHINE("win10-22h2-drift"), "--out", out, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "audit"));
	ck_assert_int_ne(access(out, F_OK), 0);
	run_free(&r);
}
END_TEST

START_TEST(cli_rollback_restores_the_original_values)
{
	const char *out = tmp_path("applied.reg");
	const char *back = tmp_path("back.reg");
	struct run orig, r;
	char *settings_orig, *settings_back;

	orig = tlsward("check", "--policy", SEED, "--registry",
		       MACHINE("win7-sp1-patched"), "--format", "json", NULL);
	r = tlsward("apply", "--policy", SEED, "--registry",
		    MACHINE("win7-sp1-patched"), "--out", out, NULL);
	ck_assert_msg(r.status == 0 || r.status == 1, "apply exits %d\n%s",
		      r.status, r.err);
	run_free(&r);
	r = tlsward("rollback", "--registry", out, "--out", back, NULL);
	ck_assert_msg(r.status == 0, "rollback exits %d\n%s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "Restored"));
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry", back, "--format",
		    "json", NULL);
	settings_orig = strstr(orig.out, "\"settings\"");
	settings_back = strstr(r.out, "\"settings\"");
	ck_assert_ptr_nonnull(settings_orig);
	ck_assert_ptr_nonnull(settings_back);
	ck_assert_str_eq(settings_back, settings_orig);
	run_free(&r);
	run_free(&orig);
}
END_TEST

START_TEST(cli_bad_inputs_report_file_line_col)
{
	const char *bad_policy = tmp_path("bad.yaml");
	const char *bad_reg = tmp_path("bad.reg");
	FILE *f = fopen(bad_policy, "w");
	struct run r;
	char want[600];

	fputs("version: 1\nwinhttp:\n  default_secure_protocols: 0xAA0\n"
	      "  colour: blue\n",
	      f);
	fclose(f);
	r = tlsward("policy", "validate", bad_policy, NULL);
	ck_assert_int_eq(r.status, 2);
	snprintf(want, sizeof want, "%s:4:3: ", bad_policy);
	ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0,
		      "stderr: %s", r.err);
	run_free(&r);
	r = tlsward("policy", "validate", SEED, NULL);
	ck_assert_int_eq(r.status, 0);
	run_free(&r);

	f = fopen(bad_reg, "w");
	fputs("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\r\n"
	      "\"a\"=dword:0000001g\r\n",
	      f);
	fclose(f);
	r = tlsward("check", "--policy", SEED, "--registry", bad_reg, NULL);
	ck_assert_int_eq(r.status, 2);
	snprintf(want, sizeof want, "%s:4:", bad_reg);
	ck_assert_msg(strstr(r.err, want) != NULL, "stderr: %s", r.err);
	run_free(&r);
	r = tlsward("check", "--policy", SEED, "--registry",
		    tmp_path("absent.reg"), NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "absent.reg"));
	run_free(&r);
}
END_TEST

START_TEST(cli_status_reads_what_apply_recorded)
{
	const char *out = tmp_path("pending.reg");
	struct run r = tlsward("apply", "--policy", SEED, "--registry",
			       MACHINE("win7-sp1-patched"), "--out", out,
			       NULL);

	run_free(&r);
	/* apply owes the restart in the ledger (Status is the service's):
	 * a check of the result still waits for it. */
	r = tlsward("check", "--policy", SEED, "--registry", out, "--format",
		    "json", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"restart_pending\": true"));
	run_free(&r);
	r = tlsward("status", "--registry", MACHINE("win10-22h2"), NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "has not checked"));
	run_free(&r);
}
END_TEST

/* What the service recorded, as tlsward status shows it: a client not
 * ready for servers that require TLS 1.2 is told why. */
START_TEST(cli_status_says_why_not_ready)
{
	static const struct {
		const char *values, *why;
	} cases[] = {
		{"\"RestartPending\"=dword:00000001\r\n"
		 "\"Tls12WinHttp\"=dword:00000000\r\n",
		 "no (the restart these changes need has not happened yet)"},
		{"\"Blocked\"=dword:00000001\r\n"
		 "\"BlockedReasons\"=\"KB3140245 is not installed\"\r\n",
		 "no (blocked: KB3140245 is not installed)"},
		{"\"Tls12Schannel\"=dword:00000000\r\n",
		 "no (TLS 1.2 does not hold yet in SChannel)"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = tmp_path("status.reg");
		FILE *f = fopen(path, "w");
		struct run r;

		ck_assert_ptr_nonnull(f);
		fprintf(f,
			"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\"
			"tlsward\\Status]\r\n\"Compliant\"=dword:00000000\r\n"
			"\"ReadyForServerTls12\"=dword:00000000\r\n%s",
			cases[i].values);
		fclose(f);
		r = tlsward("status", "--registry", path, NULL);
		ck_assert_int_eq(r.status, 0);
		ck_assert_msg(strstr(r.out, cases[i].why) != NULL,
			      "want '%s' in:\n%s", cases[i].why, r.out);
		run_free(&r);
	}
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cli_version_and_help);
	tcase_add_test(tc, cli_version_refuses_extra_arguments);
	tcase_add_test(tc, cli_service_and_run_help_on_every_os);
	tcase_add_test(tc, cli_usage_errors_name_the_command_once);
	tcase_add_test(tc, cli_usage_errors_exit_2);
	tcase_add_test(tc, cli_live_registry_needs_windows);
	tcase_add_test(tc, cli_check_exit_codes_follow_state);
	tcase_add_test(tc, cli_every_no_says_why);
	tcase_add_test(tc, cli_facts_line_never_contradicts_itself);
	tcase_add_test(tc, cli_check_json_names_every_setting);
	tcase_add_test(tc, cli_facts_on_command_line_override_registry);
	tcase_add_test(tc, cli_plan_orders_schannel_winhttp_dotnet);
	tcase_add_test(tc, cli_apply_writes_out_and_converges);
	tcase_add_test(tc, cli_apply_blocked_prestages_and_exits_3);
	tcase_add_test(tc, cli_dry_run_and_audit_write_nothing);
	tcase_add_test(tc, cli_rollback_restores_the_original_values);
	tcase_add_test(tc, cli_bad_inputs_report_file_line_col);
	tcase_add_test(tc, cli_status_reads_what_apply_recorded);
	tcase_add_test(tc, cli_status_says_why_not_ready);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
