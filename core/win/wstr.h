/* tlsward: UTF-8/UTF-16 conversion and Win32 error texts, shared by every
 * Windows file (core/win/, service/win/). A leaf: it includes nothing of
 * tlsward's but error.h. Windows builds only. */
#ifndef TLSR_WSTR_H
#define TLSR_WSTR_H

#include <windows.h>

#include <stddef.h>

#include "error.h"

/* UTF-8 -> a malloc'd UTF-16 string the caller frees; NULL when s is not
 * valid UTF-8 or memory is short. */
wchar_t *tlsr_win_wide(const char *s);

/* UTF-16 -> UTF-8 into buf (always terminated; cut at a character boundary
 * when buf is short). size may be 0. */
void tlsr_win_utf8(const wchar_t *w, char *buf, size_t size);

/* "The system cannot find the file specified (2)" for a Win32 error, or
 * "Win32 error N" when the system has no text. */
void tlsr_win_errtext(DWORD code, char *buf, size_t size);

/* The system's text for code alone, without the number ("system error N"
 * when it has none). */
void tlsr_win_systext(DWORD code, char *buf, size_t size);

/* A Win32 error (LSTATUS or GetLastError) as a tlsward error; codes with
 * no closer match become fallback. */
tlsr_err tlsr_win_map_error(DWORD code, tlsr_err fallback);

#endif
