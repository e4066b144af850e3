/* tlsward: the proof on the wire. What counts as proven, what is kept under
 * SOFTWARE\tlsward\Proof, when the legacy-off step may go ahead, and what
 * `tlsward probe` prints and returns (with a prober that plays the
 * endpoints, and the memory registry as the live one). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "probe.h"
#include "proof.h"
#include "prove.h"
#include "status.h"

/* `tlsward probe --record` writes to the registry this hands out: a
 * borrowed view of the test's memory registry, which the command may
 * destroy without freeing the test's data. */
static struct tlsr_registry *live;

#define INNER(reg) ((struct tlsr_registry *)(reg)->impl)
static tlsr_err b_open(struct tlsr_registry *reg, const char *path,
		       enum tlsr_view view, int create, struct tlsr_key **out)
{
	return INNER(reg)->ops->open_key(INNER(reg), path, view, create, out);
}
static void b_close(struct tlsr_registry *reg, struct tlsr_key *key)
{
	INNER(reg)->ops->close_key(INNER(reg), key);
}
static tlsr_err b_get(struct tlsr_registry *reg, struct tlsr_key *key,
		      const char *name, struct tlsr_value *out)
{
	return INNER(reg)->ops->get_value(INNER(reg), key, name, out);
}
static tlsr_err b_set(struct tlsr_registry *reg, struct tlsr_key *key,
		      const char *name, uint32_t type, const void *data,
		      size_t size)
{
	return INNER(reg)->ops->set_value(INNER(reg), key, name, type, data,
					  size);
}
static tlsr_err b_del(struct tlsr_registry *reg, struct tlsr_key *key,
		      const char *name)
{
	return INNER(reg)->ops->delete_value(INNER(reg), key, name);
}
static tlsr_err b_enum_key(struct tlsr_registry *reg, struct tlsr_key *key,
			   size_t index, char *buf, size_t size)
{
	return INNER(reg)->ops->enum_subkey(INNER(reg), key, index, buf, size);
}
static tlsr_err b_enum_value(struct tlsr_registry *reg, struct tlsr_key *key,
			     size_t index, char *buf, size_t size)
{
	return INNER(reg)->ops->enum_value(INNER(reg), key, index, buf, size);
}
static tlsr_err b_delete_key(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view)
{
	return INNER(reg)->ops->delete_key(INNER(reg), path, view);
}
static tlsr_err b_watch(struct tlsr_registry *reg, struct tlsr_key *key,
			void *event)
{
	return INNER(reg)->ops->watch(INNER(reg), key, event);
}
static void b_destroy(struct tlsr_registry *reg)
{
	free(reg);
}
static const struct tlsr_registry_ops borrow_ops = {
	"borrowed", b_open,	  b_close,	b_get,	   b_set,
	b_del,	    b_enum_key, b_enum_value, b_delete_key, b_watch,
	b_destroy, NULL,
};

/* Off Windows there are no live facts: the boot id comes from the Boot
 * key of the test's registry. */
void tlsr_platform_live_facts(struct tlsr_facts *facts)
{
	(void)facts;
}

tlsr_err tlsr_platform_live_registry(struct tlsr_registry **out,
				     struct tlsr_diag *diag)
{
	struct tlsr_registry *b;

	if (live == NULL) {
		tlsr_diag_set(diag, "", 0, 0, "no registry in this test");
		*out = NULL;
		return TLSR_EUNSUPPORTED;
	}
	b = calloc(1, sizeof *b);
	ck_assert_ptr_nonnull(b);
	b->ops = &borrow_ops;
	b->impl = live;
	*out = b;
	return TLSR_OK;
}

/* The service's events, as prove.c reports them. */
static unsigned ev_ids[16];
static char ev_text[16][1200];
static size_t n_ev;

void tlsr_eventlog_report(struct tlsr_eventlog *log, unsigned id,
			  const struct tlsr_event_fields *f)
{
	(void)log;
	ck_assert_uint_lt(n_ev, 16);
	ev_ids[n_ev] = id;
	snprintf(ev_text[n_ev], sizeof ev_text[n_ev], "%s|%s|%s|%s",
		 f->v[TLSR_EF_ENDPOINT] ? f->v[TLSR_EF_ENDPOINT] : "-",
		 f->v[TLSR_EF_PROTOCOL] ? f->v[TLSR_EF_PROTOCOL] : "-",
		 f->v[TLSR_EF_REASON] ? f->v[TLSR_EF_REASON] : "-",
		 f->v[TLSR_EF_IN_FORCE] ? f->v[TLSR_EF_IN_FORCE] : "-");
	n_ev++;
}

static void method(struct tlsr_probe_method *m, enum tlsr_probe_status s,
		   const char *proto, unsigned long error)
{
	memset(m, 0, sizeof *m);
	m->status = s;
	snprintf(m->protocol, sizeof m->protocol, "%s", proto);
	m->error = error;
	if (error)
		snprintf(m->error_text, sizeof m->error_text, "error %lu",
			 error);
	m->ms = 12;
}

static void endpoint(struct tlsr_probe_endpoint *e, const char *url,
		     enum tlsr_probe_status wh, const char *wh_proto,
		     enum tlsr_probe_status sc, const char *sc_proto)
{
	char keep[TLSR_PROOF_URL_MAX];

	snprintf(keep, sizeof keep, "%s", url);
	memset(e, 0, sizeof *e);
	snprintf(e->url, sizeof e->url, "%s", keep);
	method(&e->winhttp, wh, wh_proto,
	       wh == TLSR_PROBE_OK ? 0 : wh == TLSR_PROBE_TRUST ? 12045 : 12157);
	method(&e->schannel, sc, sc_proto,
	       sc == TLSR_PROBE_OK ? 0 : 0x80090326ul);
}

START_TEST(proof_url_forms)
{
	struct tlsr_url u;
	char why[128];

	ck_assert_int_eq(tlsr_url_parse("https://cm01.corp.example/SMS_MP/"
					".sms_aut?mplist",
					&u, why, sizeof why),
			 0);
	ck_assert_str_eq(u.host, "cm01.corp.example");
	ck_assert_uint_eq(u.port, 443);
	ck_assert_str_eq(u.path, "/SMS_MP/.sms_aut?mplist");
	ck_assert_int_eq(tlsr_url_parse("HTTPS://127.0.0.1:8443", &u, why,
					sizeof why),
			 0);
	ck_assert_str_eq(u.host, "127.0.0.1");
	ck_assert_uint_eq(u.port, 8443);
	ck_assert_str_eq(u.path, "/");
	ck_assert_int_eq(tlsr_url_parse("https://[fd00::1]:444/x", &u, why,
					sizeof why),
			 0);
	ck_assert_str_eq(u.host, "fd00::1");
	ck_assert_uint_eq(u.port, 444);
}
END_TEST

static const struct {
	const char *url, *why;
} bad_urls[] = {
	{"http://cm01/", "the URL must start with https://"},
	{"https:///x", "the URL names no host"},
	{"https://cm01:0/", "the port must be a number from 1 to 65535"},
	{"https://cm01:65536/", "the port must be a number from 1 to 65535"},
	{"https://cm01:/", "the port after ':' is missing"},
	{"https://cm01/a b", "a URL has no spaces, quotes or control "
			     "characters"},
	{"https://cm01/\"", "a URL has no spaces, quotes or control "
			    "characters"},
	{"https://user@cm01/", "the URL must be https://host[:port]/path, "
			       "without user name, query before the path or "
			       "fragment"},
	{"https://cm01/x#frag", "the URL must not have a #fragment"},
	{"https://[fd00::1/", "the IPv6 address needs [brackets]"},
};

START_TEST(proof_url_rejects)
{
	struct tlsr_url u;
	char why[128];

	ck_assert_int_eq(tlsr_url_parse(bad_urls[_i].url, &u, why, sizeof why),
			 -1);
	ck_assert_str_eq(why, bad_urls[_i].why);
}
END_TEST

START_TEST(proof_endpoint_needs_tls12_from_both_methods)
{
	struct tlsr_probe_endpoint e;
	char why[256];

	/* WinHTTP does not say its protocol (Windows before 10, Wine);
	 * SChannel does. */
	endpoint(&e, "https://mp/", TLSR_PROBE_OK, "", TLSR_PROBE_OK, "tls1.2");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 1);
	/* An untrusted certificate: the handshake got through. */
	endpoint(&e, "https://mp/", TLSR_PROBE_TRUST, "", TLSR_PROBE_TRUST,
		 "tls1.2");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 1);
	endpoint(&e, "https://mp/", TLSR_PROBE_OK, "", TLSR_PROBE_OK, "tls1.3");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 1);
	/* The client cut off: WinHTTP's handshake fails. */
	endpoint(&e, "https://mp/", TLSR_PROBE_PROTOCOL, "", TLSR_PROBE_OK,
		 "tls1.2");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 0);
	ck_assert_str_eq(why, "WinHTTP: TLS handshake failed (12157: error "
			      "12157)");
	/* Reached, but with TLS 1.0: turning it off would cut the client. */
	endpoint(&e, "https://mp/", TLSR_PROBE_OK, "", TLSR_PROBE_OK, "tls1.0");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 0);
	ck_assert_str_eq(why, "SChannel negotiated tls1.0, older than TLS 1.2");
	/* Nobody says which protocol. */
	endpoint(&e, "https://mp/", TLSR_PROBE_OK, "", TLSR_PROBE_OK, "");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 0);
	endpoint(&e, "https://mp/", TLSR_PROBE_UNREACHABLE, "",
		 TLSR_PROBE_UNREACHABLE, "");
	ck_assert_int_eq(tlsr_probe_endpoint_proven(&e, why, sizeof why), 0);
	ck_assert_ptr_nonnull(strstr(why, "could not connect"));
}
END_TEST

static void policy_with(struct tlsr_policy *p, const char *a, const char *b)
{
	tlsr_policy_defaults(p);
	snprintf(p->proof.endpoints[0], TLSR_PROOF_URL_MAX, "%s", a);
	p->proof.n_endpoints = 1;
	if (b != NULL) {
		snprintf(p->proof.endpoints[1], TLSR_PROOF_URL_MAX, "%s", b);
		p->proof.n_endpoints = 2;
	}
}

START_TEST(proof_satisfied_only_by_this_boot)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_probe_endpoint e;
	struct tlsr_proof_record rec;
	struct tlsr_policy p;
	char why[1024];

	policy_with(&p, "https://mp1/", "https://mp2/");
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-1", why,
					      sizeof why),
			 0);
	ck_assert_str_eq(why, "https://mp1/ has not been probed yet");
	endpoint(&e, "https://mp1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z",
					   "boot-1", &rec),
			 TLSR_OK);
	ck_assert_int_eq(rec.proven, 1);
	ck_assert_str_eq(rec.protocol, "tls1.2");
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-1", why,
					      sizeof why),
			 0);
	ck_assert_str_eq(why, "https://mp2/ has not been probed yet");
	snprintf(e.url, sizeof e.url, "https://mp2/");
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "2026-11-30T12:00:01Z",
					   "boot-1", NULL),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-1", why,
					      sizeof why),
			 1);
	/* After a reboot the proof is stale; an unknown boot never counts. */
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-2", why,
					      sizeof why),
			 0);
	ck_assert_str_eq(why,
			 "https://mp1/ has not been probed since the last boot");
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "", why, sizeof why),
			 0);
	/* A later failure replaces the proof. */
	endpoint(&e, "https://mp2/", TLSR_PROBE_PROTOCOL, "",
		 TLSR_PROBE_PROTOCOL, "");
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "2026-11-30T12:05:00Z",
					   "boot-1", NULL),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-1", why,
					      sizeof why),
			 0);
	ck_assert_str_eq(why, "https://mp2/: WinHTTP: TLS handshake failed "
			      "(12157: error 12157)");
	/* Nothing listed: nothing to prove. */
	tlsr_policy_defaults(&p);
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "", why, sizeof why),
			 1);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(proof_boot_id_from_the_service_key)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_probe_endpoint e;
	struct tlsr_policy p;
	char boot[64], why[1024];

	policy_with(&p, "https://mp1/", NULL);
	tlsr_proof_boot_id(reg, boot, sizeof boot);
	ck_assert_str_eq(boot, "");
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
					     TLSR_BOOT_ID,
					     "2026-11-30T06:00:00Z-1a2b3c4d"),
			 TLSR_OK);
	tlsr_proof_boot_id(reg, boot, sizeof boot);
	ck_assert_str_eq(boot, "2026-11-30T06:00:00Z-1a2b3c4d");
	endpoint(&e, "https://mp1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z",
					   boot, NULL),
			 TLSR_OK);
	/* NULL: the boot id is read from the registry. */
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, NULL, why, sizeof why),
			 1);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(proof_record_refuses_foreign_values)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_proof_record rec;
	struct tlsr_policy p;
	char why[1024];

	policy_with(&p, "https://mp1/", NULL);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PROOF, TLSR_VIEW_64,
					     "https://mp1/", "proven"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_proof_read(reg, "https://mp1/", &rec),
			 TLSR_EPARSE);
	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_PROOF, TLSR_VIEW_64,
					     "https://mp1/",
					     "maybe|tls1.2|t|boot-1|x"),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, "boot-1", why,
					      sizeof why),
			 0);
	ck_assert_ptr_nonnull(strstr(why, "cannot be read"));
	ck_assert_int_eq(tlsr_reg_set_dword(reg, TLSR_KEY_PROOF, TLSR_VIEW_64,
					    "https://mp1/", 1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_proof_read(reg, "https://mp1/", &rec),
			 TLSR_EPARSE);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(proof_record_write_failure_is_reported)
{
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(tlsr_registry_mem_new());
	struct tlsr_probe_endpoint e;
	unsigned long calls, i;

	endpoint(&e, "https://mp1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	tlsr_fault_arm(reg, 0, TLSR_OK);
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "t", "b", NULL), TLSR_OK);
	calls = tlsr_fault_calls(reg);
	ck_assert_uint_gt(calls, 2);
	/* A fault at any call: an error, or (a call that cannot fail, like
	 * closing a key) a record that reads back whole. Never a success
	 * over a missing or wrong record. */
	for (i = 1; i <= calls; i++) {
		struct tlsr_proof_record rec;
		char t[8];
		tlsr_err err;

		endpoint(&e, "https://mp1/",
			 i % 2 ? TLSR_PROBE_PROTOCOL : TLSR_PROBE_OK, "",
			 TLSR_PROBE_OK, "tls1.2");
		snprintf(t, sizeof t, "t%lu", i);
		tlsr_fault_arm(reg, i, TLSR_EIO);
		err = tlsr_proof_record(reg, &e, t, "b", NULL);
		tlsr_fault_arm(reg, 0, TLSR_OK);
		if (err != TLSR_OK)
			continue;
		ck_assert_int_eq(tlsr_proof_read(reg, "https://mp1/", &rec),
				 TLSR_OK);
		ck_assert_str_eq(rec.time, t);
		ck_assert_int_eq(rec.proven, i % 2 ? 0 : 1);
	}
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(proof_summary_names_the_failing_endpoint)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_probe_endpoint e;
	struct tlsr_proof_summary sum;
	struct tlsr_policy p;

	policy_with(&p, "https://mp1/", "https://mp2/");
	tlsr_proof_summarize(reg, &p, "b1", &sum);
	ck_assert_int_eq(sum.proven, 0);
	ck_assert_int_eq(sum.has_record, 0);
	ck_assert_str_eq(sum.endpoint, "https://mp1/");
	endpoint(&e, "https://mp1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z", "b1", NULL);
	endpoint(&e, "https://mp2/", TLSR_PROBE_PROTOCOL, "",
		 TLSR_PROBE_PROTOCOL, "");
	tlsr_proof_record(reg, &e, "2026-11-30T12:00:01Z", "b1", NULL);
	tlsr_proof_summarize(reg, &p, "b1", &sum);
	ck_assert_int_eq(sum.proven, 0);
	ck_assert_int_eq(sum.has_record, 1);
	ck_assert_str_eq(sum.endpoint, "https://mp2/");
	ck_assert_int_eq(sum.record.proven, 0);
	endpoint(&e, "https://mp2/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.3");
	tlsr_proof_record(reg, &e, "2026-11-30T12:10:00Z", "b1", NULL);
	tlsr_proof_summarize(reg, &p, "b1", &sum);
	ck_assert_int_eq(sum.proven, 1);
	ck_assert_str_eq(sum.endpoint, "https://mp2/");
	ck_assert_str_eq(sum.record.protocol, "tls1.3");
	ck_assert_str_eq(sum.record.time, "2026-11-30T12:10:00Z");
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- the legacy-off gate ---- */

/* Legacy actions in a plan of reg under p. */
static size_t legacy_actions(struct tlsr_registry *reg,
			     const struct tlsr_policy *p,
			     struct tlsr_report **out)
{
	struct tlsr_facts f;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	size_t i, n = 0;

	ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
	/* Live, the facts carry this boot's id (tlsr_facts_live reads the
	 * Boot key); offline they carry none. */
	tlsr_proof_boot_id(reg, f.boot_id, sizeof f.boot_id);
	ck_assert_int_eq(tlsr_check(reg, p, &f, &r), TLSR_OK);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	for (i = 0; i < plan->n_actions; i++)
		if (plan->actions[i].phase == TLSR_PHASE_LEGACY)
			n++;
	tlsr_plan_free(plan);
	*out = r;
	return n;
}

START_TEST(proof_gates_legacy_off)
{
	struct tlsr_registry *reg;
	struct tlsr_probe_endpoint e;
	struct tlsr_report *r;
	struct tlsr_policy p;
	struct tlsr_diag diag;
	char path[1024];
	const char *dir = getenv("TLSR_DATA");
	size_t i;

	/* Windows 11: TLS 1.2 holds everywhere, so only the proof can hold
	 * back a policy turning SSL 3.0, TLS 1.0 and TLS 1.1 off. */
	snprintf(path, sizeof path, "%s/machines/win11.reg",
		 dir ? dir : "tests/data");
	ck_assert_int_eq(tlsr_regfile_read(path, &reg, &diag), TLSR_OK);
	policy_with(&p, "https://cm01.corp.example/SMS_MP/.sms_aut?mplist",
		    NULL);
	p.winhttp.keep = 0;
	p.winhttp.default_secure_protocols = 0xA00;
	p.schannel.disable = TLSR_PROTO_BIT(TLSR_PROTO_SSL3) |
			     TLSR_PROTO_BIT(TLSR_PROTO_TLS10) |
			     TLSR_PROTO_BIT(TLSR_PROTO_TLS11);

	/* Never probed (an exported file has no boot id either). */
	ck_assert_uint_eq(legacy_actions(reg, &p, &r), 0);
	ck_assert_int_eq(r->proof_listed, 1);
	ck_assert_int_eq(r->proven, 0);
	ck_assert_int_eq(r->ready_for_server, 0);
	for (i = 0; i < r->n_items; i++)
		if (r->items[i].phase == TLSR_PHASE_LEGACY &&
		    r->items[i].state != TLSR_STATE_OK) {
			ck_assert_int_eq(r->items[i].deferred, 1);
			ck_assert_str_eq(
			    r->items[i].reason,
			    "waits for a TLS 1.2 proof on the wire since this "
			    "boot: https://cm01.corp.example/SMS_MP/"
			    ".sms_aut?mplist has not been probed yet");
		}
	tlsr_report_free(r);

	/* Proven in this boot: the legacy step goes ahead. */
	tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
			    TLSR_BOOT_ID, "boot-1");
	endpoint(&e, p.proof.endpoints[0], TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	ck_assert_int_eq(tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z",
					   "boot-1", NULL),
			 TLSR_OK);
	ck_assert_uint_gt(legacy_actions(reg, &p, &r), 0);
	ck_assert_int_eq(r->proven, 1);
	ck_assert_int_eq(r->ready_for_server, 1);
	tlsr_report_free(r);

	/* After a reboot, the old proof does not count. */
	tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
			    TLSR_BOOT_ID, "boot-2");
	ck_assert_uint_eq(legacy_actions(reg, &p, &r), 0);
	tlsr_report_free(r);

	/* A failed proof in this boot holds it back too. */
	endpoint(&e, p.proof.endpoints[0], TLSR_PROBE_PROTOCOL, "",
		 TLSR_PROBE_PROTOCOL, "");
	tlsr_proof_record(reg, &e, "2026-11-30T12:30:00Z", "boot-2", NULL);
	ck_assert_uint_eq(legacy_actions(reg, &p, &r), 0);
	tlsr_report_free(r);

	/* require_for_legacy_off: false lets it go without a proof. */
	p.proof.require_for_legacy_off = 0;
	ck_assert_uint_gt(legacy_actions(reg, &p, &r), 0);
	ck_assert_int_eq(r->proven, 0);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- the service: events once per change, Status ---- */

START_TEST(prove_events_once_per_change_of_outcome)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_probe_endpoint e;
	struct tlsr_prove pv;
	struct tlsr_policy p;
	char text[1200];

	n_ev = 0;
	policy_with(&p, "https://mp:1/", NULL);
	tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
			    TLSR_BOOT_ID, "b1");
	tlsr_prove_init(&pv, reg);
	endpoint(&e, "https://mp:1/", TLSR_PROBE_PROTOCOL, "",
		 TLSR_PROBE_PROTOCOL, "");
	tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z", "b1", NULL);
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 0);
	/* The same failure on the next probes: no new event. */
	tlsr_proof_record(reg, &e, "2026-11-30T16:00:00Z", "b1", NULL);
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 0);
	ck_assert_uint_eq(n_ev, 1);
	ck_assert_uint_eq(ev_ids[0], TLSR_EV_PROOF_FAILED);
	ck_assert_str_eq(ev_text[0],
			 "https://mp:1/|-|WinHTTP: TLS handshake failed "
			 "(12157: error 12157)|Legacy protocols are not "
			 "turned off until a proof succeeds.");
	endpoint(&e, "https://mp:1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	tlsr_proof_record(reg, &e, "2026-11-30T16:05:00Z", "b1", NULL);
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 1);
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 1);
	ck_assert_uint_eq(n_ev, 2);
	ck_assert_uint_eq(ev_ids[1], TLSR_EV_PROOF_PROVEN);
	ck_assert_str_eq(ev_text[1],
			 "https://mp:1/|tls1.2|tls1.2 negotiated|-");

	/* Status carries the outcome; a restarted service starts from it
	 * and does not report it again. */
	{
		struct tlsr_status st;

		memset(&st, 0, sizeof st);
		tlsr_prove_status(&st, reg, &p);
		ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
		ck_assert_int_eq(tlsr_reg_get_string(reg, TLSR_KEY_STATUS,
						     TLSR_VIEW_64, "ProofResult",
						     text, sizeof text),
				 TLSR_OK);
		ck_assert_str_eq(text, "proven");
		ck_assert_int_eq(tlsr_reg_get_string(reg, TLSR_KEY_STATUS,
						     TLSR_VIEW_64, "ProofTime",
						     text, sizeof text),
				 TLSR_OK);
		ck_assert_str_eq(text, "2026-11-30T16:05:00Z");
	}
	tlsr_prove_init(&pv, reg);
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 1);
	ck_assert_uint_eq(n_ev, 2);
	/* A reboot makes the proof stale: failed until probed again. */
	tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
			    TLSR_BOOT_ID, "b2");
	ck_assert_int_eq(tlsr_prove_report(&pv, reg, &p, NULL), 0);
	ck_assert_uint_eq(n_ev, 3);
	ck_assert_str_eq(ev_text[2],
			 "https://mp:1/|-|has not been probed since the last "
			 "boot|Legacy protocols are not turned off until a "
			 "proof succeeds.");
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(prove_status_values_follow_the_policy)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_probe_endpoint e;
	struct tlsr_status st;
	struct tlsr_policy p;
	char text[1200];
	uint32_t dw = 7;

	policy_with(&p, "https://mp:1/", "https://mp:2/");
	tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
			    TLSR_BOOT_ID, "b1");
	endpoint(&e, "https://mp:1/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.2");
	tlsr_proof_record(reg, &e, "2026-11-30T12:00:00Z", "b1", NULL);
	endpoint(&e, "https://mp:2/", TLSR_PROBE_OK, "", TLSR_PROBE_OK,
		 "tls1.0");
	tlsr_proof_record(reg, &e, "2026-11-30T12:00:01Z", "b1", NULL);
	memset(&st, 0, sizeof st);
	tlsr_prove_status(&st, reg, &p);
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					    "Proven", &dw),
			 TLSR_OK);
	ck_assert_uint_eq(dw, 0);
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, "ProofEndpoint",
			    text, sizeof text);
	ck_assert_str_eq(text, "https://mp:2/");
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, "ProofProtocol",
			    text, sizeof text);
	ck_assert_str_eq(text, "tls1.0");
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, "ProofResult",
			    text, sizeof text);
	ck_assert_str_eq(text, "failed: https://mp:2/: SChannel negotiated "
			       "tls1.0, older than TLS 1.2");
	/* A policy without endpoints: the values go. */
	tlsr_policy_defaults(&p);
	memset(&st, 0, sizeof st);
	tlsr_prove_status(&st, reg, &p);
	ck_assert_int_eq(tlsr_status_write(reg, &st), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
					    "Proven", &dw),
			 TLSR_ENOTFOUND);
	ck_assert_int_eq(tlsr_reg_get_string(reg, TLSR_KEY_STATUS,
					     TLSR_VIEW_64, "ProofResult", text,
					     sizeof text),
			 TLSR_ENOTFOUND);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- `tlsward probe` with a prober that plays the endpoints ---- */

/* Answers by port: 1 proven, 2 handshake refused, 3 unreachable, 4 TLS 1.0,
 * 5 untrusted certificate. */
static void fake_run(void *data, const struct tlsr_url *u, int insecure,
		     struct tlsr_probe_endpoint *out)
{
	int *calls = data;

	(*calls)++;
	switch (u->port) {
	case 1:
		endpoint(out, out->url, TLSR_PROBE_OK, "", TLSR_PROBE_OK,
			 "tls1.2");
		break;
	case 2:
		endpoint(out, out->url, TLSR_PROBE_PROTOCOL, "",
			 TLSR_PROBE_PROTOCOL, "");
		break;
	case 3:
		endpoint(out, out->url, TLSR_PROBE_UNREACHABLE, "",
			 TLSR_PROBE_UNREACHABLE, "");
		break;
	case 4:
		endpoint(out, out->url, TLSR_PROBE_OK, "", TLSR_PROBE_OK,
			 "tls1.0");
		break;
	default:
		endpoint(out, out->url,
			 insecure ? TLSR_PROBE_OK : TLSR_PROBE_TRUST, "",
			 insecure ? TLSR_PROBE_OK : TLSR_PROBE_TRUST,
			 "tls1.2");
		break;
	}
}

/* Runs the command with stdout captured into out; returns its code. */
static int run_probe(int *calls, char *out, size_t size, int argc, ...)
{
	struct tlsr_prober pr = {fake_run, calls};
	char *argv[16];
	char path[] = "/tmp/tlsr-probe-XXXXXX";
	va_list ap;
	int fd, saved, rc, i;
	ssize_t n;

	va_start(ap, argc);
	argv[0] = (char *)"probe";
	for (i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	rc = tlsr_probe_command(argc, argv, &pr);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

START_TEST(probe_exit_codes)
{
	char out[8192];
	int calls = 0;

	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2,
				   "https://mp:1/"),
			 TLSR_PROBE_EXIT_PROVEN);
	ck_assert_ptr_nonnull(strstr(out, "https://mp:1/: proven (tls1.2)"));
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3,
				   "https://mp:1/", "https://mp:2/"),
			 TLSR_PROBE_EXIT_FAILED);
	ck_assert_ptr_nonnull(strstr(out, "https://mp:2/: NOT proven: "
					  "WinHTTP: TLS handshake failed"));
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3,
				   "https://mp:1/", "https://mp:3/"),
			 TLSR_PROBE_EXIT_UNREACHABLE);
	/* A handshake failure outweighs an endpoint not reached. */
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3,
				   "https://mp:3/", "https://mp:2/"),
			 TLSR_PROBE_EXIT_FAILED);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2,
				   "https://mp:4/"),
			 TLSR_PROBE_EXIT_FAILED);
	/* Trust errors are not protocol failures. */
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2,
				   "https://mp:5/"),
			 TLSR_PROBE_EXIT_PROVEN);
	ck_assert_ptr_nonnull(strstr(out, "certificate not trusted"));
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3, "--insecure",
				   "https://mp:5/"),
			 TLSR_PROBE_EXIT_PROVEN);
	ck_assert_ptr_nonnull(strstr(out, "certificate not checked "
					  "(--insecure)"));
	ck_assert_int_eq(calls, 10);
}
END_TEST

START_TEST(probe_json_report)
{
	char out[8192];
	int calls = 0;

	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 5, "--format",
				   "json", "https://mp:5/", "https://mp:2/"),
			 TLSR_PROBE_EXIT_FAILED);
	ck_assert_ptr_nonnull(strstr(
	    out, "{\"insecure\": false, \"endpoints\": [{\"url\": "
		 "\"https://mp:5/\", \"proven\": true, \"reason\": \"\", "
		 "\"winhttp\": {\"result\": \"trust\", \"error\": 12045, "
		 "\"error_text\": \"error 12045\", \"protocol\": null, "
		 "\"cipher\": null, \"ms\": 12}, \"schannel\": {\"result\": "
		 "\"trust\", \"error\": 2148074278, \"error_text\": \"error "
		 "2148074278\", \"protocol\": \"tls1.2\""));
	ck_assert_ptr_nonnull(strstr(out, "\"proven\": false, \"exit_code\": "
					  "1}\n"));
}
END_TEST

START_TEST(probe_usage_errors)
{
	char out[4096];
	int calls = 0;
	char *argv[] = {(char *)"probe", (char *)"https://mp:1/"};

	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 1),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2,
				   "http://mp:1/"),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3, "--format",
				   "xml", "https://mp:1/"),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2, "--policy"),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3, "--policy",
				   "/nonexistent/policy.yaml"),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(calls, 0);
	/* No prober (off Windows). */
	ck_assert_int_eq(tlsr_probe_command(2, argv, NULL),
			 TLSR_PROBE_EXIT_USAGE);
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 2, "--help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "For labs"));
}
END_TEST

START_TEST(probe_record_keeps_results)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_proof_record rec;
	struct tlsr_policy p;
	char out[4096], why[1024];
	int calls = 0;

	ck_assert_int_eq(tlsr_reg_set_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
					     TLSR_BOOT_ID, "boot-7"),
			 TLSR_OK);
	live = reg;
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 4, "--record",
				   "https://mp:1/", "https://mp:2/"),
			 TLSR_PROBE_EXIT_FAILED);
	ck_assert_int_eq(tlsr_proof_read(reg, "https://mp:1/", &rec), TLSR_OK);
	ck_assert_int_eq(rec.proven, 1);
	ck_assert_str_eq(rec.protocol, "tls1.2");
	ck_assert_str_eq(rec.boot_id, "boot-7");
	ck_assert_int_eq((int)strlen(rec.time), 20);
	ck_assert_int_eq(tlsr_proof_read(reg, "https://mp:2/", &rec), TLSR_OK);
	ck_assert_int_eq(rec.proven, 0);
	policy_with(&p, "https://mp:1/", NULL);
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, NULL, why, sizeof why),
			 1);
	policy_with(&p, "https://mp:1/", "https://mp:2/");
	ck_assert_int_eq(tlsr_proof_satisfied(reg, &p, NULL, why, sizeof why),
			 0);
	/* A registry that cannot be opened: exit 4. */
	live = NULL;
	ck_assert_int_eq(run_probe(&calls, out, sizeof out, 3, "--record",
				   "https://mp:1/"),
			 TLSR_PROBE_EXIT_RECORD);
	tlsr_registry_destroy(reg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proof");
	TCase *tc = tcase_create("proof");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, proof_url_forms);
	tcase_add_loop_test(tc, proof_url_rejects, 0,
			    (int)(sizeof bad_urls / sizeof bad_urls[0]));
	tcase_add_test(tc, proof_endpoint_needs_tls12_from_both_methods);
	tcase_add_test(tc, proof_satisfied_only_by_this_boot);
	tcase_add_test(tc, proof_boot_id_from_the_service_key);
	tcase_add_test(tc, proof_record_refuses_foreign_values);
	tcase_add_test(tc, proof_record_write_failure_is_reported);
	tcase_add_test(tc, proof_summary_names_the_failing_endpoint);
	tcase_add_test(tc, proof_gates_legacy_off);
	tcase_add_test(tc, prove_events_once_per_change_of_outcome);
	tcase_add_test(tc, prove_status_values_follow_the_policy);
	tcase_add_test(tc, probe_exit_codes);
	tcase_add_test(tc, probe_json_report);
	tcase_add_test(tc, probe_usage_errors);
	tcase_add_test(tc, probe_record_keeps_results);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
