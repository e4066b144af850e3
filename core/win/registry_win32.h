/* tlsward: the live Windows registry as a tlsr_registry backend (Windows
 * builds only). Paths are opened below HKEY_LOCAL_MACHINE; TLSR_VIEW_32
 * selects the 32-bit view (KEY_WOW64_32KEY), TLSR_VIEW_64 and
 * TLSR_VIEW_NONE the 64-bit one (KEY_WOW64_64KEY). A failed call leaves its
 * LSTATUS in reg->sys_code and the system's text in reg->message. */
#ifndef TLSR_REGISTRY_WIN32_H
#define TLSR_REGISTRY_WIN32_H

#include "registry.h"

/* A backend named "win32" on the live registry; NULL when out of memory.
 * Keys it opens hold a registry handle until close_key. The caller
 * destroys it with tlsr_registry_destroy, after closing its keys. */
struct tlsr_registry *tlsr_registry_win32_new(void);

/* The Reg* API calls the backend has made, by kind (each one a round trip
 * to wineserver under Wine); zeros for another backend. */
void tlsr_registry_win32_counts(const struct tlsr_registry *reg,
				struct tlsr_reg_counts *out);

#endif
