/* tlsward: registry change notifications on the managed keys (watch_win.c). Windows builds only. */
#ifndef TLSR_WATCH_WIN_H
#define TLSR_WATCH_WIN_H

#include <windows.h>

#include <stddef.h>

#include "tlsr.h"

/* Kinds of watch, as returned by tlsr_watch_rearm. */
#define TLSR_WATCH_MANAGED 1u    /* a managed value may have changed */
#define TLSR_WATCH_PARAMETERS 2u /* the service's Parameters changed */

struct tlsr_watch;

/* Told when a watch cannot be armed: the key (HKLM-relative) and the
 * system's text. Called once per failure until the watch arms again. */
typedef void (*tlsr_watch_fail_fn)(void *ctx, const char *key,
				   const char *why);

/* Arms one notification per group of managed keys (per component and view,
 * on the keys' common ancestor with its subtree; the nearest existing
 * parent while that is missing) and one on Parameters. Caller closes *out
 * with tlsr_watch_close. */
tlsr_err tlsr_watch_open(tlsr_watch_fail_fn fail, void *ctx,
			 struct tlsr_watch **out);
/* How many watches there are (NULL: 0). */
size_t tlsr_watch_count(const struct tlsr_watch *w);
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
/* NULL-safe. */
void tlsr_watch_close(struct tlsr_watch *w);

#endif
