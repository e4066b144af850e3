/* tlsward: the Win32 platform table for the portable loop (env.h): clocks,
 * randomness, the volatile Boot key, %VARIABLE% expansion, the
 * watches, the policy files, SHA-256, the event log and InitiateShutdownW.
 * Windows builds only. */
#ifndef TLSR_ENV_WIN_H
#define TLSR_ENV_WIN_H

#include <windows.h>

#include "env.h"
#include "eventlog.h"
#include "prove.h"
#include "watch_win.h"

struct tlsr_env_win {
	struct tlsr_loop_env env;      /* ctx points here */
	struct tlsr_registry *reg;     /* the live registry (boot id) */
	struct tlsr_eventlog *log;     /* the event sink; may be NULL */
	struct tlsr_watch *watch;      /* NULL: no registry watches */
	HANDLE source_change;          /* the policy file's directory, or
					* NULL when it is polled */
	HANDLE stop;                   /* ends a running probe early */
	char data_dir[MAX_PATH * 3];   /* where the probe's output goes */
	struct tlsr_prove prove;       /* the proof outcome last reported */
	int console;
};

/* Fills e's table. The members above are the caller's (set before use,
 * closed after); prove is set up by tlsr_prove_init. */
void tlsr_env_win_init(struct tlsr_env_win *e);

/* Re-arms the policy directory's notification after it fired; a directory
 * that went away cannot be re-armed and is closed (the loop then learns of
 * changes at its next reload or check only). */
void tlsr_env_win_source_rearm(struct tlsr_env_win *e);

/* Closes the policy directory's notification; NULL-safe members. */
void tlsr_env_win_close(struct tlsr_env_win *e);

#endif
