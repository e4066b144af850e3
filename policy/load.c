/* tlsward: reads a policy with libyaml's event API, walking the schema
 * tables of schema.c. Nothing is built from the YAML before it is checked:
 * anchors, aliases and tags are refused as they appear, so no input can make
 * the loader expand or allocate more than the file's own size. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "policy_internal.h"

/* Sets diag at mark and records the error; returns -1. */
static int failf(struct loader *ld, struct pmark mark, const char *fmt, ...)
	TLSR_PRINTF(3, 4);

static int failf(struct loader *ld, struct pmark mark, const char *fmt, ...)
{
	char msg[sizeof ld->diag->message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tlsr_diag_set(ld->diag, ld->label, mark.line, mark.col, "%s", msg);
	if (ld->err == TLSR_OK)
		ld->err = TLSR_EPOLICY;
	return -1;
}

static struct pmark to_mark(yaml_mark_t m)
{
	struct pmark pm = {(unsigned)m.line + 1, (unsigned)m.column + 1};

	return pm;
}

static struct pmark ev_mark(const struct loader *ld)
{
	return to_mark(ld->ev.start_mark);
}

/* Length of the UTF-8 sequence at s (at most n bytes) and its code point;
 * 0 when malformed (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp)
{
	static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < least[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* libyaml counts lines at \n, \r\n, \r, NEL, LS and PS and columns in
 * characters, after a byte order mark; positions here match it. */
static size_t text_start(const unsigned char *buf, size_t len)
{
	if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		return 3;
	return 0;
}

/* Steps over one character at *i, moving the line and column. */
static void advance(const unsigned char *buf, size_t len, size_t *i,
		    struct pmark *m)
{
	unsigned long cp = 0;
	size_t n = utf8_next(buf + *i, len - *i, &cp);

	if (n == 0)
		n = 1;
	if (cp == '\r' && *i + 1 < len && buf[*i + 1] == '\n')
		n = 2;
	*i += n;
	if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 ||
	    cp == 0x2029) {
		m->line++;
		m->col = 1;
	} else {
		m->col++;
	}
}

static struct pmark mark_at_offset(const unsigned char *buf, size_t len,
				   size_t offset)
{
	struct pmark m = {1, 1};
	size_t i = text_start(buf, len);

	while (i < offset && i < len)
		advance(buf, len, &i, &m);
	return m;
}

/* Byte at a 1-based line and column, or -1 past the end. */
static int byte_at_mark(const unsigned char *buf, size_t len, struct pmark at)
{
	struct pmark m = {1, 1};
	size_t i = text_start(buf, len);

	while (i < len && (m.line < at.line ||
			   (m.line == at.line && m.col < at.col)))
		advance(buf, len, &i, &m);
	return i < len ? buf[i] : -1;
}

/* UTF-8 with no control characters but tab and line breaks, as YAML wants
 * (libyaml would take UTF-16 too, and its own error has no line). */
static int check_text(struct loader *ld)
{
	size_t i = text_start(ld->buf, ld->len), n;
	unsigned long cp;

	while (i < ld->len) {
		n = utf8_next(ld->buf + i, ld->len - i, &cp);
		if (n == 0)
			return failf(ld, mark_at_offset(ld->buf, ld->len, i),
				     "invalid UTF-8 (byte 0x%02X); save the "
				     "policy as UTF-8",
				     ld->buf[i]);
		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0x7F || (cp >= 0x80 && cp <= 0x9F && cp != 0x85) ||
		    cp == 0xFFFE || cp == 0xFFFF)
			return failf(ld, mark_at_offset(ld->buf, ld->len, i),
				     "control character U+%04lX is not allowed",
				     cp);
		i += n;
	}
	return 0;
}

/* Turns libyaml's error into a located diagnostic. */
static int parser_error(struct loader *ld)
{
	yaml_parser_t *y = &ld->parser;
	struct pmark at, ctx;
	const char *hint = "";

	switch (y->error) {
	case YAML_MEMORY_ERROR:
		ld->err = TLSR_ENOMEM;
		return failf(ld, ev_mark(ld), "out of memory");
	case YAML_READER_ERROR:
		return failf(ld,
			     mark_at_offset(ld->buf, ld->len, y->problem_offset),
			     "%s", y->problem ? y->problem : "unreadable text");
	default:
		break;
	}
	at = to_mark(y->problem_mark);
	if (byte_at_mark(ld->buf, ld->len, at) == '\t')
		hint = "; indent with spaces, YAML does not allow tabs there";
	if (y->context == NULL)
		return failf(ld, at, "syntax error: %s%s",
			     y->problem ? y->problem : "malformed YAML", hint);
	ctx = to_mark(y->context_mark);
	if (ctx.line == at.line && ctx.col == at.col)
		return failf(ld, at, "syntax error: %s (%s)%s",
			     y->problem ? y->problem : "malformed YAML",
			     y->context, hint);
	return failf(ld, at, "syntax error: %s (%s at %u:%u)%s",
		     y->problem ? y->problem : "malformed YAML", y->context,
		     ctx.line, ctx.col, hint);
}

/* Reads the next event into ld->ev, refusing aliases, anchors and tags. */
static int next_event(struct loader *ld)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (ld->have_ev)
		yaml_event_delete(&ld->ev);
	ld->have_ev = 0;
	if (!yaml_parser_parse(&ld->parser, &ld->ev))
		return parser_error(ld);
	ld->have_ev = 1;
	switch (ld->ev.type) {
	case YAML_ALIAS_EVENT:
		return failf(ld, ev_mark(ld),
			     "alias \"*%.40s\" is not allowed: policies use "
			     "no anchors or aliases",
			     (const char *)ld->ev.data.alias.anchor);
	case YAML_SCALAR_EVENT:
		anchor = ld->ev.data.scalar.anchor;
		tag = ld->ev.data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ld->ev.data.sequence_start.anchor;
		tag = ld->ev.data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ld->ev.data.mapping_start.anchor;
		tag = ld->ev.data.mapping_start.tag;
		break;
	default:
		break;
	}
	if (anchor != NULL)
		return failf(ld, ev_mark(ld),
			     "anchor \"&%.40s\" is not allowed: policies use "
			     "no anchors or aliases",
			     (const char *)anchor);
	if (tag != NULL)
		return failf(ld, ev_mark(ld),
			     "tag \"%.60s\" is not allowed: policies use no "
			     "tags",
			     (const char *)tag);
	return 0;
}

static int is_null(const yaml_event_t *ev)
{
	const char *t = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !strcmp(t, "") || !strcmp(t, "~") || !strcmp(t, "null") ||
	       !strcmp(t, "Null") || !strcmp(t, "NULL");
}

static struct pscalar scalar_of(const struct loader *ld)
{
	struct pscalar s;

	s.text = (const char *)ld->ev.data.scalar.value;
	s.len = ld->ev.data.scalar.length;
	s.quoted = ld->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	s.mark = ev_mark(ld);
	return s;
}

static const char *node_name(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "a value";
	}
}

static int parse_mapping(struct loader *ld, const struct pfield *fields,
			 const struct pfield *parent);

static int is_list_kind(enum pkind k)
{
	return k == PK_PROTOS || k == PK_DSP || k == PK_SIDES || k == PK_URLS;
}

static int parse_list(struct loader *ld, const struct pfield *f)
{
	struct pscalar s;

	policy_clear_list(f, ld->p);
	for (;;) {
		if (next_event(ld) < 0)
			return -1;
		if (ld->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (ld->ev.type != YAML_SCALAR_EVENT)
			return failf(ld, ev_mark(ld), "%s must be %s, found %s "
				     "inside the list",
				     f->path, policy_kind_expect(f),
				     node_name(&ld->ev));
		if (is_null(&ld->ev))
			return failf(ld, ev_mark(ld),
				     "%s has an empty list item", f->path);
		s = scalar_of(ld);
		if (policy_add_item(f, &s, ld->p, ld->marks, ld->label,
				    ld->diag) < 0) {
			ld->err = TLSR_EPOLICY;
			return -1;
		}
	}
}

/* The value of f; ld->ev holds its first event. */
static int parse_value(struct loader *ld, const struct pfield *f)
{
	struct pscalar s;

	switch (ld->ev.type) {
	case YAML_SCALAR_EVENT:
		if (is_null(&ld->ev))
			return failf(ld, ev_mark(ld), "%s has no value",
				     f->path);
		if (f->kind == PK_MAP || f->kind == PK_PROTOS ||
		    f->kind == PK_URLS) {
			s = scalar_of(ld);
			return failf(ld, s.mark, "%s must be %s, found \"%.40s\"",
				     f->path, policy_kind_expect(f), s.text);
		}
		s = scalar_of(ld);
		if (policy_set_scalar(f, &s, ld->p, ld->label, ld->diag) < 0) {
			ld->err = TLSR_EPOLICY;
			return -1;
		}
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		if (is_list_kind(f->kind))
			return parse_list(ld, f);
		break;
	case YAML_MAPPING_START_EVENT:
		if (f->kind == PK_MAP)
			return parse_mapping(ld, f->children, f);
		break;
	default:
		break;
	}
	return failf(ld, ev_mark(ld), "%s must be %s, found %s", f->path,
		     policy_kind_expect(f), node_name(&ld->ev));
}

static int unknown_key(struct loader *ld, const struct pfield *fields,
		       const struct pfield *parent, const char *key)
{
	char allowed[256] = "";
	const struct pfield *f;
	size_t n = 0;

	for (f = fields; f->name != NULL && n < sizeof allowed; f++)
		n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s",
				      n ? ", " : "", f->name);
	if (parent == NULL)
		return failf(ld, ev_mark(ld),
			     "unknown key \"%.40s\" (allowed: %s)", key,
			     allowed);
	return failf(ld, ev_mark(ld),
		     "unknown key \"%.40s\" in %s (allowed: %s)", key,
		     parent->path, allowed);
}

/* Keys of one mapping until its end; the start event is current. */
static int parse_mapping(struct loader *ld, const struct pfield *fields,
			 const struct pfield *parent)
{
	const struct pfield *f;
	const char *key;
	struct pmark *seen;
	unsigned keys = 0;

	for (;;) {
		if (next_event(ld) < 0)
			return -1;
		if (ld->ev.type == YAML_MAPPING_END_EVENT) {
			/* An empty section says nothing: docs/policy.md asks
			 * to remove it instead. */
			if (keys == 0 && parent != NULL)
				return failf(ld, ld->marks->value[parent->id],
					     "%s is empty: give at least one "
					     "key or remove it",
					     parent->path);
			return 0;
		}
		keys++;
		if (ld->ev.type != YAML_SCALAR_EVENT)
			return failf(ld, ev_mark(ld),
				     "keys must be plain words, found %s",
				     node_name(&ld->ev));
		key = (const char *)ld->ev.data.scalar.value;
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL ||
		    strlen(key) != ld->ev.data.scalar.length)
			return unknown_key(ld, fields, parent, key);
		seen = &ld->marks->key[f->id];
		if (seen->line != 0)
			return failf(ld, ev_mark(ld),
				     "duplicate key \"%s\" (first at %u:%u)",
				     f->path, seen->line, seen->col);
		*seen = ev_mark(ld);
		if (next_event(ld) < 0)
			return -1;
		ld->marks->value[f->id] = ev_mark(ld);
		if (parse_value(ld, f) < 0)
			return -1;
	}
}

/* Stream, one document, a mapping at the root. */
static int parse_stream(struct loader *ld)
{
	const yaml_event_t *ev = &ld->ev;

	if (next_event(ld) < 0) /* stream start */
		return -1;
	if (next_event(ld) < 0)
		return -1;
	if (ev->type == YAML_STREAM_END_EVENT)
		return failf(ld, ev_mark(ld),
			     "empty policy: it needs at least \"version: 1\"");
	if (ev->data.document_start.tag_directives.start !=
	    ev->data.document_start.tag_directives.end)
		return failf(ld, ev_mark(ld),
			     "%%TAG directives are not allowed: policies use "
			     "no tags");
	if (next_event(ld) < 0)
		return -1;
	if (ev->type == YAML_SCALAR_EVENT && is_null(ev))
		return failf(ld, ev_mark(ld),
			     "empty policy: it needs at least \"version: 1\"");
	if (ev->type == YAML_SCALAR_EVENT)
		return failf(ld, ev_mark(ld),
			     "a policy must be a mapping of keys like "
			     "\"version: 1\", found \"%.40s\"",
			     (const char *)ev->data.scalar.value);
	if (ev->type != YAML_MAPPING_START_EVENT)
		return failf(ld, ev_mark(ld),
			     "a policy must be a mapping of keys like "
			     "\"version: 1\", found %s",
			     node_name(ev));
	ld->marks->value[PF_ROOT] = ev_mark(ld);
	if (parse_mapping(ld, policy_schema_root, NULL) < 0)
		return -1;
	if (ld->marks->key[PF_VERSION].line == 0)
		return failf(ld, ld->marks->value[PF_ROOT],
			     "missing key \"version\" (this format is "
			     "version 1)");
	if (next_event(ld) < 0) /* document end */
		return -1;
	if (next_event(ld) < 0)
		return -1;
	if (ev->type != YAML_STREAM_END_EVENT)
		return failf(ld, ev_mark(ld),
			     "a second YAML document starts here; a policy "
			     "file holds one");
	return 0;
}

tlsr_err tlsr_policy_load_buffer(const char *label, const char *buf,
				 size_t len, struct tlsr_policy *out,
				 struct tlsr_diag *diag)
{
	return tlsr_policy_load_buffer_floor(label, buf, len, NULL, out, diag);
}

tlsr_err tlsr_policy_load_buffer_floor(const char *label, const char *buf,
				       size_t len,
				       const struct tlsr_floor *floor,
				       struct tlsr_policy *out,
				       struct tlsr_diag *diag)
{
	struct tlsr_policy p;
	struct pmarks *marks;
	struct loader ld;
	struct pmark start = {1, 1};
	tlsr_err err;

	memset(&ld, 0, sizeof ld);
	ld.buf = (const unsigned char *)buf;
	ld.len = len;
	ld.label = label ? label : "<policy>";
	ld.diag = diag;
	if (buf == NULL || out == NULL) {
		tlsr_diag_set(diag, ld.label, 0, 0, "no policy given");
		return TLSR_EINVAL;
	}
	if (len > TLSR_POLICY_MAX_BYTES) {
		ld.err = TLSR_ETOOBIG;
		failf(&ld, start, "policy is larger than %u bytes",
		      TLSR_POLICY_MAX_BYTES);
		return ld.err;
	}
	if (check_text(&ld) < 0)
		return ld.err;
	marks = calloc(1, sizeof *marks);
	if (marks == NULL) {
		tlsr_diag_set(diag, ld.label, 0, 0, "out of memory");
		return TLSR_ENOMEM;
	}
	tlsr_policy_defaults(&p);
	ld.p = &p;
	ld.marks = marks;
	if (!yaml_parser_initialize(&ld.parser)) {
		tlsr_diag_set(diag, ld.label, 0, 0, "out of memory");
		err = TLSR_ENOMEM;
		goto out_marks;
	}
	yaml_parser_set_input_string(&ld.parser, ld.buf, len);
	if (parse_stream(&ld) < 0 ||
	    policy_validate(&p, marks, ld.label, diag) < 0 ||
	    (floor != NULL &&
	     policy_floor_check(&p, marks, floor, ld.label, diag) < 0)) {
		err = ld.err != TLSR_OK ? ld.err : TLSR_EPOLICY;
		goto out_parser;
	}
	p.restart.mode_given = marks->key[PF_RESTART_MODE].line != 0;
	*out = p;
	err = TLSR_OK;
out_parser:
	if (ld.have_ev)
		yaml_event_delete(&ld.ev);
	yaml_parser_delete(&ld.parser);
out_marks:
	free(marks);
	return err;
}

tlsr_err tlsr_policy_load_file(const char *path, struct tlsr_policy *out,
			       struct tlsr_diag *diag)
{
	return tlsr_policy_load_file_floor(path, NULL, out, diag);
}

tlsr_err tlsr_policy_load_file_floor(const char *path,
				     const struct tlsr_floor *floor,
				     struct tlsr_policy *out,
				     struct tlsr_diag *diag)
{
	struct pmark start = {1, 1};
	char *buf;
	size_t len;
	tlsr_err err;
	FILE *f;
	int saved;

	if (path == NULL || out == NULL) {
		tlsr_diag_set(diag, "", 0, 0, "no policy file given");
		return TLSR_EINVAL;
	}
	f = tlsr_file_open(path, "rb");
	if (f == NULL) {
		tlsr_diag_set(diag, path, 0, 0, "cannot open the policy: %s",
			      strerror(errno));
		return TLSR_EIO;
	}
	/* One byte more than allowed tells a file at the limit from a
	 * larger one without reading all of it. */
	buf = malloc(TLSR_POLICY_MAX_BYTES + 1);
	if (buf == NULL) {
		tlsr_diag_set(diag, path, 0, 0, "out of memory");
		err = TLSR_ENOMEM;
		goto out_file;
	}
	len = fread(buf, 1, TLSR_POLICY_MAX_BYTES + 1, f);
	if (ferror(f)) {
		saved = errno;
		tlsr_diag_set(diag, path, 0, 0, "cannot read the policy: %s",
			      strerror(saved));
		err = TLSR_EIO;
		goto out_buf;
	}
	if (len > TLSR_POLICY_MAX_BYTES) {
		tlsr_diag_set(diag, path, start.line, start.col,
			      "policy is larger than %u bytes",
			      TLSR_POLICY_MAX_BYTES);
		err = TLSR_ETOOBIG;
		goto out_buf;
	}
	err = tlsr_policy_load_buffer_floor(path, buf, len, floor, out, diag);
out_buf:
	free(buf);
out_file:
	fclose(f);
	return err;
}

/* The reader's steps for floor.c, which reads floors with the same rules. */
int policy_yaml_begin(struct loader *ld, const char *label, const char *buf,
		      size_t len, struct tlsr_diag *diag)
{
	memset(ld, 0, sizeof *ld);
	ld->buf = (const unsigned char *)buf;
	ld->len = len;
	ld->label = label;
	ld->diag = diag;
	if (check_text(ld) < 0)
		return -1;
	if (!yaml_parser_initialize(&ld->parser)) {
		ld->err = TLSR_ENOMEM;
		tlsr_diag_set(diag, label, 0, 0, "out of memory");
		return -1;
	}
	ld->parser_ready = 1;
	yaml_parser_set_input_string(&ld->parser, ld->buf, len);
	return 0;
}

void policy_yaml_end(struct loader *ld)
{
	if (ld->have_ev)
		yaml_event_delete(&ld->ev);
	ld->have_ev = 0;
	if (ld->parser_ready)
		yaml_parser_delete(&ld->parser);
	ld->parser_ready = 0;
}

int policy_yaml_next(struct loader *ld)
{
	return next_event(ld);
}

int policy_yaml_fail(struct loader *ld, struct pmark at, const char *fmt, ...)
{
	char msg[sizeof ld->diag->message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return failf(ld, at, "%s", msg);
}

struct pmark policy_yaml_mark(const struct loader *ld)
{
	return ev_mark(ld);
}

int policy_yaml_null(const struct loader *ld)
{
	return ld->ev.type == YAML_SCALAR_EVENT && is_null(&ld->ev);
}

const char *policy_yaml_node(const struct loader *ld)
{
	return node_name(&ld->ev);
}
