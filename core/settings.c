/* tlsward: the table of registry values it manages, and protocol names. */
#include "settings.h"

#include "registry.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */
#define WINHTTP_KEY "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
#define SCHANNEL_KEY(p, s) \
	"SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\" p "\\" s
#define DOTNET_KEY(v) "SOFTWARE\\Microsoft\\.NETFramework\\" v

#define SCHANNEL_ROW(pid, pname, proto_, sid, sname, side_, en_abs, dbd_abs)   \
	{"schannel." pid "." sid ".enabled", TLSR_COMP_SCHANNEL,               \
	 TLSR_KIND_SCHANNEL_ENABLED, SCHANNEL_KEY(pname, sname), "Enabled",    \
	 TLSR_REG_DWORD, TLSR_VIEWS_ONE, proto_, side_, NULL,                  \
	 TLSR_RESTART_REQUIRED, en_abs},                                    \
	{"schannel." pid "." sid ".disabled_by_default", TLSR_COMP_SCHANNEL,   \
	 TLSR_KIND_SCHANNEL_DBD, SCHANNEL_KEY(pname, sname),                   \
	 "DisabledByDefault", TLSR_REG_DWORD, TLSR_VIEWS_ONE, proto_, side_,   \
	 NULL, TLSR_RESTART_REQUIRED, dbd_abs}

#define SCHANNEL_PROTO(pid, pname, proto_, en_abs, dbd_abs)                    \
	SCHANNEL_ROW(pid, pname, proto_, "client", "Client", TLSR_SIDE_CLIENT, \
		     en_abs, dbd_abs),                                         \
	SCHANNEL_ROW(pid, pname, proto_, "server", "Server", TLSR_SIDE_SERVER, \
		     en_abs, dbd_abs)

#define DOTNET_ROWS(ver)                                                        \
	{"dotnet." ver ".strong_crypto", TLSR_COMP_DOTNET,                      \
	 TLSR_KIND_DOTNET_STRONG, DOTNET_KEY(ver), "SchUseStrongCrypto",        \
	 TLSR_REG_DWORD, TLSR_VIEWS_BOTH, TLSR_PROTO_TLS12, 0, ver,             \
	 TLSR_RESTART_REQUIRED,                                              \
	 "the framework's default: strong crypto only from .NET 4.6 on; older " \
	 "targets may offer SSL 3.0 and TLS 1.0 only"},                         \
	{"dotnet." ver ".system_default_tls_versions", TLSR_COMP_DOTNET,        \
	 TLSR_KIND_DOTNET_SYSDEFAULT, DOTNET_KEY(ver),                          \
	 "SystemDefaultTlsVersions", TLSR_REG_DWORD, TLSR_VIEWS_BOTH,           \
	 TLSR_PROTO_TLS12, 0, ver, TLSR_RESTART_REQUIRED,                    \
	 "the framework's default: OS-chosen protocols only for apps targeting " \
	 ".NET 4.7 or later"}

const struct tlsr_setting tlsr_settings[] = {
	{"winhttp.default_secure_protocols", TLSR_COMP_WINHTTP,
	 TLSR_KIND_WINHTTP_DSP, WINHTTP_KEY, "DefaultSecureProtocols",
	 TLSR_REG_DWORD, TLSR_VIEWS_BOTH, TLSR_PROTO_TLS12, 0, NULL,
	 TLSR_RESTART_REQUIRED,
	 "the OS default (core/os.c): SSL 3.0 and TLS 1.0 (0x0a0) on Windows "
	 "7 / Server 2008 R2 / Server 2012; SSL 3.0 to TLS 1.2 (0xaa0) on "
	 "Windows 8.1 / 10 / Server 2012 R2 to 2019; TLS 1.2 and 1.3 (0x2800) "
	 "on Windows 11"},
	SCHANNEL_PROTO("ssl2", "SSL 2.0", TLSR_PROTO_SSL2,
		       "the OS default: off as a client everywhere; as a server "
		       "on up to Windows 7 / Server 2008 R2, off from Windows "
		       "8 / Server 2012, removed from Windows 10 1607",
		       "the OS default: not used as a client; as a server used "
		       "up to Windows 7 / Server 2008 R2"),
	SCHANNEL_PROTO("ssl3", "SSL 3.0", TLSR_PROTO_SSL3,
		       "the OS default: on up to Windows 10 1511, off from "
		       "Windows 10 1607 / Server 2016 on",
		       "the OS default: used up to Windows 10 1511, not from "
		       "Windows 10 1607 / Server 2016 on"),
	SCHANNEL_PROTO("tls1.0", "TLS 1.0", TLSR_PROTO_TLS10,
		       "the OS default: on", "the OS default: used"),
	SCHANNEL_PROTO("tls1.1", "TLS 1.1", TLSR_PROTO_TLS11,
		       "the OS default: off on Windows 7 / Server 2008 R2, on "
		       "from Windows 8 / Server 2012 on",
		       "the OS default: not used on Windows 7 / Server 2008 "
		       "R2, used from Windows 8 / Server 2012 on"),
	SCHANNEL_PROTO("tls1.2", "TLS 1.2", TLSR_PROTO_TLS12,
		       "the OS default: off on Windows 7 / Server 2008 R2, on "
		       "from Windows 8 / Server 2012 on",
		       "the OS default: not used on Windows 7 / Server 2008 "
		       "R2, used from Windows 8 / Server 2012 on"),
	SCHANNEL_PROTO("tls1.3", "TLS 1.3", TLSR_PROTO_TLS13,
		       "the OS default: on from Windows 11 / Server 2022 on, "
		       "unavailable before",
		       "the OS default: used from Windows 11 / Server 2022 "
		       "on, unavailable before"),
	DOTNET_ROWS("v2.0.50727"),
	DOTNET_ROWS("v4.0.30319"),
};

/* clang-format on */

const size_t tlsr_settings_count =
    sizeof tlsr_settings / sizeof tlsr_settings[0];

/* Looks a row up by its stable id. */
const struct tlsr_setting *tlsr_setting_find(const char *id)
{
	size_t i;

	if (id == NULL)
		return NULL;
	for (i = 0; i < tlsr_settings_count; i++)
		if (strcmp(tlsr_settings[i].id, id) == 0)
			return &tlsr_settings[i];
	return NULL;
}

/* Lower-case component name as reports spell it. */
const char *tlsr_component_name(enum tlsr_component c)
{
	switch (c) {
	case TLSR_COMP_WINHTTP:
		return "winhttp";
	case TLSR_COMP_SCHANNEL:
		return "schannel";
	case TLSR_COMP_DOTNET:
		return "dotnet";
	default:
		return "unknown";
	}
}

static const struct {
	const char *name;
	const char *schannel;
	uint32_t winhttp;
} protos[TLSR_PROTO_COUNT] = {
    [TLSR_PROTO_SSL2] = {"ssl2", "SSL 2.0", 0x0008},
    [TLSR_PROTO_SSL3] = {"ssl3", "SSL 3.0", 0x0020},
    [TLSR_PROTO_TLS10] = {"tls1.0", "TLS 1.0", 0x0080},
    [TLSR_PROTO_TLS11] = {"tls1.1", "TLS 1.1", 0x0200},
    [TLSR_PROTO_TLS12] = {"tls1.2", "TLS 1.2", 0x0800},
    [TLSR_PROTO_TLS13] = {"tls1.3", "TLS 1.3", 0x2000},
};

/* Policy spelling of a protocol ("tls1.2"). */
const char *tlsr_proto_name(enum tlsr_proto p)
{
	if ((unsigned)p >= TLSR_PROTO_COUNT)
		return "unknown";
	return protos[p].name;
}

/* ASCII lower case of c. */
static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII-only, so the result is the same in every locale and on Windows. */
static int name_equal(const char *a, const char *b)
{
	while (*a != '\0' && ascii_lower((unsigned char)*a) ==
				 ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* Parses a policy protocol name, ignoring case. */
int tlsr_proto_parse(const char *name, enum tlsr_proto *out)
{
	unsigned i;

	if (name == NULL)
		return -1;
	for (i = 0; i < TLSR_PROTO_COUNT; i++) {
		if (name_equal(name, protos[i].name)) {
			if (out != NULL)
				*out = (enum tlsr_proto)i;
			return 0;
		}
	}
	return -1;
}

/* SChannel's key name for a protocol ("TLS 1.2"). */
const char *tlsr_proto_schannel_name(enum tlsr_proto p)
{
	if ((unsigned)p >= TLSR_PROTO_COUNT)
		return "unknown";
	return protos[p].schannel;
}

/* The protocol's DefaultSecureProtocols bit, 0 for an unknown protocol. */
uint32_t tlsr_proto_winhttp_bit(enum tlsr_proto p)
{
	if ((unsigned)p >= TLSR_PROTO_COUNT)
		return 0;
	return protos[p].winhttp;
}

/* Lists the protocols of a WinHTTP mask; unknown bits are shown in hex. */
void tlsr_winhttp_describe(uint32_t mask, char *buf, size_t size)
{
	size_t len = 0;
	unsigned i;
	int n;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < TLSR_PROTO_COUNT; i++) {
		if (!(mask & protos[i].winhttp))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? " " : "",
			     protos[i].name);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += (size_t)n;
	}
	if (mask & ~TLSR_WINHTTP_KNOWN_BITS) {
		n = snprintf(buf + len, size - len, "%sunknown 0x%x",
			     len ? " " : "", mask & ~TLSR_WINHTTP_KNOWN_BITS);
		if (n < 0 || (size_t)n >= size - len)
			return;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, size, "none");
}
