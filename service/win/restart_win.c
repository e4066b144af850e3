/* tlsward: the restart a DefaultSecureProtocols change owes. */
#include <windows.h>
#include <reason.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restart_win.h"
#include "util_win.h"

#define KEY_ROOT L"" TLSR_KEY_ROOT
#define FT_PER_SECOND 10000000ull

/* Current UTC time as a FILETIME count. */
static ULONGLONG now_ft(void)
{
	FILETIME ft;

	GetSystemTimeAsFileTime(&ft);
	return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

/* A FILETIME count as "2026-11-22T04:00:00Z". */
static void ft_to_iso(ULONGLONG t, char *buf, size_t size)
{
	FILETIME ft;
	SYSTEMTIME st;

	ft.dwLowDateTime = (DWORD)t;
	ft.dwHighDateTime = (DWORD)(t >> 32);
	FileTimeToSystemTime(&ft, &st);
	snprintf(buf, size, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear,
		 st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond);
}

/* The reverse of ft_to_iso; -1 when s is not such a time. */
static int iso_to_ft(const char *s, ULONGLONG *out)
{
	unsigned y, mo, d, h, mi, se;
	SYSTEMTIME st = {0};
	FILETIME ft;

	if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2uZ", &y, &mo, &d, &h, &mi,
		   &se) != 6)
		return -1;
	st.wYear = (WORD)y;
	st.wMonth = (WORD)mo;
	st.wDay = (WORD)d;
	st.wHour = (WORD)h;
	st.wMinute = (WORD)mi;
	st.wSecond = (WORD)se;
	if (!SystemTimeToFileTime(&st, &ft))
		return -1;
	*out = ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
	return 0;
}

/* The boot id lives in a volatile key: Windows drops volatile keys at
 * every boot (and Wine when its server restarts), so a missing key means
 * a new boot whatever the clocks say. */
static void boot_id(char *buf, size_t size)
{
	wchar_t wid[40];
	DWORD type, len = sizeof wid - sizeof(wchar_t);
	HKEY root, key;
	LSTATUS rc;

	buf[0] = '\0';
	/* RegCreateKeyExW would make missing parents volatile too, and no
	 * lasting key (Status, Journal) can live below a volatile one: the
	 * parent is created first, as an ordinary key. */
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, KEY_ROOT, 0, NULL,
			     REG_OPTION_NON_VOLATILE,
			     KEY_CREATE_SUB_KEY | KEY_WOW64_64KEY, NULL, &root,
			     NULL);
	if (rc != ERROR_SUCCESS) {
		snprintf(buf, size, "unknown");
		return;
	}
	rc = RegCreateKeyExW(root, L"" TLSR_KEY_BOOT_NAME, 0, NULL, REG_OPTION_VOLATILE,
			     KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY,
			     NULL, &key, NULL);
	RegCloseKey(root);
	if (rc != ERROR_SUCCESS) {
		snprintf(buf, size, "unknown");
		return;
	}
	rc = RegQueryValueExW(key, L"" TLSR_BOOT_ID, NULL, &type, (BYTE *)wid, &len);
	if (rc == ERROR_SUCCESS && type == REG_SZ) {
		wid[len / sizeof(wchar_t)] = L'\0';
		tlsr_win_utf8(wid, buf, size);
	}
	if (buf[0] == '\0') {
		ULONGLONG boot = now_ft() - GetTickCount64() * 10000ull;
		char iso[32];

		ft_to_iso(boot, iso, sizeof iso);
		snprintf(buf, size, "%s-%08llx", iso,
			 (unsigned long long)tlsr_win_random(0xffffffffull));
		wchar_t *w = tlsr_win_wide(buf);

		if (w != NULL) {
			RegSetValueExW(key, L"" TLSR_BOOT_ID, 0, REG_SZ, (const BYTE *)w,
				       (DWORD)((wcslen(w) + 1) *
					       sizeof(wchar_t)));
			free(w);
		}
	}
	RegCloseKey(key);
}

/* Forgets an owed restart in Status. */
static void clear_values(struct tlsr_registry *reg)
{
	static const char *const names[] = {TLSR_ST_RESTART_REASON, TLSR_ST_RESTART_TIME,
					    TLSR_ST_RESTART_BOOT_ID, TLSR_ST_RESTART_ATTEMPT};
	size_t i;

	tlsr_reg_set_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			   TLSR_ST_RESTART_PENDING, 0);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		tlsr_reg_delete_value(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				      names[i]);
}

void tlsr_restart_init(struct tlsr_restart *rs, struct tlsr_registry *reg,
		       char *note, size_t note_size)
{
	char owed[64] = "", when[32] = "", attempt[256] = "";
	uint32_t pending = 0;

	memset(rs, 0, sizeof *rs);
	note[0] = '\0';
	boot_id(rs->boot_id, sizeof rs->boot_id);
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			       TLSR_ST_RESTART_PENDING, &pending) != TLSR_OK ||
	    pending == 0)
		return;
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_BOOT_ID, owed, sizeof owed);
	if (owed[0] == '\0')
		return; /* set by an apply outside the service: owed now */
	if (strcmp(owed, rs->boot_id) != 0) {
		clear_values(reg);
		snprintf(note, note_size,
			 "The computer has restarted since the restart owed "
			 "in boot %s: RestartPending cleared.",
			 owed);
		return;
	}
	rs->pending = 1;
	if (tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				TLSR_ST_RESTART_TIME, when, sizeof when) == TLSR_OK &&
	    iso_to_ft(when, &rs->due) == 0)
		rs->scheduled = 1;
	if (tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				TLSR_ST_RESTART_ATTEMPT, attempt,
				sizeof attempt) == TLSR_OK &&
	    attempt[0] != '\0')
		rs->attempted = 1;
}

/* Next moment inside the policy's window, local time (start == end: any
 * time). Inside the window it is now. */
static ULONGLONG next_in_window(const struct tlsr_policy *p)
{
	ULONGLONG now = now_ft();
	unsigned s = p->restart.window_start % 1440;
	unsigned e = p->restart.window_end % 1440;
	SYSTEMTIME utc, local;
	FILETIME ft;
	unsigned m, delta;
	int in;

	ft.dwLowDateTime = (DWORD)now;
	ft.dwHighDateTime = (DWORD)(now >> 32);
	FileTimeToSystemTime(&ft, &utc);
	if (!SystemTimeToTzSpecificLocalTime(NULL, &utc, &local))
		local = utc;
	m = local.wHour * 60u + local.wMinute;
	if (s == e)
		in = 1;
	else if (s < e)
		in = m >= s && m < e;
	else
		in = m >= s || m < e;
	if (in)
		return now;
	delta = (s + 1440u - m) % 1440u;
	return now + (ULONGLONG)delta * 60u * FT_PER_SECOND -
	       (ULONGLONG)local.wSecond * FT_PER_SECOND -
	       (ULONGLONG)local.wMilliseconds * 10000u;
}

void tlsr_restart_update(struct tlsr_restart *rs, struct tlsr_registry *reg,
			 const struct tlsr_policy *p,
			 struct tlsr_eventlog *log, int required,
			 const char *reason)
{
	struct tlsr_event_fields f = {0};
	uint32_t pending = 0;
	char when[32];

	if (rs->pending)
		return;
	if (!required &&
	    (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				TLSR_ST_RESTART_PENDING, &pending) != TLSR_OK ||
	     pending == 0))
		return;
	rs->pending = 1;
	tlsr_reg_set_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			   TLSR_ST_RESTART_PENDING, 1);
	tlsr_reg_set_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_REASON, reason);
	tlsr_reg_set_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_BOOT_ID, rs->boot_id);
	f.v[TLSR_EF_REASON] = reason;
	switch (p->restart.mode) {
	case TLSR_RESTART_MODE_SCHEDULE:
		rs->due = next_in_window(p);
		rs->scheduled = 1;
		ft_to_iso(rs->due, when, sizeof when);
		tlsr_reg_set_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				    TLSR_ST_RESTART_TIME, when);
		f.v[TLSR_EF_RESTART_TIME] = when;
		tlsr_eventlog_report(log, TLSR_EV_RESTART_SCHEDULED, &f);
		break;
	case TLSR_RESTART_MODE_NOTIFY:
		tlsr_eventlog_report(log, TLSR_EV_RESTART_PENDING, &f);
		break;
	case TLSR_RESTART_MODE_NEVER:
		break;
	}
}

long long tlsr_restart_due_ms(const struct tlsr_restart *rs)
{
	ULONGLONG now;

	if (!rs->pending || !rs->scheduled || rs->attempted)
		return -1;
	now = now_ft();
	if (now >= rs->due)
		return 0;
	return (long long)((rs->due - now) / 10000u);
}

/* SeShutdownPrivilege is held by LocalSystem but disabled until asked
 * for; the service's required privileges keep it in the token. */
static DWORD enable_shutdown_privilege(void)
{
	TOKEN_PRIVILEGES tp = {0};
	HANDLE token;
	DWORD err = ERROR_SUCCESS;

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
	if (!AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL))
		err = GetLastError();
	else
		err = GetLastError(); /* ERROR_NOT_ALL_ASSIGNED on success */
close:
	CloseHandle(token);
	return err;
}

void tlsr_restart_fire(struct tlsr_restart *rs, struct tlsr_registry *reg,
		       const struct tlsr_policy *p, int console)
{
	char now[32], text[256], record[400];
	wchar_t *msg;
	DWORD priv, rc;

	if (tlsr_restart_due_ms(rs) != 0)
		return;
	rs->attempted = 1;
	tlsr_utc_now_iso(now, sizeof now);
	priv = enable_shutdown_privilege();
	if (priv != ERROR_SUCCESS) {
		tlsr_win_errtext(priv, text, sizeof text);
		snprintf(record, sizeof record,
			 "%s: SeShutdownPrivilege not enabled: %s", now, text);
		goto out;
	}
	msg = tlsr_win_wide(p->restart.message[0] != '\0'
				    ? p->restart.message
				    : "tlsward restarts this computer to "
				      "complete TLS 1.2 configuration.");
	rc = InitiateShutdownW(NULL, msg, p->restart.grace,
			       SHUTDOWN_RESTART | SHUTDOWN_FORCE_OTHERS |
				       SHUTDOWN_GRACE_OVERRIDE,
			       SHTDN_REASON_MAJOR_OPERATINGSYSTEM |
				       SHTDN_REASON_MINOR_RECONFIG |
				       SHTDN_REASON_FLAG_PLANNED);
	free(msg);
	tlsr_win_errtext(rc, text, sizeof text);
	snprintf(record, sizeof record,
		 "%s: InitiateShutdownW (grace %u s) returned %lu: %s", now,
		 p->restart.grace, (unsigned long)rc, text);
out:
	tlsr_reg_set_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_ATTEMPT, record);
	if (console)
		fprintf(stderr, "tlsward: restart: %s\n", record);
}
