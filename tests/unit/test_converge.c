/* SPDX-License-Identifier: MIT */
/* test_converge.c — the property the transfers rest on, tested by seed:
 * 3 to 6 communes record at random (members added, changed, moved between
 * cells, released to another commune, accepted or declined, sent to
 * another commune for a while and listed there; candidates added, helped,
 * admitted; cells planned for dissolution, emptied and dissolved), and
 * the district committee's office approves plans and strikes off members
 * whose release went unanswered, while their entries reach each other at
 * random — each author's in its order, the authors interleaved any way,
 * some delivered twice, long stretches with no delivery at all. (The
 * hub's enrolments reach everyone first, as at a first sync.) When
 * everything has been delivered everywhere, every replica's tables are
 * identical, nothing is left pending, and the invariants hold: a live
 * member has exactly one open official cell or one release in transit; an
 * answered release has its answer; a closed cell has no members and no
 * temporary stay open after its dissolution; an accepted temporary
 * transfer has exactly one stay.
 *
 * CHIBO_CONVERGE_CASES=N runs N seeds (default 500; CI runs 2,000, and
 * 200 under the sanitizers; the long mode is 100,000, about three hours
 * here); CHIBO_CONVERGE_SEED=S runs seed S alone, and
 * CHIBO_CONVERGE_VERBOSE=1 prints what each seed did. A failure prints its
 * seed. Replicas live under /dev/shm when it exists (fsync is free there). */
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
#include "ledger.h"
#include "project.h"

#define MAX_R 8 /* 6 communes, the district office, the hub */
#define MAX_E 512

struct replica {
	struct cb_ledger *lg;
	char code[16];
	/* this replica's own entries, in chain order */
	struct cb_buf out[MAX_E];
	size_t nout;
	/* how far each other replica's chain has been delivered here */
	size_t got[MAX_R];
	int cards;
};

static struct replica R[MAX_R];
static int nr;           /* communes: R[0..nr-1]; R[nr] the office */
static int office, hubi; /* R[office], R[hubi] (the hub only sends) */
static char base[64];


/* Copy the replica's entries after those already in out. */
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
	while (sqlite3_step(s) == SQLITE_ROW && r->nout < MAX_E) {
		uint32_t n = (uint32_t)sqlite3_column_bytes(s, 0);
		struct cb_buf *b = &r->out[r->nout++];

		cb_buf_init(b);
		if (cb_buf_add_be32(b, n) ||
		    cb_buf_add(b, sqlite3_column_blob(s, 0), n))
			fail_msg("out of memory");
	}
	sqlite3_finalize(s);
}

/* One of the replica's rows, at random: column 0 of sql (whose ?1, if
 * any, is the replica's organisation). */
static bool
pick(struct replica *r, const char *sql, char out[65])
{
	sqlite3_stmt *s;
	int n = 0;

	sqlite3_prepare_v2(cb_store_db(r->lg->st), sql, -1, &s, NULL);
	if (sqlite3_bind_parameter_count(s)) /* ?1: the replica's org */
		sqlite3_bind_text(s, 1, r->code, -1, SQLITE_STATIC);
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

	/* refused or not, it is what an office might try; a storage error
	 * is not */
	cb_err rc = cb_ledger_append(r->lg, op, in, NULL, &eb);

	if (rc == CB_EIO || rc == CB_ENOMEM)
		fail_msg("%s: %s", op, eb.msg);
	json_decref(in);
}

/* The district committee's office: approves a plan, or strikes off a
 * member whose release is over three months old. */
static void
office_op(struct replica *r)
{
	char id[65];

	if (rnd(2)) {
		if (pick(r,
		         "SELECT plan FROM dissolutions WHERE state = "
		         "'planned'",
		         id))
			try_op(r, "cell.dissolve_approve",
			       json_pack("{s:s, s:s, s:s}", "plan", id,
			                 "decision_no", "12-QĐ/HU", "on",
			                 "2026-04-15"));
	} else if (pick(r,
	                "SELECT release FROM transfers WHERE state = "
	                "'in-transit'",
	                id)) {
		try_op(r, "member.strike_off",
		       json_pack("{s:s, s:s, s:s}", "release", id,
		                 "decision_no", "7-QĐ/HU", "on", "2026-06-01"));
	}
	collect(r);
}

/* Dissolving a cell: a plan, the whole cell moved to another, the
 * decision once approved. */
static void
dissolve_op(struct replica *r)
{
	char id[65], cell[80], other[80];

	switch (rnd(3)) {
	case 0:
		if (pick(r,
		         "SELECT code FROM orgs WHERE parent = ? AND state = "
		         "'active' AND level = 'cell'",
		         cell))
			try_op(r, "cell.dissolve_plan",
			       json_pack("{s:s, s:s}", "cell", cell, "on",
			                 "2026-04-01"));
		break;
	case 1:
		/* a collective move: everyone out of a planned cell */
		if (pick(r,
		         "SELECT cell FROM dissolutions WHERE org = ? AND "
		         "state <> 'dissolved'",
		         cell)) {
			sqlite3_stmt *s;

			snprintf(other, sizeof(other), "%s.0%d", r->code,
			         3 + (int)rnd(2));
			try_op(r, "cell.create",
			       json_pack("{s:s, s:s, s:s}", "code", other,
			                 "name", "Chi bộ mới", "kind",
			                 "residential"));
			sqlite3_prepare_v2(
				cb_store_db(r->lg->st),
				"SELECT m.id FROM memberships s JOIN "
				"members m ON m.mkey = s.member WHERE "
				"s.cell = ? AND s.kind = 'official' AND "
				"s.until IS NULL",
				-1, &s, NULL);
			sqlite3_bind_text(s, 1, cell, -1, SQLITE_TRANSIENT);
			while (sqlite3_step(s) == SQLITE_ROW) {
				char mid[CB_HASH_HEX];

				try_op(r, "member.move",
				       json_pack("{s:s, s:s, s:s}", "member",
				                 cb_column_id(s, 0, mid),
				                 "cell", other, "on",
				                 "2026-04-10"));
			}
			sqlite3_finalize(s);
		}
		/* and the decision, if approved */
		__attribute__((fallthrough));
	default:
		if (pick(r,
		         "SELECT plan FROM dissolutions WHERE org = ? AND "
		         "state = 'approved'",
		         id))
			try_op(r, "cell.dissolve",
			       json_pack("{s:s, s:s}", "plan", id, "on",
			                 "2026-05-01"));
		break;
	}
}

/* Temporary transfers: a letter, the receiver's listing, its end. */
static void
temporary_op(struct replica *r)
{
	char id[65];

	switch (rnd(3)) {
	case 0:
		if (pick(r, "SELECT id FROM members WHERE org = ?", id))
			try_op(r, "member.temporary",
			       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			                 "member", id, "to_org",
			                 R[rnd((uint32_t)nr)].code, "letter_no",
			                 "3-GGT", "letter_date", "2026-01-25",
			                 "since", "2026-02-01", "until",
			                 rnd(2) ? "2026-08-01" : "2026-12-01",
			                 "purpose", rnd(2) ? "work" : "study"));
		break;
	case 1:
		if (pick(r,
		         "SELECT id FROM temporaries WHERE to_org = ? AND "
		         "state = 'issued'",
		         id)) {
			char cell[80];

			snprintf(cell, sizeof(cell), "%s.0%d", r->code,
			         1 + (int)rnd(2));
			try_op(r, "member.temporary_accept",
			       json_pack("{s:s, s:s, s:s}", "temporary", id,
			                 "cell", cell, "reported_on",
			                 "2026-02-10"));
		}
		break;
	default:
		if (pick(r,
		         "SELECT id FROM temporaries WHERE to_org = ? AND "
		         "state = 'accepted' AND ended_by IS NULL",
		         id))
			try_op(r, "member.temporary_end",
			       json_pack("{s:s, s:s}", "temporary", id, "on",
			                 "2026-05-01"));
	}
}

static void
random_op(struct replica *r)
{
	char m[65], cell[80];

	if (r == &R[office]) {
		office_op(r);
		return;
	}
	switch (rnd(16)) {
	case 13: dissolve_op(r); break;
	case 14:
	case 15: temporary_op(r); break;
	case 10: {
		try_op(r, "candidate.add",
		       json_pack("{s:s, s:s, s:s, s:s}", "full_name",
		                 "Trần Thị Hai", "birth_date", "2000-02-02",
		                 "sex", "female", "cell",
		                 rnd(2) ? "01" : "02"));
		break;
	}
	case 11: {
		char h1[65], h2[65];

		if (pick(r,
		         "SELECT id FROM candidates WHERE org = ? AND state = "
		         "'candidate'",
		         m) &&
		    pick(r,
		         "SELECT id FROM members WHERE org = ? AND status = "
		         "'official' AND transit IS NULL",
		         h1) &&
		    pick(r,
		         "SELECT id FROM members WHERE org = ? AND status = "
		         "'official' AND transit IS NULL",
		         h2))
			try_op(r, "candidate.helpers",
			       json_pack("{s:s, s:s, s:s}", "candidate", m,
			                 "helper1", h1, "helper2", h2));
		break;
	}
	case 12:
		if (pick(r,
		         "SELECT id FROM candidates WHERE org = ? AND state = "
		         "'candidate'",
		         m))
			try_op(r, "candidate.admit",
			       json_pack("{s:s, s:s}", "candidate", m,
			                 "admitted_on", "2026-04-01"));
		break;
	case 0:
	case 1: {
		char card[32];

		snprintf(card, sizeof(card), "%s-%d", r->code, ++r->cards);
		try_op(r, "member.add",
		       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		                 "full_name", "Nguyễn Văn Một", "birth_date",
		                 "1980-01-01", "sex", "male", "card_no", card,
		                 "admitted_on", "2005-01-01", "official_on",
		                 "2006-01-01", "cell", rnd(2) ? "01" : "02"));
		break;
	}
	case 2:
		if (pick(r, "SELECT id FROM members WHERE org = ?", m))
			try_op(r, "member.update",
			       json_pack("{s:s, s:s}", "member", m,
			                 "work_category",
			                 rnd(2) ? "retired" : "other"));
		break;
	case 3:
		if (pick(r, "SELECT id FROM members WHERE org = ?", m)) {
			snprintf(cell, sizeof(cell), "%s.0%d", r->code,
			         1 + (int)rnd(2));
			try_op(r, "member.move",
			       json_pack("{s:s, s:s, s:s}", "member", m, "cell",
			                 cell, "on", "2026-01-01"));
		}
		break;
	case 4:
	case 5:
		if (pick(r, "SELECT id FROM members WHERE org = ?", m))
			try_op(r, "member.release",
			       json_pack("{s:s, s:s, s:s, s:s, s:s}", "member",
			                 m, "to_org", R[rnd((uint32_t)nr)].code,
			                 "letter_no", "1", "letter_date",
			                 "2026-02-01", "on", "2026-02-01"));
		break;
	default:
		if (pick(r,
		         "SELECT release FROM transfers WHERE to_org = ? AND "
		         "state = 'in-transit'",
		         m)) {
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
	}
	collect(r);
}

/* The next entry of from's chain to to, and sometimes one again. */
static void
deliver(int from, int to)
{
	struct replica *t = &R[to];
	struct cb_accept_result res;
	struct cb_errbuf eb;
	const struct cb_buf *b;

	if (t->got[from] >= R[from].nout)
		return;
	if (t->got[from] > 0 && rnd(6) == 0)
		b = &R[from].out[rnd((uint32_t)t->got[from])];
	else
		b = &R[from].out[t->got[from]++];
	cb_err rc;

	eb.msg[0] = 0;
	if ((rc = cb_store_begin(t->lg->st, &eb)) ||
	    (rc = cb_accept_pulled(t->lg->st, t->lg->key.pk, b->data, b->len,
	                           &res, &eb)) ||
	    (rc = cb_store_commit(t->lg->st, &eb)))
		fail_msg("delivery %d -> %d: %s: %s", from, to, cb_err_name(rc),
		         eb.msg);
}

static long long
one(struct replica *r, const char *sql)
{
	sqlite3_stmt *s;
	long long n = -1;

	sqlite3_prepare_v2(cb_store_db(r->lg->st), sql, -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* 0 or a message. */
/* Ops every run of many seeds must have applied somewhere: a pick that
 * stopped finding its rows would otherwise only make the ops refused, and
 * the replicas would still agree. */
static const char *const exercised[] = {
	"member.update",        "member.move",
	"member.release",       "member.accept",
	"member.decline",       "member.strike_off",
	"member.temporary",     "member.temporary_accept",
	"member.temporary_end", "candidate.helpers",
	"candidate.admit",      "cell.dissolve",
};
static long long applied[sizeof(exercised) / sizeof(exercised[0])];

static void
count_applied(struct replica *r)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < sizeof(exercised) / sizeof(exercised[0]); i++) {
		sqlite3_prepare_v2(cb_store_db(r->lg->st),
		                   "SELECT count(*) FROM entries WHERE op = ? "
		                   "AND state = 'applied'",
		                   -1, &s, NULL);
		sqlite3_bind_text(s, 1, exercised[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			applied[i] += sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
}

static const char *
run_case(uint64_t seed)
{
	static char msg[256];
	unsigned char want[32], got[32];
	struct cb_errbuf eb;
	const char *fail = NULL;
	int steps;

	rng = 0x9e3779b97f4a7c15ull ^ (seed * 0xbf58476d1ce4e5b9ull);
	rnd(2);
	nr = 3 + (int)rnd(4);
	office = nr;
	hubi = nr + 1;
	steps = 150 + (int)rnd(250);
	for (int i = 0; i <= hubi; i++) {
		char path[128];
		json_t *init;
		const struct cb_ledger_kind *kind = &cb_ledger_agent;

		memset(&R[i], 0, sizeof(R[i]));
		snprintf(R[i].code, sizeof(R[i].code), "0729%d", i);
		snprintf(path, sizeof(path), "%s/s%llu-%d", base,
		         (unsigned long long)seed, i);
		if (i == hubi) {
			kind = &cb_ledger_hub;
			init = json_pack("{s:s, s:s, s:s}", "code", "BG.LG",
			                 "name", "Huyện ủy", "level",
			                 "district");
		} else if (i == office) {
			kind = &cb_ledger_office;
			init = json_pack("{s:s, s:s}", "code", "BG.LG", "name",
			                 "Văn phòng Huyện ủy");
		} else {
			init = json_pack("{s:s, s:s, s:s, s:s}", "code",
			                 R[i].code, "name", "Đảng bộ xã",
			                 "kind", "party-committee", "parent",
			                 "BG.LG");
		}
		if (cb_ledger_create_kind(path, kind, init, &R[i].lg, &eb))
			fail_msg("%s", eb.msg);
		json_decref(init);
		if (i >= office)
			continue;
		try_op(&R[i], "cell.create",
		       json_pack("{s:s, s:s, s:s}", "code", "01", "name",
		                 "Chi bộ một", "kind", "residential"));
		try_op(&R[i], "cell.create",
		       json_pack("{s:s, s:s, s:s}", "code", "02", "name",
		                 "Chi bộ hai", "kind", "school"));
		collect(&R[i]);
	}
	/* The hub enrols every commune and the office, and everyone takes
	 * the hub as its authority and receives the enrolments. */
	{
		char hk[65], key[65];

		cb_hex_encode(R[hubi].lg->key.pk, 32, hk);
		for (int i = 0; i <= office; i++) {
			cb_hex_encode(R[i].lg->key.pk, 32, key);
			try_op(&R[hubi], "key.enroll",
			       json_pack("{s:s, s:s, s:s}", "key", key, "org",
			                 i == office ? "BG.LG" : R[i].code,
			                 "role",
			                 i == office ? "district" : "commune"));
			if (cb_store_meta_set(R[i].lg->st, "authority", hk,
			                      &eb))
				fail_msg("%s", eb.msg);
		}
		collect(&R[hubi]);
		collect(&R[office]);
		for (int i = 0; i <= office; i++)
			while (R[i].got[hubi] < R[hubi].nout)
				deliver(hubi, i);
	}
	for (int i = 0; i < steps; i++) {
		if (rnd(2)) {
			random_op(&R[rnd((uint32_t)nr + 1)]);
		} else {
			/* a burst from one replica to another: a sync */
			int from = (int)rnd((uint32_t)nr + 1);
			int to = (int)rnd((uint32_t)nr + 1);
			int k = 1 + (int)rnd(6);

			while (from != to && k--)
				deliver(from, to);
		}
	}
	/* Finally everything everywhere, authors still interleaved. */
	for (;;) {
		int left = 0;

		for (int t = 0; t <= office; t++)
			for (int f = 0; f <= office; f++)
				if (f != t)
					left += R[t].got[f] < R[f].nout;
		if (!left)
			break;
		{
			int f = (int)rnd((uint32_t)nr + 1),
			    t = (int)rnd((uint32_t)nr + 1);

			if (f != t)
				deliver(f, t);
		}
	}
	for (int i = 0; i <= office && !fail; i++) {
		struct replica *r = &R[i];

		if (cb_project_digest(r->lg->st, got, &eb))
			fail_msg("%s", eb.msg);
		if (i && memcmp(want, got, 32))
			fail = "the replicas' tables differ";
		memcpy(want, got, 32);
		if (!fail &&
		    one(r, "SELECT count(*) FROM entries WHERE state = "
		           "'pending'"))
			fail = "entries left pending";
		if (!fail &&
		    one(r, "SELECT count(*) FROM members m WHERE status IN "
		           "('probationary', 'official', 'exempt') AND "
		           "(transit IS NULL) <> ((SELECT count(*) FROM "
		           "memberships s WHERE s.member = m.mkey AND s.kind = "
		           "'official' AND s.until IS NULL) = 1)"))
			fail = "a live member without exactly one official "
			       "cell or one release in transit";
		if (!fail &&
		    one(r, "SELECT count(*) FROM members m WHERE "
		           "transit IS NOT NULL AND NOT EXISTS (SELECT "
		           "1 FROM transfers t WHERE t.release = "
		           "m.transit AND t.state = 'in-transit')"))
			fail = "a member in transit without its release";
		if (!fail &&
		    one(r, "SELECT count(*) FROM transfers WHERE state "
		           "<> 'in-transit' AND closed_by IS NULL"))
			fail = "an answered release without its answer";
		if (!fail &&
		    one(r, "SELECT count(*) FROM memberships s JOIN orgs o ON "
		           "o.code = s.cell JOIN dissolutions d ON d.cell = "
		           "s.cell AND d.state = 'dissolved' WHERE o.state = "
		           "'closed' AND (s.until IS NULL OR (s.kind = "
		           "'temporary' AND s.until > d.dissolved_on))"))
			fail = "a closed cell with members";
		if (!fail &&
		    one(r, "SELECT count(*) FROM temporaries t WHERE "
		           "(t.state = 'accepted') <> ((SELECT count(*) FROM "
		           "memberships s WHERE s.kind = 'temporary' AND "
		           "lower(hex(s.entry)) = t.accepted_by) = 1)"))
			fail = "an accepted temporary transfer without "
			       "exactly one stay";
		if (!fail) {
			struct cb_verify_report vr;

			if (cb_ledger_verify(r->lg, &vr, NULL, NULL, &eb))
				fail = "verify failed";
		}
	}
	if (!fail)
		count_applied(&R[0]);
	if (getenv("CHIBO_CONVERGE_VERBOSE"))
		printf("seed %llu: %d communes, %lld entries, %lld rejected, "
		       "transfers %lld accepted %lld declined %lld in "
		       "transit %lld struck, %lld dissolved (of %lld plans, "
		       "%lld approved), %lld temporary stays\n",
		       (unsigned long long)seed, nr,
		       one(&R[0], "SELECT count(*) FROM entries"),
		       one(&R[0], "SELECT count(*) FROM entries WHERE state = "
		                  "'rejected'"),
		       one(&R[0],
		           "SELECT count(*) FROM transfers WHERE state = "
		           "'accepted'"),
		       one(&R[0],
		           "SELECT count(*) FROM transfers WHERE state = "
		           "'declined'"),
		       one(&R[0],
		           "SELECT count(*) FROM transfers WHERE state = "
		           "'in-transit'"),
		       one(&R[0], "SELECT count(*) FROM transfers WHERE "
		                  "struck_by IS NOT NULL"),
		       one(&R[0], "SELECT count(*) FROM dissolutions WHERE "
		                  "state = 'dissolved'"),
		       one(&R[0], "SELECT count(*) FROM dissolutions"),
		       one(&R[0], "SELECT count(*) FROM dissolutions WHERE "
		                  "state <> 'planned'"),
		       one(&R[0], "SELECT count(*) FROM temporaries WHERE "
		                  "state = 'accepted'"));
	if (fail) {
		snprintf(msg, sizeof(msg),
		         "seed %llu (%d communes, %d steps): %s",
		         (unsigned long long)seed, nr, steps, fail);
		fail = msg;
	}
	for (int i = 0; i <= hubi; i++) {
		char cmd[200];

		for (size_t k = 0; k < R[i].nout; k++)
			cb_buf_release(&R[i].out[k]);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", R[i].lg->dir);
		cb_ledger_free(&R[i].lg);
		if (system(cmd) != 0)
			fail_msg("cannot remove a replica");
	}
	return fail;
}

static void
test_every_replica_converges(void **state)
{
	const char *one_seed = getenv("CHIBO_CONVERGE_SEED");
	long cases = getenv("CHIBO_CONVERGE_CASES")
	                     ? atol(getenv("CHIBO_CONVERGE_CASES"))
	                     : 500;

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
			fail_msg("%s (replay: CHIBO_CONVERGE_SEED=%ld)", f, s);
	}
	for (size_t i = 0;
	     cases >= 100 && i < sizeof(exercised) / sizeof(exercised[0]); i++)
		if (getenv("CHIBO_CONVERGE_VERBOSE"))
			printf("%s: %lld applied\n", exercised[i], applied[i]);
		else if (applied[i] == 0)
			fail_msg("no seed of %ld applied a %s", cases,
			         exercised[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_replica_converges),
	};
	char cmd[128];
	int rc;

	if (sodium_init() < 0)
		return 1;
	snprintf(base, sizeof(base), "%s/chibo-converge-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(base))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
