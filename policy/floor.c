/* tlsward: the local floor. A small YAML file the machine's administrators
 * install with the service; a policy from the share may be stricter, never
 * weaker:
 *
 *   version: 1
 *   floor:
 *     require: [tls1.2]      # never disabled, always offered by WinHTTP
 *     forbid: [ssl2, ssl3]   # turned off in SChannel, never kept or offered
 *     mode: enforce          # no switch to audit
 *     sources: ['\\cm01\tlsward$\']   # source.path stays under one of these
 *
 * It is read with the policy loader's reader (load.c), so it is as strict:
 * unknown keys, anchors, aliases, tags and duplicates are refused. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

enum floor_key { FK_VERSION, FK_FLOOR, FK_REQUIRE, FK_FORBID, FK_MODE,
		 FK_SOURCES, FK_COUNT };

static const char *const floor_keys[FK_COUNT] = {
	"version", "floor", "require", "forbid", "mode", "sources",
};

struct floor_reader {
	struct loader ld;
	struct tlsr_floor *f;
	struct pmark seen[FK_COUNT];
	struct pmark item[2][TLSR_PROTO_COUNT]; /* require, forbid */
};

static int key_of(const char *key, size_t len, int first, int last)
{
	int k;

	for (k = first; k <= last; k++)
		if (strlen(floor_keys[k]) == len && !strcmp(floor_keys[k], key))
			return k;
	return -1;
}

static int path_ok(const char *t)
{
	if (t[0] == '/')
		return 1;
	if (t[0] == '\\' && t[1] == '\\')
		return t[2] != '\0' && t[2] != '\\';
	return ((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z')) &&
	       t[1] == ':' && (t[2] == '\\' || t[2] == '/');
}

/* A scalar event's text, refusing nulls and non-scalars. */
static const char *scalar(struct floor_reader *r, const char *what)
{
	struct loader *ld = &r->ld;

	if (ld->ev.type != YAML_SCALAR_EVENT) {
		policy_yaml_fail(ld, policy_yaml_mark(ld),
				 "%s must be a single value, found %s", what,
				 policy_yaml_node(ld));
		return NULL;
	}
	if (policy_yaml_null(ld)) {
		policy_yaml_fail(ld, policy_yaml_mark(ld), "%s has no value",
				 what);
		return NULL;
	}
	return (const char *)ld->ev.data.scalar.value;
}

static int read_list(struct floor_reader *r, int k)
{
	struct loader *ld = &r->ld;
	const char *path = k == FK_SOURCES ? "floor.sources"
			   : k == FK_REQUIRE ? "floor.require"
					     : "floor.forbid";
	enum tlsr_proto proto;
	struct pmark *first;
	const char *t;

	if (ld->ev.type != YAML_SEQUENCE_START_EVENT)
		return policy_yaml_fail(ld, policy_yaml_mark(ld),
					"%s must be a list, like %s", path,
					k == FK_SOURCES
						? "['\\\\cm01\\tlsward$\\']"
						: "[ssl2, ssl3]");
	for (;;) {
		if (policy_yaml_next(ld) < 0)
			return -1;
		if (ld->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if ((t = scalar(r, path)) == NULL)
			return -1;
		if (strlen(t) != ld->ev.data.scalar.length)
			return policy_yaml_fail(ld, policy_yaml_mark(ld),
						"%s holds a NUL character",
						path);
		if (k == FK_SOURCES) {
			if (r->f->n_sources == TLSR_FLOOR_MAX_SOURCES)
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"floor.sources lists more than %d "
					"paths",
					TLSR_FLOOR_MAX_SOURCES);
			if (strlen(t) >= sizeof r->f->sources[0])
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"floor.sources: a path is at most %zu "
					"bytes",
					sizeof r->f->sources[0] - 1);
			if (!path_ok(t))
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"floor.sources must list UNC paths "
					"(\\\\server\\share\\) or absolute "
					"local paths, found \"%.60s\"",
					t);
			snprintf(r->f->sources[r->f->n_sources++],
				 sizeof r->f->sources[0], "%s", t);
			continue;
		}
		if (tlsr_proto_parse(t, &proto) < 0)
			return policy_yaml_fail(
				ld, policy_yaml_mark(ld),
				"unknown protocol \"%.40s\" in %s (known: "
				"ssl2, ssl3, tls1.0, tls1.1, tls1.2, tls1.3)",
				t, path);
		first = &r->item[k == FK_FORBID][proto];
		if (first->line != 0)
			return policy_yaml_fail(
				ld, policy_yaml_mark(ld),
				"%s appears twice in %s (first at %u:%u)",
				tlsr_proto_name(proto), path, first->line,
				first->col);
		*first = policy_yaml_mark(ld);
		if (k == FK_FORBID)
			r->f->forbid |= TLSR_PROTO_BIT(proto);
		else
			r->f->require |= TLSR_PROTO_BIT(proto);
	}
}

/* The keys of one mapping; first..last are the keys it allows. */
static int read_mapping(struct floor_reader *r, int first, int last)
{
	struct loader *ld = &r->ld;
	const char *key, *t;
	int k;

	for (;;) {
		if (policy_yaml_next(ld) < 0)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (ld->ev.type != YAML_SCALAR_EVENT)
			return policy_yaml_fail(ld, policy_yaml_mark(ld),
						"keys must be plain words, "
						"found %s",
						policy_yaml_node(ld));
		key = (const char *)ld->ev.data.scalar.value;
		k = key_of(key, ld->ev.data.scalar.length, first, last);
		if (k < 0)
			return policy_yaml_fail(
				ld, policy_yaml_mark(ld),
				first == FK_VERSION
					? "unknown key \"%.40s\" (allowed: "
					  "version, floor)"
					: "unknown key \"%.40s\" in floor "
					  "(allowed: require, forbid, mode, "
					  "sources)",
				key);
		if (r->seen[k].line != 0)
			return policy_yaml_fail(ld, policy_yaml_mark(ld),
						"duplicate key \"%s\" (first "
						"at %u:%u)",
						floor_keys[k], r->seen[k].line,
						r->seen[k].col);
		r->seen[k] = policy_yaml_mark(ld);
		if (policy_yaml_next(ld) < 0)
			return -1;
		switch (k) {
		case FK_VERSION:
			if ((t = scalar(r, "version")) == NULL)
				return -1;
			if (strcmp(t, "1") != 0 ||
			    ld->ev.data.scalar.style !=
				    YAML_PLAIN_SCALAR_STYLE)
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"version must be 1, found \"%.40s\"",
					t);
			break;
		case FK_FLOOR:
			if (ld->ev.type != YAML_MAPPING_START_EVENT)
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"floor must be a mapping of rules "
					"(require, forbid, mode, sources), "
					"found %s",
					policy_yaml_node(ld));
			if (read_mapping(r, FK_REQUIRE, FK_SOURCES) < 0)
				return -1;
			break;
		case FK_MODE:
			if ((t = scalar(r, "floor.mode")) == NULL)
				return -1;
			if (strcmp(t, "enforce") != 0)
				return policy_yaml_fail(
					ld, policy_yaml_mark(ld),
					"floor.mode must be enforce (leave it "
					"out to allow audit), found \"%.40s\"",
					t);
			r->f->enforce = 1;
			break;
		default:
			if (read_list(r, k) < 0)
				return -1;
			break;
		}
	}
}

/* Rules that contradict the safety floor or each other. */
static int check_rules(struct floor_reader *r)
{
	struct loader *ld = &r->ld;
	unsigned both = r->f->require & r->f->forbid;
	unsigned i;

	if (r->seen[FK_VERSION].line == 0)
		return policy_yaml_fail(ld, (struct pmark){1, 1},
					"missing key \"version\" (this format "
					"is version 1)");
	if (r->seen[FK_FLOOR].line == 0)
		return policy_yaml_fail(ld, (struct pmark){1, 1},
					"missing key \"floor\": a floor file "
					"holds its rules under floor:");
	for (i = 0; i < TLSR_PROTO_COUNT; i++) {
		enum tlsr_proto p = (enum tlsr_proto)i;

		if (both & TLSR_PROTO_BIT(p))
			return policy_yaml_fail(
				ld, r->item[1][p],
				"%s is in both floor.require (at %u:%u) and "
				"floor.forbid",
				tlsr_proto_name(p), r->item[0][p].line,
				r->item[0][p].col);
	}
	if (r->f->require & TLSR_PROTO_BIT(TLSR_PROTO_SSL2))
		return policy_yaml_fail(ld, r->item[0][TLSR_PROTO_SSL2],
					"floor.require must not contain ssl2: "
					"SSL 2.0 stays off");
	if (r->f->forbid & TLSR_PROTO_BIT(TLSR_PROTO_TLS12))
		return policy_yaml_fail(ld, r->item[1][TLSR_PROTO_TLS12],
					"floor.forbid must not contain tls1.2: "
					"TLS 1.2 stays on");
	if (!r->f->require && !r->f->forbid && !r->f->enforce &&
	    !r->f->n_sources)
		return policy_yaml_fail(ld, r->seen[FK_FLOOR],
					"floor sets no rule (require, forbid, "
					"mode or sources)");
	return 0;
}

static int read_floor(struct floor_reader *r)
{
	struct loader *ld = &r->ld;

	if (policy_yaml_next(ld) < 0 || policy_yaml_next(ld) < 0)
		return -1;
	if (ld->ev.type == YAML_STREAM_END_EVENT)
		return policy_yaml_fail(ld, policy_yaml_mark(ld),
					"empty floor: it needs \"version: 1\" "
					"and \"floor:\"");
	if (ld->ev.data.document_start.tag_directives.start !=
	    ld->ev.data.document_start.tag_directives.end)
		return policy_yaml_fail(ld, policy_yaml_mark(ld),
					"%%TAG directives are not allowed");
	if (policy_yaml_next(ld) < 0)
		return -1;
	if (ld->ev.type != YAML_MAPPING_START_EVENT)
		return policy_yaml_fail(ld, policy_yaml_mark(ld),
					"a floor must be a mapping with "
					"\"version: 1\" and \"floor:\", found "
					"%s",
					policy_yaml_node(ld));
	if (read_mapping(r, FK_VERSION, FK_FLOOR) < 0)
		return -1;
	if (policy_yaml_next(ld) < 0 || policy_yaml_next(ld) < 0)
		return -1;
	if (ld->ev.type != YAML_STREAM_END_EVENT)
		return policy_yaml_fail(ld, policy_yaml_mark(ld),
					"a second YAML document starts here; "
					"a floor file holds one");
	return check_rules(r);
}

tlsr_err tlsr_floor_load_buffer(const char *label, const char *buf,
				size_t len, struct tlsr_floor *out,
				struct tlsr_diag *diag)
{
	struct floor_reader *r;
	tlsr_err err = TLSR_OK;

	label = label ? label : "<floor>";
	if (buf == NULL || out == NULL) {
		tlsr_diag_set(diag, label, 0, 0, "no floor given");
		return TLSR_EINVAL;
	}
	if (len > TLSR_FLOOR_MAX_BYTES) {
		tlsr_diag_set(diag, label, 1, 1,
			      "floor is larger than %u bytes",
			      TLSR_FLOOR_MAX_BYTES);
		return TLSR_ETOOBIG;
	}
	r = calloc(1, sizeof *r + sizeof *r->f);
	if (r == NULL) {
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		return TLSR_ENOMEM;
	}
	r->f = (struct tlsr_floor *)(r + 1);
	snprintf(r->f->label, sizeof r->f->label, "%s", label);
	if (policy_yaml_begin(&r->ld, label, buf, len, diag) < 0 ||
	    read_floor(r) < 0)
		err = r->ld.err != TLSR_OK ? r->ld.err : TLSR_EPOLICY;
	policy_yaml_end(&r->ld);
	if (err == TLSR_OK)
		*out = *r->f;
	free(r);
	return err;
}

tlsr_err tlsr_floor_load_file(const char *path, struct tlsr_floor *out,
			      struct tlsr_diag *diag)
{
	char *buf;
	size_t len;
	tlsr_err err;

	err = tlsr_accept_read_file(path, TLSR_FLOOR_MAX_BYTES, &buf, &len);
	if (err == TLSR_ETOOBIG) {
		tlsr_diag_set(diag, path, 1, 1, "floor is larger than %u bytes",
			      TLSR_FLOOR_MAX_BYTES);
		return err;
	}
	if (err != TLSR_OK) {
		tlsr_diag_set(diag, path, 0, 0, "cannot read the floor: %s",
			      err == TLSR_EIO ? strerror(errno)
					      : tlsr_strerror(err));
		return err;
	}
	err = tlsr_floor_load_buffer(path, buf, len, out, diag);
	free(buf);
	return err;
}

static size_t list_protos(unsigned mask, char *buf, size_t size)
{
	size_t n = 0;
	unsigned i;

	n += (size_t)snprintf(buf, size, "[");
	for (i = 0; i < TLSR_PROTO_COUNT && n < size; i++)
		if (mask & TLSR_PROTO_BIT((enum tlsr_proto)i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n > 1 ? ", " : "",
					      tlsr_proto_name(
						      (enum tlsr_proto)i));
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "]");
	return n;
}

void tlsr_floor_describe(const struct tlsr_floor *f, char *buf, size_t size)
{
	size_t n = 0, i;
	char list[96];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (f->require) {
		list_protos(f->require, list, sizeof list);
		n += (size_t)snprintf(buf + n, size - n, "require %s", list);
	}
	if (f->forbid && n < size) {
		list_protos(f->forbid, list, sizeof list);
		n += (size_t)snprintf(buf + n, size - n, "%sforbid %s",
				      n ? ", " : "", list);
	}
	if (f->enforce && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%smode enforce",
				      n ? ", " : "");
	for (i = 0; i < f->n_sources && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s",
				      i == 0 ? (n ? ", sources [" : "sources [")
					     : ", ",
				      f->sources[i],
				      i + 1 == f->n_sources ? "]" : "", "");
}

/* ---- the check of a policy ---- */

struct fcheck {
	const struct tlsr_policy *p;
	const struct pmarks *m;
	const struct tlsr_floor *f;
	int failed;
	int by_default; /* the kept breach is by a key left out */
	struct pmark at;
	char message[sizeof ((struct tlsr_diag *)0)->message];
};

static int earlier(struct pmark a, struct pmark b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Keeps the first breach in the file, as a reader meets it; a breach by a
 * key the file leaves out (at.line 0) counts only when no key the file
 * sets breaks the floor, and then points at the policy's root. */
static void breach(struct fcheck *c, struct pmark at, const char *rule,
		   const char *fmt, ...) TLSR_PRINTF(4, 5);

static void breach(struct fcheck *c, struct pmark at, const char *rule,
		   const char *fmt, ...)
{
	char what[300];
	int by_default = at.line == 0;
	va_list ap;

	if (c->failed) {
		if (by_default && !c->by_default)
			return;
		if (by_default == c->by_default && !earlier(at, c->at))
			return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	c->failed = 1;
	c->by_default = by_default;
	c->at = at;
	snprintf(c->message, sizeof c->message, "%s (local floor: %s, %.150s)",
		 what, rule, c->f->label);
}

/* An item's own mark, else its list's, else 0 (the key is not in the
 * file: breach() points at the policy's root). */
static struct pmark where(const struct fcheck *c, enum pf id,
			  enum tlsr_proto proto)
{
	if (c->m->item[id][proto].line != 0)
		return c->m->item[id][proto];
	return c->m->value[id];
}

static const char *dflt(const struct fcheck *c, enum pf id)
{
	return c->m->key[id].line != 0 ? "" : " by default";
}

static void check_forbid(struct fcheck *c, enum tlsr_proto pr)
{
	const struct tlsr_policy *p = c->p;
	unsigned bit = TLSR_PROTO_BIT(pr);
	uint32_t wbit = tlsr_proto_winhttp_bit(pr);
	const char *name = tlsr_proto_name(pr);
	char rule[40];

	snprintf(rule, sizeof rule, "forbid %s", name);
	if (p->schannel.enable & bit)
		breach(c, where(c, PF_SCHANNEL_ENABLE, pr), rule,
		       "schannel.enable turns %s on%s", name,
		       dflt(c, PF_SCHANNEL_ENABLE));
	if (p->winhttp.keep & bit)
		breach(c, where(c, PF_WINHTTP_KEEP, pr), rule,
		       "winhttp.keep keeps %s%s", name,
		       dflt(c, PF_WINHTTP_KEEP));
	if (wbit && (p->winhttp.default_secure_protocols & wbit))
		breach(c, where(c, PF_WINHTTP_DSP, pr), rule,
		       "winhttp.default_secure_protocols 0x%X offers %s "
		       "(0x%X)%s",
		       (unsigned)p->winhttp.default_secure_protocols, name,
		       (unsigned)wbit, dflt(c, PF_WINHTTP_DSP));
	if (!(p->schannel.disable & bit))
		breach(c, c->m->value[PF_SCHANNEL_DISABLE], rule,
		       "schannel.disable does not turn %s off%s", name,
		       c->m->key[PF_SCHANNEL_DISABLE].line
			       ? ""
			       : " (it is empty by default)");
}

static void check_require(struct fcheck *c, enum tlsr_proto pr)
{
	const struct tlsr_policy *p = c->p;
	uint32_t wbit = tlsr_proto_winhttp_bit(pr);
	const char *name = tlsr_proto_name(pr);
	char rule[40];

	snprintf(rule, sizeof rule, "require %s", name);
	if (p->schannel.disable & TLSR_PROTO_BIT(pr))
		breach(c, where(c, PF_SCHANNEL_DISABLE, pr), rule,
		       "schannel.disable turns %s off", name);
	if (wbit && !(p->winhttp.default_secure_protocols & wbit))
		breach(c, c->m->value[PF_WINHTTP_DSP], rule,
		       "winhttp.default_secure_protocols 0x%X leaves %s "
		       "(0x%X) out",
		       (unsigned)p->winhttp.default_secure_protocols, name,
		       (unsigned)wbit);
}

/* Lower-case ASCII with '/' as '\', for comparing Windows paths. */
static char fold(char ch)
{
	if (ch == '/')
		return '\\';
	if (ch >= 'A' && ch <= 'Z')
		return (char)(ch - 'A' + 'a');
	return ch;
}

/* A "." or ".." component would walk out from under a prefix. */
static int has_dot_component(const char *path)
{
	const char *s = path;

	while (*s != '\0') {
		const char *e = s;

		while (*e != '\0' && fold(*e) != '\\')
			e++;
		if ((e - s == 1 && s[0] == '.') ||
		    (e - s == 2 && s[0] == '.' && s[1] == '.'))
			return 1;
		s = *e ? e + 1 : e;
	}
	return 0;
}

int tlsr_floor_path_allowed(const struct tlsr_floor *f, const char *path)
{
	size_t i, j, n;

	if (f->n_sources == 0)
		return 1;
	if (has_dot_component(path))
		return 0;
	for (i = 0; i < f->n_sources; i++) {
		const char *pre = f->sources[i];

		n = strlen(pre);
		for (j = 0; j < n && path[j] != '\0'; j++)
			if (fold(pre[j]) != fold(path[j]))
				break;
		if (j < n)
			continue;
		/* The whole prefix matched: it must end at a separator. */
		if (n > 0 && fold(pre[n - 1]) == '\\')
			return 1;
		if (fold(path[n]) == '\\')
			return 1;
	}
	return 0;
}

int policy_floor_check(const struct tlsr_policy *p, const struct pmarks *marks,
		       const struct tlsr_floor *floor, const char *label,
		       struct tlsr_diag *diag)
{
	struct fcheck c;
	unsigned i;

	memset(&c, 0, sizeof c);
	c.p = p;
	c.m = marks;
	c.f = floor;
	for (i = 0; i < TLSR_PROTO_COUNT; i++) {
		if (floor->forbid & TLSR_PROTO_BIT((enum tlsr_proto)i))
			check_forbid(&c, (enum tlsr_proto)i);
		if (floor->require & TLSR_PROTO_BIT((enum tlsr_proto)i))
			check_require(&c, (enum tlsr_proto)i);
	}
	if (floor->enforce && p->mode != TLSR_MODE_ENFORCE)
		breach(&c, marks->value[PF_MODE], "mode enforce",
		       "mode %s switches enforcement off",
		       tlsr_mode_name(p->mode));
	if (p->source.path[0] != '\0' &&
	    !tlsr_floor_path_allowed(floor, p->source.path))
		breach(&c, marks->value[PF_SOURCE_PATH], "sources",
		       "source.path \"%.120s\" is not under a source the "
		       "floor allows",
		       p->source.path);
	if (!c.failed)
		return 0;
	if (c.at.line == 0)
		c.at = marks->value[PF_ROOT];
	if (c.at.line == 0)
		c.at = (struct pmark){1, 1};
	tlsr_diag_set(diag, label, c.at.line, c.at.col, "%s", c.message);
	return -1;
}
