/* SPDX-License-Identifier: MIT */
/* test_ops.c — the op registry (ops.h, op_table.c) holds together: every
 * op has fields and an apply function and is found by its name; the
 * field a subject or a command-line flag names is one of the op's fields;
 * every recording command has distinct words; and the ops lazy replay may
 * set member additions aside around are exactly those whose rules read
 * member rows only through the names they carry (the list the projection
 * was written against). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ops_int.h"

static bool
has_field(const struct cb_op *op, const char *name)
{
	for (const struct cb_field *f = op->fields; f->name; f++)
		if (!strcmp(f->name, name))
			return true;
	return false;
}

static void
test_every_row_is_whole(void **state)
{
	(void)state;
	assert_true(cb_op_count >= 29);
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op *op = &cb_ops[i];

		assert_non_null(op->name);
		assert_non_null(op->fields);
		assert_non_null(op->apply);
		assert_ptr_equal(cb_op_find(op->name), op);
		assert_true(cb_ops_known(op->name));
		switch (op->subject) {
		case CB_SUBJECT_MEMBER:
			assert_true(has_field(op, "member"));
			break;
		case CB_SUBJECT_CANDIDATE:
			assert_true(has_field(op, "candidate"));
			break;
		case CB_SUBJECT_RATED:
			assert_true(has_field(op, "subject") &&
			            has_field(op, "subject_kind"));
			break;
		default: break;
		}
		/* a member field that is not the subject would lose the
		 * entry from the member's dossier */
		if (has_field(op, "member"))
			assert_int_equal(op->subject, CB_SUBJECT_MEMBER);
	}
	assert_null(cb_op_find("member.adds"));
	assert_false(cb_ops_known(""));
}

static void
test_command_lines_name_real_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op_cli *c = cb_ops[i].cli;

		if (!c)
			continue;
		if (c->pos_field && !has_field(&cb_ops[i], c->pos_field))
			fail_msg("%s: positional field '%s' is not one of its "
			         "fields",
			         cb_ops[i].name, c->pos_field);
		for (const struct cb_op_flag *f = c->flags; f->flag; f++) {
			const char *field =
				f->type == CB_ARG_MARK      ? "attendance"
				: f->type == CB_ARG_SUBJECT ? "subject"
							    : f->field;

			if (!has_field(&cb_ops[i], field))
				fail_msg("%s: --%s fills '%s', not one of its "
				         "fields",
				         cb_ops[i].name, f->flag, field);
		}
		for (size_t k = 0; k < i; k++) {
			const struct cb_op_cli *d = cb_ops[k].cli;

			if (d && !strcmp(c->w1, d->w1) &&
			    (c->w2 ? d->w2 && !strcmp(c->w2, d->w2) : !d->w2))
				fail_msg("%s and %s share their command words",
				         cb_ops[i].name, cb_ops[k].name);
		}
	}
}

static void
test_keyed_ops_are_the_ones_lazy_replay_was_proven_for(void **state)
{
	static const char *const keyed[] = {
		"member.add",     "member.update",    "member.status",
		"member.move",    "member.release",   "member.accept",
		"member.decline", "meeting.record",   "rating.record",
		"org.init",       "cell.create",      "cell.rename",
		"org.congress",   "hub.init",         "key.enroll",
		"key.revoke",     "calendar.holiday", "office.init",
		"hub.join",
	};
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++) {
		const struct cb_op *op = cb_op_find(keyed[i]);

		assert_non_null(op);
		assert_true(op->flags & CB_OP_KEYED);
	}
	for (size_t i = 0; i < cb_op_count; i++)
		n += (cb_ops[i].flags & CB_OP_KEYED) != 0;
	assert_int_equal(n, sizeof(keyed) / sizeof(keyed[0]));
	/* only member.add goes without a savepoint */
	for (size_t i = 0; i < cb_op_count; i++)
		assert_int_equal((cb_ops[i].flags & CB_OP_NO_SAVEPOINT) != 0,
		                 !strcmp(cb_ops[i].name, "member.add"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_is_whole),
		cmocka_unit_test(test_command_lines_name_real_fields),
		cmocka_unit_test(
			test_keyed_ops_are_the_ones_lazy_replay_was_proven_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
