/* tlsward: what the CLI needs from the platform it runs on. Off Windows
 * (platform_posix.c) there is no live registry and no service; on Windows
 * the service files implement these. */
#ifndef TLSR_PLATFORM_H
#define TLSR_PLATFORM_H

#include "tlsr.h"

/* Opens the live registry. TLSR_EUNSUPPORTED off Windows; diag says why.
 * Caller destroys *out. */
tlsr_err tlsr_platform_live_registry(struct tlsr_registry **out,
				     struct tlsr_diag *diag);

/* Overlays what only the running system knows (RtlGetVersion, winhttp.dll's
 * file version) on facts read from the registry. No-op off Windows. */
void tlsr_platform_live_facts(struct tlsr_facts *facts);

/* Runs a command that exists only on Windows: "service" (install,
 * uninstall, run) and "run" (--console). Returns the process exit code;
 * off Windows prints why it cannot and returns 2. argv[0] is the command. */
int tlsr_platform_command(int argc, char **argv);

/* Where the service keeps its files (%ProgramData%\tlsward on Windows). */
void tlsr_platform_data_dir(char *buf, size_t size);

/* Expands %VARIABLES% of in into out: 0, or -1 when it cannot (off
 * Windows, always). ctx is unused (the signature of env.h's expand). */
int tlsr_platform_expand(void *ctx, const char *in, char *out, size_t size);

#endif
