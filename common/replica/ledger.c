/* SPDX-License-Identifier: MIT */
/* ledger.c — the replica (see ledger.h). The write path is: BEGIN IMMEDIATE
 * (one writer at a time, so the author's head cannot move under us), read
 * the head, build and sign entry head+1, project it (a rejection rolls back
 * only the projection's savepoint), insert the entry row, COMMIT. */
#include "ledger.h"
#include "sql.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "args.h"
#include "buf.h"
#include "chain.h"
#include "grant.h"
#include "log.h"
#include "ops.h"
#include "passphrase.h"
#include "project.h"
#include "scope.h"
#include "signer.h"
#include "stream.h"
#include "verifier.h"

cb_err
cb_ledger_head(struct cb_store *st, const unsigned char author[CB_KEY_BYTES],
               uint64_t *seq, unsigned char id[CB_HASH_BYTES],
               struct cb_errbuf *eb)
{
	struct cb_chain_head h;
	cb_err rc = cb_log_head(cb_store_log(st), author, &h, eb);

	if (rc)
		return rc;
	*seq = h.seq;
	memcpy(id, h.id, CB_HASH_BYTES);
	return CB_OK;
}

cb_err
cb_ledger_id_at(struct cb_store *st, const unsigned char author[CB_KEY_BYTES],
                uint64_t seq, unsigned char id[CB_HASH_BYTES],
                struct cb_errbuf *eb)
{
	return cb_log_id_at(cb_store_log(st), author, seq, id, eb);
}

static cb_err
read_head(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	return cb_ledger_head(lg->st, lg->key.pk, &lg->head_seq, lg->head_id,
	                      eb);
}

cb_err
cb_ledger_begin(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	cb_err rc = cb_store_begin(lg->st, eb);

	if (rc)
		return rc;
	rc = read_head(lg, eb);
	if (rc) {
		cb_store_rollback(lg->st);
		return rc;
	}
	lg->in_batch = true;
	return CB_OK;
}

cb_err
cb_ledger_commit(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	lg->in_batch = false;
	return cb_store_commit(lg->st, eb);
}

void
cb_ledger_abort(struct cb_ledger *lg)
{
	lg->in_batch = false;
	cb_store_rollback(lg->st);
}

/* The member an entry is about, as 64 hex, or NULL: what its entry_refs
 * row says, as its op's row in the registry names it (ops.h, enum
 * cb_op_subject). None for a member.add, whose id is the member's: the
 * row would cost an insert into a B-tree keyed by a random hash for every
 * member added, and say nothing the entry does not (schema 12). */
static const char *
entry_subject(const struct cb_entry *e)
{
	static _Thread_local char id[CB_HASH_HEX];
	const struct cb_op *op = cb_op_find(e->op);
	const char *kind;

	switch (op ? op->subject : CB_SUBJECT_NONE) {
	case CB_SUBJECT_MEMBER:
		return json_string_value(json_object_get(e->json, "member"));
	case CB_SUBJECT_CANDIDATE:
		return json_string_value(json_object_get(e->json, "candidate"));
	case CB_SUBJECT_OWN_ID: cb_hash_hex(e->id, id); return id;
	case CB_SUBJECT_RATED:
		kind = json_string_value(
			json_object_get(e->json, "subject_kind"));
		return kind && !strcmp(kind, "member")
		               ? json_string_value(
					 json_object_get(e->json, "subject"))
		               : NULL;
	case CB_SUBJECT_NONE: break;
	}
	return NULL;
}

/* The entry in the log (its position into *lsn, if not NULL), then what
 * the view keeps beside it: the member it is about and what it waits
 * on. */
static cb_err
store_entry(struct cb_store *st, const struct cb_entry *e, const char *state,
            const char *reason, bool evidence, int64_t *lsn,
            struct cb_errbuf *eb)
{
	static const char deps[] = "INSERT INTO entry_deps (dep, entry, "
				   "chain) VALUES (?, ?, ?) "
				   "ON CONFLICT DO NOTHING";
	static const char subject[] = "INSERT INTO entry_refs (member, "
				      "entry) VALUES (?, ?) "
				      "ON CONFLICT DO NOTHING";
	static const char keyed[] =
		"SELECT 1 FROM members WHERE mkey = ? AND id = ?";
	struct cb_log *log = cb_store_log(st);
	struct cb_stmt *s;
	int64_t at;
	cb_err rc;

	if (!log)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if ((rc = cb_log_append(log, e, state, reason, evidence, &at, eb)))
		return rc;
	if (lsn)
		*lsn = at;
	/* A member.add projected before it was stored made its member's
	 * row under the position the entry would have (schema 034,
	 * CB_SQL_POSITION): it must be the one it has. */
	if (!evidence && !strcmp(state, "applied") &&
	    !strcmp(e->op, "member.add")) {
		int r;

		if (!(s = cb_sql(st, keyed, eb)))
			return CB_EIO;
		cb_sql_bind_int64(s, 1, at);
		cb_sql_bind_blob(s, 2, e->id, CB_HASH_BYTES);
		r = cb_sql_step(s);
		cb_sql_reset(s);
		if (r == CB_SQL_DONE)
			return cb_error(eb, CB_EIO,
			                _("the member added by the entry at "
			                  "position %lld of the log is not "
			                  "keyed by that position"),
			                (long long)at);
		if (r != CB_SQL_ROW)
			return cb_store_error(st, eb, "cannot read members");
	}
	/* Which member it is about. */
	{
		const char *m = entry_subject(e);

		if (m) {
			if (!(s = cb_sql(st, subject, eb)))
				return CB_EIO;
			cb_sql_bind_id(s, 1, m);
			cb_sql_bind_blob(s, 2, e->id, CB_HASH_BYTES);
			if ((rc = cb_sql_write(s, eb)))
				return rc;
		}
	}
	/* What it waits on: its deps. (Its previous entry is found by
	 * author and seq: a row for it would cost an insert into a B-tree
	 * keyed by a random hash for every entry.) */
	for (size_t i = 0; i < e->ndeps; i++) {
		if (!(s = cb_sql(st, deps, eb)))
			return CB_EIO;
		cb_sql_bind_blob(s, 1, e->deps[i], CB_HASH_BYTES);
		cb_sql_bind_blob(s, 2, e->id, CB_HASH_BYTES);
		cb_sql_bind_int64(s, 3, 0);
		if ((rc = cb_sql_write(s, eb)))
			return rc;
	}
	return CB_OK;
}

cb_err
cb_ledger_store_entry(struct cb_store *st, const struct cb_entry *e,
                      const char *state, const char *reason,
                      struct cb_errbuf *eb)
{
	return store_entry(st, e, state, reason, false, NULL, eb);
}

cb_err
cb_ledger_store_evidence(struct cb_store *st, const struct cb_entry *e,
                         const char *reason, struct cb_errbuf *eb)
{
	return store_entry(st, e, "rejected", reason, true, NULL, eb);
}

/* cb_ledger_settle. waiting, when not NULL, is how many entries up to
 * bound wait, as the caller (a replay) counts them: none, and nothing is
 * asked; some, and the pending index is not asked either — a replay
 * turns every entry it passes from pending to judged inside one
 * transaction, and on PostgreSQL the partial index keeps those dead
 * entries until the commit, so a look through it would pass every one
 * of them (quadratic). Each entry settled here is taken off *waiting. */
static cb_err
settle(struct cb_store *st, const unsigned char id[CB_HASH_BYTES],
       int64_t bound, int64_t *waiting, struct cb_errbuf *eb)
{
	/* What names id in its deps, the next entry of id's author, and
	 * what is about the member id added (project_member.c). */
	static const char waiters[] =
		"SELECT e.lsn FROM entry_deps d JOIN entries e ON e.id = "
		"d.entry WHERE d.dep = ?1 AND e.state = 'pending' AND e.lsn <= "
		"?2 AND e.evidence = 0 UNION "
		"SELECT e.lsn FROM entries p JOIN entries e ON e.author = "
		"p.author AND e.seq = p.seq + 1 WHERE p.id = ?1 AND e.state = "
		"'pending' AND e.lsn <= ?2 AND e.evidence = 0 UNION "
		"SELECT e.lsn FROM entry_refs r JOIN entries e ON e.id = "
		"r.entry WHERE r.member = ?1 AND e.state = 'pending' AND e.lsn "
		"<= ?2 AND e.evidence = 0 ORDER BY 1";
	static const char upd[] =
		"UPDATE entries SET state = ?, reason = ? WHERE lsn = ?";
	/* pending up to the bound: a replay (rebuild, copy-store) leaves
	 * the entries it has not reached yet pending too */
	static const char any[] = "SELECT EXISTS (SELECT 1 FROM entries "
				  "WHERE state = 'pending' AND lsn <= ?)";
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_stmt *s = NULL;
	int64_t *lsns = NULL;
	size_t n = 0, cap = 0;
	cb_err rc = CB_OK;
	int r;

	if (waiting && *waiting <= 0)
		return CB_OK;
	/* Nothing waits, almost always: one look in a small index. */
	if (!waiting) {
		if (!(s = cb_sql(st, any, eb)))
			return CB_EIO;
		cb_sql_bind_int64(s, 1, bound);
		r = cb_sql_step(s);
		rc = r == CB_SQL_ROW && !cb_sql_column_int64(s, 0) ? CB_EEXIST
		                                                   : CB_OK;
		cb_sql_reset(s);
		s = NULL;
		if (r != CB_SQL_ROW)
			return cb_store_error(st, eb, "cannot read the log");
		if (rc)
			return CB_OK;
	}
	/* The candidates first: settling one changes what the query sees,
	 * and settles what waited on it with this statement again. */
	if (!(s = cb_sql(st, waiters, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, id, CB_HASH_BYTES);
	cb_sql_bind_int64(s, 2, bound);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		if (n == cap) {
			int64_t *p = realloc(lsns, (cap = cap ? 2 * cap : 8) *
			                                   sizeof(*lsns));

			if (!p) {
				rc = cb_error(eb, CB_ENOMEM,
				              _("out of memory"));
				goto out;
			}
			lsns = p;
		}
		lsns[n++] = cb_sql_column_int64(s, 0);
	}
	if (r != CB_SQL_DONE) {
		rc = cb_store_error(st, eb, "cannot read the log");
		goto out;
	}
	cb_sql_reset(s);
	s = NULL;
	for (size_t i = 0; i < n; i++) {
		static const char one[] =
			"SELECT bytes, state FROM entries WHERE lsn = ?";
		struct cb_errbuf why;
		struct cb_stmt *q;
		cb_err verdict;

		if (cb_sql_prepare(st, one, &q, NULL)) {
			rc = cb_store_error(st, eb, "cannot read the log");
			goto out;
		}
		cb_sql_bind_int64(q, 1, lsns[i]);
		if (cb_sql_step(q) != CB_SQL_ROW ||
		    strcmp(cb_sql_column_text(q, 1), "pending")) {
			cb_sql_finalize(q); /* settled meanwhile */
			continue;
		}
		rc = cb_entry_decode(cb_sql_column_blob(q, 0),
		                     (size_t)cb_sql_column_bytes(q, 0), &e, eb);
		cb_sql_finalize(q);
		if (rc)
			goto out;
		why.msg[0] = 0;
		rc = cb_project_entry(st, &e, &why);
		if (rc == CB_EPENDING) {
			rc = CB_OK;
			continue; /* still waits for another */
		}
		if (rc && !cb_is_rejection(rc)) {
			*eb = why;
			goto out;
		}
		if (!(q = cb_sql(st, upd, eb))) {
			rc = CB_EIO;
			goto out;
		}
		cb_sql_bind_text(q, 1, rc ? "rejected" : "applied");
		cb_sql_bind_text(q, 2, rc ? why.msg : NULL);
		cb_sql_bind_int64(q, 3, lsns[i]);
		verdict = rc;
		if ((rc = cb_sql_write(q, eb)))
			goto out;
		cb_store_settled(st, lsns[i], &e, verdict,
		                 verdict ? why.msg : "");
		if (waiting)
			--*waiting;
		if ((rc = settle(st, e.id, bound, waiting, eb)))
			goto out;
	}
out:
	if (s)
		cb_sql_reset(s);
	free(lsns);
	cb_entry_release(&e);
	return rc;
}

cb_err
cb_ledger_settle(struct cb_store *st, const unsigned char id[CB_HASH_BYTES],
                 int64_t bound, struct cb_errbuf *eb)
{
	return settle(st, id, bound, NULL, eb);
}

cb_err
cb_ledger_take(struct cb_store *st, const struct cb_entry *e, cb_err *verdict,
               struct cb_errbuf *why, struct cb_errbuf *eb)
{
	int64_t lsn;
	cb_err rc;

	why->msg[0] = 0;
	*verdict = cb_project_entry(st, e, why);
	if (*verdict && *verdict != CB_EPENDING && !cb_is_rejection(*verdict)) {
		*eb = *why;
		return *verdict;
	}
	rc = store_entry(st, e,
	                 *verdict == CB_EPENDING ? "pending"
	                 : *verdict              ? "rejected"
	                                         : "applied",
	                 *verdict && *verdict != CB_EPENDING ? why->msg : NULL,
	                 false, &lsn, eb);
	if (rc || *verdict == CB_EPENDING)
		return rc;
	return cb_ledger_settle(st, e->id, lsn, eb);
}

/* What an entry must name to be judged on what its author has seen
 * (project.c judges by the entry's deps, not by what happens to have
 * arrived): for an entry about a member this key released, the answer to
 * that release; for a decision to dissolve a cell, the approval and the
 * answer to every release out of the cell. */
static void
answer_deps(const struct cb_ledger *lg, const char *op, const json_t *body,
            unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES], size_t *n)
{
	static const char answer[] =
		"SELECT closed_by FROM transfers WHERE member = ? AND author = "
		"? ORDER BY seq DESC LIMIT 1";
	static const char approval[] =
		"SELECT approved_by FROM dissolutions WHERE plan = ?";
	static const char out_of_cell[] =
		"SELECT t.closed_by FROM transfers t JOIN dissolutions d ON "
		"d.cell = t.from_cell WHERE d.plan = ? AND t.author = ? AND "
		"t.closed_by IS NOT NULL";
	const char *m = json_string_value(json_object_get(body, "member"));
	const char *plan = json_string_value(json_object_get(body, "plan"));
	bool dissolve = !strcmp(op, "cell.dissolve");
	struct cb_stmt *s;

	for (int q = 0; q < 3; q++) {
		const char *sql = q == 0   ? answer
		                  : q == 1 ? approval
		                           : out_of_cell;

		if ((q == 0 && !m) || (q > 0 && (!dissolve || !plan)) ||
		    !(s = cb_sql(lg->st, sql, NULL)))
			continue;
		if (q == 0)
			cb_sql_bind_id(s, 1, m);
		else
			cb_sql_bind_text(s, 1, plan);
		if (q != 1)
			cb_sql_bind_blob(s, 2, lg->key.pk, CB_KEY_BYTES);
		while (cb_sql_step(s) == CB_SQL_ROW)
			cb_ops_dep_add(deps, n, CB_OPS_MAX_DEPS,
			               cb_sql_column_text(s, 0));
		cb_sql_reset(s);
	}
}

/* The fields of our next entry after (seq, id): op with body and the deps
 * it names (into deps), now. */
static void
next_fields(const struct cb_ledger *lg, uint64_t seq, const unsigned char *id,
            const char *op, const json_t *body,
            unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES],
            struct cb_entry_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->ndeps = cb_ops_deps(op, body, deps, CB_OPS_MAX_DEPS);
	answer_deps(lg, op, body, deps, &f->ndeps);
	f->deps = (const unsigned char(*)[CB_HASH_BYTES])deps;
	f->author = lg->key.pk;
	f->secret_key = lg->key.sk;
	f->seq = seq + 1;
	f->prev = seq ? id : NULL;
	f->time_ms = cb_now_ms();
	f->op = op;
	f->body = body;
}

cb_err
cb_ledger_append(struct cb_ledger *lg, const char *op, const json_t *input,
                 struct cb_entry *out, struct cb_errbuf *eb)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_entry_fields f;
	unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES];
	json_t *body = NULL;
	bool own_txn = !lg->in_batch;
	int64_t lsn;
	cb_err rc;

	if ((rc = cb_ledger_unseal(lg, eb)))
		return rc;
	if (own_txn && (rc = cb_ledger_begin(lg, eb)))
		return rc;
	rc = cb_ops_prepare(lg->st, lg->org, op, input, &body, eb);
	if (rc)
		goto out;
	next_fields(lg, lg->head_seq, lg->head_id, op, body, deps, &f);
	rc = cb_entry_build(&f, &e, eb);
	if (rc)
		goto out;
	rc = cb_ops_local_check(lg->st, body, eb);
	if (!rc)
		rc = cb_project_try(lg->st, &e, eb);
	if (rc == CB_EPENDING)
		rc = cb_error_prefix(eb, CB_ERULE, "%s", _("refused"));
	if (rc)
		goto out;
	rc = store_entry(lg->st, &e, "applied", NULL, false, &lsn, eb);
	if (!rc)
		rc = cb_ledger_settle(lg->st, e.id, lsn, eb);
	if (rc)
		goto out;
	if (own_txn) {
		rc = cb_ledger_commit(lg, eb);
		own_txn = false;
		if (rc)
			goto out;
	}
	lg->head_seq = e.seq;
	memcpy(lg->head_id, e.id, CB_HASH_BYTES);
	if (out) {
		cb_entry_release(out);
		*out = e;
		cb_entry_init(&e);
	}
out:
	if (own_txn)
		cb_ledger_abort(lg);
	json_decref(body);
	cb_entry_release(&e);
	return rc;
}

/* One operation on its way through the stream. */
struct item {
	bool used;
	size_t tag;
	char op[CB_OP_MAX + 1];
	json_t *input;
	json_t *body; /* prepared, or NULL */
	bool refused;
	cb_err rc; /* why it was refused */
	struct cb_errbuf why;
	bool signing; /* its signature job is in the signer */
};

static void
item_release(struct item *it)
{
	json_decref(it->input);
	json_decref(it->body);
	memset(it, 0, sizeof(*it));
}

static void
item_prepare(struct cb_ledger *lg, struct item *it)
{
	cb_err rc = cb_ops_prepare(lg->st, lg->org, it->op, it->input,
	                           &it->body, &it->why);

	if (rc) {
		it->refused = true;
		it->rc = rc;
	}
}

/* 1: an item in *it; 0: the end; -1: stop, eb filled. */
static int
item_fetch(const struct cb_append_stream *s, struct item *it,
           struct cb_errbuf *eb)
{
	const char *op = NULL;
	json_t *input = NULL;
	int r;

	memset(it, 0, sizeof(*it));
	it->why.msg[0] = 0;
	r = s->next(s->ctx, &op, &input, &it->tag, &it->why);
	if (r == 0)
		return 0;
	if (r < 0) {
		*eb = it->why;
		return -1;
	}
	it->used = true;
	if (r == 2) {
		it->refused = true;
		it->rc = CB_EINVAL;
		return 1;
	}
	it->input = input;
	if (strlen(op) > CB_OP_MAX || !cb_ops_known(op)) {
		it->refused = true;
		it->rc = cb_error(&it->why, CB_EINVAL, _("unknown op '%.64s'"),
		                  op);
		return 1;
	}
	strcpy(it->op, op);
	return 1;
}

static void
item_submit(struct cb_ledger *lg, struct cb_signer *sg, struct item *it,
            uint64_t seq, const unsigned char *id)
{
	struct cb_entry_fields f;
	unsigned char deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES];

	/* the signer copies the deps */
	next_fields(lg, seq, id, it->op, it->body, deps, &f);
	cb_signer_submit(sg, &f);
	it->signing = true;
}

cb_err
cb_ledger_append_stream(struct cb_ledger *lg, const struct cb_append_stream *s,
                        struct cb_errbuf *eb)
{
	struct item a, b = { 0 };
	struct cb_entry e = CB_ENTRY_INIT, discard = CB_ENTRY_INIT;
	struct cb_signer *sg;
	bool end = false;
	cb_err rc = CB_OK;
	int r;

	if (!lg->in_batch)
		return cb_error(eb, CB_EINVAL, _("a stream needs a batch"));
	if ((rc = cb_ledger_unseal(lg, eb)))
		return rc;
	if (!(sg = cb_signer_new(true)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	r = item_fetch(s, &a, eb);
	if (r < 0)
		rc = CB_EINVAL;
	while (r > 0 && a.used) {
		/* a: prepared (now, if it had to wait for the tables) and
		 * signed on top of the head. */
		if (!a.refused && !a.body)
			item_prepare(lg, &a);
		if (!a.refused && !a.signing)
			item_submit(lg, sg, &a, lg->head_seq, lg->head_id);
		/* b: fetched, and prepared ahead unless it names members,
		 * which the projection of a may yet add. */
		if (!end && !b.used) {
			int rb = item_fetch(s, &b, eb);

			if (rb < 0) {
				rc = CB_EINVAL;
				break;
			}
			end = rb == 0;
			if (b.used && !b.refused &&
			    !cb_ops_needs_lookup(b.op, b.input))
				item_prepare(lg, &b);
		}
		if (a.signing) {
			cb_err rs = cb_signer_wait(sg, &e, &a.why);

			a.signing = false;
			if (rs) {
				a.refused = true;
				a.rc = rs;
			}
		}
		/* Sign b on the assumption that a will be accepted. */
		if (!a.refused && b.used && !b.refused && b.body)
			item_submit(lg, sg, &b, e.seq, e.id);
		if (!a.refused) {
			rc = cb_ops_local_check(lg->st, a.body, &a.why);
			if (!rc)
				rc = cb_project_try(lg->st, &e, &a.why);
			if (cb_is_rejection(rc) || rc == CB_EPENDING) {
				a.refused = true;
				a.rc = rc == CB_EPENDING ? CB_ERULE : rc;
				rc = CB_OK;
			} else if (rc) {
				*eb = a.why;
				break;
			} else if ((rc = cb_ledger_store_entry(
					    lg->st, &e, "applied", NULL, eb))) {
				break;
			} else {
				lg->head_seq = e.seq;
				memcpy(lg->head_id, e.id, CB_HASH_BYTES);
			}
		}
		if (s->done(s->ctx, a.tag, a.refused ? a.rc : CB_OK,
		            a.refused ? NULL : &e, a.why.msg))
			break;
		/* b was signed on top of a refused entry: sign it again. */
		if (a.refused && b.signing) {
			if (cb_signer_wait(sg, &discard, NULL) == CB_OK)
				cb_entry_release(&discard);
			b.signing = false;
		}
		cb_entry_release(&e);
		item_release(&a);
		a = b;
		memset(&b, 0, sizeof(b));
	}
	cb_signer_free(&sg); /* waits for and drops a job in flight */
	cb_entry_release(&e);
	item_release(&a);
	item_release(&b);
	return rc;
}

static cb_err
ensure_dir(const char *dir, struct cb_errbuf *eb)
{
	char *copy = strdup(dir), *p;

	if (!copy)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	/* mkdir -p, the last component 0700: it will hold a secret key. */
	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			cb_error(eb, CB_EIO,
			         _("cannot create directory '%s': %s"), copy,
			         strerror(errno));
			free(copy);
			return CB_EIO;
		}
		*p = '/';
	}
	free(copy);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cb_error(eb, CB_EIO,
		                _("cannot create directory '%s': %s"), dir,
		                strerror(errno));
	return CB_OK;
}

const struct cb_ledger_kind cb_ledger_agent = {
	.db = CB_REPLICA_DB,
	.key = CB_REPLICA_KEY,
	.first_op = "org.init",
	.what = "replica",
	.init_command = "chibo-agent init",
	.own_authority = false,
	.partial = true,
	.sealable = true,
};
const struct cb_ledger_kind cb_ledger_office = {
	.db = CB_REPLICA_DB,
	.key = CB_REPLICA_KEY,
	.first_op = "office.init",
	.what = "replica",
	.init_command = "chibo-agent init",
	.own_authority = false,
	.partial = true,
	.sealable = true,
};
const struct cb_ledger_kind cb_ledger_successor = {
	.db = CB_REPLICA_DB,
	.key = CB_REPLICA_KEY,
	.first_op = NULL,
	.what = "replica",
	.init_command = "chibo-agent restore",
	.own_authority = false,
	.partial = true,
	.sealable = true,
};
const struct cb_ledger_kind cb_ledger_hub = {
	.db = "hub.db",
	.key = "hub.key",
	.first_op = "hub.init",
	.what = "hub",
	.init_command = "chibo-hub init",
	.own_authority = true,
	.partial = false,
	.sealable = false,
	.address = CB_HUB_DATABASE_FILE,
};

/* Where kind's store in dir is: the address its address file holds, if
 * dir has one, else the file dir/kind->db; into *out (malloc'd). */
static cb_err
store_address(const char *dir, const struct cb_ledger_kind *kind, char **out,
              struct cb_errbuf *eb)
{
	char *file = kind->address ? cb_path_join(dir, kind->address) : NULL;
	char line[4096];
	FILE *fp;
	size_t n;

	if (kind->address && !file)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (!file || !(fp = fopen(file, "re"))) {
		free(file);
		*out = cb_path_join(dir, kind->db);
		return *out ? CB_OK
		            : cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	n = fread(line, 1, sizeof(line) - 1, fp);
	fclose(fp);
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (!cb_store_is_pg(line)) {
		cb_error(eb, CB_EINVAL,
		         _("'%s' does not hold a database's address "
		           "(postgresql://…)"),
		         file);
		free(file);
		return CB_EINVAL;
	}
	free(file);
	*out = strdup(line);
	return *out ? CB_OK : cb_error(eb, CB_ENOMEM, _("out of memory"));
}

/* Does st's log hold any entry? (A PostgreSQL database given to a new
 * hub must not be another's.) */
static bool
log_empty(struct cb_store *st)
{
	struct cb_stmt *s = NULL;
	bool empty = false;

	if (cb_sql_prepare(st, "SELECT count(*) FROM entries", &s, NULL))
		return false;
	empty = cb_sql_step(s) == CB_SQL_ROW && cb_sql_column_int64(s, 0) == 0;
	cb_sql_finalize(s);
	return empty;
}

static cb_err
open_parts(const char *dir, const struct cb_ledger_kind *kind, bool create,
           const struct cb_ledger_seal *seal, struct cb_ledger **out,
           struct cb_errbuf *eb)
{
	struct cb_ledger *lg = calloc(1, sizeof(*lg));
	char *db = NULL;
	char *key = cb_path_join(dir, kind->key);
	cb_err rc = CB_ENOMEM;

	if (!lg || !key || !(lg->dir = strdup(dir))) {
		cb_error(eb, rc, _("out of memory"));
		goto fail;
	}
	if ((rc = store_address(dir, kind, &db, eb)))
		goto fail;
	if (create) {
		if (!cb_store_is_pg(db) && access(db, F_OK) == 0) {
			rc = cb_error(eb, CB_EEXIST,
			              _("a %s already exists in '%s'"),
			              kind->what, dir);
			goto fail;
		}
		rc = seal ? cb_key_create_sealed(key, seal->pass, seal->len,
		                                 seal->cost, &lg->key, eb)
		          : cb_key_create(key, &lg->key, eb);
	} else {
		if (!cb_store_is_pg(db) && access(db, F_OK) != 0 &&
		    errno == EACCES) {
			/* there may well be one: it is another user's */
			rc = cb_error(
				eb, CB_EIO,
				_("cannot open the %s in '%s': permission "
			          "denied (it belongs to another user: run "
			          "as its owner, or see docs/"
			          "OPERATIONS.md, \"One replica for the "
			          "clerk and the timer\")"),
				kind->what, dir);
			goto fail;
		}
		if (!cb_store_is_pg(db) && access(db, F_OK) != 0) {
			rc = cb_error(eb, CB_ENOTFOUND,
			              _("no %s in '%s'; run '%s' or give the "
			                "directory"),
			              kind->what, dir, kind->init_command);
			goto fail;
		}
		rc = cb_key_load(key, &lg->key, eb);
		if (!rc && lg->key.sealed && !kind->sealable)
			rc = cb_error(eb, CB_EINVAL,
			              _("key '%s' is sealed with a passphrase, "
			                "which a %s's key cannot be: it signs "
			                "unattended"),
			              key, kind->what);
	}
	if (rc)
		goto fail;
	rc = cb_store_open(db, create, &lg->st, eb);
	if (rc)
		goto fail;
	if (create && cb_store_is_pg(db) && !log_empty(lg->st)) {
		rc = cb_error(eb, CB_EINVAL,
		              _("the database '%s' holds a %s already"), db,
		              kind->what);
		goto fail;
	}
	lg->kind = kind;
	free(db);
	free(key);
	*out = lg;
	return CB_OK;
fail:
	free(db);
	free(key);
	cb_ledger_free(&lg);
	return rc;
}

cb_err
cb_ledger_create(const char *dir, const json_t *init, struct cb_ledger **out,
                 struct cb_errbuf *eb)
{
	return cb_ledger_create_kind(dir, &cb_ledger_agent, init, out, eb);
}

cb_err
cb_ledger_create_kind(const char *dir, const struct cb_ledger_kind *kind,
                      const json_t *init, struct cb_ledger **out,
                      struct cb_errbuf *eb)
{
	return cb_ledger_create_sealed(dir, kind, init, NULL, out, eb);
}

cb_err
cb_ledger_create_sealed(const char *dir, const struct cb_ledger_kind *kind,
                        const json_t *init, const struct cb_ledger_seal *seal,
                        struct cb_ledger **out, struct cb_errbuf *eb)
{
	struct cb_ledger *lg = NULL;
	char *sync = NULL;
	const char *code = json_string_value(json_object_get(init, "code"));
	char pk[2 * CB_KEY_BYTES + 1], rules[16];
	cb_err rc;

	snprintf(rules, sizeof(rules), "%d", CB_PROJECT_RULES);
	if (!code)
		return cb_error(eb, CB_EINVAL,
		                _("the organisation needs a code"));
	if ((rc = ensure_dir(dir, eb)) ||
	    (rc = open_parts(dir, kind, true, seal, &lg, eb)))
		return rc;
	if (seal) {
		if (!(sync = cb_path_join(dir, CB_SYNC_KEY_FILE))) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
		if ((rc = cb_sync_key_create(sync, &lg->key, eb)))
			goto fail;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	if (!(lg->org = strdup(code))) {
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		goto fail;
	}
	if ((rc = cb_ledger_begin(lg, eb)))
		goto fail;
	if ((rc = cb_store_meta_set(lg->st, "org", code, eb)) ||
	    (rc = cb_store_meta_set(lg->st, "created_by",
	                            "chibo " CHIBO_VERSION, eb)) ||
	    (rc = cb_store_meta_set(lg->st, "self", pk, eb)) ||
	    (rc = cb_store_meta_set(lg->st, "rules", rules, eb)) ||
	    (kind->own_authority &&
	     (rc = cb_store_meta_set(lg->st, "authority", pk, eb))) ||
	    (kind->first_op &&
	     (rc = cb_ledger_append(lg, kind->first_op, init, NULL, eb))) ||
	    (rc = cb_ledger_commit(lg, eb))) {
		cb_ledger_abort(lg);
		goto fail;
	}
	free(sync);
	*out = lg;
	return CB_OK;
fail:
	if (sync)
		unlink(sync);
	free(sync);
	/* Leave no half replica behind: the next init must be able to run.
	 * The key file is kept only if the database was committed. */
	if (lg) {
		char *db = cb_path_join(dir, kind->db);
		char *key = cb_path_join(dir, kind->key);

		cb_store_free(&lg->st);
		if (db) {
			static const char *const sides[] = { "", "-wal",
				                             "-shm" };

			for (size_t i = 0; i < 3; i++) {
				size_t n = strlen(db) + 5;
				char *side = malloc(n);

				if (side) {
					snprintf(side, n, "%s%s", db, sides[i]);
					unlink(side);
				}
				free(side);
			}
		}
		if (key)
			unlink(key);
		free(db);
		free(key);
	}
	cb_ledger_free(&lg);
	return rc;
}

cb_err
cb_ledger_open(const char *dir, struct cb_ledger **out, struct cb_errbuf *eb)
{
	return cb_ledger_open_kind(dir, &cb_ledger_agent, out, eb);
}

/* Entries stored before schema 3 have no entry_refs rows: fill them once,
 * so that those members' dossiers can travel too. meta says when it is
 * done (schema 12 says so for a replica that needs nothing). */
static cb_err
index_subjects(struct cb_store *st, struct cb_errbuf *eb)
{
	static const char todo[] = "SELECT NOT EXISTS (SELECT 1 FROM meta "
				   "WHERE key = 'entry_refs')";
	static const char all[] = "SELECT bytes FROM entries ORDER BY lsn";
	static const char ins[] = "INSERT INTO entry_refs (member, entry) "
				  "VALUES (?, ?) ON CONFLICT DO NOTHING";
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_stmt *s = cb_sql(st, todo, eb), *q = NULL;
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	r = cb_sql_step(s);
	rc = r == CB_SQL_ROW && cb_sql_column_int64(s, 0) ? CB_OK : CB_EEXIST;
	cb_sql_reset(s);
	if (rc)
		return r == CB_SQL_ROW ? CB_OK
		                       : cb_store_error(st, eb,
		                                        "cannot read "
		                                        "the log");
	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if (cb_sql_prepare(st, all, &q, NULL)) {
		rc = cb_store_error(st, eb, "cannot read the log");
		goto out;
	}
	while ((r = cb_sql_step(q)) == CB_SQL_ROW) {
		const char *m;

		if ((rc = cb_entry_decode(cb_sql_column_blob(q, 0),
		                          (size_t)cb_sql_column_bytes(q, 0), &e,
		                          eb)))
			goto out;
		if (!(m = entry_subject(&e)))
			continue;
		if (!(s = cb_sql(st, ins, eb))) {
			rc = CB_EIO;
			goto out;
		}
		cb_sql_bind_id(s, 1, m);
		cb_sql_bind_blob(s, 2, e.id, CB_HASH_BYTES);
		if ((rc = cb_sql_done(s, eb)))
			goto out;
	}
	rc = r == CB_SQL_DONE
	             ? cb_store_meta_set(st, "entry_refs", "filled", eb)
	             : cb_store_error(st, eb, "cannot read the log");
out:
	cb_sql_finalize(q);
	cb_entry_release(&e);
	if (rc) {
		cb_store_rollback(st);
		return rc;
	}
	return cb_store_commit(st, eb);
}

static cb_err replay(struct cb_ledger *lg, bool check_sigs, uint64_t *applied,
                     uint64_t *rejected, struct cb_errbuf *eb);

/* Does the store name its own key (meta 'self') and keep the rules its
 * tables were projected under (meta 'rules') as this chibo's? */
static cb_err
up_to_date(struct cb_ledger *lg, const char *pk, const char *rules,
           bool *self_ok, bool *rules_ok, struct cb_errbuf *eb)
{
	char *v = NULL;
	cb_err rc = cb_store_meta_get(lg->st, "self", &v, eb);

	if (rc && rc != CB_ENOTFOUND)
		return rc;
	*self_ok = v && !strcmp(v, pk);
	free(v);
	v = NULL;
	rc = cb_store_meta_get(lg->st, "rules", &v, eb);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	*rules_ok = v && !strcmp(v, rules);
	free(v);
	return CB_OK;
}

/* A store made by an older chibo: name its own key (meta 'self', which
 * the projection asks about an org.init), and project it again if its
 * tables were projected under older rules (project.h, CB_PROJECT_RULES),
 * so that they are what this chibo's rules give. Once, in one
 * transaction; another process doing the same meanwhile finds it done. */
static cb_err
upgrade(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	char pk[2 * CB_KEY_BYTES + 1], rules[16];
	bool self_ok, rules_ok;
	cb_err rc;

	snprintf(rules, sizeof(rules), "%d", CB_PROJECT_RULES);
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	if ((rc = up_to_date(lg, pk, rules, &self_ok, &rules_ok, eb)))
		return rc;
	if (self_ok && rules_ok)
		return CB_OK;
	if ((rc = cb_store_begin(lg->st, eb)))
		return rc;
	if ((rc = up_to_date(lg, pk, rules, &self_ok, &rules_ok, eb)))
		goto fail;
	if (!self_ok && (rc = cb_store_meta_set(lg->st, "self", pk, eb)))
		goto fail;
	if (!rules_ok) {
		if ((rc = replay(lg, false, NULL, NULL, eb))) {
			cb_error_prefix(
				eb, rc,
				_("cannot project the %s again under this "
			          "chibo's rules"),
				lg->kind->what);
			goto fail;
		}
		if ((rc = cb_store_meta_set(lg->st, "rules", rules, eb)))
			goto fail;
	}
	return cb_store_commit(lg->st, eb);
fail:
	cb_store_rollback(lg->st);
	return rc;
}

cb_err
cb_ledger_open_kind(const char *dir, const struct cb_ledger_kind *kind,
                    struct cb_ledger **out, struct cb_errbuf *eb)
{
	struct cb_ledger *lg = NULL;
	cb_err rc = open_parts(dir, kind, false, NULL, &lg, eb);

	if (rc)
		return rc;
	rc = cb_store_meta_get(lg->st, "org", &lg->org, eb);
	if (rc) {
		cb_error(eb, CB_EIO,
		         _("%s '%s' has no organisation; it was not fully "
		           "initialised"),
		         kind->what, dir);
		cb_ledger_free(&lg);
		return CB_EIO;
	}
	if ((rc = index_subjects(lg->st, eb)) || (rc = upgrade(lg, eb))) {
		cb_ledger_free(&lg);
		return rc;
	}
	*out = lg;
	return CB_OK;
}

cb_err
cb_ledger_unseal(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	char *pass = NULL;
	size_t len;
	cb_err rc;

	if (lg->key.sk)
		return CB_OK;
	if (!(rc = cb_passphrase_ask(&cb_passphrase_key, false, &pass, &len,
	                             eb)))
		rc = cb_key_unseal(&lg->key, pass, len, eb);
	cb_passphrase_free(&pass);
	return rc;
}

cb_err
cb_ledger_request_key(struct cb_ledger *lg, struct cb_request_key *rk,
                      struct cb_errbuf *eb)
{
	char *path = cb_path_join(lg->dir, CB_SYNC_KEY_FILE);
	cb_err rc;

	if (!path)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = cb_sync_key_load(path, lg->key.pk, rk, eb);
	free(path);
	if (rc != CB_ENOTFOUND)
		return rc;
	/* No sync key: the signing key signs its own requests. */
	if ((rc = cb_ledger_unseal(lg, eb)))
		return rc;
	if (!(rk->key.sk = sodium_malloc(CB_SECRET_BYTES)))
		return cb_error(eb, CB_ENOMEM, _("out of secure memory"));
	memcpy(rk->key.sk, lg->key.sk, CB_SECRET_BYTES);
	memcpy(rk->key.pk, lg->key.pk, CB_KEY_BYTES);
	rk->grant[0] = '\0';
	return CB_OK;
}

void
cb_ledger_free(struct cb_ledger **plg)
{
	struct cb_ledger *lg = plg ? *plg : NULL;

	if (!lg)
		return;
	if (lg->in_batch)
		cb_ledger_abort(lg);
	cb_store_free(&lg->st);
	cb_key_release(&lg->key);
	free(lg->dir);
	free(lg->org);
	free(lg);
	*plg = NULL;
}

/* Why the len bytes at p, which the verifier could not decode, do not
 * decode: cb_entry_decode's message into eb, without the batch's stream
 * around it (eb is left as it was if they decode after all). */
static cb_err
undecodable(const unsigned char *p, size_t len, struct cb_errbuf *eb)
{
	struct cb_entry bad = CB_ENTRY_INIT;
	cb_err rc = cb_entry_decode(p, len, &bad, eb);

	cb_entry_release(&bad);
	return rc ? rc : CB_EINVAL;
}

/* The log read by replay a batch at a time: each batch's entries as an
 * entry stream, which the verifier's workers decode (and check the
 * signatures of) while the reader projects them (verifier.h), and each
 * entry's log position and whether it is evidence of a fork. */
#define REPLAY_BATCH 1024

struct replay_batch {
	struct cb_buf stream;
	int64_t lsn[REPLAY_BATCH];
	unsigned char evidence[REPLAY_BATCH];
	size_t off[REPLAY_BATCH]; /* of each entry in stream */
	size_t n;
	bool end; /* the statement is done (another step would start it
	           * again) */
};

/* The next batch from s (SELECT lsn, bytes, evidence = 1): b->n is 0 at
 * the end of the log. */
static cb_err
replay_read(struct cb_store *st, struct cb_stmt *s, struct replay_batch *b,
            struct cb_errbuf *eb)
{
	int r = CB_SQL_DONE;

	cb_buf_reset(&b->stream);
	b->n = 0;
	while (!b->end && b->n < REPLAY_BATCH &&
	       (r = cb_sql_step(s)) == CB_SQL_ROW) {
		cb_err rc;

		b->lsn[b->n] = cb_sql_column_int64(s, 0);
		b->evidence[b->n] = cb_sql_column_int64(s, 2) != 0;
		b->off[b->n] = b->stream.len;
		if ((rc = cb_stream_append_bytes(
			     &b->stream, cb_sql_column_blob(s, 1),
			     (size_t)cb_sql_column_bytes(s, 1))))
			return cb_error_prefix(eb,
			                       rc == CB_ENOMEM ? rc : CB_EINVAL,
			                       _("log position %lld"),
			                       (long long)b->lsn[b->n]);
		b->n++;
	}
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read the log");
	b->end = b->end || r == CB_SQL_DONE;
	return CB_OK;
}

/* Re-project every entry in arrival order; with check_sigs, verify each
 * signature first and fail on the first bad one. Inside a transaction. */
static cb_err
replay(struct cb_ledger *lg, bool check_sigs, uint64_t *applied,
       uint64_t *rejected, struct cb_errbuf *eb)
{
	static const char sel[] =
		"SELECT lsn, bytes, evidence = 1 FROM entries ORDER "
		"BY lsn";
	static const char upd[] =
		"UPDATE entries SET state = ?, reason = ? WHERE lsn = ?";
	static const char now[] = "SELECT state = 'pending' FROM entries "
				  "WHERE lsn = ?";
	static const char count[] =
		"SELECT coalesce(sum(state = 'applied'), 0), "
		"coalesce(sum(state = 'rejected'), 0) FROM entries";
	struct cb_verifier_opts opts = { .threads = -1,
		                         .decode_only = !check_sigs };
	struct replay_batch *b = calloc(1, sizeof(*b));
	struct cb_verifier *v = NULL;
	struct cb_stmt *s = NULL, *u;
	/* how many entries the replay has passed that still wait */
	int64_t waiting = 0;
	cb_err rc;

	if (!b)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	cb_store_bulk(lg->st);
	if ((rc = cb_project_reset(lg->st, eb)))
		goto out;
	/* A statement of its own: the cached ones are used while it runs. */
	if (cb_sql_prepare(lg->st, sel, &s, NULL)) {
		rc = cb_store_error(lg->st, eb, "cannot read the log");
		goto out;
	}
	while (!(rc = replay_read(lg->st, s, b, eb)) && b->n > 0) {
		if (!(v = cb_verifier_new(b->stream.data, b->stream.len, b->n,
		                          &opts))) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto out;
		}
		for (size_t i = 0; i < b->n; i++) {
			const struct cb_entry *e;
			struct cb_errbuf why;
			bool good;
			int r;

			if ((rc = cb_verifier_next(v, &e, &good, eb))) {
				rc = undecodable(b->stream.data + b->off[i] + 4,
				                 (i + 1 < b->n
				                          ? b->off[i + 1]
				                          : b->stream.len) -
				                         b->off[i] - 4,
				                 eb);
			} else if (check_sigs && !good) {
				rc = cb_entry_verify_signature(e, eb);
			}
			if (rc) {
				cb_error_prefix(eb, rc, _("log position %lld"),
				                (long long)b->lsn[i]);
				goto out;
			}
			/* Evidence of a fork, never part of the author's
			 * chain: kept as it was, not projected. */
			if (b->evidence[i])
				continue;
			/* Judged already, when something it waited on
			 * settled (settle looks no further than the entry
			 * it settles for: never, while nothing waits) */
			if (waiting > 0) {
				if (!(u = cb_sql(lg->st, now, eb))) {
					rc = CB_EIO;
					goto out;
				}
				cb_sql_bind_int64(u, 1, b->lsn[i]);
				r = cb_sql_step(u);
				rc = r == CB_SQL_ROW &&
				     !cb_sql_column_int64(u, 0);
				cb_sql_reset(u);
				if (rc)
					continue;
			}
			why.msg[0] = 0;
			rc = cb_project_entry(lg->st, e, &why);
			if (rc == CB_EPENDING) {
				waiting++;
				continue; /* reset left it pending */
			}
			if (rc && !cb_is_rejection(rc)) {
				*eb = why;
				goto out;
			}
			if (!(u = cb_sql(lg->st, upd, eb))) {
				rc = CB_EIO;
				goto out;
			}
			cb_sql_bind_text(u, 1, rc ? "rejected" : "applied");
			cb_sql_bind_text(u, 2, rc ? why.msg : NULL);
			cb_sql_bind_int64(u, 3, b->lsn[i]);
			if ((rc = cb_sql_done(u, eb)) ||
			    (rc = settle(lg->st, e->id, b->lsn[i], &waiting,
			                 eb)))
				goto out;
		}
		cb_verifier_free(&v);
	}
	if (rc)
		goto out;
	if (!(u = cb_sql(lg->st, count, eb))) {
		rc = CB_EIO;
		goto out;
	}
	if (cb_sql_step(u) == CB_SQL_ROW) {
		if (applied)
			*applied = (uint64_t)cb_sql_column_int64(u, 0);
		if (rejected)
			*rejected = (uint64_t)cb_sql_column_int64(u, 1);
	}
	cb_sql_reset(u);
out:
	cb_verifier_free(&v);
	cb_sql_finalize(s);
	if (b)
		cb_buf_release(&b->stream);
	free(b);
	return rc;
}

cb_err
cb_ledger_rebuild(struct cb_ledger *lg, uint64_t *applied, uint64_t *rejected,
                  struct cb_errbuf *eb)
{
	cb_err rc = cb_store_begin(lg->st, eb);

	if (rc)
		return rc;
	rc = replay(lg, true, applied, rejected, eb);
	if (rc) {
		cb_store_rollback(lg->st);
		return cb_error_prefix(eb, rc,
		                       _("rebuild stopped, nothing changed "
		                         "(run 'chibo-agent verify')"));
	}
	return cb_store_commit(lg->st, eb);
}

/* Work done beside the caller's, on a thread of its own (or on the
 * caller's, when no thread can be started): a store's digest
 * (copy-store: the source's, while the tables are derived again in the
 * destination; a store is used by one thread at a time, and the replay
 * does not touch the source), or a SQLite store's integrity check on a
 * connection of its own (verify: it only reads, and the replay leaves a
 * CPU idle). */
struct side_job {
	struct cb_store *st; /* the store to digest; NULL: */
	const char *path;    /* the store to open and check */
	unsigned char out[32];
	struct cb_errbuf eb;
	cb_err rc;
	bool english; /* the caller's language (lang.h: per thread) */
	bool threaded;
	pthread_t t;
};

static void *
side_run(void *arg)
{
	struct side_job *j = arg;
	struct cb_store *st = NULL;

	if (j->english)
		cb_lang_english_begin();
	if (j->st)
		j->rc = cb_project_digest(j->st, j->out, &j->eb);
	else if (!(j->rc = cb_store_open(j->path, false, &st, &j->eb)))
		j->rc = cb_store_integrity(st, &j->eb);
	cb_store_free(&st);
	if (j->english)
		cb_lang_english_end();
	return NULL;
}

static void
side_start(struct side_job *j)
{
	j->english = cb_lang_is_english();
	j->threaded = pthread_create(&j->t, NULL, side_run, j) == 0;
}

/* j's outcome in j->rc, once it is done */
static void
side_finish(struct side_job *j)
{
	if (j->threaded)
		pthread_join(j->t, NULL);
	else
		side_run(j);
}

cb_err
cb_ledger_copy_store(struct cb_ledger *lg, struct cb_store *dest,
                     unsigned char digest[32], struct cb_errbuf *eb)
{
	/* What the projection does not derive (cb_project_reset's tables
	 * are the rest), kept as it is: the log (with each entry's verdict,
	 * compared below), what the ledger indexed as it took each entry
	 * (its dependencies, the members it names), the Merkle tree and
	 * checkpoints, the keys' contacts, the checkpoints witnessed, the
	 * dashboard's accounts (not their sessions: one signs in again);
	 * and meta. */
	static const char *const kept[] = {
		"entries",     "entry_deps", "entry_refs", "tlog_nodes",
		"checkpoints", "contacts",   "witnessed",  "dashboard_accounts",
	};
	struct cb_store *src = lg->st;
	struct side_job here = { .st = src };
	unsigned char there[32];
	cb_err rc;

	if (!log_empty(dest))
		return cb_error(eb, CB_EINVAL,
		                _("the store '%s' holds a log already"),
		                cb_store_path(dest));
	if ((rc = cb_store_fill(dest, true, eb)))
		return rc;
	if ((rc = cb_store_begin_read(src, eb)))
		return rc;
	if ((rc = cb_store_begin(dest, eb))) {
		cb_store_rollback(src);
		return rc;
	}
	rc = cb_store_exec(dest, "DELETE FROM meta", eb);
	for (size_t i = 0; !rc && i < sizeof(kept) / sizeof(kept[0]); i++)
		rc = cb_store_copy_table(src, dest, kept[i], eb);
	if (!rc)
		rc = cb_store_copy_table(src, dest, "meta", eb);
	/* the tables derived again there, by dest's engine, while src's
	 * digest is taken (on this thread if no other can be started) */
	if (!rc) {
		side_start(&here);
		lg->st = dest;
		rc = replay(lg, true, NULL, NULL, eb);
		lg->st = src;
		side_finish(&here);
		if (!rc && here.rc) {
			*eb = here.eb;
			rc = here.rc;
		}
		memcpy(digest, here.out, sizeof(here.out));
	}
	if (!rc)
		rc = cb_project_digest(dest, there, eb);
	if (!rc && memcmp(digest, there, sizeof(there)) != 0)
		rc = cb_error(eb, CB_EIO,
		              _("the tables derived in '%s' differ from the "
		                "hub's (digest %02x%02x%02x%02x…, not "
		                "%02x%02x%02x%02x…); nothing was kept"),
		              cb_store_path(dest), there[0], there[1], there[2],
		              there[3], digest[0], digest[1], digest[2],
		              digest[3]);
	cb_store_rollback(src);
	if (rc) {
		cb_store_rollback(dest);
		return rc;
	}
	if ((rc = cb_store_commit(dest, eb)))
		return rc;
	return cb_store_fill(dest, false, eb);
}

static void
report(struct cb_verify_report *r, void (*fault)(void *, const char *),
       void *ctx, const char *msg)
{
	r->faults++;
	if (fault)
		fault(ctx, msg);
}

/* verify's first pass reads the log a batch at a time, in its authors'
 * order: each entry's bytes into an entry stream that the verifier's
 * workers decode and check the signatures of while the reader checks the
 * chains (verifier.h), and beside them what the table says of the entry,
 * to be compared with what the bytes say. */
struct check_row {
	long long lsn;
	uint64_t seq;
	int64_t time_ms;
	size_t off, len; /* of its frame in the stream; of its bytes */
	size_t op;       /* of its op (with its NUL) in ops */
	ptrdiff_t why;   /* of the message of bytes no frame can hold (in
	                  * ops), or -1 */
	bool id_blob, author_blob; /* the columns hold 32 bytes each */
	bool rejected, enrolled;
	unsigned char id[CB_HASH_BYTES], author[CB_KEY_BYTES];
};

struct check_batch {
	struct cb_buf stream, ops;
	struct check_row row[REPLAY_BATCH];
	size_t n;
	bool end;
};

/* Column i as 32 bytes into out, if it is a blob of that size. */
static bool
col_32(struct cb_stmt *s, int i, unsigned char out[32])
{
	if (cb_sql_column_kind(s, i) != CB_SQL_BLOB ||
	    cb_sql_column_bytes(s, i) != 32)
		return false;
	memcpy(out, cb_sql_column_blob(s, i), 32);
	return true;
}

/* The next batch from s (verify's statement): b->n is 0 at the end. */
static cb_err
check_read(struct cb_store *st, struct cb_stmt *s, struct check_batch *b,
           struct cb_errbuf *eb)
{
	int r = CB_SQL_DONE;

	cb_buf_reset(&b->stream);
	cb_buf_reset(&b->ops);
	b->n = 0;
	while (!b->end && b->n < REPLAY_BATCH &&
	       (r = cb_sql_step(s)) == CB_SQL_ROW) {
		struct check_row *w = &b->row[b->n];
		const char *op = cb_sql_column_text(s, 4);
		const char *state = cb_sql_column_text(s, 7);
		const void *bytes = cb_sql_column_blob(s, 6);
		size_t len = (size_t)cb_sql_column_bytes(s, 6);
		cb_err rc;

		w->lsn = cb_sql_column_int64(s, 0);
		w->id_blob = col_32(s, 1, w->id);
		w->author_blob = col_32(s, 2, w->author);
		w->seq = (uint64_t)cb_sql_column_int64(s, 3);
		w->time_ms = cb_sql_column_int64(s, 5);
		w->rejected = state && !strcmp(state, "rejected");
		w->enrolled = cb_sql_column_int64(s, 8) != 0;
		w->op = b->ops.len;
		w->off = b->stream.len;
		w->len = len;
		w->why = -1;
		if (cb_buf_add(&b->ops, op ? op : "", strlen(op ? op : "") + 1))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		rc = cb_stream_append_bytes(&b->stream, bytes, len);
		if (rc == CB_ENOMEM)
			return cb_error(eb, rc, _("out of memory"));
		if (rc) {
			/* too large for a frame (CB_ENTRY_MAX, as for
			 * cb_entry_decode, which says so) */
			struct cb_errbuf why = { "" };

			(void)undecodable(bytes, len, &why);
			w->why = (ptrdiff_t)b->ops.len;
			if (cb_buf_add(&b->ops, why.msg, strlen(why.msg) + 1))
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory"));
		}
		b->n++;
	}
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read the log");
	b->end = b->end || r == CB_SQL_DONE;
	return CB_OK;
}

static cb_err verify_log(struct cb_ledger *lg, struct cb_verify_report *r,
                         void (*fault)(void *ctx, const char *msg), void *ctx,
                         struct cb_errbuf *eb);

cb_err
cb_ledger_verify(struct cb_ledger *lg, struct cb_verify_report *out,
                 void (*fault)(void *ctx, const char *msg), void *ctx,
                 struct cb_errbuf *eb)
{
	struct side_job check = { .path = cb_store_path(lg->st) };
	/* PostgreSQL has no whole-database check (store_pg.c) */
	bool sqlite = !cb_store_is_pg(check.path);
	struct cb_verify_report r = { 0 };
	cb_err rc;

	if (sqlite)
		side_start(&check);
	rc = verify_log(lg, &r, fault, ctx, eb);
	if (sqlite) {
		side_finish(&check);
		if (check.rc)
			report(&r, fault, ctx, check.eb.msg);
	}
	if (rc)
		return rc;
	*out = r;
	return r.faults ? cb_error(eb, CB_ECRYPTO,
	                           P_("%llu fault found", "%llu faults found",
	                              (unsigned long)r.faults),
	                           (unsigned long long)r.faults)
	                : CB_OK;
}

/* verify's walk of the log and its replay, the faults into *pr */
static cb_err
verify_log(struct cb_ledger *lg, struct cb_verify_report *pr,
           void (*fault)(void *ctx, const char *msg), void *ctx,
           struct cb_errbuf *eb)
{
	/* whole: an author a hub holds every entry of (a key enrolled in
	 * its subtree pushes to it); a hub that syncs with a higher one
	 * holds others' chains in part, as a replica does. */
	static const char sel[] = CB_SQL_SUBTREE
		"SELECT lsn, id, author, seq, op, time_ms, bytes, state, "
		"lower(hex(author)) IN (SELECT key FROM enrolments WHERE org "
		"IN sub) FROM entries ORDER BY author, seq, lsn";
	bool upstream = false;
	char *up = NULL;
	struct cb_verify_report r = *pr;
	/* the last entry checked: its author, id and seq only */
	struct cb_entry prev = CB_ENTRY_INIT;
	struct cb_verifier_opts opts = { .threads = -1 };
	struct check_batch *b;
	unsigned char before[32], after[32];
	struct cb_errbuf why;
	struct cb_stmt *s = NULL;
	bool have_prev = false, gaps;
	cb_err rc;

	if (!(b = calloc(1, sizeof(*b))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	/* One write transaction for the whole check, always rolled back: a
	 * concurrent writer must not make the log and tables disagree
	 * between our reads, and the re-projection below writes. */
	if ((rc = cb_store_begin(lg->st, eb))) {
		free(b);
		return rc;
	}
	if (cb_sql_prepare(lg->st, sel, &s, NULL)) {
		rc = cb_store_error(lg->st, eb, "cannot read the log");
		cb_store_rollback(lg->st);
		free(b);
		return rc;
	}
	cb_scope_bind_root(s, lg->org);
	if (!lg->kind->partial &&
	    cb_store_meta_get(lg->st, "upstream_key", &up, NULL) == CB_OK) {
		free(up);
		upstream = true;
	}
	while (!(rc = check_read(lg->st, s, b, eb)) && b->n > 0) {
		struct cb_verifier *v = cb_verifier_new(
			b->stream.data, b->stream.len, b->n, &opts);

		if (!v) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			break;
		}
		for (size_t i = 0; i < b->n; i++) {
			const struct check_row *w = &b->row[i];
			const struct cb_entry *e;
			char msg[CB_ERRBUF_SIZE + 64];
			bool good;

			r.entries++;
			if (w->rejected)
				r.rejected++;
			else
				r.applied++;
			if (w->why >= 0) {
				snprintf(msg, sizeof(msg),
				         _("log position %lld: %s"), w->lsn,
				         (const char *)b->ops.data + w->why);
				report(&r, fault, ctx, msg);
				continue;
			}
			if (cb_verifier_next(v, &e, &good, &why)) {
				(void)undecodable(b->stream.data + w->off + 4,
				                  w->len, &why);
				snprintf(msg, sizeof(msg),
				         _("log position %lld: %s"), w->lsn,
				         why.msg);
				report(&r, fault, ctx, msg);
				continue;
			}
			if (!good && cb_entry_verify_signature(e, &why)) {
				snprintf(msg, sizeof(msg),
				         _("log position %lld: %s"), w->lsn,
				         why.msg);
				report(&r, fault, ctx, msg);
			}
			if (!w->id_blob ||
			    memcmp(w->id, e->id, CB_HASH_BYTES) ||
			    !w->author_blob ||
			    memcmp(w->author, e->author, CB_KEY_BYTES) ||
			    w->seq != e->seq ||
			    strcmp((const char *)b->ops.data + w->op, e->op) ||
			    w->time_ms != e->time_ms) {
				snprintf(msg, sizeof(msg),
				         _("log position %lld: the id, author, "
				           "seq, op "
				           "or time stored beside it differ "
				           "from its bytes"),
				         w->lsn);
				report(&r, fault, ctx, msg);
			}
			/* Another key's chain held in part: its gaps are
			 * expected. */
			gaps = (lg->kind->partial ||
			        (upstream && !w->enrolled)) &&
			       memcmp(e->author, lg->key.pk, CB_KEY_BYTES) != 0;
			if (!have_prev ||
			    memcmp(prev.author, e->author, CB_KEY_BYTES)) {
				r.authors++;
				if (!(gaps && e->seq > 1) &&
				    cb_chain_follows(NULL, e, &why)) {
					snprintf(msg, sizeof(msg),
					         _("log position %lld: %s"),
					         w->lsn, why.msg);
					report(&r, fault, ctx, msg);
				}
			} else if (prev.seq == e->seq) {
				char a[13];

				cb_hash_short(e->author, a);
				snprintf(msg, sizeof(msg),
				         _("log position %lld: author %s has "
				           "two "
				           "different "
				           "entries with seq %llu (a fork)"),
				         w->lsn, a, (unsigned long long)e->seq);
				report(&r, fault, ctx, msg);
			} else if (!(gaps && e->seq > prev.seq + 1) &&
			           cb_chain_follows(&prev, e, &why)) {
				snprintf(msg, sizeof(msg),
				         _("log position %lld: %s"), w->lsn,
				         why.msg);
				report(&r, fault, ctx, msg);
			}
			/* what the next entry's checks read of this one */
			memcpy(prev.author, e->author, CB_KEY_BYTES);
			memcpy(prev.id, e->id, CB_HASH_BYTES);
			prev.seq = e->seq;
			have_prev = true;
		}
		cb_verifier_free(&v);
	}
	cb_sql_finalize(s);
	cb_buf_release(&b->stream);
	cb_buf_release(&b->ops);
	free(b);
	if (rc) {
		cb_store_rollback(lg->st);
		return rc;
	}

	/* The tables must be exactly the projection of the log. */
	if ((rc = cb_project_digest(lg->st, before, eb))) {
		cb_store_rollback(lg->st);
		return rc;
	}
	rc = replay(lg, false, NULL, NULL, &why);
	if (rc == CB_OK)
		rc = cb_project_digest(lg->st, after, &why);
	cb_store_rollback(lg->st);
	if (rc == CB_EIO || rc == CB_ENOMEM)
		return cb_error(eb, rc, "%s", why.msg);
	if (rc) {
		char msg[CB_ERRBUF_SIZE + 64];

		snprintf(msg, sizeof(msg), _("the log cannot be projected: %s"),
		         why.msg);
		report(&r, fault, ctx, msg);
	} else if (sodium_memcmp(before, after, sizeof(before)) != 0) {
		report(&r, fault, ctx,
		       _("the tables differ from the projection of the log: "
		         "they "
		         "were changed outside chibo; 'chibo-agent rebuild' "
		         "re-derives them from the entries"));
	}
	*pr = r;
	return CB_OK;
}
