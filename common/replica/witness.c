/* SPDX-License-Identifier: MIT */
/* witness.c — see witness.h. */
#include "witness.h"
#include "sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "checkpoint.h"
#include "clock.h"

#define B64_HASH sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)

/* The next line of p[0..n) from *pos, without its newline; false when no
 * newline ends it. */
static bool
line_at(const char *p, size_t n, size_t *pos, const char **l, size_t *ll)
{
	const char *eol;

	if (*pos >= n || !(eol = memchr(p + *pos, '\n', n - *pos)))
		return false;
	*l = p + *pos;
	*ll = (size_t)(eol - *l);
	*pos += *ll + 1;
	return true;
}

cb_err
cb_witness_parse(const void *body, size_t len, struct cb_witness_req *rq,
                 struct cb_errbuf *eb)
{
	const char *p = body, *l, *end;
	size_t pos = 0, ll, dl;
	char num[24];
	char *e;

	memset(rq, 0, sizeof(*rq));
	if (!line_at(p, len, &pos, &l, &ll) || ll < 5 || ll > 24 ||
	    memcmp(l, "old ", 4))
		return cb_error(eb, CB_EINVAL,
		                _("an add-checkpoint body starts with 'old N' "
		                  "and a newline"));
	memcpy(num, l + 4, ll - 4);
	num[ll - 4] = 0;
	if (num[0] < '0' || num[0] > '9' || (num[0] == '0' && num[1]) ||
	    (rq->old = strtoull(num, &e, 10), *e))
		return cb_error(
			eb, CB_EINVAL,
			_("'old %.20s': the old size is a decimal number "
		          "with no leading zero"),
			num);
	for (;;) {
		if (!line_at(p, len, &pos, &l, &ll))
			return cb_error(
				eb, CB_EINVAL,
				_("an add-checkpoint body has a blank line "
			          "before the checkpoint"));
		if (ll == 0)
			break;
		if (rq->nproof == CB_WITNESS_PROOF_MAX)
			return cb_error(
				eb, CB_EINVAL,
				_("more than %d consistency proof lines"),
				CB_WITNESS_PROOF_MAX);
		if (sodium_base642bin(rq->proof[rq->nproof], 32, l, ll, NULL,
		                      &dl, &end,
		                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    end != l + ll || dl != 32)
			return cb_error(
				eb, CB_EINVAL,
				_("consistency proof line %zu is not 32 "
			          "bytes of base64"),
				rq->nproof + 1);
		rq->nproof++;
	}
	rq->note = p + pos;
	rq->note_len = len - pos;
	if (!rq->note_len)
		return cb_error(
			eb, CB_EINVAL,
			_("an add-checkpoint body ends with a checkpoint"));
	return CB_OK;
}

char *
cb_witness_format(uint64_t old, const uint8_t (*proof)[32], size_t n,
                  const char *note)
{
	struct cb_buf b = CB_BUF_INIT;
	char h[B64_HASH];

	if (cb_buf_addf(&b, "old %" PRIu64 "\n", old))
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		sodium_bin2base64(h, sizeof(h), proof[i], 32,
		                  sodium_base64_VARIANT_ORIGINAL);
		if (cb_buf_addf(&b, "%s\n", h))
			goto nomem;
	}
	if (cb_buf_addstr(&b, "\n") || cb_buf_addstr(&b, note) ||
	    cb_buf_add(&b, "", 1))
		goto nomem;
	return (char *)cb_buf_detach(&b, NULL);
nomem:
	cb_buf_release(&b);
	return NULL;
}

/* The checkpoint held for origin: size (0: none) and root. */
static cb_err
held_of(struct cb_store *st, const char *origin, uint64_t *size,
        uint8_t root[32], struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT size, root FROM witnessed WHERE origin = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, origin);
	r = cb_sql_step(s);
	*size = 0;
	if (r == CB_SQL_ROW) {
		*size = (uint64_t)cb_sql_column_int64(s, 0);
		if (root && cb_sql_column_bytes(s, 1) == 32)
			memcpy(root, cb_sql_column_blob(s, 1), 32);
	}
	cb_sql_reset(s);
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(st, eb,
	                                "cannot read what it witnessed");
}

cb_err
cb_witness_held(struct cb_store *st, const char *origin, uint64_t *size,
                struct cb_errbuf *eb)
{
	return held_of(st, origin, size, NULL, eb);
}

cb_err
cb_witness_each(struct cb_store *st, cb_witnessed_fn fn, void *ctx,
                struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT origin, size, root, CAST(note AS "
				  "TEXT) FROM witnessed ORDER BY origin";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc = CB_OK;
	int r = CB_SQL_DONE;

	if (!s)
		return CB_EIO;
	while (!rc && (r = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *origin = cb_sql_column_text(s, 0);
		const char *note = cb_sql_column_text(s, 3);

		if (!origin || !note || cb_sql_column_bytes(s, 2) != 32) {
			rc = cb_error(
				eb, CB_EIO,
				_("'%s' holds a witnessed checkpoint that is "
			          "damaged (origin '%s')"),
				cb_store_path(st), origin ? origin : "?");
			break;
		}
		rc = fn(ctx, origin, (uint64_t)cb_sql_column_int64(s, 1),
		        cb_sql_column_blob(s, 2), note, eb);
	}
	cb_sql_reset(s);
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read what it witnessed");
	return rc;
}

/* The checks of add-checkpoint, in the order C2SP gives them, and the
 * new checkpoint kept. Inside the caller's transaction. */
static cb_err
judge(struct cb_store *st, const struct cb_witness_req *rq,
      const struct cb_checkpoint *cp, uint64_t *held, struct cb_errbuf *eb)
{
	static const uint8_t empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
		0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
		0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	static const char put[] =
		"INSERT INTO witnessed (origin, size, root, note, cosigned_ms) "
		"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (origin) DO UPDATE "
		"SET size = ?2, root = ?3, note = ?4, cosigned_ms = ?5";
	uint8_t root[32];
	struct cb_stmt *s;
	cb_err rc;

	if (rq->old > cp->size)
		return cb_error(eb, CB_EINVAL,
		                _("old size %llu is past the checkpoint's "
		                  "size %llu"),
		                (unsigned long long)rq->old,
		                (unsigned long long)cp->size);
	if ((rc = held_of(st, cp->origin, held, root, eb)))
		return rc;
	if (rq->old != *held)
		return cb_error(
			eb, CB_ECHAIN,
			_("this witness cosigned %s at size %llu, not %llu"),
			cp->origin, (unsigned long long)(*held),
			(unsigned long long)rq->old);
	if (cp->size == 0)
		return cb_error(
			eb, CB_ERULE,
			memcmp(cp->root, empty, 32)
				? _("a checkpoint of size 0 whose root is "
		                    "not the empty tree's")
				: "a checkpoint of size 0 is not "
				  "cosigned");
	if (rq->old == 0 && rq->nproof)
		return cb_error(
			eb, CB_ERULE,
			_("a proof from size 0 is empty: the empty tree "
		          "is consistent with every tree"));
	if (rq->old > 0 &&
	    (rq->old == cp->size
	             ? rq->nproof || memcmp(root, cp->root, 32)
	             : !cb_merkle_verify_consistency(
			       rq->old, cp->size, root, cp->root,
			       (const uint8_t(*)[32])rq->proof, rq->nproof)))
		return cb_error(eb, CB_ERULE,
		                _("the checkpoint of size %llu does not extend "
		                  "the one of size %llu this witness cosigned "
		                  "for %s: its log is "
		                  "not the one it showed before"),
		                (unsigned long long)cp->size,
		                (unsigned long long)rq->old, cp->origin);
	if (!(s = cb_sql(st, put, eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, cp->origin);
	cb_sql_bind_int64(s, 2, (int64_t)cp->size);
	cb_sql_bind_blob(s, 3, cp->root, 32);
	/* text, as the column is (a blob would be kept as bytes by SQLite
	 * and as their escaped form by PostgreSQL) */
	cb_sql_bind_textn(s, 4, rq->note, rq->note_len);
	cb_sql_bind_int64(s, 5, cb_now_ms());
	return cb_sql_done(s, eb);
}

cb_err
cb_witness_add(struct cb_store *st, const struct cb_witness_req *rq,
               const char *origin, const uint8_t log_pk[32], const char *name,
               const uint8_t sk[64], int64_t now_s, uint64_t *held, char **line,
               struct cb_errbuf *eb)
{
	struct cb_checkpoint cp;
	cb_err rc;

	*line = NULL;
	*held = 0;
	rc = cb_checkpoint_open(rq->note, rq->note_len, origin, origin, log_pk,
	                        &cp, eb);
	if (rc == CB_ECRYPTO)
		return rc;
	if (rc)
		return cb_error_prefix(eb, CB_EINVAL, _("the checkpoint"));
	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if ((rc = judge(st, rq, &cp, held, eb)) ||
	    (rc = cb_cosig_sign(rq->note, rq->note_len, name, sk,
	                        (uint64_t)now_s, line, eb)) ||
	    (rc = cb_store_commit(st, eb))) {
		cb_store_rollback(st);
		free(*line);
		*line = NULL;
		return rc;
	}
	return CB_OK;
}
