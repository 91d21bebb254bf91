/* SPDX-License-Identifier: MIT */
/* main.c — chibo-audit: verifies a hub's log, or a bundle, without
 * trusting the hub; prints a member's history with proofs; writes and
 * checks offline proofs of single entries. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "buf.h"
#include "date.h"
#include "history.h"
#include "key.h"
#include "merkle_json.h"
#include "output.h"
#include "words.h"

#ifndef CHIBO_VERSION
#define CHIBO_VERSION "0"
#endif

static const char usage_text[] =
	N_("usage: chibo-audit [--dir DIR] COMMAND [ARGS]\n\n"
           "Verifies what a district hub holds without trusting it.\n\n"
           "Commands:\n"
           "  init         make this auditor's key (to be enrolled as an "
           "auditor)\n"
           "  verify       check a hub's log (--hub URL --pin PIN, or --db "
           "FILE) or a bundle\n"
           "  history      every entry that touched a member, with proofs\n"
           "  proof        write an offline proof that an entry is in the log\n"
           "  check-proof  verify such a proof file, with no network\n"
           "  report       recompute a hub's report at a checkpoint from its "
           "signed log\n"
           "  federation   check hubs that sync up a hierarchy, together: "
           "each log,\n               the witnesses' cosignatures, the "
           "chain of authority,\n               and that each higher hub "
           "holds what each lower one relayed\n\n"
           "--dir DIR: the auditor's state (audit.key, checkpoints.json); "
           "default\n$CHIBO_AUDIT, else ~/.local/share/chibo/audit.\n"
           "Every command takes --help. Exit: 0 ok, 1 a fault or failure, 2 "
           "usage.\n");

char *
audit_path(const struct audit *a, const char *name)
{
	return cb_path_join(a->dir, name);
}

static int mkdir_p(const char *dir);

/* --- state: the checkpoints this auditor has seen, per origin ----------- */

#define STATE_FILE "checkpoints.json"

static json_t *
state_load(const struct audit *a)
{
	char *p = audit_path(a, STATE_FILE);
	json_error_t je;
	json_t *o = p ? json_load_file(p, JSON_REJECT_DUPLICATES, &je) : NULL;

	free(p);
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

static int
state_save(const struct audit *a, json_t *st)
{
	char *p = audit_path(a, STATE_FILE);
	char *text = json_dumps(st, JSON_INDENT(1) | JSON_SORT_KEYS);
	struct cb_errbuf eb;
	int rc = 0;

	if (!p || !text || mkdir_p(a->dir) ||
	    cb_file_write_atomic(p, text, strlen(text), 0600, 0, &eb)) {
		audit_error(_("cannot keep the checkpoint in '%s': %s"),
		            p ? p : a->dir, p && text ? eb.msg : "no memory");
		rc = 1;
	}
	free(p);
	free(text);
	return rc;
}

/* b as hex in out, which it returns: give each use in one call its own
 * out, or the last one written is what every argument shows. */
static const char *
hex32(const uint8_t *b, char out[65])
{
	cb_hex_encode(b, 32, out);
	return out;
}

/* --- source options shared by verify, history and proof -------------- */

/* after the source's options, the output's (output.h): --json and
 * --format, and for rows --separator and --bom */
enum { O_HUB, O_PIN, O_DB, O_HUB_KEY, O_JSON };
#define O_AFTER_RECORD (O_JSON + CB_OUTPUT_RECORD_NARGS)

#define SOURCE_DEFS                                                            \
	{ "hub", "URL",                                                        \
	  N_("the hub's address (https://…); the requests are signed by "    \
	     "this auditor's key") },                                          \
		{ "pin", "PIN", N_("the hub's TLS pin (sha256//…)") },         \
		{ "db", "FILE",                                                \
		  N_("a hub's hub.db, read-only, in one snapshot with its "    \
		     "-wal "                                                   \
		     "if one lies beside it (a copy: make it with 'chibo-hub " \
		     "backup'); nothing in it is trusted but the "             \
		     "signatures") },                                          \
	{                                                                      \
		"hub-key", "HEX",                                              \
			N_("the hub's public key, as the district published "  \
		           "it "                                               \
		           "(default: the key this auditor saw before, else "  \
		           "the "                                              \
		           "author of the log's hub.init)")                    \
	}

static int
source_opts(const char *cmd, const struct args *v, bool allow_bundle,
            struct audit_source_opts *o, uint8_t key[32], bool *has_key)
{
	struct cb_errbuf eb;
	int n = !!cb_args_get(v, O_HUB) + !!cb_args_get(v, O_DB) +
	        (allow_bundle && v->npos > 0);

	memset(o, 0, sizeof(*o));
	o->hub = cb_args_get(v, O_HUB);
	o->pin = cb_args_get(v, O_PIN);
	o->db = cb_args_get(v, O_DB);
	if (allow_bundle && v->npos > 0)
		o->bundle = v->pos[0];
	if (n != 1)
		return cb_args_usage(cmd, allow_bundle
		                                  ? _("give one of --hub URL, "
		                                      "--db FILE or a bundle")
		                                  : _("give --hub URL or --db "
		                                      "FILE"));
	*has_key = false;
	if (cb_args_get(v, O_HUB_KEY)) {
		if (cb_hex_decode(cb_args_get(v, O_HUB_KEY), key, 32, &eb))
			return cb_args_usage(cmd, _("--hub-key: %s"), eb.msg);
		*has_key = true;
	}
	return 0;
}

/* Scan, then hold the log against what this auditor saw before: the hub
 * key it trusted for the origin, and every checkpoint it kept (a smaller
 * one must be a prefix of this log: same root at its size; a larger one
 * means the log shrank). */
int
audit_scan_checked(const struct audit *a, const struct audit_source_opts *o,
                   const uint8_t *key, bool has_key, struct scan *s,
                   json_t **statep)
{
	json_t *st = state_load(a), *origins, *ov;
	const char *origin;
	uint64_t *sizes = NULL;
	uint8_t(*roots)[32] = NULL;
	bool *ok = NULL;
	size_t n = 0, k = 0;
	int rc;

	origins = json_object_get(st, "origins");
	json_object_foreach(origins, origin, ov) n +=
		json_array_size(json_object_get(ov, "checkpoints"));
	sizes = calloc(n + 1, sizeof(*sizes));
	roots = calloc(n + 1, sizeof(*roots));
	ok = calloc(n + 1, sizeof(*ok));
	if (!sizes || !roots || !ok) {
		audit_error(_("out of memory"));
		rc = 1;
		goto out;
	}
	json_object_foreach(origins, origin, ov)
	{
		size_t i;
		json_t *c;

		json_array_foreach(json_object_get(ov, "checkpoints"), i, c)
			sizes[k++] = (uint64_t)json_integer_value(
				json_object_get(c, "size"));
	}
	/* The origin is known once the checkpoint is read: the key this
	 * auditor trusted for it before is checked below. */
	rc = audit_scan(a, o, has_key ? key : NULL, s, sizes, n, roots, ok);
	if (rc || !s->cp_ok)
		goto out;
	ov = json_object_get(origins, s->cp.origin);
	if (ov) {
		const char *was = json_string_value(json_object_get(ov, "key"));
		char hex[65];
		size_t i;
		json_t *c;

		if (was && strcmp(was, hex32(s->hub_key, hex)))
			audit_fault(
				s,
				_("the log '%s' is signed by key %.12s now; "
			          "this auditor saw it signed by %.12s before"),
				s->cp.origin, hex, was);
		k = 0;
		json_object_foreach(origins, origin, ov)
		{
			json_array_foreach(json_object_get(ov, "checkpoints"),
			                   i, c)
			{
				uint64_t sz = sizes[k];
				char rh[65];
				const char *seen = json_string_value(
					json_object_get(c, "seen"));

				if (strcmp(origin, s->cp.origin)) {
					k++;
					continue;
				}
				if (sz > s->nleaves)
					audit_fault(
						s,
						_("the hub's log shrank: it "
					          "signed %llu entries before "
					          "(seen %s), it has %llu now"),
						(unsigned long long)sz,
						seen ? seen : "?",
						(unsigned long long)s->nleaves);
				else if (ok[k] &&
				         strcmp(json_string_value(
							json_object_get(
								c, "root")),
				                hex32(roots[k], rh)))
					audit_fault(s,
					            _("the hub's log is not "
					              "the one "
					              "it signed before: the "
					              "checkpoint of size %llu "
					              "seen "
					              "%s has another root "
					              "(history "
					              "rewritten, or a split "
					              "view)"),
					            (unsigned long long)sz,
					            seen ? seen : "?");
				k++;
			}
		}
	}
	*statep = st;
	st = NULL;
out:
	json_decref(st);
	free(sizes);
	free(roots);
	free(ok);
	return rc;
}

/* Keep the checkpoint just verified, for the next run. */
int
audit_state_remember(const struct audit *a, json_t *st, const struct scan *s)
{
	json_t *origins = json_object_get(st, "origins"), *ov, *list;
	char hex[65], when[CB_TIME_MAX];
	size_t i;
	json_t *c;

	if (!st || !s->cp_ok)
		return 0;
	if (!origins) {
		origins = json_object();
		json_object_set_new(st, "origins", origins);
	}
	if (!(ov = json_object_get(origins, s->cp.origin))) {
		ov = json_pack("{s:s, s:[]}", "key", hex32(s->hub_key, hex),
		               "checkpoints");
		json_object_set_new(origins, s->cp.origin, ov);
	}
	list = json_object_get(ov, "checkpoints");
	json_array_foreach(list, i, c) if ((uint64_t)json_integer_value(
						   json_object_get(c,
	                                                           "size")) ==
	                                   s->cp.size) return 0;
	/* a person reads it in a fault: Vietnam's time, with its offset */
	cb_time_iso((int64_t)time(NULL) * 1000, when);
	json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s}", "size",
	                                      (json_int_t)s->cp.size, "root",
	                                      hex32(s->cp.root, hex), "note",
	                                      s->note, "seen", when));
	return state_save(a, st);
}

static void
print_faults(const struct scan *s, FILE *fp)
{
	for (size_t i = 0; i < s->nfaults && i < 10000; i++)
		fprintf(fp, _("FAULT: %s\n"), s->faults[i]);
	if (s->nfaults > 10000)
		fprintf(fp, _("FAULT: … and %zu more\n"), s->nfaults - 10000);
}

/* --- init ------------------------------------------------------------- */

static int
mkdir_p(const char *dir)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *q = p + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			if (mkdir(p, 0700) && errno != EEXIST)
				return -1;
			*q = '/';
		}
	return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

int
cmd_audit_init(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = { { NULL, NULL, NULL } };
	struct cb_key key = CB_KEY_INIT;
	struct cb_errbuf eb;
	struct args v;
	char *p, hex[65];
	int rc;

	rc = cb_args_command("init",
	                     N_("usage: chibo-audit [--dir DIR] init\n\n"
	                        "Makes the auditor's directory and its Ed25519 "
	                        "key (audit.key, mode 0600)\nand prints the "
	                        "public key: the district enrols it with\n"
	                        "'chibo-hub enroll KEY --org ORG --role "
	                        "auditor'.\n\n"),
	                     defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (mkdir_p(a->dir)) {
		audit_error(_("cannot make '%s': %s"), a->dir, strerror(errno));
		return 1;
	}
	if (!(p = audit_path(a, "audit.key")) || cb_key_create(p, &key, &eb)) {
		audit_error("%s", p ? eb.msg : "out of memory");
		free(p);
		return 1;
	}
	cb_hex_encode(key.pk, 32, hex);
	printf(_("auditor key: %s\n"), hex);
	/* KEY is enroll's positional argument (hub/cmd_admin.c) */
	printf(_("have the district enrol it: chibo-hub enroll %s "
	         "--org ORG --role auditor\n"),
	       hex);
	cb_key_release(&key);
	free(p);
	return 0;
}

/* --- verify ----------------------------------------------------------- */

int
cmd_audit_verify(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		SOURCE_DEFS,
		CB_OUTPUT_RECORD_ARGDEFS,
		{ "full-replay", NULL,
		  N_("project every entry through the rules (slower); by "
		     "default a member.add that no other entry names is "
		     "judged by its cell's owner alone") },
		{ "witness", "HEX",
		  N_("require the checkpoint the hub shows as cosigned to "
		     "carry "
		     "a cosignature by this witness key (its higher hub's, as "
		     "published), its log to give that checkpoint's root") },
		{ NULL, NULL, NULL }
	};
	uint8_t wkey[32];
	struct audit_source_opts o;
	struct scan s;
	struct args v;
	json_t *st = NULL;
	uint8_t key[32];
	struct cb_output fmt;
	bool has_key, json;
	int rc;
	char hex[65], kx[65];

	rc = cb_args_command(
		"verify",
		N_("usage: chibo-audit verify (--hub URL --pin PIN | --db FILE "
	           "| "
	           "BUNDLE)\n                          [--hub-key HEX] "
	           "[--witness HEX] [--format text|json]\n\n"
	           "Reads every entry of a hub's log, in log order, and "
	           "checks: "
	           "each\nsignature; each author's chain (a missing entry, a "
	           "fork); that each\nauthor was enrolled, and not revoked, by "
	           "the log's own key.enroll and\nkey.revoke entries; that no "
	           "entry writes outside its key's subtree (the\nlog replayed "
	           "through the hub's own rules); the Merkle root of all the\n"
	           "entries against the hub's signed checkpoint; and that "
	           "checkpoint against\nevery one this auditor saw before "
	           "(kept "
	           "in checkpoints.json). A hub that\njoined a higher one must "
	           "show a checkpoint of its log cosigned by the\nwitness its "
	           "hub.join named (and by --witness, if given). A bundle\n(no "
	           "checkpoint) gets the signature and chain checks. Prints "
	           "the "
	           "counts\nand every fault; exit 1 on any fault.\n\n"),
		defs, argc, argv, &v, 0, 1, N_("at most one bundle"));
	if (rc >= 0)
		return rc;
	if ((rc = source_opts("verify", &v, true, &o, key, &has_key)))
		return rc;
	if ((rc = cb_output_args("verify", &v, O_JSON, false, &fmt)))
		return rc;
	o.full_replay = cb_args_get(&v, O_AFTER_RECORD) != NULL;
	json = fmt.format == CB_OUTPUT_JSON;
	if (cb_args_get(&v, O_AFTER_RECORD + 1) &&
	    (cb_hex_decode(cb_args_get(&v, O_AFTER_RECORD + 1), wkey, 32,
	                   NULL) ||
	     o.bundle))
		return cb_args_usage(
			"verify", o.bundle ? _("--witness is for a hub's log, "
		                               "not a bundle")
					   : _("--witness is 64 hex digits "
		                               "of a public key"));
	/* JSON is English: the source and the faults as well */
	if (json)
		cb_lang_english_begin();
	rc = audit_scan_checked(a, &o, key, has_key, &s, &st);
	if (!rc && s.is_log)
		audit_check_witness(
			&s, cb_args_get(&v, O_AFTER_RECORD + 1) ? wkey : NULL);
	if (json)
		cb_lang_english_end();
	if (rc) {
		audit_scan_release(&s);
		json_decref(st);
		return 1;
	}
	/* A checkpoint the hub's key signed is its statement, faults or
	 * not: kept, so that a later, different history is caught. */
	audit_state_remember(a, st, &s);
	if (json) {
		json_t *out = json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:[]}",
			"source", s.what, "entries", (json_int_t)s.nleaves,
			"authors", (json_int_t)s.nauthors, "forks",
			(json_int_t)s.forks, "bad_signatures",
			(json_int_t)s.bad_sigs, "gaps", (json_int_t)s.gaps,
			"outside_scope", (json_int_t)(s.scope + s.unenrolled),
			"ok", s.nfaults == 0, "faults");

		for (size_t i = 0; i < s.nfaults && i < 10000; i++)
			json_array_append_new(json_object_get(out, "faults"),
			                      json_string(s.faults[i]));
		if (s.cp_ok)
			json_object_set_new(
				out, "checkpoint",
				json_pack("{s:s, s:I, s:s, s:s}", "origin",
			                  s.cp.origin, "size",
			                  (json_int_t)s.cp.size, "root",
			                  hex32(s.cp.root, hex), "key",
			                  hex32(s.hub_key, kx)));
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(out);
	} else {
		printf(_("%s: %llu entries by %zu keys\n"), s.what,
		       (unsigned long long)s.nleaves, s.nauthors);
		if (s.cp_ok) {
			printf(_("checkpoint: %s, %llu entries, root %.16s…, "
			         "signed by hub key %.12s%s\n"),
			       s.cp.origin, (unsigned long long)s.cp.size,
			       hex32(s.cp.root, hex), hex32(s.hub_key, kx),
			       s.root_ok ? _("; the entries give this root")
			                 : "");
		}
		printf(_("signatures bad: %llu; forks: %llu; missing runs: "
		         "%llu; outside their key's scope or enrolment: "
		         "%llu\n"),
		       (unsigned long long)s.bad_sigs,
		       (unsigned long long)s.forks, (unsigned long long)s.gaps,
		       (unsigned long long)(s.scope + s.unenrolled));
		print_faults(&s, stdout);
		if (s.nfaults)
			printf(P_("AUDIT FAILED: %zu fault\n",
			          "AUDIT FAILED: %zu faults\n", s.nfaults),
			       s.nfaults);
		else
			printf(_("audit passed\n"));
	}
	rc = s.nfaults ? 1 : 0;
	audit_scan_release(&s);
	json_decref(st);
	return rc;
}

/* --- history ---------------------------------------------------------- */

/* One line of a member's history: what the entry says, in a few fields. */
static json_t *
history_item(struct scan *s, int64_t lsn, const void *bytes, size_t len,
             const char *org, struct cb_errbuf *eb)
{
	struct cb_entry e = CB_ENTRY_INIT;
	uint64_t leaf = s->leaf_of[lsn - 1];
	static const char *const fields[] = {
		"letter_no", "letter_date", "to_org",   "to_cell", "cell",
		"date",      "reported_on", "reason",   "status",  "level",
		"period",    "kind",        "full_name"
	};
	char idx[65], ax[65], when[CB_TIME_MAX], at[CB_TIME_MAX];
	json_t *o, *f;

	if (cb_entry_decode(bytes, len, &e, eb))
		return NULL;
	/* the day in Vietnam, as the agent shows its entries */
	cb_time_day(e.time_ms, when);
	cb_time_iso(e.time_ms, at);
	f = json_object();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *x = json_object_get(e.json, fields[i]);

		if (json_is_string(x))
			json_object_set(f, fields[i], x);
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s?, s:s, s:o, s:b}",
	              "leaf", (json_int_t)leaf, "id", hex32(e.id, idx), "op",
	              e.op, "recorded", when, "recorded_at", at, "seq",
	              (json_int_t)e.seq, "org", org, "author",
	              hex32(e.author, ax), "fields", f, "included", s->root_ok);
	cb_entry_release(&e);
	return o;
}

struct history_ctx {
	struct scan *s;
	json_t *items;
};

/* A cb_history_fn: the entry's line added to the items (an entry that
 * does not decode is left out). */
static cb_err
history_add(void *ctx, int64_t lsn, const void *bytes, size_t len,
            const char *org, struct cb_errbuf *eb)
{
	struct history_ctx *hc = ctx;
	json_t *it = history_item(hc->s, lsn, bytes, len, org, eb);

	if (it)
		json_array_append_new(hc->items, it);
	return CB_OK;
}

int
cmd_audit_history(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = { SOURCE_DEFS,
		                              CB_OUTPUT_ROWS_ARGDEFS,
		                              { NULL, NULL, NULL } };
	struct audit_source_opts o;
	struct cb_output fmt;
	struct cb_errbuf eb;
	struct scan s;
	struct args v;
	json_t *st = NULL, *items = json_array();
	struct history_ctx hc;
	struct cb_history_member m;
	uint8_t key[32];
	bool has_key;
	const char *id, *name;
	int rc;

	rc = cb_args_command(
		"history",
		N_("usage: chibo-audit history MEMBER (--hub URL --pin PIN | "
	           "--db "
	           "FILE)\n                           [--hub-key HEX] "
	           "[--format text|csv|json]\n\n"
	           "Verifies the log as 'verify' does, then prints every entry "
	           "that touched\nthe member — added, each transfer with both "
	           "halves, status changes,\nratings, meetings attended — in "
	           "log "
	           "order, with its author's organisation,\nletter numbers and "
	           "dates, and whether it is proven included in the log\nthe "
	           "hub signed. MEMBER is the member's id (8 or more hex "
	           "digits), card\nnumber or national ID, or as the agent "
	           "takes it card:NUMBER or nid:NUMBER.\nDays are Vietnam's "
	           "(UTC+7), as the agent shows them; CSV and JSON add the\n"
	           "time, recorded_at, in ISO 8601 with its offset.\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one MEMBER"));
	if (rc >= 0) {
		json_decref(items);
		return rc;
	}
	if ((rc = cb_output_args("history", &v, O_JSON, true, &fmt)) ||
	    (rc = cb_output_no_xlsx("history", &fmt)) ||
	    (rc = source_opts("history", &v, false, &o, key, &has_key))) {
		json_decref(items);
		return rc;
	}
	o.full_replay = true; /* history reads the replayed tables */
	/* CSV and JSON are English: the faults as well */
	if (fmt.format != CB_OUTPUT_TEXT)
		cb_lang_english_begin();
	rc = audit_scan_checked(a, &o, key, has_key, &s, &st);
	if (fmt.format != CB_OUTPUT_TEXT)
		cb_lang_english_end();
	if (rc || !s.replay) {
		audit_scan_release(&s);
		json_decref(st);
		json_decref(items);
		return 1;
	}
	switch (cb_history_member(s.replay, v.pos[0], &m, &eb)) {
	case CB_OK: break;
	case CB_ENOTFOUND:
		audit_error(_("no member '%s' in the log"), v.pos[0]);
		rc = 1;
		goto out;
	case CB_EEXIST:
		audit_error(_("'%s' names more than one member; give more of "
		              "the id"),
		            v.pos[0]);
		rc = 1;
		goto out;
	default:
		audit_error("%s", eb.msg);
		rc = 1;
		goto out;
	}
	id = m.id;
	name = m.name;
	hc.s = &s;
	hc.items = items;
	if (cb_history_each(s.replay, id, history_add, &hc, &eb)) {
		audit_error("%s", eb.msg);
		rc = 1;
		goto out;
	}
	if (fmt.format == CB_OUTPUT_CSV) {
		static const char *const cols[] = {
			"leaf",        "id",       "op",  "recorded",
			"recorded_at", "seq",      "org", "author",
			"fields",      "included", NULL
		};

		cb_output_csv_json(&fmt, stdout, items, cols);
	} else if (fmt.format == CB_OUTPUT_JSON) {
		json_t *out = json_pack(
			"{s:s, s:s, s:O, s:b, s:I, s:[]}", "member", id, "name",
			name, "entries", items, "log_ok", s.nfaults == 0,
			"checkpoint_size", (json_int_t)s.cp.size, "faults");

		for (size_t i = 0; i < s.nfaults && i < 10000; i++)
			json_array_append_new(json_object_get(out, "faults"),
			                      json_string(s.faults[i]));
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(out);
	} else {
		size_t i;
		json_t *it;

		printf(_("%s (member %.12s): %zu entries in %s\n"), name, id,
		       json_array_size(items), s.what);
		json_array_foreach(items, i, it)
		{
			const char *k;
			json_t *x;

			const char *org =
				json_string_value(json_object_get(it, "org"));

			printf(_("  leaf %-7lld %s  %-16s by %s"),
			       (long long)json_integer_value(
				       json_object_get(it, "leaf")),
			       json_string_value(
				       json_object_get(it, "recorded")),
			       cb_words_label("op",
			                      json_string_value(json_object_get(
						      it, "op"))),
			       org ? org : _("the hub"));
			/* the values a person reads (a status, a kind) in
			 * the user's words */
			json_object_foreach(json_object_get(it, "fields"), k, x)
				printf("  %s=%s", cb_words_label("field", k),
			               cb_words_show(k, json_string_value(x)));
			printf("  %s\n", s.root_ok
			                         ? _("[included: proven]")
			                         : _("[NOT proven included]"));
		}
		if (s.root_ok)
			printf(_("every entry above is a leaf of the log of "
			         "%llu "
			         "entries the hub signed (%s)\n"),
			       (unsigned long long)s.cp.size, s.cp.origin);
		print_faults(&s, stdout);
	}
	rc = s.nfaults ? 1 : 0;
out:
	audit_scan_release(&s);
	json_decref(st);
	json_decref(items);
	return rc;
}

/* --- proof, check-proof ----------------------------------------------- */

int
cmd_audit_proof(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		SOURCE_DEFS,
		{ "json", NULL, N_("print JSON") },
		{ "out", "FILE", N_("where to write the proof") },
		{ NULL, NULL, NULL }
	};
	uint8_t path[CB_MERKLE_MAX_PATH][32], key[32];
	struct audit_source_opts o;
	struct cb_merkle_leaves leaves;
	struct cb_errbuf eb;
	struct scan s;
	struct args v;
	json_t *st = NULL, *out = NULL, *pj;
	bool has_key;
	struct cb_buf bytes = CB_BUF_INIT;
	char hex[65], *b64 = NULL, *text = NULL;
	int64_t lsn = 0;
	size_t n = 0, cap;
	cb_err found;
	int rc;

	rc = cb_args_command(
		"proof",
		N_("usage: chibo-audit proof ENTRY --out FILE (--hub URL --pin "
	           "PIN "
	           "| --db FILE)\n\nVerifies the log, then writes FILE: the "
	           "entry, its inclusion path and\nthe hub's signed checkpoint "
	           "(JSON, docs/PROTOCOL.md). 'check-proof'\nverifies it with "
	           "no "
	           "network. ENTRY is an entry id (8 or more "
	           "hex\ndigits).\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one ENTRY"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, O_JSON + 1))
		return cb_args_usage("proof", _("give --out FILE"));
	if (strlen(v.pos[0]) < 8 ||
	    strspn(v.pos[0], "0123456789abcdefABCDEF") != strlen(v.pos[0]))
		return cb_args_usage("proof", _("ENTRY is 8 to 64 hex digits"));
	if ((rc = source_opts("proof", &v, false, &o, key, &has_key)))
		return rc;
	o.full_replay = true; /* proof looks entries up in the replay */
	rc = 1;
	if (audit_scan_checked(a, &o, key, has_key, &s, &st) || !s.replay)
		goto out;
	if (!s.root_ok) {
		print_faults(&s, stderr);
		audit_error(_("the log does not match the hub's signed "
		              "checkpoint: no proof can be made from it"));
		goto out;
	}
	for (char *c = v.pos[0]; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c);
	found = cb_history_entry(s.replay, v.pos[0], &lsn, &bytes, &eb);
	if (found == CB_ENOTFOUND || found == CB_EEXIST) {
		audit_error(found == CB_EEXIST
		                    ? _("'%s' names more than one entry")
		                    : "no entry '%s' in the log",
		            v.pos[0]);
		goto out;
	}
	if (found) {
		audit_error("%s", eb.msg);
		goto out;
	}
	cap = sodium_base64_ENCODED_LEN(bytes.len,
	                                sodium_base64_VARIANT_ORIGINAL);
	if (!(b64 = malloc(cap))) {
		audit_error(_("out of memory"));
		goto out;
	}
	sodium_bin2base64(b64, cap, bytes.data, bytes.len,
	                  sodium_base64_VARIANT_ORIGINAL);
	leaves.leaf = (const uint8_t(*)[32])s.leaves;
	leaves.n = s.nleaves;
	if (cb_merkle_inclusion_proof(cb_merkle_leaves_node, &leaves,
	                              s.leaf_of[lsn - 1], s.cp.size, path, &n,
	                              &eb)) {
		audit_error("%s", eb.msg);
		goto out;
	}
	pj = cb_merkle_path_json((const uint8_t(*)[32])path, n);
	out = json_pack("{s:s, s:s, s:I, s:I, s:o, s:s, s:s}", "format",
	                "chibo-proof-1", "entry", b64, "index",
	                (json_int_t)s.leaf_of[lsn - 1], "size",
	                (json_int_t)s.cp.size, "path", pj, "checkpoint", s.note,
	                "hub_key", hex32(s.hub_key, hex));
	text = json_dumps(out, JSON_INDENT(1));
	if (!text || cb_file_write_atomic(cb_args_get(&v, O_JSON + 1), text,
	                                  strlen(text), 0644, 0, &eb)) {
		audit_error("%s", text ? eb.msg : "out of memory");
		goto out;
	}
	printf(_("wrote the proof of leaf %llu of %s's log (size %llu) to "
	         "'%s'\n"),
	       (unsigned long long)s.leaf_of[lsn - 1], s.cp.origin,
	       (unsigned long long)s.cp.size, cb_args_get(&v, O_JSON + 1));
	rc = 0;
out:
	cb_buf_release(&bytes);
	free(b64);
	free(text);
	json_decref(out);
	audit_scan_release(&s);
	json_decref(st);
	return rc;
}

int
cmd_audit_check_proof(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "hub-key", "HEX",
		  N_("the hub's public key as the district published it "
		     "(default: the key this auditor saw for the log "
		     "before)") },
		{ NULL, NULL, NULL }
	};
	uint8_t path[CB_MERKLE_MAX_PATH][32], key[32], leaf[32];
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_checkpoint cp;
	struct cb_errbuf eb;
	struct args v;
	json_error_t je;
	json_t *o, *p, *st = NULL;
	const char *note, *b64, *kh = NULL;
	char origin[CB_CHECKPOINT_ORIGIN_MAX + 1], ak[13], id[13], kx[65];
	unsigned char *bytes = NULL;
	size_t blen = 0, n = 0;
	int rc;
	json_int_t index, size;

	rc = cb_args_command(
		"check-proof",
		N_("usage: chibo-audit check-proof FILE [--hub-key HEX]\n\n"
	           "Verifies a proof file from 'chibo-audit proof' with no "
	           "network: the\nentry's signature, its inclusion path to the "
	           "checkpoint's root, and the\ncheckpoint's signature by the "
	           "hub key.\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one proof FILE"));
	if (rc >= 0)
		return rc;
	if (!(o = json_load_file(v.pos[0], JSON_REJECT_DUPLICATES, &je))) {
		audit_error(_("'%s' is not a proof file: %s (line %d)"),
		            v.pos[0], je.text, je.line);
		return 1;
	}
	rc = 1;
	note = json_string_value(json_object_get(o, "checkpoint"));
	b64 = json_string_value(json_object_get(o, "entry"));
	p = json_object_get(o, "path");
	index = json_integer_value(json_object_get(o, "index"));
	size = json_integer_value(json_object_get(o, "size"));
	if (!json_is_string(json_object_get(o, "format")) ||
	    strcmp(json_string_value(json_object_get(o, "format")),
	           "chibo-proof-1") ||
	    !note || !b64 || index < 0 || size < 1) {
		audit_error(_("'%s' is not a chibo-proof-1 file"), v.pos[0]);
		goto out;
	}
	if (!cb_merkle_path_from_json(p, path, &n)) {
		audit_error(
			_("'%s': its path is not a list of at most %d hashes"),
			v.pos[0], CB_MERKLE_MAX_PATH);
		goto out;
	}
	/* the log it is of, by its checkpoint's first line */
	if (!cb_note_origin(note, origin, sizeof(origin))) {
		printf(_("FAULT: the checkpoint is not a signed note\n"));
		goto out;
	}
	/* the key: given, else the one this auditor trusted for the log */
	if (cb_args_get(&v, 0)) {
		if (cb_hex_decode(cb_args_get(&v, 0), key, 32, &eb)) {
			rc = cb_args_usage("check-proof", _("--hub-key: %s"),
			                   eb.msg);
			goto out;
		}
	} else {
		st = state_load(a);
		kh = json_string_value(json_object_get(
			json_object_get(json_object_get(st, "origins"), origin),
			"key"));
		if (!kh || cb_hex_decode(kh, key, 32, &eb)) {
			audit_error(
				_("this auditor has no key for the log '%s': "
			          "give --hub-key as the district published "
			          "it"),
				origin);
			goto out;
		}
	}
	blen = strlen(b64);
	if (!(bytes = malloc(blen)) ||
	    sodium_base642bin(bytes, blen, b64, blen, NULL, &blen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) ||
	    cb_entry_decode(bytes, blen, &e, &eb)) {
		audit_error(_("'%s': the entry is not an entry: %s"), v.pos[0],
		            bytes ? eb.msg : "bad base64");
		goto out;
	}
	cb_hash_short(e.author, ak);
	cb_hash_short(e.id, id);
	if (cb_entry_verify_signature(&e, &eb)) {
		printf(_("FAULT: entry %s: %s\n"), id, eb.msg);
		goto out;
	}
	if (cb_checkpoint_open(note, strlen(note), NULL, origin, key, &cp,
	                       &eb)) {
		printf(_("FAULT: the checkpoint: %s\n"), eb.msg);
		goto out;
	}
	if (cp.size != (uint64_t)size) {
		printf(_("FAULT: the proof is for a log of %lld entries; the "
		         "checkpoint is of %llu\n"),
		       (long long)size, (unsigned long long)cp.size);
		goto out;
	}
	cb_merkle_leaf_hash(e.bytes, e.len, leaf);
	if (!cb_merkle_verify_inclusion(leaf, (uint64_t)index, cp.size,
	                                (const uint8_t(*)[32])path, n,
	                                cp.root)) {
		printf(_("FAULT: entry %s is not at leaf %lld of the log the "
		         "hub "
		         "signed (the inclusion path does not lead to the "
		         "checkpoint's root)\n"),
		       id, (long long)index);
		goto out;
	}
	printf(_("proof holds: entry %s (%s, key %s, seq %llu) is leaf %lld of "
	         "%s's log of %llu entries, signed by hub key %.12s\n"),
	       id, cb_words_label("op", e.op), ak, (unsigned long long)e.seq,
	       (long long)index, cp.origin, (unsigned long long)cp.size,
	       hex32(key, kx));
	rc = 0;
out:
	cb_entry_release(&e);
	free(bytes);
	json_decref(o);
	json_decref(st);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(struct audit *, int, char **);
} commands[] = {
	{ "init", cmd_audit_init },
	{ "verify", cmd_audit_verify },
	{ "history", cmd_audit_history },
	{ "proof", cmd_audit_proof },
	{ "check-proof", cmd_audit_check_proof },
	{ "report", cmd_audit_report },
	{ "federation", cmd_audit_federation },
};

int
main(int argc, char **argv)
{
	struct audit a = { 0 };
	char *dflt = NULL;
	int i = 1, rc;

	cb_args_prog = "chibo-audit";
	cb_lang_init();
	if (sodium_init() < 0) {
		audit_error(_("libsodium failed to initialise"));
		return 1;
	}
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			a.dir = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--dir=", 6)) {
			a.dir = argv[i++] + 6;
		} else if (!strcmp(argv[i], "--help") ||
		           !strcmp(argv[i], "-h")) {
			fputs(_(usage_text), stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("chibo-audit %s\n", CHIBO_VERSION);
			return 0;
		} else {
			return cb_args_usage("", _("unknown option '%s'"),
			                     argv[i]);
		}
	}
	if (i >= argc) {
		fputs(_(usage_text), stderr);
		return 2;
	}
	if (!a.dir || !*a.dir)
		a.dir = getenv("CHIBO_AUDIT");
	if (!a.dir || !*a.dir)
		a.dir = dflt = cb_args_default_dir("audit");
	if (!a.dir) {
		audit_error(_("out of memory"));
		return 1;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(commands[k].name, argv[i])) {
			rc = commands[k].fn(&a, argc - i, argv + i);
			free(dflt);
			return rc;
		}
	fprintf(stderr,
	        _("chibo-audit: '%s' is not a command; see 'chibo-audit "
	          "--help'\n"),
	        argv[i]);
	free(dflt);
	return 2;
}
