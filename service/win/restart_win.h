/* tlsward: the restart a DefaultSecureProtocols change owes (restart_win.c). Windows builds only. */
#ifndef TLSR_RESTART_WIN_H
#define TLSR_RESTART_WIN_H

#include <windows.h>

#include <stddef.h>

#include "eventlog.h"
#include "tlsr.h"

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
