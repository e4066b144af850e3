/* tlsward: the Windows driver of the portable loop (run_win.c): it opens
 * the live registry, the event log and the watches, reports the service
 * running, then waits and hands each wake to tlsr_loop_wake. Windows
 * builds only. */
#ifndef TLSR_LOOP_WIN_H
#define TLSR_LOOP_WIN_H

#include <windows.h>

struct tlsr_run_opts {
	int console;             /* print events on stderr */
	int once;                /* one check/apply pass, then return */
	const char *policy_path; /* UTF-8; NULL: Parameters\PolicyPath */
	/* Events owned by the caller. stop (manual-reset) ends the loop;
	 * reload and check_now (auto-reset, may be NULL) ask for a policy
	 * reload or an immediate check. */
	HANDLE stop;
	HANDLE reload;
	HANDLE check_now;
	/* Set by the caller before it signals stop for a system shutdown,
	 * so that 1001 says so; may be NULL. */
	volatile LONG *shutdown;
	/* What the service could not set up on itself, for 1000's reason
	 * ("" or NULL: nothing). */
	const char *start_note;
	/* Called once the event log and the handles exist, before the
	 * policy is read or any pass runs (the service reports
	 * SERVICE_RUNNING there). May be NULL. */
	void (*running)(void *data);
	void *data;
};

/* Runs until stop is signalled (or one pass with once). Returns the exit
 * code: 0 compliant, 1 not compliant after the pass (once only), 2 when it
 * could not run (no registry, no policy with once, a fatal error: 1002). */
int tlsr_loop_run(const struct tlsr_run_opts *o);

#endif
