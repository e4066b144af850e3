/* tlsward: files by UTF-8 path, on every platform. On Windows paths are
 * opened as UTF-16 (a path like C:\Users\Jürgen\export.reg works whatever
 * the ANSI code page), and a replace is atomic (MoveFileExW). The build
 * picks file_posix.c or win/file_win.c. */
#ifndef TLSR_FILE_H
#define TLSR_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* fopen for a UTF-8 path; NULL with errno set on failure. */
FILE *tlsr_file_open(const char *path, const char *mode);

/* Reads the whole file, at most max bytes (TLSR_ETOOBIG beyond); *buf
 * (caller frees) is NUL-terminated. On failure why says what went wrong. */
tlsr_err tlsr_file_read_all(const char *path, size_t max, char **buf,
			    size_t *len, char *why, size_t why_size);

/* Replaces path with data: written to a temporary file in the same
 * directory, flushed, then moved over path in one step. Readers see the old
 * file or the new one, never a part; a failure leaves path as it was and no
 * temporary file. */
tlsr_err tlsr_file_replace(const char *path, const void *data, size_t len,
			   char *why, size_t why_size);

/* Removes path; TLSR_OK also when it did not exist. */
tlsr_err tlsr_file_remove(const char *path, char *why, size_t why_size);

/* Size and modification time (an opaque number that changes when the file
 * does). A directory is an error. */
tlsr_err tlsr_file_stat(const char *path, uint64_t *size, uint64_t *mtime,
			char *why, size_t why_size);

/* 1 when a and b name the same existing file. */
int tlsr_file_same(const char *a, const char *b);

#endif
