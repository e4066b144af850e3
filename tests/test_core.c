/* Engine tests: settings, facts, check, plan, apply, journal, rollback and
 * output, on in-memory machines and the .reg machine fixtures. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsr.h"
#include "risks.h"

#define CV "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define WINHTTP                                                                \
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet "              \
	"Settings\\WinHttp"
#define PROTOS                                                                 \
	"SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Pro" \
	"tocols"
#define TLS12_CLIENT PROTOS "\\TLS 1.2\\Client"
#define NET4 "SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"
#define NET2 "SOFTWARE\\Microsoft\\.NETFramework\\v2.0.50727"
#define NDP "SOFTWARE\\Microsoft\\NET Framework Setup\\NDP"
#define CBS                                                                    \
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based "       \
	"Servicing\\Packages"
#define KB_PKG "Package_for_KB3140245~31bf3856ad364e35~amd64~~6.1.1.2"

/* ---- machines ---- */

struct machine_spec {
	const char *version; /* CurrentVersion */
	unsigned major;	     /* CurrentMajorVersionNumber, 0: absent */
	const char *build;
	const char *csd;
	const char *type;
	const char *product;
	int x64;
	int kb; /* 1: CBS package installed, 0: other packages only */
	uint32_t net4;
};

static const struct machine_spec win7 = {
    "6.1", 0, "7601", "Service Pack 1", "Client", "Windows 7 Enterprise",
    1,	   0, 379893,
};
static const struct machine_spec win7_patched = {
    "6.1", 0, "7601", "Service Pack 1", "Client", "Windows 7 Enterprise",
    1,	   1, 528040,
};
static const struct machine_spec server2012 = {
    "6.2", 0, "9200", NULL, "Server", "Windows Server 2012 Standard",
    1,	   0, 379893,
};
static const struct machine_spec win81 = {
    "6.3", 0, "9600", NULL, "Client", "Windows 8.1 Pro", 1, 0, 379893,
};
static const struct machine_spec win10 = {
    "6.3", 10, "19045", NULL, "Client", "Windows 10 Enterprise", 1, 0, 528372,
};
static const struct machine_spec win10_x86 = {
    "6.3", 10, "19045", NULL, "Client", "Windows 10 Enterprise", 0, 0, 379893,
};

static void put_dword(struct tlsr_registry *reg, const char *path,
		      enum tlsr_view view, const char *name, uint32_t v)
{
	ck_assert_int_eq(tlsr_reg_set_dword(reg, path, view, name, v), TLSR_OK);
}

static void put_string(struct tlsr_registry *reg, const char *path,
		       enum tlsr_view view, const char *name, const char *s)
{
	ck_assert_int_eq(tlsr_reg_set_string(reg, path, view, name, s),
			 TLSR_OK);
}

static struct tlsr_registry *make_machine(const struct machine_spec *m)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();

	ck_assert_ptr_nonnull(reg);
	put_string(reg, CV, TLSR_VIEW_64, "CurrentVersion", m->version);
	if (m->major) {
		put_dword(reg, CV, TLSR_VIEW_64, "CurrentMajorVersionNumber",
			  m->major);
		put_dword(reg, CV, TLSR_VIEW_64, "CurrentMinorVersionNumber",
			  0);
	}
	put_string(reg, CV, TLSR_VIEW_64, "CurrentBuild", m->build);
	put_string(reg, CV, TLSR_VIEW_64, "CurrentBuildNumber", m->build);
	if (m->csd)
		put_string(reg, CV, TLSR_VIEW_64, "CSDVersion", m->csd);
	put_string(reg, CV, TLSR_VIEW_64, "InstallationType", m->type);
	put_string(reg, CV, TLSR_VIEW_64, "ProductName", m->product);
	if (m->x64)
		put_string(reg, "SOFTWARE\\Wow6432Node\\Microsoft",
			   TLSR_VIEW_64, "", "");
	if (m->net4)
		put_dword(reg, NDP "\\v4\\Full", TLSR_VIEW_64, "Release",
			  m->net4);
	put_dword(reg, NDP "\\v3.5", TLSR_VIEW_64, "Install", 1);
	put_dword(reg,
		  CBS "\\Package_for_KB2999226~31bf3856ad364e35~amd64~~6.1.1.1",
		  TLSR_VIEW_64, "CurrentState", 0x70);
	if (m->kb)
		put_dword(reg, CBS "\\" KB_PKG, TLSR_VIEW_64, "CurrentState",
			  0x70);
	/* .NET 3.5's TLS 1.2 updates, as on any patched machine. */
	put_dword(reg, CBS "\\Package_for_KB3154518~31bf3856ad364e35~amd64~~6.1.1.0",
		  TLSR_VIEW_64, "CurrentState", 0x70);
	put_dword(reg, CBS "\\Package_for_KB3154519_RTM~31bf3856ad364e35~amd64~~6.2.1.0",
		  TLSR_VIEW_64, "CurrentState", 0x70);
	put_dword(reg, CBS "\\Package_for_KB3154520_RTM~31bf3856ad364e35~amd64~~6.3.1.0",
		  TLSR_VIEW_64, "CurrentState", 0x70);
	/* WinHttp exists on every Windows, without the value. */
	put_string(reg, WINHTTP, TLSR_VIEW_64, "", "");
	return reg;
}

static struct tlsr_registry *load_fixture(const char *name)
{
	const char *dir = getenv("TLSR_DATA");
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;
	char path[1024], msg[1200];
	tlsr_err err;

	ck_assert_msg(dir != NULL, "TLSR_DATA is not set");
	snprintf(path, sizeof path, "%s/machines/%s.reg", dir, name);
	err = tlsr_regfile_read(path, &reg, &diag);
	if (err != TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		ck_abort_msg("%s: %s", path, msg);
	}
	return reg;
}

/* The boot the simulated machine is in; reboot() moves to the next one. */
static unsigned boot_number = 1;

static void boot_id_of(unsigned n, char *buf, size_t size)
{
	snprintf(buf, size, "2026-11-30T04:00:00Z-%08x", n);
}

static void reboot(void)
{
	boot_number++;
}

static struct tlsr_facts read_facts(struct tlsr_registry *reg)
{
	struct tlsr_facts f;

	ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
	boot_id_of(boot_number, f.boot_id, sizeof f.boot_id);
	return f;
}

static struct tlsr_report *check_seed(struct tlsr_registry *reg,
				      const struct tlsr_policy *p)
{
	struct tlsr_facts f = read_facts(reg);
	struct tlsr_report *r = NULL;

	ck_assert_int_eq(tlsr_check(reg, p, &f, &r), TLSR_OK);
	ck_assert_ptr_nonnull(r);
	return r;
}

static const struct tlsr_item *find_item(const struct tlsr_report *r,
					 const char *id)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		if (strcmp(r->items[i].id, id) == 0)
			return &r->items[i];
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t dword_at(struct tlsr_registry *reg, const char *path,
			 enum tlsr_view view, const char *name)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_msg(tlsr_reg_get_dword(reg, path, view, name, &v) == TLSR_OK,
		      "%s\\%s is not a readable DWORD", path, name);
	return v;
}

static int value_absent(struct tlsr_registry *reg, const char *path,
			enum tlsr_view view, const char *name)
{
	struct tlsr_value v;
	tlsr_err err = tlsr_reg_get(reg, path, view, name, &v);

	tlsr_value_clear(&v);
	return err == TLSR_ENOTFOUND;
}

/* One check -> plan -> apply pass; returns apply's result code and leaves the
 * apply result in *res. */
static tlsr_err pass_once(struct tlsr_registry *reg,
			  const struct tlsr_policy *p,
			  struct tlsr_apply_result *res)
{
	struct tlsr_report *r = NULL;
	struct tlsr_plan *plan = NULL;
	struct tlsr_facts f;
	tlsr_err err;

	memset(res, 0, sizeof *res);
	err = tlsr_facts_read(reg, &f);
	if (err != TLSR_OK)
		return err;
	boot_id_of(boot_number, f.boot_id, sizeof f.boot_id);
	err = tlsr_check(reg, p, &f, &r);
	if (err != TLSR_OK)
		return err;
	err = tlsr_plan_make(r, &plan);
	if (err == TLSR_OK)
		err = tlsr_apply(reg, r, plan, NULL, NULL, res);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	return err;
}

/* Every value under SOFTWARE and SYSTEM except tlsward's own key, one line
 * each, so two states compare exactly. */
static void dump_key(struct tlsr_registry *reg, const char *path, char **out,
		     size_t *len)
{
	struct tlsr_key *key = NULL;
	char name[TLSR_REG_NAME_MAX], child[2048];
	size_t i, j;

	if (strncmp(path, TLSR_KEY_ROOT, strlen(TLSR_KEY_ROOT)) == 0)
		return;
	ck_assert_int_eq(reg->ops->open_key(reg, path, TLSR_VIEW_64, 0, &key),
			 TLSR_OK);
	for (i = 0;
	     reg->ops->enum_value(reg, key, i, name, sizeof name) == TLSR_OK;
	     i++) {
		struct tlsr_value v;
		size_t need;
		char *grown;

		ck_assert_int_eq(reg->ops->get_value(reg, key, name, &v),
				 TLSR_OK);
		need = strlen(path) + strlen(name) + 3 * v.size + 64;
		grown = realloc(*out, *len + need);
		ck_assert_ptr_nonnull(grown);
		*out = grown;
		*len += (size_t)sprintf(*out + *len, "%s|%s|%u|", path, name,
					(unsigned)v.type);
		for (j = 0; j < v.size; j++)
			*len += (size_t)sprintf(*out + *len, "%02x", v.data[j]);
		*len += (size_t)sprintf(*out + *len, "\n");
		tlsr_value_clear(&v);
	}
	for (i = 0;
	     reg->ops->enum_subkey(reg, key, i, name, sizeof name) == TLSR_OK;
	     i++) {
		snprintf(child, sizeof child, "%s\\%s", path, name);
		dump_key(reg, child, out, len);
	}
	reg->ops->close_key(reg, key);
}

static char *dump(struct tlsr_registry *reg)
{
	char *out = calloc(1, 1);
	size_t len = 0;

	ck_assert_ptr_nonnull(out);
	dump_key(reg, "SOFTWARE", &out, &len);
	dump_key(reg, "SYSTEM", &out, &len);
	return out;
}

static size_t journal_entries(struct tlsr_registry *reg)
{
	struct tlsr_key *key = NULL;
	char name[TLSR_REG_NAME_MAX];
	size_t n = 0;

	if (reg->ops->open_key(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, 0, &key) !=
	    TLSR_OK)
		return 0;
	while (reg->ops->enum_value(reg, key, n, name, sizeof name) == TLSR_OK)
		n++;
	reg->ops->close_key(reg, key);
	return n;
}

/* ---- settings and facts ---- */

START_TEST(core_settings_ids_are_unique_and_findable)
{
	size_t i, j, schannel = 0, both = 0;

	for (i = 0; i < tlsr_settings_count; i++) {
		const struct tlsr_setting *s = &tlsr_settings[i];

		ck_assert_ptr_eq(tlsr_setting_find(s->id), s);
		ck_assert_uint_eq(s->type, TLSR_REG_DWORD);
		ck_assert_ptr_null(strstr(s->key, "Wow6432Node"));
		ck_assert_ptr_nonnull(s->absent);
		for (j = i + 1; j < tlsr_settings_count; j++)
			ck_assert_str_ne(s->id, tlsr_settings[j].id);
		if (s->component == TLSR_COMP_SCHANNEL) {
			schannel++;
			ck_assert_uint_eq(s->views, TLSR_VIEWS_ONE);
		} else {
			both++;
			ck_assert_uint_eq(s->views, TLSR_VIEWS_BOTH);
		}
		/* The table is in apply order of components. */
		if (i > 0)
			ck_assert_int_ge(s->component,
					 tlsr_settings[i - 1].component);
	}
	/* 6 protocols x 2 sides x 2 values; DSP + 2 frameworks x 2. */
	ck_assert_uint_eq(schannel, 24);
	ck_assert_uint_eq(both, 5);
	ck_assert_ptr_nonnull(
	    tlsr_setting_find("schannel.tls1.2.client.enabled"));
	ck_assert_ptr_nonnull(
	    tlsr_setting_find("dotnet.v2.0.50727.system_default_tls_versions"));
	ck_assert_ptr_null(tlsr_setting_find("schannel.tls1.2.client"));
	ck_assert_str_eq(
	    tlsr_setting_find("schannel.tls1.2.server.disabled_by_default")
		->key,
	    PROTOS "\\TLS 1.2\\Server");
}
END_TEST

START_TEST(core_proto_names_round_trip)
{
	enum tlsr_proto p;
	char buf[128];

	ck_assert_int_eq(tlsr_proto_parse("TLS1.2", &p), 0);
	ck_assert_int_eq(p, TLSR_PROTO_TLS12);
	ck_assert_str_eq(tlsr_proto_schannel_name(p), "TLS 1.2");
	ck_assert_uint_eq(tlsr_proto_winhttp_bit(p), 0x800);
	ck_assert_int_eq(tlsr_proto_parse("tls1.4", &p), -1);
	tlsr_winhttp_describe(0xAA0, buf, sizeof buf);
	ck_assert_str_eq(buf, "ssl3 tls1.0 tls1.1 tls1.2");
	tlsr_winhttp_describe(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "none");
}
END_TEST

START_TEST(core_facts_read_win7_and_win10)
{
	struct tlsr_registry *reg = make_machine(&win7);
	struct tlsr_facts f = read_facts(reg);
	char name[128];

	ck_assert(f.os_known);
	ck_assert_uint_eq(f.os_major, 6);
	ck_assert_uint_eq(f.os_minor, 1);
	ck_assert_uint_eq(f.os_build, 7601);
	ck_assert_uint_eq(f.os_sp, 1);
	ck_assert(!f.is_server);
	ck_assert(f.x64);
	ck_assert(f.net35);
	ck_assert_int_eq(f.kb3140245, TLSR_NO);
	ck_assert_uint_eq(f.net4_release, 379893);
	tlsr_facts_net_name(&f, name, sizeof name);
	ck_assert_str_eq(name, ".NET Framework 4.5.2");
	ck_assert(tlsr_facts_needs_kb3140245(&f));
	ck_assert(!tlsr_facts_tls12_default_on(&f));
	tlsr_registry_destroy(reg);

	reg = make_machine(&win10);
	f = read_facts(reg);
	/* CurrentVersion says 6.3 on Windows 10; the dwords win. */
	ck_assert_uint_eq(f.os_major, 10);
	ck_assert_uint_eq(f.os_minor, 0);
	ck_assert_uint_eq(f.os_build, 19045);
	ck_assert(!tlsr_facts_needs_kb3140245(&f));
	ck_assert(tlsr_facts_tls12_default_on(&f));
	tlsr_facts_net_name(&f, name, sizeof name);
	ck_assert_str_eq(name, ".NET Framework 4.8");
	tlsr_registry_destroy(reg);

	reg = make_machine(&win7_patched);
	f = read_facts(reg);
	ck_assert_int_eq(f.kb3140245, TLSR_YES);
	ck_assert_ptr_nonnull(strstr(f.kb3140245_source, KB_PKG));
	tlsr_registry_destroy(reg);

	reg = make_machine(&server2012);
	put_string(reg, CV, TLSR_VIEW_64, "InstallationType", "Server Core");
	put_dword(
	    reg, "SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy",
	    TLSR_VIEW_NONE, "Enabled", 1);
	f = read_facts(reg);
	ck_assert(f.is_server);
	ck_assert(f.fips);
	ck_assert(tlsr_facts_needs_kb3140245(&f));
	ck_assert(tlsr_facts_tls12_default_on(&f));
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_facts_empty_registry_is_unknown_not_error)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	struct tlsr_facts f = read_facts(reg);
	char name[128];

	ck_assert(!f.os_known);
	ck_assert(!f.x64);
	ck_assert_int_eq(f.kb3140245, TLSR_UNKNOWN);
	ck_assert_uint_eq(f.net4_release, 0);
	tlsr_facts_net_name(&f, name, sizeof name);
	ck_assert_str_eq(name, "none (below .NET Framework 4.5)");
	tlsr_registry_destroy(reg);
}
END_TEST

/* The servicing store holds thousands of packages on a serviced machine:
 * the updates the OS row names (WinHTTP's and .NET 3.5's on Windows 7) are
 * looked for in one pass over it, which ends once each is found, or at the
 * end when one is missing. */
START_TEST(core_facts_servicing_store_read_in_one_pass)
{
	static const struct machine_spec *const specs[] = {&win7,
							   &win7_patched};
	struct tlsr_reg_counts c;
	char path[256];

	for (size_t m = 0; m < 2; m++) {
		struct tlsr_registry *reg =
		    tlsr_registry_fault_new(make_machine(specs[m]));
		struct tlsr_facts f;

		for (int i = 0; i < 300; i++) {
			snprintf(path, sizeof path,
				 CBS "\\Package_for_KB9%06d~31bf3856ad364e35~"
				     "amd64~~6.1.1.0",
				 i);
			put_dword(reg, path, TLSR_VIEW_64, "CurrentState",
				  0x70);
		}
		if (!specs[m]->kb)
			ck_assert_int_eq(
			    reg->ops->delete_key(
				reg,
				CBS "\\Package_for_KB3154518~"
				    "31bf3856ad364e35~amd64~~6.1.1.0",
				TLSR_VIEW_64),
			    TLSR_OK);
		tlsr_fault_arm(reg, 0, TLSR_OK);
		f = read_facts(reg);
		tlsr_fault_counts(reg, &c);
		if (specs[m]->kb) {
			ck_assert_int_eq(f.kb3140245, TLSR_YES);
			ck_assert_int_eq(f.net35_update, TLSR_YES);
			/* Both found among the first packages. */
			ck_assert_uint_lt(c.enumerate, 10);
		} else {
			ck_assert_int_eq(f.kb3140245, TLSR_NO);
			ck_assert_ptr_nonnull(
			    strstr(f.kb3140245_source, "no KB3140245"));
			ck_assert_int_eq(f.net35_update, TLSR_NO);
			ck_assert_ptr_nonnull(
			    strstr(f.net35_update_source, "no KB3154518"));
			/* 303 packages and the end of the list, once. */
			ck_assert_uint_eq(c.enumerate, 304);
		}
		tlsr_registry_destroy(reg);
	}
}
END_TEST

START_TEST(core_kb_package_not_installed_is_no)
{
	struct tlsr_registry *reg = make_machine(&win7);
	struct tlsr_facts f;

	/* Staged but not installed (0x40) does not count. */
	put_dword(reg, CBS "\\" KB_PKG, TLSR_VIEW_64, "CurrentState", 0x40);
	f = read_facts(reg);
	ck_assert_int_eq(f.kb3140245, TLSR_NO);
	ck_assert_ptr_nonnull(strstr(f.kb3140245_source, "not installed"));
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_policy_defaults_are_the_seed)
{
	struct tlsr_policy p;

	tlsr_policy_defaults(&p);
	ck_assert_int_eq(p.version, 1);
	ck_assert_int_eq(p.mode, TLSR_MODE_ENFORCE);
	ck_assert_uint_eq(p.winhttp.default_secure_protocols, 0xAA0);
	ck_assert_uint_eq(p.winhttp.keep, TLSR_PROTO_BIT(TLSR_PROTO_SSL3) |
					      TLSR_PROTO_BIT(TLSR_PROTO_TLS10));
	ck_assert(p.winhttp.prestage);
	ck_assert_uint_eq(p.schannel.enable, TLSR_PROTO_BIT(TLSR_PROTO_TLS12));
	ck_assert_uint_eq(p.schannel.disable, 0);
	ck_assert_uint_eq(p.schannel.sides, TLSR_SIDE_CLIENT);
	ck_assert(p.dotnet.strong_crypto &&
		  p.dotnet.system_default_tls_versions);
	ck_assert_int_eq(p.restart.mode, TLSR_RESTART_MODE_SCHEDULE);
	ck_assert_uint_eq(p.restart.window_start, 120);
	ck_assert_uint_eq(p.restart.window_end, 240);
	ck_assert_uint_eq(p.restart.grace, 900);
	ck_assert_str_eq(p.restart.message, "TLS 1.2 settings changed; this "
					    "computer restarts in 15 minutes.");
	ck_assert_uint_eq(p.check.interval, 900);
	ck_assert_uint_eq(p.check.jitter, 180);
	ck_assert_uint_eq(p.conflict.max_reverts, 5);
	ck_assert_uint_eq(p.conflict.window, 600);
	ck_assert_str_eq(p.source.path, "");
	ck_assert_uint_eq(p.source.poll, 600);
}
END_TEST

/* ---- check ---- */

START_TEST(core_both_views_on_x64_one_on_x86)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	const struct tlsr_item *it;

	tlsr_policy_defaults(&p);
	reg = make_machine(&win10);
	r = check_seed(reg, &p);
	/* DSP x2, TLS 1.2 client x2, .NET 4 values x 2 frameworks x 2. */
	ck_assert_uint_eq(r->n_items, 2 + 2 + 8);
	it = find_item(r, "winhttp.default_secure_protocols@32");
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(it->view, TLSR_VIEW_32);
	ck_assert_int_eq(find_item(r, "winhttp.default_secure_protocols")->view,
			 TLSR_VIEW_64);
	ck_assert_int_eq(find_item(r, "schannel.tls1.2.client.enabled")->view,
			 TLSR_VIEW_NONE);
	ck_assert_ptr_null(find_item(r, "schannel.tls1.2.client.enabled@32"));
	ck_assert_ptr_null(find_item(r, "schannel.tls1.2.server.enabled"));
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	reg = make_machine(&win10_x86);
	r = check_seed(reg, &p);
	ck_assert_uint_eq(r->n_items, 1 + 2 + 4);
	ck_assert_ptr_null(find_item(r, "winhttp.default_secure_protocols@32"));
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_value_in_one_view_only_is_missing_in_the_other)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_report *r;

	tlsr_policy_defaults(&p);
	put_dword(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols", 0xAA0);
	r = check_seed(reg, &p);
	ck_assert_int_eq(
	    find_item(r, "winhttp.default_secure_protocols")->state,
	    TLSR_STATE_OK);
	ck_assert_int_eq(
	    find_item(r, "winhttp.default_secure_protocols@32")->state,
	    TLSR_STATE_MISSING);
	ck_assert(!r->compliant);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_enabled_ffffffff_counts_as_on)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	size_t i;

	tlsr_policy_defaults(&p);
	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "Enabled", 0xffffffff);
	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "DisabledByDefault", 0);
	r = check_seed(reg, &p);
	ck_assert_int_eq(find_item(r, "schannel.tls1.2.client.enabled")->state,
			 TLSR_STATE_OK);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	for (i = 0; i < plan->n_actions; i++)
		ck_assert_int_ne(r->items[plan->actions[i].item].def->component,
				 TLSR_COMP_SCHANNEL);
	tlsr_plan_free(plan);
	tlsr_report_free(r);

	/* DisabledByDefault 0xffffffff is not 0: that one is wrong. */
	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "DisabledByDefault",
		  0xffffffff);
	r = check_seed(reg, &p);
	ck_assert_int_eq(
	    find_item(r, "schannel.tls1.2.client.disabled_by_default")->state,
	    TLSR_STATE_MISMATCH);
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_wrong_type_is_mismatch_and_rewritten_as_dword)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win10);
	struct tlsr_report *r;
	struct tlsr_apply_result res;
	struct tlsr_value v;
	char *json;

	tlsr_policy_defaults(&p);
	put_string(reg, NET4, TLSR_VIEW_32, "SchUseStrongCrypto", "1");
	r = check_seed(reg, &p);
	ck_assert_int_eq(
	    find_item(r, "dotnet.v4.0.30319.strong_crypto@32")->state,
	    TLSR_STATE_MISMATCH);
	json = tlsr_report_json(r);
	ck_assert_ptr_nonnull(
	    strstr(json, "\"id\": \"dotnet.v4.0.30319.strong_crypto@32\""));
	ck_assert_ptr_nonnull(
	    strstr(json, "\"actual\": {\"type\": \"REG_SZ\", \"data\": \"1\"}, "
			 "\"state\": \"mismatch\""));
	free(json);
	tlsr_report_free(r);

	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_int_eq(
	    tlsr_reg_get(reg, NET4, TLSR_VIEW_32, "SchUseStrongCrypto", &v),
	    TLSR_OK);
	ck_assert_uint_eq(v.type, TLSR_REG_DWORD);
	ck_assert_uint_eq(v.size, 4);
	ck_assert_uint_eq(v.data[0], 1);
	tlsr_value_clear(&v);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_win7_unpatched_blocks_winhttp_and_prestages)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7);
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	struct tlsr_apply_result res;
	const struct tlsr_item *it;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	it = find_item(r, "winhttp.default_secure_protocols@32");
	ck_assert_int_eq(it->state, TLSR_STATE_BLOCKED);
	ck_assert(it->write);
	ck_assert_ptr_nonnull(strstr(it->reason, "KB3140245 is not installed"));
	ck_assert(r->blocked);
	ck_assert_ptr_nonnull(strstr(r->blocked_reasons,
				     "KB3140245 is not installed (WinHTTP on "
				     "Windows 7 needs it for TLS 1.2"));
	ck_assert(!r->compliant);
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP]);
	ck_assert(r->restart_required);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_ge(plan->n_actions, 4);
	/* SChannel's TLS 1.2 first: WinHTTP's needs it on NT 6.1. */
	ck_assert_int_eq(plan->actions[0].phase, TLSR_PHASE_SCHANNEL);
	ck_assert_int_eq(plan->actions[2].phase, TLSR_PHASE_WINHTTP);
	/* Pre-staged, the value owes no restart: the update brings one. */
	ck_assert_int_eq(plan->actions[2].restart, TLSR_RESTART_NONE);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, NULL, NULL, &res), TLSR_OK);
	tlsr_plan_free(plan);
	tlsr_report_free(r);

	/* Pre-staged: the values are there, still blocked, never compliant,
	 * and not written again. */
	ck_assert_uint_eq(
	    dword_at(reg, WINHTTP, TLSR_VIEW_32, "DefaultSecureProtocols"),
	    0xAA0);
	r = check_seed(reg, &p);
	ck_assert_int_eq(
	    find_item(r, "winhttp.default_secure_protocols")->state,
	    TLSR_STATE_BLOCKED);
	ck_assert(!find_item(r, "winhttp.default_secure_protocols")->write);
	ck_assert(!r->compliant);
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP]);
	ck_assert(!r->ready_for_server);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, 0);
	tlsr_plan_free(plan);
	tlsr_report_free(r);

	/* Without prestage nothing is written to WinHTTP. */
	tlsr_registry_destroy(reg);
	reg = make_machine(&win7);
	p.winhttp.prestage = 0;
	r = check_seed(reg, &p);
	ck_assert(!find_item(r, "winhttp.default_secure_protocols")->write);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_int_ne(plan->actions[0].phase, TLSR_PHASE_WINHTTP);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_win7_patched_is_not_blocked)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_report *r;
	struct tlsr_apply_result res;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	ck_assert(!r->blocked);
	ck_assert_str_eq(r->blocked_reasons, "");
	ck_assert_int_eq(
	    find_item(r, "winhttp.default_secure_protocols")->state,
	    TLSR_STATE_MISSING);
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	/* Every value is in, but none holds until the restart. */
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP]);
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(!r->tls12[TLSR_COMP_DOTNET]);
	ck_assert(r->restart_pending);
	ck_assert(!r->ready_for_server);
	tlsr_report_free(r);
	reboot();
	r = check_seed(reg, &p);
	ck_assert(r->tls12[TLSR_COMP_WINHTTP]);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(r->tls12[TLSR_COMP_DOTNET]);
	ck_assert(r->ready_for_server);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_tls12_default_differs_on_61_and_62)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;

	tlsr_policy_defaults(&p);
	reg = make_machine(&win7_patched);
	r = check_seed(reg, &p);
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	/* DSP absent on 6.1: the OS default 0x0a0 lacks TLS 1.2. */
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP]);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	reg = make_machine(&server2012);
	put_dword(reg, CBS "\\" KB_PKG, TLSR_VIEW_64, "CurrentState", 0x70);
	r = check_seed(reg, &p);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP]);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	reg = make_machine(&win81);
	r = check_seed(reg, &p);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(r->tls12[TLSR_COMP_WINHTTP]);
	/* .NET 4.5.2 without the values does not use TLS 1.2. */
	ck_assert(!r->tls12[TLSR_COMP_DOTNET]);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	reg = make_machine(&win10);
	r = check_seed(reg, &p);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(r->tls12[TLSR_COMP_WINHTTP]);
	/* .NET 4.8 follows the OS unless told otherwise. */
	ck_assert(r->tls12[TLSR_COMP_DOTNET]);
	ck_assert(r->ready_for_server);
	ck_assert(!r->compliant);
	tlsr_report_free(r);

	/* An explicit TLS 1.2 off on a new OS wins over the default. */
	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "Enabled", 0);
	put_dword(reg, NET4, TLSR_VIEW_32, "SystemDefaultTlsVersions", 0);
	r = check_seed(reg, &p);
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(!r->tls12[TLSR_COMP_DOTNET]);
	ck_assert(!r->ready_for_server);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_restart_owed_until_the_next_boot)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_apply_result res;
	struct tlsr_report *r;
	int owed;

	tlsr_policy_defaults(&p);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert(res.restart_required);
	/* The engine records what is owed in the ledger, never in Status. */
	ck_assert(
	    value_absent(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, "RestartPending"));
	ck_assert_int_eq(tlsr_owed_has(reg, "", "schannel.tls1.2.client.enabled",
				       &owed),
			 TLSR_OK);
	ck_assert(owed);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	ck_assert(r->restart_pending);
	ck_assert(r->restart_required);
	ck_assert(r->owed[TLSR_COMP_SCHANNEL]);
	/* Windows 7 SChannel TLS 1.2 does not hold before the restart. */
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(!r->ready_for_server);
	tlsr_report_free(r);

	reboot();
	r = check_seed(reg, &p);
	ck_assert(!r->restart_pending);
	ck_assert(!r->restart_required);
	ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(r->ready_for_server);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- the restart-owed ledger ---- */

static struct tlsr_value dword_value(uint8_t *buf, uint32_t v)
{
	struct tlsr_value out = {TLSR_REG_DWORD, 4, buf};

	buf[0] = (uint8_t)v;
	buf[1] = (uint8_t)(v >> 8);
	buf[2] = (uint8_t)(v >> 16);
	buf[3] = (uint8_t)(v >> 24);
	return out;
}

static int owed_has(struct tlsr_registry *reg, const char *boot,
		    const char *id)
{
	int out = -1;

	ck_assert_int_eq(tlsr_owed_has(reg, boot, id, &out), TLSR_OK);
	return out;
}

static int owed_any(struct tlsr_registry *reg, const char *boot)
{
	int out = -1;

	ck_assert_int_eq(tlsr_owed_any(reg, boot, &out), TLSR_OK);
	return out;
}

START_TEST(core_owed_first_write_in_a_boot_keeps_the_at_boot_value)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	uint8_t b0[4], b1[4], b2[4];
	struct tlsr_value v0 = dword_value(b0, 0), v1 = dword_value(b1, 1),
			  v2 = dword_value(b2, 2);
	const char *id = "schannel.tls1.2.client.enabled";

	ck_assert(!owed_any(reg, "A"));
	/* Absent at boot, written 1: owed. */
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", id, NULL, &v1),
			 TLSR_OK);
	ck_assert(owed_has(reg, "A", id));
	/* A second write in the same boot keeps "absent" as the at-boot
	 * value: writing 2 over 1 is still owed. */
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", id, &v1, &v2),
			 TLSR_OK);
	ck_assert(owed_has(reg, "A", id));
	ck_assert(value_absent(reg, TLSR_KEY_RESTART "\\" "schannel.tls1.2."
						      "client.enabled",
			       TLSR_VIEW_64, "Before"));
	tlsr_registry_destroy(reg);

	/* Present 0 at boot, written 1, then 0 again: back to what the
	 * boot runs with, nothing owed. */
	reg = tlsr_registry_mem_new();
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", id, &v0, &v1),
			 TLSR_OK);
	ck_assert(owed_has(reg, "A", id));
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", id, &v1, &v0),
			 TLSR_OK);
	ck_assert(!owed_has(reg, "A", id));
	ck_assert(!owed_any(reg, "A"));
	/* Writing what is there owes nothing. */
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", id, &v1, &v1),
			 TLSR_OK);
	ck_assert(!owed_any(reg, "A"));
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_owed_settles_only_on_a_known_new_boot)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	uint8_t b1[4];
	struct tlsr_value v1 = dword_value(b1, 1);
	char list[256];
	size_t n;

	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", "dotnet.v4.0.30319."
						       "strong_crypto@32",
					      NULL, &v1),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_owed_note_write(reg, "", "winhttp.default_"
						      "secure_protocols",
					      NULL, &v1),
			 TLSR_OK);
	/* Unknown boot: nothing is ever taken as settled. */
	ck_assert_int_eq(tlsr_owed_settle(reg, ""), TLSR_OK);
	ck_assert_int_eq(tlsr_owed_settle(reg, NULL), TLSR_OK);
	ck_assert(owed_any(reg, ""));
	ck_assert(owed_has(reg, "", "dotnet.v4.0.30319.strong_crypto@32"));
	/* Same boot: still owed. */
	ck_assert_int_eq(tlsr_owed_settle(reg, "A"), TLSR_OK);
	ck_assert(owed_has(reg, "A", "dotnet.v4.0.30319.strong_crypto@32"));
	ck_assert_int_eq(tlsr_owed_list(reg, "A", list, sizeof list, &n),
			 TLSR_OK);
	ck_assert_uint_eq(n, 2);
	/* The offline entry was stamped with boot A: boot B settles both. */
	ck_assert(owed_has(reg, "B", "winhttp.default_secure_protocols") == 0);
	ck_assert(owed_has(reg, "B", "dotnet.v4.0.30319.strong_crypto@32") ==
		  0);
	ck_assert_int_eq(tlsr_owed_settle(reg, "B"), TLSR_OK);
	ck_assert(!owed_any(reg, ""));
	ck_assert_int_eq(tlsr_owed_list(reg, "", list, sizeof list, &n),
			 TLSR_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert(list[0] == '\0' && list[1] == '\0');
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_owed_interrupted_entry_stays_owed)
{
	struct tlsr_registry *reg = tlsr_registry_mem_new();
	uint8_t b0[4];
	struct tlsr_value v0 = dword_value(b0, 0);
	char list[64];
	size_t n;

	/* An entry with a boot id but no at-boot value (a write stopped half
	 * way): no later write can prove the restart unnecessary. */
	put_string(reg, TLSR_KEY_RESTART "\\schannel.tls1.2.client.enabled",
		   TLSR_VIEW_64, "BootId", "A");
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A",
					      "schannel.tls1.2.client.enabled",
					      NULL, &v0),
			 TLSR_OK);
	ck_assert(owed_has(reg, "A", "schannel.tls1.2.client.enabled"));
	/* A list too small for the ids says so. */
	ck_assert_int_eq(tlsr_owed_list(reg, "A", list, 8, &n), TLSR_ERANGE);
	ck_assert_int_eq(tlsr_owed_note_write(reg, "A", "bad\\id", NULL, &v0),
			 TLSR_EINVAL);
	tlsr_registry_destroy(reg);
}
END_TEST

/* A policy with a legacy step: keep SSL 3.0 usable, turn TLS 1.0 off. */
static void legacy_policy(struct tlsr_policy *p)
{
	tlsr_policy_defaults(p);
	p->winhttp.keep = TLSR_PROTO_BIT(TLSR_PROTO_SSL3);
	p->schannel.disable = TLSR_PROTO_BIT(TLSR_PROTO_TLS10);
}

START_TEST(core_plan_orders_schannel_winhttp_dotnet_legacy)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	const char *expect[] = {
	    "schannel.tls1.2.client.enabled",
	    "schannel.tls1.2.client.disabled_by_default",
	    "winhttp.default_secure_protocols",
	    "winhttp.default_secure_protocols@32",
	    "dotnet.v2.0.50727.strong_crypto",
	    "dotnet.v2.0.50727.strong_crypto@32",
	    "dotnet.v2.0.50727.system_default_tls_versions",
	    "dotnet.v2.0.50727.system_default_tls_versions@32",
	    "dotnet.v4.0.30319.strong_crypto",
	    "dotnet.v4.0.30319.strong_crypto@32",
	    "dotnet.v4.0.30319.system_default_tls_versions",
	    "dotnet.v4.0.30319.system_default_tls_versions@32",
	};
	size_t i;

	/* Windows 7: SChannel, then WinHTTP, then .NET; the legacy step
	 * waits. */
	legacy_policy(&p);
	r = check_seed(reg, &p);
	ck_assert(!r->ready_for_server);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, sizeof expect / sizeof expect[0]);
	for (i = 0; i < plan->n_actions; i++) {
		const struct tlsr_item *it = &r->items[plan->actions[i].item];

		ck_assert_str_eq(it->id, expect[i]);
		ck_assert_int_eq(plan->actions[i].phase, it->phase);
		ck_assert_uint_eq(plan->actions[i].value, it->expected);
		ck_assert_int_eq(plan->actions[i].restart,
				 TLSR_RESTART_REQUIRED);
		if (i > 0)
			ck_assert_int_ge(plan->actions[i].phase,
					 plan->actions[i - 1].phase);
	}
	ck_assert_uint_eq(plan->actions[2].value, 0xAA0);
	ck_assert(plan->restart_required);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	/* Windows 10 with .NET 4.8 speaks TLS 1.2 everywhere already, so the
	 * legacy step comes in the same plan, last. */
	reg = make_machine(&win10);
	r = check_seed(reg, &p);
	ck_assert(r->ready_for_server);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, 8 + 2);
	ck_assert_str_eq(r->items[plan->actions[8].item].id,
			 "schannel.tls1.0.client.enabled");
	ck_assert_int_eq(plan->actions[8].phase, TLSR_PHASE_LEGACY);
	ck_assert_uint_eq(plan->actions[8].value, 0); /* Enabled off */
	ck_assert_uint_eq(plan->actions[9].value, 1); /* DBD on */
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_legacy_step_waits_for_tls12_and_restart)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	struct tlsr_apply_result res;
	const struct tlsr_item *it;
	size_t i;

	legacy_policy(&p);
	r = check_seed(reg, &p);
	it = find_item(r, "schannel.tls1.0.client.enabled");
	ck_assert(it->deferred);
	ck_assert(!it->write);
	ck_assert_int_eq(it->state, TLSR_STATE_MISSING);
	ck_assert_str_eq(it->reason, "waits until TLS 1.2 holds in WinHTTP, "
				     "SChannel and .NET and the restart is "
				     "done");
	ck_assert(!r->blocked);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	for (i = 0; i < plan->n_actions; i++)
		ck_assert_int_ne(plan->actions[i].phase, TLSR_PHASE_LEGACY);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, NULL, NULL, &res), TLSR_OK);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	ck_assert(value_absent(reg, PROTOS "\\TLS 1.0\\Client", TLSR_VIEW_NONE,
			       "Enabled"));

	/* The values are in, but TLS 1.2 holds only after the restart. */
	r = check_seed(reg, &p);
	ck_assert(!r->tls12[TLSR_COMP_WINHTTP] &&
		  !r->tls12[TLSR_COMP_SCHANNEL] && !r->tls12[TLSR_COMP_DOTNET]);
	ck_assert(r->restart_pending);
	ck_assert(!r->ready_for_server);
	ck_assert(find_item(r, "schannel.tls1.0.client.enabled")->deferred);
	ck_assert(!r->compliant);
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(res.written, 0);

	/* After the restart it goes ahead. */
	reboot();
	r = check_seed(reg, &p);
	ck_assert(r->ready_for_server);
	ck_assert(!find_item(r, "schannel.tls1.0.client.enabled")->deferred);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, 2);
	ck_assert_int_eq(plan->actions[0].phase, TLSR_PHASE_LEGACY);
	ck_assert(plan->restart_required);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, NULL, NULL, &res), TLSR_OK);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	ck_assert_uint_eq(dword_at(reg, PROTOS "\\TLS 1.0\\Client",
				   TLSR_VIEW_NONE, "Enabled"),
			  0);
	ck_assert_uint_eq(dword_at(reg, PROTOS "\\TLS 1.0\\Client",
				   TLSR_VIEW_NONE, "DisabledByDefault"),
			  1);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_disabling_tls12_is_refused)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win10);
	struct tlsr_report *r;
	struct tlsr_apply_result res;
	const struct tlsr_item *it;

	tlsr_policy_defaults(&p);
	p.schannel.enable = 0;
	p.schannel.disable = TLSR_PROTO_BIT(TLSR_PROTO_TLS12);
	r = check_seed(reg, &p);
	it = find_item(r, "schannel.tls1.2.client.enabled");
	ck_assert_int_eq(it->state, TLSR_STATE_BLOCKED);
	ck_assert(!it->write);
	ck_assert(r->blocked);
	ck_assert_ptr_nonnull(
	    strstr(r->blocked_reasons, "never turns TLS 1.2 off"));
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert(value_absent(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "Enabled"));
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- apply ---- */

struct cb_log {
	size_t calls;
	enum tlsr_phase last_phase;
	int ordered;
};

static void log_action(void *data, const struct tlsr_report *r,
		       const struct tlsr_action *a, tlsr_err result)
{
	struct cb_log *log = data;

	(void)r;
	ck_assert_int_eq(result, TLSR_OK);
	if (a->phase < log->last_phase)
		log->ordered = 0;
	log->last_phase = a->phase;
	log->calls++;
}

START_TEST(core_apply_is_idempotent)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(make_machine(&win7_patched));
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	struct tlsr_apply_result res;
	struct cb_log log = {0, 0, 1};
	char *before, *after;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, 2 + 2 + 8);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, log_action, &log, &res),
			 TLSR_OK);
	ck_assert_uint_eq(res.written, plan->n_actions);
	ck_assert_uint_eq(res.failed, 0);
	ck_assert_uint_eq(log.calls, plan->n_actions);
	ck_assert(log.ordered);
	ck_assert_uint_eq(journal_entries(reg), plan->n_actions);
	tlsr_plan_free(plan);
	tlsr_report_free(r);

	/* The second pass finds nothing to do and makes no backend call
	 * that could change anything. */
	before = dump(reg);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(plan->n_actions, 0);
	tlsr_fault_arm(reg, 0, TLSR_OK);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, NULL, NULL, &res), TLSR_OK);
	ck_assert_uint_eq(tlsr_fault_calls(reg), 0);
	ck_assert_uint_eq(res.written, 0);
	after = dump(reg);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Records the fault wrapper's call count after each action. */
struct call_marks {
	struct tlsr_registry *reg;
	unsigned long ends[64];
	size_t n;
};

static void note_calls(void *data, const struct tlsr_report *r,
		       const struct tlsr_action *a, tlsr_err result)
{
	struct call_marks *m = data;

	(void)r;
	(void)a;
	(void)result;
	if (m->n < 64)
		m->ends[m->n++] = tlsr_fault_calls(m->reg);
}

START_TEST(core_failed_phase_stops_later_phases)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg =
	    tlsr_registry_fault_new(make_machine(&win7_patched));
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	struct tlsr_apply_result res;
	unsigned long k;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	/* Find where the first action ends on an identical machine; the
	 * second DSP write is then an open and a set_value: fail the set. */
	{
		struct tlsr_registry *twin =
		    tlsr_registry_fault_new(make_machine(&win7_patched));
		struct tlsr_report *tr = check_seed(twin, &p);
		struct tlsr_plan *tp;
		struct call_marks marks = {twin, {0}, 0};

		ck_assert_int_eq(tlsr_plan_make(tr, &tp), TLSR_OK);
		tlsr_fault_arm(twin, 0, TLSR_OK);
		ck_assert_int_eq(
		    tlsr_apply(twin, tr, tp, note_calls, &marks, &res),
		    TLSR_OK);
		k = marks.ends[0] + 1;
		tlsr_plan_free(tp);
		tlsr_report_free(tr);
		tlsr_registry_destroy(twin);
	}
	tlsr_fault_arm(reg, k, TLSR_EACCESS);
	ck_assert_int_eq(tlsr_apply(reg, r, plan, NULL, NULL, &res),
			 TLSR_EACCESS);
	ck_assert_uint_eq(res.failed, 1);
	ck_assert_uint_eq(res.written, 1);
	ck_assert_uint_eq(res.first_failed, 1);
	ck_assert_ptr_nonnull(
	    strstr(res.message, "TLS 1.2\\Client\\DisabledByDefault"));
	ck_assert_ptr_nonnull(strstr(res.message, "access denied"));
	ck_assert_ptr_nonnull(strstr(res.message, "injected fault"));
	/* WinHTTP and .NET were not started. */
	ck_assert(value_absent(reg, WINHTTP, TLSR_VIEW_64,
			       "DefaultSecureProtocols"));
	ck_assert(value_absent(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto"));
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_fault_arm(reg, 0, TLSR_OK);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	r = check_seed(reg, &p);
	ck_assert(r->compliant);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Each managed value is either what it was or what the policy wants, with
 * nothing in between. */
static void assert_no_half_writes(struct tlsr_registry *reg,
				  struct tlsr_registry *orig,
				  const struct tlsr_report *wanted)
{
	size_t i;

	for (i = 0; i < wanted->n_items; i++) {
		const struct tlsr_item *it = &wanted->items[i];
		struct tlsr_value now = {0}, was = {0};
		tlsr_err e1, e2;
		int same, right;

		e1 = tlsr_reg_get(reg, it->def->key, it->view, it->def->name,
				  &now);
		e2 = tlsr_reg_get(orig, it->def->key, it->view, it->def->name,
				  &was);
		same = e1 == e2 &&
		       (e1 != TLSR_OK ||
			(now.type == was.type && now.size == was.size &&
			 memcmp(now.data, was.data, now.size) == 0));
		right = e1 == TLSR_OK && now.type == TLSR_REG_DWORD &&
			now.size == 4 && le32(now.data) == it->expected;
		ck_assert_msg(same || right, "%s is half-written", it->id);
		tlsr_value_clear(&now);
		tlsr_value_clear(&was);
	}
}

/* Starting state for the fault test: odd originals of every kind. */
static struct tlsr_registry *fault_machine(void)
{
	struct tlsr_registry *reg = make_machine(&win7_patched);

	put_dword(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols", 0xA0);
	put_string(reg, NET4, TLSR_VIEW_32, "SchUseStrongCrypto", "1");
	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "DisabledByDefault", 1);
	return reg;
}

START_TEST(core_fault_at_every_call_converges_and_rolls_back)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg, *orig;
	struct tlsr_apply_result res;
	struct tlsr_report *wanted;
	unsigned long n, k, failures = 0;
	char *before, *after;
	size_t restored;
	struct tlsr_diag diag;
	tlsr_err err;

	tlsr_policy_defaults(&p);
	orig = fault_machine();
	before = dump(orig);
	wanted = check_seed(orig, &p);

	/* N: the calls a clean full pass makes (facts, check, plan, apply). */
	reg = tlsr_registry_fault_new(fault_machine());
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	n = tlsr_fault_calls(reg);
	ck_assert_uint_gt(res.written, 0);
	tlsr_registry_destroy(reg);
	ck_assert_uint_gt(n, 100);

	for (k = 1; k <= n; k++) {
		reg = tlsr_registry_fault_new(fault_machine());
		tlsr_fault_arm(reg, k, TLSR_EFAULT);
		err = pass_once(reg, &p, &res);
		/* close_key cannot fail: every other call's failure shows. */
		if (err != TLSR_OK) {
			failures++;
			ck_assert_int_eq(err, TLSR_EFAULT);
			if (res.failed > 0 || res.first_error != TLSR_OK)
				ck_assert_msg(strstr(res.message,
						     "injected fault") != NULL,
					      "k=%lu: message \"%s\"", k,
					      res.message);
		}
		tlsr_fault_arm(reg, 0, TLSR_OK);
		assert_no_half_writes(reg, orig, wanted);

		ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
		{
			struct tlsr_report *r = check_seed(reg, &p);

			ck_assert_msg(r->compliant, "k=%lu: not compliant", k);
			tlsr_report_free(r);
		}
		/* The journal holds the true originals despite the fault. */
		ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_OK);
		after = dump(reg);
		ck_assert_msg(strcmp(before, after) == 0,
			      "k=%lu: rollback differs", k);
		free(after);
		ck_assert_uint_eq(journal_entries(reg), 0);
		tlsr_registry_destroy(reg);
	}
	/* Most calls are opens, reads and writes that must be reported. */
	ck_assert_uint_gt(failures, n / 2);
	free(before);
	tlsr_report_free(wanted);
	tlsr_registry_destroy(orig);
}
END_TEST

/* ---- journal ---- */

START_TEST(core_rollback_restores_exactly)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = fault_machine();
	struct tlsr_apply_result res;
	struct tlsr_diag diag;
	size_t restored;
	char *before, *after;

	put_dword(reg, TLS12_CLIENT, TLSR_VIEW_NONE, "Enabled", 0);
	before = dump(reg);
	tlsr_policy_defaults(&p);
	p.winhttp.default_secure_protocols = 0xA00;
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(res.written, 12);
	ck_assert_uint_eq(journal_entries(reg), 12);
	/* After the restart the legacy step changes DSP again; the journal
	 * keeps the first originals. */
	ck_assert_uint_eq(dword_at(reg, WINHTTP, TLSR_VIEW_32,
				   "DefaultSecureProtocols"),
			  0xAA0);
	reboot();
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(res.written, 2);
	ck_assert_uint_eq(dword_at(reg, WINHTTP, TLSR_VIEW_32,
				   "DefaultSecureProtocols"),
			  0xA00);
	ck_assert_uint_eq(journal_entries(reg), 12);
	after = dump(reg);
	ck_assert_str_ne(before, after);
	free(after);

	ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_OK);
	ck_assert_uint_eq(restored, 12);
	after = dump(reg);
	ck_assert_str_eq(before, after);
	free(after);
	ck_assert_uint_eq(journal_entries(reg), 0);
	/* The REG_SZ original came back as REG_SZ. */
	ck_assert_int_eq(tlsr_reg_get_dword(reg, NET4, TLSR_VIEW_32,
					    "SchUseStrongCrypto",
					    &(uint32_t){0}),
			 TLSR_ETYPE);
	/* Nothing left to roll back. */
	ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_OK);
	ck_assert_uint_eq(restored, 0);
	free(before);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_rollback_keeps_corrupt_entries_and_names_them)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_apply_result res;
	struct tlsr_diag diag;
	size_t restored;
	char msg[1200];
	static const uint8_t junk[] = {'T', 'L', 'S', 'J', 1, 1, 0, 0, 4,
				       0,   0,	 0,   9,   0, 0, 0, 1};

	tlsr_policy_defaults(&p);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_int_eq(tlsr_reg_set(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      "no.such.setting", TLSR_REG_BINARY, junk,
				      sizeof junk),
			 TLSR_OK);
	/* A real id with a length field that lies. */
	ck_assert_int_eq(tlsr_reg_set(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				      "winhttp.default_secure_protocols",
				      TLSR_REG_BINARY, junk, sizeof junk),
			 TLSR_OK);
	ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_EPARSE);
	/* Every good entry was restored: the 11 other values. */
	ck_assert_uint_eq(restored, 11);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_str_eq(msg, "HKLM\\SOFTWARE\\tlsward\\Journal: entry "
			      "\"winhttp.default_secure_protocols\" is corrupt "
			      "(not a tlsward journal record); kept");
	ck_assert_uint_eq(journal_entries(reg), 2);
	ck_assert(value_absent(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto"));
	/* The corrupt entry's value was left alone. */
	ck_assert_uint_eq(
	    dword_at(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols"),
	    0xAA0);

	ck_assert_int_eq(
	    tlsr_reg_delete_value(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64,
				  "winhttp.default_secure_protocols"),
	    TLSR_OK);
	ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_EPARSE);
	ck_assert_uint_eq(restored, 0);
	tlsr_diag_format(&diag, msg, sizeof msg);
	ck_assert_str_eq(msg, "HKLM\\SOFTWARE\\tlsward\\Journal: entry "
			      "\"no.such.setting\" names no setting tlsward "
			      "manages; kept");
	ck_assert_uint_eq(journal_entries(reg), 1);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- output ---- */

START_TEST(core_json_escapes_strings)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win10);
	struct tlsr_report *r;
	char *json;

	tlsr_policy_defaults(&p);
	put_string(reg, CV, TLSR_VIEW_64, "ProductName",
		   "Windows \"10\" C:\\ edition\ttab");
	put_string(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto", "a\"b\\c");
	r = check_seed(reg, &p);
	json = tlsr_report_json(r);
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(
	    json, "\"product\": \"Windows \\\"10\\\" C:\\\\ edition\\ttab\""));
	ck_assert_ptr_nonnull(strstr(json, "\"data\": \"a\\\"b\\\\c\""));
	ck_assert_ptr_nonnull(strstr(json, "\"key\": "
					   "\"HKLM\\\\SOFTWARE\\\\Microsoft\\\\"
					   ".NETFramework\\\\v4.0.30319\""));
	free(json);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

START_TEST(core_text_report_summarises)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7);
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	char *text;

	tlsr_policy_defaults(&p);
	put_dword(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto", 0);
	r = check_seed(reg, &p);
	text = tlsr_report_text(r);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(
	    strstr(text, "not compliant: 9 missing, 1 mismatch, 2 blocked "
			 "(KB3140245 is not installed"));
	ck_assert_ptr_nonnull(strstr(text, "0x00000aa0"));
	ck_assert_ptr_nonnull(strstr(text, "Internet Settings\\WinHttp"));
	ck_assert_ptr_nonnull(strstr(text, "restart: required"));
	free(text);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	text = tlsr_plan_text(r, plan);
	ck_assert_ptr_nonnull(
	    strstr(text, "plan: 12 values to write, in this order"));
	free(text);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- golden files over the machine fixtures ---- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

static void golden(const char *name, const char *kind, const char *text)
{
	const char *dir = getenv("TLSR_DATA");
	const char *update = getenv("TLSR_UPDATE_GOLDEN");
	char path[1024];
	char *want;
	FILE *fp;

	snprintf(path, sizeof path, "%s/golden/%s.%s.json", dir, name, kind);
	if (update != NULL && strcmp(update, "1") == 0) {
		fp = fopen(path, "wb");
		ck_assert_msg(fp != NULL, "cannot write %s", path);
		fputs(text, fp);
		fclose(fp);
		return;
	}
	want = slurp(path);
	ck_assert_msg(want != NULL,
		      "%s is missing (TLSR_UPDATE_GOLDEN=1 writes it)", path);
	ck_assert_msg(strcmp(want, text) == 0,
		      "%s differs from the output:\n%s", path, text);
	free(want);
}

static const char *const fixtures[] = {
    "win7-sp1-unpatched",
    "win7-sp1-patched",
    "server2012r2",
    "win10-22h2",
    "win11",
};

START_TEST(core_golden_reports)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	char name[128], *json;
	int drift;

	tlsr_policy_defaults(&p);
	for (drift = 0; drift < 2; drift++) {
		snprintf(name, sizeof name, "%s%s", fixtures[_i],
			 drift ? "-drift" : "");
		reg = load_fixture(name);
		r = check_seed(reg, &p);
		json = tlsr_report_json(r);
		ck_assert_ptr_nonnull(json);
		golden(name, "check", json);
		free(json);
		ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
		json = tlsr_plan_json(r, plan);
		ck_assert_ptr_nonnull(json);
		golden(name, "plan", json);
		free(json);
		tlsr_plan_free(plan);
		tlsr_report_free(r);
		tlsr_registry_destroy(reg);
	}
}
END_TEST

START_TEST(core_fixtures_converge)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_apply_result res;
	struct tlsr_report *r;
	struct tlsr_diag diag;
	size_t restored;
	char *before, *after;

	tlsr_policy_defaults(&p);
	reg = load_fixture(fixtures[_i]);
	before = dump(reg);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	r = check_seed(reg, &p);
	/* Unpatched Windows 7 stays blocked; everything else complies. */
	if (strcmp(fixtures[_i], "win7-sp1-unpatched") == 0) {
		ck_assert(!r->compliant);
		ck_assert(r->blocked);
	} else {
		ck_assert(r->compliant);
	}
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(res.written, 0);
	ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag), TLSR_OK);
	after = dump(reg);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	tlsr_registry_destroy(reg);
}
END_TEST

/* ---- the OS model (audit findings by number) ---- */

/* Machines with a row each, as installed; golden files without drift. */
static const char *const os_fixtures[] = {
    "vista-sp2",	     "server2008-sp2",	   "win7-rtm",
    "win8",		     "server2012",	   "server2012-no-kb",
    "win10-22h2-default",    "server2016",	   "server2019",
    "server2022",	     "server2025",	   "win11-23h2-default",
    "win11-24h2-default",    "win7-sp1-tls10-off", "win10-22h2-stricter",
    "win10-22h2-tls13-keys", "win10-22h2-fips-ciphers",
};

START_TEST(core_golden_os_reports)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	char *json;

	tlsr_policy_defaults(&p);
	reg = load_fixture(os_fixtures[_i]);
	r = check_seed(reg, &p);
	json = tlsr_report_json(r);
	ck_assert_ptr_nonnull(json);
	golden(os_fixtures[_i], "check", json);
	free(json);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	json = tlsr_plan_json(r, plan);
	ck_assert_ptr_nonnull(json);
	golden(os_fixtures[_i], "plan", json);
	free(json);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* The plan's action for an item id, or NULL. */
static const struct tlsr_action *action_for(const struct tlsr_report *r,
					    const struct tlsr_plan *plan,
					    const char *id)
{
	size_t i;

	for (i = 0; i < plan->n_actions; i++)
		if (strcmp(r->items[plan->actions[i].item].id, id) == 0)
			return &plan->actions[i];
	return NULL;
}

/* Finding 1: Windows 8.1 and later have TLS 1.2 in WinHTTP: no
 * DefaultSecureProtocols write, no restart for WinHTTP; the written mask
 * never drops TLS 1.3 where the OS has it. */
START_TEST(core_f01_no_dsp_write_where_winhttp_has_tls12)
{
	static const char *const names[] = {
	    "win10-22h2-default", "server2016",		"server2019",
	    "server2022",	  "server2025",		"win11-23h2-default",
	    "win11-24h2-default",
	};
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	const struct tlsr_item *it;
	size_t i;

	tlsr_policy_defaults(&p);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		reg = load_fixture(names[i]);
		r = check_seed(reg, &p);
		it = find_item(r, "winhttp.default_secure_protocols@32");
		ck_assert_msg(it->state == TLSR_STATE_OK, "%s", names[i]);
		ck_assert(it->by_default);
		ck_assert(r->tls12[TLSR_COMP_WINHTTP]);
		ck_assert(r->tls12[TLSR_COMP_SCHANNEL]);
		ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
		ck_assert_ptr_null(action_for(r, plan,
					      "winhttp.default_secure_"
					      "protocols"));
		ck_assert_ptr_null(action_for(r, plan,
					      "schannel.tls1.2.client."
					      "enabled"));
		/* Only .NET values remain; the machine is ready already. */
		ck_assert_msg(r->ready_for_server, "%s", names[i]);
		tlsr_plan_free(plan);
		tlsr_report_free(r);
		tlsr_registry_destroy(reg);
	}

	/* A present mask without TLS 1.2 on Windows 11 gets TLS 1.2 and
	 * keeps TLS 1.3; no legacy bit is added. */
	reg = load_fixture("win11-24h2-default");
	put_dword(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols", 0x80);
	r = check_seed(reg, &p);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(
	    action_for(r, plan, "winhttp.default_secure_protocols")->value,
	    0x2A80);
	ck_assert_ptr_null(
	    action_for(r, plan, "winhttp.default_secure_protocols@32"));
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 2: a stricter DefaultSecureProtocols is compliant and left
 * alone. */
START_TEST(core_f02_stricter_dsp_is_left_alone)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = load_fixture("win10-22h2-stricter");
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	const struct tlsr_item *it;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	it = find_item(r, "winhttp.default_secure_protocols");
	ck_assert_int_eq(it->state, TLSR_STATE_OK);
	ck_assert(it->stricter);
	ck_assert(!it->write);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_ptr_null(
	    action_for(r, plan, "winhttp.default_secure_protocols"));
	ck_assert_ptr_null(
	    action_for(r, plan, "winhttp.default_secure_protocols@32"));
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 3: Windows 7 is not ready, and the legacy step not planned,
 * until the restart after SChannel's TLS 1.2 keys. */
START_TEST(core_f03_win7_ready_only_after_the_restart)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_apply_result res;
	struct tlsr_report *r;

	legacy_policy(&p);
	/* DSP and .NET already set by someone else: only SChannel's TLS 1.2
	 * is written, the change the audit found untracked. */
	put_dword(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols", 0xAA0);
	put_dword(reg, WINHTTP, TLSR_VIEW_32, "DefaultSecureProtocols", 0xAA0);
	put_dword(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto", 1);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert(res.restart_required);
	r = check_seed(reg, &p);
	ck_assert(!r->tls12[TLSR_COMP_SCHANNEL]);
	ck_assert(!r->ready_for_server);
	ck_assert(find_item(r, "schannel.tls1.0.client.enabled")->deferred);
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(res.written, 0);
	reboot();
	r = check_seed(reg, &p);
	ck_assert(r->ready_for_server);
	ck_assert(!find_item(r, "schannel.tls1.0.client.enabled")->deferred);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 4 and 16: Vista and Windows 8 are unsupported, Windows 7 RTM
 * needs SP1, Server 2008 SP2 needs KB4019276: named as such, nothing
 * written, never ready. */
START_TEST(core_f04_unsupported_os_is_named_and_never_ready)
{
	static const struct {
		const char *fixture, *row, *reason;
	} cases[] = {
	    {"vista-sp2", "vista", "unsupported OS: Windows Vista"},
	    {"server2008-sp2", "server2008", "KB4019276 is not installed"},
	    {"win7-rtm", "win7",
	     "unsupported service pack: Windows 7 without Service Pack 1"},
	    {"win8", "win8", "unsupported OS: Windows 8 is out of support"},
	};
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	size_t i;

	tlsr_policy_defaults(&p);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		reg = load_fixture(cases[i].fixture);
		r = check_seed(reg, &p);
		ck_assert_str_eq(r->os->id, cases[i].row);
		ck_assert_msg(strstr(r->blocked_reasons, cases[i].reason) !=
				  NULL,
			      "%s: %s", cases[i].fixture, r->blocked_reasons);
		ck_assert_ptr_null(
		    strstr(r->blocked_reasons, "KB3140245 is not installed"));
		ck_assert(r->blocked && !r->compliant && !r->ready_for_server);
		ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
		ck_assert_uint_eq(plan->n_actions, 0);
		tlsr_plan_free(plan);
		tlsr_report_free(r);
		tlsr_registry_destroy(reg);
	}
}
END_TEST

/* Finding 5 and 14: .NET holds only with 4.6.2 or later; values are
 * demanded only for frameworks that are there; .NET 3.5's need its
 * update. Generated in memory: .NET 4 absent/4.0/4.5.2/4.6.2/4.8.1, with
 * and without 3.5, on Windows 7 and 10. */
START_TEST(core_f05_dotnet_needs_462_and_present_frameworks)
{
	static const struct {
		uint32_t release; /* 1: .NET 4.0 */
		int holds;
	} nets[] = {{0, 0}, {1, 0}, {379893, 0}, {394802, 1}, {533320, 1}};
	const struct machine_spec *oses[] = {&win7_patched, &win10};
	struct tlsr_policy p;
	size_t i, o;
	int with35;

	tlsr_policy_defaults(&p);
	for (o = 0; o < 2; o++)
		for (i = 0; i < sizeof nets / sizeof nets[0]; i++)
			for (with35 = 0; with35 < 2; with35++) {
				struct machine_spec m = *oses[o];
				struct tlsr_registry *reg;
				struct tlsr_report *r;
				struct tlsr_apply_result res;

				m.net4 = nets[i].release > 1 ? nets[i].release
							     : 0;
				reg = make_machine(&m);
				if (nets[i].release == 1)
					put_dword(reg, NDP "\\v4\\Full",
						  TLSR_VIEW_64, "Install", 1);
				if (!with35)
					put_dword(reg, NDP "\\v3.5",
						  TLSR_VIEW_64, "Install", 0);
				ck_assert_int_eq(pass_once(reg, &p, &res),
						 TLSR_OK);
				reboot();
				r = check_seed(reg, &p);
				ck_assert_msg(r->tls12[TLSR_COMP_DOTNET] ==
						  nets[i].holds,
					      "os %zu release %lu", o,
					      (unsigned long)nets[i].release);
				ck_assert(r->ready_for_server ==
					  nets[i].holds);
				ck_assert(r->blocked == !nets[i].holds);
				if (!nets[i].holds)
					ck_assert_ptr_nonnull(strstr(
					    r->blocked_reasons,
					    ".NET Framework 4.6.2"));
				/* v4 values only where 4.5+ can use them,
				 * v2 only with 3.5. */
				ck_assert((find_item(r, "dotnet.v4.0.30319."
							"strong_crypto") !=
					   NULL) == (nets[i].release > 1));
				ck_assert(
				    (find_item(r, "dotnet.v2.0.50727."
						  "strong_crypto") != NULL) ==
				    with35);
				if (!with35)
					ck_assert(value_absent(
					    reg, NET2, TLSR_VIEW_64,
					    "SchUseStrongCrypto"));
				tlsr_report_free(r);
				tlsr_registry_destroy(reg);
			}

	/* .NET 3.5 without its TLS 1.2 update: blocked, named. */
	{
		struct tlsr_registry *reg = make_machine(&win7_patched);
		struct tlsr_report *r;
		char path[256];

		snprintf(path, sizeof path, "%s\\%s", CBS,
			 "Package_for_KB3154518~31bf3856ad364e35~amd64~~"
			 "6.1.1.0");
		ck_assert_int_eq(reg->ops->delete_key(reg, path, TLSR_VIEW_64),
				 TLSR_OK);
		r = check_seed(reg, &p);
		ck_assert_int_eq(
		    find_item(r, "dotnet.v2.0.50727.strong_crypto")->state,
		    TLSR_STATE_BLOCKED);
		ck_assert_ptr_nonnull(strstr(r->blocked_reasons, "KB3154518"));
		tlsr_report_free(r);
		tlsr_registry_destroy(reg);
	}
	/* Finding 14: SchUseStrongCrypto explicitly 0 breaks it. */
	{
		struct tlsr_registry *reg = make_machine(&win10);
		struct tlsr_report *r;

		put_dword(reg, NET4, TLSR_VIEW_64, "SchUseStrongCrypto", 0);
		r = check_seed(reg, &p);
		ck_assert(!r->tls12[TLSR_COMP_DOTNET]);
		tlsr_report_free(r);
		tlsr_registry_destroy(reg);
	}
}
END_TEST

/* Finding 6: TLS 1.3 only where the OS has it. */
START_TEST(core_f06_tls13_per_build)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg;
	struct tlsr_report *r;
	struct tlsr_plan *plan;
	const struct tlsr_item *it;

	tlsr_policy_defaults(&p);
	p.schannel.enable |= TLSR_PROTO_BIT(TLSR_PROTO_TLS13);
	p.winhttp.default_secure_protocols = 0x2AA0;

	/* Windows 10: blocked with the reason, never written; the DSP
	 * written on Windows 7 has no 0x2000. */
	reg = make_machine(&win10);
	r = check_seed(reg, &p);
	it = find_item(r, "schannel.tls1.3.client.enabled");
	ck_assert_int_eq(it->state, TLSR_STATE_BLOCKED);
	ck_assert(!it->write);
	ck_assert_ptr_nonnull(strstr(it->reason, "has no TLS 1.3"));
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
	reg = make_machine(&win7_patched);
	r = check_seed(reg, &p);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_uint_eq(
	    action_for(r, plan, "winhttp.default_secure_protocols")->value,
	    0x0AA0);
	ck_assert_ptr_null(
	    action_for(r, plan, "schannel.tls1.3.client.enabled"));
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	/* Windows 11: on by default, nothing to write. */
	reg = load_fixture("win11-24h2-default");
	r = check_seed(reg, &p);
	it = find_item(r, "schannel.tls1.3.client.enabled");
	ck_assert_int_eq(it->state, TLSR_STATE_OK);
	ck_assert(r->os->tls13);
	ck_assert_str_eq(r->os->name, "Windows 11");
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	/* TLS 1.3 keys on Windows 10: a warning. */
	tlsr_policy_defaults(&p);
	reg = load_fixture("win10-22h2-tls13-keys");
	r = check_seed(reg, &p);
	ck_assert_uint_eq(r->n_risks, 1);
	ck_assert_str_eq(r->risks[0].id, "tls13-without-os-support");
	ck_assert_int_eq(r->risks[0].severity, TLSR_SEV_WARNING);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 7: every CBS package form and present state counts. */
START_TEST(core_f07_cbs_variants_and_states)
{
	struct tlsr_facts f;
	struct tlsr_registry *reg;

	ck_assert(tlsr_cbs_package_is(
	    "Package_for_KB3140245~31bf3856ad364e35~amd64~~6.1.1.2",
	    "KB3140245"));
	ck_assert(tlsr_cbs_package_is(
	    "package_for_kb3140245_rtm~31bf3856ad364e35~amd64~~6.2.1.1",
	    "KB3140245"));
	ck_assert(tlsr_cbs_package_is(
	    "Package_2_for_KB3140245~31bf3856ad364e35~amd64~~6.2.1.1",
	    "KB3140245"));
	ck_assert(!tlsr_cbs_package_is(
	    "Package_for_KB31402450~31bf3856ad364e35~amd64~~6.2.1.1",
	    "KB3140245"));
	ck_assert(!tlsr_cbs_package_is("Package_for_KB3140245_RTMX~",
				       "KB3140245"));
	ck_assert(tlsr_cbs_state_present(0x70));
	ck_assert(tlsr_cbs_state_present(0x80));
	ck_assert(tlsr_cbs_state_present(0x50));
	ck_assert(!tlsr_cbs_state_present(0x20));

	reg = load_fixture("server2012");
	f = read_facts(reg);
	ck_assert_int_eq(f.kb3140245, TLSR_YES);
	ck_assert_ptr_nonnull(strstr(f.kb3140245_source, "_RTM~"));
	ck_assert_int_eq(f.net35_update, TLSR_YES);
	tlsr_registry_destroy(reg);
	reg = load_fixture("server2012-no-kb");
	f = read_facts(reg);
	ck_assert_int_eq(f.kb3140245, TLSR_NO);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 8: SChannel before WinHTTP; removing legacy bits from DSP is
 * the gated legacy step. */
START_TEST(core_f08_dsp_legacy_removal_is_gated)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = make_machine(&win7_patched);
	struct tlsr_apply_result res;
	struct tlsr_report *r;
	struct tlsr_plan *plan;

	tlsr_policy_defaults(&p);
	p.winhttp.default_secure_protocols = 0xA00; /* strict.yaml */
	r = check_seed(reg, &p);
	ck_assert_int_eq(tlsr_plan_make(r, &plan), TLSR_OK);
	ck_assert_int_eq(plan->actions[0].phase, TLSR_PHASE_SCHANNEL);
	/* The first step adds TLS 1.1/1.2 and keeps SSL 3.0 / TLS 1.0. */
	ck_assert_uint_eq(
	    action_for(r, plan, "winhttp.default_secure_protocols")->value,
	    0xAA0);
	tlsr_plan_free(plan);
	tlsr_report_free(r);
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	r = check_seed(reg, &p);
	ck_assert(find_item(r, "winhttp.default_secure_protocols")->deferred);
	ck_assert_int_eq(find_item(r, "winhttp.default_secure_protocols")->phase,
			 TLSR_PHASE_LEGACY);
	tlsr_report_free(r);
	reboot();
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	ck_assert_uint_eq(
	    dword_at(reg, WINHTTP, TLSR_VIEW_64, "DefaultSecureProtocols"),
	    0xA00);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Findings 9 and 15: cipher suite policy, FIPS, WinINet, 0xffffffff. */
START_TEST(core_f09_policy_keys_that_defeat_tls12_are_risks)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = load_fixture("win10-22h2-fips-ciphers");
	struct tlsr_report *r;
	const char *want[] = {"cipher-suites-without-tls12", "enabled-ffffffff",
			      "fips-on", "wininet-without-tls12"};
	size_t i, j;

	tlsr_policy_defaults(&p);
	put_dword(reg,
		  "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet "
		  "Settings",
		  TLSR_VIEW_64, "SecureProtocols", 0xA0);
	r = check_seed(reg, &p);
	ck_assert_uint_eq(r->n_risks, 4);
	for (i = 0; i < 4; i++) {
		int seen = 0;

		for (j = 0; j < r->n_risks; j++)
			seen |= strcmp(r->risks[j].id, want[i]) == 0;
		ck_assert_msg(seen, "%s", want[i]);
	}
	ck_assert(!r->critical);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);

	ck_assert(tlsr_ciphers_have_tls12(
	    "TLS_RSA_WITH_RC4_128_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_"
	    "P256"));
	ck_assert(!tlsr_ciphers_have_tls12("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_"
					   "SHA256,TLS_RSA_WITH_RC4_128_MD5"));
	ck_assert(!tlsr_ciphers_have_tls12(""));
}
END_TEST

/* Finding 10: a legacy protocol off before TLS 1.2 works is critical and
 * blocks the legacy gate. */
START_TEST(core_f10_orphaning_state_is_critical)
{
	struct tlsr_policy p;
	struct tlsr_registry *reg = load_fixture("win7-sp1-tls10-off");
	struct tlsr_apply_result res;
	struct tlsr_report *r;
	int crit_schannel = 0, crit_winhttp = 0;
	size_t i;

	tlsr_policy_defaults(&p);
	r = check_seed(reg, &p);
	ck_assert(r->critical);
	for (i = 0; i < r->n_risks; i++) {
		if (r->risks[i].severity != TLSR_SEV_CRITICAL)
			continue;
		crit_schannel |= r->risks[i].component == TLSR_COMP_SCHANNEL;
		crit_winhttp |= r->risks[i].component == TLSR_COMP_WINHTTP;
	}
	ck_assert(crit_schannel && crit_winhttp);
	ck_assert(!r->ready_for_server);
	tlsr_report_free(r);
	/* Turning TLS 1.2 on takes the risk away. */
	ck_assert_int_eq(pass_once(reg, &p, &res), TLSR_OK);
	r = check_seed(reg, &p);
	ck_assert(!r->critical);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
}
END_TEST

/* Finding 13 and 16: the table's defaults per build, and names. */
START_TEST(core_f13_os_rows_per_build)
{
	const struct tlsr_os *o;

	o = tlsr_os_find(1, 10, 0, 26100, 0);
	ck_assert_str_eq(o->name, "Windows 11");
	ck_assert_uint_eq(o->winhttp_default, 0x2800);
	o = tlsr_os_find(1, 10, 0, 19045, 0);
	ck_assert_str_eq(o->id, "win10");
	ck_assert_uint_eq(o->winhttp_default, 0x0AA0);
	ck_assert(!o->tls13 && !o->dsp_needed);
	o = tlsr_os_find(1, 10, 0, 20348, 1);
	ck_assert_str_eq(o->id, "server2022");
	ck_assert(o->tls13);
	o = tlsr_os_find(1, 10, 0, 19045, 1);
	ck_assert_str_eq(o->id, "server2019");
	ck_assert(!o->tls13);
	o = tlsr_os_find(1, 6, 1, 7601, 0);
	ck_assert(o->dsp_needed);
	ck_assert_uint_eq(o->winhttp_file_min[3], 23375);
	o = tlsr_os_find(1, 6, 2, 9200, 1);
	ck_assert_uint_eq(o->winhttp_file_min[3], 21797);
	ck_assert_ptr_eq(tlsr_os_find(0, 0, 0, 0, 0), &tlsr_os_unknown);
	/* A newer Windows than the table: its newest row of that edition. */
	ck_assert_str_eq(tlsr_os_find(1, 11, 0, 30000, 1)->id, "server2025");
}
END_TEST

#define DOC_BEGIN "<!-- os-table: generated from core/os.c by tlsr_os_markdown -->\n"
#define DOC_END "<!-- os-table end -->\n"

/* docs/windows.md carries the OS table exactly as tlsr_os_markdown renders
 * it (TLSR_UPDATE_GOLDEN=1 rewrites that part of the file). */
START_TEST(core_windows_doc_is_the_os_table)
{
	const char *root = getenv("TLSR_SOURCE_ROOT");
	const char *update = getenv("TLSR_UPDATE_GOLDEN");
	char path[1024], *doc, *table, *begin, *end;

	ck_assert_msg(root != NULL, "TLSR_SOURCE_ROOT is not set");
	snprintf(path, sizeof path, "%s/docs/windows.md", root);
	doc = slurp(path);
	ck_assert_msg(doc != NULL, "cannot read %s", path);
	table = tlsr_os_markdown();
	ck_assert_ptr_nonnull(table);
	begin = strstr(doc, DOC_BEGIN);
	ck_assert_msg(begin != NULL, "%s lacks the os-table marker", path);
	begin += strlen(DOC_BEGIN);
	end = strstr(begin, DOC_END);
	ck_assert_msg(end != NULL, "%s lacks the os-table end marker", path);
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *fp = fopen(path, "wb");

		ck_assert_ptr_nonnull(fp);
		fwrite(doc, 1, (size_t)(begin - doc), fp);
		fputs(table, fp);
		fputs(end, fp);
		fclose(fp);
	} else {
		ck_assert_msg(strlen(table) == (size_t)(end - begin) &&
				  strncmp(begin, table, strlen(table)) == 0,
			      "docs/windows.md's table differs from core/os.c "
			      "(TLSR_UPDATE_GOLDEN=1 rewrites it)");
	}
	free(table);
	free(doc);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("engine");
	size_t nfix = sizeof fixtures / sizeof fixtures[0];

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, core_settings_ids_are_unique_and_findable);
	tcase_add_test(tc, core_proto_names_round_trip);
	tcase_add_test(tc, core_facts_read_win7_and_win10);
	tcase_add_test(tc, core_facts_empty_registry_is_unknown_not_error);
	tcase_add_test(tc, core_facts_servicing_store_read_in_one_pass);
	tcase_add_test(tc, core_kb_package_not_installed_is_no);
	tcase_add_test(tc, core_policy_defaults_are_the_seed);
	tcase_add_test(tc, core_both_views_on_x64_one_on_x86);
	tcase_add_test(tc, core_value_in_one_view_only_is_missing_in_the_other);
	tcase_add_test(tc, core_enabled_ffffffff_counts_as_on);
	tcase_add_test(tc, core_wrong_type_is_mismatch_and_rewritten_as_dword);
	tcase_add_test(tc, core_win7_unpatched_blocks_winhttp_and_prestages);
	tcase_add_test(tc, core_win7_patched_is_not_blocked);
	tcase_add_test(tc, core_tls12_default_differs_on_61_and_62);
	tcase_add_test(tc, core_restart_owed_until_the_next_boot);
	tcase_add_test(tc, core_owed_first_write_in_a_boot_keeps_the_at_boot_value);
	tcase_add_test(tc, core_owed_settles_only_on_a_known_new_boot);
	tcase_add_test(tc, core_owed_interrupted_entry_stays_owed);
	tcase_add_test(tc, core_plan_orders_schannel_winhttp_dotnet_legacy);
	tcase_add_test(tc, core_legacy_step_waits_for_tls12_and_restart);
	tcase_add_test(tc, core_disabling_tls12_is_refused);
	tcase_add_test(tc, core_apply_is_idempotent);
	tcase_add_test(tc, core_failed_phase_stops_later_phases);
	tcase_add_test(tc, core_fault_at_every_call_converges_and_rolls_back);
	tcase_add_test(tc, core_rollback_restores_exactly);
	tcase_add_test(tc, core_rollback_keeps_corrupt_entries_and_names_them);
	tcase_add_test(tc, core_json_escapes_strings);
	tcase_add_test(tc, core_text_report_summarises);
	tcase_add_loop_test(tc, core_golden_reports, 0, (int)nfix);
	tcase_add_loop_test(tc, core_golden_os_reports, 0,
			    (int)(sizeof os_fixtures / sizeof os_fixtures[0]));
	tcase_add_test(tc, core_f01_no_dsp_write_where_winhttp_has_tls12);
	tcase_add_test(tc, core_f02_stricter_dsp_is_left_alone);
	tcase_add_test(tc, core_f03_win7_ready_only_after_the_restart);
	tcase_add_test(tc, core_f04_unsupported_os_is_named_and_never_ready);
	tcase_add_test(tc, core_f05_dotnet_needs_462_and_present_frameworks);
	tcase_add_test(tc, core_f06_tls13_per_build);
	tcase_add_test(tc, core_f07_cbs_variants_and_states);
	tcase_add_test(tc, core_f08_dsp_legacy_removal_is_gated);
	tcase_add_test(tc, core_f09_policy_keys_that_defeat_tls12_are_risks);
	tcase_add_test(tc, core_f10_orphaning_state_is_critical);
	tcase_add_test(tc, core_f13_os_rows_per_build);
	tcase_add_test(tc, core_windows_doc_is_the_os_table);
	tcase_add_loop_test(tc, core_fixtures_converge, 0, (int)nfix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
