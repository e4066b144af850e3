/* tlsward: the OS model table; see os.h.
 *
 * Sources (named per row by their tag):
 * [Schannel-tbl] MicrosoftDocs/win32 desktop-src/SecAuthN/
 *     protocols-in-tls-ssl--schannel-ssp-.md (ms.date 03/20/2025): SChannel
 *     defaults per protocol, version and side.
 * [WinHTTP] MicrosoftDocs/win32 desktop-src/WinHttp/option-flags.md,
 *     WINHTTP_OPTION_SECURE_PROTOCOLS: Windows 11 TLS 1.2 + 1.3; Windows 10
 *     and 8.1 SSL 3.0 to TLS 1.2; Windows 8 and 7 SSL 3.0 and TLS 1.0.
 * [CM-client] memdocs configmgr/core/plan-design/security/
 *     enable-tls-1-2-client.md: WinHTTP natively supports TLS 1.2 from
 *     Windows 8.1 / Server 2012 R2 on; earlier needs KB3140245 and
 *     DefaultSecureProtocols.
 * [KB3140245] support.microsoft.com/kb/3140245 (Windows 7 SP1, Server 2008
 *     R2 SP1, Server 2012).
 * [DrDAV] Microsoft CSS Test_MsDavConnection.ps1: winhttp.dll and webio.dll
 *     >= 6.1.7601.23375 (NT 6.1) and >= 6.2.9200.21797 (NT 6.2).
 * [NET-tls] dotnet/docs docs/framework/network-programming/tls.md: Server
 *     2008 needs KB4019276, Vista is not supported; .NET 3.5 needs
 *     KB3154518 (7 / 2008 R2), KB3154519 (2012), KB3154520 (8.1 / 2012 R2),
 *     built into Windows 10 and later.
 * [TLS13] [Schannel-tbl]: TLS 1.3 from Windows 11 (build 22000) and Server
 *     2022 (build 20348); "enabling TLS 1.3 on earlier versions of Windows
 *     is not a safe system configuration".
 * [lifecycle] Microsoft lifecycle: Windows 8 ended 2016-01-12 (no
 *     KB3140245 for it); KB3140245 requires Windows 7 SP1. */
#include "os.h"

#include "settings.h"
#include "strbuf.h"

#include <limits.h>
#include <stdio.h>

#define P(x) TLSR_PROTO_BIT(TLSR_PROTO_##x)
#define ANY_BUILD 0, UINT_MAX
#define NO_FILE {0, 0, 0, 0}

/* clang-format off */
const struct tlsr_os tlsr_os_table[] = {
	/* [Schannel-tbl] Vista: TLS 1.1/1.2 not supported. [NET-tls]. */
	{"vista", "Windows Vista", 6, 0, ANY_BUILD, 0, 0, TLSR_OS_UNSUPPORTED,
	 "Windows Vista has no TLS 1.2 in SChannel, upgrade the OS", NULL,
	 0x00A0, 0, NULL, NO_FILE,
	 P(SSL3) | P(TLS10), P(SSL2) | P(SSL3) | P(TLS10), 0, NULL},
	/* [Schannel-tbl] Server 2008 SP2: TLS 1.1/1.2 disabled, after
	 * KB4019276. [NET-tls] KB4019276. [WinHTTP] old default. */
	{"server2008", "Windows Server 2008", 6, 0, ANY_BUILD, 1, 2,
	 TLSR_OS_NEEDS_UPDATE,
	 "Windows Server 2008 SP2 gets TLS 1.1 and 1.2 only with KB4019276",
	 "KB4019276",
	 0x00A0, 1, "KB4019276", NO_FILE,
	 P(SSL3) | P(TLS10), P(SSL2) | P(SSL3) | P(TLS10), 0, "KB3154517"},
	/* [Schannel-tbl] 7 / 2008 R2: TLS 1.1/1.2 disabled, SSL 2.0 server
	 * on. [WinHTTP] 0x0A0. [CM-client] [KB3140245] [DrDAV] 6.1 files.
	 * [NET-tls] KB3154518. [lifecycle] SP1 needed. */
	{"win7", "Windows 7", 6, 1, ANY_BUILD, 0, 1, TLSR_OS_SUPPORTED,
	 "KB3140245 needs Windows 7 Service Pack 1", NULL,
	 0x00A0, 1, "KB3140245", {6, 1, 7601, 23375},
	 P(SSL3) | P(TLS10), P(SSL2) | P(SSL3) | P(TLS10), 0, "KB3154518"},
	{"server2008r2", "Windows Server 2008 R2", 6, 1, ANY_BUILD, 1, 1,
	 TLSR_OS_SUPPORTED,
	 "KB3140245 needs Windows Server 2008 R2 Service Pack 1", NULL,
	 0x00A0, 1, "KB3140245", {6, 1, 7601, 23375},
	 P(SSL3) | P(TLS10), P(SSL2) | P(SSL3) | P(TLS10), 0, "KB3154518"},
	/* [lifecycle] Windows 8 client: out of support, no KB3140245. */
	{"win8", "Windows 8", 6, 2, ANY_BUILD, 0, 0, TLSR_OS_UNSUPPORTED,
	 "Windows 8 is out of support and never got KB3140245 (WinHTTP TLS "
	 "1.2), upgrade to Windows 8.1 or later", NULL,
	 0x00A0, 1, "KB3140245", NO_FILE,
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12),
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12), 0, NULL},
	/* [Schannel-tbl] 2012: TLS 1.1/1.2 on. [WinHTTP] 0x0A0.
	 * [KB3140245] [DrDAV] 6.2 files. [NET-tls] KB3154519. */
	{"server2012", "Windows Server 2012", 6, 2, ANY_BUILD, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL,
	 0x00A0, 1, "KB3140245", {6, 2, 9200, 21797},
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12),
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12), 0, "KB3154519"},
	/* [CM-client] native TLS 1.2 from 8.1 / 2012 R2. [WinHTTP] 0xAA0.
	 * [NET-tls] KB3154520. */
	{"win8.1", "Windows 8.1", 6, 3, ANY_BUILD, 0, 0, TLSR_OS_SUPPORTED,
	 NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12),
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12), 0, "KB3154520"},
	{"server2012r2", "Windows Server 2012 R2", 6, 3, ANY_BUILD, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12),
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12), 0, "KB3154520"},
	/* [Schannel-tbl] Windows 10 1507/1511: SSL 3.0 still on. */
	{"win10-1507", "Windows 10 (1507/1511)", 10, 0, 0, 14392, 0, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12),
	 P(SSL3) | P(TLS10) | P(TLS11) | P(TLS12), 0, NULL},
	/* [Schannel-tbl] 1607 on: SSL 3.0 off. [WinHTTP] 0xAA0. [TLS13]. */
	{"win10", "Windows 10", 10, 0, 14393, 21999, 0, 0, TLSR_OS_SUPPORTED,
	 NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12), P(TLS10) | P(TLS11) | P(TLS12), 0,
	 NULL},
	/* [WinHTTP] Windows 11: TLS 1.2 and 1.3 only (0x2800). [TLS13]
	 * [Schannel-tbl] TLS 1.0/1.1 still on in SChannel. */
	{"win11", "Windows 11", 10, 0, 22000, UINT_MAX, 0, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x2800, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13),
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13), 1, NULL},
	/* [Schannel-tbl] Server 2016 (14393): SSL 3.0 off. [WinHTTP] as
	 * Windows 10. */
	{"server2016", "Windows Server 2016", 10, 0, 0, 17762, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12), P(TLS10) | P(TLS11) | P(TLS12), 0,
	 NULL},
	{"server2019", "Windows Server 2019", 10, 0, 17763, 20347, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x0AA0, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12), P(TLS10) | P(TLS11) | P(TLS12), 0,
	 NULL},
	/* [TLS13] Server 2022 (20348): TLS 1.3 on. [WinHTTP] names Windows 11
	 * only; the server default is taken as TLS 1.0 to 1.3 (its SChannel
	 * defaults), so no legacy bit is ever assumed absent. */
	{"server2022", "Windows Server 2022", 10, 0, 20348, 26099, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x2A80, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13),
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13), 1, NULL},
	/* [Schannel-tbl] Server 2025 (26100): as 2022; TLS 1.0/1.1 still
	 * on in GA builds. */
	{"server2025", "Windows Server 2025", 10, 0, 26100, UINT_MAX, 1, 0,
	 TLSR_OS_SUPPORTED, NULL, NULL, 0x2A80, 0, NULL, NO_FILE,
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13),
	 P(TLS10) | P(TLS11) | P(TLS12) | P(TLS13), 1, NULL},
};

/* An OS tlsward cannot name: TLS 1.2 is assumed off everywhere and
 * DefaultSecureProtocols needed, so nothing counts until it is set. */
const struct tlsr_os tlsr_os_unknown = {
	"unknown", "an unknown Windows", 0, 0, ANY_BUILD, 0, 0,
	TLSR_OS_SUPPORTED, NULL, NULL, 0x00A0, 1, NULL, NO_FILE,
	P(SSL3) | P(TLS10), P(SSL3) | P(TLS10), 0, NULL};
/* clang-format on */

const size_t tlsr_os_count = sizeof tlsr_os_table / sizeof tlsr_os_table[0];

/* The first row whose version, build range and edition match. */
const struct tlsr_os *tlsr_os_find(int known, unsigned major, unsigned minor,
				   unsigned build, int server)
{
	size_t i;

	if (!known)
		return &tlsr_os_unknown;
	for (i = 0; i < tlsr_os_count; i++) {
		const struct tlsr_os *o = &tlsr_os_table[i];

		if (o->major == major && o->minor == minor &&
		    build >= o->build_min && build <= o->build_max &&
		    o->server == (server != 0))
			return o;
	}
	/* A newer Windows than the table knows: its newest row of that
	 * edition, whose defaults only ever grow stricter. */
	if (major > 10 || (major == 10 && minor > 0)) {
		for (i = tlsr_os_count; i-- > 0;)
			if (tlsr_os_table[i].server == (server != 0))
				return &tlsr_os_table[i];
	}
	return &tlsr_os_unknown;
}

const char *tlsr_os_support_name(enum tlsr_os_support s)
{
	switch (s) {
	case TLSR_OS_SUPPORTED:
		return "supported";
	case TLSR_OS_NEEDS_UPDATE:
		return "needs update";
	default:
		return "unsupported";
	}
}

/* "SSL 3.0, TLS 1.0" for a TLSR_PROTO_BIT mask. */
static void protos_text(unsigned mask, char *buf, size_t size)
{
	size_t len = 0;
	unsigned p;

	buf[0] = '\0';
	for (p = 0; p < TLSR_PROTO_COUNT; p++)
		if (mask & TLSR_PROTO_BIT(p))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "",
						tlsr_proto_schannel_name(
						    (enum tlsr_proto)p));
	if (len == 0)
		snprintf(buf, size, "none");
}

/* Renders the table as docs/windows.md carries it. */
char *tlsr_os_markdown(void)
{
	struct tlsr_sb b = {0};
	char client[96], server[96], builds[48], files[48];
	size_t i;

	tlsr_sb_puts(&b,
		     "| Windows | builds | support | WinHTTP default | "
		     "DefaultSecureProtocols | update for WinHTTP (files) | "
		     "SChannel client default | SChannel server default | "
		     "TLS 1.3 | .NET 3.5 update |\n"
		     "|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < tlsr_os_count; i++) {
		const struct tlsr_os *o = &tlsr_os_table[i];
		int unsup = o->support == TLSR_OS_UNSUPPORTED;

		protos_text(o->schannel_client, client, sizeof client);
		protos_text(o->schannel_server, server, sizeof server);
		if (o->build_min == 0 && o->build_max == UINT_MAX)
			snprintf(builds, sizeof builds, "all");
		else if (o->build_max == UINT_MAX)
			snprintf(builds, sizeof builds, "%u and later",
				 o->build_min);
		else
			snprintf(builds, sizeof builds, "%u to %u",
				 o->build_min, o->build_max);
		if (o->winhttp_file_min[0])
			snprintf(files, sizeof files,
				 " (winhttp.dll, webio.dll >= %u.%u.%u.%u)",
				 o->winhttp_file_min[0], o->winhttp_file_min[1],
				 o->winhttp_file_min[2], o->winhttp_file_min[3]);
		else
			files[0] = '\0';
		tlsr_sb_printf(&b,
			       "| %s %s | %u.%u, %s | %s%s%s%s | 0x%04lx | "
			       "%s | %s%s | %s | %s | %s | %s |\n",
			       o->name, o->server ? "(server)" : "(client)",
			       o->major, o->minor, builds,
			       tlsr_os_support_name(o->support),
			       o->os_update ? ": " : "",
			       o->os_update ? o->os_update : "",
			       o->min_sp ? (o->min_sp == 1 ? ", SP1 or later"
							   : ", SP2 or later")
					 : "",
			       (unsigned long)o->winhttp_default,
			       unsup	       ? "-"
			       : o->dsp_needed ? "needed"
					       : "not needed",
			       unsup		   ? "-"
			       : o->winhttp_update ? o->winhttp_update
						   : "none",
			       unsup ? "" : files, client, server,
			       o->tls13 ? "yes" : "no",
			       unsup		 ? "-"
			       : o->net35_update ? o->net35_update
						 : "in the OS's updates");
	}
	return tlsr_sb_finish(&b);
}
