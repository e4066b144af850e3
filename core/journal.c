/* tlsward: the journal of original values, and rollback.
 *
 * One REG_BINARY value per managed item under TLSR_KEY_JOURNAL, named by the
 * item id ("winhttp.default_secure_protocols@32"). Data, little-endian:
 *   0  "TLSJ"          magic
 *   4  u8 version      1
 *   5  u8 existed      0: the value was absent, 1: it existed
 *   6  u16 reserved    0
 *   8  u32 type        original REG_* type (0 when absent)
 *  12  u32 size        bytes of original data that follow
 *  16  data */
#include "tlsr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bytes.h"

#define JOURNAL_MAGIC "TLSJ"
#define JOURNAL_VERSION 1
#define HEADER_SIZE 16
/* Larger originals are not a value tlsward manages. */
#define MAX_ORIGINAL (64u * 1024u)
#define JOURNAL_LABEL "HKLM\\" TLSR_KEY_JOURNAL

/* Whether v has exactly this type and data. */
static int same_value(const struct tlsr_value *v, uint32_t type,
		      const uint8_t *data, size_t size)
{
	return v->type == type && v->size == size &&
	       (size == 0 || memcmp(v->data, data, size) == 0);
}

/* Records the original state of item unless an entry exists; see tlsr.h. */
tlsr_err tlsr_journal_record(struct tlsr_registry *reg,
			     const struct tlsr_item *item)
{
	struct tlsr_value old = {0}, back = {0};
	size_t size, len;
	uint8_t *blob = NULL;
	tlsr_err err;

	if (reg == NULL || item == NULL || item->def == NULL)
		return TLSR_EINVAL;
	/* Only the first change counts: a later apply must not replace the
	 * real original with tlsward's own value. */
	err = tlsr_reg_get(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, item->id, &old);
	tlsr_value_clear(&old);
	if (err == TLSR_OK)
		return TLSR_OK;
	if (err != TLSR_ENOTFOUND)
		return err;

	len = item->present ? item->actual.size : 0;
	if (len > MAX_ORIGINAL)
		return tlsr_reg_fail(reg, TLSR_ETOOBIG, 0,
				     "original of %s is %zu bytes", item->id,
				     len);
	size = HEADER_SIZE + len;
	blob = calloc(1, size);
	if (blob == NULL)
		return TLSR_ENOMEM;
	memcpy(blob, JOURNAL_MAGIC, 4);
	blob[4] = JOURNAL_VERSION;
	blob[5] = item->present ? 1 : 0;
	tlsr_le32_put(blob + 8, item->present ? item->actual.type : 0);
	tlsr_le32_put(blob + 12, (uint32_t)len);
	if (len > 0)
		memcpy(blob + HEADER_SIZE, item->actual.data, len);

	err = tlsr_reg_set(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, item->id,
			   TLSR_REG_BINARY, blob, size);
	if (err != TLSR_OK)
		goto out;
	err =
	    tlsr_reg_get(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, item->id, &back);
	if (err != TLSR_OK)
		goto out;
	if (!same_value(&back, TLSR_REG_BINARY, blob, size))
		err = tlsr_reg_fail(reg, TLSR_EVERIFY, 0,
				    "journal entry %s reads back differently",
				    item->id);
out:
	tlsr_value_clear(&back);
	free(blob);
	return err;
}

struct names {
	char **v;
	size_t n;
};

/* Frees a list of entry names. */
static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

/* Entry names are collected first because restoring deletes entries, which
 * would shift the enumeration indexes. */
static tlsr_err list_entries(struct tlsr_registry *reg, struct names *ns,
			     struct tlsr_diag *diag)
{
	char name[TLSR_REG_NAME_MAX];
	struct tlsr_key *key = NULL;
	char **grown;
	size_t i;
	tlsr_err err;

	err = reg->ops->open_key(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, 0, &key);
	if (err == TLSR_ENOTFOUND)
		return TLSR_OK;
	if (err != TLSR_OK)
		goto fail;
	for (i = 0;; i++) {
		err = reg->ops->enum_value(reg, key, i, name, sizeof name);
		if (err == TLSR_ENOTFOUND) {
			err = TLSR_OK;
			break;
		}
		if (err != TLSR_OK)
			goto fail_key;
		grown = realloc(ns->v, (ns->n + 1) * sizeof *ns->v);
		if (grown == NULL) {
			err = TLSR_ENOMEM;
			goto fail_key;
		}
		ns->v = grown;
		ns->v[ns->n] = malloc(strlen(name) + 1);
		if (ns->v[ns->n] == NULL) {
			err = TLSR_ENOMEM;
			goto fail_key;
		}
		strcpy(ns->v[ns->n++], name);
	}
	reg->ops->close_key(reg, key);
	return TLSR_OK;
fail_key:
	reg->ops->close_key(reg, key);
fail:
	tlsr_diag_set(diag, JOURNAL_LABEL, 0, 0, "cannot list entries: %s%s%s",
		      tlsr_strerror(err), reg->message[0] ? ": " : "",
		      reg->message);
	return err;
}

/* Finds the row and view an entry name stands for, or NULL. */
static const struct tlsr_setting *entry_target(const char *name,
					       enum tlsr_view *view)
{
	char id[128];
	size_t len = strlen(name);
	const struct tlsr_setting *s;
	int is32 = len > 3 && strcmp(name + len - 3, "@32") == 0;

	if (len >= sizeof id)
		return NULL;
	memcpy(id, name, len + 1);
	if (is32)
		id[len - 3] = '\0';
	s = tlsr_setting_find(id);
	if (s == NULL)
		return NULL;
	if (is32) {
		if (s->views != TLSR_VIEWS_BOTH)
			return NULL;
		*view = TLSR_VIEW_32;
	} else {
		*view =
		    s->views == TLSR_VIEWS_BOTH ? TLSR_VIEW_64 : TLSR_VIEW_NONE;
	}
	return s;
}

/* Restores one entry; returns the error and fills diag on failure. */
static tlsr_err restore_entry(struct tlsr_registry *reg, const char *name,
			      struct tlsr_diag *diag)
{
	struct tlsr_value entry = {0}, back = {0};
	const struct tlsr_setting *s;
	enum tlsr_view view = TLSR_VIEW_NONE;
	const uint8_t *data;
	uint32_t type, size;
	int existed;
	tlsr_err err;

	s = entry_target(name, &view);
	if (s == NULL) {
		tlsr_diag_set(diag, JOURNAL_LABEL, 0, 0,
			      "entry \"%s\" names no setting tlsward manages; "
			      "kept",
			      name);
		return TLSR_EPARSE;
	}
	reg->message[0] = '\0';
	err = tlsr_reg_get(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, name, &entry);
	if (err != TLSR_OK)
		goto backend;
	if (entry.type != TLSR_REG_BINARY || entry.size < HEADER_SIZE ||
	    memcmp(entry.data, JOURNAL_MAGIC, 4) != 0 ||
	    entry.data[4] != JOURNAL_VERSION || entry.data[5] > 1 ||
	    tlsr_le32_get(entry.data + 12) != entry.size - HEADER_SIZE ||
	    (entry.data[5] == 0 && entry.size != HEADER_SIZE)) {
		tlsr_diag_set(diag, JOURNAL_LABEL, 0, 0,
			      "entry \"%s\" is corrupt (not a tlsward journal "
			      "record); kept",
			      name);
		err = TLSR_EPARSE;
		goto out;
	}
	existed = entry.data[5];
	type = tlsr_le32_get(entry.data + 8);
	size = tlsr_le32_get(entry.data + 12);
	data = entry.data + HEADER_SIZE;

	reg->message[0] = '\0';
	if (existed) {
		err =
		    tlsr_reg_set(reg, s->key, view, s->name, type, data, size);
		if (err != TLSR_OK)
			goto backend;
		err = tlsr_reg_get(reg, s->key, view, s->name, &back);
		if (err != TLSR_OK)
			goto backend;
		if (!same_value(&back, type, data, size))
			err = TLSR_EVERIFY;
	} else {
		err = tlsr_reg_delete_value(reg, s->key, view, s->name);
		if (err != TLSR_OK && err != TLSR_ENOTFOUND)
			goto backend;
		err = tlsr_reg_get(reg, s->key, view, s->name, &back);
		if (err == TLSR_OK)
			err = TLSR_EVERIFY;
		else if (err == TLSR_ENOTFOUND)
			err = TLSR_OK;
		else
			goto backend;
	}
	if (err != TLSR_OK)
		goto backend;
	err = tlsr_reg_delete_value(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, name);
	if (err != TLSR_OK)
		goto backend;
	goto out;
backend:
	tlsr_diag_set(
	    diag, JOURNAL_LABEL, 0, 0,
	    "entry \"%s\": restoring HKLM\\%s\\%s%s failed: %s%s%s; "
	    "kept",
	    name, s->key, s->name, view == TLSR_VIEW_32 ? " (32-bit view)" : "",
	    tlsr_strerror(err), reg->message[0] ? ": " : "", reg->message);
out:
	tlsr_value_clear(&back);
	tlsr_value_clear(&entry);
	return err;
}

/* Restores every entry it can; the first failure is returned and described
 * in diag, and failed entries stay for another attempt. */
tlsr_err tlsr_rollback(struct tlsr_registry *reg, size_t *restored,
		       struct tlsr_diag *diag)
{
	struct names ns = {NULL, 0};
	struct tlsr_diag one;
	tlsr_err err, first = TLSR_OK;
	size_t i, count = 0;

	if (restored != NULL)
		*restored = 0;
	if (reg == NULL)
		return TLSR_EINVAL;
	err = list_entries(reg, &ns, diag);
	if (err != TLSR_OK)
		goto out;
	for (i = 0; i < ns.n; i++) {
		err = restore_entry(reg, ns.v[i], &one);
		if (err == TLSR_OK) {
			count++;
		} else if (first == TLSR_OK) {
			first = err;
			if (diag != NULL)
				*diag = one;
		}
	}
	err = first;
out:
	names_free(&ns);
	if (restored != NULL)
		*restored = count;
	return err;
}
