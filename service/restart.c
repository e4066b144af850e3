/* tlsward: the restart a change owes. */
#include "restart.h"

#include <stdio.h>
#include <string.h>

#define MS_PER_MIN 60000
#define MIN_PER_DAY 1440

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void tlsr_utc_iso(int64_t utc_ms, char *buf, size_t size)
{
	int64_t s = utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000;
	int64_t z = (s >= 0 ? s : s - 86399) / 86400, era;
	unsigned secs = (unsigned)(s - z * 86400), doe, yoe, doy, mp, d, m;
	int64_t y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y,
		 m, d, secs / 3600, secs / 60 % 60, secs % 60);
}

int tlsr_utc_parse(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, se;
	char z;

	if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &se,
		   &z) != 7 ||
	    z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	*out = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
	       1000;
	return 0;
}

enum tlsr_restart_mode tlsr_restart_mode_for(const struct tlsr_policy *p,
					     const struct tlsr_facts *facts)
{
	if (!p->restart.mode_given && facts != NULL && facts->is_server)
		return TLSR_RESTART_MODE_NOTIFY;
	return p->restart.mode;
}

int64_t tlsr_restart_next_in_window(int64_t now_utc, int tz_offset,
				    unsigned window_start, unsigned window_end,
				    uint32_t seed)
{
	int64_t local = now_utc + (int64_t)tz_offset * MS_PER_MIN;
	int64_t into_day = ((local % (86400 * 1000)) + 86400 * 1000) %
			   (86400 * 1000);
	unsigned s = window_start % MIN_PER_DAY, e = window_end % MIN_PER_DAY;
	unsigned len = (e + MIN_PER_DAY - s) % MIN_PER_DAY;
	unsigned m = (unsigned)(into_day / MS_PER_MIN);
	unsigned mine, pos, wait;
	int64_t into_min = into_day % MS_PER_MIN;

	if (len == 0)
		len = MIN_PER_DAY; /* the schema never gives equal bounds */
	mine = seed % len;     /* this machine's minute within the window */
	pos = (m + MIN_PER_DAY - s) % MIN_PER_DAY;
	if (pos < len && pos >= mine)
		return now_utc; /* open, and this machine's minute has come */
	wait = (s + mine + MIN_PER_DAY - m) % MIN_PER_DAY;
	return now_utc + (int64_t)wait * MS_PER_MIN - into_min;
}

void tlsr_restart_init(struct tlsr_restart *rs, const char *boot_id,
		       uint32_t seed, int pending, const char *reason,
		       const char *time, const char *owed_boot,
		       const char *attempt, char *note, size_t note_size)
{
	memset(rs, 0, sizeof *rs);
	note[0] = '\0';
	snprintf(rs->boot_id, sizeof rs->boot_id, "%s", boot_id);
	rs->seed = seed;
	if (!pending)
		return;
	if (boot_id[0] != '\0' && owed_boot[0] != '\0' &&
	    strcmp(owed_boot, boot_id) != 0) {
		snprintf(note, note_size,
			 "The computer has restarted since the restart owed "
			 "in boot %s: RestartPending cleared.",
			 owed_boot);
		return;
	}
	rs->pending = 1;
	snprintf(rs->reason, sizeof rs->reason, "%s", reason);
	/* Owed before this service knew the boot (an apply from the command
	 * line, or an unknown boot id): it is owed in this boot. */
	snprintf(rs->owed_boot, sizeof rs->owed_boot, "%s",
		 owed_boot[0] ? owed_boot : boot_id);
	if (time[0] != '\0' && tlsr_utc_parse(time, &rs->due) == 0)
		rs->scheduled = 1;
	if (attempt[0] != '\0') {
		snprintf(rs->attempt, sizeof rs->attempt, "%s", attempt);
		rs->attempted = 1;
	}
}

int tlsr_restart_update(struct tlsr_restart *rs,
			const struct tlsr_loop_env *env,
			const struct tlsr_policy *p,
			const struct tlsr_facts *facts, int owed,
			const char *list, size_t list_len, const char *reason,
			int64_t now_utc)
{
	struct tlsr_event_fields f = {0};
	char when[32];
	int changed = 0;

	if (owed && list_len <= sizeof rs->owed &&
	    (rs->owed_len != list_len || memcmp(rs->owed, list, list_len))) {
		memcpy(rs->owed, list, list_len);
		rs->owed_len = list_len;
		changed = 1;
	}
	if (!owed || rs->pending)
		return changed;
	rs->pending = 1;
	snprintf(rs->reason, sizeof rs->reason, "%s", reason);
	snprintf(rs->owed_boot, sizeof rs->owed_boot, "%s", rs->boot_id);
	f.v[TLSR_EF_REASON] = rs->reason;
	switch (tlsr_restart_mode_for(p, facts)) {
	case TLSR_RESTART_MODE_SCHEDULE:
		rs->due = tlsr_restart_next_in_window(
			now_utc, env->tz_offset_min(env->ctx, now_utc),
			p->restart.window_start, p->restart.window_end,
			rs->seed);
		rs->scheduled = 1;
		tlsr_utc_iso(rs->due, when, sizeof when);
		f.v[TLSR_EF_RESTART_TIME] = when;
		env->report(env->ctx, TLSR_EV_RESTART_SCHEDULED, &f);
		break;
	case TLSR_RESTART_MODE_NOTIFY:
		env->report(env->ctx, TLSR_EV_RESTART_PENDING, &f);
		break;
	case TLSR_RESTART_MODE_NEVER:
		break;
	}
	return 1;
}

void tlsr_restart_clear(struct tlsr_restart *rs)
{
	rs->pending = 0;
	rs->owed[0] = '\0';
	rs->owed_len = 0;
	rs->reason[0] = '\0';
	rs->owed_boot[0] = '\0';
	rs->scheduled = 0;
	rs->due = 0;
	rs->attempt[0] = '\0';
	rs->attempted = 0;
}

int64_t tlsr_restart_due_ms(const struct tlsr_restart *rs, int64_t now_utc)
{
	if (!rs->pending || !rs->scheduled || rs->attempted)
		return -1;
	return now_utc >= rs->due ? 0 : rs->due - now_utc;
}

int tlsr_restart_fire(struct tlsr_restart *rs, const struct tlsr_loop_env *env,
		      const struct tlsr_policy *p, int64_t now_utc)
{
	struct tlsr_event_fields f = {0};
	char now[32], why[300];
	const char *msg = p->restart.message[0] != '\0'
				  ? p->restart.message
				  : "tlsward restarts this computer to "
				    "complete TLS 1.2 configuration.";

	if (tlsr_restart_due_ms(rs, now_utc) != 0)
		return 0;
	rs->attempted = 1;
	tlsr_utc_iso(now_utc, now, sizeof now);
	why[0] = '\0';
	if (env->restart_now(env->ctx, p->restart.grace, msg, why,
			     sizeof why) == TLSR_OK) {
		snprintf(rs->attempt, sizeof rs->attempt,
			 "%s: restart initiated (grace %u s)", now,
			 p->restart.grace);
		return 1;
	}
	snprintf(rs->attempt, sizeof rs->attempt, "%s: restart failed: %s", now,
		 why);
	f.v[TLSR_EF_REASON] = rs->attempt;
	env->report(env->ctx, TLSR_EV_RESTART_FAILED, &f);
	return 1;
}
