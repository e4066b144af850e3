/* tlsward: the service's small Windows helpers (util_win.c). Windows builds only. */
#ifndef TLSR_UTIL_WIN_H
#define TLSR_UTIL_WIN_H

#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "wstr.h"

/* Creates dir and its missing parents (UTF-8 path). */
tlsr_err tlsr_win_mkdirs(const char *dir);
/* %ProgramData%\tlsward, UTF-8. */
void tlsr_win_data_dir(char *buf, size_t size);
/* A uniformly random number in [0, n) (0 when n is 0). */
uint64_t tlsr_win_random(uint64_t n);

#endif
