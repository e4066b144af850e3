/* tlsward: the restart-owed ledger; see owed.h for the layout. */
#include "owed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_ID_MAX 128

/* Whether a boot id says which boot it is. */
static int known(const char *boot_id)
{
	return boot_id != NULL && boot_id[0] != '\0';
}

/* Whether two values (NULL = absent) are the same type and data. */
static int same(const struct tlsr_value *a, const struct tlsr_value *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->type == b->type && a->size == b->size &&
	       (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/* HKLM path of an item's entry into buf; TLSR_ETOOBIG for a silly id. */
static tlsr_err entry_path(const char *item_id, char *buf, size_t size)
{
	int n;

	if (item_id == NULL || item_id[0] == '\0' ||
	    strchr(item_id, '\\') != NULL)
		return TLSR_EINVAL;
	n = snprintf(buf, size, "%s\\%s", TLSR_KEY_RESTART, item_id);
	return n < 0 || (size_t)n >= size ? TLSR_ETOOBIG : TLSR_OK;
}

/* An entry as stored. before_state: 1 present (in before), 0 absent,
 * -1 unknown. */
struct entry {
	int exists;
	char boot_id[BOOT_ID_MAX];
	int before_state;
	struct tlsr_value before;
};

static void entry_clear(struct entry *e)
{
	tlsr_value_clear(&e->before);
}

/* Reads an item's entry; a missing entry is exists = 0. */
static tlsr_err entry_read(struct tlsr_registry *reg, const char *path,
			   struct entry *e)
{
	uint32_t absent;
	tlsr_err err;

	memset(e, 0, sizeof *e);
	e->before_state = -1;
	err = tlsr_reg_key_exists(reg, path, TLSR_VIEW_64);
	if (err == TLSR_ENOTFOUND)
		return TLSR_OK;
	if (err != TLSR_OK)
		return err;
	e->exists = 1;
	err = tlsr_reg_get_string(reg, path, TLSR_VIEW_64, "BootId",
				  e->boot_id, sizeof e->boot_id);
	if (err == TLSR_ENOTFOUND || err == TLSR_ETYPE || err == TLSR_ERANGE)
		e->boot_id[0] = '\0';
	else if (err != TLSR_OK)
		return err;
	err = tlsr_reg_get(reg, path, TLSR_VIEW_64, "Before", &e->before);
	if (err == TLSR_OK) {
		e->before_state = 1;
		return TLSR_OK;
	}
	if (err != TLSR_ENOTFOUND)
		return err;
	err = tlsr_reg_get_dword(reg, path, TLSR_VIEW_64, "BeforeAbsent",
				 &absent);
	if (err == TLSR_OK && absent == 1)
		e->before_state = 0;
	else if (err != TLSR_OK && err != TLSR_ENOTFOUND && err != TLSR_ETYPE)
		return err;
	return TLSR_OK;
}

/* Whether an entry still owes a restart at boot boot_id. */
static int entry_owed(const struct entry *e, const char *boot_id)
{
	if (!e->exists)
		return 0;
	return !(known(boot_id) && known(e->boot_id) &&
		 strcmp(boot_id, e->boot_id) != 0);
}

/* Sets a value and reads it back. */
static tlsr_err set_verified(struct tlsr_registry *reg, const char *path,
			     const char *name, uint32_t type, const void *data,
			     size_t size)
{
	struct tlsr_value want = {type, size, (uint8_t *)data}, back = {0};
	tlsr_err err;

	err = tlsr_reg_set(reg, path, TLSR_VIEW_64, name, type, data, size);
	if (err != TLSR_OK)
		return err;
	err = tlsr_reg_get(reg, path, TLSR_VIEW_64, name, &back);
	if (err == TLSR_OK && !same(&want, &back))
		err = tlsr_reg_fail(reg, TLSR_EVERIFY, 0,
				    "restart ledger %s\\%s reads back "
				    "differently",
				    path, name);
	tlsr_value_clear(&back);
	return err;
}

/* Stores a boot id as REG_SZ, verified. */
static tlsr_err set_boot_id(struct tlsr_registry *reg, const char *path,
			    const char *boot_id)
{
	uint8_t wide[2 * BOOT_ID_MAX + 2];
	size_t n = tlsr_utf8_to_utf16le(boot_id ? boot_id : "", wide,
					sizeof wide);

	if (n == 0)
		return TLSR_EINVAL;
	return set_verified(reg, path, "BootId", TLSR_REG_SZ, wide, n);
}

/* Removes an entry; an entry already gone is fine. */
static tlsr_err entry_delete(struct tlsr_registry *reg, const char *path)
{
	tlsr_err err = reg->ops->delete_key(reg, path, TLSR_VIEW_64);

	if (err == TLSR_ENOTFOUND)
		err = TLSR_OK;
	if (err != TLSR_OK)
		return err;
	err = tlsr_reg_key_exists(reg, path, TLSR_VIEW_64);
	if (err == TLSR_ENOTFOUND)
		return TLSR_OK;
	if (err == TLSR_OK)
		err = tlsr_reg_fail(reg, TLSR_EVERIFY, 0,
				    "restart ledger entry %s is still there "
				    "after its deletion",
				    path);
	return err;
}

/* Writes a fresh entry: boot id first, so an interrupted write leaves an
 * entry whose at-boot value is unknown (owed), never a wrong one. */
static tlsr_err entry_write(struct tlsr_registry *reg, const char *path,
			    const char *boot_id,
			    const struct tlsr_value *before)
{
	static const uint8_t one[4] = {1, 0, 0, 0};
	tlsr_err err;

	err = entry_delete(reg, path);
	if (err != TLSR_OK)
		return err;
	err = set_boot_id(reg, path, boot_id);
	if (err != TLSR_OK)
		return err;
	if (before != NULL)
		return set_verified(reg, path, "Before", before->type,
				    before->data, before->size);
	return set_verified(reg, path, "BeforeAbsent", TLSR_REG_DWORD, one,
			    sizeof one);
}

/* Records a restart-owing write; see owed.h. */
tlsr_err tlsr_owed_note_write(struct tlsr_registry *reg, const char *boot_id,
			      const char *item_id,
			      const struct tlsr_value *before,
			      const struct tlsr_value *after)
{
	char path[TLSR_REG_NAME_MAX + 64];
	struct entry e;
	tlsr_err err;

	if (reg == NULL)
		return TLSR_EINVAL;
	err = entry_path(item_id, path, sizeof path);
	if (err != TLSR_OK)
		return err;
	err = entry_read(reg, path, &e);
	if (err != TLSR_OK)
		goto out;
	if (!entry_owed(&e, boot_id)) {
		/* First write in this boot: what is there now is what is in
		 * effect. A write of the same value changes nothing. */
		if (same(before, after))
			err = e.exists ? entry_delete(reg, path) : TLSR_OK;
		else
			err = entry_write(reg, path, boot_id, before);
		goto out;
	}
	if (e.before_state >= 0 &&
	    same(e.before_state ? &e.before : NULL, after)) {
		/* Back to what this boot runs with: nothing is owed. */
		err = entry_delete(reg, path);
		goto out;
	}
	if (known(boot_id) && !known(e.boot_id))
		err = set_boot_id(reg, path, boot_id);
out:
	entry_clear(&e);
	return err;
}

struct ids {
	char **v;
	size_t n;
};

static void ids_free(struct ids *ids)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

/* Names of every entry, in backend order. */
static tlsr_err ids_read(struct tlsr_registry *reg, struct ids *ids)
{
	char name[TLSR_REG_NAME_MAX];
	struct tlsr_key *key = NULL;
	tlsr_err err;
	size_t i;

	ids->v = NULL;
	ids->n = 0;
	err = reg->ops->open_key(reg, TLSR_KEY_RESTART, TLSR_VIEW_64, 0, &key);
	if (err == TLSR_ENOTFOUND)
		return TLSR_OK;
	if (err != TLSR_OK)
		return err;
	for (i = 0;; i++) {
		char **grown;

		err = reg->ops->enum_subkey(reg, key, i, name, sizeof name);
		if (err == TLSR_ENOTFOUND) {
			err = TLSR_OK;
			break;
		}
		if (err != TLSR_OK)
			break;
		grown = realloc(ids->v, (ids->n + 1) * sizeof *grown);
		if (grown == NULL) {
			err = TLSR_ENOMEM;
			break;
		}
		ids->v = grown;
		ids->v[ids->n] = strdup(name);
		if (ids->v[ids->n] == NULL) {
			err = TLSR_ENOMEM;
			break;
		}
		ids->n++;
	}
	reg->ops->close_key(reg, key);
	if (err != TLSR_OK)
		ids_free(ids);
	return err;
}

/* Clears the entries of earlier boots; see owed.h. */
tlsr_err tlsr_owed_settle(struct tlsr_registry *reg, const char *boot_id)
{
	char path[TLSR_REG_NAME_MAX + 64];
	struct ids ids;
	struct entry e;
	tlsr_err err;
	size_t i;

	if (reg == NULL)
		return TLSR_EINVAL;
	if (!known(boot_id))
		return TLSR_OK;
	err = ids_read(reg, &ids);
	if (err != TLSR_OK)
		return err;
	for (i = 0; i < ids.n && err == TLSR_OK; i++) {
		err = entry_path(ids.v[i], path, sizeof path);
		if (err != TLSR_OK)
			break;
		err = entry_read(reg, path, &e);
		if (err == TLSR_OK) {
			if (!known(e.boot_id))
				err = set_boot_id(reg, path, boot_id);
			else if (strcmp(e.boot_id, boot_id) != 0)
				err = entry_delete(reg, path);
		}
		entry_clear(&e);
	}
	ids_free(&ids);
	return err;
}

/* Calls back for every entry that is owed at boot_id, until cb returns
 * non-zero. */
static tlsr_err each_owed(struct tlsr_registry *reg, const char *boot_id,
			  int (*cb)(void *data, const char *id), void *data)
{
	char path[TLSR_REG_NAME_MAX + 64];
	struct ids ids;
	struct entry e;
	tlsr_err err;
	size_t i;

	if (reg == NULL)
		return TLSR_EINVAL;
	/* One run of reads: each entry's key is opened once. */
	tlsr_reg_batch_begin(reg);
	err = ids_read(reg, &ids);
	if (err != TLSR_OK) {
		tlsr_reg_batch_end(reg);
		return err;
	}
	for (i = 0; i < ids.n; i++) {
		int owed, stop = 0;

		err = entry_path(ids.v[i], path, sizeof path);
		if (err != TLSR_OK)
			break;
		err = entry_read(reg, path, &e);
		owed = err == TLSR_OK && entry_owed(&e, boot_id);
		entry_clear(&e);
		if (err != TLSR_OK)
			break;
		if (owed)
			stop = cb(data, ids.v[i]);
		if (stop)
			break;
	}
	ids_free(&ids);
	tlsr_reg_batch_end(reg);
	return err;
}

static int any_cb(void *data, const char *id)
{
	(void)id;
	*(int *)data = 1;
	return 1;
}

tlsr_err tlsr_owed_any(struct tlsr_registry *reg, const char *boot_id,
		       int *out)
{
	if (out == NULL)
		return TLSR_EINVAL;
	*out = 0;
	return each_owed(reg, boot_id, any_cb, out);
}

tlsr_err tlsr_owed_has(struct tlsr_registry *reg, const char *boot_id,
		       const char *item_id, int *out)
{
	char path[TLSR_REG_NAME_MAX + 64];
	struct entry e;
	tlsr_err err;

	if (reg == NULL || out == NULL)
		return TLSR_EINVAL;
	*out = 0;
	err = entry_path(item_id, path, sizeof path);
	if (err != TLSR_OK)
		return err;
	err = entry_read(reg, path, &e);
	if (err == TLSR_OK)
		*out = entry_owed(&e, boot_id);
	entry_clear(&e);
	return err;
}

struct list {
	char *buf;
	size_t size, len, count;
	int short_buf;
};

static int list_cb(void *data, const char *id)
{
	struct list *l = data;
	size_t n = strlen(id) + 1;

	/* Room for the id, its terminator and the list's final one. */
	if (l->len + n + 1 > l->size) {
		l->short_buf = 1;
		return 1;
	}
	memcpy(l->buf + l->len, id, n);
	l->len += n;
	l->buf[l->len] = '\0';
	l->count++;
	return 0;
}

tlsr_err tlsr_owed_list(struct tlsr_registry *reg, const char *boot_id,
			char *buf, size_t size, size_t *count)
{
	struct list l = {buf, size, 0, 0, 0};
	tlsr_err err;

	if (buf == NULL || size < 2 || count == NULL)
		return TLSR_EINVAL;
	buf[0] = buf[1] = '\0';
	err = each_owed(reg, boot_id, list_cb, &l);
	*count = l.count;
	if (err == TLSR_OK && l.short_buf)
		err = TLSR_ERANGE;
	return err;
}
