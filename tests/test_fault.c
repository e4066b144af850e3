/* tlsward: the fault sweep. For several machine states, a full pass
 * (facts, check, plan, apply) runs over the registry fault wrapper in its
 * persistent mode, failing every call from call N on, for every N from 1
 * to the pass's last call. After each faulted pass, with the fault
 * cleared, the sweep proves: nothing crashed (ASan and UBSan are on); no
 * write reported a success it did not make; every managed value that
 * changed was journalled first; a changed value that needs a restart
 * always left the restart owed in the ledger (core/owed.c); a second pass
 * converges;
 * and a rollback then restores every managed value bit-exact. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "owed.h"
#include "tlsr.h"

/* The machine states swept (tests/data/machines). */
static const char *const machines[] = {
	"win7-sp1-unpatched", "win7-sp1-patched-drift", "win10-22h2-drift",
	"win11", "server2012r2-drift",
};

static struct tlsr_registry *load(const char *name)
{
	const char *dir = getenv("TLSR_DATA");
	struct tlsr_registry *reg = NULL;
	struct tlsr_diag diag;
	char path[1024], msg[1200];

	ck_assert_msg(dir != NULL, "TLSR_DATA is not set");
	snprintf(path, sizeof path, "%s/machines/%s.reg", dir, name);
	if (tlsr_regfile_read(path, &reg, &diag) != TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		ck_abort_msg("%s: %s", path, msg);
	}
	return reg;
}

/* A managed value as found: absent, or its type and bytes. */
struct snap {
	int present;
	struct tlsr_value v;
};

struct outcome {
	size_t item;
	uint32_t value;
	enum tlsr_restart_rule restart;
	tlsr_err err;
};

struct record {
	struct outcome out[256];
	size_t n;
};

static void on_action(void *data, const struct tlsr_report *r,
		      const struct tlsr_action *a, tlsr_err result)
{
	struct record *rec = data;

	(void)r;
	if (rec->n < sizeof rec->out / sizeof rec->out[0]) {
		rec->out[rec->n].item = a->item;
		rec->out[rec->n].value = a->value;
		rec->out[rec->n].restart = a->restart;
		rec->out[rec->n].err = result;
		rec->n++;
	}
}

/* A full pass; every error is allowed while faults are armed. Returns the
 * report (caller frees) or NULL when the pass stopped before check. */
static struct tlsr_report *full_pass(struct tlsr_registry *reg,
				     const struct tlsr_policy *p,
				     struct record *rec, tlsr_err *apply_err,
				     struct tlsr_apply_result *res)
{
	struct tlsr_report *r = NULL;
	struct tlsr_plan *plan = NULL;
	struct tlsr_facts f;

	memset(res, 0, sizeof *res);
	*apply_err = TLSR_OK;
	if (tlsr_facts_read(reg, &f) != TLSR_OK)
		return NULL;
	if (tlsr_check(reg, p, &f, &r) != TLSR_OK)
		return NULL;
	if (tlsr_plan_make(r, &plan) == TLSR_OK)
		*apply_err = tlsr_apply(reg, r, plan, on_action, rec, res);
	tlsr_plan_free(plan);
	return r;
}

static int same_value(const struct snap *s, tlsr_err err,
		      const struct tlsr_value *v)
{
	if (!s->present)
		return err == TLSR_ENOTFOUND;
	return err == TLSR_OK && v->type == s->v.type && v->size == s->v.size &&
	       (v->size == 0 || memcmp(v->data, s->v.data, v->size) == 0);
}

/* Whether the pass's action on the item owed a restart (a value prestaged
 * while its update is missing owes none: it takes effect with the
 * update's own restart). */
static int needs_restart(const struct record *rec,
			 const struct tlsr_report *r, const struct tlsr_item *it)
{
	size_t k;

	for (k = 0; k < rec->n; k++)
		if (strcmp(r->items[rec->out[k].item].id, it->id) == 0)
			return rec->out[k].restart != TLSR_RESTART_NONE;
	return 0;
}

static int journalled(struct tlsr_registry *reg, const struct tlsr_item *it)
{
	struct tlsr_value v;
	char name[300];
	tlsr_err err;

	/* Any journal value naming the item's id. */
	snprintf(name, sizeof name, "%s", it->id);
	err = tlsr_reg_get(reg, TLSR_KEY_JOURNAL, TLSR_VIEW_64, name, &v);
	tlsr_value_clear(&v);
	return err == TLSR_OK;
}

/* Calls of one undisturbed pass on a fresh copy of the machine. */
static unsigned long calls_of_a_pass(const char *machine,
				     const struct tlsr_policy *p)
{
	struct tlsr_registry *reg = tlsr_registry_fault_new(load(machine));
	struct tlsr_apply_result res;
	struct tlsr_report *r;
	struct record rec = {0};
	unsigned long n;
	tlsr_err err;

	r = full_pass(reg, p, &rec, &err, &res);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(err, TLSR_OK);
	n = tlsr_fault_calls(reg);
	tlsr_report_free(r);
	tlsr_registry_destroy(reg);
	return n;
}

static unsigned long swept_total;

START_TEST(fault_persistent_sweep_over_every_call)
{
	const char *machine = machines[_i];
	struct tlsr_policy p;
	struct tlsr_apply_result res;
	unsigned long total, n;
	size_t i, k;

	tlsr_policy_defaults(&p);
	total = calls_of_a_pass(machine, &p);
	ck_assert_uint_gt(total, 10);
	for (n = 1; n <= total + 1; n++) {
		struct tlsr_registry *reg =
			tlsr_registry_fault_new(load(machine));
		struct tlsr_report *before, *r, *after;
		struct record rec = {0};
		struct snap *orig;
		struct tlsr_facts f;
		size_t restored = 0;
		struct tlsr_diag diag;
		int owed = 0;
		tlsr_err err;

		/* The managed values as found, through the same wrapper. */
		ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
		ck_assert_int_eq(tlsr_check(reg, &p, &f, &before), TLSR_OK);
		orig = calloc(before->n_items, sizeof *orig);
		ck_assert_ptr_nonnull(orig);
		for (i = 0; i < before->n_items; i++) {
			const struct tlsr_item *it = &before->items[i];

			err = tlsr_reg_get(reg, it->def->key, it->view,
					   it->def->name, &orig[i].v);
			orig[i].present = err == TLSR_OK;
		}

		tlsr_fault_arm_from(reg, n, TLSR_EACCESS);
		r = full_pass(reg, &p, &rec, &err, &res);
		tlsr_fault_arm(reg, 0, TLSR_OK);

		/* No success reported for a write that did not happen. */
		for (k = 0; k < rec.n; k++) {
			const struct tlsr_item *it;
			uint32_t got = 0;

			if (rec.out[k].err != TLSR_OK)
				continue;
			it = &r->items[rec.out[k].item];
			ck_assert_msg(tlsr_reg_get_dword(reg, it->def->key,
							 it->view,
							 it->def->name,
							 &got) == TLSR_OK &&
					      got == rec.out[k].value,
				      "%s, fault from call %lu: %s reported "
				      "written but reads 0x%x",
				      machine, n, it->id, (unsigned)got);
		}
		if (r != NULL && err == TLSR_OK)
			ck_assert_uint_eq(res.failed, 0);
		/* Journal before change; a changed restart-required value
		 * leaves the restart owed in Status. */
		for (i = 0; i < before->n_items; i++) {
			const struct tlsr_item *it = &before->items[i];
			struct tlsr_value v;
			int same;

			err = tlsr_reg_get(reg, it->def->key, it->view,
					   it->def->name, &v);
			same = same_value(&orig[i], err, &v);
			tlsr_value_clear(&v);
			if (same)
				continue;
			ck_assert_msg(journalled(reg, it),
				      "%s, fault from call %lu: %s changed "
				      "without a journal entry",
				      machine, n, it->id);
			if (needs_restart(&rec, r != NULL ? r : before, it)) {
				owed = 0;
				ck_assert_int_eq(tlsr_owed_has(reg, f.boot_id,
							       it->id, &owed),
						 TLSR_OK);
				ck_assert_msg(owed == 1,
					      "%s, fault from call %lu: %s "
					      "changed, no restart owed",
					      machine, n, it->id);
			}
		}
		tlsr_report_free(r);

		/* The fault cleared: the next pass converges. */
		memset(&rec, 0, sizeof rec);
		r = full_pass(reg, &p, &rec, &err, &res);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(err, TLSR_OK);
		tlsr_report_free(r);
		ck_assert_int_eq(tlsr_facts_read(reg, &f), TLSR_OK);
		ck_assert_int_eq(tlsr_check(reg, &p, &f, &after), TLSR_OK);
		ck_assert_msg(after->compliant || after->blocked,
			      "%s, fault from call %lu: no convergence",
			      machine, n);
		ck_assert_int_eq(after->compliant, !before->blocked);
		tlsr_report_free(after);

		/* And a rollback restores the original bit-exact. */
		memset(&diag, 0, sizeof diag);
		ck_assert_int_eq(tlsr_rollback(reg, &restored, &diag),
				 TLSR_OK);
		for (i = 0; i < before->n_items; i++) {
			const struct tlsr_item *it = &before->items[i];
			struct tlsr_value v;

			err = tlsr_reg_get(reg, it->def->key, it->view,
					   it->def->name, &v);
			ck_assert_msg(same_value(&orig[i], err, &v),
				      "%s, fault from call %lu: %s not "
				      "restored bit-exact",
				      machine, n, it->id);
			tlsr_value_clear(&v);
			tlsr_value_clear(&orig[i].v);
		}
		free(orig);
		tlsr_report_free(before);
		tlsr_registry_destroy(reg);
		swept_total++;
	}
	fprintf(stderr, "fault sweep: %s: %lu calls in a pass, %lu faulted "
		"passes\n", machine, total, total + 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("sweep");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, fault_persistent_sweep_over_every_call, 0,
			    (int)(sizeof machines / sizeof machines[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
