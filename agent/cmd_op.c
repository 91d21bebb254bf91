/* SPDX-License-Identifier: MIT */
/* cmd_op.c — the recording commands ("member add", "meeting record", …),
 * from the command-line form of each op in the op registry (op_table.c):
 * its flags map to the fields of one op, which go through exactly the path
 * 'apply' uses (cb_ledger_append), so a flag command and a JSON line can
 * never mean different things. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "date.h"
#include "ops.h"

/* The recording command argv names (its words), or NULL. */
static const struct cb_op *
find(int argc, char **argv)
{
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op_cli *c = cb_ops[i].cli;

		if (!c || strcmp(c->w1, argv[0]) != 0)
			continue;
		if (!c->w2)
			return &cb_ops[i];
		if (argc > 1 && strcmp(c->w2, argv[1]) == 0)
			return &cb_ops[i];
	}
	return NULL;
}

bool
cmd_op_matches(int argc, char **argv)
{
	if (find(argc, argv))
		return true;
	/* "member" alone or with an unknown verb: let cmd_op explain. */
	for (size_t i = 0; i < cb_op_count; i++)
		if (cb_ops[i].cli && strcmp(cb_ops[i].cli->w1, argv[0]) == 0)
			return true;
	return false;
}

void
cmd_op_list(void)
{
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op_cli *c = cb_ops[i].cli;
		char words[40];

		if (!c)
			continue;
		snprintf(words, sizeof(words), "%s%s%s", c->w1,
		         c->w2 ? " " : "", c->w2 ? c->w2 : "");
		printf("  %-17s %s\n", words, _(c->summary));
	}
}

static void
help(const struct cb_op *op, const struct argdef *defs)
{
	const struct cb_op_cli *c = op->cli;
	char pos[24] = "";

	/* The positional argument by its field: MEMBER, RELEASE, PLAN, … */
	for (size_t i = 0;
	     c->pos_field && c->pos_field[i] && i + 2 < sizeof(pos); i++) {
		pos[0] = ' ';
		pos[i + 1] = (char)toupper((unsigned char)c->pos_field[i]);
	}
	printf(_("usage: chibo-agent %s%s%s%s [OPTIONS]\n\n%s.\n"), c->w1,
	       c->w2 ? " " : "", c->w2 ? c->w2 : "", pos, _(c->summary));
	printf(_("Appends one signed '%s' entry (docs/OPERATIONS.md).\n\n"),
	       op->name);
	cb_args_help(stdout, defs);
	puts(_("\nA DATE is YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY. A "
	       "sex, status,\nkind, "
	       "mark, level or stage may be its Vietnamese word, with or "
	       "without\ndiacritics (nữ, chính thức, thường kỳ, xuất sắc: "
	       "docs/OPERATIONS.md,\n\"Words for values\"). A MEMBER is an id "
	       "prefix of 8+ hex digits, card:NUMBER\nor nid:NUMBER."));
}

static int
add_marks(json_t *att, const char *mark, const char *list, const char *cmd)
{
	char *copy = strdup(list), *p, *save = NULL;

	if (!copy)
		return 1;
	for (p = strtok_r(copy, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		if (json_object_get(att, p)) {
			free(copy);
			return cb_args_usage(
				cmd, _("member '%s' is marked twice"), p);
		}
		json_object_set_new(att, p, json_string(mark));
	}
	free(copy);
	return 0;
}

int
cmd_op(struct agent *a, int argc, char **argv)
{
	const struct cb_op *op = find(argc, argv);
	const struct cb_op_cli *c = op ? op->cli : NULL;
	struct argdef defs[ARGS_MAX_DEFS];
	struct args *v = NULL;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	json_t *in = NULL, *att = NULL, *obs = NULL;
	char cmd[40], id[13];
	int nd = 0, skip, rc = 1;

	if (!c) {
		fprintf(stderr, _("chibo-agent: '%s' needs one of:\n"),
		        argv[0]);
		for (size_t i = 0; i < cb_op_count; i++)
			if (cb_ops[i].cli &&
			    strcmp(cb_ops[i].cli->w1, argv[0]) == 0)
				fprintf(stderr, "  %s %s\n", argv[0],
				        cb_ops[i].cli->w2 ? cb_ops[i].cli->w2
				                          : "");
		return EXIT_USAGE;
	}
	skip = c->w2 ? 1 : 0;
	snprintf(cmd, sizeof(cmd), "%s%s%s", c->w1, c->w2 ? " " : "",
	         c->w2 ? c->w2 : "");
	for (; c->flags[nd].flag; nd++) {
		defs[nd].name = c->flags[nd].flag;
		defs[nd].metavar = c->flags[nd].metavar;
		defs[nd].help = c->flags[nd].help;
	}
	defs[nd].name = NULL;
	if (cb_args_wants_help(argc - skip, argv + skip)) {
		help(op, defs);
		return 0;
	}
	v = calloc(1, sizeof(*v));
	in = json_object();
	if (!v || !in) {
		agent_error(_("out of memory"));
		goto out;
	}
	if ((rc = cb_args_parse(cmd, defs, argc - skip, argv + skip, v)))
		goto out;
	rc = EXIT_USAGE;
	if (v->npos != (c->pos_field ? 1 : 0)) {
		cb_args_usage(cmd,
		              c->pos_field ? _("give exactly one %s")
		                           : _("unexpected argument '%s'"),
		              c->pos_field
		                      ? (strcmp(c->pos_field, "code") ? "MEMBER"
		                                                      : "CODE")
		                      : v->pos[0]);
		goto out;
	}
	if (c->pos_field)
		json_object_set_new(in, c->pos_field, json_string(v->pos[0]));
	for (int d = 0; d < nd; d++) {
		const struct cb_op_flag *f = &c->flags[d];

		for (int k = 0; k < v->n[d]; k++) {
			const char *val = v->vals[d][k];

			switch (f->type) {
			case CB_ARG_STR:
				json_object_set_new(in, f->field,
				                    json_string(val));
				break;
			case CB_ARG_INT: {
				char *end;
				long long n = strtoll(val, &end, 10);

				if (!*val || *end) {
					cb_args_usage(cmd,
					              _("--%s needs a whole "
					                "number, not '%s'"),
					              f->flag, val);
					goto out;
				}
				json_object_set_new(in, f->field,
				                    json_integer(n));
				break;
			}
			case CB_ARG_MARK:
				if (!att)
					att = json_object();
				if (add_marks(att, f->field, val, cmd))
					goto out;
				break;
			case CB_ARG_OBS: {
				const char *colon = strchr(val, ':');
				json_t *o = json_object();

				if (!obs)
					obs = json_array();
				json_object_set_new(
					o, "name",
					colon ? json_stringn(
							val,
							(size_t)(colon - val))
					      : json_string(val));
				if (colon && colon[1])
					json_object_set_new(
						o, "role",
						json_string(colon + 1));
				json_array_append_new(obs, o);
				break;
			}
			case CB_ARG_SUBJECT:
				if (json_object_get(in, "subject")) {
					cb_args_usage(
						cmd,
						_("give --member or --org, "
					          "not both"));
					goto out;
				}
				json_object_set_new(in, "subject_kind",
				                    json_string(f->field));
				json_object_set_new(in, "subject",
				                    json_string(val));
				break;
			}
		}
	}
	if (att)
		json_object_set(in, "attendance", att);
	else if (strcmp(op->name, "meeting.record") == 0) {
		cb_args_usage(cmd,
		              _("give the attendance with --present and the "
		                "other marks"));
		goto out;
	}
	if (obs)
		json_object_set(in, "observers", obs);
	if (!(lg = agent_open(a))) {
		rc = 1;
		goto out;
	}
	rc = 1;
	if (cb_ledger_append(lg, op->name, in, &e, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	cb_hash_short(e.id, id);
	if (strcmp(op->name, "member.add") == 0)
		printf(_("added member %s, id %s (entry %" PRIu64 ")\n"),
		       json_string_value(json_object_get(e.json, "full_name")),
		       id, e.seq);
	else
		printf(_("recorded %s as entry %" PRIu64 " (%s)\n"), op->name,
		       e.seq, id);
	rc = 0;
out:
	cb_entry_release(&e);
	cb_ledger_free(&lg);
	json_decref(in);
	json_decref(att);
	json_decref(obs);
	free(v);
	return rc;
}
