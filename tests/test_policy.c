/* tlsward: unit tests for the YAML policy loader (policy/). Bad policies
 * live in tests/data/policies/bad/, each with its expected diagnostic on the
 * first line: "# expect: LINE:COL: message". */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static const char *data_dir(void)
{
	const char *d = getenv("TLSR_DATA");

	ck_assert_msg(d != NULL, "TLSR_DATA is not set");
	return d;
}

static void data_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", data_dir(), rel);
}

static void example_path(char *buf, size_t size, const char *name)
{
	const char *root = getenv("TLSR_SOURCE_ROOT");

	ck_assert_msg(root != NULL, "TLSR_SOURCE_ROOT is not set");
	snprintf(buf, size, "%s/policy/examples/%s", root, name);
}

static tlsr_err load(const char *path, struct tlsr_policy *p,
		     struct tlsr_diag *d)
{
	memset(d, 0, sizeof *d);
	return tlsr_policy_load_file(path, p, d);
}

static void formatted(const struct tlsr_diag *d, char *buf, size_t size)
{
	tlsr_diag_format(d, buf, size);
}

/* Loads a policy that must be accepted. */
static void load_ok(const char *path, struct tlsr_policy *p)
{
	struct tlsr_diag d;
	char msg[1200];
	tlsr_err err;

	err = load(path, p, &d);
	formatted(&d, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "%s rejected: %s", path, msg);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The seed's values; the seed names a share in source.path, the defaults
 * leave it empty (the file given at start). */
static void assert_seed_values(const struct tlsr_policy *p, int seed_path)
{
	ck_assert_int_eq(p->version, 1);
	ck_assert_uint_eq(p->winhttp.default_secure_protocols, 0xAA0);
	ck_assert_uint_eq(p->winhttp.keep,
			  TLSR_PROTO_BIT(TLSR_PROTO_SSL3) |
				  TLSR_PROTO_BIT(TLSR_PROTO_TLS10));
	ck_assert_int_eq(p->winhttp.prestage, 1);
	ck_assert_uint_eq(p->schannel.enable, TLSR_PROTO_BIT(TLSR_PROTO_TLS12));
	ck_assert_uint_eq(p->schannel.disable, 0);
	ck_assert_uint_eq(p->schannel.sides, TLSR_SIDE_CLIENT);
	ck_assert_int_eq(p->dotnet.strong_crypto, 1);
	ck_assert_int_eq(p->dotnet.system_default_tls_versions, 1);
	ck_assert_int_eq(p->restart.mode, TLSR_RESTART_MODE_SCHEDULE);
	ck_assert_uint_eq(p->restart.window_start, 2 * 60);
	ck_assert_uint_eq(p->restart.window_end, 4 * 60);
	ck_assert_uint_eq(p->restart.grace, 15 * 60);
	ck_assert_str_eq(p->restart.message, "TLS 1.2 settings changed; this "
					     "computer restarts in 15 minutes.");
	ck_assert_uint_eq(p->check.interval, 15 * 60);
	ck_assert_uint_eq(p->check.jitter, 3 * 60);
	ck_assert_uint_eq(p->conflict.max_reverts, 5);
	ck_assert_uint_eq(p->conflict.window, 10 * 60);
	ck_assert_str_eq(p->source.path,
			 seed_path ? "\\\\cm01\\tlsward$\\policy.yaml" : "");
	ck_assert_uint_eq(p->source.poll, 10 * 60);
}

START_TEST(policy_seed_loads_with_its_values)
{
	struct tlsr_policy p;
	char path[1024];

	example_path(path, sizeof path, "seed.yaml");
	load_ok(path, &p);
	ck_assert_int_eq(p.mode, TLSR_MODE_ENFORCE);
	assert_seed_values(&p, 1);
}
END_TEST

START_TEST(policy_audit_example_only_changes_mode)
{
	struct tlsr_policy p;
	char path[1024];

	example_path(path, sizeof path, "audit.yaml");
	load_ok(path, &p);
	ck_assert_int_eq(p.mode, TLSR_MODE_AUDIT);
	assert_seed_values(&p, 1);
}
END_TEST

START_TEST(policy_strict_example_turns_legacy_off)
{
	struct tlsr_policy p;
	char path[1024];

	example_path(path, sizeof path, "strict.yaml");
	load_ok(path, &p);
	ck_assert_int_eq(p.mode, TLSR_MODE_ENFORCE);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols, 0xA00);
	ck_assert_uint_eq(p.winhttp.keep, 0);
	ck_assert_uint_eq(p.schannel.enable, TLSR_PROTO_BIT(TLSR_PROTO_TLS12));
	ck_assert_uint_eq(p.schannel.disable,
			  TLSR_PROTO_BIT(TLSR_PROTO_SSL3) |
				  TLSR_PROTO_BIT(TLSR_PROTO_TLS10) |
				  TLSR_PROTO_BIT(TLSR_PROTO_TLS11));
}
END_TEST

START_TEST(policy_minimal_example_takes_the_defaults)
{
	struct tlsr_policy p, defaults;
	char path[1024];

	example_path(path, sizeof path, "minimal.yaml");
	load_ok(path, &p);
	tlsr_policy_defaults(&defaults);
	ck_assert_int_eq(p.mode, defaults.mode);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols,
			  defaults.winhttp.default_secure_protocols);
	ck_assert_uint_eq(p.winhttp.keep, defaults.winhttp.keep);
	ck_assert_uint_eq(p.schannel.enable, defaults.schannel.enable);
	ck_assert_uint_eq(p.schannel.sides, defaults.schannel.sides);
	ck_assert_uint_eq(p.check.interval, defaults.check.interval);
	ck_assert_uint_eq(p.restart.grace, defaults.restart.grace);
	ck_assert_str_eq(p.restart.message, defaults.restart.message);
	ck_assert_str_eq(p.source.path, "");
	/* The defaults are the seed scenario. */
	assert_seed_values(&defaults, 0);
}
END_TEST

START_TEST(policy_flow_style_sets_every_key)
{
	struct tlsr_policy p;
	char path[1024];

	data_path(path, sizeof path, "policies/good/flow.yaml");
	load_ok(path, &p);
	ck_assert_int_eq(p.mode, TLSR_MODE_AUDIT);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols, 0xA00);
	ck_assert_uint_eq(p.winhttp.keep, 0);
	ck_assert_int_eq(p.winhttp.prestage, 0);
	ck_assert_uint_eq(p.schannel.enable,
			  TLSR_PROTO_BIT(TLSR_PROTO_TLS12) |
				  TLSR_PROTO_BIT(TLSR_PROTO_TLS13));
	ck_assert_uint_eq(p.schannel.disable,
			  TLSR_PROTO_BIT(TLSR_PROTO_SSL2) |
				  TLSR_PROTO_BIT(TLSR_PROTO_SSL3));
	ck_assert_uint_eq(p.schannel.sides,
			  TLSR_SIDE_CLIENT | TLSR_SIDE_SERVER);
	ck_assert_int_eq(p.dotnet.strong_crypto, 0);
	ck_assert_int_eq(p.dotnet.system_default_tls_versions, 1);
	ck_assert_int_eq(p.restart.mode, TLSR_RESTART_MODE_NOTIFY);
	ck_assert_uint_eq(p.restart.window_start, 22 * 60 + 15);
	ck_assert_uint_eq(p.restart.window_end, 23 * 60 + 45);
	ck_assert_uint_eq(p.restart.grace, 0);
	ck_assert_str_eq(p.restart.message, "Restart when you can.");
	ck_assert_uint_eq(p.check.interval, 90 * 60);
	ck_assert_uint_eq(p.check.jitter, 0);
	ck_assert_uint_eq(p.conflict.max_reverts, 1000);
	ck_assert_uint_eq(p.conflict.window, 10);
	ck_assert_str_eq(p.source.path,
			 "C:\\ProgramData\\tlsward\\policy.yaml");
	ck_assert_uint_eq(p.source.poll, 30);
}
END_TEST

START_TEST(policy_block_style_with_bom_and_crlf)
{
	struct tlsr_policy p;
	char path[1024];

	data_path(path, sizeof path, "policies/good/block.yaml");
	load_ok(path, &p);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols, 0x2AA0);
	ck_assert_uint_eq(p.winhttp.keep,
			  TLSR_PROTO_BIT(TLSR_PROTO_TLS10) |
				  TLSR_PROTO_BIT(TLSR_PROTO_TLS13));
	ck_assert_int_eq(p.winhttp.prestage, 1);
	ck_assert_uint_eq(p.schannel.sides,
			  TLSR_SIDE_CLIENT | TLSR_SIDE_SERVER);
	ck_assert_int_eq(p.restart.mode, TLSR_RESTART_MODE_NEVER);
	/* 23:30 to 01:15 spans midnight: the end is before the start. */
	ck_assert_uint_eq(p.restart.window_start, 23 * 60 + 30);
	ck_assert_uint_eq(p.restart.window_end, 60 + 15);
	ck_assert_uint_eq(p.restart.grace, 24 * 3600);
	ck_assert_str_eq(p.restart.message,
			 "Les param\xc3\xa8tres TLS 1.2 ont chang\xc3\xa9.\n"
			 "Red\xc3\xa9marrage \xc3\xa0 02:00.\n");
	ck_assert_uint_eq(p.check.interval, 24 * 3600);
	ck_assert_uint_eq(p.check.jitter, 3600 + 30);
	ck_assert_uint_eq(p.conflict.max_reverts, 1);
	ck_assert_uint_eq(p.conflict.window, 86400);
	ck_assert_str_eq(p.source.path,
			 "\\\\cm01.corp.example\\tlsward$\\prod\\policy.yaml");
	ck_assert_uint_eq(p.source.poll, 3600);
}
END_TEST

/* One key over the defaults, from a buffer. */
static tlsr_err load_text(const char *text, struct tlsr_policy *p,
			  struct tlsr_diag *d)
{
	memset(d, 0, sizeof *d);
	return tlsr_policy_load_buffer("inline", text, strlen(text), p, d);
}

static const struct {
	const char *text;
	uint32_t dsp;
} dsp_forms[] = {
	{"version: 1\nwinhttp: {default_secure_protocols: 0xAA0}\n", 0xAA0},
	{"version: 1\nwinhttp: {default_secure_protocols: 0Xaa0}\n", 0xAA0},
	{"version: 1\nwinhttp: {default_secure_protocols: 2720}\n", 0xAA0},
	{"version: 1\nwinhttp: {default_secure_protocols: "
	 "[ssl3, tls1.0, tls1.1, tls1.2]}\n",
	 0xAA0},
	{"version: 1\nwinhttp:\n  keep: []\n  default_secure_protocols: "
	 "[TLS1.2]\n",
	 0x800},
	{"version: 1\nwinhttp: {default_secure_protocols: 0x2AA0, "
	 "keep: [tls1.3]}\n",
	 0x2AA0},
};

START_TEST(policy_dsp_number_or_protocol_list)
{
	struct tlsr_policy p;
	struct tlsr_diag d;
	char msg[1200];
	tlsr_err err;

	err = load_text(dsp_forms[_i].text, &p, &d);
	formatted(&d, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "%s", msg);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols,
			  dsp_forms[_i].dsp);
}
END_TEST

static const struct {
	const char *text;
	unsigned secs;
} durations[] = {
	{"15m", 900},     {"90s", 90},      {"2h", 7200},
	{"1h30m", 5400},  {"1h0m30s", 3630}, {"600", 600},
	{"\"600\"", 600}, {"24h", 86400},   {"1m", 60},
};

START_TEST(policy_duration_forms)
{
	struct tlsr_policy p;
	struct tlsr_diag d;
	char text[128], msg[1200];
	tlsr_err err;

	snprintf(text, sizeof text,
		 "version: 1\ncheck:\n  interval: %s\n  jitter: 0\n",
		 durations[_i].text);
	err = load_text(text, &p, &d);
	formatted(&d, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "%s: %s", durations[_i].text, msg);
	ck_assert_uint_eq(p.check.interval, durations[_i].secs);
}
END_TEST

START_TEST(policy_buffer_errors_name_the_label)
{
	struct tlsr_policy p;
	struct tlsr_diag d;
	char msg[1200];

	ck_assert_int_eq(load_text("version: 1\nmode: sometimes\n", &p, &d),
			 TLSR_EPOLICY);
	formatted(&d, msg, sizeof msg);
	ck_assert_str_eq(msg, "inline:2:7: mode must be one of enforce, "
			      "audit, found \"sometimes\"");
	ck_assert_str_eq(d.file, "inline");
	ck_assert_uint_eq(d.line, 2);
	ck_assert_uint_eq(d.col, 7);
}
END_TEST

START_TEST(policy_failure_leaves_output_untouched)
{
	struct tlsr_policy p, before;
	struct tlsr_diag d;
	char path[1024];

	memset(&p, 0x5A, sizeof p);
	memcpy(&before, &p, sizeof p);
	data_path(path, sizeof path, "policies/bad/dsp-drops-kept.yaml");
	ck_assert_int_eq(load(path, &p, &d), TLSR_EPOLICY);
	ck_assert_int_eq(memcmp(&p, &before, sizeof p), 0);
	ck_assert_int_eq(load_text("version: 1\nfoo: [", &p, &d),
			 TLSR_EPOLICY);
	ck_assert_int_eq(memcmp(&p, &before, sizeof p), 0);
}
END_TEST

START_TEST(policy_missing_file_is_an_io_error)
{
	struct tlsr_policy p;
	struct tlsr_diag d;
	char path[1024], msg[1200], want[1200];

	data_path(path, sizeof path, "policies/no-such-policy.yaml");
	ck_assert_int_eq(load(path, &p, &d), TLSR_EIO);
	formatted(&d, msg, sizeof msg);
	snprintf(want, sizeof want, "%s: cannot open the policy: %s", path,
		 strerror(ENOENT));
	ck_assert_str_eq(msg, want);
}
END_TEST

START_TEST(policy_empty_file)
{
	struct tlsr_policy p;
	struct tlsr_diag d;
	char path[1024], msg[1200], want[1200];

	data_path(path, sizeof path, "policies/bad/empty.yaml");
	ck_assert_int_eq(load(path, &p, &d), TLSR_EPOLICY);
	formatted(&d, msg, sizeof msg);
	snprintf(want, sizeof want,
		 "%s:1:1: empty policy: it needs at least \"version: 1\"",
		 path);
	ck_assert_str_eq(msg, want);
}
END_TEST

/* A file of exactly the limit loads; one byte more is too big. */
START_TEST(policy_size_limit)
{
	const char *name = "test_policy-size.yaml";
	const char *tail = "version: 1\n";
	size_t len = TLSR_POLICY_MAX_BYTES, i;
	struct tlsr_policy p;
	struct tlsr_diag d;
	char *text, msg[1200], want[1200];

	text = malloc(len + 2);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < len; i += 64) {
		memset(text + i, ' ', 64);
		text[i] = '#';
		text[i + 63] = '\n';
	}
	/* The last 64-byte line becomes "version: 1" and a comment. */
	memcpy(text + len - 64, tail, strlen(tail));
	text[len - 64 + strlen(tail)] = '#';
	write_file(name, text, len);
	load_ok(name, &p);
	ck_assert_int_eq(p.version, 1);

	text[len - 1] = ' ';
	text[len] = '\n';
	write_file(name, text, len + 1);
	ck_assert_int_eq(load(name, &p, &d), TLSR_ETOOBIG);
	formatted(&d, msg, sizeof msg);
	snprintf(want, sizeof want, "%s:1:1: policy is larger than %u bytes",
		 name, TLSR_POLICY_MAX_BYTES);
	ck_assert_str_eq(msg, want);
	ck_assert_int_eq(tlsr_policy_load_buffer("big", text, len + 1, &p, &d),
			 TLSR_ETOOBIG);
	remove(name);
	free(text);
}
END_TEST

/* Fixtures that must exist, one per kind of rejection, so deleting one
 * fails the suite rather than shrinking it. */
static const char *const required_bad[] = {
	"unknown-key-root.yaml", "unknown-key-nested.yaml", "alias.yaml",
	"anchor.yaml", "tag.yaml", "tag-directive.yaml", "duplicate-key.yaml",
	"duplicate-section.yaml", "multiple-documents.yaml",
	"comments-only.yaml", "root-sequence.yaml", "root-scalar.yaml",
	"bool-yes.yaml", "section-scalar.yaml", "list-scalar.yaml",
	"version-missing.yaml", "version-2.yaml", "mode-unknown.yaml",
	"dsp-unknown-bits.yaml", "dsp-list-unknown.yaml",
	"dsp-list-duplicate.yaml", "enable-duplicate.yaml",
	"sides-unknown.yaml", "window-format.yaml", "window-empty.yaml",
	"grace-too-long.yaml", "interval-too-short.yaml",
	"jitter-over-interval.yaml", "conflict-window-short.yaml",
	"max-reverts-zero.yaml", "max-reverts-big.yaml", "poll-short.yaml",
	"message-long.yaml", "disable-tls12.yaml", "dsp-no-tls12.yaml",
	"enable-ssl2.yaml", "dsp-ssl2-bit.yaml", "keep-ssl2.yaml",
	"dsp-drops-kept.yaml", "disable-kept.yaml", "enable-and-disable.yaml",
	"truncated.yaml", "garbage.bin.yaml", "billion-laughs.yaml",
	"deep-lists.yaml", "deep-maps.yaml", "tabs.yaml", "latin1.yaml",
	"utf16.yaml",
};

START_TEST(policy_required_bad_fixtures_exist)
{
	char path[1024];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof required_bad / sizeof required_bad[0]; i++) {
		snprintf(path, sizeof path, "%s/policies/bad/%s", data_dir(),
			 required_bad[i]);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "missing fixture %s", path);
		fclose(f);
	}
}
END_TEST

/* Reads "# expect: ..." from the first line; 0 when absent. */
static int read_expectation(const char *path, char *buf, size_t size)
{
	static const char prefix[] = "# expect: ";
	char line[1024];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof line, f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	if (strncmp(line, prefix, sizeof prefix - 1) != 0)
		return 0;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	snprintf(buf, size, "%s", line + sizeof prefix - 1);
	return 1;
}

START_TEST(policy_bad_fixtures_fail_with_expected_error)
{
	char dir[1024], path[1300], want[2400], exp[1024], msg[1200];
	char failures[8192] = "";
	size_t nfail = 0, checked = 0, used = 0;
	struct tlsr_policy p;
	struct tlsr_diag d;
	struct dirent *de;
	tlsr_err err;
	DIR *dh;

	data_path(dir, sizeof dir, "policies/bad");
	dh = opendir(dir);
	ck_assert_msg(dh != NULL, "cannot open %s", dir);
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "empty.yaml"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (!read_expectation(path, exp, sizeof exp)) {
			nfail++;
			if (used < sizeof failures)
				used += (size_t)snprintf(
					failures + used, sizeof failures - used,
					"\n%s: no expect line", de->d_name);
			continue;
		}
		checked++;
		snprintf(want, sizeof want, "%s:%s", path, exp);
		err = load(path, &p, &d);
		formatted(&d, msg, sizeof msg);
		if (err != TLSR_EPOLICY || strcmp(msg, want) != 0) {
			nfail++;
			if (used < sizeof failures)
				used += (size_t)snprintf(
					failures + used, sizeof failures - used,
					"\n%s: got [%s] %s\n   want %s",
					de->d_name, tlsr_strerror(err), msg,
					want);
		}
	}
	closedir(dh);
	ck_assert_msg(nfail == 0, "%lu of %lu fixtures wrong:%s",
		      (unsigned long)nfail, (unsigned long)checked, failures);
	ck_assert_uint_ge(checked,
			  sizeof required_bad / sizeof required_bad[0]);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, policy_seed_loads_with_its_values);
	tcase_add_test(tc, policy_audit_example_only_changes_mode);
	tcase_add_test(tc, policy_strict_example_turns_legacy_off);
	tcase_add_test(tc, policy_minimal_example_takes_the_defaults);
	tcase_add_test(tc, policy_flow_style_sets_every_key);
	tcase_add_test(tc, policy_block_style_with_bom_and_crlf);
	tcase_add_loop_test(tc, policy_dsp_number_or_protocol_list, 0,
			    (int)(sizeof dsp_forms / sizeof dsp_forms[0]));
	tcase_add_loop_test(tc, policy_duration_forms, 0,
			    (int)(sizeof durations / sizeof durations[0]));
	tcase_add_test(tc, policy_buffer_errors_name_the_label);
	tcase_add_test(tc, policy_failure_leaves_output_untouched);
	tcase_add_test(tc, policy_missing_file_is_an_io_error);
	tcase_add_test(tc, policy_empty_file);
	tcase_add_test(tc, policy_size_limit);
	tcase_add_test(tc, policy_required_bad_fixtures_exist);
	tcase_add_test(tc, policy_bad_fixtures_fail_with_expected_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
