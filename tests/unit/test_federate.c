/* SPDX-License-Identifier: MIT */
/* test_federate.c — the property of many hubs, tested by seed, through the
 * hubs' own machinery, over a random topology of two or three levels: a
 * top hub (a province, or the centre over one or two provinces), under
 * it one to three lower hubs, some of them over a district hub of their
 * own, and four communes spread over the hubs below the top. A district
 * hub may enrol its communes with no parent, as a district that joined
 * late does; a lower hub joins its higher one before or after the one
 * above it joined the top (the chain of authority grows from below too).
 * The communes record at random — members added and moved, released to
 * any other commune, releases accepted or declined — while syncs happen
 * at random: a commune pushes its chain to its hub (cb_ingest_push) or
 * pulls its scope from it (cb_scope_read, cb_accept_pulled), or takes it
 * from a signed bundle file its hub wrote (cb_sync_import); a lower hub
 * relays its log to its higher hub (cb_ingest_relay), sometimes through a
 * relay bundle, or pulls its scope from it. When everything has gone everywhere
 * it may, every node's view of itself equals its higher hub's view of it,
 * nothing is pending or rejected anywhere, and at the top, which holds
 * everything, a live member has exactly one open official cell or one release
 * in transit.
 *
 * CHIBO_FEDERATE_CASES=N runs N seeds (default 60); CHIBO_FEDERATE_SEED=S
 * runs seed S alone; CHIBO_FEDERATE_VERBOSE=1 prints what each seed did.
 * A failure prints its seed. */
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
#include "buf.h"
#include "bundle.h"
#include "ingest.h"
#include "ledger.h"
#include "log.h"
#include "scope.h"
#include "sql.h"
#include "stream.h"
#include "sync.h"
#include "tlog.h"

#define NC 4     /* communes */
#define NH_MAX 7 /* hubs: the top, three below it, three districts */
#define NN_MAX (NH_MAX + NC)

struct node {
	struct cb_ledger *lg;
	char code[16];
	int hub;         /* the node it syncs with; -1: the top */
	int depth;       /* 0 for the top */
	int64_t cursor;  /* its pull cursor on its hub's log */
	int64_t relayed; /* a lower hub: its log relayed up to here */
	int cards;
};

/* N[0] is the top, N[1..NH-1] the lower hubs (each after its higher
 * one), N[NH..NN-1] the communes. */
static struct node N[NN_MAX];
static int NH, NN;
static int day;
static char base[64];

/* A day of 2024–2025, later each time: every date an op names. */
static const char *
next_day(char out[16])
{
	unsigned d = (unsigned)day++ % 700u, y = 2024 + d / 350,
		 m = 1 + d % 350 / 29, dd = 1 + d % 29;

	snprintf(out, 16, "%04u-%02u-%02u", y, m > 12 ? 12 : m, dd);
	return out;
}

/* Record op at n; a refusal (an op the replica's rules refuse) is
 * fine: nothing is recorded. */
static void
op(struct node *n, const char *name, json_t *in)
{
	struct cb_errbuf eb;

	if (cb_ledger_append(n->lg, name, in, NULL, &eb)) {
		if (getenv("CHIBO_FEDERATE_DEBUG"))
			printf("%s: %s\n", name, eb.msg);
	}
	json_decref(in);
}

static void
must(cb_err rc, const char *what, const struct cb_errbuf *eb)
{
	if (rc)
		fail_msg("%s: %s", what, eb->msg);
}

/* The first value of a query with the node's code as ?1, into out. */
static bool
pick(struct node *n, const char *sql, char out[65])
{
	struct cb_stmt *s;
	struct cb_errbuf eb;
	bool got = false;
	int k = 0, r;

	must(cb_sql_prepare(n->lg->st, sql, &s, &eb), sql, &eb);
	cb_sql_bind_text(s, 1, n->code);
	/* a random row of the first few */
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		if (!got || rnd((uint32_t)++k) == 0) {
			snprintf(out, 65, "%s", cb_sql_column_text(s, 0));
			got = true;
		}
	}
	cb_sql_finalize(s);
	return got;
}

static long long
one(struct node *n, const char *sql)
{
	struct cb_stmt *s;
	struct cb_errbuf eb;
	long long v;

	must(cb_sql_prepare(n->lg->st, sql, &s, &eb), sql, &eb);
	assert_int_equal(cb_sql_step(s), CB_SQL_ROW);
	v = cb_sql_column_int64(s, 0);
	cb_sql_finalize(s);
	return v;
}

/* Answer a release addressed to n, if one is in transit: mostly
 * accepted, sometimes declined. */
static void
answer(struct node *n)
{
	char id[65], d[16];

	if (!pick(n,
	          "SELECT t.release FROM transfers t JOIN entries e ON "
	          "lower(hex(e.id)) = t.release WHERE t.to_org = ?1 AND "
	          "t.state = 'in-transit' ORDER BY e.lsn",
	          id))
		return;
	if (rnd(4))
		op(n, "member.accept",
		   json_pack("{s:s, s:s, s:s}", "release", id, "cell",
		             rnd(2) ? "01" : "02", "reported_on", next_day(d)));
	else
		op(n, "member.decline",
		   json_pack("{s:s, s:s}", "release", id, "on", next_day(d)));
}

/* The members n holds and may move or release, in the order they came
 * (by log position: the same for a seed, whatever the keys and ids). */
#define MEMBERS_HERE                                                           \
	"SELECT lower(hex(m.id)) FROM members m JOIN entries e ON e.id = "     \
	"m.id WHERE m.org = ?1 AND m.transit IS NULL ORDER BY e.lsn"

static void
random_op(struct node *n)
{
	char id[65], d[16], cell[40];

	snprintf(cell, sizeof(cell), "%s.0%d", n->code, 1 + (int)rnd(2));
	switch (rnd(8)) {
	case 0:
	case 1:
	case 2: {
		char card[32];

		snprintf(card, sizeof(card), "%s-%d", n->code, ++n->cards);
		op(n, "member.add",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
		             "Nguyễn Văn Ánh", "birth_date", "1980-01-01",
		             "sex", rnd(2) ? "male" : "female", "card_no", card,
		             "admitted_on", "2010-05-19", "cell",
		             rnd(2) ? "01" : "02"));
		break;
	}
	case 3:
		if (pick(n, MEMBERS_HERE, id))
			op(n, "member.move",
			   json_pack("{s:s, s:s, s:s}", "member", id, "cell",
			             cell, "on", next_day(d)));
		break;
	case 4:
	case 5:
		if (pick(n, MEMBERS_HERE, id)) {
			int to = NH + (int)rnd(NC);

			if (&N[to] != n)
				op(n, "member.release",
				   json_pack("{s:s, s:s, s:s, s:s, s:s}",
				             "member", id, "to_org", N[to].code,
				             "letter_no", "1-GGT",
				             "letter_date", next_day(d), "on",
				             d));
		}
		break;
	default: answer(n);
	}
}

static cb_err
add(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	int64_t *last = ((int64_t **)ctx)[1];

	*last = lsn;
	return cb_stream_append_bytes(((struct cb_buf **)ctx)[0], bytes, len);
}

/* A commune pushes its chain to its district, from the district's head. */
static void
push(struct node *c)
{
	struct node *h = &N[c->hub];
	struct cb_buf s = CB_BUF_INIT;
	struct cb_chain_head head;
	struct cb_push_result r;
	struct cb_errbuf eb;
	int64_t last = 0;
	void *ctx[2] = { &s, &last };

	must(cb_log_head(cb_store_log(h->lg->st), c->lg->key.pk, &head, &eb),
	     "head", &eb);
	must(cb_log_read_chain(cb_store_log(c->lg->st), c->lg->key.pk, head.seq,
	                       0, add, ctx, &eb),
	     "read chain", &eb);
	if (s.len) {
		must(cb_ingest_push(h->lg->st, c->lg->key.pk, s.data, s.len, &r,
		                    &eb),
		     "push", &eb);
		if (r.status != 200)
			fail_msg("push of %s: %s", c->code, eb.msg);
	}
	cb_buf_release(&s);
}

/* A lower hub relays its log to its higher hub, from its relay cursor. */
static void
relay(struct node *d)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	int64_t last = d->relayed;
	void *ctx[2] = { &s, &last };

	must(cb_log_read_after(cb_store_log(d->lg->st), d->relayed, 0, add, ctx,
	                       &eb),
	     "read log", &eb);
	if (s.len && rnd(3) == 0) {
		/* by file: the stream in a signed relay bundle, read back */
		struct cb_bundle b = { .kind = CB_BUNDLE_RELAY }, got;
		struct cb_buf out = CB_BUF_INIT;
		struct cb_stream_reader rd;
		struct cb_entry e = CB_ENTRY_INIT;

		snprintf(b.org, sizeof(b.org), "%s", d->code);
		b.after = d->relayed;
		b.next = last;
		b.stream = s;
		cb_stream_reader_init(&rd, s.data, s.len);
		while (cb_stream_next(&rd, &e, &eb) == CB_OK)
			b.count++;
		cb_entry_release(&e);
		must(cb_bundle_encode(&b, &d->lg->key, &out, &eb),
		     "relay bundle", &eb);
		must(cb_bundle_decode(out.data, out.len, &got, &eb),
		     "relay bundle read", &eb);
		cb_buf_release(&out);
		cb_buf_release(&s);
		s = got.stream;
		got.stream = (struct cb_buf)CB_BUF_INIT;
		cb_bundle_release(&got);
	}
	if (s.len) {
		must(cb_ingest_relay(N[d->hub].lg->st, s.data, s.len, &r, &eb),
		     "relay", &eb);
		if (r.status != 200)
			fail_msg("relay of %s: %s", d->code, eb.msg);
		d->relayed = last;
	}
	cb_buf_release(&s);
}

/* A node pulls its scope from its hub, page by page. */
static void
pull(struct node *n)
{
	struct node *h = &N[n->hub];
	struct cb_accept_result r;
	struct cb_scope_page pg;
	struct cb_scope sc;
	struct cb_errbuf eb;

	must(cb_scope_of(h->lg->st, n->lg->key.pk, &sc, &eb), "scope", &eb);
	do {
		struct cb_buf s = CB_BUF_INIT;

		must(cb_scope_read(h->lg->st, &sc, n->cursor, 1 + rnd(300),
		                   1u << 20, &s, &pg, &eb),
		     "scope read", &eb);
		must(cb_store_begin(n->lg->st, &eb), "begin", &eb);
		must(cb_accept_pulled(n->lg->st, n->lg->key.pk, s.data, s.len,
		                      &r, &eb),
		     n->code, &eb);
		must(cb_store_commit(n->lg->st, &eb), "commit", &eb);
		n->cursor = pg.next;
		cb_buf_release(&s);
	} while (pg.more);
}

/* A commune takes its scope from a bundle its hub wrote (no link): the
 * hub signs a checkpoint and reads the scope after the commune's cursor
 * into a signed pull bundle; the commune reads the file back and imports
 * it as 'chibo-agent import' does. */
static void
pull_by_bundle(struct node *n)
{
	struct node *h = &N[n->hub];
	struct cb_bundle b = { .kind = CB_BUNDLE_PULL }, got;
	struct cb_buf out = CB_BUF_INIT;
	struct cb_accept_result r;
	struct cb_scope_page pg;
	struct cb_scope sc;
	struct cb_errbuf eb;
	uint8_t root[32];
	uint64_t size;
	int64_t at = n->cursor;
	size_t own = 0;

	must(cb_scope_of(h->lg->st, n->lg->key.pk, &sc, &eb), "scope", &eb);
	snprintf(b.org, sizeof(b.org), "%s", n->code);
	b.after = at;
	must(cb_store_begin(h->lg->st, &eb), "begin", &eb);
	must(cb_tlog_sign(cb_store_log(h->lg->st), h->code, h->lg->key.sk, &eb),
	     "sign", &eb);
	must(cb_tlog_checkpoint_latest(cb_store_log(h->lg->st), &size, root,
	                               &b.note, &eb),
	     "checkpoint", &eb);
	b.note_len = strlen(b.note);
	do {
		must(cb_scope_read(h->lg->st, &sc, at, 1 + rnd(300), 1u << 20,
		                   &b.stream, &pg, &eb),
		     "scope read", &eb);
		b.count += (uint32_t)pg.count;
		at = pg.next;
	} while (pg.more);
	b.next = at;
	must(cb_store_commit(h->lg->st, &eb), "commit", &eb);
	must(cb_bundle_encode(&b, &h->lg->key, &out, &eb), "bundle", &eb);
	must(cb_bundle_decode(out.data, out.len, &got, &eb), "bundle read",
	     &eb);
	must(cb_sync_import(n->lg, &got, NULL, &r, &own, &eb), n->code, &eb);
	n->cursor = b.next;
	cb_bundle_release(&got);
	cb_bundle_release(&b);
	cb_buf_release(&out);
}

static void
random_sync(void)
{
	int i = 1 + (int)rnd((uint32_t)NN - 1);

	if (i >= NH) {
		if (rnd(2))
			push(&N[i]);
		else if (rnd(4))
			pull(&N[i]);
		else
			pull_by_bundle(&N[i]);
	} else if (rnd(2)) {
		relay(&N[i]);
	} else {
		pull(&N[i]);
	}
}

/* A night: the communes push, the hubs relay up from the deepest, then
 * pull down from the top, then the communes pull. */
static void
everything(void)
{
	for (int round = 0; round < 4; round++) {
		for (int i = NH; i < NN; i++)
			push(&N[i]);
		for (int depth = 2; depth >= 1; depth--)
			for (int i = 1; i < NH; i++)
				if (N[i].depth == depth)
					relay(&N[i]);
		for (int depth = 1; depth <= 2; depth++)
			for (int i = 1; i < NH; i++)
				if (N[i].depth == depth)
					pull(&N[i]);
		for (int i = NH; i < NN; i++)
			pull(&N[i]);
	}
}

static void
make(int i, const char *code, const struct cb_ledger_kind *kind, json_t *init,
     int hub, uint64_t seed)
{
	struct cb_errbuf eb;
	char path[128];

	memset(&N[i], 0, sizeof(N[i]));
	snprintf(N[i].code, sizeof(N[i].code), "%s", code);
	N[i].hub = hub;
	N[i].depth = hub < 0 ? 0 : N[hub].depth + 1;
	snprintf(path, sizeof(path), "%s/s%llu-%d", base,
	         (unsigned long long)seed, i);
	must(cb_ledger_create_kind(path, kind, init, &N[i].lg, &eb), code, &eb);
	json_decref(init);
}

static void
enroll(int by, int whom, const char *role, const char *parent)
{
	char key[65];
	json_t *in;

	cb_hex_encode(N[whom].lg->key.pk, 32, key);
	in = json_pack("{s:s, s:s, s:s}", "key", key, "org", N[whom].code,
	               "role", role);
	if (parent)
		json_object_set_new(in, "parent", json_string(parent));
	op(&N[by], "key.enroll", in);
}

/* Lower hub i (code, level) under hub `above`: enrolled there with the
 * role hub, and joined to it (naming its key as authority and witness). */
static void
join(int i, int above)
{
	char pk[65];

	cb_hex_encode(N[above].lg->key.pk, 32, pk);
	enroll(above, i, "hub", N[above].code);
	op(&N[i], "hub.join",
	   json_pack("{s:s, s:s}", "authority", pk, "witness", pk));
}

/* The seed's topology. Two levels: a province over two or three
 * districts. Three: the centre over one or two provinces, each over no
 * district hub or one; communes under any hub but the top. */
static void
build_topology(uint64_t seed)
{
	static const char *const provinces[] = { "BG", "HN", "TN" };
	bool three = rnd(2);
	int below = three ? 1 + (int)rnd(2) : 2 + (int)rnd(2);
	int late = (int)rnd(2); /* districts join before their provinces */
	int order[NH_MAX], nord = 0;
	struct cb_errbuf eb;

	NH = 1;
	make(0, three ? "TW" : "BG", &cb_ledger_hub,
	     json_pack("{s:s, s:s, s:s}", "code", three ? "TW" : "BG", "name",
	               three ? "Trung ương" : "Tỉnh ủy", "level",
	               three ? "centre" : "province"),
	     -1, seed);
	for (int k = 0; k < below; k++) {
		char code[32];
		int p = NH++;

		if (three)
			snprintf(code, sizeof(code), "%s", provinces[k]);
		else
			snprintf(code, sizeof(code), "BG.D%d", k + 1);
		make(p, code, &cb_ledger_hub,
		     json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name",
		               three ? "Tỉnh ủy" : "Huyện ủy", "level",
		               three ? "province" : "district", "parent",
		               N[0].code),
		     0, seed);
		order[nord++] = p;
		if (three && rnd(2)) {
			int d = NH++;

			snprintf(code, sizeof(code), "%s.D1", provinces[k]);
			make(d, code, &cb_ledger_hub,
			     json_pack("{s:s, s:s, s:s, s:s}", "code", code,
			               "name", "Huyện ủy", "level", "district",
			               "parent", N[p].code),
			     p, seed);
			if (late)
				order[nord - 1] = d, order[nord++] = p;
			else
				order[nord++] = d;
		}
	}
	for (int k = 0; k < nord; k++)
		join(order[k], N[order[k]].hub);
	NN = NH + NC;
	for (int i = NH; i < NN; i++) {
		int h = 1 + (i - NH) % (NH - 1);
		char code[32], hk[65];

		if (rnd(3) == 0)
			h = 1 + (int)rnd((uint32_t)NH - 1);
		snprintf(code, sizeof(code), "0%d%03d", 7 + h, i);
		make(i, code, &cb_ledger_agent,
		     json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name",
		               "Đảng bộ xã", "kind", "party-committee",
		               "parent", N[h].code),
		     h, seed);
		/* some hubs enrol with no parent (joined late), some with */
		enroll(h, i, "commune", rnd(2) ? NULL : N[h].code);
		cb_hex_encode(N[h].lg->key.pk, 32, hk);
		must(cb_store_meta_set(N[i].lg->st, "authority", hk, &eb),
		     "authority", &eb);
		for (int c = 1; c <= 2; c++) {
			char cc[16];

			snprintf(cc, sizeof(cc), "0%d", c);
			op(&N[i], "cell.create",
			   json_pack("{s:s, s:s, s:s}", "code", cc, "name",
			             "Chi bộ", "kind", "residential"));
		}
	}
}

static const char *
run(uint64_t seed)
{
	unsigned char a[32], b[32];
	struct cb_errbuf eb;
	int steps = 150 + (int)(seed % 150);

	rng = seed * 2654435761u + 1;
	day = 0;
	build_topology(seed);
	everything();
	/* three seasons: records and syncs at random, then a night when
	 * everything goes everywhere and every release is answered */
	for (int season = 0; season < 3; season++) {
		for (int i = 0; i < steps / 3; i++) {
			if (rnd(2))
				random_op(&N[NH + rnd(NC)]);
			else
				random_sync();
		}
		everything();
		for (int i = NH; i < NN; i++)
			for (int k = 0; k < 8; k++)
				answer(&N[i]);
		everything();
	}
	for (int i = 0; i < NN; i++) {
		if (one(&N[i], "SELECT count(*) FROM entries WHERE state = "
		               "'pending'"))
			return "entries left pending";
		if (one(&N[i], "SELECT count(*) FROM entries WHERE state = "
		               "'rejected'")) {
			static char msg[400];
			char why[300];

			if (!pick(&N[i],
			          "SELECT op || ': ' || reason FROM entries "
			          "WHERE state = 'rejected' AND ?1 = ?1 LIMIT "
			          "1",
			          why))
				snprintf(why, sizeof(why), "?");
			snprintf(msg, sizeof(msg),
			         "an entry rejected at %s: %s", N[i].code, why);
			return msg;
		}
		if (i == 0)
			continue;
		must(cb_scope_digest(N[i].lg->st, N[i].code, a, &eb), "digest",
		     &eb);
		must(cb_scope_digest(N[N[i].hub].lg->st, N[i].code, b, &eb),
		     "digest", &eb);
		if (memcmp(a, b, 32))
			return i < NH ? "a lower hub's view of itself differs "
			                "from its higher hub's"
			              : "a commune's view differs from its "
			                "hub's";
	}
	if (one(&N[0], "SELECT count(*) FROM members m WHERE status IN "
	               "('probationary', 'official', 'exempt') AND (transit "
	               "IS NULL) <> ((SELECT count(*) FROM memberships s "
	               "WHERE s.member = m.mkey AND s.kind = 'official' AND "
	               "s.until IS NULL) = 1)"))
		return "a live member without exactly one official cell or "
		       "one release in transit";
	if (one(&N[0], "SELECT count(*) FROM transfers WHERE state <> "
	               "'in-transit' AND closed_by IS NULL"))
		return "an answered release without its answer";
	if (getenv("CHIBO_FEDERATE_VERBOSE"))
		printf("seed %llu: %d hubs, %lld entries at the top; %lld "
		       "members; "
		       "transfers %lld accepted, %lld declined, %lld in "
		       "transit, of which %lld across hubs\n",
		       (unsigned long long)seed, NH,
		       one(&N[0], "SELECT count(*) FROM entries"),
		       one(&N[0], "SELECT count(*) FROM members"),
		       one(&N[0], "SELECT count(*) FROM transfers WHERE state "
		                  "= 'accepted'"),
		       one(&N[0], "SELECT count(*) FROM transfers WHERE state "
		                  "= 'declined'"),
		       one(&N[0], "SELECT count(*) FROM transfers WHERE state "
		                  "= 'in-transit'"),
		       one(&N[0], "SELECT count(*) FROM transfers WHERE "
		                  "substr(from_org, 1, 2) <> substr(to_org, 1, "
		                  "2)"));
	return NULL;
}

static void
test_federate(void **state)
{
	const char *env = getenv("CHIBO_FEDERATE_SEED");
	const char *cases = getenv("CHIBO_FEDERATE_CASES");
	uint64_t first = env ? strtoull(env, NULL, 10) : 1;
	uint64_t n = env ? 1 : cases ? strtoull(cases, NULL, 10) : 60;
	char cmd[128];

	(void)state;
	snprintf(base, sizeof(base), "%s/chibo-federate-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(base));
	for (uint64_t seed = first; seed < first + n; seed++) {
		const char *fail = run(seed);

		for (int i = 0; i < NN; i++)
			cb_ledger_free(&N[i].lg);
		snprintf(cmd, sizeof(cmd), "rm -rf %s/s%llu-*", base,
		         (unsigned long long)seed);
		if (!(fail && getenv("CHIBO_FEDERATE_KEEP")) &&
		    system(cmd) != 0)
			fail_msg("cannot remove the seed's stores");
		if (fail)
			fail_msg("seed %llu: %s", (unsigned long long)seed,
			         fail);
	}
	rmdir(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_federate),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
