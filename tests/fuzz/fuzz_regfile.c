/* tlsward fuzz target: the .reg parser (tlsr_regfile_parse). A parsed
 * registry is also read back through the ops, so what the parser built is
 * walked, not only allocated. */
#include <string.h>

#include "fuzz.h"
#include "registry.h"

/* Enumerates a key's values and subkeys, a few levels deep. */
static void walk(struct tlsr_registry *reg, const char *path, int depth)
{
	char name[TLSR_REG_NAME_MAX + 1], sub[2 * TLSR_REG_NAME_MAX + 2];
	struct tlsr_value v;
	struct tlsr_key *key;
	size_t i;

	if (depth > 8 ||
	    reg->ops->open_key(reg, path, TLSR_VIEW_64, 0, &key) != TLSR_OK)
		return;
	for (i = 0; i < 64; i++) {
		if (reg->ops->enum_value(reg, key, i, name, sizeof name) !=
		    TLSR_OK)
			break;
		memset(&v, 0, sizeof v);
		if (reg->ops->get_value(reg, key, name, &v) == TLSR_OK)
			tlsr_value_clear(&v);
	}
	for (i = 0; i < 64; i++) {
		if (reg->ops->enum_subkey(reg, key, i, name, sizeof name) !=
		    TLSR_OK)
			break;
		if (path[0] == '\0')
			strcpy(sub, name);
		else if (strlen(path) + strlen(name) + 2 <= sizeof sub)
			strcat(strcat(strcpy(sub, path), "\\"), name);
		else
			continue;
		walk(reg, sub, depth + 1);
	}
	reg->ops->close_key(reg, key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;

	memset(&diag, 0, sizeof diag);
	if (tlsr_regfile_parse("fuzz", data, size, &reg, &diag) == TLSR_OK) {
		walk(reg, "SOFTWARE", 0);
		walk(reg, "SYSTEM", 0);
		tlsr_registry_destroy(reg);
	}
	return 0;
}
