/* tlsward: error texts and located diagnostics. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const texts[] = {
#define TLSR_ERR_TEXT(name, text) text,
	TLSR_ERRORS(TLSR_ERR_TEXT)
#undef TLSR_ERR_TEXT
};

const char *tlsr_strerror(tlsr_err err)
{
	if ((unsigned)err >= TLSR_ERR_COUNT)
		return "unknown error";
	return texts[err];
}

void tlsr_diag_set(struct tlsr_diag *diag, const char *file, unsigned line,
		   unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return;
	snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
	diag->line = line;
	diag->col = col;
	va_start(ap, fmt);
	vsnprintf(diag->message, sizeof diag->message, fmt, ap);
	va_end(ap);
}

void tlsr_diag_format(const struct tlsr_diag *diag, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (diag->line > 0)
		snprintf(buf, size, "%s:%u:%u: %s", diag->file, diag->line,
			 diag->col, diag->message);
	else if (diag->file[0] != '\0')
		snprintf(buf, size, "%s: %s", diag->file, diag->message);
	else
		snprintf(buf, size, "%s", diag->message);
}

void tlsr_textf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}
