/* tlsward: the policy source and file I/O (files_win.c). Windows builds only. */
#ifndef TLSR_FILES_WIN_H
#define TLSR_FILES_WIN_H

#include <windows.h>

#include <stddef.h>

#include "error.h"

struct tlsr_psource;

/* Follows the policy file at path (UTF-8, local or UNC): a local file's
 * directory through a change notification, a UNC path (or a local one
 * whose directory is missing) by polling every poll seconds. Caller closes
 * *out with tlsr_psource_close. */
tlsr_err tlsr_psource_open(const char *path, unsigned poll,
			   struct tlsr_psource **out);
/* The change notification handle, or NULL when the source is polled. */
HANDLE tlsr_psource_event(const struct tlsr_psource *ps);
/* Seconds between polls; 0 when the source is not polled. */
unsigned tlsr_psource_poll(const struct tlsr_psource *ps);
/* Re-arms the change notification after it fired. */
void tlsr_psource_rearm(struct tlsr_psource *ps);
/* Reads the file when its size or time changed since the last read (always
 * with force). TLSR_OK with *buf NULL: unchanged. Otherwise *buf (caller
 * frees) holds the bytes and hash their SHA-256 hex. On failure why says
 * what went wrong. */
tlsr_err tlsr_psource_read(struct tlsr_psource *ps, int force, char **buf,
			   size_t *len, char hash[65], char *why,
			   size_t why_size);
const char *tlsr_psource_path(const struct tlsr_psource *ps);
void tlsr_psource_close(struct tlsr_psource *ps);

/* SHA-256 of data as 64 lowercase hex digits (bcrypt.dll). */
tlsr_err tlsr_sha256_hex(const void *data, size_t len, char out[65]);
/* Reads a whole file (UTF-8 path, at most max bytes); caller frees *buf.
 * On failure why holds the Win32 error text. */
tlsr_err tlsr_win_read_file(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size);
/* Replaces path with data through a temporary file in the same directory. */
tlsr_err tlsr_win_write_file(const char *path, const void *data, size_t len);

#endif
