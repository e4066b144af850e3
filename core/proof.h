/* tlsward: the proof on the wire. `tlsward probe` makes a real TLS
 * handshake to each endpoint the policy lists; this module judges what a
 * probe saw, keeps the judgement under HKLM\SOFTWARE\tlsward\Proof (one
 * REG_SZ per endpoint URL), and answers the legacy-off step's question: has
 * every listed endpoint been reached with TLS 1.2 or later since this boot?
 * Portable: everything goes through the registry function table. */
#ifndef TLSR_PROOF_H
#define TLSR_PROOF_H

#include <stddef.h>

#include "tlsr.h"

/* Keys: TLSR_KEY_PROOF, and TLSR_KEY_BOOT (value TLSR_BOOT_ID, this boot's
 * id, volatile) in names.h. */

/* ---- endpoints ---- */

struct tlsr_url {
	char host[256]; /* name or address, without brackets */
	unsigned port;  /* 443 when the URL names none */
	char path[TLSR_PROOF_URL_MAX]; /* from the first '/', "/" when none */
};

/* Parses an https URL: "https://" host [":" port] [path]. No user info, no
 * fragment, no spaces or control characters. Returns 0, or -1 with the
 * reason in why. */
int tlsr_url_parse(const char *url, struct tlsr_url *out, char *why,
		   size_t size);

/* ---- what one probe saw ---- */

enum tlsr_probe_status {
	TLSR_PROBE_OK,          /* handshake done, the certificate trusted */
	TLSR_PROBE_TRUST,       /* handshake done, the certificate not trusted */
	TLSR_PROBE_PROTOCOL,    /* the TLS handshake failed */
	TLSR_PROBE_UNREACHABLE, /* no connection: name, route, refused, timeout */
	TLSR_PROBE_ERROR,       /* a local failure before any handshake */
};
/* "ok", "trust", "protocol", "unreachable", "error". */
const char *tlsr_probe_status_name(enum tlsr_probe_status s);

/* One method (WinHTTP, or SChannel through SSPI) against one endpoint. */
struct tlsr_probe_method {
	enum tlsr_probe_status status;
	unsigned long error;  /* the Windows error code; 0 on success */
	char error_text[256]; /* its text, "" on success */
	char protocol[16];    /* "tls1.2", ...; "" when the OS does not say */
	char cipher[96];      /* negotiated cipher suite, "" when unknown */
	unsigned long ms;     /* time taken */
	int http_status;      /* WinHTTP: the response's status; 0 otherwise */
};

struct tlsr_probe_endpoint {
	char url[TLSR_PROOF_URL_MAX];
	struct tlsr_probe_method winhttp;
	struct tlsr_probe_method schannel;
};

/* 1 when the endpoint proves TLS 1.2: both methods completed a handshake
 * (a certificate trust error still completes one), at least one of them
 * says it negotiated TLS 1.2 or later, and none says an older protocol.
 * Otherwise 0, with the reason in why. */
int tlsr_probe_endpoint_proven(const struct tlsr_probe_endpoint *e, char *why,
			       size_t size);

/* ---- what is kept ---- */

struct tlsr_proof_record {
	int proven;
	char protocol[16];  /* best protocol seen, "" when none */
	char time[32];      /* ISO 8601 UTC of the probe */
	char boot_id[64];   /* the boot it ran in, "" when unknown */
	char detail[256];   /* why it failed, or how it succeeded */
};

/* Judges e and stores the record under TLSR_KEY_PROOF, value e->url, read
 * back to verify. time is ISO 8601 UTC; boot_id "" when unknown. The
 * record is filled into *out when out is not NULL. */
tlsr_err tlsr_proof_record(struct tlsr_registry *reg,
			   const struct tlsr_probe_endpoint *e,
			   const char *time, const char *boot_id,
			   struct tlsr_proof_record *out);

/* Reads the record kept for url. TLSR_ENOTFOUND when there is none,
 * TLSR_EPARSE when the value is not one tlsward wrote. */
tlsr_err tlsr_proof_read(struct tlsr_registry *reg, const char *url,
			 struct tlsr_proof_record *out);

/* This boot's id as the service keeps it (TLSR_KEY_BOOT); "" when the key
 * is absent, as in an exported .reg file. */
void tlsr_proof_boot_id(struct tlsr_registry *reg, char *buf, size_t size);

/* 1 when every endpoint of p->proof has a proven record from boot boot_id
 * (NULL: read it with tlsr_proof_boot_id). An unknown boot id ("") never
 * satisfies. A policy with no endpoints is satisfied (there is nothing to
 * prove). Otherwise 0 with the first reason in why. */
int tlsr_proof_satisfied(struct tlsr_registry *reg,
			 const struct tlsr_policy *p, const char *boot_id,
			 char *why, size_t size);

/* What Status shows of the last proof: every endpoint proven this boot,
 * and the endpoint to name (the first one not proven, else the most
 * recently probed) with its record. has_record 0 when nothing was probed. */
struct tlsr_proof_summary {
	int proven;
	int has_record;
	char endpoint[TLSR_PROOF_URL_MAX];
	struct tlsr_proof_record record;
	char why[1024]; /* when not proven */
};
void tlsr_proof_summarize(struct tlsr_registry *reg,
			  const struct tlsr_policy *p, const char *boot_id,
			  struct tlsr_proof_summary *out);

#endif
