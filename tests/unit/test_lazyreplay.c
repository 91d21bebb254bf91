/* SPDX-License-Identifier: MIT */
/* test_lazyreplay.c — the audit's lazy replay (lazyreplay.h) against the
 * full one, by seed. 3 to 5 communes record at random — members added
 * (most never named again; some with a card number another commune
 * already gave), changed, moved, released, accepted or declined, rated,
 * present at meetings; candidates added and admitted — and sync with each
 * other now and then. An intruder key, with an organisation of its own,
 * forges entries about theirs: members added to their cells, updates,
 * releases, ratings and meetings of their members (often of members
 * nothing else names), cells under their organisations, acceptances of
 * releases addressed to them. The log is a random interleaving of every
 * author's chain, so answers may come before what they answer.
 *
 * Replayed both ways into fresh stores: every entry the lazy replay
 * projects gets the full replay's verdict and reason; no entry it leaves
 * unprojected is outside its key's scope in the full replay; and after a
 * final flush the tables are identical. The seeds together must set
 * entries aside, project some of them because a later entry named them,
 * and catch entries out of scope, or the test proves nothing.
 *
 * CHIBO_LAZY_CASES=N runs N seeds (default 150); CHIBO_LAZY_SEED=S one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "xorshift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "accept.h"
#include "store_sqlite.h"
#include "buf.h"
#include "lazyreplay.h"
#include "ledger.h"
#include "project.h"

#define MAX_R 5
#define MAX_E 600
#define MAX_LOG (MAX_R * MAX_E + MAX_E + MAX_R + 1)

struct replica {
	struct cb_ledger *lg;
	char code[16];
	struct cb_buf out[MAX_E]; /* its entries, framed, in chain order */
	size_t nout;
	size_t got[MAX_R];
	int cards;
};

static struct replica R[MAX_R];
static int nr;
static char base[64];

/* The intruder: a key of its own, an organisation of its own. */
static unsigned char ipk[CB_KEY_BYTES], isk[64];
static struct cb_buf iout[MAX_E];
static size_t niout;
static unsigned char ihead[CB_HASH_BYTES];

/* The hub's key, the stores' authority: its enrolments of every commune
 * and of the intruder begin the log, as they begin a hub's. */
static unsigned char apk[CB_KEY_BYTES], ask[64];
static struct cb_buf aout[MAX_R + 1];
static size_t naout;

static struct {
	size_t aside, named, escope;
} totals;


static void
frame(struct cb_buf *b, const void *p, size_t n)
{
	cb_buf_init(b);
	if (cb_buf_add_be32(b, (uint32_t)n) || cb_buf_add(b, p, n))
		fail_msg("out of memory");
}

static void
collect(struct replica *r)
{
	sqlite3_stmt *s;

	sqlite3_prepare_v2(cb_store_db(r->lg->st),
	                   "SELECT bytes FROM entries WHERE author = ? AND "
	                   "seq > ? ORDER BY seq",
	                   -1, &s, NULL);
	sqlite3_bind_blob(s, 1, r->lg->key.pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)r->nout);
	while (sqlite3_step(s) == SQLITE_ROW && r->nout < MAX_E)
		frame(&r->out[r->nout++], sqlite3_column_blob(s, 0),
		      (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
}

/* A row of sql (bound to code, if it has a parameter) at random. */
static bool
pick(struct replica *r, const char *sql, const char *code, char out[80])
{
	sqlite3_stmt *s;
	int n = 0;

	sqlite3_prepare_v2(cb_store_db(r->lg->st), sql, -1, &s, NULL);
	if (sqlite3_bind_parameter_count(s))
		sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		if (rnd((uint32_t)++n) == 0)
			cb_column_id(s, 0, out);
	sqlite3_finalize(s);
	return n > 0;
}

static void
try_op(struct replica *r, const char *op, json_t *in)
{
	struct cb_errbuf eb;
	cb_err rc = cb_ledger_append(r->lg, op, in, NULL, &eb);

	if (rc == CB_EIO || rc == CB_ENOMEM)
		fail_msg("%s: %s", op, eb.msg);
	json_decref(in);
}

static void
honest_op(struct replica *r)
{
	char m[80], h[80], cell[80];

	switch (rnd(16)) {
	case 0:
		try_op(r, "candidate.add",
		       json_pack("{s:s, s:s, s:s, s:s}", "full_name",
		                 "Trần Thị Hai", "birth_date", "2000-02-02",
		                 "sex", "female", "cell",
		                 rnd(2) ? "01" : "02"));
		break;
	case 1:
		if (pick(r,
		         "SELECT id FROM candidates WHERE org = ? AND state = "
		         "'candidate'",
		         r->code, m))
			try_op(r, "candidate.admit",
			       json_pack("{s:s, s:s}", "candidate", m,
			                 "admitted_on", "2026-04-01"));
		break;
	case 2:
		if (pick(r, "SELECT id FROM members WHERE org = ?", r->code, m))
			try_op(r, "member.update",
			       json_pack("{s:s, s:s}", "member", m,
			                 "work_category",
			                 rnd(2) ? "retired" : "other"));
		break;
	case 3:
		if (pick(r, "SELECT id FROM members WHERE org = ?", r->code,
		         m)) {
			snprintf(cell, sizeof(cell), "%s.0%d", r->code,
			         1 + (int)rnd(2));
			try_op(r, "member.move",
			       json_pack("{s:s, s:s, s:s}", "member", m, "cell",
			                 cell, "on", "2026-01-01"));
		}
		break;
	case 4:
		if (pick(r, "SELECT id FROM members WHERE org = ?", r->code, m))
			try_op(r, "member.release",
			       json_pack("{s:s, s:s, s:s, s:s, s:s}", "member",
			                 m, "to_org", R[rnd((uint32_t)nr)].code,
			                 "letter_no", "1", "letter_date",
			                 "2026-02-01", "on", "2026-02-01"));
		break;
	case 5:
		if (pick(r,
		         "SELECT release FROM transfers WHERE to_org = ? AND "
		         "state = 'in-transit'",
		         r->code, m)) {
			if (rnd(3))
				try_op(r, "member.accept",
				       json_pack("{s:s, s:s, s:s}", "release",
				                 m, "cell",
				                 rnd(2) ? "01" : "02",
				                 "reported_on", "2026-03-01"));
			else
				try_op(r, "member.decline",
				       json_pack("{s:s, s:s}", "release", m,
				                 "on", "2026-03-01"));
		}
		break;
	case 6:
		if (pick(r, "SELECT id FROM members WHERE org = ?", r->code, m))
			try_op(r, "rating.record",
			       json_pack("{s:s, s:s, s:s, s:s, s:s}",
			                 "subject_kind", "member", "subject", m,
			                 "period", "2025", "level", "good",
			                 "stage", "self"));
		break;
	case 7:
		snprintf(cell, sizeof(cell), "%s.01", r->code);
		if (pick(r,
		         "SELECT m.id FROM memberships s JOIN members m ON "
		         "m.mkey = s.member WHERE s.cell = ? AND s.until IS "
		         "NULL",
		         cell, m))
			try_op(r, "meeting.record",
			       json_pack("{s:s, s:s, s:s, s:i, s:{s:s}}",
			                 "cell", "01", "date", "2026-05-05",
			                 "kind", "regular", "duration_min", 60,
			                 "attendance", m, "present"));
		break;
	case 8:
		if (pick(r, "SELECT id FROM members WHERE org = ?", r->code, m))
			try_op(r, "member.status",
			       json_pack("{s:s, s:s, s:s}", "member", m,
			                 "status", "exempt", "on",
			                 "2026-01-02"));
		break;
	default: {
		char card[32];
		int o = (int)rnd((uint32_t)nr);

		/* now and then a number another commune already gave */
		if (rnd(8) == 0 && R[o].cards)
			snprintf(card, sizeof(card), "%s-%d", R[o].code,
			         1 + (int)rnd((uint32_t)R[o].cards));
		else
			snprintf(card, sizeof(card), "%s-%d", r->code,
			         ++r->cards);
		(void)h;
		try_op(r, "member.add",
		       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		                 "full_name", "Nguyễn Văn Một", "birth_date",
		                 "1980-01-01", "sex", "male", "card_no", card,
		                 "admitted_on", "2005-01-01", "official_on",
		                 "2006-01-01", "cell", rnd(2) ? "01" : "02"));
	}
	}
	collect(r);
}

/* The intruder signs body as its next entry, naming dep if not NULL. */
static void
forge(const char *op, json_t *body, const char *dep)
{
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	unsigned char d[1][CB_HASH_BYTES];

	f.author = ipk;
	f.secret_key = isk;
	f.seq = niout + 1;
	f.prev = niout ? ihead : NULL;
	f.time_ms = cb_now_ms();
	f.op = op;
	f.body = body;
	if (dep && !cb_hex_decode(dep, d[0], CB_HASH_BYTES, NULL)) {
		f.deps = (const unsigned char(*)[CB_HASH_BYTES])d;
		f.ndeps = 1;
	}
	if (niout < MAX_E && !cb_entry_build(&f, &e, &eb)) {
		frame(&iout[niout++], e.bytes, e.len);
		memcpy(ihead, e.id, CB_HASH_BYTES);
	}
	cb_entry_release(&e);
	json_decref(body);
}

static void
intruder_op(void)
{
	struct replica *r = &R[rnd((uint32_t)nr)];
	char m[80], cell[80], card[32];

	snprintf(cell, sizeof(cell), "%s.0%d", r->code, 1 + (int)rnd(2));
	switch (rnd(9)) {
	case 0:
		snprintf(card, sizeof(card), "X-%d", (int)rnd(1000));
		forge("member.add",
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		                "full_name", "Lê Văn Giả", "birth_date",
		                "1980-01-01", "sex", "male", "card_no", card,
		                "admitted_on", "2005-01-01", "official_on",
		                "2006-01-01", "cell", cell, "status",
		                "official"),
		      NULL);
		break;
	case 1:
		if (pick(r, "SELECT id FROM members", NULL, m))
			forge("member.update",
			      json_pack("{s:s, s:s}", "member", m,
			                "work_category", "other"),
			      NULL);
		break;
	case 2:
		if (pick(r, "SELECT id FROM members", NULL, m))
			forge("member.release",
			      json_pack("{s:s, s:s, s:s, s:s, s:s}", "member",
			                m, "to_org", "09999", "letter_no", "9",
			                "letter_date", "2026-02-01", "on",
			                "2026-02-01"),
			      NULL);
		break;
	case 3:
		if (pick(r, "SELECT id FROM members", NULL, m))
			forge("rating.record",
			      json_pack("{s:s, s:s, s:s, s:s, s:s}",
			                "subject_kind", "member", "subject", m,
			                "period", "2025", "level",
			                "outstanding", "stage", "decided"),
			      NULL);
		break;
	case 4:
		if (pick(r, "SELECT id FROM members", NULL, m))
			forge("meeting.record",
			      json_pack("{s:s, s:s, s:s, s:i, s:{s:s}}", "cell",
			                cell, "date", "2026-05-05", "kind",
			                "regular", "duration_min", 30,
			                "attendance", m, "present"),
			      NULL);
		break;
	case 5:
		snprintf(cell, sizeof(cell), "%s.9%d", r->code, (int)rnd(10));
		forge("cell.create",
		      json_pack("{s:s, s:s, s:s}", "code", cell, "name",
		                "Chi bộ giả", "kind", "residential"),
		      NULL);
		break;
	case 6:
		if (pick(r, "SELECT release FROM transfers", NULL, m))
			forge("member.accept",
			      json_pack("{s:s, s:s, s:s}", "release", m, "cell",
			                "09999.01", "reported_on",
			                "2026-03-01"),
			      m);
		break;
	default:
		/* its own members, which nothing else names */
		snprintf(card, sizeof(card), "I-%zu", niout);
		forge("member.add",
		      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		                "full_name", "Lê Văn Mười", "birth_date",
		                "1980-01-01", "sex", "male", "card_no", card,
		                "admitted_on", "2005-01-01", "official_on",
		                "2006-01-01", "cell", "09999.01", "status",
		                "official"),
		      NULL);
	}
}

static void
deliver(int from, int to)
{
	struct replica *t = &R[to];
	struct cb_accept_result res;
	struct cb_errbuf eb;
	const struct cb_buf *b;
	cb_err rc;

	if (t->got[from] >= R[from].nout)
		return;
	b = &R[from].out[t->got[from]++];
	if ((rc = cb_store_begin(t->lg->st, &eb)) ||
	    (rc = cb_accept_pulled(t->lg->st, t->lg->key.pk, b->data, b->len,
	                           &res, &eb)) ||
	    (rc = cb_store_commit(t->lg->st, &eb)))
		fail_msg("delivery %d -> %d: %s: %s", from, to, cb_err_name(rc),
		         eb.msg);
}

/* --- the two replays ---------------------------------------------------- */

struct verdicts {
	bool seen[MAX_LOG];
	cb_err code[MAX_LOG];
	char why[MAX_LOG][CB_REASON_MAX];
};

static struct verdicts full, lazy;
static uint64_t taking; /* the leaf being taken; UINT64_MAX at the end */

static void
on_verdict(void *ctx, uint64_t leaf, const struct cb_entry *e, cb_err verdict,
           const char *why)
{
	struct verdicts *v = ctx;

	(void)e;
	if (leaf >= MAX_LOG)
		fail_msg("leaf %llu past the log", (unsigned long long)leaf);
	if (v->seen[leaf])
		fail_msg("leaf %llu judged twice", (unsigned long long)leaf);
	if (v == &lazy && leaf < taking)
		totals.named++; /* set aside, then named */
	v->seen[leaf] = true;
	v->code[leaf] = verdict;
	snprintf(v->why[leaf], CB_REASON_MAX, "%s", why);
}

/* The authority's enrolment of key for org, next in its chain. */
static void
enrol(const unsigned char *key, const char *org)
{
	static unsigned char head[CB_HASH_BYTES];
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	char hex[65];
	json_t *body;

	cb_hex_encode(key, CB_KEY_BYTES, hex);
	body = json_pack("{s:s, s:s, s:s}", "key", hex, "org", org, "role",
	                 "commune");
	f.author = apk;
	f.secret_key = ask;
	f.seq = naout + 1;
	f.prev = naout ? head : NULL;
	f.time_ms = cb_now_ms();
	f.op = "key.enroll";
	f.body = body;
	if (cb_entry_build(&f, &e, &eb))
		fail_msg("%s", eb.msg);
	frame(&aout[naout++], e.bytes, e.len);
	memcpy(head, e.id, CB_HASH_BYTES);
	cb_entry_release(&e);
	json_decref(body);
}

static struct cb_store *
scratch(const char *path)
{
	struct cb_store *st;
	struct cb_errbuf eb;
	char hex[65];

	cb_hex_encode(apk, 32, hex);
	if (cb_store_open(path, true, &st, &eb) ||
	    cb_store_exec(st, "PRAGMA synchronous = OFF", &eb) ||
	    cb_store_meta_set(st, "authority", hex, &eb) ||
	    cb_store_begin(st, &eb))
		fail_msg("%s", eb.msg);
	return st;
}

static void
replay(const struct cb_buf *const *log, size_t n, bool lz, struct verdicts *v,
       struct cb_store *st, uint64_t *aside)
{
	const struct cb_lazyreplay_hooks hooks = { NULL, on_verdict, v };
	struct cb_lazyreplay *l;
	struct cb_errbuf eb;

	memset(v, 0, sizeof(*v));
	if (cb_lazyreplay_new(st, lz, base, &hooks, &l, &eb))
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < n; i++) {
		struct cb_entry e = CB_ENTRY_INIT;

		taking = i;
		/* As the audit reads it: a member.add without its tree. */
		if (cb_entry_decode_lazy(log[i]->data + 4, log[i]->len - 4,
		                         lz ? "member.add" : "", &e, &eb) ||
		    cb_lazyreplay_take(l, &e, i, &eb))
			fail_msg("leaf %zu: %s", i, eb.msg);
		cb_entry_release(&e);
	}
	*aside = cb_lazyreplay_aside(l);
	taking = UINT64_MAX;
	if (cb_lazyreplay_flush(l, &eb))
		fail_msg("%s", eb.msg);
	cb_lazyreplay_free(&l);
}

static const char *
run_case(uint64_t seed)
{
	static char msg[512];
	static const struct cb_buf *log[MAX_LOG];
	size_t next[MAX_R + 1] = { 0 }, n = 0;
	unsigned char dfull[32], dlazy[32];
	struct cb_store *sf, *sl;
	struct cb_errbuf eb;
	const char *fail = NULL;
	char path[160], cmd[200];
	uint64_t aside;
	int steps;

	rng = 0x2545f4914f6cdd1dull ^ (seed * 0x9e3779b97f4a7c15ull);
	rnd(2);
	nr = 3 + (int)rnd(3);
	steps = 150 + (int)rnd(200);
	crypto_sign_keypair(ipk, isk);
	niout = 0;
	crypto_sign_keypair(apk, ask);
	naout = 0;
	enrol(ipk, "09999");
	forge("org.init",
	      json_pack("{s:s, s:s, s:s}", "code", "09999", "name", "Giả",
	                "kind", "party-committee"),
	      NULL);
	forge("cell.create",
	      json_pack("{s:s, s:s, s:s}", "code", "09999.01", "name", "Giả",
	                "kind", "residential"),
	      NULL);
	for (int i = 0; i < nr; i++) {
		json_t *init;

		memset(&R[i], 0, sizeof(R[i]));
		snprintf(R[i].code, sizeof(R[i].code), "0729%d", i);
		snprintf(path, sizeof(path), "%s/s%llu-%d", base,
		         (unsigned long long)seed, i);
		init = json_pack("{s:s, s:s, s:s}", "code", R[i].code, "name",
		                 "Đảng bộ xã", "kind", "party-committee");
		if (cb_ledger_create(path, init, &R[i].lg, &eb))
			fail_msg("%s", eb.msg);
		json_decref(init);
		enrol(R[i].lg->key.pk, R[i].code);
		try_op(&R[i], "cell.create",
		       json_pack("{s:s, s:s, s:s}", "code", "01", "name",
		                 "Chi bộ một", "kind", "residential"));
		try_op(&R[i], "cell.create",
		       json_pack("{s:s, s:s, s:s}", "code", "02", "name",
		                 "Chi bộ hai", "kind", "school"));
		collect(&R[i]);
	}
	for (int i = 0; i < steps; i++) {
		uint32_t k = rnd(10);

		if (k < 5) {
			honest_op(&R[rnd((uint32_t)nr)]);
		} else if (k < 7) {
			intruder_op();
		} else {
			int from = (int)rnd((uint32_t)nr);
			int to = (int)rnd((uint32_t)nr);

			for (int j = 1 + (int)rnd(8); from != to && j; j--)
				deliver(from, to);
		}
	}
	/* The log: the enrolments, then every chain, interleaved at
	 * random. */
	for (size_t k = 0; k < naout; k++)
		log[n++] = &aout[k];
	for (;;) {
		int left = 0, a;

		for (int i = 0; i < nr; i++)
			left += next[i] < R[i].nout;
		left += next[nr] < niout;
		if (!left)
			break;
		a = (int)rnd((uint32_t)nr + 1);
		if (a < nr && next[a] < R[a].nout)
			log[n++] = &R[a].out[next[a]++];
		else if (a == nr && next[nr] < niout)
			log[n++] = &iout[next[nr]++];
	}
	snprintf(path, sizeof(path), "%s/full-%llu.db", base,
	         (unsigned long long)seed);
	sf = scratch(path);
	snprintf(path, sizeof(path), "%s/lazy-%llu.db", base,
	         (unsigned long long)seed);
	sl = scratch(path);
	replay(log, n, false, &full, sf, &aside);
	replay(log, n, true, &lazy, sl, &aside);
	for (size_t i = 0; i < n && !fail; i++) {
		if (!full.seen[i] || !lazy.seen[i]) {
			snprintf(msg, sizeof(msg), "leaf %zu has no verdict",
			         i);
			fail = msg;
		} else if (full.code[i] != lazy.code[i] ||
		           strcmp(full.why[i], lazy.why[i])) {
			snprintf(msg, sizeof(msg),
			         "leaf %zu: full replay %s (%.200s), lazy %s "
			         "(%.200s)",
			         i, cb_err_name(full.code[i]), full.why[i],
			         cb_err_name(lazy.code[i]), lazy.why[i]);
			fail = msg;
		}
		totals.escope += full.code[i] == CB_ESCOPE;
	}
	totals.aside += aside;
	if (!fail && (cb_project_digest(sf, dfull, &eb) ||
	              cb_project_digest(sl, dlazy, &eb)))
		fail_msg("%s", eb.msg);
	if (!fail && memcmp(dfull, dlazy, 32))
		fail = "the tables differ after the final flush";
	cb_store_rollback(sf);
	cb_store_rollback(sl);
	cb_store_free(&sf);
	cb_store_free(&sl);
	for (int i = 0; i < nr; i++) {
		for (size_t k = 0; k < R[i].nout; k++)
			cb_buf_release(&R[i].out[k]);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", R[i].lg->dir);
		cb_ledger_free(&R[i].lg);
		if (system(cmd) != 0)
			fail_msg("cannot remove a replica");
	}
	for (size_t k = 0; k < niout; k++)
		cb_buf_release(&iout[k]);
	for (size_t k = 0; k < naout; k++)
		cb_buf_release(&aout[k]);
	snprintf(cmd, sizeof(cmd), "rm -f %s/full-* %s/lazy-*", base, base);
	if (system(cmd) != 0)
		fail_msg("cannot remove the scratch stores");
	if (fail) {
		static char out[600];

		snprintf(out, sizeof(out),
		         "seed %llu (%d communes, %zu "
		         "entries): %s",
		         (unsigned long long)seed, nr, n, fail);
		return out;
	}
	return NULL;
}

static void
test_lazy_replay_agrees_with_full(void **state)
{
	const char *one_seed = getenv("CHIBO_LAZY_SEED");
	long cases = getenv("CHIBO_LAZY_CASES")
	                     ? atol(getenv("CHIBO_LAZY_CASES"))
	                     : 150;

	(void)state;
	if (one_seed) {
		const char *f = run_case(strtoull(one_seed, NULL, 10));

		if (f)
			fail_msg("%s", f);
		return;
	}
	for (long s = 1; s <= cases; s++) {
		const char *f = run_case((uint64_t)s);

		if (f)
			fail_msg("%s (replay: CHIBO_LAZY_SEED=%ld)", f, s);
	}
	printf("%ld seeds: %zu entries set aside to the end, %zu set aside "
	       "then named, %zu out of scope\n",
	       cases, totals.aside, totals.named, totals.escope);
	/* Or the test proves nothing. */
	assert_true(totals.aside > 0);
	assert_true(totals.named > 0);
	assert_true(totals.escope > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_replay_agrees_with_full),
	};
	char cmd[128];
	int rc;

	if (sodium_init() < 0)
		return 1;
	snprintf(base, sizeof(base), "%s/chibo-lazy-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(base))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
