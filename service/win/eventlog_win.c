/* tlsward: the Application event log and its events.jsonl mirror. */
#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "restart.h"
#include "evtext.h"
#include "names.h"
#include "util_win.h"
#include "messages.h"
#include "strbuf.h"

#define JSONL_MAX_BYTES (1024u * 1024u)
#define MAX_STRINGS 9

struct event_def {
	unsigned id;
	DWORD msg; /* full message id as windmc numbers it */
	const char *name;
	WORD type;
	size_t n;
	enum tlsr_event_field strings[MAX_STRINGS];
};

#define ITEM_FIELDS                                                        \
	TLSR_EF_SETTING, TLSR_EF_KEY, TLSR_EF_VIEW, TLSR_EF_NAME,           \
		TLSR_EF_EXPECTED, TLSR_EF_ACTUAL, TLSR_EF_POLICY_SOURCE,    \
		TLSR_EF_POLICY_HASH

static const struct event_def events[] = {
	{TLSR_EV_SERVICE_STARTED, TLSR_MSG_SERVICE_STARTED, "service_started",
	 EVENTLOG_INFORMATION_TYPE, 4,
	 {TLSR_EF_VERSION, TLSR_EF_MODE, TLSR_EF_POLICY_SOURCE,
	  TLSR_EF_REASON}},
	{TLSR_EV_SERVICE_STOPPED, TLSR_MSG_SERVICE_STOPPED, "service_stopped",
	 EVENTLOG_INFORMATION_TYPE, 1, {TLSR_EF_REASON}},
	{TLSR_EV_SERVICE_FAILED, TLSR_MSG_SERVICE_FAILED, "service_failed",
	 EVENTLOG_ERROR_TYPE, 1, {TLSR_EF_REASON}},
	{TLSR_EV_WATCH_FAILED, TLSR_MSG_WATCH_FAILED, "watch_failed",
	 EVENTLOG_WARNING_TYPE, 2, {TLSR_EF_KEY, TLSR_EF_REASON}},
	{TLSR_EV_CACHE_FAILED, TLSR_MSG_CACHE_FAILED, "policy_cache_failed",
	 EVENTLOG_WARNING_TYPE, 2, {TLSR_EF_POLICY_SOURCE, TLSR_EF_REASON}},
	{TLSR_EV_POLICY_LOADED, TLSR_MSG_POLICY_LOADED, "policy_loaded",
	 EVENTLOG_INFORMATION_TYPE, 3,
	 {TLSR_EF_POLICY_SOURCE, TLSR_EF_POLICY_HASH, TLSR_EF_MODE}},
	{TLSR_EV_POLICY_REJECTED, TLSR_MSG_POLICY_REJECTED, "policy_rejected",
	 EVENTLOG_WARNING_TYPE, 4,
	 {TLSR_EF_POLICY_SOURCE, TLSR_EF_POLICY_HASH, TLSR_EF_REASON,
	  TLSR_EF_IN_FORCE}},
	{TLSR_EV_POLICY_UNREACHABLE, TLSR_MSG_POLICY_UNREACHABLE,
	 "policy_unreachable", EVENTLOG_WARNING_TYPE, 3,
	 {TLSR_EF_POLICY_SOURCE, TLSR_EF_REASON, TLSR_EF_IN_FORCE}},
	{TLSR_EV_CHECK_COMPLIANT, TLSR_MSG_CHECK_COMPLIANT, "compliant",
	 EVENTLOG_INFORMATION_TYPE, 2,
	 {TLSR_EF_POLICY_SOURCE, TLSR_EF_POLICY_HASH}},
	{TLSR_EV_DRIFT, TLSR_MSG_DRIFT, "drift_detected", EVENTLOG_WARNING_TYPE,
	 8, {ITEM_FIELDS}},
	{TLSR_EV_REMEDIATED, TLSR_MSG_REMEDIATED, "remediated",
	 EVENTLOG_INFORMATION_TYPE, 9, {ITEM_FIELDS, TLSR_EF_REASON}},
	{TLSR_EV_REMEDIATION_FAILED, TLSR_MSG_REMEDIATION_FAILED,
	 "remediation_failed", EVENTLOG_ERROR_TYPE, 9,
	 {ITEM_FIELDS, TLSR_EF_REASON}},
	{TLSR_EV_BLOCKED, TLSR_MSG_BLOCKED, "blocked", EVENTLOG_WARNING_TYPE, 9,
	 {ITEM_FIELDS, TLSR_EF_REASON}},
	{TLSR_EV_CONFLICT, TLSR_MSG_CONFLICT, "conflict", EVENTLOG_WARNING_TYPE,
	 9, {ITEM_FIELDS, TLSR_EF_REASON}},
	{TLSR_EV_CHECK_FAILED, TLSR_MSG_CHECK_FAILED, "check_failed",
	 EVENTLOG_ERROR_TYPE, 3,
	 {TLSR_EF_POLICY_SOURCE, TLSR_EF_POLICY_HASH, TLSR_EF_REASON}},
	{TLSR_EV_STATUS_FAILED, TLSR_MSG_STATUS_FAILED, "status_failed",
	 EVENTLOG_ERROR_TYPE, 1, {TLSR_EF_REASON}},
	{TLSR_EV_CRITICAL_RISK, TLSR_MSG_CRITICAL_RISK, "critical_risk",
	 EVENTLOG_ERROR_TYPE, 2, {TLSR_EF_RISK, TLSR_EF_REASON}},
	{TLSR_EV_RISK, TLSR_MSG_RISK, "risk", EVENTLOG_WARNING_TYPE, 2,
	 {TLSR_EF_RISK, TLSR_EF_REASON}},
	{TLSR_EV_RESTART_SCHEDULED, TLSR_MSG_RESTART_SCHEDULED,
	 "restart_scheduled", EVENTLOG_INFORMATION_TYPE, 2,
	 {TLSR_EF_REASON, TLSR_EF_RESTART_TIME}},
	{TLSR_EV_RESTART_PENDING, TLSR_MSG_RESTART_PENDING, "restart_pending",
	 EVENTLOG_INFORMATION_TYPE, 1, {TLSR_EF_REASON}},
	{TLSR_EV_RESTART_FAILED, TLSR_MSG_RESTART_FAILED, "restart_failed",
	 EVENTLOG_ERROR_TYPE, 1, {TLSR_EF_REASON}},
	{TLSR_EV_PROOF_PROVEN, TLSR_MSG_PROOF_PROVEN, "proven",
	 EVENTLOG_INFORMATION_TYPE, 3,
	 {TLSR_EF_ENDPOINT, TLSR_EF_PROTOCOL, TLSR_EF_REASON}},
	{TLSR_EV_PROOF_FAILED, TLSR_MSG_PROOF_FAILED, "proof_failed",
	 EVENTLOG_WARNING_TYPE, 3,
	 {TLSR_EF_ENDPOINT, TLSR_EF_REASON, TLSR_EF_IN_FORCE}},
};

static const char *const field_names[TLSR_EF_COUNT] = {
	[TLSR_EF_SETTING] = "setting",
	[TLSR_EF_KEY] = "key",
	[TLSR_EF_VIEW] = "view",
	[TLSR_EF_NAME] = "name",
	[TLSR_EF_EXPECTED] = "expected",
	[TLSR_EF_ACTUAL] = "actual",
	[TLSR_EF_POLICY_SOURCE] = "policy_source",
	[TLSR_EF_POLICY_HASH] = "policy_hash",
	[TLSR_EF_REASON] = "reason",
	[TLSR_EF_RESTART_TIME] = "restart_time",
	[TLSR_EF_VERSION] = "version",
	[TLSR_EF_MODE] = "mode",
	[TLSR_EF_IN_FORCE] = "in_force",
	[TLSR_EF_ENDPOINT] = "endpoint",
	[TLSR_EF_PROTOCOL] = "protocol",
	[TLSR_EF_RISK] = "risk",
};

struct tlsr_eventlog {
	HANDLE source; /* NULL when registration failed */
	int console;
	wchar_t *jsonl;
	wchar_t *jsonl_old;
};

/* The table row of an event id, or NULL. */
static const struct event_def *find_def(unsigned id)
{
	size_t i;

	for (i = 0; i < sizeof events / sizeof events[0]; i++)
		if (events[i].id == id)
			return &events[i];
	return NULL;
}

const char *tlsr_event_field_name(enum tlsr_event_field f)
{
	if ((unsigned)f >= TLSR_EF_COUNT)
		return NULL;
	return field_names[f];
}

const char *tlsr_event_name(unsigned id)
{
	const struct event_def *d = find_def(id);

	return d ? d->name : NULL;
}

const char *tlsr_event_level(unsigned id)
{
	const struct event_def *d = find_def(id);

	if (d == NULL)
		return NULL;
	if (d->type == EVENTLOG_ERROR_TYPE)
		return "error";
	if (d->type == EVENTLOG_WARNING_TYPE)
		return "warning";
	return "information";
}

void tlsr_utc_now_iso(char *buf, size_t size)
{
	FILETIME ft;
	int64_t t;

	/* One formatter for every UTC time tlsward writes (restart.c). */
	GetSystemTimeAsFileTime(&ft);
	t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);
	tlsr_utc_iso((t - 116444736000000000ll) / 10000, buf, size);
}

tlsr_err tlsr_eventlog_open(const char *dir, int console,
			    struct tlsr_eventlog **out)
{
	struct tlsr_eventlog *log;
	char path[MAX_PATH * 2];
	tlsr_err err = TLSR_ENOMEM;

	log = calloc(1, sizeof *log);
	if (log == NULL)
		return TLSR_ENOMEM;
	log->console = console;
	snprintf(path, sizeof path, "%s\\" TLSR_FILE_EVENTS, dir);
	log->jsonl = tlsr_win_wide(path);
	snprintf(path, sizeof path, "%s\\" TLSR_FILE_EVENTS_OLD, dir);
	log->jsonl_old = tlsr_win_wide(path);
	if (log->jsonl == NULL || log->jsonl_old == NULL)
		goto fail;
	err = tlsr_win_mkdirs(dir, NULL);
	if (err != TLSR_OK)
		fprintf(stderr, "tlsward: cannot create %s: %s\n", dir,
			tlsr_strerror(err));
	/* Without a registered source ReportEventW still works on Windows
	 * (the texts just lack their message file), so a failure is noted
	 * and the mirror carries on. */
	log->source = RegisterEventSourceW(NULL, L"" TLSR_EVENT_SOURCE);
	if (log->source == NULL) {
		char msg[256];

		tlsr_win_errtext(GetLastError(), msg, sizeof msg);
		fprintf(stderr, "tlsward: RegisterEventSourceW: %s\n", msg);
	}
	*out = log;
	return TLSR_OK;
fail:
	free(log->jsonl_old);
	free(log->jsonl);
	free(log);
	return err;
}

void tlsr_eventlog_close(struct tlsr_eventlog *log)
{
	if (log == NULL)
		return;
	if (log->source != NULL)
		DeregisterEventSource(log->source);
	free(log->jsonl_old);
	free(log->jsonl);
	free(log);
}

/* Formats the message text from the exe's own message table, the same text
 * the Event Viewer shows. */
static void format_message(const struct event_def *d, wchar_t **wstr,
			   char *out, size_t size)
{
	wchar_t *text = NULL;
	DWORD n;
	size_t len;

	n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE |
				   FORMAT_MESSAGE_ALLOCATE_BUFFER |
				   FORMAT_MESSAGE_ARGUMENT_ARRAY,
			   GetModuleHandleW(NULL), d->msg, 0, (LPWSTR)&text,
			   0, (va_list *)wstr);
	if (n == 0 || text == NULL) {
		snprintf(out, size, "event %u", d->id);
		return;
	}
	tlsr_win_utf8(text, out, size);
	LocalFree(text);
	len = strlen(out);
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' ||
			   out[len - 1] == ' '))
		out[--len] = '\0';
}

/* Appends a line to events.jsonl, rotating it first at 1 MiB. */
static void append_line(struct tlsr_eventlog *log, const char *line,
			size_t len)
{
	WIN32_FILE_ATTRIBUTE_DATA fa;
	HANDLE h;
	DWORD done;

	if (GetFileAttributesExW(log->jsonl, GetFileExInfoStandard, &fa) &&
	    fa.nFileSizeHigh == 0 &&
	    (uint64_t)fa.nFileSizeLow + len > JSONL_MAX_BYTES)
		MoveFileExW(log->jsonl, log->jsonl_old,
			    MOVEFILE_REPLACE_EXISTING);
	h = CreateFileW(log->jsonl, FILE_APPEND_DATA,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return;
	WriteFile(h, line, (DWORD)len, &done, NULL);
	CloseHandle(h);
}

void tlsr_eventlog_report(struct tlsr_eventlog *log, unsigned id,
			  const struct tlsr_event_fields *f)
{
	const struct event_def *d = find_def(id);
	static const struct tlsr_event_fields none;
	char (*clean)[TLSR_EVTEXT_MAX + 4];
	struct tlsr_event_fields safe = {0};
	wchar_t *wstr[MAX_STRINGS + 1] = {0};
	const char *str[MAX_STRINGS];
	char message[2048], now[32], num[16];
	struct tlsr_sb b = {0};
	size_t i;

	if (log == NULL || d == NULL)
		return;
	if (f == NULL)
		f = &none;
	/* Every field on one line and bounded, in the Event Log and in the
	 * mirror alike: a path or a name cannot forge a line. */
	clean = malloc(TLSR_EF_COUNT * sizeof *clean);
	if (clean == NULL)
		return;
	for (i = 0; i < TLSR_EF_COUNT; i++) {
		if (f->v[i] == NULL)
			continue;
		tlsr_evtext_clean(f->v[i], clean[i], sizeof clean[i]);
		safe.v[i] = clean[i];
	}
	f = &safe;
	for (i = 0; i < d->n; i++) {
		str[i] = f->v[d->strings[i]] ? f->v[d->strings[i]] : "";
		wstr[i] = tlsr_win_wide(str[i]);
		/* A string that cannot be converted must not cost the whole
		 * event: it stands as "?". */
		if (wstr[i] == NULL) {
			str[i] = "?";
			wstr[i] = tlsr_win_wide(str[i]);
		}
		if (wstr[i] == NULL)
			goto out;
	}
	if (log->source != NULL)
		ReportEventW(log->source, d->type, 0, d->msg, NULL, (WORD)d->n,
			     0, (LPCWSTR *)wstr, NULL);
	format_message(d, wstr, message, sizeof message);
	if (log->console)
		fprintf(stderr, "tlsward: %s %u %s: %s\n",
			tlsr_event_level(id), id, d->name, message);

	tlsr_utc_now_iso(now, sizeof now);
	snprintf(num, sizeof num, "%u", id);
	tlsr_sb_puts(&b, "{\"time\":");
	tlsr_sb_json(&b, now);
	tlsr_sb_puts(&b, ",\"id\":");
	tlsr_sb_puts(&b, num);
	tlsr_sb_puts(&b, ",\"level\":");
	tlsr_sb_json(&b, tlsr_event_level(id));
	tlsr_sb_puts(&b, ",\"event\":");
	tlsr_sb_json(&b, d->name);
	tlsr_sb_puts(&b, ",\"message\":");
	tlsr_sb_json(&b, message);
	tlsr_sb_puts(&b, ",\"strings\":[");
	for (i = 0; i < d->n; i++) {
		if (i > 0)
			tlsr_sb_puts(&b, ",");
		tlsr_sb_json(&b, str[i]);
	}
	tlsr_sb_puts(&b, "]");
	for (i = 0; i < TLSR_EF_COUNT; i++) {
		if (f->v[i] == NULL)
			continue;
		tlsr_sb_puts(&b, ",");
		tlsr_sb_json(&b, field_names[i]);
		tlsr_sb_puts(&b, ":");
		tlsr_sb_json(&b, f->v[i]);
	}
	tlsr_sb_puts(&b, "}\n");
	if (!b.oom)
		append_line(log, b.buf, b.len);
out:
	free(b.buf);
	for (i = 0; i < MAX_STRINGS; i++)
		free(wstr[i]);
	free(clean);
}
