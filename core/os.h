/* tlsward: what each Windows needs for TLS 1.2, as data.
 *
 * One static const table, one row per Windows family and build range. The
 * engine asks the row instead of having code per OS: the OS defaults it
 * judges an absent value by, whether WinHTTP needs DefaultSecureProtocols
 * and which update makes it work, SChannel's defaults per protocol and side,
 * and whether TLS 1.3 exists. Each row names its sources in os.c. */
#ifndef TLSR_OS_H
#define TLSR_OS_H

#include <stddef.h>
#include <stdint.h>

enum tlsr_os_support {
	TLSR_OS_SUPPORTED,
	TLSR_OS_NEEDS_UPDATE, /* TLS 1.2 needs an OS update (os_update) */
	TLSR_OS_UNSUPPORTED,  /* no TLS 1.2 tlsward can make work */
};

struct tlsr_os {
	const char *id;   /* stable: "win10", "server2022", ... */
	const char *name; /* "Windows 10", "Windows Server 2022" */
	unsigned major, minor;
	unsigned build_min, build_max; /* inclusive */
	int server;                    /* 1 server SKU, 0 client */
	unsigned min_sp;     /* below this service pack: unsupported */
	enum tlsr_os_support support;
	const char *support_note; /* why unsupported, or what the update does */
	const char *os_update;    /* "KB4019276": needed for TLS 1.2 at all */
	/* WinHTTP. */
	uint32_t winhttp_default; /* DefaultSecureProtocols when absent */
	int dsp_needed;           /* TLS 1.2 only through the value */
	const char *winhttp_update; /* update the value needs, or NULL */
	unsigned winhttp_file_min[4]; /* winhttp.dll and webio.dll of that
				       * update; zeros: none pinned */
	/* SChannel: TLSR_PROTO_BIT masks of what is on without keys. */
	unsigned schannel_client;
	unsigned schannel_server;
	int tls13; /* TLS 1.3 exists (and is on by default) */
	/* .NET 3.5 (v2.0.50727): update needed for TLS 1.2, NULL when the
	 * OS's own updates carry it. */
	const char *net35_update;
};

/* The table, oldest first, and its length. */
extern const struct tlsr_os tlsr_os_table[];
extern const size_t tlsr_os_count;
/* The row used when the version is unknown: nothing is assumed on. */
extern const struct tlsr_os tlsr_os_unknown;

/* The row for a version; &tlsr_os_unknown when none matches or !known. */
const struct tlsr_os *tlsr_os_find(int known, unsigned major, unsigned minor,
				   unsigned build, int server);

/* The table as a Markdown table (docs/windows.md carries it, and a test
 * keeps the two the same). Caller frees; NULL when out of memory. */
char *tlsr_os_markdown(void);

/* "supported", "needs update", "unsupported". */
const char *tlsr_os_support_name(enum tlsr_os_support s);

#endif
