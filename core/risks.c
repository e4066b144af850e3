/* tlsward: risks: states that cut a client off, or that keep TLS 1.2 from
 * working although every value tlsward manages is right. */
#include "risks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHANNEL_PROTOCOLS                                                     \
	"SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Pro" \
	"tocols"
#define WININET_KEY TLSR_WININET_KEY
#define WININET_POLICY_KEY TLSR_WININET_POLICY_KEY
#define TLS12_BIT 0x0800u
#define TLS13_BIT 0x2000u
#define LEGACY_BITS 0x02A8u
#define MAX_RISKS 16

/* TLS 1.2 suites Windows servers offer with an RSA certificate (the usual
 * Configuration Manager site system): [manage-tls], the Schannel cipher
 * suite lists of Windows Server 2012 R2 to 2025. Windows 7's names carry a
 * curve suffix (_P256), which is ignored. */
static const char *const tls12_rsa_suites[] = {
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
};

/* Whether token (len bytes) names suite, ignoring a _P<digits> suffix. */
static int suite_is(const char *token, size_t len, const char *suite)
{
	size_t n = strlen(suite), i;

	if (len < n || strncmp(token, suite, n) != 0)
		return 0;
	if (len == n)
		return 1;
	if (len < n + 3 || token[n] != '_' || token[n + 1] != 'P')
		return 0;
	for (i = n + 2; i < len; i++)
		if (token[i] < '0' || token[i] > '9')
			return 0;
	return 1;
}

int tlsr_ciphers_have_tls12(const char *list)
{
	const char *p = list;
	size_t len, i;

	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t\r\n");
		len = strcspn(p, ", \t\r\n");
		for (i = 0; len > 0 && i < sizeof tls12_rsa_suites /
						 sizeof tls12_rsa_suites[0];
		     i++)
			if (suite_is(p, len, tls12_rsa_suites[i]))
				return 1;
		p += len;
	}
	return 0;
}

/* Adds a risk (up to MAX_RISKS; r->risks has room for them). */
static void add_risk(struct tlsr_report *r, const char *id,
		     enum tlsr_severity sev, enum tlsr_component comp,
		     const char *fmt, ...) TLSR_PRINTF(5, 6);

static void add_risk(struct tlsr_report *r, const char *id,
		     enum tlsr_severity sev, enum tlsr_component comp,
		     const char *fmt, ...)
{
	struct tlsr_risk *k;
	va_list ap;
	size_t i;

	for (i = 0; i < r->n_risks; i++)
		if (strcmp(r->risks[i].id, id) == 0)
			return;
	if (r->n_risks >= MAX_RISKS)
		return;
	k = &r->risks[r->n_risks++];
	snprintf(k->id, sizeof k->id, "%s", id);
	k->severity = sev;
	k->component = comp;
	va_start(ap, fmt);
	vsnprintf(k->message, sizeof k->message, fmt, ap);
	va_end(ap);
	if (sev == TLSR_SEV_CRITICAL)
		r->critical = 1;
}

/* SChannel key of a protocol and side into buf. */
static void schannel_path(char *buf, size_t size, enum tlsr_proto proto,
			  const char *side)
{
	snprintf(buf, size, "%s\\%s\\%s", SCHANNEL_PROTOCOLS,
		 tlsr_proto_schannel_name(proto), side);
}

/* Whether SChannel's client offers proto: Enabled and DisabledByDefault,
 * each the OS default when absent. */
static tlsr_err client_on(struct tlsr_registry *reg, const struct tlsr_os *os,
			  enum tlsr_proto proto, int *on)
{
	char path[256];
	int def = (os->schannel_client & TLSR_PROTO_BIT(proto)) != 0;
	uint32_t en = 0, dbd = 0;
	tlsr_err err = TLSR_OK;
	int r1, r2;

	schannel_path(path, sizeof path, proto, "Client");
	r1 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "Enabled", &en,
				 &err);
	r2 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "DisabledByDefault",
				 &dbd, &err);
	if (err != TLSR_OK)
		return err;
	*on = (r1 == 1 ? en != 0 : r1 == 0 && def) &&
	      (r2 == 1 ? dbd == 0 : r2 == 0 && (def || r1 == 1));
	return TLSR_OK;
}

/* A legacy protocol the OS has on in SChannel's client, turned off by
 * keys, while TLS 1.2 does not work there and neither TLS 1.0 nor 1.1 is
 * left: once restarted, the client has nothing the servers accept (they
 * refuse SSL 3.0). */
static tlsr_err schannel_orphan(struct tlsr_registry *reg,
				struct tlsr_report *r, int tls12)
{
	static const enum tlsr_proto legacy[] = {
	    TLSR_PROTO_SSL3, TLSR_PROTO_TLS10, TLSR_PROTO_TLS11};
	char path[256], off[64] = "";
	uint32_t en, dbd;
	tlsr_err err = TLSR_OK;
	size_t i;
	int r1, r2;

	if (tls12)
		return TLSR_OK;
	for (i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
		if (!(r->os->schannel_client & TLSR_PROTO_BIT(legacy[i])))
			continue;
		schannel_path(path, sizeof path, legacy[i], "Client");
		r1 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "Enabled",
					 &en, &err);
		r2 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE,
					 "DisabledByDefault", &dbd, &err);
		if (err != TLSR_OK)
			return err;
		if ((r1 == 1 && en == 0) || (r2 == 1 && dbd != 0))
			snprintf(off + strlen(off), sizeof off - strlen(off),
				 "%s%s", off[0] ? ", " : "",
				 tlsr_proto_schannel_name(legacy[i]));
	}
	if (off[0]) {
		int on10, on11;

		if ((err = client_on(reg, r->os, TLSR_PROTO_TLS10, &on10)) !=
			TLSR_OK ||
		    (err = client_on(reg, r->os, TLSR_PROTO_TLS11, &on11)) !=
			TLSR_OK)
			return err;
		if (on10 || on11)
			off[0] = '\0';
	}
	if (off[0])
		add_risk(r, "legacy-off-before-tls12", TLSR_SEV_CRITICAL,
			 TLSR_COMP_SCHANNEL,
			 "SChannel client has %s turned off but TLS 1.2 does "
			 "not work there yet: after a restart this client "
			 "cannot reach TLS 1.2-only or legacy servers",
			 off);
	return TLSR_OK;
}

/* The same for WinHTTP's DefaultSecureProtocols. On NT 6.1 and 6.2 its TLS
 * 1.2 also needs the update and SChannel's TLS 1.2; a mask written ahead of
 * the update counts, as the update makes it live. */
static tlsr_err winhttp_orphan(struct tlsr_registry *reg,
			       struct tlsr_report *r,
			       const int effective[TLSR_COMP_COUNT])
{
	const struct tlsr_setting *s =
	    tlsr_setting_find("winhttp.default_secure_protocols");
	enum tlsr_view views[2] = {TLSR_VIEW_64, TLSR_VIEW_32};
	const struct tlsr_os *os = r->os;
	tlsr_err err = TLSR_OK;
	uint32_t mask, gone;
	char names[96];
	int i, works, on10, on11;

	if ((err = client_on(reg, os, TLSR_PROTO_TLS10, &on10)) != TLSR_OK ||
	    (err = client_on(reg, os, TLSR_PROTO_TLS11, &on11)) != TLSR_OK)
		return err;

	for (i = 0; i < (r->facts.x64 ? 2 : 1); i++) {
		if (tlsr_reg_read_dword(reg, s->key, views[i], s->name, &mask,
					&err) != 1) {
			if (err != TLSR_OK)
				return err;
			continue;
		}
		gone = os->winhttp_default & LEGACY_BITS & ~mask;
		works = (mask & TLS12_BIT) &&
			(os->winhttp_update == NULL ||
			 r->facts.kb3140245 == TLSR_YES) &&
			(!os->dsp_needed || effective[TLSR_COMP_SCHANNEL]);
		/* TLS 1.0 or 1.1 left in the mask and in SChannel still
		 * reaches the servers until they require TLS 1.2. */
		if (!gone || works || ((mask & 0x0080u) && on10) ||
		    ((mask & 0x0200u) && on11))
			continue;
		tlsr_winhttp_describe(gone, names, sizeof names);
		add_risk(r, "legacy-off-before-tls12-winhttp",
			 TLSR_SEV_CRITICAL, TLSR_COMP_WINHTTP,
			 "WinHTTP DefaultSecureProtocols 0x%lx (%s view) drops "
			 "%s but TLS 1.2 does not work in WinHTTP yet: after a "
			 "restart this client cannot reach its servers",
			 (unsigned long)mask, tlsr_view_name(views[i]), names);
	}
	return TLSR_OK;
}

/* TLS 1.3 switched on where the OS has no TLS 1.3. */
static tlsr_err tls13_keys(struct tlsr_registry *reg, struct tlsr_report *r)
{
	const struct tlsr_setting *s =
	    tlsr_setting_find("winhttp.default_secure_protocols");
	static const char *const sides[] = {"Client", "Server"};
	char path[256];
	uint32_t v;
	tlsr_err err = TLSR_OK;
	int i, on = 0;

	if (r->os->tls13)
		return TLSR_OK;
	for (i = 0; i < 2; i++) {
		schannel_path(path, sizeof path, TLSR_PROTO_TLS13, sides[i]);
		if (tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "Enabled",
					&v, &err) == 1 &&
		    v != 0)
			on = 1;
		if (err != TLSR_OK)
			return err;
	}
	for (i = 0; i < (r->facts.x64 ? 2 : 1); i++) {
		if (tlsr_reg_read_dword(reg, s->key,
					i ? TLSR_VIEW_32 : TLSR_VIEW_64,
					s->name, &v, &err) == 1 &&
		    (v & TLS13_BIT))
			on = 1;
		if (err != TLSR_OK)
			return err;
	}
	if (on)
		add_risk(r, "tls13-without-os-support", TLSR_SEV_WARNING,
			 TLSR_COMP_SCHANNEL,
			 "TLS 1.3 is switched on (SChannel keys or WinHTTP bit "
			 "0x2000) but %s has no TLS 1.3: Microsoft calls it "
			 "not a safe configuration before Windows 11 / Server "
			 "2022",
			 r->os->name);
	return TLSR_OK;
}

/* A value's UTF-16LE text as ASCII, separators (NUL) as commas. */
static void ascii_of(const struct tlsr_value *v, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < v->size && n + 1 < size; i += 2) {
		unsigned c = v->data[i] | (unsigned)v->data[i + 1] << 8;

		buf[n++] = c == 0 ? ',' : c < 128 ? (char)c : '?';
	}
	buf[n] = '\0';
}

/* An SSL Cipher Suite Order policy without a suite the servers use. */
static tlsr_err cipher_policy(struct tlsr_registry *reg, struct tlsr_report *r)
{
	struct tlsr_value v = {0};
	char *list;
	tlsr_err err;

	err = tlsr_reg_get(reg, TLSR_CIPHER_POLICY_KEY, TLSR_VIEW_64,
			   "Functions", &v);
	if (err == TLSR_ENOTFOUND)
		return TLSR_OK;
	if (err != TLSR_OK)
		return err;
	list = malloc(v.size / 2 + 1);
	if (list == NULL) {
		tlsr_value_clear(&v);
		return TLSR_ENOMEM;
	}
	if (v.type == TLSR_REG_SZ || v.type == TLSR_REG_MULTI_SZ ||
	    v.type == TLSR_REG_EXPAND_SZ)
		ascii_of(&v, list, v.size / 2 + 1);
	else
		list[0] = '\0';
	if (!tlsr_ciphers_have_tls12(list))
		add_risk(r, "cipher-suites-without-tls12", TLSR_SEV_WARNING,
			 TLSR_COMP_SCHANNEL,
			 "the SSL Cipher Suite Order policy (HKLM\\%s "
			 "Functions) lists no TLS 1.2 suite a Configuration "
			 "Manager server with an RSA certificate offers",
			 "SOFTWARE\\Policies\\...\\SSL\\00010002");
	free(list);
	tlsr_value_clear(&v);
	return TLSR_OK;
}

/* WinINet's SecureProtocols (machine value or policy) without TLS 1.2. */
static tlsr_err wininet(struct tlsr_registry *reg, struct tlsr_report *r)
{
	static const char *const keys[] = {WININET_POLICY_KEY, WININET_KEY};
	tlsr_err err = TLSR_OK;
	uint32_t v;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (tlsr_reg_read_dword(reg, keys[i], TLSR_VIEW_64,
					"SecureProtocols", &v, &err) == 1 &&
		    !(v & TLS12_BIT)) {
			add_risk(
			    r, "wininet-without-tls12", TLSR_SEV_WARNING,
			    TLSR_COMP_WINHTTP,
			    "WinINet SecureProtocols is 0x%lx in HKLM\\%s: "
			    "no TLS 1.2 for programs that use WinINet",
			    (unsigned long)v, keys[i]);
			break;
		}
		if (err != TLSR_OK)
			return err;
	}
	return err;
}

/* TLS 1.2 Enabled = 0xffffffff: works, but benchmarks expect 1. */
static tlsr_err enabled_all_ones(struct tlsr_registry *reg,
				 struct tlsr_report *r)
{
	static const char *const sides[] = {"Client", "Server"};
	char path[256];
	tlsr_err err = TLSR_OK;
	uint32_t v;
	int i;

	for (i = 0; i < 2; i++) {
		schannel_path(path, sizeof path, TLSR_PROTO_TLS12, sides[i]);
		if (tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "Enabled",
					&v, &err) == 1 &&
		    v == 0xFFFFFFFFu) {
			add_risk(r, "enabled-ffffffff", TLSR_SEV_INFO,
				 TLSR_COMP_SCHANNEL,
				 "TLS 1.2\\%s Enabled is 0xffffffff: SChannel "
				 "reads it as on, but auditors (DISA STIG) "
				 "expect 1",
				 sides[i]);
			break;
		}
		if (err != TLSR_OK)
			return err;
	}
	return err;
}

tlsr_err tlsr_risks_assess(struct tlsr_registry *reg,
			   const struct tlsr_policy *p, struct tlsr_report *r,
			   const int effective[TLSR_COMP_COUNT])
{
	tlsr_err err;

	(void)p;
	r->risks = calloc(MAX_RISKS, sizeof *r->risks);
	if (r->risks == NULL)
		return TLSR_ENOMEM;
	r->n_risks = 0;
	r->critical = 0;
	if ((err = schannel_orphan(reg, r, effective[TLSR_COMP_SCHANNEL])) !=
		TLSR_OK ||
	    (err = winhttp_orphan(reg, r, effective)) != TLSR_OK ||
	    (err = tls13_keys(reg, r)) != TLSR_OK ||
	    (err = cipher_policy(reg, r)) != TLSR_OK ||
	    (err = wininet(reg, r)) != TLSR_OK ||
	    (err = enabled_all_ones(reg, r)) != TLSR_OK)
		return err;
	if (r->facts.fips)
		add_risk(r, "fips-on", TLSR_SEV_WARNING, TLSR_COMP_SCHANNEL,
			 "FIPS mode is on (Lsa\\FIPSAlgorithmPolicy Enabled): "
			 "SChannel may fall back to TLS 1.0 or refuse suites "
			 "the servers offer; Microsoft advises checking it "
			 "when TLS 1.2 fails");
	return TLSR_OK;
}
