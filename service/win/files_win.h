/* tlsward: SHA-256 through the system (files_win.c). Windows builds
 * only. */
#ifndef TLSR_FILES_WIN_H
#define TLSR_FILES_WIN_H

#include <stddef.h>

#include "error.h"

/* SHA-256 of data as 64 lowercase hex digits (bcrypt.dll, loaded for the
 * call). */
tlsr_err tlsr_sha256_hex(const void *data, size_t len, char out[65]);

#endif
