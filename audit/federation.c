/* SPDX-License-Identifier: MIT */
/* federation.c — the audit of hubs that sync up a hierarchy (DESIGN.md,
 * "Many hubs"), each log read and checked as 'verify' does (scan.c), then
 * held against each other: a lower hub's checkpoint cosigned by the
 * witness its hub.join named (C2SP tlog-witness, tlog-cosignature) and
 * what that witness kept of it (a split view is a log whose root at the
 * size cosigned is another); the chain of authority from the top key down
 * (each lower hub enrolled at the hub above as the hub of its own
 * committee, its hub.join naming a key the hub above counts as an
 * authority, its enrolments inside the subtree it was delegated — the
 * hub above's replay judges them); and that every entry a lower hub holds,
 * up to what it relayed, is in the higher hub's log byte for byte (a
 * lower hub relays its whole log up; what it pulled came from above).
 * docs/internals/federation-audit.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "enrolments.h"

#define FED_MAX_HUBS 64
#define FED_MAX_FAULTS 10000
#define ORIGIN_PREFIX "chibo/hub/"

/* --- the witness of one hub's log ---------------------------------------- */

void
audit_check_witness(struct scan *s, const uint8_t *required)
{
	const uint8_t *keys[2];
	struct cb_checkpoint wc;
	struct cb_errbuf eb;
	uint8_t root[32];
	char kx[65], wx[65];
	size_t n = 0;

	if (!s->cp_ok)
		return; /* no checkpoint of the hub's key to hold it to */
	if (s->has_join)
		keys[n++] = s->join_witness;
	if (required)
		keys[n++] = required;
	if (!n)
		return;
	cb_hex_encode(keys[n - 1], 32, kx);
	if (!s->witnessed) {
		if (s->has_join)
			audit_fault(
				s,
				_("the hub joined a higher hub (hub.join at "
			          "leaf %llu, witness %.12s) but shows no "
			          "checkpoint cosigned by it"),
				(unsigned long long)s->join_leaf, kx);
		else
			audit_fault(s,
			            _("the hub shows no cosigned checkpoint: "
			              "witness %.12s cosigned none of its log"),
			            kx);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (cb_cosigned_open(s->witnessed, strlen(s->witnessed),
		                     s->cp.origin, s->hub_key, keys[i], &wc,
		                     NULL, NULL, &eb)) {
			audit_fault(
				s,
				_("the checkpoint the hub shows as cosigned "
			          "by its witness: %s"),
				eb.msg);
			return;
		}
	cb_hex_encode(keys[0], 32, wx);
	if (wc.size > s->nleaves)
		audit_fault(
			s,
			_("witness %.12s cosigned this log at %llu entries, "
		          "past the %llu it holds: it was cut back, or the "
		          "witness was shown another log"),
			wx, (unsigned long long)wc.size,
			(unsigned long long)s->nleaves);
	else if (!audit_root_at(s, wc.size, root) || memcmp(root, wc.root, 32))
		audit_fault(
			s,
			_("the log's first %llu entries do not give the root "
		          "witness %.12s cosigned: the hub showed its witness "
		          "another log (a split view)"),
			(unsigned long long)wc.size, wx);
}

/* --- many hubs ------------------------------------------------------------ */

struct fed_hub {
	struct audit_source_opts o;
	struct scan s;
	const char *code; /* the committee, from the checkpoint's origin */
	int higher;       /* the hub given whose key is its witness; -1 */
	uint64_t missing, unrelayed;
};

struct fed {
	struct fed_hub h[FED_MAX_HUBS];
	size_t n;
	json_t *faults; /* every fault, "CODE: …", in order */
	json_t *evidence;
};

static void fed_fault(struct fed *f, const char *fmt, ...) CB_PRINTF(2, 3);

static void
fed_fault(struct fed *f, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (json_array_size(f->faults) < FED_MAX_FAULTS)
		json_array_append_new(f->faults, json_string(line));
}

static int
leaf_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* An enrolment of one key, looked for in a hub's replay. */
struct find_key {
	const char *key;
	char org[64], role[16], revoked[32];
	bool found;
};

static cb_err
find_enrolment(void *ctx, const struct cb_enrolment *en, struct cb_errbuf *eb)
{
	struct find_key *fk = ctx;

	(void)eb;
	if (strcmp(en->key, fk->key))
		return CB_OK;
	fk->found = true;
	snprintf(fk->org, sizeof(fk->org), "%s", en->org);
	snprintf(fk->role, sizeof(fk->role), "%s", en->role);
	snprintf(fk->revoked, sizeof(fk->revoked), "%s",
	         en->revoked_on ? en->revoked_on : "");
	return CB_OK;
}

/* The chain of authority between lower hub lo and the hub hi above it:
 * hi enrolled lo's key as the hub of lo's committee, and lo's hub.join
 * names hi's key or a key hi counts as an authority. */
static void
check_authority(struct fed *f, struct fed_hub *lo, struct fed_hub *hi)
{
	char key[65], auth[65];
	struct find_key fk = { key, "", "", "", false };
	struct cb_errbuf eb;
	bool yes = false;

	cb_hex_encode(lo->s.hub_key, 32, key);
	cb_hex_encode(lo->s.join_authority, 32, auth);
	if (!hi->s.replay ||
	    cb_enrolments_each(hi->s.replay, true, find_enrolment, &fk, &eb)) {
		fed_fault(f, N_("%s: cannot read %s's enrolments: %s"),
		          lo->code, hi->code,
		          hi->s.replay ? eb.msg : "no replay");
		return;
	}
	if (!fk.found)
		fed_fault(f,
		          N_("%s: its hub key %.12s is not enrolled at %s, the "
		             "hub its hub.join names as witness"),
		          lo->code, key, hi->code);
	else if (strcmp(fk.role, "hub") || strcmp(fk.org, lo->code))
		fed_fault(f,
		          N_("%s: its hub key %.12s is enrolled at %s for '%s' "
		             "as "
		             "%s, not as the hub of '%s'"),
		          lo->code, key, hi->code, fk.org, fk.role, lo->code);
	else if (fk.revoked[0])
		fed_fault(
			f,
			N_("%s: its hub key %.12s was revoked at %s on %s; it "
		           "still signs"),
			lo->code, key, hi->code, fk.revoked);
	if (memcmp(lo->s.join_authority, hi->s.hub_key, 32) &&
	    (cb_enrolments_is_authority(hi->s.replay, auth, &yes, &eb) || !yes))
		fed_fault(f,
		          N_("%s: its hub.join (leaf %llu) names authority "
		             "%.12s, "
		             "which %s neither is nor counts as one: its "
		             "communes "
		             "were told another chain of authority"),
		          lo->code, (unsigned long long)lo->s.join_leaf, auth,
		          hi->code);
}

/* What hi, as lo's witness, cosigned last of lo's log, against lo's log:
 * same root at that size, or lo showed its witness another log. */
static void
check_cosigned(struct fed *f, struct fed_hub *lo, struct fed_hub *hi)
{
	const struct audit_cosigned *c = NULL;
	struct cb_checkpoint cp;
	struct cb_errbuf eb;
	uint8_t root[32];
	char rx[65], lx[65];

	for (size_t i = 0; i < hi->s.ncosigned; i++)
		if (!strcmp(hi->s.cosigned[i].origin, lo->s.cp.origin))
			c = &hi->s.cosigned[i];
	if (!c) {
		if (hi->o.db)
			fed_fault(
				f,
				N_("%s: %s holds no checkpoint of its log that "
			           "it cosigned as its witness"),
				lo->code, hi->code);
		return; /* over HTTPS a hub does not show what it cosigned */
	}
	if (cb_checkpoint_open(c->note, strlen(c->note), lo->s.cp.origin,
	                       lo->s.cp.origin, lo->s.hub_key, &cp, &eb)) {
		fed_fault(
			f,
			N_("%s: the checkpoint %s keeps as cosigned is not one "
		           "of its key's: %s"),
			lo->code, hi->code, eb.msg);
		return;
	}
	cb_hex_encode(c->root, 32, rx);
	if (c->size > lo->s.nleaves) {
		fed_fault(f,
		          N_("%s: %s cosigned its log at %llu entries (root "
		             "%.16s), past the %llu it holds: its log was cut "
		             "back or forked"),
		          lo->code, hi->code, (unsigned long long)c->size, rx,
		          (unsigned long long)lo->s.nleaves);
	} else if (!audit_root_at(&lo->s, c->size, root) ||
	           memcmp(root, c->root, 32)) {
		cb_hex_encode(root, 32, lx);
		fed_fault(f,
		          N_("%s: split view: %s cosigned its log of %llu "
		             "entries "
		             "with root %.16s, its log gives root %.16s there: "
		             "it "
		             "showed its witness another log (both signed "
		             "checkpoints kept in --json's evidence)"),
		          lo->code, hi->code, (unsigned long long)c->size, rx,
		          lx);
	} else {
		return;
	}
	json_array_append_new(f->evidence,
	                      json_pack("{s:s, s:s, s:s, s:s}", "hub", lo->code,
	                                "witness", hi->code, "cosigned",
	                                c->note, "shown", lo->s.note));
}

/* Every entry lo holds, up to what it relayed, is in hi's log, byte for
 * byte: the missing ones named. */
static void
check_relayed(struct fed *f, struct fed_hub *lo, struct fed_hub *hi)
{
	uint8_t(*sorted)[32];
	uint64_t upto = lo->s.nleaves;
	struct cb_checkpoint wc;
	struct cb_errbuf eb;

	if (lo->s.relayed >= 0)
		upto = (uint64_t)lo->s.relayed;
	else if (lo->s.witnessed &&
	         !cb_cosigned_open(lo->s.witnessed, strlen(lo->s.witnessed),
	                           lo->s.cp.origin, lo->s.hub_key,
	                           hi->s.hub_key, &wc, NULL, NULL, &eb))
		upto = wc.size; /* over HTTPS: what its witness saw */
	if (!lo->s.info || !lo->s.nleaves)
		return;
	if (!(sorted = malloc((hi->s.nleaves + 1) * sizeof(*sorted)))) {
		fed_fault(f, N_("%s: out of memory"), lo->code);
		return;
	}
	memcpy(sorted, hi->s.leaves, hi->s.nleaves * sizeof(*sorted));
	qsort(sorted, hi->s.nleaves, sizeof(*sorted), leaf_cmp);
	for (uint64_t i = 0; i < lo->s.nleaves; i++) {
		const struct audit_leaf *e = &lo->s.info[i];
		char id[65], ak[65];

		if (bsearch(lo->s.leaves[i], sorted, hi->s.nleaves,
		            sizeof(*sorted), leaf_cmp))
			continue;
		if (i >= upto) {
			lo->unrelayed++;
			continue;
		}
		lo->missing++;
		cb_hex_encode(e->id, 32, id);
		cb_hex_encode(e->author, 32, ak);
		fed_fault(
			f,
			N_("%s: entry %s (key %s, seq %llu, %s), its leaf "
		           "%llu, "
		           "is not in %s's log: it relayed its log up to %llu, "
		           "so the entry was dropped or changed on the way"),
			lo->code, id, ak, (unsigned long long)e->seq, e->op,
			(unsigned long long)i, hi->code,
			(unsigned long long)upto);
	}
	free(sorted);
}

/* The hubs given, placed: each one's higher hub among them (the one whose
 * key its hub.join names as witness), the tops held to the top key. */
static void
place(struct fed *f, const uint8_t *top, bool has_top)
{
	size_t ntops = 0;
	char tx[65], kx[65];

	for (size_t i = 0; i < f->n; i++) {
		struct fed_hub *lo = &f->h[i];

		lo->higher = -1;
		for (size_t j = 0; j < f->n && lo->s.has_join; j++)
			if (j != i && f->h[j].s.cp_ok &&
			    !memcmp(f->h[j].s.hub_key, lo->s.join_witness, 32))
				lo->higher = (int)j;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f->h[j].code, lo->code))
				fed_fault(f,
				          N_("%s: given twice (sources %zu and "
				             "%zu): give each hub once"),
				          lo->code, j + 1, i + 1);
		if (lo->higher >= 0)
			continue;
		ntops++;
		cb_hex_encode(lo->s.hub_key, 32, kx);
		if (has_top && memcmp(lo->s.hub_key, top, 32)) {
			cb_hex_encode(top, 32, tx);
			if (lo->s.has_join)
				cb_hex_encode(lo->s.join_witness, 32, kx);
			fed_fault(
				f,
				N_("%s: its chain of authority does not reach "
			           "the top key %.12s: %s %.12s, which is not "
			           "among the hubs given"),
				lo->code, tx,
				lo->s.has_join ? "its higher hub is"
					       : "it is its own top, key",
				kx);
		}
	}
	if (ntops > 1 && !has_top)
		fed_fault(f,
		          N_("the hubs given are not one tree: %zu of them "
		             "have no higher hub among them (give --top-key "
		             "to say which is the top)"),
		          ntops);
}

/* "TW ← BG ← BG.LG": lo's chain up, into out. */
static void
chain_of(const struct fed *f, size_t i, char *out, size_t n)
{
	size_t len = 0, steps = 0;

	out[0] = 0;
	for (int k = (int)i; k >= 0 && steps <= f->n;
	     k = f->h[k].higher, steps++)
		len += (size_t)snprintf(out + len, len < n ? n - len : 0,
		                        "%s%s", steps ? " → " : "",
		                        f->h[k].code);
}

static void
print_text(const struct fed *f)
{
	size_t nf = json_array_size(f->faults);

	for (size_t i = 0; i < f->n; i++) {
		const struct fed_hub *h = &f->h[i];
		char kx[65], chain[512];

		cb_hex_encode(h->s.hub_key, 32, kx);
		printf(P_("hub %s: %s: %llu entries by %zu keys, hub key "
		          "%.12s, %zu fault\n",
		          "hub %s: %s: %llu entries by %zu keys, hub key "
		          "%.12s, %zu faults\n",
		          h->s.nfaults),
		       h->code, cb_lang_resay(h->s.what),
		       (unsigned long long)h->s.nleaves, h->s.nauthors, kx,
		       h->s.nfaults);
		if (h->higher < 0)
			continue;
		chain_of(f, i, chain, sizeof(chain));
		printf(_("  under %s (%s): %llu entries not in %s's log up to "
		         "what it relayed, %llu past it\n"),
		       f->h[h->higher].code, chain,
		       (unsigned long long)h->missing, f->h[h->higher].code,
		       (unsigned long long)h->unrelayed);
	}
	/* the faults are kept in English, for the JSON */
	for (size_t i = 0; i < nf; i++)
		printf(_("FAULT: %s\n"),
		       cb_lang_resay(json_string_value(
			       json_array_get(f->faults, i))));
	if (nf)
		printf(P_("FEDERATION AUDIT FAILED: %zu fault\n",
		          "FEDERATION AUDIT FAILED: %zu faults\n", nf),
		       nf);
	else
		printf(_("federation audit passed: %zu hubs\n"), f->n);
}

static void
print_json(const struct fed *f)
{
	json_t *hubs = json_array();

	for (size_t i = 0; i < f->n; i++) {
		const struct fed_hub *h = &f->h[i];
		char kx[65];

		cb_hex_encode(h->s.hub_key, 32, kx);
		json_array_append_new(
			hubs,
			json_pack("{s:s, s:s, s:s, s:I, s:s?, s:I, s:I, s:I}",
		                  "hub", h->code, "source", h->s.what, "key",
		                  kx, "entries", (json_int_t)h->s.nleaves,
		                  "higher",
		                  h->higher >= 0 ? f->h[h->higher].code : NULL,
		                  "missing_above", (json_int_t)h->missing,
		                  "not_relayed_yet", (json_int_t)h->unrelayed,
		                  "faults", (json_int_t)h->s.nfaults));
	}
	json_t *out = json_pack("{s:o, s:O, s:O, s:b}", "hubs", hubs, "faults",
	                        f->faults, "evidence", f->evidence, "ok",
	                        json_array_size(f->faults) == 0);

	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(out);
}

enum { F_DB, F_HUB, F_PIN, F_TOP, F_JSON };

int
cmd_audit_federation(struct audit *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "db", "FILE",
		  "a hub's hub.db copy ('chibo-hub backup --plain'); "
		  "repeat for each hub" },
		{ "hub", "URL",
		  "a hub's address, read as 'verify --hub' does; repeat, "
		  "each with its --pin, in the same order" },
		{ "pin", "PIN", "the TLS pin of the --hub of the same rank" },
		{ "top-key", "HEX",
		  "the key the chain of authority must start from, as the "
		  "centre published it (default: the key of the one hub "
		  "given that joined none)" },
		{ "json", NULL, "print JSON" },
		{ NULL, NULL, NULL }
	};
	struct fed *f;
	struct args v;
	uint8_t top[32];
	bool has_top = false, json;
	int rc, nsrc;

	rc = cb_args_command(
		"federation",
		"usage: chibo-audit federation (--db FILE | --hub URL --pin "
		"PIN)... [--top-key HEX]\n                              "
		"[--json]\n\n"
		"Checks hubs that sync up a hierarchy (communes → district → "
		"province →\ncentre) together. Each hub's log as 'verify' "
		"checks it; then, for each\nhub whose hub.join names another "
		"hub given as its witness: the checkpoint\nit shows cosigned "
		"by that witness, and what the witness kept of its log\n(the "
		"same root at that size, else a split view); its key enrolled "
		"at the\nhub above as the hub of its own committee, its "
		"hub.join naming a key\nthat hub counts as an authority, up "
		"to the top key; its enrolments\ninside the subtree it was "
		"delegated (the hub above judges them); and\nthat every entry "
		"it holds, up to what it relayed, is in the log above,\nbyte "
		"for byte — each one missing named by its id and author. "
		"Give\nevery hub once. Prints every fault on one line; exit 1 "
		"on any fault.\n\n",
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	nsrc = v.n[F_DB] + v.n[F_HUB];
	if (v.n[F_HUB] != v.n[F_PIN])
		return cb_args_usage("federation",
		                     "give each --hub its --pin, in order");
	if (nsrc < 2 || nsrc > FED_MAX_HUBS)
		return cb_args_usage("federation",
		                     "give 2 to %d hubs (--db or --hub)",
		                     FED_MAX_HUBS);
	if (cb_args_get(&v, F_TOP)) {
		if (cb_hex_decode(cb_args_get(&v, F_TOP), top, 32, NULL))
			return cb_args_usage("federation",
			                     "--top-key is 64 hex digits of a "
			                     "public key");
		has_top = true;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		audit_error(_("out of memory"));
		return 1;
	}
	f->faults = json_array();
	f->evidence = json_array();
	json = cb_args_get(&v, F_JSON) != NULL;
	rc = 1;
	/* JSON is English, the faults as well; print_text says the faults
	 * again in the user's language */
	if (json)
		cb_lang_english_begin();
	for (int i = 0; i < nsrc; i++) {
		struct fed_hub *h = &f->h[f->n];
		json_t *st = NULL;

		if (i < v.n[F_DB]) {
			h->o.db = v.vals[F_DB][i];
		} else {
			h->o.hub = v.vals[F_HUB][i - v.n[F_DB]];
			h->o.pin = v.vals[F_PIN][i - v.n[F_DB]];
		}
		h->o.keep_entries = true;
		if (audit_scan_checked(a, &h->o, NULL, false, &h->s, &st)) {
			json_decref(st);
			audit_scan_release(&h->s);
			goto out;
		}
		f->n++;
		audit_state_remember(a, st, &h->s);
		json_decref(st);
		if (!h->s.is_log || !h->s.cp_ok ||
		    strncmp(h->s.cp.origin, ORIGIN_PREFIX,
		            strlen(ORIGIN_PREFIX))) {
			audit_error(
				_("%s: no checkpoint of a hub's log signed by "
			          "its key; check it alone with 'chibo-audit "
			          "verify'"),
				h->s.what);
			goto out;
		}
		h->code = h->s.cp.origin + strlen(ORIGIN_PREFIX);
		audit_check_witness(&h->s, NULL);
		for (size_t k = 0; k < h->s.nfaults && k < 10000; k++)
			fed_fault(f, N_("%s: %s"), h->code, h->s.faults[k]);
	}
	place(f, top, has_top);
	for (size_t i = 0; i < f->n; i++) {
		struct fed_hub *lo = &f->h[i];

		if (lo->higher < 0)
			continue;
		check_authority(f, lo, &f->h[lo->higher]);
		check_cosigned(f, lo, &f->h[lo->higher]);
		check_relayed(f, lo, &f->h[lo->higher]);
	}
	if (json)
		cb_lang_english_end();
	if (json)
		print_json(f);
	else
		print_text(f);
	rc = json_array_size(f->faults) ? 1 : 0;
	goto done;
out:
	if (json)
		cb_lang_english_end();
done:
	for (size_t i = 0; i < f->n; i++)
		audit_scan_release(&f->h[i].s);
	json_decref(f->faults);
	json_decref(f->evidence);
	free(f);
	return rc;
}
