/* tlsward: the keys a check reads, gathered from the tables that name them
 * (the settings table, the facts' keys, tlsward's own root), so that a .reg
 * export read for a check keeps a few dozen keys instead of the whole
 * machine. A key missing here costs time, never a wrong answer: the reader
 * reads the whole file when asked for anything it did not keep. */
#include "tlsr.h"

#include <string.h>

/* Adds a key unless out holds it already; counts it either way. */
static size_t add(struct tlsr_regfile_keep *out, size_t n, size_t max,
		  const char *path, enum tlsr_view view, int subtree)
{
	for (size_t i = 0; i < n && i < max; i++)
		if (out[i].view == view && out[i].subtree == subtree &&
		    strcmp(out[i].path, path) == 0)
			return n;
	if (n < max) {
		out[n].path = path;
		out[n].view = view;
		out[n].subtree = subtree;
	}
	return n + 1;
}

size_t tlsr_check_keys(struct tlsr_regfile_keep *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < tlsr_settings_count; i++) {
		const struct tlsr_setting *s = &tlsr_settings[i];

		if (s->views == TLSR_VIEWS_BOTH) {
			n = add(out, n, max, s->key, TLSR_VIEW_64, 0);
			n = add(out, n, max, s->key, TLSR_VIEW_32, 0);
		} else {
			n = add(out, n, max, s->key, TLSR_VIEW_NONE, 0);
		}
	}
	for (size_t i = 0; i < tlsr_facts_keys_count; i++)
		n = add(out, n, max, tlsr_facts_keys[i].path,
			tlsr_facts_keys[i].view, tlsr_facts_keys[i].subtree);
	/* Journal, Status, Restart, Proof, Boot and Parameters. */
	return add(out, n, max, TLSR_KEY_ROOT, TLSR_VIEW_64, 1);
}
