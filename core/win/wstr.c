/* tlsward: UTF-8/UTF-16 and Win32 error texts. */
#include "wstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wchar_t *tlsr_win_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL,
				    0);
	wchar_t *w;

	if (n <= 0)
		return NULL;
	w = malloc((size_t)n * sizeof *w);
	if (w == NULL)
		return NULL;
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) !=
	    n) {
		free(w);
		return NULL;
	}
	return w;
}

void tlsr_win_utf8(const wchar_t *w, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL,
				NULL) == 0) {
		/* Too long: keep what fits, cut at a character boundary. */
		int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL,
					    NULL);
		char *tmp = n > 0 ? malloc((size_t)n) : NULL;
		size_t len;

		buf[0] = '\0';
		if (tmp == NULL)
			return;
		WideCharToMultiByte(CP_UTF8, 0, w, -1, tmp, n, NULL, NULL);
		len = strlen(tmp);
		if (len >= size) {
			len = size - 1;
			while (len > 0 && ((unsigned char)tmp[len] & 0xc0) ==
						  0x80)
				len--;
		}
		memcpy(buf, tmp, len);
		buf[len] = '\0';
		free(tmp);
	}
	buf[size - 1] = '\0';
}

/* The system's message for code, trimmed of its trailing period and line
 * break; "" when there is none. */
static void message_of(DWORD code, char *buf, size_t size)
{
	wchar_t *text = NULL;
	size_t len;

	buf[0] = '\0';
	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
				   FORMAT_MESSAGE_ALLOCATE_BUFFER |
				   FORMAT_MESSAGE_IGNORE_INSERTS,
			   NULL, code, 0, (LPWSTR)&text, 0, NULL) != 0 &&
	    text != NULL) {
		tlsr_win_utf8(text, buf, size);
		LocalFree(text);
	}
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
			   buf[len - 1] == ' ' || buf[len - 1] == '.'))
		buf[--len] = '\0';
}

void tlsr_win_errtext(DWORD code, char *buf, size_t size)
{
	char msg[512];

	message_of(code, msg, sizeof msg);
	if (msg[0] == '\0')
		snprintf(buf, size, "Win32 error %lu", (unsigned long)code);
	else
		snprintf(buf, size, "%s (%lu)", msg, (unsigned long)code);
}

void tlsr_win_systext(DWORD code, char *buf, size_t size)
{
	char msg[512];

	message_of(code, msg, sizeof msg);
	if (msg[0] == '\0')
		snprintf(buf, size, "system error %ld", (long)code);
	else
		snprintf(buf, size, "%s", msg);
}

tlsr_err tlsr_win_map_error(DWORD code, tlsr_err fallback)
{
	switch (code) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_BAD_NETPATH:
	case ERROR_BAD_NET_NAME:
	/* A handle whose key another process deleted: gone all the same. */
	case ERROR_KEY_DELETED:
		return TLSR_ENOTFOUND;
	case ERROR_ACCESS_DENIED:
		return TLSR_EACCESS;
	case ERROR_MORE_DATA:
		return TLSR_ERANGE;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return TLSR_ENOMEM;
	default:
		return fallback;
	}
}
