/* SPDX-License-Identifier: MIT */
/* cmd_apply.c — chibo-agent apply: JSON operations, one per line
 * ({"op": "member.add", ...fields}). Lines are applied in batches, each one
 * durable transaction; after each commit a line "saved through line N
 * (entry S)" is printed, and what it reports is on disk. A bad line is
 * reported with its number and writes nothing; --atomic writes nothing at
 * all unless every line is good. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "text.h"

#define LINE_MAX_BYTES (256 * 1024)

static const struct argdef defs[] = {
	{ "atomic", NULL, "all lines or nothing: one bad line writes nothing" },
	{ "batch", "N", "lines per transaction (default 1000)" },
	{ "quiet", NULL, "do not print the 'saved through' lines" },
	{ NULL, NULL, NULL },
};

static int
apply_line(struct cb_ledger *lg, char *line, size_t len, size_t lineno,
           struct cb_errbuf *eb)
{
	json_error_t jerr;
	json_t *in, *op;
	char opname[CB_OP_MAX + 1];
	cb_err rc;

	if (!cb_utf8_valid(line, len)) {
		cb_error(eb, CB_EINVAL, "line %zu: not valid UTF-8", lineno);
		return 1;
	}
	in = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!in) {
		cb_error(eb, CB_EINVAL, "line %zu: not JSON: %s (column %d)",
		         lineno, jerr.text, jerr.column);
		return 1;
	}
	op = json_object_get(in, "op");
	if (!json_is_object(in) || !json_is_string(op)) {
		json_decref(in);
		cb_error(eb, CB_EINVAL, "line %zu: not an object with an \"op\"",
		         lineno);
		return 1;
	}
	snprintf(opname, sizeof(opname), "%s", json_string_value(op));
	json_object_del(in, "op");
	rc = cb_ledger_append(lg, opname, in, NULL, eb);
	json_decref(in);
	if (rc) {
		cb_error_prefix(eb, rc, "line %zu", lineno);
		/* Only a refused op is the line's fault; I/O is ours. */
		return rc == CB_EINVAL || rc == CB_ERULE || rc == CB_ETOOBIG
		               ? 1
		               : -1;
	}
	return 0;
}

int
cmd_apply(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, lineno = 0, in_batch = 0, good = 0, bad = 0,
	       batch = 1000;
	bool atomic, quiet;
	ssize_t n;
	int rc;

	if (agent_wants_help(argc, argv)) {
		puts("usage: chibo-agent apply [--atomic] [--batch N] FILE|-\n\n"
		     "Applies JSON operations, one object per line: {\"op\": "
		     "\"member.add\", ...}.\nSee docs/OPERATIONS.md for every op "
		     "and field. Blank lines and lines\nstarting with '#' are "
		     "skipped. Exit 1 if any line was refused.\n");
		args_help(stdout, defs);
		return 0;
	}
	if ((rc = args_parse("apply", defs, argc, argv, &v)))
		return rc;
	if (v.npos != 1)
		return agent_usage("apply", "give one FILE, or - for stdin");
	atomic = args_get(&v, 0) != NULL;
	quiet = args_get(&v, 2) != NULL;
	if (args_get(&v, 1)) {
		char *end;

		batch = strtoul(args_get(&v, 1), &end, 10);
		if (*end || batch < 1 || batch > 1000000)
			return agent_usage("apply", "--batch takes 1..1000000");
	}
	fp = strcmp(v.pos[0], "-") == 0 ? stdin : fopen(v.pos[0], "r");
	if (!fp) {
		agent_error("cannot open '%s': %s", v.pos[0], strerror(errno));
		return 1;
	}
	if (!(lg = agent_open(a))) {
		if (fp != stdin)
			fclose(fp);
		return 1;
	}
	rc = 1;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		int r;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (n == 0 || line[0] == '#')
			continue;
		if (n > LINE_MAX_BYTES) {
			agent_error("line %zu: longer than %d bytes", lineno,
			            LINE_MAX_BYTES);
			bad++;
			if (atomic)
				goto fail;
			continue;
		}
		if (!lg->in_batch && cb_ledger_begin(lg, &eb)) {
			agent_error("%s", eb.msg);
			goto fail;
		}
		r = apply_line(lg, line, (size_t)n, lineno, &eb);
		if (r < 0) {
			agent_error("%s", eb.msg);
			goto fail;
		}
		if (r > 0) {
			agent_error("%s", eb.msg);
			bad++;
			if (atomic)
				goto fail;
			continue;
		}
		good++;
		if (!atomic && ++in_batch >= batch) {
			if (cb_ledger_commit(lg, &eb)) {
				agent_error("%s", eb.msg);
				goto fail;
			}
			in_batch = 0;
			if (!quiet)
				printf("saved through line %zu (entry %" PRIu64
				       ")\n", lineno, lg->head_seq);
			fflush(stdout);
		}
	}
	if (ferror(fp)) {
		agent_error("cannot read '%s': %s", v.pos[0], strerror(errno));
		goto fail;
	}
	if (lg->in_batch) {
		if (cb_ledger_commit(lg, &eb)) {
			agent_error("%s", eb.msg);
			goto fail;
		}
		if (!quiet)
			printf("saved through line %zu (entry %" PRIu64 ")\n",
			       lineno, lg->head_seq);
	}
	printf("applied %zu operation%s, refused %zu\n", good,
	       good == 1 ? "" : "s", bad);
	rc = bad ? 1 : 0;
	goto out;
fail:
	if (lg->in_batch)
		cb_ledger_abort(lg);
	if (atomic)
		fprintf(stderr, "chibo-agent: nothing was written (--atomic)\n");
	else
		fprintf(stderr, "chibo-agent: stopped at line %zu; lines "
		        "before the last 'saved through' are saved\n", lineno);
out:
	free(line);
	if (fp != stdin)
		fclose(fp);
	cb_ledger_free(&lg);
	return rc;
}
