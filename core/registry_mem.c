/* tlsward: the in-memory registry backend.
 *
 * A tree of keys under a root that holds the hives; the ops address only
 * HKEY_LOCAL_MACHINE, the other hives are kept so .reg files round-trip.
 * Key and value names compare as Windows compares them: per UTF-16 unit,
 * after simple upper-case mapping (core/utf8.h). Subkeys and values keep
 * insertion order, which is the order a .reg file is written back in, and
 * each list has a hash index so exports with 100k keys (and keys with 10k
 * children) load fast.
 *
 * Views: the tree stores real paths. In TLSR_VIEW_32 a path whose first
 * component is SOFTWARE (any case) maps to SOFTWARE\Wow6432Node\<rest>, as
 * WOW64 redirects it; TLSR_VIEW_64 and TLSR_VIEW_NONE map straight, so
 * SYSTEM and every other key are shared between the views.
 *
 * A key handle is the node itself, reference counted: deleting a key that is
 * still open detaches it and later calls on the handle fail with
 * TLSR_ENOTFOUND, as Windows fails calls on a deleted key. watch is not
 * supported. */
#include "registry_mem_internal.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

struct mem {
	struct tlsr_registry reg;
	struct tlsr_mem_node *root;
	struct tlsr_mem_node *hklm;
	enum tlsr_regfile_format fmt;
	unsigned codepage; /* of a REGEDIT4 file; 0 for the default */
	/* A partial registry (registry_mem_internal.h): the mask of kept
	 * keys, and the file to read in whole when an op needs more. */
	struct tlsr_mem_node *mask;
	char *source;
	unsigned source_codepage;
	int dirty; /* written to while partial */
	/* The partial tree, kept for the handles opened in it until the
	 * registry is destroyed. */
	struct tlsr_mem_node *old_root, *old_hklm;
};

static const char hklm_name[] = "HKEY_LOCAL_MACHINE";
static const char wow_name[] = "Wow6432Node";

/* The next UTF-16 unit of a UTF-8 (WTF-8) name, upper-cased as Windows
 * compares names; *i advances past it. A supplementary character gives its
 * two surrogate units in turn (*pending keeps the second). A byte that is
 * not UTF-8 stands for itself. */
static uint16_t next_unit(const char *name, size_t len, size_t *i,
			  uint16_t *pending)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t cp;
	size_t n;

	if (*pending) {
		uint16_t u = *pending;

		*pending = 0;
		return u;
	}
	if (s[*i] < 0x80) {
		unsigned char c = s[(*i)++];

		return (c >= 'a' && c <= 'z') ? (uint16_t)(c - 32) : c;
	}
	n = tlsr_utf8_get(s + *i, len - *i, &cp);
	if (n == 0)
		return s[(*i)++];
	*i += n;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		*pending = (uint16_t)(0xdc00 | (cp & 0x3ff));
		return (uint16_t)(0xd800 | cp >> 10);
	}
	return tlsr_upper_unit((uint16_t)cp);
}

static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	uint16_t pending = 0;
	size_t i = 0;

	while (i < len || pending) {
		unsigned char c;
		uint16_t u;

		if (!pending && (c = (unsigned char)name[i]) < 0x80) {
			/* ASCII: a unit whose high byte is 0. */
			i++;
			h ^= (c >= 'a' && c <= 'z') ? (uint32_t)(c - 32) : c;
			h *= 16777619u;
			h *= 16777619u;
			continue;
		}
		u = next_unit(name, len, &i, &pending);

		h ^= u & 0xff;
		h *= 16777619u;
		h ^= u >> 8;
		h *= 16777619u;
	}
	return h;
}

static int name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	uint16_t pa = 0, pb = 0;
	size_t i = 0, j = 0;

	while ((i < alen || pa) && (j < blen || pb)) {
		unsigned char ca = pa ? 0x80 : (unsigned char)a[i],
			      cb = pb ? 0x80 : (unsigned char)b[j];

		if ((ca | cb) < 0x80) {
			/* Both ASCII. */
			if (ca != cb && (ca ^ 32) != cb)
				return 0;
			if (ca != cb && !((ca | 32) >= 'a' && (ca | 32) <= 'z'))
				return 0;
			i++;
			j++;
			continue;
		}
		if (next_unit(a, alen, &i, &pa) != next_unit(b, blen, &j, &pb))
			return 0;
	}
	return i == alen && !pa && j == blen && !pb;
}

int tlsr_mem_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return name_eq(a, alen, b, blen);
}

static char *dup_name(const char *name, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, name, len);
	s[len] = '\0';
	return s;
}

/* Doubles an array of pointers when full. */
static int grow(void *arrayp, size_t n, size_t *cap)
{
	void ***array = arrayp;
	size_t ncap;
	void **p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / sizeof(void *))
		return -1;
	p = realloc(*array, ncap * sizeof(void *));
	if (p == NULL)
		return -1;
	*array = p;
	*cap = ncap;
	return 0;
}

/* Rebuilds the subkey index with twice the buckets once it is full. */
static int kid_index_grow(struct tlsr_mem_node *node)
{
	size_t nb = node->kid_nbuckets ? node->kid_nbuckets * 2 : 8;
	struct tlsr_mem_node **b;

	if (node->nkids < node->kid_nbuckets)
		return 0;
	b = calloc(nb, sizeof *b);
	if (b == NULL)
		return -1;
	for (size_t i = 0; i < node->nkids; i++) {
		struct tlsr_mem_node *k = node->kids[i];
		size_t slot = k->hash & (nb - 1);

		k->next = b[slot];
		b[slot] = k;
	}
	free(node->kid_buckets);
	node->kid_buckets = b;
	node->kid_nbuckets = nb;
	return 0;
}

static int val_index_grow(struct tlsr_mem_node *node)
{
	size_t nb = node->val_nbuckets ? node->val_nbuckets * 2 : 8;
	struct tlsr_mem_value **b;

	if (node->nvals < node->val_nbuckets)
		return 0;
	b = calloc(nb, sizeof *b);
	if (b == NULL)
		return -1;
	for (size_t i = 0; i < node->nvals; i++) {
		struct tlsr_mem_value *v = node->vals[i];
		size_t slot = v->hash & (nb - 1);

		v->next = b[slot];
		b[slot] = v;
	}
	free(node->val_buckets);
	node->val_buckets = b;
	node->val_nbuckets = nb;
	return 0;
}

static void value_free(struct tlsr_mem_value *v)
{
	if (v == NULL)
		return;
	free(v->data);
	free(v->name);
	free(v);
}

static struct tlsr_mem_node *node_new(const char *name, size_t len)
{
	struct tlsr_mem_node *n = calloc(1, sizeof *n);

	if (n == NULL)
		return NULL;
	n->name = dup_name(name, len);
	if (n->name == NULL) {
		free(n);
		return NULL;
	}
	n->name_len = len;
	n->hash = name_hash(name, len);
	return n;
}

/* Frees node's values and subtree; keeps the node itself when it is open. */
static void node_clear(struct tlsr_mem_node *node)
{
	for (size_t i = 0; i < node->nvals; i++)
		value_free(node->vals[i]);
	free(node->vals);
	free(node->val_buckets);
	node->vals = NULL;
	node->val_buckets = NULL;
	node->nvals = node->vals_cap = node->val_nbuckets = 0;
	for (size_t i = 0; i < node->nkids; i++) {
		struct tlsr_mem_node *k = node->kids[i];

		k->parent = NULL;
		k->deleted = 1;
		node_clear(k);
		if (k->refs == 0) {
			free(k->name);
			free(k);
		}
	}
	free(node->kids);
	free(node->kid_buckets);
	node->kids = NULL;
	node->kid_buckets = NULL;
	node->nkids = node->kids_cap = node->kid_nbuckets = 0;
}

static void node_free(struct tlsr_mem_node *node)
{
	if (node == NULL)
		return;
	node_clear(node);
	free(node->name);
	free(node);
}

struct tlsr_mem_node *tlsr_mem_find_child(const struct tlsr_mem_node *node,
					  const char *name, size_t len)
{
	uint32_t h;

	if (node->kid_nbuckets == 0)
		return NULL;
	h = name_hash(name, len);
	for (struct tlsr_mem_node *k =
		 node->kid_buckets[h & (node->kid_nbuckets - 1)];
	     k != NULL; k = k->next)
		if (k->hash == h && name_eq(k->name, k->name_len, name, len))
			return k;
	return NULL;
}

struct tlsr_mem_node *tlsr_mem_add_child(struct tlsr_mem_node *node,
					 const char *name, size_t len)
{
	struct tlsr_mem_node *k = tlsr_mem_find_child(node, name, len);
	size_t slot;

	if (k != NULL)
		return k;
	if (grow(&node->kids, node->nkids, &node->kids_cap) != 0)
		return NULL;
	if (kid_index_grow(node) != 0)
		return NULL;
	k = node_new(name, len);
	if (k == NULL)
		return NULL;
	k->parent = node;
	slot = k->hash & (node->kid_nbuckets - 1);
	k->next = node->kid_buckets[slot];
	node->kid_buckets[slot] = k;
	node->kids[node->nkids++] = k;
	return k;
}

void tlsr_mem_remove(struct tlsr_mem_node *child)
{
	struct tlsr_mem_node *p = child->parent;

	if (p != NULL) {
		struct tlsr_mem_node **pp =
		    &p->kid_buckets[child->hash & (p->kid_nbuckets - 1)];
		size_t i;

		while (*pp != child)
			pp = &(*pp)->next;
		*pp = child->next;
		for (i = 0; i < p->nkids && p->kids[i] != child; i++)
			;
		memmove(&p->kids[i], &p->kids[i + 1],
			(p->nkids - i - 1) * sizeof *p->kids);
		p->nkids--;
	}
	child->parent = NULL;
	child->next = NULL;
	child->deleted = 1;
	node_clear(child);
	if (child->refs == 0) {
		free(child->name);
		free(child);
	}
}

struct tlsr_mem_value *tlsr_mem_find_value(const struct tlsr_mem_node *node,
					   const char *name, size_t len)
{
	uint32_t h;

	if (node->val_nbuckets == 0)
		return NULL;
	h = name_hash(name, len);
	for (struct tlsr_mem_value *v =
		 node->val_buckets[h & (node->val_nbuckets - 1)];
	     v != NULL; v = v->next)
		if (v->hash == h && name_eq(v->name, v->name_len, name, len))
			return v;
	return NULL;
}

tlsr_err tlsr_mem_put_value(struct tlsr_mem_node *node, const char *name,
			    size_t len, uint32_t type, uint8_t *data,
			    size_t size)
{
	struct tlsr_mem_value *v = tlsr_mem_find_value(node, name, len);
	size_t slot;

	if (v != NULL) {
		/* Overwriting keeps the value's place and its name's case, as
		 * Windows does. */
		free(v->data);
		v->data = data;
		v->size = size;
		v->type = type;
		return TLSR_OK;
	}
	if (grow(&node->vals, node->nvals, &node->vals_cap) != 0 ||
	    val_index_grow(node) != 0)
		goto nomem;
	v = calloc(1, sizeof *v);
	if (v == NULL)
		goto nomem;
	v->name = dup_name(name, len);
	if (v->name == NULL) {
		free(v);
		goto nomem;
	}
	v->name_len = len;
	v->hash = name_hash(name, len);
	v->type = type;
	v->data = data;
	v->size = size;
	slot = v->hash & (node->val_nbuckets - 1);
	v->next = node->val_buckets[slot];
	node->val_buckets[slot] = v;
	node->vals[node->nvals++] = v;
	return TLSR_OK;
nomem:
	free(data);
	return TLSR_ENOMEM;
}

tlsr_err tlsr_mem_set_value(struct tlsr_mem_node *node, const char *name,
			    size_t len, uint32_t type, const void *data,
			    size_t size)
{
	uint8_t *copy = NULL;

	if (size > 0) {
		copy = malloc(size);
		if (copy == NULL)
			return TLSR_ENOMEM;
		memcpy(copy, data, size);
	}
	return tlsr_mem_put_value(node, name, len, type, copy, size);
}

tlsr_err tlsr_mem_remove_value(struct tlsr_mem_node *node, const char *name,
			       size_t len)
{
	struct tlsr_mem_value *v = tlsr_mem_find_value(node, name, len);
	struct tlsr_mem_value **pp;
	size_t i;

	if (v == NULL)
		return TLSR_ENOTFOUND;
	pp = &node->val_buckets[v->hash & (node->val_nbuckets - 1)];
	while (*pp != v)
		pp = &(*pp)->next;
	*pp = v->next;
	for (i = 0; i < node->nvals && node->vals[i] != v; i++)
		;
	memmove(&node->vals[i], &node->vals[i + 1],
		(node->nvals - i - 1) * sizeof *node->vals);
	node->nvals--;
	value_free(v);
	return TLSR_OK;
}

static struct mem *mem_of(struct tlsr_registry *reg)
{
	return reg->impl;
}

/* Walks the mask along path (HKLM-relative) in view: 1 when the key is
 * kept (a kept key, or below a kept subtree), 0 when not. */
static int kept(const struct tlsr_mem_node *mask, const char *path,
		enum tlsr_view view)
{
	const struct tlsr_mem_node *node =
	    tlsr_mem_find_child(mask, hklm_name, sizeof hklm_name - 1);
	const char *p = path;
	int first = 1;

	while (node != NULL && *p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (node->keep == TLSR_MEM_KEEP_TREE)
			return 1;
		node = tlsr_mem_find_child(node, p, len);
		if (node != NULL && first && view == TLSR_VIEW_32 &&
		    name_eq(p, len, "SOFTWARE", 8)) {
			if (node->keep == TLSR_MEM_KEEP_TREE)
				return 1;
			node = tlsr_mem_find_child(node, wow_name,
						   sizeof wow_name - 1);
		}
		first = 0;
		p += len;
		if (*p == '\\')
			p++;
	}
	return node != NULL && node->keep != 0;
}

/* Frees a tree whose handles are all closed or given up. */
static void tree_free(struct tlsr_mem_node *root, struct tlsr_mem_node *hklm)
{
	if (hklm != NULL) {
		hklm->refs = 0;
		if (hklm->deleted)
			node_free(hklm);
	}
	node_free(root);
}

/* Turns a partial registry into one holding the whole file: reads the file
 * again and carries on in its tree. Handles opened in the partial tree
 * follow their path into the whole one (current). */
static tlsr_err widen(struct tlsr_registry *reg)
{
	struct mem *m = mem_of(reg), *w;
	struct tlsr_registry *whole;
	tlsr_err err;

	if (m->source == NULL || m->dirty || m->old_root != NULL)
		return tlsr_reg_fail(reg, TLSR_EUNSUPPORTED, 0,
				     "only the keys a check reads were read "
				     "from the .reg file");
	err = tlsr_regfile_reread(m->source, m->source_codepage, &whole);
	if (err != TLSR_OK)
		return tlsr_reg_fail(reg, err, 0, "reading %s again: %s",
				     m->source, tlsr_strerror(err));
	w = mem_of(whole);
	m->old_root = m->root;
	m->old_hklm = m->hklm;
	m->root = w->root;
	m->hklm = w->hklm;
	m->hklm->refs = 1;
	w->root = w->hklm = NULL;
	tlsr_registry_destroy(whole);
	tree_free(m->mask, NULL);
	m->mask = NULL;
	return TLSR_OK;
}

/* Deepest key a tree holds: Windows' 512 levels, the hive and the root. */
#define CHAIN_MAX 520

/* The keys from node up to (not including) the root of its tree, node
 * first, into chain; returns their number, with *top set to the root. */
static size_t chain_of(struct tlsr_mem_node *node, struct tlsr_mem_node **chain,
		       struct tlsr_mem_node **top)
{
	size_t n = 0;

	while (node->parent != NULL && n < CHAIN_MAX) {
		chain[n++] = node;
		node = node->parent;
	}
	*top = node;
	return n;
}

/* The key a handle stands for now: node itself, or, once a partial
 * registry has read the whole file, the key of the same path in the whole
 * tree (NULL when that tree lacks it). */
static struct tlsr_mem_node *current(struct tlsr_registry *reg,
				     struct tlsr_mem_node *node)
{
	struct mem *m = mem_of(reg);
	struct tlsr_mem_node *chain[CHAIN_MAX], *top, *cur;
	size_t n;

	if (m->old_root == NULL)
		return node;
	n = chain_of(node, chain, &top);
	if (top != m->old_root)
		return node;
	cur = m->root;
	while (n > 0 && cur != NULL) {
		n--;
		cur = tlsr_mem_find_child(cur, chain[n]->name,
					  chain[n]->name_len);
	}
	return cur;
}

/* 1 when a partial registry holds node's subkeys (node is in a kept
 * subtree). */
static int subkeys_kept(struct tlsr_registry *reg, struct tlsr_mem_node *node)
{
	struct tlsr_mem_node *chain[CHAIN_MAX], *top;
	const struct tlsr_mem_node *mask = mem_of(reg)->mask;
	size_t n = chain_of(node, chain, &top);

	while (n > 0 && mask != NULL) {
		n--;
		mask = tlsr_mem_find_child(mask, chain[n]->name,
					   chain[n]->name_len);
		if (mask != NULL && mask->keep == TLSR_MEM_KEEP_TREE)
			return 1;
	}
	return 0;
}

/* Walks path (HKLM-relative) in view from HKLM; with create, adds missing
 * keys and marks every key on the way explicit. */
static tlsr_err walk(struct tlsr_registry *reg, const char *path,
		     enum tlsr_view view, int create,
		     struct tlsr_mem_node **out)
{
	struct tlsr_mem_node *node;
	const char *p = path;
	int first = 1;

	if (path == NULL || out == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no key path given");
	if (view != TLSR_VIEW_NONE && view != TLSR_VIEW_32 &&
	    view != TLSR_VIEW_64)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "bad view %d",
				     (int)view);
	if (mem_of(reg)->mask != NULL) {
		if (!kept(mem_of(reg)->mask, path, view)) {
			tlsr_err err = widen(reg);

			if (err != TLSR_OK)
				return err;
		} else if (create) {
			mem_of(reg)->dirty = 1;
		}
	}
	node = mem_of(reg)->hklm;
	while (*p != '\0') {
		const char *end = strchr(p, '\\');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct tlsr_mem_node *next;

		if (len == 0 || len > TLSR_REG_NAME_MAX ||
		    (end && end[1] == '\0'))
			return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
					     "bad key path \"%s\"", path);
		for (int step = 0; step < 2; step++) {
			const char *name = step ? wow_name : p;
			size_t nlen = step ? sizeof wow_name - 1 : len;

			if (step == 1 && !(first && view == TLSR_VIEW_32 &&
					   name_eq(p, len, "SOFTWARE", 8)))
				break;
			next = tlsr_mem_find_child(node, name, nlen);
			if (next == NULL) {
				if (!create)
					return tlsr_reg_fail(
					    reg, TLSR_ENOTFOUND, 0,
					    "key HKLM\\%s not found", path);
				next = tlsr_mem_add_child(node, name, nlen);
				if (next == NULL)
					return tlsr_reg_fail(reg, TLSR_ENOMEM,
							     0,
							     "out of memory");
			}
			if (create)
				next->explicit_ = 1;
			node = next;
		}
		first = 0;
		p += len;
		if (*p == '\\')
			p++;
	}
	*out = node;
	return TLSR_OK;
}

static tlsr_err mem_open_key(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, int create,
			     struct tlsr_key **out)
{
	struct tlsr_mem_node *node;
	tlsr_err err = walk(reg, path, view, create, &node);

	if (err != TLSR_OK)
		return err;
	node->refs++;
	*out = (struct tlsr_key *)node;
	return TLSR_OK;
}

static void mem_close_key(struct tlsr_registry *reg, struct tlsr_key *key)
{
	struct tlsr_mem_node *node = (struct tlsr_mem_node *)key;

	(void)reg;
	if (node == NULL || node->refs == 0)
		return;
	node->refs--;
	if (node->deleted && node->refs == 0)
		node_free(node);
}

/* Checks a handle and a value name before an op; *out is the key the
 * handle stands for now (current). */
static tlsr_err check_key(struct tlsr_registry *reg, struct tlsr_key *key,
			  const char *name, struct tlsr_mem_node **out)
{
	struct tlsr_mem_node *node = (struct tlsr_mem_node *)key;

	if (node == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no key given");
	if (node->deleted)
		return tlsr_reg_fail(reg, TLSR_ENOTFOUND, 0,
				     "key %s was deleted", node->name);
	if (name != NULL && strlen(name) > TLSR_REG_NAME_MAX)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				     "value name longer than %d bytes",
				     TLSR_REG_NAME_MAX);
	*out = current(reg, node);
	if (*out == NULL)
		return tlsr_reg_fail(reg, TLSR_ENOTFOUND, 0,
				     "key %s was deleted", node->name);
	return TLSR_OK;
}

static tlsr_err mem_get_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, struct tlsr_value *out)
{
	struct tlsr_mem_node *node;
	struct tlsr_mem_value *v;
	tlsr_err err;

	if (name == NULL || out == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	memset(out, 0, sizeof *out);
	err = check_key(reg, key, name, &node);
	if (err != TLSR_OK)
		return err;
	v = tlsr_mem_find_value(node, name, strlen(name));
	if (v == NULL)
		return tlsr_reg_fail(reg, TLSR_ENOTFOUND, 0,
				     "value \"%s\" not found in %s", name,
				     node->name);
	/* One spare byte so empty values still get a buffer. */
	out->data = malloc(v->size + 1);
	if (out->data == NULL)
		return tlsr_reg_fail(reg, TLSR_ENOMEM, 0, "out of memory");
	if (v->size > 0)
		memcpy(out->data, v->data, v->size);
	out->size = v->size;
	out->type = v->type;
	return TLSR_OK;
}

static tlsr_err mem_set_value(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, uint32_t type, const void *data,
			      size_t size)
{
	struct tlsr_mem_node *node;
	tlsr_err err;

	if (name == NULL || (data == NULL && size != 0))
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	err = check_key(reg, key, name, &node);
	if (err != TLSR_OK)
		return err;
	if (mem_of(reg)->mask != NULL)
		mem_of(reg)->dirty = 1;
	err = tlsr_mem_set_value(node, name, strlen(name), type, data, size);
	if (err != TLSR_OK)
		return tlsr_reg_fail(reg, err, 0, "out of memory");
	return TLSR_OK;
}

static tlsr_err mem_delete_value(struct tlsr_registry *reg,
				 struct tlsr_key *key, const char *name)
{
	struct tlsr_mem_node *node;
	tlsr_err err;

	if (name == NULL)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0, "no value given");
	err = check_key(reg, key, name, &node);
	if (err != TLSR_OK)
		return err;
	if (mem_of(reg)->mask != NULL)
		mem_of(reg)->dirty = 1;
	if (tlsr_mem_remove_value(node, name, strlen(name)) != TLSR_OK)
		return tlsr_reg_fail(reg, TLSR_ENOTFOUND, 0,
				     "value \"%s\" not found in %s", name,
				     node->name);
	return TLSR_OK;
}

static tlsr_err copy_name(struct tlsr_registry *reg, const char *name,
			  size_t len, char *buf, size_t size)
{
	if (buf == NULL || len + 1 > size)
		return tlsr_reg_fail(reg, TLSR_ERANGE, 0,
				     "name of %zu bytes does not fit in %zu",
				     len, size);
	memcpy(buf, name, len + 1);
	return TLSR_OK;
}

static tlsr_err mem_enum_subkey(struct tlsr_registry *reg, struct tlsr_key *key,
				size_t index, char *buf, size_t size)
{
	struct tlsr_mem_node *node;
	tlsr_err err = check_key(reg, key, NULL, &node);

	if (err != TLSR_OK)
		return err;
	if (mem_of(reg)->mask != NULL && !subkeys_kept(reg, node)) {
		err = widen(reg);
		if (err == TLSR_OK)
			err = check_key(reg, key, NULL, &node);
		if (err != TLSR_OK)
			return err;
	}
	if (index >= node->nkids)
		return TLSR_ENOTFOUND;
	return copy_name(reg, node->kids[index]->name,
			 node->kids[index]->name_len, buf, size);
}

static tlsr_err mem_enum_value(struct tlsr_registry *reg, struct tlsr_key *key,
			       size_t index, char *buf, size_t size)
{
	struct tlsr_mem_node *node;
	tlsr_err err = check_key(reg, key, NULL, &node);

	if (err != TLSR_OK)
		return err;
	if (index >= node->nvals)
		return TLSR_ENOTFOUND;
	return copy_name(reg, node->vals[index]->name,
			 node->vals[index]->name_len, buf, size);
}

static tlsr_err mem_delete_key(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view)
{
	struct tlsr_mem_node *node;
	tlsr_err err;

	err = walk(reg, path, view, 0, &node);
	if (err != TLSR_OK)
		return err;
	if (mem_of(reg)->mask != NULL)
		mem_of(reg)->dirty = 1;
	if (node == mem_of(reg)->hklm)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				     "HKEY_LOCAL_MACHINE cannot be deleted");
	tlsr_mem_remove(node);
	return TLSR_OK;
}

static tlsr_err mem_watch(struct tlsr_registry *reg, struct tlsr_key *key,
			  void *event)
{
	(void)key;
	(void)event;
	return tlsr_reg_fail(reg, TLSR_EUNSUPPORTED, 0,
			     "the %s backend has no change notifications",
			     reg->ops->name);
}

static void mem_destroy(struct tlsr_registry *reg)
{
	struct mem *m = mem_of(reg);

	tree_free(m->root, m->hklm);
	tree_free(m->old_root, m->old_hklm);
	tree_free(m->mask, NULL);
	free(m->source);
	free(m);
}

static const struct tlsr_registry_ops mem_ops = {
    .name = "memory",
    .open_key = mem_open_key,
    .close_key = mem_close_key,
    .get_value = mem_get_value,
    .set_value = mem_set_value,
    .delete_value = mem_delete_value,
    .enum_subkey = mem_enum_subkey,
    .enum_value = mem_enum_value,
    .delete_key = mem_delete_key,
    .watch = mem_watch,
    .destroy = mem_destroy,
};

static const struct tlsr_registry_ops regfile_ops = {
    .name = "regfile",
    .open_key = mem_open_key,
    .close_key = mem_close_key,
    .get_value = mem_get_value,
    .set_value = mem_set_value,
    .delete_value = mem_delete_value,
    .enum_subkey = mem_enum_subkey,
    .enum_value = mem_enum_value,
    .delete_key = mem_delete_key,
    .watch = mem_watch,
    .destroy = mem_destroy,
};

struct tlsr_registry *tlsr_mem_create(int regfile)
{
	struct mem *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->reg.ops = regfile ? &regfile_ops : &mem_ops;
	m->reg.impl = m;
	m->fmt = TLSR_REGFILE_V5;
	m->root = node_new("", 0);
	if (m->root == NULL)
		goto fail;
	m->hklm = tlsr_mem_add_child(m->root, hklm_name, sizeof hklm_name - 1);
	if (m->hklm == NULL)
		goto fail;
	/* HKLM is addressed through this pointer for the registry's life. */
	m->hklm->refs = 1;
	return &m->reg;
fail:
	node_free(m->root);
	free(m);
	return NULL;
}

struct tlsr_registry *tlsr_registry_mem_new(void)
{
	return tlsr_mem_create(0);
}

int tlsr_mem_is(const struct tlsr_registry *reg)
{
	return reg != NULL &&
	       (reg->ops == &mem_ops || reg->ops == &regfile_ops);
}

struct tlsr_mem_node *tlsr_mem_root(struct tlsr_registry *reg)
{
	return mem_of(reg)->root;
}

void tlsr_mem_set_format(struct tlsr_registry *reg,
			 enum tlsr_regfile_format fmt)
{
	mem_of(reg)->fmt = fmt;
}

enum tlsr_regfile_format tlsr_mem_format(const struct tlsr_registry *reg)
{
	return ((const struct mem *)reg->impl)->fmt;
}

void tlsr_mem_set_codepage(struct tlsr_registry *reg, unsigned codepage)
{
	mem_of(reg)->codepage = codepage;
}

unsigned tlsr_mem_codepage(const struct tlsr_registry *reg)
{
	return ((const struct mem *)reg->impl)->codepage;
}

tlsr_err tlsr_mem_set_keep(struct tlsr_registry *reg,
			   const struct tlsr_regfile_keep *keep, size_t n,
			   const char *source, unsigned codepage)
{
	struct mem *m = mem_of(reg);

	if (m->mask == NULL) {
		m->mask = node_new("", 0);
		if (m->mask == NULL)
			return TLSR_ENOMEM;
	}
	if (source != NULL && m->source == NULL) {
		m->source = dup_name(source, strlen(source));
		if (m->source == NULL)
			return TLSR_ENOMEM;
		m->source_codepage = codepage;
	}
	for (size_t i = 0; i < n; i++) {
		struct tlsr_mem_node *node = tlsr_mem_add_child(
		    m->mask, hklm_name, sizeof hklm_name - 1);
		const char *p = keep[i].path;
		int first = 1;

		while (node != NULL && *p != '\0') {
			const char *end = strchr(p, '\\');
			size_t len = end ? (size_t)(end - p) : strlen(p);

			node = tlsr_mem_add_child(node, p, len);
			if (node != NULL && first &&
			    keep[i].view == TLSR_VIEW_32 &&
			    name_eq(p, len, "SOFTWARE", 8))
				node = tlsr_mem_add_child(node, wow_name,
							  sizeof wow_name - 1);
			first = 0;
			p += len;
			if (*p == '\\')
				p++;
		}
		if (node == NULL)
			return TLSR_ENOMEM;
		if (keep[i].subtree)
			node->keep = TLSR_MEM_KEEP_TREE;
		else if (node->keep == 0)
			node->keep = TLSR_MEM_KEEP_KEY;
	}
	return TLSR_OK;
}

const struct tlsr_mem_node *tlsr_mem_mask(const struct tlsr_registry *reg)
{
	return ((const struct mem *)reg->impl)->mask;
}

int tlsr_mem_widened(const struct tlsr_registry *reg)
{
	return ((const struct mem *)reg->impl)->old_root != NULL;
}
