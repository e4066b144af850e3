/* tlsward: the remediation loop the service and `run --console` share, and
 * the Windows pieces it waits on (registry watches, the policy source, the
 * restart schedule). Windows only. */
#ifndef TLSR_LOOP_H
#define TLSR_LOOP_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "eventlog.h"
#include "tlsr.h"

#define TLSR_SERVICE_NAME L"tlsward"
#define TLSR_SERVICE_DISPLAY L"tlsward TLS 1.2 remediation"
#define TLSR_KEY_PARAMETERS "SOFTWARE\\tlsward\\Parameters"
/* Custom service control: check now (`sc control tlsward 128`). */
#define TLSR_CONTROL_CHECK_NOW 128

/* ---- the loop (loop.c) ---- */

struct tlsr_loop_opts {
	int console;             /* print events on stderr */
	int once;                /* one check/apply pass, then return */
	const char *policy_path; /* UTF-8; NULL: Parameters\PolicyPath */
	/* Events owned by the caller. stop (manual-reset) ends the loop;
	 * reload and check_now (auto-reset, may be NULL) ask for a policy
	 * reload or an immediate check. */
	HANDLE stop;
	HANDLE reload;
	HANDLE check_now;
	/* Called once, when the loop is initialised and about to wait (the
	 * service reports SERVICE_RUNNING there). May be NULL. */
	void (*running)(void *data);
	void *data;
};

/* Runs until stop is signalled (or one pass with once). Returns the exit
 * code: 0 compliant, 1 not compliant after the pass (once only), 2 when it
 * could not run (no registry, no policy with once). */
int tlsr_loop_run(const struct tlsr_loop_opts *o);

/* ---- Windows helpers (svc_win.c) ---- */

/* UTF-8 -> a malloc'd UTF-16 string the caller frees; NULL on failure. */
wchar_t *tlsr_win_wide(const char *s);
/* UTF-16 -> UTF-8 into buf (always terminated, truncated if short). */
void tlsr_win_utf8(const wchar_t *w, char *buf, size_t size);
/* "The system cannot find the file specified. (2)" for a Win32 error. */
void tlsr_win_errtext(DWORD code, char *buf, size_t size);
/* Creates dir and its missing parents (UTF-8 path). */
tlsr_err tlsr_win_mkdirs(const char *dir);
/* %ProgramData%\tlsward, UTF-8. */
void tlsr_win_data_dir(char *buf, size_t size);
/* A uniformly random number in [0, n) (0 when n is 0). */
uint64_t tlsr_win_random(uint64_t n);

/* ---- registry watches (watch_win.c) ---- */

/* Kinds of watch, as returned by tlsr_watch_rearm. */
#define TLSR_WATCH_MANAGED 1u    /* a managed value may have changed */
#define TLSR_WATCH_PARAMETERS 2u /* the service's Parameters changed */

struct tlsr_watch;

/* Arms one notification per group of managed keys (per component and view,
 * on the keys' common ancestor with its subtree; the nearest existing
 * parent while that is missing) and one on Parameters. Caller closes *out
 * with tlsr_watch_close. */
tlsr_err tlsr_watch_open(struct tlsr_watch **out);
/* The watch events (stable for the watch's life) into out; returns the
 * count. */
size_t tlsr_watch_events(const struct tlsr_watch *w, HANDLE *out,
			 size_t max);
/* Re-arms every watch whose event is signalled, moving to the real key or
 * a parent as keys appear and vanish. Returns the kinds that fired; with
 * entries, also which watches (bit i: the i-th event). */
unsigned tlsr_watch_rearm(struct tlsr_watch *w, unsigned *entries);
/* Index of the managed-key watch (as in tlsr_watch_events) whose key holds
 * path (HKLM-relative) in view, or -1. */
int tlsr_watch_entry_for(const struct tlsr_watch *w, const char *path,
			 enum tlsr_view view);
/* Prints what is watched, one line per watch (console mode). */
void tlsr_watch_describe(const struct tlsr_watch *w);
void tlsr_watch_close(struct tlsr_watch *w);

/* ---- the policy source (policy_source_win.c) ---- */

struct tlsr_psource;

/* Follows the policy file at path (UTF-8, local or UNC): a local file's
 * directory through a change notification, a UNC path (or a local one
 * whose directory is missing) by polling every poll seconds. Caller closes
 * *out with tlsr_psource_close. */
tlsr_err tlsr_psource_open(const char *path, unsigned poll,
			   struct tlsr_psource **out);
/* The change notification handle, or NULL when the source is polled. */
HANDLE tlsr_psource_event(const struct tlsr_psource *ps);
/* Seconds between polls; 0 when the source is not polled. */
unsigned tlsr_psource_poll(const struct tlsr_psource *ps);
/* Re-arms the change notification after it fired. */
void tlsr_psource_rearm(struct tlsr_psource *ps);
/* Reads the file when its size or time changed since the last read (always
 * with force). TLSR_OK with *buf NULL: unchanged. Otherwise *buf (caller
 * frees) holds the bytes and hash their SHA-256 hex. On failure why says
 * what went wrong. */
tlsr_err tlsr_psource_read(struct tlsr_psource *ps, int force, char **buf,
			   size_t *len, char hash[65], char *why,
			   size_t why_size);
const char *tlsr_psource_path(const struct tlsr_psource *ps);
void tlsr_psource_close(struct tlsr_psource *ps);

/* SHA-256 of data as 64 lowercase hex digits (bcrypt.dll). */
tlsr_err tlsr_sha256_hex(const void *data, size_t len, char out[65]);
/* Reads a whole file (UTF-8 path, at most max bytes); caller frees *buf.
 * On failure why holds the Win32 error text. */
tlsr_err tlsr_win_read_file(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size);
/* Replaces path with data through a temporary file in the same directory. */
tlsr_err tlsr_win_write_file(const char *path, const void *data, size_t len);

/* ---- restart (restart_win.c) ---- */

struct tlsr_restart {
	char boot_id[40]; /* this boot's id */
	int pending;      /* Status RestartPending */
	int scheduled;    /* due is set */
	ULONGLONG due;    /* UTC FILETIME of the scheduled restart */
	int attempted;    /* InitiateShutdownW was called this boot */
};

/* Learns this boot's id and reads the persisted restart state. When the
 * pending restart belongs to an earlier boot, the computer has restarted:
 * clears RestartPending and friends and says so in note (else note is
 * ""). */
void tlsr_restart_init(struct tlsr_restart *rs, struct tlsr_registry *reg,
		       char *note, size_t note_size);
/* After a pass: when apply owes a restart (required set, or the engine set
 * RestartPending) and none is pending yet, records it and acts on the
 * policy's restart mode (schedule: event 3000; notify: event 3001; never:
 * Status only). A pending restart is never scheduled twice. */
void tlsr_restart_update(struct tlsr_restart *rs, struct tlsr_registry *reg,
			 const struct tlsr_policy *p,
			 struct tlsr_eventlog *log, int required,
			 const char *reason);
/* Milliseconds until the scheduled restart is due (0: now), or -1. */
long long tlsr_restart_due_ms(const struct tlsr_restart *rs);
/* Restarts the computer when due: SeShutdownPrivilege, then
 * InitiateShutdownW with the policy's grace and message. The outcome goes
 * to Status RestartAttempt. Once per boot. */
void tlsr_restart_fire(struct tlsr_restart *rs, struct tlsr_registry *reg,
		       const struct tlsr_policy *p, int console);

#endif
