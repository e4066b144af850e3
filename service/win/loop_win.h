/* tlsward: the remediation loop the service and `run --console` share. Windows builds only. */
#ifndef TLSR_LOOP_WIN_H
#define TLSR_LOOP_WIN_H

#include <windows.h>

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

#endif
