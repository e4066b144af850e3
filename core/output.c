/* tlsward: reports as JSON (for scripts, Configuration Manager inventory) and
 * as text tables (for a person at a console). */
#include "strbuf.h"
#include "tlsr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON literal for a flag. */
static const char *bool_str(int v)
{
	return v ? "true" : "false";
}

/* REG_* name of a value type. */
static const char *type_name(uint32_t type)
{
	static const char *const names[] = {
	    "REG_NONE",
	    "REG_SZ",
	    "REG_EXPAND_SZ",
	    "REG_BINARY",
	    "REG_DWORD",
	    "REG_DWORD_BIG_ENDIAN",
	    "REG_LINK",
	    "REG_MULTI_SZ",
	    "REG_RESOURCE_LIST",
	    "REG_FULL_RESOURCE_DESCRIPTOR",
	    "REG_RESOURCE_REQUIREMENTS_LIST",
	    "REG_QWORD",
	};

	if (type < sizeof names / sizeof names[0])
		return names[type];
	return "REG_UNKNOWN";
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

/* Text of a string value up to its first NUL, or "" when it is not valid
 * UTF-16. */
static void value_text(const struct tlsr_value *v, char *buf, size_t size)
{
	size_t len = v->size & ~(size_t)1, i;

	buf[0] = '\0';
	for (i = 0; i + 1 < len; i += 2) {
		if (v->data[i] == 0 && v->data[i + 1] == 0) {
			len = i;
			break;
		}
	}
	if (len > 0 && tlsr_utf16le_to_utf8(v->data, len, buf, size) == 0)
		snprintf(buf, size, "(not valid UTF-16)");
}

/* Hex bytes, at most max of them, "..." after a cut. */
static void value_hex(const struct tlsr_value *v, char *buf, size_t size,
		      size_t max)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < v->size && i < max && pos + 4 < size; i++)
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%02x",
					i ? "," : "", v->data[i]);
	if (i < v->size && pos + 4 < size)
		snprintf(buf + pos, size - pos, ",...");
}

/* Whether the item's value is a bit mask, shown in hex. */
static int is_mask(const struct tlsr_item *it)
{
	return it->def->kind == TLSR_KIND_WINHTTP_DSP;
}

/* The value as read: a number, null, or type and data. */
static void json_actual(struct tlsr_sb *b, const struct tlsr_item *it)
{
	const struct tlsr_value *v = &it->actual;
	char text[1024];

	if (!it->present) {
		tlsr_sb_puts(b, "null");
		return;
	}
	if (is_dword(v)) {
		tlsr_sb_printf(b, "%lu", (unsigned long)le32(v->data));
		return;
	}
	tlsr_sb_printf(b, "{\"type\": \"%s\", \"data\": ", type_name(v->type));
	if (v->type == TLSR_REG_SZ || v->type == TLSR_REG_EXPAND_SZ) {
		value_text(v, text, sizeof text);
		tlsr_sb_json(b, text);
	} else if (v->type == TLSR_REG_QWORD && v->size == 8) {
		tlsr_sb_printf(b, "%llu",
			       (unsigned long long)le32(v->data) |
				   (unsigned long long)le32(v->data + 4) << 32);
	} else {
		value_hex(v, text, sizeof text, 64);
		tlsr_sb_json(b, text);
	}
	tlsr_sb_puts(b, "}");
}

/* "64", "32" or null for a one-view key. */
static void json_view(struct tlsr_sb *b, enum tlsr_view v)
{
	if (v == TLSR_VIEW_NONE)
		tlsr_sb_puts(b, "null");
	else
		tlsr_sb_json(b, tlsr_view_name(v));
}

/* The key as "HKLM\\..." in JSON. */
static void json_key(struct tlsr_sb *b, const struct tlsr_setting *s)
{
	char path[512];

	snprintf(path, sizeof path, "HKLM\\%s", s->key);
	tlsr_sb_json(b, path);
}

/* The item's "key", "view" and "name" members, each after a comma. */
static void json_location(struct tlsr_sb *b, const struct tlsr_item *it)
{
	tlsr_sb_puts(b, ", \"key\": ");
	json_key(b, it->def);
	tlsr_sb_puts(b, ", \"view\": ");
	json_view(b, it->view);
	tlsr_sb_puts(b, ", \"name\": ");
	tlsr_sb_json(b, it->def->name);
}

/* The "; "-separated reasons as a JSON array. */
static void json_reasons(struct tlsr_sb *b, const char *reasons)
{
	const char *p = reasons, *end;
	char one[sizeof((struct tlsr_report *)0)->blocked_reasons];
	int first = 1;

	tlsr_sb_puts(b, "[");
	while (*p != '\0') {
		end = strstr(p, "; ");
		if (end == NULL)
			end = p + strlen(p);
		snprintf(one, sizeof one, "%.*s", (int)(end - p), p);
		tlsr_sb_puts(b, first ? "" : ", ");
		tlsr_sb_json(b, one);
		first = 0;
		p = *end != '\0' ? end + 2 : end;
	}
	tlsr_sb_puts(b, "]");
}

/* The "facts" member, with TLS 1.2 per component. */
static void json_facts(struct tlsr_sb *b, const struct tlsr_report *r)
{
	const struct tlsr_facts *f = &r->facts;
	char name[128];

	tlsr_sb_puts(b, "  \"facts\": {");
	if (f->os_known)
		tlsr_sb_printf(b,
			       "\"os\": \"%u.%u.%u\", \"os_major\": %u, "
			       "\"os_minor\": %u, \"os_build\": %u, "
			       "\"service_pack\": %u, \"edition\": \"%s\", ",
			       f->os_major, f->os_minor, f->os_build,
			       f->os_major, f->os_minor, f->os_build, f->os_sp,
			       f->is_server ? "server" : "client");
	else
		tlsr_sb_puts(
		    b, "\"os\": null, \"os_major\": null, \"os_minor\": "
		       "null, \"os_build\": null, \"service_pack\": null, "
		       "\"edition\": null, ");
	tlsr_sb_puts(b, "\"product\": ");
	tlsr_sb_json(b, f->product);
	tlsr_sb_printf(b,
		       ", \"x64\": %s, \"net4_release\": ", bool_str(f->x64));
	if (f->net4_release != 0)
		tlsr_sb_printf(b, "%lu", (unsigned long)f->net4_release);
	else
		tlsr_sb_puts(b, "null");
	tlsr_facts_net_name(f, name, sizeof name);
	tlsr_sb_puts(b, ", \"net4_name\": ");
	tlsr_sb_json(b, name);
	tlsr_sb_printf(
	    b, ", \"net35\": %s, \"kb3140245\": %s, \"kb3140245_source\": ",
	    bool_str(f->net35),
	    f->kb3140245 == TLSR_YES  ? "true"
	    : f->kb3140245 == TLSR_NO ? "false"
				      : "null");
	tlsr_sb_json(b, f->kb3140245_source);
	tlsr_sb_printf(
	    b,
	    ", \"fips\": %s, \"tls12\": {\"winhttp\": %s, \"schannel\": "
	    "%s, \"dotnet\": %s}},\n",
	    bool_str(f->fips), bool_str(r->tls12[TLSR_COMP_WINHTTP]),
	    bool_str(r->tls12[TLSR_COMP_SCHANNEL]),
	    bool_str(r->tls12[TLSR_COMP_DOTNET]));
}

/* The "risks" member: [{"id", "severity", "component", "message"}]. */
static void json_risks(struct tlsr_sb *b, const struct tlsr_report *r)
{
	size_t i;

	tlsr_sb_puts(b, "  \"risks\": [");
	for (i = 0; i < r->n_risks; i++) {
		const struct tlsr_risk *k = &r->risks[i];

		tlsr_sb_puts(b, i ? ", {\"id\": " : "{\"id\": ");
		tlsr_sb_json(b, k->id);
		tlsr_sb_printf(b, ", \"severity\": \"%s\", \"component\": \"%s\", "
				  "\"message\": ",
			       tlsr_severity_name(k->severity),
			       tlsr_component_name(k->component));
		tlsr_sb_json(b, k->message);
		tlsr_sb_puts(b, "}");
	}
	tlsr_sb_puts(b, "],\n");
}

/* The "os_model" member: the row of core/os.c the verdict used. */
static void json_os(struct tlsr_sb *b, const struct tlsr_report *r)
{
	const struct tlsr_os *os = r->os;

	tlsr_sb_puts(b, "  \"os_model\": {\"row\": ");
	tlsr_sb_json(b, os->id);
	tlsr_sb_puts(b, ", \"name\": ");
	tlsr_sb_json(b, os->name);
	tlsr_sb_printf(b,
		       ", \"support\": \"%s\", \"winhttp_default\": %lu, "
		       "\"dsp_needed\": %s, \"winhttp_update\": ",
		       tlsr_os_support_name(os->support),
		       (unsigned long)os->winhttp_default,
		       bool_str(os->dsp_needed));
	if (os->winhttp_update)
		tlsr_sb_json(b, os->winhttp_update);
	else
		tlsr_sb_puts(b, "null");
	tlsr_sb_printf(b, ", \"tls13\": %s},\n", bool_str(os->tls13));
}

/* The members check and plan JSON share. */
static void json_head(struct tlsr_sb *b, const struct tlsr_report *r,
		      int restart_required)
{
	tlsr_sb_printf(b,
		       "{\n  \"compliant\": %s,\n  \"restart_required\": %s,\n"
		       "  \"restart_pending\": %s,\n"
		       "  \"ready_for_server\": %s,\n  \"blocked_reasons\": ",
		       bool_str(r->compliant), bool_str(restart_required),
		       bool_str(r->restart_pending),
		       bool_str(r->ready_for_server));
	json_reasons(b, r->blocked_reasons);
	tlsr_sb_puts(b, ",\n");
	json_risks(b, r);
	json_os(b, r);
	json_facts(b, r);
}

/* The check report as JSON; see tlsr.h. */
char *tlsr_report_json(const struct tlsr_report *r)
{
	struct tlsr_sb b = {0};
	size_t i;

	if (r == NULL)
		return NULL;
	json_head(&b, r, r->restart_required);
	tlsr_sb_puts(&b, "  \"settings\": [");
	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];

		tlsr_sb_puts(&b, i ? ",\n    {\"id\": " : "\n    {\"id\": ");
		tlsr_sb_json(&b, it->id);
		tlsr_sb_puts(&b, ", \"component\": ");
		tlsr_sb_json(&b, tlsr_component_name(it->def->component));
		json_location(&b, it);
		tlsr_sb_printf(&b, ", \"expected\": %lu, \"actual\": ",
			       (unsigned long)it->expected);
		json_actual(&b, it);
		tlsr_sb_printf(&b, ", \"state\": \"%s\"",
			       tlsr_state_name(it->state));
		if (it->reason != NULL &&
		    (it->state == TLSR_STATE_BLOCKED || it->deferred)) {
			tlsr_sb_puts(&b, ", \"reason\": ");
			tlsr_sb_json(&b, it->reason);
		}
		if (it->stricter)
			tlsr_sb_puts(&b, ", \"stricter\": true");
		if (it->by_default)
			tlsr_sb_puts(&b, ", \"by_default\": true");
		tlsr_sb_puts(&b, "}");
	}
	tlsr_sb_puts(&b, r->n_items ? "\n  ]\n}\n" : "]\n}\n");
	return tlsr_sb_finish(&b);
}

/* Lower-case phase name as plans spell it. */
static const char *phase_name(enum tlsr_phase p)
{
	switch (p) {
	case TLSR_PHASE_SCHANNEL:
		return "schannel";
	case TLSR_PHASE_WINHTTP:
		return "winhttp";
	case TLSR_PHASE_DOTNET:
		return "dotnet";
	case TLSR_PHASE_LEGACY:
		return "legacy";
	default:
		return "unknown";
	}
}

/* Restart rule as plans spell it. */
static const char *restart_name(enum tlsr_restart_rule rule)
{
	switch (rule) {
	case TLSR_RESTART_REQUIRED:
		return "required";
	default:
		return "none";
	}
}

/* The plan as JSON; see tlsr.h. */
char *tlsr_plan_json(const struct tlsr_report *r, const struct tlsr_plan *p)
{
	struct tlsr_sb b = {0};
	size_t i;

	if (r == NULL || p == NULL)
		return NULL;
	json_head(&b, r, p->restart_required);
	tlsr_sb_puts(&b, "  \"actions\": [");
	for (i = 0; i < p->n_actions; i++) {
		const struct tlsr_action *a = &p->actions[i];
		const struct tlsr_item *it;

		if (a->item >= r->n_items)
			continue;
		it = &r->items[a->item];
		tlsr_sb_printf(
		    &b, "%s    {\"order\": %zu, \"phase\": \"%s\", \"id\": ",
		    i ? ",\n" : "\n", i + 1, phase_name(a->phase));
		tlsr_sb_json(&b, it->id);
		json_location(&b, it);
		tlsr_sb_printf(&b, ", \"value\": %lu, \"restart\": \"%s\"}",
			       (unsigned long)a->value,
			       restart_name(a->restart));
	}
	tlsr_sb_puts(&b, p->n_actions ? "\n  ]\n}\n" : "]\n}\n");
	return tlsr_sb_finish(&b);
}

/* ---- text ---- */

#define COLS 7
#define CELL 96

struct table {
	char (*cells)[COLS][CELL];
	size_t rows;
	int ncols;
};

/* The last two components of a key, for tables. */
static void short_key(const char *key, char *buf, size_t size)
{
	const char *last = strrchr(key, '\\'), *p;

	/* The last two components tell the keys of one component apart. */
	p = last;
	if (last != NULL) {
		while (p > key && p[-1] != '\\')
			p--;
		if (p == key)
			p = last + 1;
	} else {
		p = key;
	}
	snprintf(buf, size, "%s", p);
}

/* A DWORD for a table: hex for masks and large numbers. */
static void number_text(const struct tlsr_item *it, uint32_t v, char *buf,
			size_t size)
{
	if (is_mask(it) || v > 0xffffu)
		snprintf(buf, size, "0x%08lx", (unsigned long)v);
	else
		snprintf(buf, size, "%lu", (unsigned long)v);
}

/* The value as read, for a table. */
static void actual_text(const struct tlsr_item *it, char *buf, size_t size)
{
	const struct tlsr_value *v = &it->actual;
	char text[64];

	if (!it->present) {
		snprintf(buf, size, "(absent)");
	} else if (is_dword(v)) {
		number_text(it, le32(v->data), buf, size);
	} else if (v->type == TLSR_REG_SZ || v->type == TLSR_REG_EXPAND_SZ) {
		value_text(v, text, sizeof text);
		snprintf(buf, size, "%s \"%.40s\"", type_name(v->type), text);
	} else {
		value_hex(v, text, sizeof text, 8);
		snprintf(buf, size, "%s %s", type_name(v->type), text);
	}
}

/* Prints rows with every column padded to its widest cell. */
static void table_print(struct tlsr_sb *b, const struct table *t)
{
	size_t w[COLS] = {0}, i, len;
	int c;

	for (i = 0; i < t->rows; i++)
		for (c = 0; c < t->ncols; c++) {
			len = strlen(t->cells[i][c]);
			if (len > w[c])
				w[c] = len;
		}
	for (i = 0; i < t->rows; i++) {
		for (c = 0; c < t->ncols; c++) {
			if (c == t->ncols - 1)
				tlsr_sb_printf(b, "%s\n", t->cells[i][c]);
			else
				tlsr_sb_printf(b, "%-*s  ", (int)w[c],
					       t->cells[i][c]);
		}
	}
}

/* Two lines about the machine. */
static void text_facts(struct tlsr_sb *b, const struct tlsr_report *r)
{
	const struct tlsr_facts *f = &r->facts;
	/* 0x800: TLS 1.2 in a WinHTTP protocol mask. */
	int tls12_by_default = (r->os->winhttp_default & 0x800u) != 0;
	char net[128];

	char sp[32] = "";

	tlsr_facts_net_name(f, net, sizeof net);
	if (f->os_sp)
		snprintf(sp, sizeof sp, " SP%u", f->os_sp);
	if (f->os_known)
		tlsr_sb_printf(b, "machine: %s%sWindows NT %u.%u.%u%s, %s%s\n",
			       f->product, f->product[0] ? ", " : "",
			       f->os_major, f->os_minor, f->os_build, sp,
			       f->is_server ? "server" : "client",
			       f->x64 ? ", x64" : "");
	else
		tlsr_sb_printf(b, "machine: unknown OS%s%s%s\n",
			       f->product[0] ? ", " : "", f->product,
			       f->x64 ? ", x64" : "");
	tlsr_sb_printf(b,
		       "model: %s (row %s, %s): WinHTTP default 0x%04lx, "
		       "DefaultSecureProtocols %s, TLS 1.3 %s\n",
		       r->os->name, r->os->id,
		       tlsr_os_support_name(r->os->support),
		       (unsigned long)r->os->winhttp_default,
		       r->os->dsp_needed
			   ? "needed (WinHTTP gets TLS 1.2 only through it)"
		       : tls12_by_default
			   ? "not needed (TLS 1.2 is in WinHTTP's default)"
			   : "of no use (no update brings TLS 1.2 to this "
			     "WinHTTP)",
		       r->os->tls13 ? "available" : "absent from this Windows");
	tlsr_sb_printf(b, ".NET: %s%s; %s: %s (%s)%s\n", net,
		       f->net35 ? ", .NET Framework 3.5" : "",
		       r->os->winhttp_update ? r->os->winhttp_update
					     : "KB3140245",
		       r->os->winhttp_update != NULL
			   ? (f->kb3140245 == TLSR_YES  ? "installed"
			      : f->kb3140245 == TLSR_NO ? "not installed"
							: "unknown")
		       : tls12_by_default ? "not needed"
					  : "does not apply",
		       r->os->winhttp_update == NULL && !tls12_by_default &&
			       r->os->support_note != NULL
			   ? r->os->support_note
			   : f->kb3140245_source,
		       f->fips ? "; FIPS algorithm policy on (SChannel may "
				 "negotiate TLS 1.0)"
			       : "");
}

/* Why TLS 1.2 does not hold in component c: a "no" always says why. */
static const char *tls12_why_not(const struct tlsr_report *r,
				 enum tlsr_component c)
{
	size_t i;
	int blocked = 0, unset = 0;

	for (i = 0; i < r->n_items; i++) {
		if (r->items[i].def->component != c)
			continue;
		blocked |= r->items[i].state == TLSR_STATE_BLOCKED;
		unset |= r->items[i].state == TLSR_STATE_MISSING ||
			 r->items[i].state == TLSR_STATE_MISMATCH;
	}
	if (blocked)
		return "blocked by a missing prerequisite";
	if (unset)
		return "its values are not in place yet";
	if (r->owed[c])
		return "its change waits for a restart";
	/* The engine's .NET rule: 4.6.2 (Release 394802) or later. */
	if (c == TLSR_COMP_DOTNET && r->facts.net4_release < 394802u)
		return ".NET Framework 4.6.2 or later is not installed";
	return "its settings do not turn TLS 1.2 on";
}

/* TLS 1.2 per component and readiness for servers that require it, each
 * "no" with its reason. */
static void text_tls12(struct tlsr_sb *b, const struct tlsr_report *r)
{
	static const struct {
		enum tlsr_component c;
		const char *name;
	} comps[] = {{TLSR_COMP_WINHTTP, "WinHTTP"},
		     {TLSR_COMP_SCHANNEL, "SChannel"},
		     {TLSR_COMP_DOTNET, ".NET"}};
	const char *lacking[3];
	size_t i, n_lacking = 0;

	tlsr_sb_puts(b, "TLS 1.2:");
	for (i = 0; i < 3; i++) {
		int holds = r->tls12[comps[i].c];

		tlsr_sb_printf(b, "%s %s %s", i ? "," : "", comps[i].name,
			       holds ? "yes" : "no");
		if (!holds)
			tlsr_sb_printf(b, " (%s)", tls12_why_not(r, comps[i].c));
		if (!holds && !r->owed[comps[i].c])
			lacking[n_lacking++] = comps[i].name;
	}
	tlsr_sb_puts(b, "\nready for servers to require TLS 1.2: ");
	if (r->ready_for_server) {
		tlsr_sb_puts(b, "yes\n");
		return;
	}
	tlsr_sb_puts(b, "no (");
	if (n_lacking > 0) {
		tlsr_sb_puts(b, "TLS 1.2 does not hold yet in ");
		for (i = 0; i < n_lacking; i++)
			tlsr_sb_printf(b, "%s%s",
				       i == 0		   ? ""
				       : i + 1 == n_lacking ? " and "
							   : ", ",
				       lacking[i]);
		if (r->restart_pending || r->restart_required)
			tlsr_sb_puts(b, ", and a restart is needed after "
					"the changes");
		tlsr_sb_puts(b, ")\n");
	} else if (r->restart_pending) {
		tlsr_sb_puts(b, "the restart these changes need has not "
				"happened yet)\n");
	} else if (r->critical) {
		tlsr_sb_puts(b, "see the critical risk below)\n");
	} else {
		tlsr_sb_puts(b, "a condition of the policy does not hold "
				"yet)\n");
	}
}

/* The compliance line and TLS 1.2 per component. */
static void text_summary(struct tlsr_sb *b, const struct tlsr_report *r)
{
	size_t counts[4] = {0}, deferred = 0, i;
	const char *sep = "", *why = NULL;

	for (i = 0; i < r->n_items; i++) {
		if (r->items[i].state <= TLSR_STATE_BLOCKED)
			counts[r->items[i].state]++;
		if (r->items[i].deferred && deferred++ == 0)
			why = r->items[i].reason;
	}
	if (r->compliant) {
		tlsr_sb_printf(b, "compliant: %zu values as the policy wants\n",
			       counts[TLSR_STATE_OK]);
	} else {
		tlsr_sb_puts(b, "not compliant:");
		if (counts[TLSR_STATE_MISSING]) {
			tlsr_sb_printf(b, " %zu missing",
				       counts[TLSR_STATE_MISSING]);
			sep = ",";
		}
		if (counts[TLSR_STATE_MISMATCH]) {
			tlsr_sb_printf(b, "%s %zu mismatch", sep,
				       counts[TLSR_STATE_MISMATCH]);
			sep = ",";
		}
		if (counts[TLSR_STATE_BLOCKED]) {
			tlsr_sb_printf(b, "%s %zu blocked (%s)", sep,
				       counts[TLSR_STATE_BLOCKED],
				       r->blocked_reasons);
			sep = ",";
		}
		if (!counts[TLSR_STATE_BLOCKED] && r->blocked_reasons[0]) {
			/* Blocked by what the machine lacks, not by a value. */
			tlsr_sb_printf(b, "%s blocked (%s)", sep,
				       r->blocked_reasons);
			sep = ",";
		}
		if (deferred)
			tlsr_sb_printf(
			    b, "%s %zu deferred (legacy step %s)", sep,
			    deferred, why);
		tlsr_sb_puts(b, "\n");
	}
	text_tls12(b, r);
}

/* One line per risk, critical first. */
static void text_risks(struct tlsr_sb *b, const struct tlsr_report *r)
{
	int sev;
	size_t i;

	for (sev = TLSR_SEV_CRITICAL; sev >= TLSR_SEV_INFO; sev--)
		for (i = 0; i < r->n_risks; i++)
			if ((int)r->risks[i].severity == sev)
				tlsr_sb_printf(
				    b, "risk: %s %s: %s\n",
				    tlsr_severity_name(r->risks[i].severity),
				    r->risks[i].id, r->risks[i].message);
}

/* Whether and why a restart is needed. */
static void text_restart(struct tlsr_sb *b, const struct tlsr_report *r,
			 int required)
{
	if (r->restart_pending)
		tlsr_sb_puts(b, "restart: required (changes already made take "
				"effect only after a restart)\n");
	else if (required)
		tlsr_sb_puts(b,
			     "restart: required after apply (WinHTTP, SChannel "
			     "and .NET read these values when they start)\n");
	else
		tlsr_sb_puts(b, "restart: not needed (no change waits for "
				"one, and none is planned)\n");
}

/* The check report as a table; see tlsr.h. */
char *tlsr_report_text(const struct tlsr_report *r)
{
	struct tlsr_sb b = {0};
	struct table t = {0};
	size_t i;

	if (r == NULL)
		return NULL;
	t.ncols = 7;
	t.cells = calloc(r->n_items + 1, sizeof *t.cells);
	if (t.cells == NULL)
		return NULL;
	text_facts(&b, r);
	tlsr_sb_puts(&b, "\n");
	snprintf(t.cells[0][0], CELL, "COMPONENT");
	snprintf(t.cells[0][1], CELL, "KEY");
	snprintf(t.cells[0][2], CELL, "VIEW");
	snprintf(t.cells[0][3], CELL, "NAME");
	snprintf(t.cells[0][4], CELL, "EXPECTED");
	snprintf(t.cells[0][5], CELL, "ACTUAL");
	snprintf(t.cells[0][6], CELL, "STATE");
	for (i = 0; i < r->n_items; i++) {
		const struct tlsr_item *it = &r->items[i];
		char(*row)[CELL] = t.cells[i + 1];

		snprintf(row[0], CELL, "%s",
			 tlsr_component_name(it->def->component));
		short_key(it->def->key, row[1], CELL);
		snprintf(row[2], CELL, "%s", tlsr_view_name(it->view));
		snprintf(row[3], CELL, "%s", it->def->name);
		number_text(it, it->expected, row[4], CELL);
		actual_text(it, row[5], CELL);
		snprintf(row[6], CELL, "%s%s", tlsr_state_name(it->state),
			 it->deferred	  ? " (deferred)"
			 : it->stricter	  ? " (stricter, left alone)"
			 : it->by_default ? " (OS default)"
					  : "");
	}
	t.rows = r->n_items + 1;
	table_print(&b, &t);
	free(t.cells);
	tlsr_sb_puts(&b, "\n");
	text_summary(&b, r);
	text_risks(&b, r);
	text_restart(&b, r, r->restart_required);
	return tlsr_sb_finish(&b);
}

/* The plan as a numbered table; see tlsr.h. */
char *tlsr_plan_text(const struct tlsr_report *r, const struct tlsr_plan *p)
{
	struct tlsr_sb b = {0};
	struct table t = {0};
	size_t i, deferred = 0, held = 0, staged = 0;

	if (r == NULL || p == NULL)
		return NULL;
	text_facts(&b, r);
	tlsr_sb_puts(&b, "\n");
	for (i = 0; i < r->n_items; i++) {
		if (r->items[i].deferred)
			deferred++;
		else if (r->items[i].state == TLSR_STATE_BLOCKED &&
			 r->items[i].write)
			staged++;
		else if (r->items[i].state == TLSR_STATE_BLOCKED)
			held++;
	}
	if (p->n_actions == 0) {
		tlsr_sb_puts(&b, "plan: nothing to write\n");
	} else {
		t.ncols = 7;
		t.cells = calloc(p->n_actions + 1, sizeof *t.cells);
		if (t.cells == NULL) {
			free(b.buf);
			return NULL;
		}
		tlsr_sb_printf(&b,
			       "plan: %zu value%s to write, in this order\n\n",
			       p->n_actions, p->n_actions == 1 ? "" : "s");
		snprintf(t.cells[0][0], CELL, "#");
		snprintf(t.cells[0][1], CELL, "PHASE");
		snprintf(t.cells[0][2], CELL, "KEY");
		snprintf(t.cells[0][3], CELL, "VIEW");
		snprintf(t.cells[0][4], CELL, "NAME");
		snprintf(t.cells[0][5], CELL, "VALUE");
		snprintf(t.cells[0][6], CELL, "RESTART");
		t.rows = 1;
		for (i = 0; i < p->n_actions; i++) {
			const struct tlsr_action *a = &p->actions[i];
			const struct tlsr_item *it;
			char(*row)[CELL];

			if (a->item >= r->n_items)
				continue;
			it = &r->items[a->item];
			row = t.cells[t.rows++];
			snprintf(row[0], CELL, "%zu", i + 1);
			snprintf(row[1], CELL, "%s", phase_name(a->phase));
			short_key(it->def->key, row[2], CELL);
			snprintf(row[3], CELL, "%s", tlsr_view_name(it->view));
			snprintf(row[4], CELL, "%s", it->def->name);
			number_text(it, a->value, row[5], CELL);
			snprintf(row[6], CELL, "%s", restart_name(a->restart));
		}
		table_print(&b, &t);
		free(t.cells);
	}
	if (deferred)
		tlsr_sb_printf(
		    &b, "%zu legacy value%s deferred: the legacy step %s\n",
		    deferred, deferred == 1 ? "" : "s",
		    "waits until TLS 1.2 holds in WinHTTP, SChannel and "
		    ".NET and the restart is done");
	if (staged)
		tlsr_sb_printf(
		    &b,
		    "%zu blocked value%s pre-staged: written now, in "
		    "effect once the prerequisite is installed and the "
		    "machine restarts\n",
		    staged, staged == 1 ? "" : "s");
	if (held)
		tlsr_sb_printf(&b, "%zu value%s blocked and not written\n",
			       held, held == 1 ? "" : "s");
	if (r->blocked)
		tlsr_sb_printf(&b, "blocked: %s\n", r->blocked_reasons);
	text_risks(&b, r);
	text_restart(&b, r, p->restart_required);
	return tlsr_sb_finish(&b);
}
