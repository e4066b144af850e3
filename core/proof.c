/* tlsward: judging, keeping and reading proofs on the wire (proof.h). */
#include "proof.h"

#include <stdio.h>
#include <string.h>

/* Field separator of a kept record; the detail comes last and may hold it. */
#define SEP '|'

int tlsr_url_parse(const char *url, struct tlsr_url *out, char *why,
		   size_t size)
{
	static const char scheme[] = "https://";
	const char *h, *end, *colon = NULL, *p;
	size_t n;

	memset(out, 0, sizeof *out);
	for (p = url; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7F || c == '"') {
			snprintf(why, size, "a URL has no spaces, quotes or "
					    "control characters");
			return -1;
		}
	}
	if ((size_t)(p - url) >= TLSR_PROOF_URL_MAX) {
		snprintf(why, size, "the URL is longer than %u bytes",
			 TLSR_PROOF_URL_MAX - 1);
		return -1;
	}
	for (n = 0; n < sizeof scheme - 1; n++) {
		char c = url[n];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != scheme[n]) {
			snprintf(why, size, "the URL must start with https://");
			return -1;
		}
	}
	h = url + sizeof scheme - 1;
	end = h + strcspn(h, "/?#");
	if (*end == '?' || *end == '#' || memchr(h, '@', (size_t)(end - h))) {
		snprintf(why, size, "the URL must be https://host[:port]/path, "
				    "without user name, query before the path "
				    "or fragment");
		return -1;
	}
	if (strchr(url, '#') != NULL) {
		snprintf(why, size, "the URL must not have a #fragment");
		return -1;
	}
	if (*h == '[') { /* IPv6 literal */
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (close == NULL || close == h + 1) {
			snprintf(why, size, "the IPv6 address needs [brackets]");
			return -1;
		}
		n = (size_t)(close - h - 1);
		if (close + 1 < end) {
			if (close[1] != ':') {
				snprintf(why, size, "unexpected text after ]");
				return -1;
			}
			colon = close + 1;
		}
		if (n >= sizeof out->host)
			goto too_long;
		memcpy(out->host, h + 1, n);
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon ? colon : end) - h);
		if (n >= sizeof out->host)
			goto too_long;
		memcpy(out->host, h, n);
	}
	out->host[n] = '\0';
	if (out->host[0] == '\0') {
		snprintf(why, size, "the URL names no host");
		return -1;
	}
	out->port = 443;
	if (colon != NULL) {
		unsigned long v = 0;

		if (colon + 1 == end) {
			snprintf(why, size, "the port after ':' is missing");
			return -1;
		}
		for (p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9' || v > 65535) {
				snprintf(why, size, "the port must be a number "
						    "from 1 to 65535");
				return -1;
			}
			v = v * 10 + (unsigned long)(*p - '0');
		}
		if (v < 1 || v > 65535) {
			snprintf(why, size, "the port must be a number from 1 "
					    "to 65535");
			return -1;
		}
		out->port = (unsigned)v;
	}
	snprintf(out->path, sizeof out->path, "%s", *end ? end : "/");
	return 0;
too_long:
	snprintf(why, size, "the host name is longer than %zu bytes",
		 sizeof out->host - 1);
	return -1;
}

const char *tlsr_probe_status_name(enum tlsr_probe_status s)
{
	switch (s) {
	case TLSR_PROBE_OK:
		return "ok";
	case TLSR_PROBE_TRUST:
		return "trust";
	case TLSR_PROBE_PROTOCOL:
		return "protocol";
	case TLSR_PROBE_UNREACHABLE:
		return "unreachable";
	case TLSR_PROBE_ERROR:
		return "error";
	}
	return "error";
}

/* Rank of a protocol name: 0 unknown, higher is newer. */
static int proto_rank(const char *name)
{
	static const char *const names[] = {"ssl2",   "ssl3",   "tls1.0",
					    "tls1.1", "tls1.2", "tls1.3"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i + 1;
	return 0;
}

#define RANK_TLS12 5

static int handshake_done(const struct tlsr_probe_method *m)
{
	return m->status == TLSR_PROBE_OK || m->status == TLSR_PROBE_TRUST;
}

static void method_failure(const char *name, const struct tlsr_probe_method *m,
			   char *why, size_t size)
{
	const char *what = m->status == TLSR_PROBE_UNREACHABLE
				   ? "could not connect"
			   : m->status == TLSR_PROBE_ERROR
				   ? "could not run"
				   : "TLS handshake failed";

	if (m->error_text[0] != '\0')
		snprintf(why, size, "%s: %s (%lu: %s)", name, what, m->error,
			 m->error_text);
	else
		snprintf(why, size, "%s: %s (%lu)", name, what, m->error);
}

int tlsr_probe_endpoint_proven(const struct tlsr_probe_endpoint *e, char *why,
			       size_t size)
{
	const struct tlsr_probe_method *m[2] = {&e->winhttp, &e->schannel};
	static const char *const names[2] = {"WinHTTP", "SChannel"};
	int best = 0, i;

	for (i = 0; i < 2; i++) {
		if (!handshake_done(m[i])) {
			method_failure(names[i], m[i], why, size);
			return 0;
		}
	}
	for (i = 0; i < 2; i++) {
		int r = proto_rank(m[i]->protocol);

		if (r != 0 && r < RANK_TLS12) {
			snprintf(why, size, "%s negotiated %s, older than "
					    "TLS 1.2",
				 names[i], m[i]->protocol);
			return 0;
		}
		if (r > best)
			best = r;
	}
	if (best < RANK_TLS12) {
		snprintf(why, size, "no method reported the protocol it "
				    "negotiated");
		return 0;
	}
	if (size > 0)
		why[0] = '\0';
	return 1;
}

static const char *best_protocol(const struct tlsr_probe_endpoint *e)
{
	return proto_rank(e->schannel.protocol) >=
			       proto_rank(e->winhttp.protocol)
		   ? e->schannel.protocol
		   : e->winhttp.protocol;
}

/* Keeps a field free of the separator and of control characters. */
static void clean(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == SEP || (unsigned char)*s < 0x20)
			*s = ' ';
}

tlsr_err tlsr_proof_record(struct tlsr_registry *reg,
			   const struct tlsr_probe_endpoint *e,
			   const char *time, const char *boot_id,
			   struct tlsr_proof_record *out)
{
	struct tlsr_proof_record rec, back;
	char text[640], why[256];
	tlsr_err err;

	memset(&rec, 0, sizeof rec);
	rec.proven = tlsr_probe_endpoint_proven(e, why, sizeof why);
	snprintf(rec.protocol, sizeof rec.protocol, "%s", best_protocol(e));
	snprintf(rec.time, sizeof rec.time, "%s", time ? time : "");
	snprintf(rec.boot_id, sizeof rec.boot_id, "%s",
		 boot_id ? boot_id : "");
	if (rec.proven && (e->winhttp.status == TLSR_PROBE_TRUST ||
			   e->schannel.status == TLSR_PROBE_TRUST))
		snprintf(rec.detail, sizeof rec.detail,
			 "%s negotiated; the server's certificate is not "
			 "trusted here",
			 rec.protocol);
	else if (rec.proven)
		snprintf(rec.detail, sizeof rec.detail, "%s negotiated",
			 rec.protocol);
	else
		snprintf(rec.detail, sizeof rec.detail, "%s", why);
	clean(rec.protocol);
	clean(rec.time);
	clean(rec.boot_id);
	clean(rec.detail);
	snprintf(text, sizeof text, "%s%c%s%c%s%c%s%c%s",
		 rec.proven ? "proven" : "failed", SEP, rec.protocol, SEP,
		 rec.time, SEP, rec.boot_id, SEP, rec.detail);
	err = tlsr_reg_set_string(reg, TLSR_KEY_PROOF, TLSR_VIEW_64, e->url,
				  text);
	if (err != TLSR_OK)
		return err;
	err = tlsr_proof_read(reg, e->url, &back);
	if (err != TLSR_OK)
		return err;
	if (back.proven != rec.proven || strcmp(back.boot_id, rec.boot_id) ||
	    strcmp(back.time, rec.time))
		return TLSR_EVERIFY;
	if (out != NULL)
		*out = rec;
	return TLSR_OK;
}

/* Copies the field at *s up to the separator (or the end with last). */
static int take(const char **s, char *buf, size_t size, int last)
{
	const char *end = last ? *s + strlen(*s) : strchr(*s, SEP);
	size_t n;

	if (end == NULL)
		return -1;
	n = (size_t)(end - *s);
	if (n >= size)
		n = size - 1;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s = *end ? end + 1 : end;
	return 0;
}

tlsr_err tlsr_proof_read(struct tlsr_registry *reg, const char *url,
			 struct tlsr_proof_record *out)
{
	char text[1024], state[16];
	const char *s = text;
	tlsr_err err;

	memset(out, 0, sizeof *out);
	err = tlsr_reg_get_string(reg, TLSR_KEY_PROOF, TLSR_VIEW_64, url, text,
				  sizeof text);
	if (err == TLSR_ETYPE || err == TLSR_ERANGE)
		return TLSR_EPARSE;
	if (err != TLSR_OK)
		return err;
	if (take(&s, state, sizeof state, 0) < 0 ||
	    take(&s, out->protocol, sizeof out->protocol, 0) < 0 ||
	    take(&s, out->time, sizeof out->time, 0) < 0 ||
	    take(&s, out->boot_id, sizeof out->boot_id, 0) < 0 ||
	    take(&s, out->detail, sizeof out->detail, 1) < 0)
		return TLSR_EPARSE;
	if (strcmp(state, "proven") == 0)
		out->proven = 1;
	else if (strcmp(state, "failed") != 0)
		return TLSR_EPARSE;
	return TLSR_OK;
}

void tlsr_proof_boot_id(struct tlsr_registry *reg, char *buf, size_t size)
{
	if (tlsr_reg_get_string(reg, TLSR_KEY_BOOT, TLSR_VIEW_64,
				TLSR_BOOT_ID, buf, size) != TLSR_OK &&
	    size > 0)
		buf[0] = '\0';
}

/* Why one endpoint does not satisfy the proof; 1 when it does. */
static int endpoint_ok(struct tlsr_registry *reg, const char *url,
		       const char *boot, struct tlsr_proof_record *rec,
		       int *has, char *why, size_t size)
{
	tlsr_err err = tlsr_proof_read(reg, url, rec);

	*has = err == TLSR_OK;
	if (err == TLSR_ENOTFOUND) {
		snprintf(why, size, "%s has not been probed yet", url);
		return 0;
	}
	if (err != TLSR_OK) {
		snprintf(why, size, "the proof kept for %s cannot be read (%s)",
			 url, tlsr_strerror(err));
		return 0;
	}
	if (boot[0] == '\0') {
		snprintf(why, size, "this boot is unknown, so no proof of %s "
				    "can be from it",
			 url);
		return 0;
	}
	if (strcmp(rec->boot_id, boot) != 0) {
		snprintf(why, size, "%s has not been probed since the last "
				    "boot",
			 url);
		return 0;
	}
	if (!rec->proven) {
		snprintf(why, size, "%s: %s", url, rec->detail);
		return 0;
	}
	return 1;
}

int tlsr_proof_satisfied(struct tlsr_registry *reg,
			 const struct tlsr_policy *p, const char *boot_id,
			 char *why, size_t size)
{
	struct tlsr_proof_summary sum;

	tlsr_proof_summarize(reg, p, boot_id, &sum);
	if (size > 0)
		snprintf(why, size, "%s", sum.proven ? "" : sum.why);
	return sum.proven;
}

void tlsr_proof_summarize(struct tlsr_registry *reg,
			  const struct tlsr_policy *p, const char *boot_id,
			  struct tlsr_proof_summary *out)
{
	char boot[64], why[1024];
	struct tlsr_proof_record rec;
	int has, failed = 0;
	unsigned i;

	memset(out, 0, sizeof *out);
	/* One run of reads: the Proof key is opened once. */
	tlsr_reg_batch_begin(reg);
	if (boot_id == NULL)
		tlsr_proof_boot_id(reg, boot, sizeof boot);
	else
		snprintf(boot, sizeof boot, "%s", boot_id);
	out->proven = 1;
	for (i = 0; i < p->proof.n_endpoints; i++) {
		const char *url = p->proof.endpoints[i];
		int ok = endpoint_ok(reg, url, boot, &rec, &has, why,
				     sizeof why);

		if (!ok && !failed) {
			failed = 1;
			out->proven = 0;
			snprintf(out->why, sizeof out->why, "%s", why);
			snprintf(out->endpoint, sizeof out->endpoint, "%s",
				 url);
			out->has_record = has;
			out->record = rec;
		} else if (!failed && has &&
			   (!out->has_record ||
			    strcmp(rec.time, out->record.time) >= 0)) {
			snprintf(out->endpoint, sizeof out->endpoint, "%s",
				 url);
			out->has_record = 1;
			out->record = rec;
		}
	}
	tlsr_reg_batch_end(reg);
}
