/* tlsward: the Windows driver: waits on the stop, control, timer, policy
 * and registry handles and hands each wake to the portable loop. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_win.h"
#include "loop.h"
#include "loop_win.h"
#include "platform.h"
#include "util_win.h"

/* Watch failures become event 1003 (watch_failed). */
static void watch_failed(void *ctx, const char *key, const char *why)
{
	struct tlsr_env_win *e = ctx;
	struct tlsr_event_fields f = {0};

	f.v[TLSR_EF_KEY] = key;
	f.v[TLSR_EF_REASON] = why;
	tlsr_eventlog_report(e->log, TLSR_EV_WATCH_FAILED, &f);
}

/* The timer for the loop's next deadline; -1 means none (cancelled). */
static void arm_timer(HANDLE timer, int64_t ms)
{
	LARGE_INTEGER due;

	if (ms < 0) {
		CancelWaitableTimer(timer);
		return;
	}
	due.QuadPart = ms > 0 ? -(LONGLONG)ms * 10000 : -1;
	SetWaitableTimer(timer, &due, 0, NULL, NULL, FALSE);
}

/* Waits and dispatches until stop; 0 on stop, 2 on failure (reported). */
static int wait_loop(const struct tlsr_run_opts *o, struct tlsr_loop *l,
		     struct tlsr_env_win *e, HANDLE timer)
{
	HANDLE h[MAXIMUM_WAIT_OBJECTS];
	DWORD n, w, i_stop, i_check, i_reload, i_timer, i_src, i_watch;
	size_t watches = tlsr_watch_count(e->watch);
	unsigned fired, entries;
	char text[300];

	/* stop, check, reload, timer and the policy directory come first;
	 * tlsr_watch_rearm says which watches fired in 32 bits. No watch is
	 * ever left out of the wait: too many is a failure, reported. */
	if (watches + 5 > MAXIMUM_WAIT_OBJECTS || watches > 32) {
		tlsr_loop_fail(l, "%zu registry watches exceed the %d one wait "
				  "can hold",
			       watches,
			       MAXIMUM_WAIT_OBJECTS - 5 < 32
				       ? MAXIMUM_WAIT_OBJECTS - 5
				       : 32);
		return 2;
	}
	for (;;) {
		n = 0;
		i_check = i_reload = i_src = MAXDWORD;
		i_stop = n;
		h[n++] = o->stop;
		if (o->check_now != NULL) {
			i_check = n;
			h[n++] = o->check_now;
		}
		if (o->reload != NULL) {
			i_reload = n;
			h[n++] = o->reload;
		}
		i_timer = n;
		h[n++] = timer;
		if (e->source_change != NULL) {
			i_src = n;
			h[n++] = e->source_change;
		}
		i_watch = n;
		n += (DWORD)tlsr_watch_events(e->watch, h + n,
					      MAXIMUM_WAIT_OBJECTS - n);
		arm_timer(timer, tlsr_loop_next_timeout(l));

		w = WaitForMultipleObjects(n, h, FALSE, INFINITE);
		if (w == WAIT_FAILED) {
			tlsr_win_errtext(GetLastError(), text, sizeof text);
			tlsr_loop_fail(l, "WaitForMultipleObjects: %s", text);
			return 2;
		}
		w -= WAIT_OBJECT_0;
		if (w == i_stop)
			return 0;
		if (w == i_check) {
			tlsr_loop_wake(l, TLSR_WAKE_CHECK_NOW, 0);
		} else if (w == i_reload) {
			tlsr_loop_wake(l, TLSR_WAKE_RELOAD, 0);
		} else if (w == i_timer) {
			tlsr_loop_wake(l, TLSR_WAKE_TIMER, 0);
		} else if (w == i_src) {
			tlsr_env_win_source_rearm(e);
			tlsr_loop_wake(l, TLSR_WAKE_SOURCE, 0);
		} else if (w >= i_watch && w < n) {
			unsigned self = 1u << (w - i_watch);

			/* Heal first, then re-arm, then look once more: a
			 * change made between the heal's read and the re-arm
			 * signals nothing, so the second look (cheap reads
			 * of the values kept open, on every watch that fired)
			 * is what catches it. A heal made by that look
			 * signals the re-armed watch and is checked by the
			 * next wake. Status is written once, by the second
			 * look (or the reload's pass). */
			tlsr_loop_wake(l, TLSR_WAKE_WATCH_FIRST, self);
			fired = tlsr_watch_rearm(e->watch, &entries);
			if (fired & TLSR_WATCH_PARAMETERS)
				tlsr_loop_wake(l, TLSR_WAKE_RELOAD, 0);
			else
				tlsr_loop_wake(l, TLSR_WAKE_WATCH,
					       entries | self);
		}
	}
}

int tlsr_loop_run(const struct tlsr_run_opts *o)
{
	struct tlsr_loop_opts lo = {0};
	struct tlsr_diag diag = {0};
	struct tlsr_env_win e = {0};
	struct tlsr_loop *l = NULL;
	char data_dir[MAX_PATH * 3], msg[600];
	HANDLE timer = NULL;
	int code = 2;
	tlsr_err err;

	tlsr_env_win_init(&e);
	tlsr_win_data_dir(data_dir, sizeof data_dir);
	snprintf(e.data_dir, sizeof e.data_dir, "%s", data_dir);
	e.stop = o->stop;
	e.console = o->console;
	err = tlsr_eventlog_open(data_dir, o->console, &e.log);
	if (err != TLSR_OK) {
		/* No sink for events: stderr is all there is. */
		fprintf(stderr, "tlsward: cannot open the event log: %s\n",
			tlsr_strerror(err));
		return 2;
	}
	err = tlsr_platform_live_registry(&e.reg, &diag);
	if (err == TLSR_OK) {
		tlsr_prove_init(&e.prove, e.reg);
		lo.console = o->console;
		lo.once = o->once;
		lo.policy_path = o->policy_path;
		lo.data_dir = data_dir;
		lo.start_note = o->start_note;
		err = tlsr_loop_new(e.reg, &e.env, &lo, &l);
	}
	if (err != TLSR_OK) {
		struct tlsr_event_fields f = {0};

		tlsr_diag_format(&diag, msg, sizeof msg);
		if (msg[0] == '\0')
			snprintf(msg, sizeof msg, "%s", tlsr_strerror(err));
		f.v[TLSR_EF_REASON] = msg;
		tlsr_eventlog_report(e.log, TLSR_EV_SERVICE_FAILED, &f);
		goto out;
	}
	timer = CreateWaitableTimerW(NULL, FALSE, NULL);
	if (timer == NULL) {
		tlsr_win_errtext(GetLastError(), msg, sizeof msg);
		tlsr_loop_fail(l, "CreateWaitableTimerW: %s", msg);
		goto out;
	}
	if (!o->once &&
	    tlsr_watch_open(watch_failed, &e, &e.watch) != TLSR_OK) {
		struct tlsr_event_fields f = {0};

		f.v[TLSR_EF_KEY] = "SOFTWARE";
		f.v[TLSR_EF_REASON] = "out of memory";
		tlsr_eventlog_report(e.log, TLSR_EV_WATCH_FAILED, &f);
		e.watch = NULL;
	}
	if (o->console && e.watch != NULL)
		tlsr_watch_describe(e.watch);
	/* Running (and stoppable) before the policy is read, which may open
	 * a share that is not there. */
	if (o->running != NULL)
		o->running(o->data);
	tlsr_loop_wake(l, TLSR_WAKE_START, 0);
	if (o->once) {
		code = tlsr_loop_exit_code(l);
		if (code == 2)
			fprintf(stderr, "tlsward: no usable policy, or the "
					"check failed (see the events above); "
					"nothing checked\n");
		goto out;
	}
	code = wait_loop(o, l, &e, timer);
	tlsr_loop_stop(l, code != 0 ? NULL
			: o->shutdown != NULL && *o->shutdown
				? "System shutdown."
				: "Stop requested.");
out:
	if (code == 2 && l != NULL)
		tlsr_loop_stop(l, NULL);
	tlsr_loop_free(l);
	tlsr_watch_close(e.watch);
	tlsr_env_win_close(&e);
	if (timer != NULL)
		CloseHandle(timer);
	tlsr_registry_destroy(e.reg);
	tlsr_eventlog_close(e.log);
	return code;
}
