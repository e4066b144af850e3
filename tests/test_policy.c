/* tlsward: unit tests for the YAML policy loader (policy/). Bad policies
 * live in tests/data/policies/bad/, each with its expected diagnostic on the
 * first line: "# expect: LINE:COL: message". */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "machine.h"
#include "names.h"
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

START_TEST(policy_proof_section_lists_endpoints)
{
	static const char text[] =
	    "version: 1\n"
	    "proof:\n"
	    "  endpoints:\n"
	    "    - https://cm01.corp.example/SMS_MP/.sms_aut?mplist\n"
	    "    - https://[fd00::10]:8443/\n"
	    "  interval: 2h\n"
	    "  require_for_legacy_off: false\n";
	struct tlsr_policy p, defaults;
	struct tlsr_diag diag;

	ck_assert_int_eq(tlsr_policy_load_buffer("proof.yaml", text,
						 sizeof text - 1, &p, &diag),
			 TLSR_OK);
	ck_assert_uint_eq(p.proof.n_endpoints, 2);
	ck_assert_str_eq(p.proof.endpoints[0],
			 "https://cm01.corp.example/SMS_MP/.sms_aut?mplist");
	ck_assert_str_eq(p.proof.endpoints[1], "https://[fd00::10]:8443/");
	ck_assert_uint_eq(p.proof.interval, 2 * 3600);
	ck_assert_int_eq(p.proof.require_for_legacy_off, 0);
	/* Without the section: no endpoints, every 4 hours, and legacy-off
	 * waits for a proof whenever endpoints are listed. */
	tlsr_policy_defaults(&defaults);
	ck_assert_uint_eq(defaults.proof.n_endpoints, 0);
	ck_assert_uint_eq(defaults.proof.interval, 4 * 3600);
	ck_assert_int_eq(defaults.proof.require_for_legacy_off, 1);
}
END_TEST

START_TEST(policy_proof_endpoints_at_most_eight)
{
	char text[2048];
	struct tlsr_policy p;
	struct tlsr_diag diag;
	size_t n;
	int i;

	n = (size_t)snprintf(text, sizeof text, "version: 1\nproof:\n"
						"  endpoints:\n");
	for (i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "    - https://mp%d.corp.example/\n", i);
	ck_assert_int_eq(tlsr_policy_load_buffer("many.yaml", text, n, &p,
						 &diag),
			 TLSR_EPOLICY);
	ck_assert_uint_eq(diag.line, 12);
	ck_assert_str_eq(diag.message,
			 "proof.endpoints lists more than 8 endpoints");
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


/* ---- the local floor ---- */

/* Reads a fixture whole (tests/data relative). */
static char *slurp(const char *rel, size_t *len)
{
	char path[1024], *buf;

	data_path(path, sizeof path, rel);
	ck_assert_msg(tlsr_accept_read_file(path, 65536, &buf, len) ==
			      TLSR_OK,
		      "cannot read %s", path);
	return buf;
}

/* The test floor, labelled "floor.yaml" so messages do not hold the
 * checkout's path. */
static void test_floor(struct tlsr_floor *f)
{
	struct tlsr_diag d;
	char msg[1200], *buf;
	size_t len;
	tlsr_err err;

	buf = slurp("floors/floor.yaml", &len);
	memset(&d, 0, sizeof d);
	err = tlsr_floor_load_buffer("floor.yaml", buf, len, f, &d);
	free(buf);
	formatted(&d, msg, sizeof msg);
	ck_assert_msg(err == TLSR_OK, "floor rejected: %s", msg);
}

START_TEST(policy_floor_loads_its_rules)
{
	struct tlsr_floor f;
	char text[512];

	test_floor(&f);
	ck_assert_uint_eq(f.require, TLSR_PROTO_BIT(TLSR_PROTO_TLS12));
	ck_assert_uint_eq(f.forbid, TLSR_PROTO_BIT(TLSR_PROTO_SSL2) |
					    TLSR_PROTO_BIT(TLSR_PROTO_SSL3));
	ck_assert_int_eq(f.enforce, 1);
	ck_assert_uint_eq(f.n_sources, 2);
	ck_assert_str_eq(f.sources[0], "\\\\cm01\\tlsward$\\");
	tlsr_floor_describe(&f, text, sizeof text);
	ck_assert_str_eq(text, "require [tls1.2], forbid [ssl2, ssl3], mode "
			       "enforce, sources [\\\\cm01\\tlsward$\\, "
			       "C:\\ProgramData\\tlsward\\]");
}
END_TEST

/* Runs every fixture of dir (tests/data relative) through check, which
 * returns the error and fills d; each must fail with its expect line. */
static void expect_fixtures(const char *rel, size_t at_least,
			    tlsr_err (*check)(const char *path,
					      struct tlsr_diag *d))
{
	char dir[1024], path[1300], want[2400], exp[1024], msg[1200];
	char failures[8192] = "";
	size_t nfail = 0, checked = 0, used = 0;
	struct tlsr_diag d;
	struct dirent *de;
	tlsr_err err;
	DIR *dh;

	data_path(dir, sizeof dir, rel);
	dh = opendir(dir);
	ck_assert_msg(dh != NULL, "cannot open %s", dir);
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ck_assert_msg(read_expectation(path, exp, sizeof exp),
			      "%s: no expect line", path);
		checked++;
		snprintf(want, sizeof want, "%s:%s", path, exp);
		memset(&d, 0, sizeof d);
		err = check(path, &d);
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
	ck_assert_uint_ge(checked, at_least);
}

static tlsr_err load_floor_file(const char *path, struct tlsr_diag *d)
{
	struct tlsr_floor f;

	return tlsr_floor_load_file(path, &f, d);
}

START_TEST(policy_floor_bad_fixtures_fail_with_expected_error)
{
	expect_fixtures("floors/bad", 18, load_floor_file);
}
END_TEST

static tlsr_err load_with_floor(const char *path, struct tlsr_diag *d)
{
	struct tlsr_floor f;
	struct tlsr_policy p;

	test_floor(&f);
	return tlsr_policy_load_file_floor(path, &f, &p, d);
}

START_TEST(policy_below_floor_fixtures_are_refused)
{
	expect_fixtures("policies/below-floor", 11, load_with_floor);
}
END_TEST

START_TEST(policy_above_floor_is_accepted_and_floor_is_optional)
{
	char path[1024], msg[1200];
	struct tlsr_accept_rules rules;
	struct tlsr_accepted a;
	struct tlsr_floor f;
	struct tlsr_diag d;

	test_floor(&f);
	memset(&rules, 0, sizeof rules);
	rules.floor = &f;
	data_path(path, sizeof path, "policies/above-floor/ok.yaml");
	memset(&d, 0, sizeof d);
	ck_assert_msg(tlsr_policy_accept_file(path, &rules, &a, &d) ==
			      TLSR_OK,
		      "refused: %s", (formatted(&d, msg, sizeof msg), msg));
	ck_assert_uint_eq(a.policy.schannel.disable &
				  TLSR_PROTO_BIT(TLSR_PROTO_SSL3),
			  TLSR_PROTO_BIT(TLSR_PROTO_SSL3));
	ck_assert_int_eq(a.signed_ok, 0);
	/* The seed keeps SSL 3.0: refused with the floor, taken without. */
	example_path(path, sizeof path, "seed.yaml");
	ck_assert_int_eq(tlsr_policy_accept_file(path, &rules, &a, &d),
			 TLSR_EPOLICY);
	ck_assert_ptr_nonnull(strstr(d.message, "(local floor: forbid ssl3"));
	ck_assert_int_eq(tlsr_policy_accept_file(path, NULL, &a, &d), TLSR_OK);
}
END_TEST

static const struct {
	const char *path;
	int allowed;
} floor_paths[] = {
	{"\\\\cm01\\tlsward$\\policy.yaml", 1},
	{"\\\\CM01\\TLSWARD$\\sub\\policy.yaml", 1},
	{"//cm01/tlsward$/policy.yaml", 1},
	{"C:\\ProgramData\\tlsward\\policy.yaml", 1},
	{"\\\\cm01\\tlsward$", 0},
	{"\\\\cm01\\tlsward$evil\\policy.yaml", 0},
	{"\\\\cm01\\tlsward$\\..\\x\\policy.yaml", 0},
	{"\\\\cm01\\tlsward$\\.\\policy.yaml", 0},
	{"\\\\cm02\\tlsward$\\policy.yaml", 0},
	{"D:\\tlsward\\policy.yaml", 0},
};

START_TEST(policy_floor_sources_are_path_prefixes)
{
	struct tlsr_floor f;

	test_floor(&f);
	ck_assert_msg(tlsr_floor_path_allowed(&f, floor_paths[_i].path) ==
			      floor_paths[_i].allowed,
		      "%s", floor_paths[_i].path);
	f.n_sources = 0;
	ck_assert_int_eq(tlsr_floor_path_allowed(&f, floor_paths[_i].path), 1);
}
END_TEST

/* ---- signatures and serials ---- */

struct signed_case {
	const char *policy; /* in tests/data/signed */
	const char *key;
	unsigned last_serial;
	const char *expect; /* NULL: accepted; else part of the reason */
};

static const struct signed_case signed_cases[] = {
	{"ec-signed.yaml", "ec.pub", 0, NULL},
	{"rsa-signed.yaml", "rsa.pub", 0, NULL},
	{"ec-signed.yaml", "ec.pub", 7, NULL}, /* the same file again */
	{"ec-signed.yaml", "ec.pub", 6, NULL},
	{"ec-tampered.yaml", "ec.pub", 0, ":1:1: bad signature: the "
	 "signature does not match the policy and the installed key"},
	{"ec-unsigned.yaml", "ec.pub", 0, ":1:1: unsigned: no signature "},
	{"ec-otherkey.yaml", "ec.pub", 0, ":1:1: bad signature: the "
	 "signature does not match"},
	{"ec-truncated.yaml", "ec.pub", 0, ":1:1: bad signature:"},
	{"ec-garbage.yaml", "ec.pub", 0, ":1:1: bad signature:"},
	{"rsa-with-ec-sig.yaml", "rsa.pub", 0, ":1:1: bad signature:"},
	{"ec-signed.yaml", "rsa.pub", 0, ":1:1: bad signature:"},
	{"p384-signed.yaml", "p384.pub", 0, ":1:1: bad signature: the "
	 "installed policy key is unusable: the EC key is on"},
	{"rsa1024-signed.yaml", "rsa1024.pub", 0, ":1:1: bad signature: the "
	 "installed policy key is unusable: the RSA key has 1024 bits"},
	{"ec-signed.yaml", "garbage.pub", 0, ":1:1: bad signature: the "
	 "installed policy key is unusable: not a PEM public key"},
	{"ec-noserial.yaml", "ec.pub", 0, ":1:1: a signed policy needs a "
	 "serial"},
	{"ec-serial5.yaml", "ec.pub", 7, ":1:1: replayed: serial 5 is older "
	 "than the last accepted serial 7"},
	{"ec-serial7-other.yaml", "ec.pub", 7, ":1:1: replayed: serial 7 was "
	 "already accepted with other text"},
	{"ec-below-floor.yaml", "ec.pub", 0, ":5:10: winhttp.keep keeps ssl3 "
	 "(local floor: forbid ssl3, floor.yaml)"},
};

START_TEST(policy_signature_and_serial_decide)
{
	const struct signed_case *c = &signed_cases[_i];
	struct tlsr_accept_rules rules;
	struct tlsr_accepted a, first;
	char path[1024], rel[256], msg[1200], *key;
	struct tlsr_floor f;
	struct tlsr_diag d;
	size_t key_len;
	tlsr_err err;

	snprintf(rel, sizeof rel, "signed/%s", c->key);
	key = slurp(rel, &key_len);
	memset(&rules, 0, sizeof rules);
	rules.key = key;
	rules.key_len = key_len;
	if (strstr(c->policy, "below-floor") != NULL) {
		test_floor(&f);
		rules.floor = &f;
	}
	if (c->last_serial != 0) {
		/* What the service remembers: ec-signed.yaml, serial 7. */
		data_path(path, sizeof path, "signed/ec-signed.yaml");
		ck_assert_int_eq(tlsr_policy_accept_file(path, &rules, &first,
							 &d),
				 TLSR_OK);
		rules.last_serial = c->last_serial;
		memcpy(rules.last_digest, first.digest, 32);
	}
	snprintf(rel, sizeof rel, "signed/%s", c->policy);
	data_path(path, sizeof path, rel);
	memset(&d, 0, sizeof d);
	err = tlsr_policy_accept_file(path, &rules, &a, &d);
	formatted(&d, msg, sizeof msg);
	free(key);
	if (c->expect == NULL) {
		ck_assert_msg(err == TLSR_OK, "%s refused: %s", c->policy, msg);
		ck_assert_int_eq(a.signed_ok, 1);
		ck_assert_uint_eq(a.serial, 7);
		return;
	}
	ck_assert_msg(err == TLSR_EPOLICY, "%s: %s", c->policy,
		      tlsr_strerror(err));
	ck_assert_msg(strncmp(msg, path, strlen(path)) == 0 &&
			      strstr(msg + strlen(path), c->expect) ==
				      msg + strlen(path),
		      "%s: got %s, want ...%s", c->policy, msg, c->expect);
}
END_TEST

START_TEST(policy_signature_digest_is_sha256_of_the_file)
{
	/* sha256 of the bytes, the same on both platforms' libraries. */
	static const unsigned char data[] = "abc";
	static const unsigned char want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad};
	unsigned char digest[32];
	char why[256], *key;
	size_t key_len;

	key = slurp("signed/ec.pub", &key_len);
	ck_assert_int_eq(tlsr_sig_verify(key, key_len, data, 3, "x", 1, digest,
					 why, sizeof why),
			 TLSR_ESIG);
	free(key);
	ck_assert_mem_eq(digest, want, 32);
}
END_TEST

/* ---- the machine's rules (Parameters) ---- */

static tlsr_err machine_accept_file(const struct tlsr_machine_rules *m,
				    const char *rel, struct tlsr_accepted *a,
				    struct tlsr_diag *d)
{
	char path[1024], sigpath[1100], *text, *sig = NULL;
	size_t len, sig_len = 0;
	tlsr_err err;

	data_path(path, sizeof path, rel);
	ck_assert_int_eq(tlsr_accept_read_file(path, 65536, &text, &len),
			 TLSR_OK);
	snprintf(sigpath, sizeof sigpath, "%s.sig", path);
	if (tlsr_accept_read_file(sigpath, 4096, &sig, &sig_len) != TLSR_OK)
		sig = NULL;
	memset(d, 0, sizeof *d);
	err = tlsr_machine_accept(m, path, text, len, sig, sig_len, a, d);
	free(sig);
	free(text);
	return err;
}

START_TEST(policy_machine_rules_refuse_replay_across_restarts)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_machine_rules m;
	struct tlsr_accepted a;
	struct tlsr_diag d;
	const char *floor;
	char *key, text[512], ktext[128];
	size_t len;

	ck_assert_ptr_nonnull(reg);
	/* The floor as `service install --floor` stores it: the text. */
	floor = "version: 1\nfloor:\n  mode: enforce\n";
	key = slurp("signed/ec.pub", &len);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64, TLSR_PARAM_FLOOR,
					     floor),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64,
					     TLSR_PARAM_POLICY_KEY, key),
			 TLSR_OK);
	free(key);
	tlsr_machine_rules_load(reg, &m);
	ck_assert_int_eq(m.broken, 0);
	ck_assert_int_eq(m.has_floor, 1);
	tlsr_machine_describe(&m, text, sizeof text, ktext, sizeof ktext);
	ck_assert_str_eq(text, "mode enforce (HKLM\\SOFTWARE\\tlsward\\"
			       "Parameters\\Floor)");
	ck_assert_str_eq(ktext, "installed: signed policies only, last serial "
				"0");
	/* Unsigned refused; signed serial 7 taken and recorded. */
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-unsigned.yaml", &a,
					     &d),
			 TLSR_EPOLICY);
	ck_assert_ptr_nonnull(strstr(d.message, "unsigned"));
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-signed.yaml", &a,
					     &d),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_machine_note_accepted(reg, &a), TLSR_OK);
	tlsr_machine_rules_free(&m);
	/* A restart: the rules come back from the registry. */
	tlsr_machine_rules_load(reg, &m);
	ck_assert_uint_eq(m.rules.last_serial, 7);
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-signed.yaml", &a,
					     &d),
			 TLSR_OK);
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-serial5.yaml", &a,
					     &d),
			 TLSR_EPOLICY);
	ck_assert_ptr_nonnull(strstr(d.message, "replayed: serial 5"));
	/* Serial 7 with other text, and below the floor (mode audit). */
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-serial7-other.yaml",
					     &a, &d),
			 TLSR_EPOLICY);
	tlsr_machine_rules_free(&m);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(policy_machine_rules_fail_closed)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_machine_rules m;
	struct tlsr_accepted a;
	struct tlsr_diag d;

	/* A floor that does not parse, then one whose file is missing, then
	 * a key that is no key: every policy is refused. */
	static const char *const floors[] = {
		"version: 1\nfloor:\n  forbid: [ssl9]\n",
		"/nonexistent/tlsward-floor.yaml",
	};
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
						     TLSR_VIEW_64,
						     TLSR_PARAM_FLOOR,
						     floors[i]),
				 TLSR_OK);
		tlsr_machine_rules_load(reg, &m);
		ck_assert_int_eq(m.broken, 1);
		ck_assert_int_eq(machine_accept_file(&m,
						     "policies/above-floor/"
						     "ok.yaml",
						     &a, &d),
				 TLSR_EPOLICY);
		ck_assert_ptr_nonnull(strstr(d.message, "refused while"));
		tlsr_machine_rules_free(&m);
	}
	ck_assert_int_eq(tlsr_reg_delete_value(reg, TLSR_KEY_PARAMETERS,
					       TLSR_VIEW_64, TLSR_PARAM_FLOOR),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS,
					     TLSR_VIEW_64,
					     TLSR_PARAM_POLICY_KEY,
					     "-----BEGIN PUBLIC KEY-----\nxx\n"
					     "-----END PUBLIC KEY-----\n"),
			 TLSR_OK);
	tlsr_machine_rules_load(reg, &m);
	ck_assert_int_eq(m.broken, 1);
	ck_assert_ptr_nonnull(strstr(m.broken_why.message, "policy key"));
	tlsr_machine_rules_free(&m);
	/* Nothing set: no floor, no key, unsigned policies taken. */
	ck_assert_int_eq(tlsr_reg_delete_value(reg, TLSR_KEY_PARAMETERS,
					       TLSR_VIEW_64,
					       TLSR_PARAM_POLICY_KEY),
			 TLSR_OK);
	tlsr_machine_rules_load(reg, &m);
	ck_assert_int_eq(m.broken, 0);
	ck_assert_int_eq(machine_accept_file(&m, "signed/ec-unsigned.yaml", &a,
					     &d),
			 TLSR_OK);
	tlsr_machine_rules_free(&m);
	tlsr_registry_destroy(reg);
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
	tcase_add_test(tc, policy_proof_section_lists_endpoints);
	tcase_add_test(tc, policy_proof_endpoints_at_most_eight);
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
	tc = tcase_create("floor");
	tcase_add_test(tc, policy_floor_loads_its_rules);
	tcase_add_test(tc, policy_floor_bad_fixtures_fail_with_expected_error);
	tcase_add_test(tc, policy_below_floor_fixtures_are_refused);
	tcase_add_test(tc, policy_above_floor_is_accepted_and_floor_is_optional);
	tcase_add_loop_test(tc, policy_floor_sources_are_path_prefixes, 0,
			    (int)(sizeof floor_paths / sizeof floor_paths[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("signature");
	tcase_add_loop_test(tc, policy_signature_and_serial_decide, 0,
			    (int)(sizeof signed_cases /
				  sizeof signed_cases[0]));
	tcase_add_test(tc, policy_signature_digest_is_sha256_of_the_file);
	tcase_add_test(tc, policy_machine_rules_refuse_replay_across_restarts);
	tcase_add_test(tc, policy_machine_rules_fail_closed);
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
