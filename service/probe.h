/* tlsward: `tlsward probe`, the proof on the wire. The command, its output
 * and its exit codes are portable (probe.c); the handshakes themselves are
 * the platform's prober (service/win/probe_win.c: WinHTTP and SChannel).
 * Off Windows there is no prober and the command says so. */
#ifndef TLSR_PROBE_H
#define TLSR_PROBE_H

#include <stddef.h>

#include "proof.h"

/* Exit codes of `tlsward probe`. */
enum {
	TLSR_PROBE_EXIT_PROVEN = 0,      /* every endpoint proven */
	TLSR_PROBE_EXIT_FAILED = 1,      /* some endpoint not proven */
	TLSR_PROBE_EXIT_USAGE = 2,       /* usage or input error */
	TLSR_PROBE_EXIT_UNREACHABLE = 3, /* some endpoint not reached, none
					  * failed otherwise */
	TLSR_PROBE_EXIT_RECORD = 4,      /* --record could not store a result */
};

struct tlsr_prober {
	/* Probes u with every method into out (out->url is set by the
	 * caller). insecure: certificate errors are not checked. */
	void (*run)(void *data, const struct tlsr_url *u, int insecure,
		    struct tlsr_probe_endpoint *out);
	void *data;
};

/* The platform's prober, or NULL where there is none. */
const struct tlsr_prober *tlsr_platform_prober(void);

/* Windows (probe_win.c): runs `tlsward probe --record` for p's endpoints
 * in a child process, so that SChannel reads its settings afresh, with its
 * output in log_path (UTF-8; replaced each time). Waits until the child
 * exits, stop (an event HANDLE, may be NULL) is signalled, or a deadline
 * (30 s plus 25 s per endpoint) passes; a child still running then is
 * ended. Returns the child's exit code, or -1 with why. */
int tlsr_probe_child(const struct tlsr_policy *p, const char *log_path,
		     void *stop, char *why, size_t size);

/* Runs `tlsward probe` (argv[0] is "probe") with prober pr (NULL: the
 * command runs only on Windows). Returns the exit code. */
int tlsr_probe_command(int argc, char **argv, const struct tlsr_prober *pr);

/* The exit code for n probed endpoints. */
int tlsr_probe_exit_code(const struct tlsr_probe_endpoint *e, size_t n);

/* Text and JSON reports of n endpoints; malloc'd, the caller frees; NULL
 * when out of memory. */
char *tlsr_probe_text(const struct tlsr_probe_endpoint *e, size_t n,
		      int insecure);
char *tlsr_probe_json(const struct tlsr_probe_endpoint *e, size_t n,
		      int insecure);

#endif
