/* tlsward: the policy schema as data, and one parser per kind of value. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"
#include "proof.h"

/* Enums are stored through an int pointer. */
_Static_assert(sizeof(enum tlsr_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum tlsr_restart_mode) == sizeof(int), "enum size");

#define OFF(member) offsetof(struct tlsr_policy, member)
#define MIN 60u
#define HOUR 3600u
#define DAY 86400u

static const struct penum modes[] = {
	{"enforce", TLSR_MODE_ENFORCE},
	{"audit", TLSR_MODE_AUDIT},
	{NULL, 0},
};

static const struct penum restart_modes[] = {
	{"schedule", TLSR_RESTART_MODE_SCHEDULE},
	{"notify", TLSR_RESTART_MODE_NOTIFY},
	{"never", TLSR_RESTART_MODE_NEVER},
	{NULL, 0},
};

static const struct pfield winhttp[] = {
	{.name = "default_secure_protocols",
	 .path = "winhttp.default_secure_protocols",
	 .id = PF_WINHTTP_DSP,
	 .kind = PK_DSP,
	 .offset = OFF(winhttp.default_secure_protocols)},
	{.name = "keep",
	 .path = "winhttp.keep",
	 .id = PF_WINHTTP_KEEP,
	 .kind = PK_PROTOS,
	 .offset = OFF(winhttp.keep)},
	{.name = "prestage",
	 .path = "winhttp.prestage",
	 .id = PF_WINHTTP_PRESTAGE,
	 .kind = PK_BOOL,
	 .offset = OFF(winhttp.prestage)},
	{.name = NULL},
};

static const struct pfield schannel[] = {
	{.name = "enable",
	 .path = "schannel.enable",
	 .id = PF_SCHANNEL_ENABLE,
	 .kind = PK_PROTOS,
	 .offset = OFF(schannel.enable)},
	{.name = "disable",
	 .path = "schannel.disable",
	 .id = PF_SCHANNEL_DISABLE,
	 .kind = PK_PROTOS,
	 .offset = OFF(schannel.disable)},
	{.name = "sides",
	 .path = "schannel.sides",
	 .id = PF_SCHANNEL_SIDES,
	 .kind = PK_SIDES,
	 .offset = OFF(schannel.sides)},
	{.name = NULL},
};

static const struct pfield dotnet[] = {
	{.name = "strong_crypto",
	 .path = "dotnet.strong_crypto",
	 .id = PF_DOTNET_STRONG,
	 .kind = PK_BOOL,
	 .offset = OFF(dotnet.strong_crypto)},
	{.name = "system_default_tls_versions",
	 .path = "dotnet.system_default_tls_versions",
	 .id = PF_DOTNET_SYSDEFAULT,
	 .kind = PK_BOOL,
	 .offset = OFF(dotnet.system_default_tls_versions)},
	{.name = NULL},
};

static const struct pfield restart[] = {
	{.name = "mode",
	 .path = "restart.mode",
	 .id = PF_RESTART_MODE,
	 .kind = PK_ENUM,
	 .offset = OFF(restart.mode),
	 .values = restart_modes},
	{.name = "window",
	 .path = "restart.window",
	 .id = PF_RESTART_WINDOW,
	 .kind = PK_WINDOW,
	 .offset = OFF(restart.window_start),
	 .offset2 = OFF(restart.window_end)},
	{.name = "grace",
	 .path = "restart.grace",
	 .id = PF_RESTART_GRACE,
	 .kind = PK_DURATION,
	 .offset = OFF(restart.grace),
	 .min = 0,
	 .max = DAY},
	{.name = "message",
	 .path = "restart.message",
	 .id = PF_RESTART_MESSAGE,
	 .kind = PK_STRING,
	 .offset = OFF(restart.message),
	 .size = sizeof(((struct tlsr_policy *)0)->restart.message)},
	{.name = NULL},
};

static const struct pfield check[] = {
	{.name = "interval",
	 .path = "check.interval",
	 .id = PF_CHECK_INTERVAL,
	 .kind = PK_DURATION,
	 .offset = OFF(check.interval),
	 .min = MIN,
	 .max = DAY},
	/* The upper bound is the interval, checked in validate.c. */
	{.name = "jitter",
	 .path = "check.jitter",
	 .id = PF_CHECK_JITTER,
	 .kind = PK_DURATION,
	 .offset = OFF(check.jitter),
	 .min = 0,
	 .max = DAY},
	{.name = NULL},
};

static const struct pfield conflict[] = {
	{.name = "max_reverts",
	 .path = "conflict.max_reverts",
	 .id = PF_CONFLICT_MAX_REVERTS,
	 .kind = PK_UINT,
	 .offset = OFF(conflict.max_reverts),
	 .min = 1,
	 .max = 1000},
	{.name = "window",
	 .path = "conflict.window",
	 .id = PF_CONFLICT_WINDOW,
	 .kind = PK_DURATION,
	 .offset = OFF(conflict.window),
	 .min = 10,
	 .max = DAY},
	{.name = NULL},
};

static const struct pfield source[] = {
	{.name = "path",
	 .path = "source.path",
	 .id = PF_SOURCE_PATH,
	 .kind = PK_PATH,
	 .offset = OFF(source.path),
	 .size = sizeof(((struct tlsr_policy *)0)->source.path)},
	{.name = "poll",
	 .path = "source.poll",
	 .id = PF_SOURCE_POLL,
	 .kind = PK_DURATION,
	 .offset = OFF(source.poll),
	 .min = 30,
	 .max = DAY},
	{.name = NULL},
};

static const struct pfield proof[] = {
	{.name = "endpoints",
	 .path = "proof.endpoints",
	 .id = PF_PROOF_ENDPOINTS,
	 .kind = PK_URLS,
	 .offset = OFF(proof.endpoints)},
	{.name = "interval",
	 .path = "proof.interval",
	 .id = PF_PROOF_INTERVAL,
	 .kind = PK_DURATION,
	 .offset = OFF(proof.interval),
	 .min = 5 * MIN,
	 .max = 7 * DAY},
	{.name = "require_for_legacy_off",
	 .path = "proof.require_for_legacy_off",
	 .id = PF_PROOF_REQUIRE,
	 .kind = PK_BOOL,
	 .offset = OFF(proof.require_for_legacy_off)},
	{.name = NULL},
};

const struct pfield policy_schema_root[] = {
	{.name = "version",
	 .path = "version",
	 .id = PF_VERSION,
	 .kind = PK_INT,
	 .offset = OFF(version),
	 .min = 1,
	 .max = 1},
	/* Signed policies: the service refuses a serial below the last one
	 * it accepted (accept.c), so an old signed file cannot be replayed. */
	{.name = "serial",
	 .path = "serial",
	 .id = PF_SERIAL,
	 .kind = PK_UINT,
	 .offset = OFF(serial),
	 .min = 1,
	 .max = 0xFFFFFFFFul},
	{.name = "mode",
	 .path = "mode",
	 .id = PF_MODE,
	 .kind = PK_ENUM,
	 .offset = OFF(mode),
	 .values = modes},
	{.name = "winhttp", .path = "winhttp", .id = PF_WINHTTP,
	 .kind = PK_MAP, .children = winhttp},
	{.name = "schannel", .path = "schannel", .id = PF_SCHANNEL,
	 .kind = PK_MAP, .children = schannel},
	{.name = "dotnet", .path = "dotnet", .id = PF_DOTNET,
	 .kind = PK_MAP, .children = dotnet},
	{.name = "restart", .path = "restart", .id = PF_RESTART,
	 .kind = PK_MAP, .children = restart},
	{.name = "check", .path = "check", .id = PF_CHECK,
	 .kind = PK_MAP, .children = check},
	{.name = "conflict", .path = "conflict", .id = PF_CONFLICT,
	 .kind = PK_MAP, .children = conflict},
	{.name = "source", .path = "source", .id = PF_SOURCE,
	 .kind = PK_MAP, .children = source},
	{.name = "proof", .path = "proof", .id = PF_PROOF,
	 .kind = PK_MAP, .children = proof},
	{.name = NULL},
};

/* Depth-first search; the schema is two levels deep. */
static const struct pfield *find_id(const struct pfield *fields, enum pf id)
{
	const struct pfield *f, *hit;

	for (f = fields; f->name != NULL; f++) {
		if (f->id == id)
			return f;
		if (f->kind == PK_MAP) {
			hit = find_id(f->children, id);
			if (hit != NULL)
				return hit;
		}
	}
	return NULL;
}

const struct pfield *policy_field(enum pf id)
{
	return find_id(policy_schema_root, id);
}

const char *policy_kind_expect(const struct pfield *field)
{
	switch (field->kind) {
	case PK_MAP:
		return "a mapping of keys";
	case PK_INT:
	case PK_UINT:
		return "a whole number";
	case PK_ENUM:
		return "a single word";
	case PK_BOOL:
		return "true or false";
	case PK_DURATION:
		return "a duration (15m, 90s, 2h, 1h30m or seconds)";
	case PK_PROTOS:
		return "a list of protocol names, like [tls1.2]";
	case PK_DSP:
		return "a number (0xAA0) or a list of protocol names";
	case PK_SIDES:
		return "a list of sides ([client], [server], [client, server]) "
		       "or both";
	case PK_WINDOW:
		return "a time window \"HH:MM-HH:MM\"";
	case PK_URLS:
		return "a list of https URLs";
	case PK_STRING:
	case PK_PATH:
		return "text";
	}
	return "a value";
}

void policy_format_duration(unsigned secs, char *buf, size_t size)
{
	unsigned h = secs / HOUR, m = secs % HOUR / MIN, s = secs % MIN;
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (h > 0)
		n += (size_t)snprintf(buf + n, size - n, "%uh", h);
	if (m > 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%um", m);
	if ((s > 0 || secs == 0) && n < size)
		snprintf(buf + n, size - n, "%us", s);
}

/* Copies a user's text for a message: at most 40 bytes (cut on a UTF-8
 * boundary), control characters shown as '?'. */
static void show(const struct pscalar *s, char *buf, size_t size)
{
	size_t n = s->len, i;

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)s->text[n] & 0xC0) == 0x80)
			n--;
	}
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s->text[i];

		buf[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	buf[n] = '\0';
	if (n < s->len && n + 4 < size)
		strcpy(buf + n, "...");
}

/* Sets diag at the scalar and returns -1. */
static int fail(const struct pscalar *s, const char *label,
		struct tlsr_diag *diag, const char *fmt, ...)
	TLSR_PRINTF(4, 5);

static int fail(const struct pscalar *s, const char *label,
		struct tlsr_diag *diag, const char *fmt, ...)
{
	char msg[sizeof diag->message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tlsr_diag_set(diag, label, s->mark.line, s->mark.col, "%s", msg);
	return -1;
}

static int type_error(const struct pfield *f, const struct pscalar *s,
		      const char *label, struct tlsr_diag *diag)
{
	char text[48];

	show(s, text, sizeof text);
	return fail(s, label, diag,
		    s->quoted ? "%s must be %s, found the quoted text \"%s\""
			      : "%s must be %s, found \"%s\"",
		    f->path, policy_kind_expect(f), text);
}

static int is_digits(const char *t)
{
	if (*t == '\0')
		return 0;
	for (; *t != '\0'; t++)
		if (*t < '0' || *t > '9')
			return 0;
	return 1;
}

/* Decimal or 0x hex, without sign; -1 when malformed, -2 when above
 * 0xFFFFFFFF. */
static int parse_number(const char *t, unsigned long long *out)
{
	unsigned long long v = 0;
	int hex = 0, digits = 0;

	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		hex = 1;
		t += 2;
	}
	for (; *t != '\0'; t++) {
		unsigned d;

		if (*t >= '0' && *t <= '9')
			d = (unsigned)(*t - '0');
		else if (hex && *t >= 'a' && *t <= 'f')
			d = (unsigned)(*t - 'a' + 10);
		else if (hex && *t >= 'A' && *t <= 'F')
			d = (unsigned)(*t - 'A' + 10);
		else
			return -1;
		v = v * (hex ? 16u : 10u) + d;
		if (v > 0xFFFFFFFFull)
			return -2;
		digits++;
	}
	if (digits == 0)
		return -1;
	*out = v;
	return 0;
}

/* "1h30m", "90s", or plain seconds; units in order h, m, s, each once.
 * A well-formed value too large to count is clamped above every bound, so
 * the caller reports it as out of range rather than malformed. */
static int parse_duration(const char *t, unsigned long long *out)
{
	static const struct {
		char unit;
		unsigned long long secs;
	} units[] = {{'h', HOUR}, {'m', MIN}, {'s', 1}};
	const unsigned long long big = 0xFFFFFFFFFFull;
	unsigned long long total = 0;
	size_t next = 0, i;

	if (is_digits(t)) {
		if (parse_number(t, out) < 0)
			*out = big;
		return 0;
	}
	if (*t == '\0')
		return -1;
	while (*t != '\0') {
		unsigned long long v = 0;
		int digits = 0;

		for (; *t >= '0' && *t <= '9'; t++) {
			if (v < big)
				v = v * 10 + (unsigned long long)(*t - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		for (i = next; i < 3 && units[i].unit != *t; i++)
			;
		if (i == 3)
			return -1;
		total += (v < big ? v : big) * units[i].secs;
		if (total > big)
			total = big;
		next = i + 1;
		t++;
	}
	*out = total;
	return 0;
}

/* "HH:MM": hours of one or two digits, minutes of two. */
static const char *parse_clock(const char *t, unsigned *minutes)
{
	unsigned h = 0, m;
	int digits = 0;

	while (*t >= '0' && *t <= '9' && digits < 2) {
		h = h * 10 + (unsigned)(*t++ - '0');
		digits++;
	}
	if (digits == 0 || *t++ != ':')
		return NULL;
	if (t[0] < '0' || t[0] > '9' || t[1] < '0' || t[1] > '9')
		return NULL;
	m = (unsigned)(t[0] - '0') * 10 + (unsigned)(t[1] - '0');
	if (h > 23 || m > 59)
		return NULL;
	*minutes = h * 60 + m;
	return t + 2;
}

static int is_true(const char *t)
{
	return !strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE");
}

static int is_false(const char *t)
{
	return !strcmp(t, "false") || !strcmp(t, "False") ||
	       !strcmp(t, "FALSE");
}

static int set_duration(const struct pfield *f, const struct pscalar *s,
			struct tlsr_policy *p, const char *label,
			struct tlsr_diag *diag)
{
	char lo[32], hi[32], text[48];
	unsigned long long v;

	if (parse_duration(s->text, &v) < 0)
		return type_error(f, s, label, diag);
	if (v < f->min || v > f->max) {
		policy_format_duration((unsigned)f->min, lo, sizeof lo);
		policy_format_duration((unsigned)f->max, hi, sizeof hi);
		show(s, text, sizeof text);
		tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
			      "%s must be between %s and %s, found %s", f->path,
			      lo, hi, text);
		return -1;
	}
	*(unsigned *)((char *)p + f->offset) = (unsigned)v;
	return 0;
}

static int set_number(const struct pfield *f, const struct pscalar *s,
		      struct tlsr_policy *p, const char *label,
		      struct tlsr_diag *diag)
{
	unsigned long long v;
	char text[48];

	if (s->quoted || !is_digits(s->text) || parse_number(s->text, &v) < 0)
		return type_error(f, s, label, diag);
	if (v < f->min || v > f->max) {
		show(s, text, sizeof text);
		if (f->min == f->max)
			tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
				      "%s must be %lu, found %s", f->path,
				      f->min, text);
		else
			tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
				      "%s must be between %lu and %lu, found %s",
				      f->path, f->min, f->max, text);
		return -1;
	}
	if (f->kind == PK_INT)
		*(int *)((char *)p + f->offset) = (int)v;
	else
		*(unsigned *)((char *)p + f->offset) = (unsigned)v;
	return 0;
}

static int set_enum(const struct pfield *f, const struct pscalar *s,
		    struct tlsr_policy *p, const char *label,
		    struct tlsr_diag *diag)
{
	const struct penum *e;
	char allowed[128] = "", text[48];
	size_t n = 0;

	for (e = f->values; e->name != NULL; e++) {
		if (strcmp(e->name, s->text) == 0) {
			*(int *)((char *)p + f->offset) = e->value;
			return 0;
		}
		n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s",
				      n ? ", " : "", e->name);
	}
	show(s, text, sizeof text);
	return fail(s, label, diag, "%s must be one of %s, found \"%s\"",
		    f->path, allowed, text);
}

static int set_dsp(const struct pfield *f, const struct pscalar *s,
		   struct tlsr_policy *p, const char *label,
		   struct tlsr_diag *diag)
{
	unsigned long long v;
	char text[48];
	int rc;

	rc = s->quoted ? -1 : parse_number(s->text, &v);
	if (rc == -2) {
		show(s, text, sizeof text);
		return fail(s, label, diag, "%s %s is larger than 32 bits",
			    f->path, text);
	}
	if (rc < 0)
		return type_error(f, s, label, diag);
	if ((v & ~(unsigned long long)TLSR_WINHTTP_KNOWN_BITS) != 0) {
		tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
			      "%s 0x%llX has bits no protocol uses: 0x%llX "
			      "(known bits: 0x%X)",
			      f->path, v,
			      v & ~(unsigned long long)TLSR_WINHTTP_KNOWN_BITS,
			      TLSR_WINHTTP_KNOWN_BITS);
		return -1;
	}
	*(uint32_t *)((char *)p + f->offset) = (uint32_t)v;
	return 0;
}

static int set_window(const struct pfield *f, const struct pscalar *s,
		      struct tlsr_policy *p, const char *label,
		      struct tlsr_diag *diag)
{
	unsigned start, end;
	const char *t;
	char text[48];

	t = parse_clock(s->text, &start);
	if (t != NULL && *t == '-')
		t = parse_clock(t + 1, &end);
	else
		t = NULL;
	if (t == NULL || *t != '\0') {
		show(s, text, sizeof text);
		return fail(s, label, diag,
			    "%s must be \"HH:MM-HH:MM\" between 00:00 and "
			    "23:59, like \"02:00-04:00\", found \"%s\"",
			    f->path, text);
	}
	if (start == end) {
		show(s, text, sizeof text);
		return fail(s, label, diag,
			    "%s \"%s\" is empty: its start and end must "
			    "differ",
			    f->path, text);
	}
	*(unsigned *)((char *)p + f->offset) = start;
	*(unsigned *)((char *)p + f->offset2) = end;
	return 0;
}

static int path_ok(const char *t)
{
	if (t[0] == '\0')
		return 1;
	if (t[0] == '\\' && t[1] == '\\')
		return t[2] != '\0' && t[2] != '\\';
	return ((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z')) &&
	       t[1] == ':' && (t[2] == '\\' || t[2] == '/');
}

static int set_string(const struct pfield *f, const struct pscalar *s,
		      struct tlsr_policy *p, const char *label,
		      struct tlsr_diag *diag)
{
	char text[48];
	size_t i;

	if (s->len >= f->size) {
		tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
			      "%s is %zu bytes long; at most %zu are allowed",
			      f->path, s->len, f->size - 1);
		return -1;
	}
	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->text[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
			tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
				      "%s contains the control character "
				      "U+%04X",
				      f->path, c);
			return -1;
		}
	}
	if (f->kind == PK_PATH && !path_ok(s->text)) {
		show(s, text, sizeof text);
		return fail(s, label, diag,
			    "%s must be a UNC path (\\\\server\\share\\"
			    "policy.yaml) or an absolute local path, found "
			    "\"%s\"",
			    f->path, text);
	}
	memcpy((char *)p + f->offset, s->text, s->len + 1);
	return 0;
}

int policy_set_scalar(const struct pfield *field, const struct pscalar *s,
		      struct tlsr_policy *p, const char *label,
		      struct tlsr_diag *diag)
{
	int *b;

	switch (field->kind) {
	case PK_INT:
	case PK_UINT:
		return set_number(field, s, p, label, diag);
	case PK_ENUM:
		return set_enum(field, s, p, label, diag);
	case PK_BOOL:
		b = (int *)((char *)p + field->offset);
		if (!s->quoted && is_true(s->text))
			*b = 1;
		else if (!s->quoted && is_false(s->text))
			*b = 0;
		else
			return type_error(field, s, label, diag);
		return 0;
	case PK_DURATION:
		return set_duration(field, s, p, label, diag);
	case PK_DSP:
		return set_dsp(field, s, p, label, diag);
	case PK_SIDES:
		if (!strcmp(s->text, "both")) {
			*(unsigned *)((char *)p + field->offset) =
				TLSR_SIDE_CLIENT | TLSR_SIDE_SERVER;
			return 0;
		}
		return type_error(field, s, label, diag);
	case PK_WINDOW:
		return set_window(field, s, p, label, diag);
	case PK_STRING:
	case PK_PATH:
		return set_string(field, s, p, label, diag);
	case PK_MAP:
	case PK_PROTOS:
	case PK_URLS:
		break;
	}
	return type_error(field, s, label, diag);
}

void policy_clear_list(const struct pfield *field, struct tlsr_policy *p)
{
	if (field->kind == PK_URLS)
		p->proof.n_endpoints = 0;
	else if (field->kind == PK_DSP)
		*(uint32_t *)((char *)p + field->offset) = 0;
	else
		*(unsigned *)((char *)p + field->offset) = 0;
}

/* One proof endpoint: an https URL tlsr_url_parse accepts, once. */
static int add_url(const struct pfield *field, const struct pscalar *s,
		   struct tlsr_policy *p, struct pmarks *marks,
		   const char *label, struct tlsr_diag *diag)
{
	struct tlsr_url url;
	char why[128], text[48];
	unsigned i, n = p->proof.n_endpoints;

	show(s, text, sizeof text);
	if (strlen(s->text) != s->len ||
	    tlsr_url_parse(s->text, &url, why, sizeof why) < 0)
		return fail(s, label, diag, "%s: \"%s\" is not an https URL: %s",
			    field->path, text, why);
	for (i = 0; i < n; i++) {
		if (strcmp(p->proof.endpoints[i], s->text) == 0) {
			tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
				      "%s lists \"%s\" twice (first at %u:%u)",
				      field->path, text, marks->url[i].line,
				      marks->url[i].col);
			return -1;
		}
	}
	if (n >= TLSR_PROOF_MAX_ENDPOINTS)
		return fail(s, label, diag,
			    "%s lists more than %u endpoints", field->path,
			    TLSR_PROOF_MAX_ENDPOINTS);
	memcpy(p->proof.endpoints[n], s->text, s->len + 1);
	marks->url[n] = s->mark;
	p->proof.n_endpoints = n + 1;
	return 0;
}

int policy_add_item(const struct pfield *field, const struct pscalar *s,
		    struct tlsr_policy *p, struct pmarks *marks,
		    const char *label, struct tlsr_diag *diag)
{
	unsigned *mask = (unsigned *)((char *)p + field->offset);
	uint32_t *dsp = (uint32_t *)((char *)p + field->offset);
	struct pmark *first;
	enum tlsr_proto proto;
	char text[48];
	unsigned bit;

	show(s, text, sizeof text);
	if (field->kind == PK_URLS)
		return add_url(field, s, p, marks, label, diag);
	if (field->kind == PK_SIDES) {
		if (!strcmp(s->text, "client"))
			bit = TLSR_SIDE_CLIENT;
		else if (!strcmp(s->text, "server"))
			bit = TLSR_SIDE_SERVER;
		else
			return fail(s, label, diag,
				    "unknown side \"%s\" in %s (known: client, "
				    "server)",
				    text, field->path);
		if (*mask & bit)
			return fail(s, label, diag,
				    "%s appears twice in %s", text,
				    field->path);
		*mask |= bit;
		return 0;
	}
	if (strlen(s->text) != s->len || tlsr_proto_parse(s->text, &proto) < 0)
		return fail(s, label, diag,
			    "unknown protocol \"%s\" in %s (known: ssl2, ssl3, "
			    "tls1.0, tls1.1, tls1.2, tls1.3)",
			    text, field->path);
	first = &marks->item[field->id][proto];
	if (first->line != 0) {
		tlsr_diag_set(diag, label, s->mark.line, s->mark.col,
			      "%s appears twice in %s (first at %u:%u)",
			      tlsr_proto_name(proto), field->path, first->line,
			      first->col);
		return -1;
	}
	*first = s->mark;
	if (field->kind == PK_DSP)
		*dsp |= tlsr_proto_winhttp_bit(proto);
	else
		*mask |= TLSR_PROTO_BIT(proto);
	return 0;
}
