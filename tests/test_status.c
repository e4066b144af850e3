/* tlsward: the Status key the service writes after every check, which
 * Configuration Manager inventory and `tlsward status` read. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"
#include "tlsr.h"

static const char *data_path(const char *rel)
{
	static char buf[1024];
	const char *dir = getenv("TLSR_DATA");

	snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/data", rel);
	return buf;
}

static void sample(struct tlsr_status *st)
{
	memset(st, 0, sizeof *st);
	st->compliant = 0;
	snprintf(st->last_check, sizeof st->last_check, "2026-11-22T04:00:00Z");
	snprintf(st->policy_source, sizeof st->policy_source,
		 "\\\\cm01\\tlsward$\\policy.yaml");
	snprintf(st->policy_hash, sizeof st->policy_hash, "%064d", 7);
	snprintf(st->mode, sizeof st->mode, "enforce");
	st->blocked = 1;
	snprintf(st->blocked_reasons, sizeof st->blocked_reasons,
		 "KB3140245 is not installed");
	st->ready_for_server = 0;
	st->tls12[TLSR_COMP_WINHTTP] = 0;
	st->tls12[TLSR_COMP_SCHANNEL] = 1;
	st->tls12[TLSR_COMP_DOTNET] = 1;
	st->drifts = 7;
	st->remediations = 19;
	st->passes = 3;
	snprintf(st->last_error, sizeof st->last_error,
		 "2026-11-22T03:00:00Z: access denied");
	st->restart_pending = 1;
	memcpy(st->restart_owed, "winhttp.default_secure_protocols\0a.b@32",
	       sizeof "winhttp.default_secure_protocols\0a.b@32");
	st->restart_owed_len = sizeof "winhttp.default_secure_protocols\0a.b@32";
	st->risk_critical = 1;
	memcpy(st->risks, "critical legacy-off-before-tls12: TLS 1.0 off\0info x: y",
	       sizeof "critical legacy-off-before-tls12: TLS 1.0 off\0info x: y");
	st->risks_len = sizeof "critical legacy-off-before-tls12: TLS 1.0 off\0info x: y";
	snprintf(st->restart_reason, sizeof st->restart_reason,
		 "DefaultSecureProtocols changed");
	snprintf(st->restart_time, sizeof st->restart_time,
		 "2026-11-23T02:10:00Z");
	snprintf(st->restart_boot_id, sizeof st->restart_boot_id, "boot-1");
	st->proof_listed = 1;
	st->proven = 1;
	snprintf(st->proof_time, sizeof st->proof_time, "2026-11-22T03:30:00Z");
	snprintf(st->proof_endpoint, sizeof st->proof_endpoint,
		 "https://cm01.example/");
	snprintf(st->proof_protocol, sizeof st->proof_protocol, "tls1.2");
	snprintf(st->proof_result, sizeof st->proof_result, "proven");
	st->private_bytes = 3584u * 1024;
	st->working_set = 7u << 20;
}

static uint32_t dword(struct tlsr_registry *reg, const char *name)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_msg(tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					 name, &v) == TLSR_OK,
		      "Status\\%s is missing", name);
	return v;
}

static const char *text(struct tlsr_registry *reg, const char *name)
{
	static char buf[1024];

	ck_assert_msg(tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					  name, buf, sizeof buf) == TLSR_OK,
		      "Status\\%s is missing", name);
	return buf;
}

START_TEST(status_every_field_reads_back)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_status st;

	sample(&st);
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_uint_eq(dword(reg, "Compliant"), 0);
	ck_assert_uint_eq(dword(reg, "Blocked"), 1);
	ck_assert_uint_eq(dword(reg, "ReadyForServerTls12"), 0);
	ck_assert_uint_eq(dword(reg, "Tls12WinHttp"), 0);
	ck_assert_uint_eq(dword(reg, "Tls12Schannel"), 1);
	ck_assert_uint_eq(dword(reg, "Tls12DotNet"), 1);
	ck_assert_uint_eq(dword(reg, "Drifts"), 7);
	ck_assert_uint_eq(dword(reg, "Remediations"), 19);
	ck_assert_str_eq(text(reg, "LastCheck"), "2026-11-22T04:00:00Z");
	ck_assert_str_eq(text(reg, "PolicySource"),
			 "\\\\cm01\\tlsward$\\policy.yaml");
	ck_assert_str_eq(text(reg, "Mode"), "enforce");
	ck_assert_str_eq(text(reg, "BlockedReasons"),
			 "KB3140245 is not installed");
	ck_assert_str_eq(text(reg, "Version"), TLSR_PROJECT_VERSION);
	ck_assert_uint_eq(strlen(text(reg, "PolicyHash")), 64);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(status_counters_survive_a_restart)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_status st, back;

	memset(&back, 0, sizeof back);
	tlsr_status_read(reg, &back);
	ck_assert_uint_eq(back.drifts, 0);
	ck_assert_uint_eq(back.remediations, 0);
	ck_assert_uint_eq(back.passes, 0);
	sample(&st);
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	tlsr_status_read(reg, &back);
	ck_assert_uint_eq(back.drifts, 7);
	ck_assert_uint_eq(back.remediations, 19);
	ck_assert_uint_eq(back.passes, 3);
	ck_assert_int_eq(back.restart_pending, 1);
	ck_assert_str_eq(back.restart_time, "2026-11-23T02:10:00Z");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(status_follows_the_check)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;
	struct tlsr_policy p;
	struct tlsr_facts f;
	struct tlsr_report *r = NULL;
	struct tlsr_status st;

	ck_assert_int_eq(tlsr_regfile_read(
				 data_path("machines/win7-sp1-unpatched.reg"),
				 &reg, &diag),
			 TLSR_OK);
	tlsr_policy_defaults(&p);
	ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
	ck_assert_int_eq(tlsr_check(reg, &p, &f, &r), TLSR_OK);
	sample(&st);
	st.compliant = 1;
	st.blocked = 0;
	tlsr_status_from_report(&st, r);
	ck_assert_int_eq(st.compliant, 0);
	ck_assert_int_eq(st.blocked, 1);
	ck_assert_ptr_nonnull(strstr(st.blocked_reasons, "KB3140245"));
	ck_assert_int_eq(st.tls12[TLSR_COMP_WINHTTP], 0);
	ck_assert_int_eq(st.ready_for_server, 0);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* A client someone cut off (TLS 1.0 off before TLS 1.2 works) is marked in
 * Status, where the Configuration Manager kit reads it. */
START_TEST(status_carries_the_risks)
{
	struct tlsr_registry *reg = NULL, *out = tlsr_registry_mem_new();
	struct tlsr_diag diag;
	struct tlsr_policy p;
	struct tlsr_facts f;
	struct tlsr_report *r = NULL;
	struct tlsr_status st;
	struct tlsr_value v = {0};

	ck_assert_int_eq(tlsr_regfile_read(
				 data_path("machines/win7-sp1-tls10-off.reg"),
				 &reg, &diag),
			 TLSR_OK);
	tlsr_policy_defaults(&p);
	ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
	ck_assert_int_eq(tlsr_check(reg, &p, &f, &r), TLSR_OK);
	sample(&st);
	tlsr_status_from_report(&st, r);
	ck_assert_int_eq(st.risk_critical, 1);
	ck_assert_ptr_nonnull(
		strstr(st.risks, "critical legacy-off-before-tls12: "));
	ck_assert_int_eq(tlsr_status_write(out, &st), TLSR_OK);
	ck_assert_uint_eq(dword(out, "RiskCritical"), 1);
	ck_assert_int_eq(tlsr_reg_get(out, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      "Risks", &v),
			 TLSR_OK);
	ck_assert_int_eq(v.type, TLSR_REG_MULTI_SZ);
	ck_assert_uint_gt(v.size, 2 * strlen("critical legacy-off"));
	tlsr_value_clear(&v);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
	tlsr_registry_destroy(out);
}
END_TEST

/* The service's memory: REG_QWORD sizes in bytes, gone when the platform
 * could not give a figure rather than left stale. */
START_TEST(status_memory_is_written_in_bytes)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_status st;
	struct tlsr_value v = {0};

	sample(&st);
	st.private_bytes = 0x123456789ull;
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      "PrivateBytes", &v),
			 TLSR_OK);
	ck_assert_int_eq(v.type, TLSR_REG_QWORD);
	ck_assert_uint_eq(v.size, 8);
	ck_assert_uint_eq(v.data[0], 0x89);
	ck_assert_uint_eq(v.data[4], 0x01);
	tlsr_value_clear(&v);
	st.private_bytes = 0;
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      "PrivateBytes", &v),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      "WorkingSet", &v),
			 TLSR_OK);
	ck_assert_int_eq(v.type, TLSR_REG_QWORD);
	tlsr_value_clear(&v);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(status_failure_names_no_half_state)
{
	struct tlsr_registry *reg =
		tlsr_registry_fault_new(tlsr_registry_mem_new());
	struct tlsr_status old, st;
	unsigned long n, calls;

	/* Every call of a write fails once in turn; each time either the
	 * write succeeds whole, or LastCheck (the completion mark) is gone,
	 * so no reader takes a half-old, half-new record for a record. */
	sample(&old);
	ck_assert_int_eq(tlsr_status_write(reg, &old), TLSR_OK);
	sample(&st);
	st.drifts = 8;
	snprintf(st.last_check, sizeof st.last_check, "2026-11-22T05:00:00Z");
	tlsr_fault_arm(reg, 0, TLSR_OK);
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	calls = tlsr_fault_calls(reg);
	ck_assert_uint_gt(calls, 10);
	for (n = 1; n <= calls; n++) {
		char when[32];
		tlsr_err err;

		tlsr_fault_arm(reg, 0, TLSR_OK);
		ck_assert_int_eq(tlsr_status_write(reg, &old), TLSR_OK);
		tlsr_fault_arm(reg, n, TLSR_EACCESS);
		err = tlsr_status_write(reg, &st);
		tlsr_fault_arm(reg, 0, TLSR_OK);
		if (err == TLSR_OK) {
			ck_assert_str_eq(text(reg, "LastCheck"),
					 "2026-11-22T05:00:00Z");
			ck_assert_uint_eq(dword(reg, "Drifts"), 8);
			continue;
		}
		ck_assert_int_eq(err, TLSR_EACCESS);
		ck_assert_str_ne(reg->message, "");
		if (tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					"LastCheck", when,
					sizeof when) == TLSR_ENOTFOUND)
			continue;
		/* Failed before it changed anything: the old record, whole. */
		ck_assert_msg(strcmp(when, "2026-11-22T04:00:00Z") == 0 &&
				      dword(reg, "Drifts") == 7,
			      "fault at call %lu left LastCheck %s", n, when);
	}
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(status_cli_shows_what_the_service_wrote)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_status st;
	char dir[] = "/tmp/tlsward-status-XXXXXX";
	char file[128], cmd[512], out[4096];
	const char *exe = getenv("TLSWARD");
#define NAME(name, label, kind) name,
	static const char *const written[] = {TLSR_STATUS_VALUES(NAME)};
#undef NAME
	FILE *p;
	size_t n;

	ck_assert_ptr_nonnull(exe);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/status.reg", dir);
	sample(&st);
	snprintf(st.policy_cache_source, sizeof st.policy_cache_source,
		 "\\\\cm01\\tlsward$\\policy.yaml");
	snprintf(st.restart_attempt, sizeof st.restart_attempt,
		 "2026-11-23T02:10:00Z: restart failed: access denied");
	st.conflicts = 2;
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_int_eq(tlsr_regfile_write(reg, file, TLSR_REGFILE_V5),
			 TLSR_OK);
	snprintf(cmd, sizeof cmd, "'%s' status --registry '%s' --format json",
		 exe, file);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	/* Every value the service writes (the names table) is one the CLI
	 * shows. */
	for (size_t i = 0; i < sizeof written / sizeof written[0]; i++) {
		char absent[64];

		snprintf(absent, sizeof absent, "\"%s\": null", written[i]);
		ck_assert_msg(strstr(out, absent) == NULL, "%s in %s",
			      absent, out);
	}
	ck_assert_ptr_nonnull(strstr(out, "\"Compliant\": false"));
	ck_assert_ptr_nonnull(strstr(out, "\"Blocked\": true"));
	ck_assert_ptr_nonnull(strstr(out, "\"Drifts\": 7"));
	ck_assert_ptr_nonnull(strstr(out, "\"Remediations\": 19"));
	ck_assert_ptr_nonnull(strstr(out, "\"RestartPending\": true"));
	ck_assert_ptr_nonnull(strstr(
		out, "\"RestartOwed\": \"winhttp.default_secure_protocols, "
		     "a.b@32\""));
	ck_assert_ptr_nonnull(strstr(out, "\"Passes\": 3"));
	ck_assert_ptr_nonnull(
		strstr(out, "\"PolicySource\": \"\\\\\\\\cm01\\\\tlsward$"));
	ck_assert_ptr_nonnull(strstr(out, "\"Tls12Schannel\": true"));
	ck_assert_ptr_nonnull(strstr(out, "\"PrivateBytes\": 3670016"));
	ck_assert_ptr_nonnull(strstr(out, "\"WorkingSet\": 7340032"));
	/* The text form gives the sizes in KiB and MiB. */
	snprintf(cmd, sizeof cmd, "'%s' status --registry '%s'", exe, file);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(strstr(out, "private bytes              3584 KiB (3.5 MiB)\n") !=
			      NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "working set                7168 KiB (7.0 MiB)\n") !=
			      NULL,
		      "%s", out);
	unlink(file);
	rmdir(dir);
	tlsr_registry_destroy(reg);
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, status_every_field_reads_back);
	tcase_add_test(tc, status_counters_survive_a_restart);
	tcase_add_test(tc, status_follows_the_check);
	tcase_add_test(tc, status_carries_the_risks);
	tcase_add_test(tc, status_memory_is_written_in_bytes);
	tcase_add_test(tc, status_failure_names_no_half_state);
	tcase_add_test(tc, status_cli_shows_what_the_service_wrote);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(status_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
