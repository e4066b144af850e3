/* tlsward: facts only the running Windows system knows (Windows builds
 * only). */
#ifndef TLSR_FACTS_WIN_H
#define TLSR_FACTS_WIN_H

#include "tlsr.h"

/* Overlays on f, which the caller owns and has usually filled with
 * tlsr_facts_read: the OS version, service pack and product type from
 * RtlGetVersion; x64 on a 64-bit build; and KB3140245 from the file versions
 * of %SystemRoot%\System32\winhttp.dll and webio.dll against the OS row's
 * thresholds (NT 6.1 and 6.2). Otherwise the registry's answer (Component
 * Based Servicing) stands and kb3140245_source says why. Never fails: what cannot be learnt is left
 * as it was. Also fills boot_id (tlsr_win_boot_id). */
void tlsr_facts_live(struct tlsr_facts *f);

/* This boot's id into buf (the volatile key HKLM\SOFTWARE\tlsward\Boot,
 * value Id, made by whichever of the service and the CLI reads it first),
 * or "" when it cannot be had. facts->boot_id comes from here. */
void tlsr_win_boot_id(char *buf, size_t size);

#endif
