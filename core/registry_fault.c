/* tlsward: a registry wrapper that fails one chosen call, or every call
 * from one on, to prove callers handle every failure. Every call of every
 * op counts (close_key and destroy too, though they cannot fail); the
 * armed call returns the armed error without reaching the inner backend.
 * Key handles are the inner backend's. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

struct fault {
	struct tlsr_registry reg;
	struct tlsr_registry *inner;
	unsigned long calls;
	struct tlsr_reg_counts by; /* the same calls by kind */
	unsigned long fail_at;
	int persistent; /* fail every call from fail_at on */
	tlsr_err err;
};

static struct fault *fault_of(struct tlsr_registry *reg)
{
	return reg->impl;
}

/* Counts a call of a kind; non-zero when this is the armed one. */
static int hit(struct fault *f, unsigned long *kind)
{
	f->calls++;
	(*kind)++;
	return f->fail_at != 0 &&
	       (f->persistent ? f->calls >= f->fail_at : f->calls == f->fail_at);
}

static tlsr_err injected(struct fault *f, const char *op)
{
	return tlsr_reg_fail(&f->reg, f->err, 0,
			     "injected fault at call %lu (%s): %s", f->calls,
			     op, tlsr_strerror(f->err));
}

/* Copies the inner backend's failure details so callers see them on the
 * registry they hold. */
static tlsr_err pass(struct fault *f, tlsr_err err)
{
	if (err != TLSR_OK) {
		f->reg.sys_code = f->inner->sys_code;
		memcpy(f->reg.message, f->inner->message,
		       sizeof f->reg.message);
	}
	return err;
}

static tlsr_err fault_open_key(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view, int create,
			       struct tlsr_key **out)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.open))
		return injected(f, "open_key");
	return pass(f,
		    f->inner->ops->open_key(f->inner, path, view, create, out));
}

static void fault_close_key(struct tlsr_registry *reg, struct tlsr_key *key)
{
	struct fault *f = fault_of(reg);

	/* Closing cannot fail, and skipping it would leak the handle. */
	f->calls++;
	f->by.close++;
	f->inner->ops->close_key(f->inner, key);
}

static tlsr_err fault_get_value(struct tlsr_registry *reg, struct tlsr_key *key,
				const char *name, struct tlsr_value *out)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.query)) {
		if (out != NULL)
			memset(out, 0, sizeof *out);
		return injected(f, "get_value");
	}
	return pass(f, f->inner->ops->get_value(f->inner, key, name, out));
}

static tlsr_err fault_set_value(struct tlsr_registry *reg, struct tlsr_key *key,
				const char *name, uint32_t type,
				const void *data, size_t size)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.other))
		return injected(f, "set_value");
	return pass(
	    f, f->inner->ops->set_value(f->inner, key, name, type, data, size));
}

static tlsr_err fault_delete_value(struct tlsr_registry *reg,
				   struct tlsr_key *key, const char *name)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.other))
		return injected(f, "delete_value");
	return pass(f, f->inner->ops->delete_value(f->inner, key, name));
}

static tlsr_err fault_enum_subkey(struct tlsr_registry *reg,
				  struct tlsr_key *key, size_t index, char *buf,
				  size_t size)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.enumerate))
		return injected(f, "enum_subkey");
	return pass(
	    f, f->inner->ops->enum_subkey(f->inner, key, index, buf, size));
}

static tlsr_err fault_enum_value(struct tlsr_registry *reg,
				 struct tlsr_key *key, size_t index, char *buf,
				 size_t size)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.enumerate))
		return injected(f, "enum_value");
	return pass(f,
		    f->inner->ops->enum_value(f->inner, key, index, buf, size));
}

static tlsr_err fault_delete_key(struct tlsr_registry *reg, const char *path,
				 enum tlsr_view view)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.other))
		return injected(f, "delete_key");
	return pass(f, f->inner->ops->delete_key(f->inner, path, view));
}

static tlsr_err fault_watch(struct tlsr_registry *reg, struct tlsr_key *key,
			    void *event)
{
	struct fault *f = fault_of(reg);

	if (hit(f, &f->by.other))
		return injected(f, "watch");
	return pass(f, f->inner->ops->watch(f->inner, key, event));
}

/* Not a registry operation: it cannot fail and is not counted, so a
 * caller's calls number the same with a batching backend or without. */
static void fault_batch(struct tlsr_registry *reg, int begin)
{
	struct fault *f = fault_of(reg);

	if (f->inner->ops->batch != NULL)
		f->inner->ops->batch(f->inner, begin);
}

static void fault_destroy(struct tlsr_registry *reg)
{
	struct fault *f = fault_of(reg);

	tlsr_registry_destroy(f->inner);
	free(f);
}

static const struct tlsr_registry_ops fault_ops = {
    .name = "fault",
    .open_key = fault_open_key,
    .close_key = fault_close_key,
    .get_value = fault_get_value,
    .set_value = fault_set_value,
    .delete_value = fault_delete_value,
    .enum_subkey = fault_enum_subkey,
    .enum_value = fault_enum_value,
    .delete_key = fault_delete_key,
    .watch = fault_watch,
    .destroy = fault_destroy,
    .batch = fault_batch,
};

struct tlsr_registry *tlsr_registry_fault_new(struct tlsr_registry *inner)
{
	struct fault *f;

	if (inner == NULL)
		return NULL;
	f = calloc(1, sizeof *f);
	if (f == NULL) {
		tlsr_registry_destroy(inner);
		return NULL;
	}
	f->reg.ops = &fault_ops;
	f->reg.impl = f;
	f->inner = inner;
	f->err = TLSR_EFAULT;
	return &f->reg;
}

void tlsr_fault_arm(struct tlsr_registry *fault, unsigned long fail_at,
		    tlsr_err err)
{
	struct fault *f;

	if (fault == NULL || fault->ops != &fault_ops)
		return;
	f = fault_of(fault);
	f->fail_at = fail_at;
	f->persistent = 0;
	f->err = err;
	f->calls = 0;
	memset(&f->by, 0, sizeof f->by);
}

void tlsr_fault_arm_from(struct tlsr_registry *fault, unsigned long from,
			 tlsr_err err)
{
	tlsr_fault_arm(fault, from, err);
	if (fault != NULL && fault->ops == &fault_ops)
		fault_of(fault)->persistent = 1;
}

unsigned long tlsr_fault_calls(const struct tlsr_registry *fault)
{
	if (fault == NULL || fault->ops != &fault_ops)
		return 0;
	return ((const struct fault *)fault->impl)->calls;
}

void tlsr_fault_counts(const struct tlsr_registry *fault,
		       struct tlsr_reg_counts *out)
{
	memset(out, 0, sizeof *out);
	if (fault != NULL && fault->ops == &fault_ops)
		*out = ((const struct fault *)fault->impl)->by;
}
