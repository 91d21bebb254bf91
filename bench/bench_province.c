/* SPDX-License-Identifier: MIT */
/* bench_province.c — a province's hub log, generated for the scale
 * benchmarks (not a test: it prints what it made):
 *
 *   bench_province HUBDIR COMMUNES MEMBERS [MONTHS]
 *
 * HUBDIR is a hub made by 'chibo-hub init' (its key, TLS identity and
 * log); this appends to its log, for each of COMMUNES communes (codes
 * 20000, 20001, …): the hub's key.enroll of a fresh commune key, the
 * commune's org.init under the hub's organisation, one cell per 30
 * members, MEMBERS member.add entries (bench/records.h's records, card
 * and ID numbers unique across the province), a meeting per cell per
 * month for MONTHS months (default 12) with every member of the cell
 * marked — present, but about one mark in 20 excused and one in 100
 * unexcused, by a fixed pattern of member and month (mark_of), as a
 * real year has them — and a yearly rating ("decided") of every member. The
 * 168 wards and 366,000 members of Ho Chi Minh City are
 * 'bench_province DIR 168 2178'.
 *
 * Every entry is prepared by cb_ops_prepare, signed on its author's chain
 * as the agent signs, and taken by cb_ledger_take — judged and projected
 * as the hub takes what it ingests — so the hub's tables, scope and
 * reports are those of a real season; then the Merkle tree is brought up
 * to date and a checkpoint signed by the hub's key. Only the door (the
 * clock, the request signatures) is not crossed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "buf.h"
#include "ledger.h"
#include "ops.h"
#include "records.h"
#include "tlog.h"

#define BATCH 20000
#define CELL_SIZE 30

struct author {
	unsigned char pk[32], sk[64], head[32];
	uint64_t seq;
	char org[16];
};

static unsigned long taken;

/* Member i's mark at month mo's meeting: a fixed scatter (Knuth's
 * multiplicative hash of the pair), excused for 5 of each 100 values,
 * unexcused for 1, else present. Runs of excused absences come by
 * chance, as in a real year. */
static const char *
mark_of(unsigned i, unsigned mo)
{
	unsigned h = ((i * 2654435761u) ^ (mo * 40503u)) * 2654435761u;

	h = (h >> 16) % 100;
	return h < 5 ? "excused" : h < 6 ? "unexcused" : "present";
}

static int
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_province: %s: %s\n", what, msg);
	return 1;
}

/* The author's next entry, op with the body prepared from input (freed),
 * taken into the hub's store; its id into id (65 hex) if id. */
static cb_err
take(struct cb_ledger *hub, struct author *a, const char *op, json_t *input,
     char *id, struct cb_errbuf *eb)
{
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf why;
	json_t *body = NULL;
	cb_err verdict,
		rc = cb_ops_prepare(hub->st, a->org, op, input, &body, eb);

	json_decref(input);
	if (rc)
		return rc;
	f.author = a->pk;
	f.secret_key = a->sk;
	f.seq = a->seq + 1;
	f.prev = a->seq ? a->head : NULL;
	f.time_ms = cb_now_ms();
	f.op = op;
	f.body = body;
	rc = cb_entry_build(&f, &e, eb);
	json_decref(body);
	if (!rc)
		rc = cb_ledger_take(hub->st, &e, &verdict, &why, eb);
	if (!rc && verdict)
		rc = cb_error(eb, verdict, "%s refused: %s", op, why.msg);
	if (!rc) {
		a->seq++;
		memcpy(a->head, e.id, 32);
		if (id)
			cb_hex_encode(e.id, 32, id);
		if (++taken % BATCH == 0 &&
		    (cb_ledger_commit(hub, eb) || cb_ledger_begin(hub, eb)))
			rc = CB_EIO;
	}
	cb_entry_release(&e);
	return rc;
}

/* Commune number c: enrolled, founded, its cells, members, meetings and
 * ratings. */
static cb_err
commune(struct cb_ledger *hub, unsigned c, unsigned members, unsigned months,
        struct cb_errbuf *eb)
{
	unsigned cells = (members + CELL_SIZE - 1) / CELL_SIZE;
	char hex[65], name[64], cell[24], date[11], (*ids)[65];
	struct author a = { 0 };
	int w = cells > 99 ? 3 : 2; /* the cells' codes: 01, 02, … */
	json_t *in;
	cb_err rc;

	if (!cells)
		cells = 1;
	if (!(ids = calloc(members ? members : 1, sizeof(*ids))))
		return cb_error(eb, CB_ENOMEM, "out of memory");
	crypto_sign_keypair(a.pk, a.sk);
	snprintf(a.org, sizeof(a.org), "%05u", 20000 + c);
	snprintf(name, sizeof(name), "Đảng bộ phường %u", c + 1);
	cb_hex_encode(a.pk, 32, hex);
	in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", hex, "org", a.org,
	               "role", "commune", "name", name, "parent", hub->org);
	rc = cb_ledger_append(hub, "key.enroll", in, NULL, eb);
	json_decref(in);
	if (!rc)
		rc = take(hub, &a, "org.init",
		          json_pack("{s:s, s:s, s:s, s:s}", "code", a.org,
		                    "name", name, "kind", "party-committee",
		                    "parent", hub->org),
		          NULL, eb);
	for (unsigned k = 0; !rc && k < cells; k++) {
		snprintf(cell, sizeof(cell), "%0*u", w, k + 1);
		snprintf(name, sizeof(name), "Chi bộ khu phố %u", k + 1);
		rc = take(hub, &a, "cell.create",
		          json_pack("{s:s, s:s, s:s}", "code", cell, "name",
		                    name, "kind", "residential"),
		          NULL, eb);
	}
	for (unsigned i = 0; !rc && i < members; i++) {
		json_t *m = member(c * members + i);

		snprintf(cell, sizeof(cell), "%0*u", w, i / CELL_SIZE + 1);
		json_object_set_new(m, "cell", json_string(cell));
		rc = take(hub, &a, "member.add", m, ids[i], eb);
	}
	for (unsigned mo = 0; !rc && mo < months; mo++) {
		snprintf(date, sizeof(date), "%04u-%02u-05",
		         2025 + (mo + 11) / 12, (mo + 11) % 12 + 1);
		for (unsigned k = 0; !rc && k < cells; k++) {
			json_t *att = json_object();

			for (unsigned i = k * CELL_SIZE;
			     i < members && i < (k + 1) * CELL_SIZE; i++)
				json_object_set_new(
					att, ids[i],
					json_string(mark_of(i, mo)));
			snprintf(cell, sizeof(cell), "%0*u", w, k + 1);
			rc = take(hub, &a, "meeting.record",
			          json_pack("{s:s, s:s, s:s, s:i, s:o}", "cell",
			                    cell, "date", date, "kind",
			                    "regular", "duration_min", 90,
			                    "attendance", att),
			          NULL, eb);
		}
	}
	for (unsigned i = 0; !rc && i < members; i++)
		rc = take(hub, &a, "rating.record",
		          json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject_kind",
		                    "member", "subject", ids[i], "period",
		                    "2025", "level",
		                    i % 7 ? "good" : "outstanding", "stage",
		                    "decided"),
		          NULL, eb);
	sodium_memzero(a.sk, sizeof(a.sk));
	free(ids);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cb_ledger *hub = NULL;
	struct cb_errbuf eb;
	unsigned long communes, members, months = 12;
	uint64_t size = 0;
	time_t t0 = time(NULL);

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: bench_province HUBDIR COMMUNES MEMBERS "
		                "[MONTHS]\n");
		return 2;
	}
	communes = strtoul(argv[2], NULL, 10);
	members = strtoul(argv[3], NULL, 10);
	if (argc == 5)
		months = strtoul(argv[4], NULL, 10);
	if (communes > 9999 || members > 999 * CELL_SIZE || months > 120)
		return die("usage", "at most 9999 communes of 29970 members "
		                    "and 120 months");
	if (sodium_init() < 0)
		return 1;
	if (cb_ledger_open_kind(argv[1], &cb_ledger_hub, &hub, &eb))
		return die(argv[1], eb.msg);
	if (cb_ledger_begin(hub, &eb))
		return die("begin", eb.msg);
	for (unsigned long c = 0; c < communes; c++)
		if (commune(hub, (unsigned)c, (unsigned)members,
		            (unsigned)months, &eb))
			return die("commune", eb.msg);
	if (cb_tlog_sign(cb_store_log(hub->st), hub->org, hub->key.sk, &eb) ||
	    cb_tlog_size(cb_store_log(hub->st), &size, &eb) ||
	    cb_ledger_commit(hub, &eb))
		return die("the log's tree", eb.msg);
	printf("bench_province: %lu communes, %lu members, %llu entries in "
	       "'%s' (%ld s)\n",
	       communes, communes * members, (unsigned long long)size, argv[1],
	       (long)(time(NULL) - t0));
	cb_ledger_free(&hub);
	return 0;
}
