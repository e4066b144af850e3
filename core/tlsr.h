/* tlsward: the public API of the engine.
 *
 * check -> plan -> apply -> verify. The engine reads and writes only through
 * the context's registry backend, so the same code audits a .reg export, an
 * in-memory test registry and, on Windows, the live registry. */
#ifndef TLSR_TLSR_H
#define TLSR_TLSR_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "names.h"
#include "os.h"
#include "owed.h"
#include "registry.h"
#include "settings.h"

#define TLSR_VERSION_STRING TLSR_PROJECT_VERSION


/* ---- policy (loaded from YAML by policy/, plain data here) ---- */

/* The proof section: endpoints a probe must reach with TLS 1.2. */
#define TLSR_PROOF_MAX_ENDPOINTS 8
#define TLSR_PROOF_URL_MAX 512

enum tlsr_mode { TLSR_MODE_ENFORCE, TLSR_MODE_AUDIT };
const char *tlsr_mode_name(enum tlsr_mode m); /* "enforce" or "audit" */
enum tlsr_restart_mode {
	TLSR_RESTART_MODE_SCHEDULE,
	TLSR_RESTART_MODE_NOTIFY,
	TLSR_RESTART_MODE_NEVER
};

struct tlsr_policy {
	int version;
	unsigned serial; /* 0: none; signed policies must not go down */
	enum tlsr_mode mode;
	struct {
		uint32_t default_secure_protocols; /* WinHTTP bits */
		unsigned keep;    /* TLSR_PROTO_BIT mask */
		int prestage;     /* write the value while KB3140245 is missing */
	} winhttp;
	struct {
		unsigned enable;  /* TLSR_PROTO_BIT mask */
		unsigned disable; /* TLSR_PROTO_BIT mask, the legacy step */
		unsigned sides;   /* TLSR_SIDE_* mask */
	} schannel;
	struct {
		int strong_crypto;               /* 1: SchUseStrongCrypto=1 */
		int system_default_tls_versions; /* 1: SystemDefaultTlsVersions=1 */
	} dotnet;
	struct {
		enum tlsr_restart_mode mode;
		int mode_given; /* restart.mode is in the policy (else a
				 * server defaults to notify) */
		unsigned window_start; /* minutes after midnight, local time */
		unsigned window_end;   /* may be < start: the window spans midnight */
		unsigned grace;        /* seconds */
		char message[512];
	} restart;
	struct {
		unsigned interval; /* seconds */
		unsigned jitter;   /* seconds */
	} check;
	struct {
		unsigned max_reverts;
		unsigned window; /* seconds */
	} conflict;
	struct {
		char path[1024]; /* "" = the policy file given at start */
		unsigned poll;   /* seconds */
	} source;
	struct {
		char endpoints[TLSR_PROOF_MAX_ENDPOINTS][TLSR_PROOF_URL_MAX];
		unsigned n_endpoints;
		unsigned interval;          /* seconds between probes */
		int require_for_legacy_off; /* legacy-off waits for a proof */
	} proof;
};

/* Fills p with the defaults docs/policy.md documents (the seed scenario). */
void tlsr_policy_defaults(struct tlsr_policy *p);

/* ---- facts ---- */

typedef enum { TLSR_NO = 0, TLSR_YES = 1, TLSR_UNKNOWN = -1 } tlsr_tri;

struct tlsr_facts {
	int os_known;
	unsigned os_major, os_minor, os_build, os_sp;
	int is_server;
	char product[128];
	uint32_t net4_release; /* 0: .NET 4.5 or later absent */
	int net40;             /* .NET 4.0 installed (no Release value) */
	int net35;             /* .NET 3.5 installed */
	tlsr_tri kb3140245;    /* the WinHTTP update of the OS row */
	char kb3140245_source[128]; /* how it was learnt, for reports */
	tlsr_tri os_update;    /* the OS row's os_update (KB4019276) */
	tlsr_tri net35_update; /* the OS row's net35_update (KB3154518...) */
	char net35_update_source[128];
	int x64;                    /* both registry views exist */
	int fips;                   /* FIPSAlgorithmPolicy Enabled */
	/* This boot's id, to tell which restart-owed entries a restart has
	 * settled (core/owed.h). Live: the service's and the CLI's boot id;
	 * offline "" = unknown, and nothing owed is ever taken as settled. */
	char boot_id[64];
};

/* Reads the facts through ctx's registry: Windows NT\CurrentVersion, the NDP
 * keys, Component Based Servicing, the FIPS policy, and whether
 * SOFTWARE\Wow6432Node exists (x64). Missing keys leave fields unknown, they
 * are not errors. */
tlsr_err tlsr_facts_read(struct tlsr_registry *reg, struct tlsr_facts *out);
/* The keys tlsr_facts_read reads. */
extern const struct tlsr_regfile_keep tlsr_facts_keys[];
extern const size_t tlsr_facts_keys_count;

/* The OS model row for the facts (core/os.h); never NULL. */
const struct tlsr_os *tlsr_facts_os(const struct tlsr_facts *f);
/* 1 when this OS needs KB3140245 for WinHTTP (NT 6.1 and 6.2). */
int tlsr_facts_needs_kb3140245(const struct tlsr_facts *f);
/* 1 when the OS enables TLS 1.2 in SChannel (client) without keys. */
int tlsr_facts_tls12_default_on(const struct tlsr_facts *f);
/* Whether a Component Based Servicing package name is the update kb
 * ("KB3140245"): Package_for_KB~, Package_for_KB_RTM~ and
 * Package_N_for_KB~ all are. */
int tlsr_cbs_package_is(const char *package, const char *kb);
/* Whether a CBS CurrentState means the update's content is in place:
 * 0x70 installed, 0x80 permanent, 0x50 superseded. */
int tlsr_cbs_state_present(uint32_t state);
/* ".NET 4.8" style name of net4_release into buf. */
void tlsr_facts_net_name(const struct tlsr_facts *f, char *buf, size_t size);

/* ---- check ---- */

enum tlsr_state {
	TLSR_STATE_OK,
	TLSR_STATE_MISSING,
	TLSR_STATE_MISMATCH,
	TLSR_STATE_BLOCKED
};
const char *tlsr_state_name(enum tlsr_state s); /* "ok", "missing", ... */

/* Apply order. SChannel comes first: on NT 6.1 and 6.2 WinHTTP's TLS 1.2
 * needs SChannel's, and a failed phase stops the later ones. */
enum tlsr_phase {
	TLSR_PHASE_SCHANNEL = 1,
	TLSR_PHASE_WINHTTP = 2,
	TLSR_PHASE_DOTNET = 3,
	TLSR_PHASE_LEGACY = 4, /* turning a legacy protocol off, in SChannel
				* or in DefaultSecureProtocols */
};

struct tlsr_item {
	const struct tlsr_setting *def;
	enum tlsr_view view;
	char id[128];        /* def->id, with "@32" for the 32-bit view */
	uint32_t expected;   /* wanted REG_DWORD data */
	int present;         /* the value exists */
	struct tlsr_value actual; /* as read, when present (owned) */
	enum tlsr_state state;
	enum tlsr_phase phase;
	const char *reason;  /* why blocked or deferred, or NULL (static) */
	int deferred;        /* legacy step waiting for TLS 1.2 and a restart */
	int write;           /* apply writes it (not blocked without prestage,
			      * not deferred, not ok) */
	int by_default;      /* ok because the value is absent and the OS
			      * default is what the policy wants */
	int stricter;        /* ok, and offers fewer legacy protocols than the
			      * policy's value: left alone */
	int in_effect;       /* set by the caller before tlsr_apply: expected
			      * is the value in effect at this boot (an
			      * earlier check of this boot found it in place,
			      * owing no restart), so writing it back owes
			      * none */
	char reason_buf[256]; /* reason points here when it names the OS */
};

enum tlsr_severity { TLSR_SEV_INFO, TLSR_SEV_WARNING, TLSR_SEV_CRITICAL };
/* "info", "warning", "critical". */
const char *tlsr_severity_name(enum tlsr_severity s);

/* Something on the machine that can break TLS 1.2 although the values
 * tlsward manages are right, or that already cut a client off. */
struct tlsr_risk {
	char id[48]; /* stable: "legacy-off-before-tls12", ... */
	enum tlsr_severity severity;
	enum tlsr_component component;
	char message[256];
};

struct tlsr_report {
	struct tlsr_facts facts;
	struct tlsr_item *items;
	size_t n_items;
	int compliant;           /* every item ok */
	int blocked;             /* some item blocked by a prerequisite */
	int restart_pending;     /* the ledger says a change owes a restart */
	int owed[TLSR_COMP_COUNT]; /* that component has a change owing one */
	int restart_required;    /* pending, or a restart-owing change is
				  * planned */
	int tls12[TLSR_COMP_COUNT]; /* TLS 1.2 holds in that component, and
				     * none of its changes owes a restart */
	int ready_for_server;    /* all three hold, no restart is owed and no
				  * critical risk */
	char blocked_reasons[1024]; /* "; "-separated, "" when none */
	/* The proof on the wire (core/proof.h), when the policy lists
	 * endpoints: proven since this boot, and the legacy step's reason
	 * to wait when require_for_legacy_off holds it back. */
	int proof_listed;
	int proven;
	char proof_reason[1100];
	const struct tlsr_os *os; /* the OS model row used (static) */
	struct tlsr_risk *risks;  /* owned, n_risks of them */
	size_t n_risks;
	int critical;             /* some risk is critical */
};

/* Compares the registry with the policy. Facts come from the caller (read
 * with tlsr_facts_read, or given on the command line). Caller frees *out
 * with tlsr_report_free. */
tlsr_err tlsr_check(struct tlsr_registry *reg, const struct tlsr_policy *p,
		    const struct tlsr_facts *facts, struct tlsr_report **out);
void tlsr_report_free(struct tlsr_report *r);

/* The keys tlsr_facts_read and tlsr_check read: the settings table's keys
 * in their views, the facts' keys (tlsr_facts_keys) and tlsward's own
 * subtree, into out (max entries). Returns how many there are, which may
 * be more than max. A .reg file read for a check keeps only these. */
#define TLSR_CHECK_KEYS_MAX 128
size_t tlsr_check_keys(struct tlsr_regfile_keep *out, size_t max);

/* ---- plan ---- */

struct tlsr_action {
	size_t item; /* index into the report's items */
	enum tlsr_phase phase;
	uint32_t value;
	enum tlsr_restart_rule restart;
};

struct tlsr_plan {
	struct tlsr_action *actions; /* in apply order */
	size_t n_actions;
	int restart_required; /* some action, or the ledger, owes a restart */
};

/* Orders the report's writable items: WinHTTP, SChannel, .NET, then the
 * legacy step. Caller frees *out with tlsr_plan_free. */
tlsr_err tlsr_plan_make(const struct tlsr_report *r, struct tlsr_plan **out);
void tlsr_plan_free(struct tlsr_plan *plan);

/* ---- apply ---- */

/* Called after each action with its outcome (TLSR_OK, or the error). */
typedef void (*tlsr_action_cb)(void *data, const struct tlsr_report *r,
			       const struct tlsr_action *a, tlsr_err result);

struct tlsr_apply_result {
	size_t written;  /* actions written and verified */
	size_t failed;
	tlsr_err first_error;
	size_t first_failed; /* index into plan actions */
	int restart_required; /* a write that owes a restart was made */
	char message[512];    /* first failure, for the user */
};

/* Journals every planned value that has no journal entry yet, then writes
 * the actions in order, reading each back. On a failure it carries on with
 * the next action of the same phase but starts no later phase, so a later
 * pass converges. Before each write that needs a restart (the setting's
 * restart rule) it notes the write in the restart-owed ledger
 * (tlsr_owed_note_write, with the report's facts.boot_id); it settles the
 * ledger first when the boot id is known. It never writes Status. A second
 * apply after success writes nothing. */
tlsr_err tlsr_apply(struct tlsr_registry *reg, const struct tlsr_report *r,
		    const struct tlsr_plan *plan, tlsr_action_cb cb,
		    void *cb_data, struct tlsr_apply_result *res);

/* ---- journal ---- */

/* Records the original state of item (absent, or type and data) under
 * TLSR_KEY_JOURNAL unless an entry for it exists; verified. */
tlsr_err tlsr_journal_record(struct tlsr_registry *reg,
			     const struct tlsr_item *item);
/* Restores every journalled value exactly (deleting those that were absent),
 * verifies it, and removes its entry. *restored counts them. */
tlsr_err tlsr_rollback(struct tlsr_registry *reg, size_t *restored,
		       struct tlsr_diag *diag);

/* ---- output ---- */

/* JSON for check ({"compliant", "restart_required", "facts", "settings"})
 * and plan ({... "actions"}). Return a malloc'd string the caller frees, or
 * NULL when out of memory. */
char *tlsr_report_json(const struct tlsr_report *r);
char *tlsr_plan_json(const struct tlsr_report *r, const struct tlsr_plan *p);
/* Human-readable tables, same ownership. */
char *tlsr_report_text(const struct tlsr_report *r);
char *tlsr_plan_text(const struct tlsr_report *r, const struct tlsr_plan *p);

#endif
