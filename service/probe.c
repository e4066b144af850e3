/* tlsward: `tlsward probe` (probe.h): arguments, endpoints from the
 * command line or the policy, the reports, the exit code, and --record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform.h"
#include "policy.h"
#include "probe.h"
#include "strbuf.h"

static const char usage_probe[] =
	"usage: tlsward probe [URL...] [--policy FILE] [--format text|json]\n"
	"                     [--insecure] [--record]\n"
	"\n"
	"Proves on the wire that this computer reaches each https URL with\n"
	"TLS 1.2: a WinHTTP GET as the Configuration Manager client makes it\n"
	"(the system's default protocols, none forced) and a direct SChannel\n"
	"handshake with default credentials (as .NET does with\n"
	"SystemDefaultTlsVersions). For each endpoint and method it reports\n"
	"success or the Windows error with its text, the negotiated protocol\n"
	"and cipher suite where Windows tells them, and the time taken. Windows\n"
	"only.\n"
	"\n"
	"  URL...           https://host[:port]/path endpoints to probe\n"
	"  --policy FILE    also probe the policy's proof.endpoints\n"
	"  --format F       text (default) or json\n"
	"  --insecure       do not check the server's certificate. For labs\n"
	"                   only: it proves the protocol, never the server\n"
	"  --record         keep the results under HKLM\\SOFTWARE\\tlsward\\Proof\n"
	"                   (what the service does; needs administrator rights)\n"
	"\n"
	"An untrusted certificate is reported as a trust error; the handshake\n"
	"got through, so it does not count as a protocol failure.\n"
	"\n"
	"Exit codes: 0 every endpoint proven (TLS 1.2 or later negotiated), 1\n"
	"some endpoint not proven (handshake failed, or an older protocol), 3\n"
	"some endpoint not reached (and none failed otherwise), 4 --record could\n"
	"not store a result, 2 usage or input error.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tlsward probe: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tlsward probe --help'.\n");
	return TLSR_PROBE_EXIT_USAGE;
}

int tlsr_probe_exit_code(const struct tlsr_probe_endpoint *e, size_t n)
{
	int failed = 0, unreached = 0;
	char why[256];
	size_t i;

	for (i = 0; i < n; i++) {
		if (tlsr_probe_endpoint_proven(&e[i], why, sizeof why))
			continue;
		if ((e[i].winhttp.status == TLSR_PROBE_UNREACHABLE ||
		     e[i].winhttp.status == TLSR_PROBE_ERROR) &&
		    (e[i].schannel.status == TLSR_PROBE_UNREACHABLE ||
		     e[i].schannel.status == TLSR_PROBE_ERROR))
			unreached = 1;
		else
			failed = 1;
	}
	if (failed)
		return TLSR_PROBE_EXIT_FAILED;
	return unreached ? TLSR_PROBE_EXIT_UNREACHABLE : TLSR_PROBE_EXIT_PROVEN;
}

static void text_method(struct tlsr_sb *b, const char *name,
			const struct tlsr_probe_method *m, int insecure)
{
	tlsr_sb_printf(b, "  %-9s %-12s protocol %-7s", name,
		       tlsr_probe_status_name(m->status),
		       m->protocol[0] ? m->protocol : "-");
	if (m->cipher[0])
		tlsr_sb_printf(b, " cipher %s", m->cipher);
	if (m->http_status)
		tlsr_sb_printf(b, " HTTP %d", m->http_status);
	tlsr_sb_printf(b, " %lu ms\n", m->ms);
	if (m->status == TLSR_PROBE_TRUST)
		tlsr_sb_printf(b, "            certificate not trusted: %lu (0x%08lX) %s\n",
			       m->error, m->error, m->error_text);
	else if (m->status != TLSR_PROBE_OK)
		tlsr_sb_printf(b, "            error %lu (0x%08lX): %s\n",
			       m->error, m->error, m->error_text);
	else if (insecure)
		tlsr_sb_puts(b, "            certificate not checked "
				"(--insecure)\n");
}

char *tlsr_probe_text(const struct tlsr_probe_endpoint *e, size_t n,
		      int insecure)
{
	struct tlsr_sb b = {0};
	char why[256];
	size_t i;

	for (i = 0; i < n; i++) {
		int ok = tlsr_probe_endpoint_proven(&e[i], why, sizeof why);

		tlsr_sb_printf(&b, "%s: ", e[i].url);
		if (ok)
			tlsr_sb_printf(&b, "proven (%s)\n",
				       e[i].schannel.protocol[0]
					   ? e[i].schannel.protocol
					   : e[i].winhttp.protocol);
		else
			tlsr_sb_printf(&b, "NOT proven: %s\n", why);
		text_method(&b, "WinHTTP", &e[i].winhttp, insecure);
		text_method(&b, "SChannel", &e[i].schannel, insecure);
	}
	return tlsr_sb_finish(&b);
}

static void json_method(struct tlsr_sb *b, const struct tlsr_probe_method *m)
{
	tlsr_sb_puts(b, "{\"result\": ");
	tlsr_sb_json(b, tlsr_probe_status_name(m->status));
	tlsr_sb_printf(b, ", \"error\": %lu, \"error_text\": ", m->error);
	tlsr_sb_json(b, m->error_text);
	tlsr_sb_puts(b, ", \"protocol\": ");
	if (m->protocol[0])
		tlsr_sb_json(b, m->protocol);
	else
		tlsr_sb_puts(b, "null");
	tlsr_sb_puts(b, ", \"cipher\": ");
	if (m->cipher[0])
		tlsr_sb_json(b, m->cipher);
	else
		tlsr_sb_puts(b, "null");
	tlsr_sb_printf(b, ", \"ms\": %lu", m->ms);
	if (m->http_status)
		tlsr_sb_printf(b, ", \"http_status\": %d", m->http_status);
	tlsr_sb_puts(b, "}");
}

char *tlsr_probe_json(const struct tlsr_probe_endpoint *e, size_t n,
		      int insecure)
{
	struct tlsr_sb b = {0};
	char why[256];
	int all = 1;
	size_t i;

	tlsr_sb_printf(&b, "{\"insecure\": %s, \"endpoints\": [",
		       insecure ? "true" : "false");
	for (i = 0; i < n; i++) {
		int ok = tlsr_probe_endpoint_proven(&e[i], why, sizeof why);

		all &= ok;
		tlsr_sb_puts(&b, i ? ", {\"url\": " : "{\"url\": ");
		tlsr_sb_json(&b, e[i].url);
		tlsr_sb_printf(&b, ", \"proven\": %s, \"reason\": ",
			       ok ? "true" : "false");
		tlsr_sb_json(&b, ok ? "" : why);
		tlsr_sb_puts(&b, ", \"winhttp\": ");
		json_method(&b, &e[i].winhttp);
		tlsr_sb_puts(&b, ", \"schannel\": ");
		json_method(&b, &e[i].schannel);
		tlsr_sb_puts(&b, "}");
	}
	tlsr_sb_printf(&b, "], \"proven\": %s, \"exit_code\": %d}\n",
		       all && n > 0 ? "true" : "false",
		       tlsr_probe_exit_code(e, n));
	return tlsr_sb_finish(&b);
}

/* Adds url once; returns 0, or an exit code after saying why. */
static int add_endpoint(struct tlsr_probe_endpoint *e, size_t *n,
			const char *url)
{
	struct tlsr_url u;
	char why[128];
	size_t i;

	if (tlsr_url_parse(url, &u, why, sizeof why) < 0) {
		fprintf(stderr, "tlsward probe: %s: %s\n", url, why);
		return TLSR_PROBE_EXIT_USAGE;
	}
	for (i = 0; i < *n; i++)
		if (strcmp(e[i].url, url) == 0)
			return 0;
	if (*n >= TLSR_PROOF_MAX_ENDPOINTS * 2) {
		fprintf(stderr, "tlsward probe: at most %u endpoints\n",
			TLSR_PROOF_MAX_ENDPOINTS * 2);
		return TLSR_PROBE_EXIT_USAGE;
	}
	snprintf(e[*n].url, sizeof e[*n].url, "%s", url);
	(*n)++;
	return 0;
}

static void now_iso(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm *tm = gmtime(&t);

	if (tm == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", tm) == 0)
		snprintf(buf, size, "unknown");
}

/* Stores every result in the live registry; returns 0 or an exit code. */
static int record(const struct tlsr_probe_endpoint *e, size_t n)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_facts facts;
	struct tlsr_diag diag;
	char boot[64], when[32];
	tlsr_err err;
	size_t i;
	int rc = 0;

	err = tlsr_platform_live_registry(&reg, &diag);
	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward probe: --record: %s\n", diag.message);
		return TLSR_PROBE_EXIT_RECORD;
	}
	/* This boot's id as the engine sees it (the live facts make it on the
	 * first read of a boot); else what the Boot key holds. */
	memset(&facts, 0, sizeof facts);
	tlsr_platform_live_facts(&facts);
	snprintf(boot, sizeof boot, "%s", facts.boot_id);
	if (boot[0] == '\0')
		tlsr_proof_boot_id(reg, boot, sizeof boot);
	now_iso(when, sizeof when);
	for (i = 0; i < n; i++) {
		err = tlsr_proof_record(reg, &e[i], when, boot, NULL);
		if (err != TLSR_OK) {
			fprintf(stderr,
				"tlsward probe: --record: cannot store the "
				"result for %s: %s%s%s\n",
				e[i].url, tlsr_strerror(err),
				reg->message[0] ? ": " : "", reg->message);
			rc = TLSR_PROBE_EXIT_RECORD;
		}
	}
	tlsr_registry_destroy(reg);
	return rc;
}

int tlsr_probe_command(int argc, char **argv, const struct tlsr_prober *pr)
{
	struct tlsr_probe_endpoint *e;
	const char *policy = NULL;
	int json = 0, insecure = 0, rec = 0, rc = 0, i;
	size_t n = 0, k;
	char *out;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_probe, stdout);
			return 0;
		}
	}
	if (pr == NULL) {
		fprintf(stderr, "tlsward: 'probe' runs only on Windows: it "
				"makes real handshakes with the computer's own "
				"TLS stack (see tlsward probe --help)\n");
		return TLSR_PROBE_EXIT_USAGE;
	}
	e = calloc(TLSR_PROOF_MAX_ENDPOINTS * 2, sizeof *e);
	if (e == NULL) {
		fprintf(stderr, "tlsward probe: out of memory\n");
		return TLSR_PROBE_EXIT_USAGE;
	}
	for (i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--insecure")) {
			insecure = 1;
		} else if (!strcmp(a, "--record")) {
			rec = 1;
		} else if (!strcmp(a, "--format") || !strcmp(a, "--policy")) {
			if (i + 1 >= argc) {
				rc = usage_error("%s needs a value", a);
			} else if (!strcmp(a, "--policy")) {
				policy = argv[++i];
			} else {
				a = argv[++i];
				if (!strcmp(a, "json"))
					json = 1;
				else if (!strcmp(a, "text"))
					json = 0;
				else
					rc = usage_error("unknown format '%s' "
							 "(text, json)",
							 a);
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			rc = usage_error("unknown option '%s'", a);
		} else {
			rc = add_endpoint(e, &n, a);
		}
	}
	if (rc == 0 && policy != NULL) {
		struct tlsr_policy *p = malloc(sizeof *p);
		struct tlsr_diag diag;
		char msg[1200];

		if (p == NULL) {
			rc = TLSR_PROBE_EXIT_USAGE;
		} else if (tlsr_policy_load_file(policy, p, &diag) != TLSR_OK) {
			tlsr_diag_format(&diag, msg, sizeof msg);
			fprintf(stderr, "tlsward probe: %s\n", msg);
			rc = TLSR_PROBE_EXIT_USAGE;
		} else {
			for (k = 0; k < p->proof.n_endpoints && rc == 0; k++)
				rc = add_endpoint(e, &n, p->proof.endpoints[k]);
			if (rc == 0 && p->proof.n_endpoints == 0 && n == 0) {
				fprintf(stderr, "tlsward probe: %s lists no "
						"proof.endpoints\n",
					policy);
				rc = TLSR_PROBE_EXIT_USAGE;
			}
		}
		free(p);
	}
	if (rc == 0 && n == 0)
		rc = usage_error("%s", "give at least one https URL, or "
				       "--policy FILE with proof.endpoints");
	if (rc != 0) {
		free(e);
		return rc;
	}
	for (k = 0; k < n; k++) {
		struct tlsr_url u;
		char why[128];

		tlsr_url_parse(e[k].url, &u, why, sizeof why);
		pr->run(pr->data, &u, insecure, &e[k]);
	}
	out = json ? tlsr_probe_json(e, n, insecure)
		   : tlsr_probe_text(e, n, insecure);
	if (out == NULL) {
		fprintf(stderr, "tlsward probe: out of memory\n");
		free(e);
		return TLSR_PROBE_EXIT_USAGE;
	}
	fputs(out, stdout);
	fflush(stdout);
	free(out);
	rc = tlsr_probe_exit_code(e, n);
	if (rec && record(e, n) != 0)
		rc = TLSR_PROBE_EXIT_RECORD;
	free(e);
	return rc;
}
