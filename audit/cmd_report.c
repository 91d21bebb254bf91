/* SPDX-License-Identifier: MIT */
/* cmd_report.c — chibo-audit report: a hub's report recomputed from its
 * signed log alone. The hub states the checkpoint each report was computed
 * at ('chibo-hub report'); the auditor reads the log up to that checkpoint,
 * checks every signature and chain and that the entries give the
 * checkpoint's root under the hub's signature (the scan of 'verify'),
 * replays them through the same rules into a scratch database, and runs
 * the same report code on it (common/view/report.h). With --claim, it says
 * whether a published figure ("321/322") is what the log proves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "enrolments.h"
#include "report.h"

enum {
	R_HUB,
	R_PIN,
	R_DB,
	R_HUB_KEY,
	R_AT,
	R_ORG,
	R_CLAIM,
	R_TERM,
	R_PERIOD,
	R_FROM,
	R_TO,
	R_ON,
	R_OVERDUE,
	R_FORMAT,
	R_SEPARATOR,
	R_BOM,
	R_OUT,
};

static const struct argdef defs[] = {
	{ "hub", "URL",
	  N_("the hub's address (https://…); the requests are signed by this "
	     "auditor's key") },
	{ "pin", "PIN", N_("the hub's TLS pin (sha256//…)") },
	{ "db", "FILE",
	  N_("a copy of the hub's hub.db ('chibo-hub backup --plain')") },
	{ "hub-key", "HEX",
	  N_("the hub's public key, as published (default: the author of the "
	     "log's hub.init)") },
	{ "at", "CHECKPOINT",
	  N_("a file holding the checkpoint the report states: the signed "
	     "note, or the report's JSON ('chibo-hub report --format "
	     "json')") },
	{ "org", "CODE", N_("the subtree (default: the hub's committee)") },
	{ "claim", "TEXT",
	  N_("a published figure, e.g. '321/322 communes': is it what the "
	     "log proves?") },
	CB_REPORT_ARGDEFS,
	{ NULL, NULL, NULL },
};

#define AT_MAX (64 * 1024)

/* The signed note in file: the file itself, or summary.checkpoint.note of
 * a report's JSON. NULL (printed) if there is none. */
static char *
read_checkpoint(const char *file)
{
	FILE *fp = fopen(file, "rb");
	char *text = malloc(AT_MAX + 1), *note = NULL;
	size_t n;

	if (!fp || !text) {
		audit_error(_("cannot read '%s': %s"), file,
		            fp ? _("out of memory") : strerror(errno));
		goto out;
	}
	n = fread(text, 1, AT_MAX + 1, fp);
	if (n > AT_MAX) {
		audit_error(_("'%s' is over %d bytes: not a checkpoint"), file,
		            AT_MAX);
		goto out;
	}
	text[n] = 0;
	if (n && text[0] == '{') {
		json_error_t je;
		json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);
		const char *s = json_string_value(json_object_get(
			json_object_get(json_object_get(o, "summary"),
		                        "checkpoint"),
			"note"));

		if (s)
			note = strdup(s);
		else
			audit_error(
				_("'%s' is JSON but not a report stating "
			          "its checkpoint (summary.checkpoint.note)"),
				file);
		json_decref(o);
	} else {
		char origin[CB_CHECKPOINT_ORIGIN_MAX + 1];

		if (cb_note_origin(text, origin, sizeof(origin)))
			note = strdup(text);
		else
			audit_error(_("'%s' is not a signed checkpoint"), file);
	}
out:
	if (fp)
		fclose(fp);
	free(text);
	return note;
}

/* Does text appear in the report: a note, or a cell? */
static bool
claimed(const struct cb_report *r, const char *text)
{
	for (size_t i = 0; i < r->nnotes; i++)
		if (strstr(r->notes[i], text))
			return true;
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		if (r->cells[i] && !strcmp(r->cells[i], text))
			return true;
	return false;
}

int
cmd_audit_report(struct audit *a, int argc, char **argv)
{
	struct cb_report_query q = { 0 };
	struct audit_source_opts o = { 0 };
	struct cb_report r = { 0 };
	struct cb_output out;
	bool english;
	const char *prefix = "chibo/hub/";
	uint8_t key[32];
	struct cb_errbuf eb;
	struct scan s;
	struct args v;
	char *note = NULL, hk[13], line[512];
	int rc;

	rc = cb_args_command(
		"report",
		N_("usage: chibo-audit report KIND --at CHECKPOINT (--db FILE "
	           "| --hub URL --pin PIN)\n"
	           "                          [--org CODE] [--claim TEXT] "
	           "[report options]\n\n"
	           "Recomputes a hub's report from its signed log alone: reads "
	           "the log up to\nthe checkpoint the report states, checks it "
	           "as 'verify' does (every\nsignature and chain, the Merkle "
	           "root against the hub's signature on the\ncheckpoint), "
	           "replays the entries through the same rules and prints "
	           "the\nreport they give. Give the options the hub's report "
	           "names in its note\n(the day a transfers report is judged "
	           "on, say). KIND: membership,\ncongresses, ratings, "
	           "meetings, campaign, transfers, clashes (not sync:\nthe "
	           "keys' contacts are not in the log). --claim TEXT: exit 0 "
	           "if the\nreport says TEXT (in a note or a cell), 1 if the "
	           "log does not prove it.\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one KIND"));
	if (rc >= 0)
		return rc;
	if (!strcmp(v.pos[0], "sync"))
		return cb_args_usage("report",
		                     _("sync is the hub's contacts with its "
		                       "keys, not in the log: it cannot be "
		                       "recomputed"));
	if (!cb_args_get(&v, R_AT))
		return cb_args_usage("report",
		                     _("give --at CHECKPOINT, the checkpoint "
		                       "the report states"));
	if (!!cb_args_get(&v, R_DB) + !!cb_args_get(&v, R_HUB) != 1)
		return cb_args_usage("report",
		                     _("give --hub URL or --db FILE"));
	if (cb_output_parse_args(&v, R_FORMAT, false, &out, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	english = out.format == CB_OUTPUT_CSV || out.format == CB_OUTPUT_JSON;
	q.kind = v.pos[0];
	q.root = cb_args_get(&v, R_ORG) ? cb_args_get(&v, R_ORG) : "";
	q.term = cb_args_get(&v, R_TERM);
	q.period = cb_args_get(&v, R_PERIOD);
	q.from = cb_args_get(&v, R_FROM);
	q.to = cb_args_get(&v, R_TO);
	q.on = cb_args_get(&v, R_ON);
	q.overdue = cb_args_get(&v, R_OVERDUE) != NULL;
	if (cb_report_check(&q, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	if (cb_args_get(&v, R_HUB_KEY) &&
	    cb_hex_decode(cb_args_get(&v, R_HUB_KEY), key, 32, &eb))
		return cb_args_usage("report", _("--hub-key: %s"), eb.msg);
	if (!(note = read_checkpoint(cb_args_get(&v, R_AT))))
		return 1;
	o.hub = cb_args_get(&v, R_HUB);
	o.pin = cb_args_get(&v, R_PIN);
	o.db = cb_args_get(&v, R_DB);
	o.full_replay = true; /* the reports read every table */
	o.at_note = note;
	rc = audit_scan(a, &o, cb_args_get(&v, R_HUB_KEY) ? key : NULL, &s,
	                NULL, 0, NULL, NULL);
	if (rc)
		goto out;
	rc = 1;
	if (s.nfaults || !s.cp_ok || !s.root_ok || !s.replay) {
		audit_error(_("%s does not prove this checkpoint, so no "
		              "report is computed from it: %s%s"),
		            s.what,
		            s.nfaults ? s.faults[0] : _("the log was not read"),
		            s.nfaults > 1 ? _(" ('chibo-audit verify' lists "
		                              "every fault)")
		                          : "");
		goto out;
	}
	if (!cb_args_get(&v, R_ORG)) {
		if (strncmp(s.cp.origin, prefix, strlen(prefix))) {
			audit_error(_("the checkpoint's origin '%s' is not a "
			              "hub's: give --org"),
			            s.cp.origin);
			goto out;
		}
		q.root = s.cp.origin + strlen(prefix);
	}
	if (cb_enrolments_org_known(s.replay, q.root, &eb)) {
		audit_error("%s", eb.msg);
		goto out;
	}
	/* as every report: JSON and CSV in English, a table translated */
	if (english)
		cb_lang_english_begin();
	if (cb_report_run(s.replay, &q, &r, &eb)) {
		if (english)
			cb_lang_english_end();
		audit_error("%s", eb.msg);
		goto out;
	}
	cb_hash_short(s.hub_key, hk);
	snprintf(line, sizeof(line),
	         _("Recomputed by chibo-audit from the %llu entries of the log "
	           "%s the hub key %s signed: every signature, chain and the "
	           "Merkle root checked."),
	         (unsigned long long)s.cp.size, s.cp.origin, hk);
	json_object_set_new(r.summary, "recomputed",
	                    json_pack("{s:s, s:I, s:s}", "origin", s.cp.origin,
	                              "size", (json_int_t)s.cp.size, "hub_key",
	                              hk));
	if (cb_report_add_note(&r, line)
	            ? cb_error(&eb, CB_ENOMEM, _("out of memory"))
	            : cb_report_write(&r, &out, stdout, &eb)) {
		if (english)
			cb_lang_english_end();
		audit_error("%s", eb.msg);
		goto out;
	}
	if (english)
		cb_lang_english_end();
	rc = 0;
	if (cb_args_get(&v, R_CLAIM)) {
		bool yes = claimed(&r, cb_args_get(&v, R_CLAIM));

		fflush(stdout);
		fprintf(stderr, _("claim '%s': %s\n"), cb_args_get(&v, R_CLAIM),
		        yes ? _("the log proves it")
		            : _("NOT what the log proves (above: what it "
		                "gives)"));
		rc = !yes;
	}
out:
	cb_report_release(&r);
	audit_scan_release(&s);
	free(note);
	return rc;
}
