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
#include "words.h"

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

void
agent_op_done(FILE *fp, const struct cb_op *op, const struct cb_entry *e)
{
	char id[13];

	cb_hash_short(e->id, id);
	if (strcmp(op->name, "member.add") == 0)
		fprintf(fp, _("added member %s, id %s (entry %llu)\n"),
		        json_string_value(
				json_object_get(e->json, "full_name")),
		        id, (unsigned long long)e->seq);
	else
		fprintf(fp, _("recorded %s as entry %llu (%s)\n"),
		        cb_words_label("op", op->name),
		        (unsigned long long)e->seq, id);
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
	json_t *in = NULL;
	char cmd[40];
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
	for (int d = 0; d < nd; d++)
		for (int k = 0; k < v->n[d]; k++)
			if (cb_op_input_add(in, &c->flags[d], v->vals[d][k],
			                    &eb)) {
				cb_args_usage(cmd, "%s", eb.msg);
				goto out;
			}
	if (cb_op_input_finish(op, in, &eb)) {
		cb_args_usage(cmd, "%s", eb.msg);
		goto out;
	}
	if (!(lg = agent_open(a))) {
		rc = 1;
		goto out;
	}
	rc = 1;
	if (cb_ledger_append(lg, op->name, in, &e, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	agent_op_done(stdout, op, &e);
	rc = 0;
out:
	cb_entry_release(&e);
	cb_ledger_free(&lg);
	json_decref(in);
	free(v);
	return rc;
}
