/* tlsward: what it manages, as data. One row per registry value the seeds
 * name; the engine expands rows into items (one per view) and never has code
 * for a particular setting. */
#ifndef TLSR_SETTINGS_H
#define TLSR_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

enum tlsr_component {
	TLSR_COMP_WINHTTP,
	TLSR_COMP_SCHANNEL,
	TLSR_COMP_DOTNET,
	TLSR_COMP_COUNT
};

enum tlsr_proto {
	TLSR_PROTO_SSL2,
	TLSR_PROTO_SSL3,
	TLSR_PROTO_TLS10,
	TLSR_PROTO_TLS11,
	TLSR_PROTO_TLS12,
	TLSR_PROTO_TLS13,
	TLSR_PROTO_COUNT
};
#define TLSR_PROTO_BIT(p) (1u << (p))

enum tlsr_side {
	TLSR_SIDE_CLIENT = 1,
	TLSR_SIDE_SERVER = 2,
};

enum tlsr_restart_rule {
	TLSR_RESTART_NONE,
	/* Takes effect only after a restart (SChannel keeps its credential
	 * handles, .NET and WinHTTP read their values when they start): a
	 * write owes one (core/owed.h). */
	TLSR_RESTART_REQUIRED,
};

/* What a row's value means, so the engine knows how to derive the wanted
 * data from a policy and the OS default from the facts. */
enum tlsr_setting_kind {
	TLSR_KIND_WINHTTP_DSP,       /* DefaultSecureProtocols bit mask */
	TLSR_KIND_SCHANNEL_ENABLED,  /* Enabled: non-zero = on */
	TLSR_KIND_SCHANNEL_DBD,      /* DisabledByDefault */
	TLSR_KIND_DOTNET_STRONG,     /* SchUseStrongCrypto */
	TLSR_KIND_DOTNET_SYSDEFAULT, /* SystemDefaultTlsVersions */
};

/* View masks for a row. */
#define TLSR_VIEWS_ONE 0u  /* not redirected: one item, view NONE */
#define TLSR_VIEWS_BOTH 3u /* 64-bit and 32-bit views: two items */

struct tlsr_setting {
	const char *id; /* stable, e.g. "schannel.tls1.2.client.enabled" */
	enum tlsr_component component;
	enum tlsr_setting_kind kind;
	const char *key;  /* HKLM-relative, never Wow6432Node */
	const char *name; /* value name */
	uint32_t type;    /* TLSR_REG_DWORD for every row today */
	unsigned views;   /* TLSR_VIEWS_ONE or TLSR_VIEWS_BOTH */
	enum tlsr_proto proto; /* SChannel rows */
	enum tlsr_side side;   /* SChannel rows */
	const char *framework; /* .NET rows: "v2.0.50727", "v4.0.30319" */
	enum tlsr_restart_rule restart;
	const char *absent; /* what the OS does when the value is absent */
};

/* The table, in apply order of components (WinHTTP, SChannel, .NET). */
extern const struct tlsr_setting tlsr_settings[];
extern const size_t tlsr_settings_count;

/* Row by id (case-sensitive), or NULL. */
const struct tlsr_setting *tlsr_setting_find(const char *id);

const char *tlsr_component_name(enum tlsr_component c); /* "winhttp" */

/* Protocol names as policies spell them: ssl2 ssl3 tls1.0 tls1.1 tls1.2
 * tls1.3. */
const char *tlsr_proto_name(enum tlsr_proto p);
/* Case-insensitive; returns 0 and sets *out, or -1. */
int tlsr_proto_parse(const char *name, enum tlsr_proto *out);
/* SChannel key name: "SSL 2.0" ... "TLS 1.3". */
const char *tlsr_proto_schannel_name(enum tlsr_proto p);
/* WinHTTP DefaultSecureProtocols bit (0x0008 ... 0x2000). */
uint32_t tlsr_proto_winhttp_bit(enum tlsr_proto p);
/* Every DefaultSecureProtocols bit tlsward knows. */
#define TLSR_WINHTTP_KNOWN_BITS 0x2AA8u

/* Writes a mask of WinHTTP bits as "ssl3 tls1.0 ..." into buf. */
void tlsr_winhttp_describe(uint32_t mask, char *buf, size_t size);

#endif
