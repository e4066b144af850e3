/* tlsward: the service's small Windows helpers (util_win.c). Windows builds only. */
#ifndef TLSR_UTIL_WIN_H
#define TLSR_UTIL_WIN_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "names.h"
#include "wstr.h"

/* Creates dir and its missing parents (UTF-8 path). On failure *code (when
 * not NULL) gets the Win32 error of the directory that could not be made. */
tlsr_err tlsr_win_mkdirs(const char *dir, DWORD *code);
/* %ProgramData%\tlsward, UTF-8; size of at least MAX_PATH * 3 bytes holds
 * any such path. */
void tlsr_win_data_dir(char *buf, size_t size);
/* A uniformly random number in [0, n) from the system's generator
 * (RtlGenRandom, rejection sampling); 0 when n is 0 or the generator
 * fails. */
uint64_t tlsr_win_random(uint64_t n);
/* Expands %VARIABLES% of in (ExpandEnvironmentStringsW) into out; 0, or
 * -1 when it cannot. */
int tlsr_win_expand(const char *in, char *out, size_t size);

#endif
