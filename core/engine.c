/* tlsward: check, plan and apply. Every decision comes from the settings
 * table, the policy and the facts; nothing here names a particular value. */
#include "tlsr.h"
#include "proof.h"
#include "risks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLS12_BIT 0x0800u
#define TLS13_BIT 0x2000u
/* The DefaultSecureProtocols bits the legacy step may remove: SSL 2.0, SSL
 * 3.0, TLS 1.0, TLS 1.1. */
#define LEGACY_BITS 0x02A8u
/* Bits tlsward never adds to a mask that lacks them: more SSL 2.0, SSL 3.0
 * or TLS 1.0 would weaken the machine. */
/* .NET releases: 4.5 has TLS 1.2 at all; 4.6.2 is what the Configuration
 * Manager client needs and uses the OS's protocols. */
#define NET45_RELEASE 378389u
#define NET462_RELEASE 394802u

#define SCHANNEL_PROTOCOLS                                                     \
	"SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Pro" \
	"tocols"
#define DOTNET_V4_KEY "SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"

static const char reason_deferred[] =
    "waits until TLS 1.2 holds in WinHTTP, SChannel and .NET and the "
    "restart is done";
static const char reason_no_tls12_off[] = "tlsward never turns TLS 1.2 off";
static const char reason_contradiction[] =
    "the policy both keeps or enables this protocol and disables it";

/* Policy mode as policies, events and Status spell it. */
const char *tlsr_mode_name(enum tlsr_mode m)
{
	return m == TLSR_MODE_AUDIT ? "audit" : "enforce";
}

/* Lower-case state name as reports spell it. */
const char *tlsr_state_name(enum tlsr_state s)
{
	switch (s) {
	case TLSR_STATE_OK:
		return "ok";
	case TLSR_STATE_MISSING:
		return "missing";
	case TLSR_STATE_MISMATCH:
		return "mismatch";
	case TLSR_STATE_BLOCKED:
		return "blocked";
	default:
		return "unknown";
	}
}

const char *tlsr_severity_name(enum tlsr_severity s)
{
	switch (s) {
	case TLSR_SEV_CRITICAL:
		return "critical";
	case TLSR_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

/* Little-endian 32-bit number at p. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Whether v is a well-formed REG_DWORD. */
static int is_dword(const struct tlsr_value *v)
{
	return v->type == TLSR_REG_DWORD && v->size == 4 && v->data != NULL;
}

/* Why the OS itself keeps TLS 1.2 out of reach, into buf; 0 when it does
 * not. Named as the OS or service pack it is, never as a missing KB. */
static int os_blocks(const struct tlsr_facts *f, const struct tlsr_os *os,
		     char *buf, size_t size)
{
	if (os->support == TLSR_OS_UNSUPPORTED) {
		snprintf(buf, size, "unsupported OS: %s", os->support_note);
		return 1;
	}
	if (f->os_sp < os->min_sp) {
		snprintf(buf, size,
			 "unsupported service pack: %s without Service Pack "
			 "%u (%s)",
			 os->name, os->min_sp,
			 os->support_note ? os->support_note
					  : "install the service pack");
		return 1;
	}
	if (os->os_update != NULL && f->os_update != TLSR_YES) {
		snprintf(buf, size, "%s is not installed (%s)", os->os_update,
			 os->support_note);
		return 1;
	}
	return 0;
}

/* Whether the facts put .NET 4.5 or later on the machine. */
static int net45(const struct tlsr_facts *f)
{
	return f->net4_release >= NET45_RELEASE;
}

/* What the policy wants of a row on this OS: 0 when nothing. *blocked gets
 * a static reason, or buf filled and pointed to. */
static int row_wanted(const struct tlsr_setting *s, const struct tlsr_policy *p,
		      const struct tlsr_facts *f, const struct tlsr_os *os,
		      uint32_t *expected, enum tlsr_phase *phase,
		      const char **blocked, char *buf, size_t size)
{
	unsigned bit = TLSR_PROTO_BIT(s->proto);
	int off, v2;

	*blocked = NULL;
	switch (s->kind) {
	case TLSR_KIND_WINHTTP_DSP:
		/* The wanted mask depends on the value found; judge_dsp. */
		*expected = p->winhttp.default_secure_protocols;
		*phase = TLSR_PHASE_WINHTTP;
		return 1;
	case TLSR_KIND_SCHANNEL_ENABLED:
	case TLSR_KIND_SCHANNEL_DBD:
		if (!(p->schannel.sides & (unsigned)s->side))
			return 0;
		if (p->schannel.disable & bit) {
			off = 1;
			*phase = TLSR_PHASE_LEGACY;
			if (s->proto == TLSR_PROTO_TLS12)
				*blocked = reason_no_tls12_off;
			else if ((p->schannel.enable | p->winhttp.keep) & bit)
				*blocked = reason_contradiction;
		} else if (p->schannel.enable & bit) {
			off = 0;
			*phase = TLSR_PHASE_SCHANNEL;
			if (s->proto == TLSR_PROTO_TLS13 && !os->tls13) {
				snprintf(buf, size,
					 "%s has no TLS 1.3 (it starts with "
					 "Windows 11 build 22000 and Server "
					 "2022 build 20348), and turning it "
					 "on here is not a safe configuration",
					 os->name);
				*blocked = buf;
			}
		} else {
			return 0;
		}
		if (s->kind == TLSR_KIND_SCHANNEL_ENABLED)
			*expected = off ? 0 : 1;
		else
			*expected = off ? 1 : 0;
		return 1;
	case TLSR_KIND_DOTNET_STRONG:
	case TLSR_KIND_DOTNET_SYSDEFAULT:
		if (s->kind == TLSR_KIND_DOTNET_STRONG ? !p->dotnet.strong_crypto
						       : !p->dotnet
							      .system_default_tls_versions)
			return 0;
		*expected = 1;
		*phase = TLSR_PHASE_DOTNET;
		/* Values for a framework that is not there are neither
		 * demanded nor written. */
		v2 = strcmp(s->framework, "v2.0.50727") == 0;
		if (v2 ? !f->net35 : !net45(f))
			return 0;
		if (v2 && f->net35_update != TLSR_YES) {
			snprintf(buf, size,
				 ".NET Framework 3.5 on %s needs %s for TLS "
				 "1.2 (%s)",
				 os->name,
				 os->net35_update ? os->net35_update
						  : "its TLS 1.2 update",
				 f->net35_update_source[0]
				     ? f->net35_update_source
				     : "not found");
			*blocked = buf;
		}
		return 1;
	}
	return 0;
}

/* SChannel's effective switch for a protocol and side: Enabled (non-zero =
 * on) and DisabledByDefault, each the OS default when absent. *on: usable
 * at all; *used: offered without the caller asking. */
static tlsr_err schannel_effective(struct tlsr_registry *reg,
				   const struct tlsr_os *os,
				   enum tlsr_proto proto, enum tlsr_side side,
				   int *on, int *used)
{
	char path[256];
	unsigned def_mask =
	    side == TLSR_SIDE_CLIENT ? os->schannel_client : os->schannel_server;
	int def = (def_mask & TLSR_PROTO_BIT(proto)) != 0;
	uint32_t en = 0, dbd = 0;
	tlsr_err err = TLSR_OK;
	int r1, r2;

	snprintf(path, sizeof path, "%s\\%s\\%s", SCHANNEL_PROTOCOLS,
		 tlsr_proto_schannel_name(proto),
		 side == TLSR_SIDE_CLIENT ? "Client" : "Server");
	r1 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "Enabled", &en,
				 &err);
	if (err != TLSR_OK)
		return err;
	r2 = tlsr_reg_read_dword(reg, path, TLSR_VIEW_NONE, "DisabledByDefault",
				 &dbd, &err);
	if (err != TLSR_OK)
		return err;
	*on = r1 == 1 ? en != 0 : r1 == 0 && def;
	*used = *on && (r2 == 1 ? dbd == 0 : r2 == 0 && (def || r1 == 1));
	/* A protocol the OS lacks is never on, whatever the keys say. */
	if (proto == TLSR_PROTO_TLS13 && !os->tls13)
		*on = *used = 0;
	return TLSR_OK;
}

/* The DefaultSecureProtocols mask WinHTTP uses in a view: the value, or the
 * OS default when absent. *present: 1 value, 0 absent, -1 another type
 * (WinHTTP then keeps its default, and tlsward rewrites it). */
static tlsr_err dsp_effective(struct tlsr_registry *reg,
			      const struct tlsr_os *os, enum tlsr_view view,
			      uint32_t *mask, int *present)
{
	const struct tlsr_setting *s =
	    tlsr_setting_find("winhttp.default_secure_protocols");
	tlsr_err err = TLSR_OK;
	uint32_t v = 0;
	int r = tlsr_reg_read_dword(reg, s->key, view, s->name, &v, &err);

	if (err != TLSR_OK)
		return err;
	*present = r;
	*mask = r == 1 ? v : os->winhttp_default;
	return TLSR_OK;
}

/* Whether WinHTTP's update is in place where the OS needs one. */
static int winhttp_update_ok(const struct tlsr_facts *f,
			     const struct tlsr_os *os)
{
	return os->winhttp_update == NULL || f->kb3140245 == TLSR_YES;
}

/* Whether WinHTTP offers TLS 1.2 in every view. */
static tlsr_err tls12_winhttp(struct tlsr_registry *reg,
			      const struct tlsr_facts *f,
			      const struct tlsr_os *os, int *out)
{
	enum tlsr_view views[2] = {TLSR_VIEW_64, TLSR_VIEW_32};
	uint32_t mask;
	tlsr_err err;
	int i, present, holds = winhttp_update_ok(f, os);

	for (i = 0; i < (f->x64 ? 2 : 1); i++) {
		err = dsp_effective(reg, os, views[i], &mask, &present);
		if (err != TLSR_OK)
			return err;
		if (!(mask & TLS12_BIT))
			holds = 0;
	}
	*out = holds;
	return TLSR_OK;
}

/* Whether SChannel offers TLS 1.2 as a client. */
static tlsr_err tls12_schannel(struct tlsr_registry *reg,
			       const struct tlsr_os *os, int *out)
{
	int on;

	return schannel_effective(reg, os, TLSR_PROTO_TLS12, TLSR_SIDE_CLIENT,
				  &on, out);
}

/* Whether .NET 4 apps (the Configuration Manager client among them) use
 * TLS 1.2 in every view: .NET 4.6.2 or later, with neither switch
 * explicitly off. */
static tlsr_err tls12_dotnet(struct tlsr_registry *reg,
			     const struct tlsr_facts *f, int *out)
{
	enum tlsr_view views[2] = {TLSR_VIEW_64, TLSR_VIEW_32};
	uint32_t strong, sysdef;
	tlsr_err err = TLSR_OK;
	int i, rs, rd, holds = f->net4_release >= NET462_RELEASE;

	for (i = 0; holds && i < (f->x64 ? 2 : 1); i++) {
		rs = tlsr_reg_read_dword(reg, DOTNET_V4_KEY, views[i],
					 "SchUseStrongCrypto", &strong, &err);
		if (err != TLSR_OK)
			return err;
		rd = tlsr_reg_read_dword(reg, DOTNET_V4_KEY, views[i],
					 "SystemDefaultTlsVersions", &sysdef,
					 &err);
		if (err != TLSR_OK)
			return err;
		if (rs < 0 || rd < 0 || (rs == 1 && strong == 0) ||
		    (rd == 1 && sysdef == 0))
			holds = 0;
	}
	*out = holds;
	return TLSR_OK;
}

/* Appends a blocked reason once. */
static void add_reason(struct tlsr_report *r, const char *reason)
{
	size_t len = strlen(r->blocked_reasons);

	if (strstr(r->blocked_reasons, reason) != NULL)
		return;
	snprintf(r->blocked_reasons + len, sizeof r->blocked_reasons - len,
		 "%s%s", len ? "; " : "", reason);
}

/* Reads an item's current value; absent is not an error. */
static tlsr_err read_item(struct tlsr_registry *reg, struct tlsr_item *it)
{
	tlsr_err err;

	err = tlsr_reg_get(reg, it->def->key, it->view, it->def->name,
			   &it->actual);
	if (err == TLSR_OK) {
		it->present = 1;
		return TLSR_OK;
	}
	tlsr_value_clear(&it->actual);
	it->present = 0;
	return err == TLSR_ENOTFOUND ? TLSR_OK : err;
}

/* One item per row the policy names on this OS and per view, read. */
static tlsr_err expand_items(struct tlsr_registry *reg,
			     const struct tlsr_policy *p, struct tlsr_report *r)
{
	const struct tlsr_facts *f = &r->facts;
	size_t i, n = 0;
	uint32_t expected;
	enum tlsr_phase phase;
	const char *blocked;
	char buf[256];
	tlsr_err err;
	int v, nviews;

	r->items = calloc(tlsr_settings_count * 2, sizeof *r->items);
	if (r->items == NULL)
		return TLSR_ENOMEM;
	for (i = 0; i < tlsr_settings_count; i++) {
		const struct tlsr_setting *s = &tlsr_settings[i];

		if (!row_wanted(s, p, f, r->os, &expected, &phase, &blocked,
				buf, sizeof buf))
			continue;
		nviews = s->views == TLSR_VIEWS_BOTH ? (f->x64 ? 2 : 1) : 1;
		for (v = 0; v < nviews; v++) {
			struct tlsr_item *it = &r->items[n++];

			it->def = s;
			if (s->views != TLSR_VIEWS_BOTH)
				it->view = TLSR_VIEW_NONE;
			else
				it->view = v == 0 ? TLSR_VIEW_64 : TLSR_VIEW_32;
			snprintf(it->id, sizeof it->id, "%s%s", s->id,
				 it->view == TLSR_VIEW_32 ? "@32" : "");
			it->expected = expected;
			it->phase = phase;
			if (blocked == buf) {
				snprintf(it->reason_buf, sizeof it->reason_buf,
					 "%s", buf);
				it->reason = it->reason_buf;
			} else {
				it->reason = blocked;
			}
			r->n_items = n;
			err = read_item(reg, it);
			if (err != TLSR_OK)
				return err;
		}
	}
	return TLSR_OK;
}

/* Whether an SChannel or .NET value already does what the policy wants;
 * absent counts when the OS default is the wanted state. SChannel reads
 * any non-zero Enabled as on, so 0xffffffff satisfies a wanted 1. */
static int value_ok(const struct tlsr_item *it, const struct tlsr_os *os)
{
	unsigned def_mask;
	int def_on;
	uint32_t v;

	if (!it->present) {
		if (it->def->kind != TLSR_KIND_SCHANNEL_ENABLED &&
		    it->def->kind != TLSR_KIND_SCHANNEL_DBD)
			return 0;
		def_mask = it->def->side == TLSR_SIDE_CLIENT
			       ? os->schannel_client
			       : os->schannel_server;
		def_on = (def_mask & TLSR_PROTO_BIT(it->def->proto)) != 0;
		/* On by default: Enabled 1 and DisabledByDefault 0 are the
		 * default. Off by default: the wanted 0 / 1 are. */
		if (it->def->kind == TLSR_KIND_SCHANNEL_ENABLED)
			return def_on == (it->expected != 0);
		return def_on == (it->expected == 0);
	}
	if (!is_dword(&it->actual))
		return 0;
	v = le32(it->actual.data);
	if (it->def->kind == TLSR_KIND_SCHANNEL_ENABLED && it->expected != 0)
		return v != 0;
	return v == it->expected;
}

/* DefaultSecureProtocols: compliant when the mask in effect has TLS 1.2;
 * a mask with fewer legacy bits than the policy is stricter and left
 * alone. A mask without TLS 1.2 gets TLS 1.2 (and TLS 1.1 if the policy has
 * it) added, its legacy bits kept: removing them is the gated legacy step,
 * and SSL 2.0 / 3.0 / TLS 1.0 are never added back. TLS 1.3 is in every
 * mask written where the OS has it, and in none where it does not. */
static void judge_dsp(const struct tlsr_policy *p, const struct tlsr_os *os,
		      struct tlsr_item *it)
{
	uint32_t want = p->winhttp.default_secure_protocols;
	uint32_t cur, tls13 = os->tls13 ? TLS13_BIT : 0, remove;
	int present = it->present ? (is_dword(&it->actual) ? 1 : -1) : 0;

	cur = present == 1 ? le32(it->actual.data) : os->winhttp_default;
	it->state = TLSR_STATE_OK;
	it->write = 0;
	it->expected = cur;
	if (present < 0 || !(cur & TLS12_BIT)) {
		/* The first step: TLS 1.2 in, nothing legacy added. A value
		 * of another type is ignored by WinHTTP: its default is the
		 * starting point. */
		if (present < 0)
			cur = os->winhttp_default;
		it->expected = (cur & LEGACY_BITS) | (want & 0x0200u) |
			       TLS12_BIT | tls13;
		it->state =
		    present ? TLSR_STATE_MISMATCH : TLSR_STATE_MISSING;
		it->write = 1;
		return;
	}
	remove = cur & LEGACY_BITS & ~want;
	if (remove) {
		/* The legacy step: only the bits the policy lacks go. */
		it->expected = cur & ~remove;
		it->phase = TLSR_PHASE_LEGACY;
		it->state =
		    present ? TLSR_STATE_MISMATCH : TLSR_STATE_MISSING;
		it->write = 1;
		return;
	}
	it->by_default = !present;
	it->stricter = (want & LEGACY_BITS & ~cur) != 0;
}

/* Decides state, write and deferral once the registry and TLS 1.2 status
 * are known. */
static void judge_items(const struct tlsr_policy *p, struct tlsr_report *r,
			const char *os_reason, const char *proof_why)
{
	const struct tlsr_facts *f = &r->facts;
	const struct tlsr_os *os = r->os;
	int kb_missing = !winhttp_update_ok(f, os);
	int legacy_ready = r->tls12[TLSR_COMP_WINHTTP] &&
			   r->tls12[TLSR_COMP_SCHANNEL] &&
			   r->tls12[TLSR_COMP_DOTNET] && !r->restart_pending &&
			   !r->critical;
	/* Legacy-off never goes ahead without a proof on the wire when the
	 * policy asks for one. */
	int proof_holds = !r->proof_listed || !p->proof.require_for_legacy_off ||
			  r->proven;
	size_t i;

	if (!proof_holds)
		snprintf(r->proof_reason, sizeof r->proof_reason,
			 "%s%sfor a TLS 1.2 proof on the wire since this boot: "
			 "%s",
			 legacy_ready ? "waits " : reason_deferred,
			 legacy_ready ? "" : ", and waits ", proof_why);

	for (i = 0; i < r->n_items; i++) {
		struct tlsr_item *it = &r->items[i];

		if (it->def->kind == TLSR_KIND_WINHTTP_DSP) {
			judge_dsp(p, os, it);
		} else {
			int ok = value_ok(it, os);

			it->state = ok		  ? TLSR_STATE_OK
				    : it->present ? TLSR_STATE_MISMATCH
						  : TLSR_STATE_MISSING;
			it->write = !ok;
			it->by_default = ok && !it->present;
		}
		if (os_reason != NULL) {
			/* The OS cannot have TLS 1.2: nothing is written. */
			snprintf(it->reason_buf, sizeof it->reason_buf, "%s",
				 os_reason);
			it->reason = it->reason_buf;
			it->state = TLSR_STATE_BLOCKED;
			it->write = 0;
		} else if (it->reason != NULL) {
			/* A policy contradiction or a missing prerequisite:
			 * never written. */
			it->state = TLSR_STATE_BLOCKED;
			it->write = 0;
		} else if (it->def->kind == TLSR_KIND_WINHTTP_DSP &&
			   kb_missing) {
			/* The value does nothing without the update, so it
			 * never counts as compliant, but it may be written
			 * ahead so the update takes effect on install. */
			snprintf(it->reason_buf, sizeof it->reason_buf,
				 "%s is not installed (WinHTTP on %s needs it "
				 "for TLS 1.2: %s)",
				 os->winhttp_update, os->name,
				 f->kb3140245_source);
			it->reason = it->reason_buf;
			it->state = TLSR_STATE_BLOCKED;
			it->write = it->write && p->winhttp.prestage &&
				    it->phase != TLSR_PHASE_LEGACY;
		} else if (it->phase == TLSR_PHASE_LEGACY &&
			   it->state != TLSR_STATE_OK &&
			   (!legacy_ready || !proof_holds)) {
			it->deferred = 1;
			it->reason = proof_holds ? reason_deferred
						 : r->proof_reason;
			it->write = 0;
		}
		if (it->state == TLSR_STATE_BLOCKED) {
			r->blocked = 1;
			add_reason(r, it->reason);
		}
		if (it->write && it->def->restart != TLSR_RESTART_NONE &&
		    it->state != TLSR_STATE_BLOCKED)
			r->restart_required = 1;
	}
	r->compliant = !r->blocked;
	for (i = 0; i < r->n_items; i++)
		if (r->items[i].state != TLSR_STATE_OK)
			r->compliant = 0;
}

/* Which components have a change waiting for a restart. An id tlsward does
 * not know, or a list too long to read, counts against every component:
 * the ledger only ever errs towards a restart. */
static tlsr_err read_owed(struct tlsr_registry *reg, struct tlsr_report *r)
{
	char ids[8192], base[128];
	const char *id;
	size_t n, c;
	tlsr_err err;

	err = tlsr_owed_list(reg, r->facts.boot_id, ids, sizeof ids, &n);
	if (err != TLSR_OK && err != TLSR_ERANGE)
		return err;
	r->restart_pending = n > 0 || err == TLSR_ERANGE;
	for (id = ids; *id != '\0'; id += strlen(id) + 1) {
		const struct tlsr_setting *s;

		snprintf(base, sizeof base, "%.*s", (int)strcspn(id, "@"), id);
		s = tlsr_setting_find(base);
		if (s != NULL) {
			r->owed[s->component] = 1;
			continue;
		}
		for (c = 0; c < TLSR_COMP_COUNT; c++)
			r->owed[c] = 1;
	}
	if (err == TLSR_ERANGE)
		for (c = 0; c < TLSR_COMP_COUNT; c++)
			r->owed[c] = 1;
	return TLSR_OK;
}

/* Compares the registry with the policy; see tlsr.h. */
tlsr_err tlsr_check(struct tlsr_registry *reg, const struct tlsr_policy *p,
		    const struct tlsr_facts *facts, struct tlsr_report **out)
{
	struct tlsr_report *r;
	char proof_why[900] = "";
	char os_reason[256];
	int blocked_by_os, c, effective[TLSR_COMP_COUNT];
	tlsr_err err = TLSR_OK;

	if (reg == NULL || p == NULL || facts == NULL || out == NULL)
		return TLSR_EINVAL;
	*out = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return TLSR_ENOMEM;
	r->facts = *facts;
	r->os = tlsr_facts_os(facts);
	blocked_by_os = os_blocks(facts, r->os, os_reason, sizeof os_reason);
	/* One run of reads: each key is opened once however many of its
	 * values the check reads. */
	tlsr_reg_batch_begin(reg);

	err = expand_items(reg, p, r);
	if (err != TLSR_OK)
		goto fail;
	err = read_owed(reg, r);
	if (err != TLSR_OK)
		goto fail;
	err = tls12_winhttp(reg, facts, r->os, &effective[TLSR_COMP_WINHTTP]);
	if (err != TLSR_OK)
		goto fail;
	err = tls12_schannel(reg, r->os, &effective[TLSR_COMP_SCHANNEL]);
	if (err != TLSR_OK)
		goto fail;
	err = tls12_dotnet(reg, facts, &effective[TLSR_COMP_DOTNET]);
	if (err != TLSR_OK)
		goto fail;
	err = tlsr_risks_assess(reg, p, r, effective);
	if (err != TLSR_OK)
		goto fail;
	for (c = 0; c < TLSR_COMP_COUNT; c++)
		r->tls12[c] = effective[c] && !r->owed[c] && !blocked_by_os;
	r->ready_for_server = r->tls12[TLSR_COMP_WINHTTP] &&
			      r->tls12[TLSR_COMP_SCHANNEL] &&
			      r->tls12[TLSR_COMP_DOTNET] &&
			      !r->restart_pending && !r->critical;
	if (p->proof.n_endpoints > 0) {
		r->proof_listed = 1;
		/* facts->boot_id: "" offline, which no proof satisfies. */
		r->proven = tlsr_proof_satisfied(reg, p, facts->boot_id,
						 proof_why, sizeof proof_why);
		r->ready_for_server = r->ready_for_server && r->proven;
	}

	judge_items(p, r, blocked_by_os ? os_reason : NULL, proof_why);
	if (blocked_by_os) {
		r->blocked = 1;
		r->compliant = 0;
		add_reason(r, os_reason);
	} else if (facts->net4_release < NET462_RELEASE) {
		/* The Configuration Manager client needs 4.6.2. */
		r->blocked = 1;
		r->compliant = 0;
		add_reason(r, facts->net40 || facts->net4_release != 0
				  ? ".NET Framework 4.6.2 or later is not "
				    "installed (older .NET 4 releases do not "
				    "use TLS 1.2 by default; the "
				    "Configuration Manager client needs "
				    "4.6.2)"
				  : ".NET Framework 4.6.2 or later is not "
				    "installed (the Configuration Manager "
				    "client needs it)");
	}
	if (r->restart_pending)
		r->restart_required = 1;
	tlsr_reg_batch_end(reg);
	*out = r;
	return TLSR_OK;
fail:
	tlsr_reg_batch_end(reg);
	tlsr_report_free(r);
	return err;
}

/* Frees the report and the values it holds; NULL-safe. */
void tlsr_report_free(struct tlsr_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_items; i++)
		tlsr_value_clear(&r->items[i].actual);
	free(r->items);
	free(r->risks);
	free(r);
}

/* Orders writable items by phase, keeping table order within a phase. */
tlsr_err tlsr_plan_make(const struct tlsr_report *r, struct tlsr_plan **out)
{
	struct tlsr_plan *plan;
	size_t i, n = 0;
	int phase;

	if (r == NULL || out == NULL)
		return TLSR_EINVAL;
	*out = NULL;
	plan = calloc(1, sizeof *plan);
	if (plan == NULL)
		return TLSR_ENOMEM;
	if (r->n_items > 0) {
		plan->actions = calloc(r->n_items, sizeof *plan->actions);
		if (plan->actions == NULL) {
			free(plan);
			return TLSR_ENOMEM;
		}
	}
	for (phase = TLSR_PHASE_SCHANNEL; phase <= TLSR_PHASE_LEGACY; phase++) {
		for (i = 0; i < r->n_items; i++) {
			const struct tlsr_item *it = &r->items[i];
			struct tlsr_action *a;

			if ((int)it->phase != phase || !it->write ||
			    it->state == TLSR_STATE_OK)
				continue;
			a = &plan->actions[n++];
			a->item = i;
			a->phase = it->phase;
			a->value = it->expected;
			/* A pre-staged value does nothing until its update is
			 * installed, and that update brings its own restart. */
			a->restart = it->state == TLSR_STATE_BLOCKED
					 ? TLSR_RESTART_NONE
					 : it->def->restart;
			if (a->restart != TLSR_RESTART_NONE)
				plan->restart_required = 1;
		}
	}
	plan->n_actions = n;
	if (r->restart_pending)
		plan->restart_required = 1;
	*out = plan;
	return TLSR_OK;
}

/* NULL-safe. */
void tlsr_plan_free(struct tlsr_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->actions);
	free(plan);
}

/* Suffix naming the 32-bit view in messages. */
static const char *view_label(enum tlsr_view v)
{
	return v == TLSR_VIEW_32 ? " (32-bit view)" : "";
}

/* Describes a failure on an item for the user. */
static void set_message(struct tlsr_apply_result *res,
			struct tlsr_registry *reg, const char *what,
			const struct tlsr_item *it, tlsr_err err)
{
	snprintf(res->message, sizeof res->message, "%s HKLM\\%s\\%s%s: %s%s%s",
		 what, it->def->key, it->def->name, view_label(it->view),
		 tlsr_strerror(err), reg->message[0] ? ": " : "", reg->message);
}

/* Counts a failed action, keeping the first one's details. */
static void fail_action(struct tlsr_apply_result *res,
			struct tlsr_registry *reg, size_t index,
			const char *what, const struct tlsr_item *it,
			tlsr_err err)
{
	if (res->failed++ == 0) {
		res->first_error = err;
		res->first_failed = index;
		set_message(res, reg, what, it, err);
	}
}

/* Writes one DWORD and reads it back. */
static tlsr_err write_verified(struct tlsr_registry *reg,
			       const struct tlsr_item *it, uint32_t value)
{
	struct tlsr_value back;
	tlsr_err err;

	reg->message[0] = '\0';
	err = tlsr_reg_set_dword(reg, it->def->key, it->view, it->def->name,
				 value);
	if (err != TLSR_OK)
		return err;
	err = tlsr_reg_get(reg, it->def->key, it->view, it->def->name, &back);
	if (err != TLSR_OK)
		return err;
	if (!is_dword(&back) || le32(back.data) != value) {
		err = tlsr_reg_fail(
		    reg, TLSR_EVERIFY, 0, "read back %s instead of 0x%08lx",
		    is_dword(&back) ? "another number" : "another type",
		    (unsigned long)value);
	}
	tlsr_value_clear(&back);
	return err;
}

/* Journals, then writes the plan phase by phase; see tlsr.h. */
tlsr_err tlsr_apply(struct tlsr_registry *reg, const struct tlsr_report *r,
		    const struct tlsr_plan *plan, tlsr_action_cb cb,
		    void *cb_data, struct tlsr_apply_result *res)
{
	const char *boot = r == NULL ? NULL : r->facts.boot_id;
	size_t i;
	enum tlsr_phase failed_phase = 0;
	tlsr_err err;

	if (reg == NULL || r == NULL || plan == NULL || res == NULL)
		return TLSR_EINVAL;
	memset(res, 0, sizeof *res);
	for (i = 0; i < plan->n_actions; i++)
		if (plan->actions[i].item >= r->n_items)
			return TLSR_EINVAL;
	if (plan->n_actions == 0)
		return TLSR_OK;

	/* Entries of an earlier boot are done with; new ones start clean. */
	reg->message[0] = '\0';
	err = tlsr_owed_settle(reg, boot);
	if (err != TLSR_OK) {
		res->first_error = err;
		snprintf(res->message, sizeof res->message,
			 "could not settle the restart ledger HKLM\\%s: %s%s%s",
			 TLSR_KEY_RESTART, tlsr_strerror(err),
			 reg->message[0] ? ": " : "", reg->message);
		return err;
	}

	/* Every original value is safe in the journal before the first
	 * change, so a rollback can always undo a partial apply. */
	for (i = 0; i < plan->n_actions; i++) {
		const struct tlsr_item *it = &r->items[plan->actions[i].item];

		reg->message[0] = '\0';
		err = tlsr_journal_record(reg, it);
		if (err != TLSR_OK) {
			res->first_error = err;
			res->first_failed = i;
			set_message(res, reg, "could not journal", it, err);
			return err;
		}
	}

	for (i = 0; i < plan->n_actions; i++) {
		const struct tlsr_action *a = &plan->actions[i];
		const struct tlsr_item *it = &r->items[a->item];

		/* A failed phase stops later ones: the order is the point. */
		if (failed_phase != 0 && a->phase > failed_phase)
			break;
		err = TLSR_OK;
		if (a->restart != TLSR_RESTART_NONE) {
			uint8_t data[4] = {(uint8_t)a->value,
					   (uint8_t)(a->value >> 8),
					   (uint8_t)(a->value >> 16),
					   (uint8_t)(a->value >> 24)};
			struct tlsr_value after = {TLSR_REG_DWORD, 4, data};

			/* The ledger hears of the write first, so a failure
			 * in between leaves a restart owed, never a change no
			 * restart will apply. */
			reg->message[0] = '\0';
			err = tlsr_owed_note_write(
			    reg, boot, it->id,
			    it->in_effect && a->value == it->expected ? &after
			    : it->present			       ? &it->actual
								       : NULL,
			    &after);
			if (err != TLSR_OK)
				fail_action(res, reg, i,
					    "could not record the restart owed "
					    "by",
					    it, err);
		}
		if (err == TLSR_OK) {
			err = write_verified(reg, it, a->value);
			if (err != TLSR_OK)
				fail_action(res, reg, i, "could not write", it,
					    err);
		}
		if (err == TLSR_OK) {
			res->written++;
			if (a->restart != TLSR_RESTART_NONE)
				res->restart_required = 1;
		} else if (failed_phase == 0) {
			failed_phase = a->phase;
		}
		if (cb != NULL)
			cb(cb_data, r, a, err);
	}
	return res->first_error;
}
