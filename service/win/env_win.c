/* tlsward: the Win32 platform table. */
#include <windows.h>
#include <psapi.h>
#include <reason.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_win.h"
#include "facts_win.h"
#include "file.h"
#include "files_win.h"
#include "probe.h"
#include "util_win.h"

/* 100 ns FILETIME ticks from 1601 to 1970. */
#define FT_UNIX_EPOCH 116444736000000000ll

static struct tlsr_env_win *env_of(void *ctx)
{
	return ctx;
}

static uint64_t win_now_ms(void *ctx)
{
	(void)ctx;
	return GetTickCount64();
}

static int64_t win_utc_ms(void *ctx)
{
	FILETIME ft;
	int64_t t;

	(void)ctx;
	GetSystemTimeAsFileTime(&ft);
	t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);
	return (t - FT_UNIX_EPOCH) / 10000;
}

static int win_tz_offset(void *ctx, int64_t utc_ms)
{
	int64_t ft = utc_ms * 10000 + FT_UNIX_EPOCH;
	FILETIME f, lf;
	SYSTEMTIME utc, local;

	(void)ctx;
	f.dwLowDateTime = (DWORD)ft;
	f.dwHighDateTime = (DWORD)((uint64_t)ft >> 32);
	if (!FileTimeToSystemTime(&f, &utc) ||
	    !SystemTimeToTzSpecificLocalTime(NULL, &utc, &local) ||
	    !SystemTimeToFileTime(&local, &lf))
		return 0;
	return (int)(((int64_t)(((uint64_t)lf.dwHighDateTime << 32) |
				lf.dwLowDateTime) -
		      ft) /
		     (10000000ll * 60));
}

static uint64_t win_random(void *ctx, uint64_t n)
{
	(void)ctx;
	return tlsr_win_random(n);
}

/* The boot id core/win/facts_win.c keeps in the volatile key
 * HKLM\SOFTWARE\tlsward\Boot: the one the restart ledger is kept by. ""
 * when the key cannot be used: the loop then decides nothing that needs to
 * know the boot. */
static void win_boot_id(void *ctx, char *buf, size_t size)
{
	(void)ctx;
	tlsr_win_boot_id(buf, size);
}

static void win_live_facts(void *ctx, struct tlsr_facts *f)
{
	(void)ctx;
	tlsr_facts_live(f);
}

static int win_expand(void *ctx, const char *in, char *out, size_t size)
{
	(void)ctx;
	return tlsr_win_expand(in, out, size);
}

static int win_watch_entry_for(void *ctx, const char *path,
			       enum tlsr_view view)
{
	struct tlsr_env_win *e = env_of(ctx);

	return e->watch ? tlsr_watch_entry_for(e->watch, path, view) : -1;
}

static tlsr_err win_stat(void *ctx, const char *path, uint64_t *size,
			 uint64_t *mtime, char *why, size_t why_size)
{
	(void)ctx;
	return tlsr_file_stat(path, size, mtime, why, why_size);
}

static tlsr_err win_read(void *ctx, const char *path, size_t max, char **buf,
			 size_t *len, char *why, size_t why_size)
{
	(void)ctx;
	return tlsr_file_read_all(path, max, buf, len, why, why_size);
}

static tlsr_err win_replace(void *ctx, const char *path, const void *data,
			    size_t len, char *why, size_t why_size)
{
	(void)ctx;
	return tlsr_file_replace(path, data, len, why, why_size);
}

static tlsr_err win_remove(void *ctx, const char *path, char *why,
			   size_t why_size)
{
	(void)ctx;
	return tlsr_file_remove(path, why, why_size);
}

/* A share may go away at any time and change notifications on it are not
 * reliable, so UNC paths are polled; so is a local file whose directory
 * does not exist (yet). */
static int win_source_watch(void *ctx, const char *path)
{
	struct tlsr_env_win *e = env_of(ctx);
	char dir[1024];
	char *slash;
	wchar_t *wdir;
	HANDLE h;

	if (e->source_change != NULL)
		FindCloseChangeNotification(e->source_change);
	e->source_change = NULL;
	if (path == NULL || strncmp(path, "\\\\", 2) == 0)
		return 0;
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '\\');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	if (slash == dir + 2 && dir[1] == ':')
		strcat(dir, "\\");
	wdir = tlsr_win_wide(dir);
	if (wdir == NULL)
		return 0;
	h = FindFirstChangeNotificationW(wdir, FALSE,
					 FILE_NOTIFY_CHANGE_FILE_NAME |
						 FILE_NOTIFY_CHANGE_SIZE |
						 FILE_NOTIFY_CHANGE_LAST_WRITE);
	free(wdir);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	e->source_change = h;
	return 1;
}

static tlsr_err win_sha256(void *ctx, const void *data, size_t len,
			   char out[65])
{
	(void)ctx;
	return tlsr_sha256_hex(data, len, out);
}

static void win_report(void *ctx, unsigned id,
		       const struct tlsr_event_fields *f)
{
	tlsr_eventlog_report(env_of(ctx)->log, id, f);
}

/* `tlsward probe --record` in a child process, then 4000/4001. */
static int win_prove(void *ctx, const struct tlsr_policy *p)
{
	struct tlsr_env_win *e = env_of(ctx);
	char log_path[sizeof e->data_dir + 16], why[300];

	snprintf(log_path, sizeof log_path, "%s\\" TLSR_FILE_PROBE_LOG,
		 e->data_dir);
	if (tlsr_probe_child(p, log_path, e->stop, why, sizeof why) < 0 &&
	    e->console)
		fprintf(stderr, "tlsward: %s\n", why);
	if (e->stop != NULL && WaitForSingleObject(e->stop, 0) == WAIT_OBJECT_0)
		return -1;
	tlsr_prove_report(&e->prove, e->reg, p, e->log);
	return 0;
}

/* PrivateUsage is the commit charge; Windows documents PagefileUsage as the
 * same figure. Wine 8 fills only the older PROCESS_MEMORY_COUNTERS (cb
 * comes back smaller and PrivateUsage 0), with PagefileUsage the process's
 * resident anonymous memory plus its swap: that is what is reported
 * there. */
static void win_memory(void *ctx, uint64_t *private_bytes,
		       uint64_t *working_set)
{
	PROCESS_MEMORY_COUNTERS_EX c;

	(void)ctx;
	*private_bytes = *working_set = 0;
	memset(&c, 0, sizeof c);
	c.cb = sizeof c;
	if (!GetProcessMemoryInfo(GetCurrentProcess(),
				  (PROCESS_MEMORY_COUNTERS *)&c, sizeof c))
		return;
	*private_bytes = c.cb >= sizeof c && c.PrivateUsage != 0
				 ? c.PrivateUsage
				 : c.PagefileUsage;
	*working_set = c.WorkingSetSize;
}

/* SeShutdownPrivilege is held by LocalSystem but disabled until asked
 * for; the service's required privileges keep it in the token. */
static DWORD enable_shutdown_privilege(void)
{
	TOKEN_PRIVILEGES tp = {0};
	HANDLE token;
	DWORD err;

	if (!OpenProcessToken(GetCurrentProcess(),
			      TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
		return GetLastError();
	if (!LookupPrivilegeValueW(NULL, SE_SHUTDOWN_NAME,
				   &tp.Privileges[0].Luid)) {
		err = GetLastError();
		goto close;
	}
	tp.PrivilegeCount = 1;
	tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
	/* Succeeds with ERROR_NOT_ALL_ASSIGNED when the token lacks it. */
	AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL);
	err = GetLastError();
close:
	CloseHandle(token);
	return err;
}

static tlsr_err win_restart_now(void *ctx, unsigned grace_s,
				const char *message, char *why,
				size_t why_size)
{
	wchar_t *msg;
	DWORD rc;
	char text[300];

	(void)ctx;
	rc = enable_shutdown_privilege();
	if (rc != ERROR_SUCCESS) {
		tlsr_win_errtext(rc, text, sizeof text);
		snprintf(why, why_size, "SeShutdownPrivilege not enabled: %s",
			 text);
		return tlsr_win_map_error(rc, TLSR_ESYSTEM);
	}
	msg = tlsr_win_wide(message);
	rc = InitiateShutdownW(NULL, msg, grace_s,
			       SHUTDOWN_RESTART | SHUTDOWN_FORCE_OTHERS |
				       SHUTDOWN_GRACE_OVERRIDE,
			       SHTDN_REASON_MAJOR_OPERATINGSYSTEM |
				       SHTDN_REASON_MINOR_RECONFIG |
				       SHTDN_REASON_FLAG_PLANNED);
	free(msg);
	if (rc == ERROR_SUCCESS)
		return TLSR_OK;
	tlsr_win_errtext(rc, text, sizeof text);
	snprintf(why, why_size, "InitiateShutdownW (grace %u s): %s", grace_s,
		 text);
	return tlsr_win_map_error(rc, TLSR_ESYSTEM);
}

void tlsr_env_win_init(struct tlsr_env_win *e)
{
	struct tlsr_loop_env *t = &e->env;

	memset(t, 0, sizeof *t);
	t->ctx = e;
	t->now_ms = win_now_ms;
	t->utc_ms = win_utc_ms;
	t->tz_offset_min = win_tz_offset;
	t->random_below = win_random;
	t->boot_id = win_boot_id;
	t->live_facts = win_live_facts;
	t->expand = win_expand;
	t->watch_entry_for = win_watch_entry_for;
	t->file_stat = win_stat;
	t->file_read = win_read;
	t->file_replace = win_replace;
	t->file_remove = win_remove;
	t->source_watch = win_source_watch;
	t->sha256_hex = win_sha256;
	t->report = win_report;
	t->prove = win_prove;
	t->memory = win_memory;
	t->restart_now = win_restart_now;
}

void tlsr_env_win_source_rearm(struct tlsr_env_win *e)
{
	if (e->source_change != NULL &&
	    !FindNextChangeNotification(e->source_change)) {
		FindCloseChangeNotification(e->source_change);
		e->source_change = NULL;
	}
}

void tlsr_env_win_close(struct tlsr_env_win *e)
{
	if (e->source_change != NULL)
		FindCloseChangeNotification(e->source_change);
	e->source_change = NULL;
}
