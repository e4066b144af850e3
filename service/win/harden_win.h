/* tlsward: the service's own state locked to SYSTEM and Administrators
 * (harden_win.c). Windows builds only. */
#ifndef TLSR_HARDEN_WIN_H
#define TLSR_HARDEN_WIN_H

#include <stddef.h>

#include "error.h"

/* The DACL tlsward puts on HKLM\SOFTWARE\tlsward (Parameters, Status,
 * Journal and every other subkey inherit it) and on the data directory:
 * protected (nothing inherited from above), full control for SYSTEM and
 * the Administrators group, nobody else. */
#define TLSR_HARDEN_SDDL L"D:P(A;OICI;GA;;;SY)(A;OICI;GA;;;BA)"

/* Applies it to the registry key and to data_dir (UTF-8), replacing what
 * the children had. TLSR_OK, or the first failure with why. */
tlsr_err tlsr_win_harden(const char *data_dir, char *why, size_t why_size);

#endif
