/* SPDX-License-Identifier: MIT */
/* opinput.c — an op's input from the values of its recording command's
 * flags (struct cb_op_flag, op_table.c), one value at a time: what
 * 'chibo-agent member add --full-name …' and the same form of 'chibo-agent
 * ui' both build before cb_ledger_append, so a flag and a form field can
 * never mean different things, nor be refused in different words. */
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "ops.h"

/* Each member of the comma-separated list gets the mark in attendance. */
static cb_err
add_marks(json_t *att, const char *mark, const char *list, struct cb_errbuf *eb)
{
	char *copy = strdup(list), *p, *save = NULL;
	cb_err rc = CB_OK;

	if (!copy)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	for (p = strtok_r(copy, ",", &save); p && !rc;
	     p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		if (json_object_get(att, p))
			rc = cb_error(eb, CB_EINVAL,
			              _("member '%s' is marked twice"), p);
		else if (json_object_set_new(att, p, json_string(mark)))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	free(copy);
	return rc;
}

cb_err
cb_op_input_add(json_t *in, const struct cb_op_flag *f, const char *val,
                struct cb_errbuf *eb)
{
	json_t *att, *obs, *o;
	const char *colon;
	char *end;
	long long n;

	switch (f->type) {
	case CB_ARG_STR:
		json_object_set_new(in, f->field, json_string(val));
		break;
	case CB_ARG_INT:
		n = strtoll(val, &end, 10);
		if (!*val || *end)
			return cb_error(
				eb, CB_EINVAL,
				_("--%s needs a whole number, not '%s'"),
				f->flag, val);
		json_object_set_new(in, f->field, json_integer(n));
		break;
	case CB_ARG_MARK:
		if (!(att = json_object_get(in, "attendance"))) {
			att = json_object();
			json_object_set_new(in, "attendance", att);
		}
		return add_marks(att, f->field, val, eb);
	case CB_ARG_OBS:
		if (!(obs = json_object_get(in, "observers"))) {
			obs = json_array();
			json_object_set_new(in, "observers", obs);
		}
		colon = strchr(val, ':');
		o = json_object();
		json_object_set_new(
			o, "name",
			colon ? json_stringn(val, (size_t)(colon - val))
			      : json_string(val));
		if (colon && colon[1])
			json_object_set_new(o, "role", json_string(colon + 1));
		json_array_append_new(obs, o);
		break;
	case CB_ARG_SUBJECT:
		if (json_object_get(in, "subject"))
			return cb_error(eb, CB_EINVAL,
			                _("give --member or --org, not both"));
		json_object_set_new(in, "subject_kind", json_string(f->field));
		json_object_set_new(in, "subject", json_string(val));
		break;
	}
	return CB_OK;
}

cb_err
cb_op_input_finish(const struct cb_op *op, const json_t *in,
                   struct cb_errbuf *eb)
{
	if (!strcmp(op->name, "meeting.record") &&
	    !json_object_get(in, "attendance"))
		return cb_error(eb, CB_EINVAL,
		                _("give the attendance with --present and the "
		                  "other marks"));
	return CB_OK;
}

const struct cb_op *
cb_op_find_cli(const char *w1, const char *w2)
{
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op_cli *c = cb_ops[i].cli;

		if (!c || strcmp(c->w1, w1) != 0)
			continue;
		if (!c->w2 ? !w2 || !*w2 : w2 && !strcmp(c->w2, w2))
			return &cb_ops[i];
	}
	return NULL;
}
