/* tlsward: events, written to the Application event log (source "tlsward",
 * texts from messages.mc) and mirrored as JSON lines in events.jsonl.
 * The ids are the SOC's contract (docs/events.md). */
#ifndef TLSR_EVENTLOG_H
#define TLSR_EVENTLOG_H

#include <stddef.h>

#include "error.h"

enum tlsr_event_id {
	TLSR_EV_SERVICE_STARTED = 1000,
	TLSR_EV_SERVICE_STOPPED = 1001,
	TLSR_EV_SERVICE_FAILED = 1002,
	TLSR_EV_WATCH_FAILED = 1003,
	TLSR_EV_CACHE_FAILED = 1004,
	TLSR_EV_POLICY_LOADED = 1100,
	TLSR_EV_POLICY_REJECTED = 1101,
	TLSR_EV_POLICY_UNREACHABLE = 1102,
	TLSR_EV_CHECK_COMPLIANT = 2000,
	TLSR_EV_DRIFT = 2001,
	TLSR_EV_REMEDIATED = 2002,
	TLSR_EV_REMEDIATION_FAILED = 2003,
	TLSR_EV_BLOCKED = 2004,
	TLSR_EV_CONFLICT = 2005,
	TLSR_EV_CHECK_FAILED = 2006,
	TLSR_EV_STATUS_FAILED = 2007,
	TLSR_EV_CRITICAL_RISK = 2010,
	TLSR_EV_RISK = 2011,
	TLSR_EV_RESTART_SCHEDULED = 3000,
	TLSR_EV_RESTART_PENDING = 3001,
	TLSR_EV_RESTART_FAILED = 3002,
	TLSR_EV_PROOF_PROVEN = 4000,
	TLSR_EV_PROOF_FAILED = 4001,
};

/* Named fields an event carries. Each event takes its insertion strings
 * from a fixed list of these (docs/events.md); the JSON mirror also names
 * every field that is set. */
enum tlsr_event_field {
	TLSR_EF_SETTING,
	TLSR_EF_KEY,
	TLSR_EF_VIEW,
	TLSR_EF_NAME,
	TLSR_EF_EXPECTED,
	TLSR_EF_ACTUAL,
	TLSR_EF_POLICY_SOURCE,
	TLSR_EF_POLICY_HASH,
	TLSR_EF_REASON,
	TLSR_EF_RESTART_TIME,
	TLSR_EF_VERSION,
	TLSR_EF_MODE,
	TLSR_EF_IN_FORCE,
	TLSR_EF_ENDPOINT,
	TLSR_EF_PROTOCOL,
	TLSR_EF_RISK,
	TLSR_EF_COUNT
};

/* UTF-8 field values, NULL when the event lacks the field. Not owned. */
struct tlsr_event_fields {
	const char *v[TLSR_EF_COUNT];
};

/* JSON name of a field ("setting", "policy_hash", ...). */
const char *tlsr_event_field_name(enum tlsr_event_field f);

/* "remediated", "drift_detected", ...; NULL for an unknown id. */
const char *tlsr_event_name(unsigned id);

/* "information", "warning" or "error"; NULL for an unknown id. */
const char *tlsr_event_level(unsigned id);

struct tlsr_eventlog;

/* Opens the event source and the JSON mirror in dir (UTF-8, created when
 * missing). With console set, every event is also printed on stderr.
 * Caller closes *out with tlsr_eventlog_close. */
tlsr_err tlsr_eventlog_open(const char *dir, int console,
			    struct tlsr_eventlog **out);

/* Deregisters the source and frees log; NULL-safe. */
void tlsr_eventlog_close(struct tlsr_eventlog *log);

/* Reports event id with the fields in f (NULL: none). A failure to write
 * is never fatal: the service keeps working without its log. */
void tlsr_eventlog_report(struct tlsr_eventlog *log, unsigned id,
			  const struct tlsr_event_fields *f);

/* Writes the current UTC time as "2026-11-22T04:00:00Z" into buf (at
 * least 21 bytes). */
void tlsr_utc_now_iso(char *buf, size_t size);

#endif
