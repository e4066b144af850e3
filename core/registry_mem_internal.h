/* tlsward: the tree under the in-memory registry, shared by registry_mem.c
 * and registry_regfile.c only.
 *
 * The tree's root holds hive keys ("HKEY_LOCAL_MACHINE", ...); below them
 * keys hold values and subkeys in insertion order, each list indexed by a
 * case-insensitive hash (Windows' comparison, core/utf8.h). Names are UTF-8
 * and owned by the tree. */
#ifndef TLSR_REGISTRY_MEM_INTERNAL_H
#define TLSR_REGISTRY_MEM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

struct tlsr_mem_value {
	char *name; /* "" is the default value */
	size_t name_len;
	uint32_t hash;
	uint32_t type;
	size_t size;
	uint8_t *data;
	struct tlsr_mem_value *next; /* hash chain */
};

struct tlsr_mem_node {
	char *name;
	size_t name_len;
	uint32_t hash;
	struct tlsr_mem_node *parent; /* NULL for the root and deleted keys */
	struct tlsr_mem_node *next;   /* hash chain in the parent */
	/* Subkeys in insertion order, and their hash index. */
	struct tlsr_mem_node **kids;
	size_t nkids, kids_cap;
	struct tlsr_mem_node **kid_buckets;
	size_t kid_nbuckets;
	/* Values in insertion order, and their hash index. */
	struct tlsr_mem_value **vals;
	size_t nvals, vals_cap;
	struct tlsr_mem_value **val_buckets;
	size_t val_nbuckets;
	unsigned refs; /* open handles */
	int deleted;   /* removed from the tree while open */
	int explicit_; /* named in a .reg file or created through the ops */
	/* In the mask of a partial registry: TLSR_MEM_KEEP_KEY for a key
	 * kept with its values, TLSR_MEM_KEEP_TREE for a key kept with
	 * everything below it, 0 for a key on the way to one. */
	int keep;
};

#define TLSR_MEM_KEEP_KEY 1
#define TLSR_MEM_KEEP_TREE 2

/* A new empty registry whose ops are named "memory", or "regfile" when
 * regfile is non-zero; NULL when out of memory. The tree holds an empty
 * HKEY_LOCAL_MACHINE key. */
struct tlsr_registry *tlsr_mem_create(int regfile);

/* 1 when reg is a memory or regfile registry. */
int tlsr_mem_is(const struct tlsr_registry *reg);

/* The root of reg's tree (its children are the hives). */
struct tlsr_mem_node *tlsr_mem_root(struct tlsr_registry *reg);

/* Format recorded for a regfile registry. */
void tlsr_mem_set_format(struct tlsr_registry *reg,
			 enum tlsr_regfile_format fmt);
enum tlsr_regfile_format tlsr_mem_format(const struct tlsr_registry *reg);
/* ANSI code page recorded for a REGEDIT4 file (0: the default). */
void tlsr_mem_set_codepage(struct tlsr_registry *reg, unsigned codepage);
unsigned tlsr_mem_codepage(const struct tlsr_registry *reg);

/* The child of node called name (len bytes), or NULL. */
struct tlsr_mem_node *tlsr_mem_find_child(const struct tlsr_mem_node *node,
					  const char *name, size_t len);

/* The child called name, created (implicit) when missing; NULL when out of
 * memory. */
struct tlsr_mem_node *tlsr_mem_add_child(struct tlsr_mem_node *node,
					 const char *name, size_t len);

/* Removes child from its parent and frees it and its subtree (keys still
 * open are kept until closed). */
void tlsr_mem_remove(struct tlsr_mem_node *child);

/* The value called name, or NULL. */
struct tlsr_mem_value *tlsr_mem_find_value(const struct tlsr_mem_node *node,
					   const char *name, size_t len);

/* Sets (adds or replaces) a value; data are copied. TLSR_ENOMEM. */
tlsr_err tlsr_mem_set_value(struct tlsr_mem_node *node, const char *name,
			    size_t len, uint32_t type, const void *data,
			    size_t size);

/* Removes a value; TLSR_ENOTFOUND when absent. */
tlsr_err tlsr_mem_remove_value(struct tlsr_mem_node *node, const char *name,
			       size_t len);

/* Replaces the value called name by one that takes ownership of data (a
 * malloc'd block), saving a copy for large parsed values. TLSR_ENOMEM (data
 * is freed). */
tlsr_err tlsr_mem_put_value(struct tlsr_mem_node *node, const char *name,
			    size_t len, uint32_t type, uint8_t *data,
			    size_t size);

/* Compares two names as Windows compares key and value names. */
int tlsr_mem_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* ---- partial registries (a .reg file read for a check) ----
 *
 * A partial registry holds only the keys a reader was asked to keep
 * (struct tlsr_regfile_keep): each such key exactly as the whole file
 * would give it, with everything below it for a subtree. Its mask is a
 * tree of the kept paths (real paths, Wow6432Node spelled out) whose nodes
 * say what is kept. An op that reaches outside the kept keys first reads
 * the whole file (tlsr_regfile_reread) and carries on in the whole tree,
 * so no answer ever depends on what was kept: only the time does. */

/* Makes reg partial with the keys in keep; source is the file the whole
 * tree is read from when an op needs more (NULL: such an op fails with
 * TLSR_EUNSUPPORTED). TLSR_ENOMEM. */
tlsr_err tlsr_mem_set_keep(struct tlsr_registry *reg,
			   const struct tlsr_regfile_keep *keep, size_t n,
			   const char *source, unsigned codepage);

/* The mask's root (its children are the hives), or NULL for a registry
 * that holds the whole file. */
const struct tlsr_mem_node *tlsr_mem_mask(const struct tlsr_registry *reg);

/* 1 once a partial registry has read the whole file. */
int tlsr_mem_widened(const struct tlsr_registry *reg);

/* Reads the whole file path in codepage (no warnings) into a new regfile
 * registry (registry_regfile.c). */
tlsr_err tlsr_regfile_reread(const char *path, unsigned codepage,
			     struct tlsr_registry **out);

#endif
