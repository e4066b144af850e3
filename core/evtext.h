/* tlsward: text that goes into an event (an insertion string, a field of
 * the events.jsonl mirror) made safe to show on one line: whatever a policy
 * file, a path or a registry value name holds, it cannot start a second
 * line, reorder the text around it or grow without bound. */
#ifndef TLSR_EVTEXT_H
#define TLSR_EVTEXT_H

#include <stddef.h>

/* Longest insertion string, in bytes, before "..." is appended. */
#define TLSR_EVTEXT_MAX 1024

/* Copies in to out (size bytes, always NUL-terminated) with:
 * - control characters (C0, DEL, C1 including NEL), the Unicode line and
 *   paragraph separators and the bidirectional overrides and isolates
 *   shown as '?';
 * - malformed UTF-8 shown as '?', one per byte;
 * - "%%" written "% %", so the Event Viewer finds no parameter insert;
 * - the text cut at TLSR_EVTEXT_MAX bytes (or what fits), on a character
 *   boundary, with "..." appended.
 * Returns 1 when anything was changed or cut, else 0. */
int tlsr_evtext_clean(const char *in, char *out, size_t size);

#endif
