/* tlsward: what the policy loader (load.c), the schema (schema.c) and the
 * safety floor (validate.c) share. Not installed, not part of the API. */
#ifndef TLSR_POLICY_INTERNAL_H
#define TLSR_POLICY_INTERNAL_H

#include <stddef.h>

#include <yaml.h>

#include "accept.h"
#include "policy.h"

/* One id per key of the schema; marks are indexed by it. */
enum pf {
	PF_ROOT,
	PF_VERSION,
	PF_SERIAL,
	PF_MODE,
	PF_WINHTTP,
	PF_WINHTTP_DSP,
	PF_WINHTTP_KEEP,
	PF_WINHTTP_PRESTAGE,
	PF_SCHANNEL,
	PF_SCHANNEL_ENABLE,
	PF_SCHANNEL_DISABLE,
	PF_SCHANNEL_SIDES,
	PF_DOTNET,
	PF_DOTNET_STRONG,
	PF_DOTNET_SYSDEFAULT,
	PF_RESTART,
	PF_RESTART_MODE,
	PF_RESTART_WINDOW,
	PF_RESTART_GRACE,
	PF_RESTART_MESSAGE,
	PF_CHECK,
	PF_CHECK_INTERVAL,
	PF_CHECK_JITTER,
	PF_CONFLICT,
	PF_CONFLICT_MAX_REVERTS,
	PF_CONFLICT_WINDOW,
	PF_SOURCE,
	PF_SOURCE_PATH,
	PF_SOURCE_POLL,
	PF_PROOF,
	PF_PROOF_ENDPOINTS,
	PF_PROOF_INTERVAL,
	PF_PROOF_REQUIRE,
	PF_COUNT
};

/* What a key holds; each kind has one parser in schema.c. */
enum pkind {
	PK_MAP,      /* nested mapping: children */
	PK_INT,      /* int in [min, max] */
	PK_UINT,     /* unsigned in [min, max] */
	PK_ENUM,     /* one of names, stored as an int-sized enum */
	PK_BOOL,     /* true / false, stored as int */
	PK_DURATION, /* "1h30m" or seconds, unsigned seconds in [min, max] */
	PK_PROTOS,   /* list of protocol names, TLSR_PROTO_BIT mask */
	PK_DSP,      /* WinHTTP bits: number or list of protocol names */
	PK_SIDES,    /* [client, server] or both, TLSR_SIDE_* mask */
	PK_WINDOW,   /* "HH:MM-HH:MM": minutes at offset and offset2 */
	PK_STRING,   /* text into a char array of size bytes */
	PK_PATH,     /* PK_STRING that must be an absolute or UNC path */
	PK_URLS,     /* list of https URLs into the proof endpoints */
};

struct penum {
	const char *name;
	int value;
};

struct pfield {
	const char *name; /* the key, "keep" */
	const char *path; /* dotted, for messages: "winhttp.keep" */
	enum pf id;
	enum pkind kind;
	size_t offset;  /* into struct tlsr_policy */
	size_t offset2; /* PK_WINDOW: the end minute */
	size_t size;    /* PK_STRING, PK_PATH: array size */
	unsigned long min, max;
	const struct penum *values;    /* PK_ENUM, NULL-terminated */
	const struct pfield *children; /* PK_MAP, NULL-name-terminated */
};

/* The schema's root mapping; the field with an id (NULL for PF_ROOT). */
extern const struct pfield policy_schema_root[];
const struct pfield *policy_field(enum pf id);

/* A source position, 1-based; line 0 when the file does not set it. */
struct pmark {
	unsigned line, col;
};

/* Where the file set each key, for errors found after loading. */
struct pmarks {
	struct pmark key[PF_COUNT];
	struct pmark value[PF_COUNT];
	struct pmark item[PF_COUNT][TLSR_PROTO_COUNT]; /* protocol lists */
	struct pmark url[TLSR_PROOF_MAX_ENDPOINTS];    /* proof.endpoints */
};

/* A scalar as the loader hands it to a kind's parser. */
struct pscalar {
	const char *text; /* NUL-terminated */
	size_t len;       /* may differ from strlen when text holds NUL */
	int quoted;       /* written in quotes or as a block scalar */
	struct pmark mark;
};

/* Parses one scalar for field into p. Returns 0, or -1 with diag set at
 * s->mark (label names the file). */
int policy_set_scalar(const struct pfield *field, const struct pscalar *s,
		      struct tlsr_policy *p, const char *label,
		      struct tlsr_diag *diag);

/* Adds one list item (a protocol name, a side, or a URL) to field's mask in p,
 * recording its mark. Rejects unknown names and repeats. Returns 0 or -1. */
int policy_add_item(const struct pfield *field, const struct pscalar *s,
		    struct tlsr_policy *p, struct pmarks *marks,
		    const char *label, struct tlsr_diag *diag);

/* Empties field's mask in p before its list items are added. */
void policy_clear_list(const struct pfield *field, struct tlsr_policy *p);

/* "a number", "a list of protocol names", ... for type errors. */
const char *policy_kind_expect(const struct pfield *field);

/* Writes seconds as "1h30m" style text into buf. */
void policy_format_duration(unsigned secs, char *buf, size_t size);

/* The safety floor and the rules joining several keys. Returns 0, or -1
 * with diag set at the offending node. */
int policy_validate(const struct tlsr_policy *p, const struct pmarks *marks,
		    const char *label, struct tlsr_diag *diag);

/* The event reader of load.c, shared with floor.c. */
struct loader {
	yaml_parser_t parser;
	int parser_ready;
	yaml_event_t ev;
	int have_ev;
	const unsigned char *buf;
	size_t len;
	const char *label;
	struct tlsr_diag *diag;
	tlsr_err err;
	struct tlsr_policy *p;
	struct pmarks *marks;
};

/* Checks the text (UTF-8, no control characters) and starts the parser.
 * Returns 0, or -1 with diag set; policy_yaml_end frees either way. */
int policy_yaml_begin(struct loader *ld, const char *label, const char *buf,
		      size_t len, struct tlsr_diag *diag);
void policy_yaml_end(struct loader *ld);
/* Next event into ld->ev; anchors, aliases and tags are refused. */
int policy_yaml_next(struct loader *ld);
/* Sets diag at a position and returns -1. */
int policy_yaml_fail(struct loader *ld, struct pmark at, const char *fmt, ...)
	TLSR_PRINTF(3, 4);
struct pmark policy_yaml_mark(const struct loader *ld);
int policy_yaml_null(const struct loader *ld); /* a null scalar */
const char *policy_yaml_node(const struct loader *ld); /* "a list", ... */

/* The local floor (floor.c) on a loaded policy. Returns 0, or -1 with diag
 * set at the node that goes below it, naming the floor's rule. */
int policy_floor_check(const struct tlsr_policy *p, const struct pmarks *marks,
		       const struct tlsr_floor *floor, const char *label,
		       struct tlsr_diag *diag);

#endif
