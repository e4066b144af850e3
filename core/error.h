/* tlsward: one error enum for every module, and source locations for
 * diagnostics about files (policies, .reg exports). */
#ifndef TLSR_ERROR_H
#define TLSR_ERROR_H

#include <stddef.h>

/* X(name, text): the text is what a user reads after "tlsward: ". */
#define TLSR_ERRORS(X)                                              \
	X(TLSR_OK, "success")                                       \
	X(TLSR_ENOMEM, "out of memory")                             \
	X(TLSR_EINVAL, "invalid argument")                          \
	X(TLSR_ENOTFOUND, "not found")                              \
	X(TLSR_EEXIST, "already exists")                            \
	X(TLSR_EACCESS, "access denied")                            \
	X(TLSR_EIO, "input/output error")                           \
	X(TLSR_ETOOBIG, "input too large")                          \
	X(TLSR_EPARSE, "syntax error")                              \
	X(TLSR_ETYPE, "value has the wrong type")                   \
	X(TLSR_ERANGE, "buffer too small")                          \
	X(TLSR_EVERIFY, "value read back differs from value written") \
	X(TLSR_EPOLICY, "policy rejected")                          \
	X(TLSR_EUNSUPPORTED, "not supported by this backend")       \
	X(TLSR_EFAULT, "injected fault")                            \
	X(TLSR_ESYSTEM, "system error")

typedef enum {
#define TLSR_ERR_ENUM(name, text) name,
	TLSR_ERRORS(TLSR_ERR_ENUM)
#undef TLSR_ERR_ENUM
	TLSR_ERR_COUNT
} tlsr_err;

/* Static text for an error code; never NULL. */
const char *tlsr_strerror(tlsr_err err);

/* printf-style format checking for functions taking (fmt, ...). MinGW's gcc
 * reads plain "printf" as the Microsoft runtime's dialect; tlsward's Windows
 * build uses the C99 one (__USE_MINGW_ANSI_STDIO), as glibc does. */
#ifdef __MINGW32__
#define TLSR_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define TLSR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

/* A located diagnostic. Lines and columns count from 1; 0 means unknown. */
struct tlsr_diag {
	char file[512];
	unsigned line;
	unsigned col;
	char message[512];
};

/* Sets every field of diag (a NULL diag is ignored). printf-style message. */
void tlsr_diag_set(struct tlsr_diag *diag, const char *file, unsigned line,
		   unsigned col, const char *fmt, ...)
	TLSR_PRINTF(5, 6);

/* Writes "FILE:LINE:COL: message" into buf (always NUL-terminated). */
void tlsr_diag_format(const struct tlsr_diag *diag, char *buf, size_t size);

/* snprintf for texts that may be cut short (a message, an event field):
 * every caller accepts the cut. */
void tlsr_textf(char *buf, size_t size, const char *fmt, ...) TLSR_PRINTF(3, 4);

#endif
