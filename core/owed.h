/* tlsward: the restart-owed ledger.
 *
 * One rule for every code path: a change owes a restart when the value in
 * effect at this boot differs from what tlsward wrote. The ledger lives under
 * HKLM\TLSR_KEY_RESTART (64-bit view), one subkey per owed item, named by the
 * item id ("schannel.tls1.2.client.enabled", "...@32" for the 32-bit view):
 *   BootId        REG_SZ  the boot in which the first write was made
 *                         ("" = unknown: written offline)
 *   Before        the value in effect at that boot, with its own type and
 *                 data, when it existed
 *   BeforeAbsent  REG_DWORD 1 when the value did not exist at that boot
 * An entry with neither Before nor BeforeAbsent (a write interrupted half
 * way) stays owed: its at-boot value is unknown, so no later write can
 * prove the restart unnecessary.
 *
 * Boot ids: a known boot id that differs from an entry's means the machine
 * has restarted since the write, so the entry no longer counts. An unknown
 * boot id (NULL or "") never settles anything: fail closed. Every call reads
 * and writes only through the registry function table. */
#ifndef TLSR_OWED_H
#define TLSR_OWED_H

#include <stddef.h>

#include "error.h"
#include "names.h"
#include "registry.h"

/* Records a write of item_id that needs a restart, before the write is made
 * (so a failure in between leaves a restart owed, never a change no restart
 * applies). before is the value now in the registry (NULL: absent), after
 * the value about to be written (NULL: about to be deleted). The first write
 * in a boot records before; later writes in the same boot keep it, and a
 * write that restores the at-boot value removes the entry. A write equal to
 * before with no entry owes nothing. Every ledger write is read back. */
tlsr_err tlsr_owed_note_write(struct tlsr_registry *reg, const char *boot_id,
			      const char *item_id,
			      const struct tlsr_value *before,
			      const struct tlsr_value *after);

/* Called once a boot (service start) with this boot's id: entries made in
 * another known boot are removed (the restart happened); entries with an
 * unknown boot id are stamped with this one, so the next restart settles
 * them. An unknown boot_id (NULL or "") changes nothing. */
tlsr_err tlsr_owed_settle(struct tlsr_registry *reg, const char *boot_id);

/* *out = 1 when some item still owes a restart at boot boot_id: an entry
 * counts unless both its boot id and boot_id are known and differ (that
 * entry is settled, whether or not tlsr_owed_settle has removed it yet). */
tlsr_err tlsr_owed_any(struct tlsr_registry *reg, const char *boot_id,
		       int *out);

/* *out = 1 when item_id owes a restart at boot boot_id (same rule). */
tlsr_err tlsr_owed_has(struct tlsr_registry *reg, const char *boot_id,
		       const char *item_id, int *out);

/* The ids of the items that owe a restart, as a REG_MULTI_SZ-shaped UTF-8
 * list into buf ("id\0id\0\0"; "\0\0" when none); *count gets their number.
 * TLSR_ERANGE when buf is too small (buf then holds the ids that fit). */
tlsr_err tlsr_owed_list(struct tlsr_registry *reg, const char *boot_id,
			char *buf, size_t size, size_t *count);

#endif
