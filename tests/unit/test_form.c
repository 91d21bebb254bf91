/* SPDX-License-Identifier: MIT */
/* test_form.c — HTML form bodies (common/net/form.c), as 'chibo-agent ui'
 * reads every POST, and the op input its fields become
 * (common/view/opinput.c), shared with the recording commands. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "ops.h"

static void
parse_ok(const char *body, struct cb_form *f)
{
	struct cb_errbuf eb;

	if (cb_form_parse(body, strlen(body), f, &eb))
		fail_msg("'%s' refused: %s", body, eb.msg);
}

static void
test_fields(void **state)
{
	struct cb_form f = CB_FORM_INIT;

	(void)state;
	parse_ok("csrf=ab12&name=Nguy%E1%BB%85n+Th%E1%BB%8B+Hoa&empty="
	         "&bare&mark.aa=present&mark.aa=excused&&x=a%2Bb%3D%26",
	         &f);
	assert_int_equal(f.n, 7);
	assert_string_equal(cb_form_get(&f, "name"), "Nguyễn Thị Hoa");
	assert_string_equal(cb_form_get(&f, "empty"), "");
	assert_string_equal(cb_form_get(&f, "bare"), "");
	/* a name given twice: both kept, in order; get finds the first */
	assert_string_equal(f.fields[4].value, "present");
	assert_string_equal(f.fields[5].value, "excused");
	assert_string_equal(cb_form_get(&f, "mark.aa"), "present");
	assert_string_equal(cb_form_get(&f, "x"), "a+b=&");
	assert_null(cb_form_get(&f, "missing"));
	parse_ok("", &f); /* released first, then empty */
	assert_int_equal(f.n, 0);
	cb_form_release(&f);
	cb_form_release(&f);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
		"a=%", "a=%4",    "a=%zz",  "a=%4g",
		"%=1", "a=b%00c", "a%00=1", "a=%%41",
	};
	struct cb_form f = CB_FORM_INIT;
	struct cb_errbuf eb;
	char *many;
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cb_form_parse(bad[i], strlen(bad[i]), &f, &eb),
		                 CB_EINVAL);
		assert_int_equal(f.n, 0);
		assert_non_null(strstr(eb.msg, "form"));
	}
	/* a byte 0 in the body itself, not escaped */
	assert_int_equal(cb_form_parse("a=1\0b=2", 7, &f, &eb), CB_EINVAL);
	/* the body is read by its length, not to a NUL */
	assert_int_equal(cb_form_parse("a=12345", 3, &f, &eb), CB_OK);
	assert_string_equal(cb_form_get(&f, "a"), "1");
	/* more fields than a form has */
	many = malloc(4 * (CB_FORM_MAX_FIELDS + 1) + 1);
	assert_non_null(many);
	for (int i = 0; i <= CB_FORM_MAX_FIELDS; i++)
		len += (size_t)sprintf(many + len, "a=%d&", i % 10);
	assert_int_equal(cb_form_parse(many, len, &f, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "more than"));
	assert_int_equal(f.n, 0);
	assert_int_equal(cb_form_parse(many, len - 4, &f, &eb), CB_OK);
	assert_int_equal(f.n, CB_FORM_MAX_FIELDS);
	/* each field kept as the array grew (it doubles: 8, 16, … 1024) */
	for (size_t i = 0; i < f.n; i++) {
		char want[2] = { (char)('0' + i % 10), 0 };

		assert_string_equal(f.fields[i].name, "a");
		assert_string_equal(f.fields[i].value, want);
	}
	cb_form_release(&f);
	free(many);
}

/* The op input the recording command and the form both build. */
static void
test_op_input(void **state)
{
	const struct cb_op *op = cb_op_find_cli("meeting", "record");
	const struct cb_op *rate = cb_op_find_cli("rate", NULL);
	const struct cb_op_flag *fl, *present = NULL, *excused = NULL,
				     *duration = NULL, *observer = NULL;
	struct cb_errbuf eb;
	json_t *in = json_object();
	char *s;

	(void)state;
	assert_non_null(op);
	assert_non_null(rate);
	assert_null(cb_op_find_cli("meeting", NULL));
	assert_null(cb_op_find_cli("rate", "x"));
	assert_ptr_equal(cb_op_find_cli("rate", ""), rate);
	for (fl = op->cli->flags; fl->flag; fl++) {
		if (!strcmp(fl->flag, "present"))
			present = fl;
		if (!strcmp(fl->flag, "excused"))
			excused = fl;
		if (!strcmp(fl->flag, "duration"))
			duration = fl;
		if (!strcmp(fl->flag, "observer"))
			observer = fl;
	}
	assert_non_null(present);
	assert_non_null(excused);
	assert_non_null(duration);
	assert_non_null(observer);
	assert_int_equal(cb_op_input_finish(op, in, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "attendance"));
	assert_int_equal(cb_op_input_add(in, present, "aa11, bb22,", &eb),
	                 CB_OK);
	assert_int_equal(cb_op_input_add(in, excused, "cc33", &eb), CB_OK);
	assert_int_equal(cb_op_input_add(in, excused, "aa11", &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "member 'aa11' is marked twice");
	assert_int_equal(cb_op_input_add(in, duration, "90", &eb), CB_OK);
	assert_int_equal(cb_op_input_add(in, duration, "9O", &eb), CB_EINVAL);
	assert_string_equal(eb.msg,
	                    "--duration needs a whole number, not '9O'");
	assert_int_equal(cb_op_input_add(in, duration, "", &eb), CB_EINVAL);
	assert_int_equal(
		cb_op_input_add(in, observer, "Lê Văn A:Huyện ủy", &eb), CB_OK);
	assert_int_equal(cb_op_input_finish(op, in, &eb), CB_OK);
	s = json_dumps(in, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
		s, "{\"attendance\":{\"aa11\":\"present\",\"bb22\":"
		   "\"present\",\"cc33\":\"excused\"},\"duration_min\":90,"
		   "\"observers\":[{\"name\":\"Lê Văn A\",\"role\":\"Huyện "
		   "ủy\"}]}");
	free(s);
	json_decref(in);
	/* rate: --member or --org, not both */
	in = json_object();
	assert_int_equal(
		cb_op_input_add(in, &rate->cli->flags[0], "aa11bb22", &eb),
		CB_OK);
	assert_int_equal(
		cb_op_input_add(in, &rate->cli->flags[1], "26734", &eb),
		CB_EINVAL);
	assert_string_equal(eb.msg, "give --member or --org, not both");
	json_decref(in);
}

/* A form with a file, as a browser posts it (multipart/form-data): the
 * file's bytes whole (a UTF-16 file holds bytes 0), its name kept; the
 * plain fields as text; what is not a whole body refused in one line. */
static void
test_multipart(void **state)
{
	static const char body[] =
		"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
		"ab12\r\n--XyZ\r\nContent-Disposition: form-data; "
		"name=\"file\"; "
		"filename=\"x\xc3\xa3 a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
		"\xff\xfeH\0\r\n--X\0\r\n--XyZ\r\nContent-Disposition: "
		"form-data; name=\"cell\"\r\n\r\n\r\n--XyZ--\r\n";
	const struct cb_form_field *file;
	struct cb_form f = CB_FORM_INIT;
	struct cb_errbuf eb;

	(void)state;
	if (cb_form_parse_multipart(body, sizeof(body) - 1,
	                            "multipart/form-data; boundary=XyZ", &f,
	                            &eb))
		fail_msg("refused: %s", eb.msg);
	assert_int_equal(f.n, 3);
	assert_string_equal(cb_form_get(&f, "csrf"), "ab12");
	assert_null(cb_form_field(&f, "csrf")->file);
	file = cb_form_field(&f, "file");
	assert_non_null(file);
	assert_string_equal(file->file, "x\xc3\xa3 a.csv");
	assert_int_equal(file->len, 10);
	assert_memory_equal(file->value, "\xff\xfeH\0\r\n--X\0", 10);
	assert_string_equal(cb_form_get(&f, "cell"), "");
	/* quoted boundary */
	if (cb_form_parse_multipart(body, sizeof(body) - 1,
	                            "multipart/form-data; boundary=\"XyZ\"", &f,
	                            &eb))
		fail_msg("quoted boundary refused: %s", eb.msg);
	assert_int_equal(f.n, 3);
	/* no boundary; another boundary; cut short; a byte 0 in a field */
	assert_int_equal(cb_form_parse_multipart(body, sizeof(body) - 1,
	                                         "multipart/form-data", &f,
	                                         &eb),
	                 CB_EINVAL);
	assert_int_equal(f.n, 0);
	assert_int_equal(
		cb_form_parse_multipart(body, sizeof(body) - 1,
	                                "multipart/form-data; boundary=Other",
	                                &f, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_form_parse_multipart(
			body, 60, "multipart/form-data; boundary=XyZ", &f, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "does not end"));
	assert_int_equal(
		cb_form_parse_multipart("--b\r\nContent-Disposition: "
	                                "form-data; name=\"a\"\r\n\r\n"
	                                "x\0y\r\n--b--",
	                                59, "multipart/form-data; boundary=b",
	                                &f, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "byte 0"));
	/* a part named twice (found by fuzz_form: the first name leaked) */
	{
		static const char two[] =
			"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
			"Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
			"x\r\n--b--";

		assert_int_equal(cb_form_parse_multipart(
					 two, sizeof(two) - 1,
					 "multipart/form-data; boundary=b", &f,
					 &eb),
		                 CB_EINVAL);
		assert_non_null(strstr(eb.msg, "two Content-Disposition"));
		assert_int_equal(f.n, 0);
	}
	cb_form_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_op_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
