/* SPDX-License-Identifier: MIT */
/* cmd_apply.c — chibo-agent apply: JSON operations, one per line
 * ({"op": "member.add", ...fields}). Lines are applied in batches, each one
 * durable transaction; after each commit a line "saved through line N
 * (entry S)" is printed, and what it reports is on disk. A bad line is
 * reported with its number and writes nothing; --atomic writes nothing at
 * all unless every line is good. The lines flow through
 * cb_ledger_append_stream, which signs one entry while projecting the one
 * before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "text.h"

#define LINE_MAX_BYTES (256 * 1024)

static const struct argdef defs[] = {
	{ "atomic", NULL,
	  N_("all lines or nothing: one bad line writes nothing") },
	{ "batch", "N", N_("lines per transaction (default 1000)") },
	{ "quiet", NULL, N_("do not print the 'saved through' lines") },
	{ NULL, NULL, NULL },
};

struct apply {
	struct cb_ledger *lg;
	FILE *fp;
	const char *path;
	char *line;
	size_t cap, lineno, last_done, good, bad, in_batch, batch;
	size_t saved_line; /* the last line committed to disk; 0: none */
	bool atomic, quiet, failed;
	char op[CB_OP_MAX + 2]; /* + 1: a longer name is still seen as such */
	struct cb_errbuf err;   /* a failure of our own (commit, read) */
};

/* The stream's source: the next non-blank line as an operation. */
static int
next_line(void *ctx, const char **op, json_t **input, size_t *tag,
          struct cb_errbuf *why)
{
	struct apply *ap = ctx;
	json_error_t jerr;
	json_t *in, *o;
	ssize_t n;

	for (;;) {
		n = getline(&ap->line, &ap->cap, ap->fp);
		if (n < 0) {
			if (ferror(ap->fp)) {
				cb_error(why, CB_EIO, _("cannot read '%s': %s"),
				         ap->path, strerror(errno));
				return -1;
			}
			return 0;
		}
		ap->lineno++;
		while (n > 0 &&
		       (ap->line[n - 1] == '\n' || ap->line[n - 1] == '\r'))
			ap->line[--n] = 0;
		if (n > 0 && ap->line[0] != '#')
			break;
	}
	*tag = ap->lineno;
	if (n > LINE_MAX_BYTES) {
		cb_error(why, CB_EINVAL, _("longer than %d bytes"),
		         LINE_MAX_BYTES);
		return 2;
	}
	if (!cb_utf8_valid(ap->line, (size_t)n)) {
		cb_error(why, CB_EINVAL, _("not valid UTF-8"));
		return 2;
	}
	in = json_loadb(ap->line, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	if (!in) {
		cb_error(why, CB_EINVAL, _("not JSON: %s (column %d)"),
		         jerr.text, jerr.column);
		return 2;
	}
	o = json_object_get(in, "op");
	if (!json_is_object(in) || !json_is_string(o)) {
		json_decref(in);
		cb_error(why, CB_EINVAL, _("not an object with an \"op\""));
		return 2;
	}
	/* The stream copies the op name before it calls us again. */
	snprintf(ap->op, sizeof(ap->op), "%s", json_string_value(o));
	json_object_del(in, "op");
	*op = ap->op;
	*input = in;
	return 1;
}

static int
line_done(void *ctx, size_t tag, cb_err rc, const struct cb_entry *e,
          const char *why)
{
	struct apply *ap = ctx;

	(void)e;
	ap->last_done = tag;
	if (rc) {
		agent_error(_("line %zu: %s"), tag, why);
		ap->bad++;
		return ap->atomic;
	}
	ap->good++;
	if (!ap->atomic && ++ap->in_batch >= ap->batch) {
		if (cb_ledger_commit(ap->lg, &ap->err)) {
			ap->failed = true;
			return 1;
		}
		ap->saved_line = tag;
		if (cb_ledger_begin(ap->lg, &ap->err)) {
			ap->failed = true;
			return 1;
		}
		ap->in_batch = 0;
		if (!ap->quiet) {
			printf(_("saved through line %zu (entry %llu)\n"), tag,
			       (unsigned long long)ap->lg->head_seq);
			fflush(stdout);
		}
	}
	return 0;
}

/* One line for a failure of the file or the disk: what failed, and what
 * of the file is saved. */
static void
apply_failed(const struct apply *ap, const char *msg)
{
	if (ap->atomic)
		agent_error(_("%s; nothing was written (--atomic)"), msg);
	else if (ap->saved_line)
		agent_error(
			_("%s; lines 1 to %zu are saved: apply the rest from "
		          "line %zu"),
			msg, ap->saved_line, ap->saved_line + 1);
	else
		agent_error(_("%s; no line was saved"), msg);
}

int
cmd_apply(struct agent *a, int argc, char **argv)
{
	struct apply ap = { .batch = 1000 };
	struct cb_append_stream stream = { next_line, line_done, &ap };
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"apply",
		N_("usage: chibo-agent apply [--atomic] [--batch N] FILE|-\n\n"
	           "Applies JSON operations, one object per line: {\"op\": "
	           "\"member.add\", ...}.\nSee docs/OPERATIONS.md for every op "
	           "and field. Blank lines and lines\nstarting with '#' are "
	           "skipped. Exit 1 if any line was refused.\n"
	           "\n"),
		defs, argc, argv, &v, 1, 1,
		N_("give one FILE, or - for stdin"));
	if (rc >= 0)
		return rc;
	ap.atomic = cb_args_get(&v, 0) != NULL;
	ap.quiet = cb_args_get(&v, 2) != NULL;
	if (cb_args_get(&v, 1)) {
		char *end;

		ap.batch = strtoul(cb_args_get(&v, 1), &end, 10);
		if (*end || ap.batch < 1 || ap.batch > 1000000)
			return cb_args_usage("apply",
			                     _("--batch takes 1..1000000"));
	}
	ap.path = v.pos[0];
	ap.fp = strcmp(ap.path, "-") == 0 ? stdin : fopen(ap.path, "r");
	if (!ap.fp) {
		agent_error(_("cannot open '%s': %s"), ap.path,
		            strerror(errno));
		return 1;
	}
	rc = 1;
	if (!(ap.lg = agent_open(a)))
		goto out;
	/* the passphrase before the batch: no lock is held while it is
	 * typed */
	if (cb_ledger_unseal(ap.lg, &eb) || cb_ledger_begin(ap.lg, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	if (cb_ledger_append_stream(ap.lg, &stream, &eb)) {
		apply_failed(&ap, eb.msg);
		goto fail;
	}
	if (ap.failed) {
		apply_failed(&ap, ap.err.msg);
		goto fail;
	}
	if (ap.atomic && ap.bad) {
		fprintf(stderr,
		        _("chibo-agent: nothing was written (--atomic)\n"));
		goto fail;
	}
	if (cb_ledger_commit(ap.lg, &eb)) {
		apply_failed(&ap, eb.msg);
		goto fail;
	}
	if (!ap.quiet && ap.in_batch)
		printf(_("saved through line %zu (entry %llu)\n"), ap.last_done,
		       (unsigned long long)ap.lg->head_seq);
	printf(P_("applied %zu operation, refused %zu\n",
	          "applied %zu operations, refused %zu\n", ap.good),
	       ap.good, ap.bad);
	rc = ap.bad ? 1 : 0;
	goto out;
fail:
	if (ap.lg->in_batch)
		cb_ledger_abort(ap.lg);
out:
	free(ap.line);
	if (ap.fp != stdin)
		fclose(ap.fp);
	cb_ledger_free(&ap.lg);
	return rc;
}
