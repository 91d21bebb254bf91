/* SPDX-License-Identifier: MIT */
/* lazyreplay.c — the log replayed, member additions nothing reads set
 * aside (lazyreplay.h).
 *
 * Why an entry set aside changes no verdict. A member.add writes a members
 * row (its id, card and ID numbers, cell, organisation), a memberships row
 * and its entries row. The ops marked CB_OP_KEYED in the op registry
 * (op_table.c; project.c: member_get, official_since, in_cell_on are the
 * only readers of members and memberships) read those rows only through
 * what they name: a member id (in the body, as a key or a value, or in
 * deps), or, for member.accept and member.decline, the member of a release
 * that named it before. (Party card and ID numbers are remembered too, as
 * when a number held twice was a rejection; that projects a few entries
 * sooner than needed, never later.) So a
 * member.add is set aside only when none of its strings and not its id was
 * named before (else something already waits on it, or holds its number),
 * it names no deps and its author's previous entry is not pending (so it is
 * judged at once in a full replay too), and its cell is writable by its
 * author now (cb_project_writable: the first check apply_member_add makes,
 * so its verdict cannot be CB_ESCOPE). Its id and numbers are then
 * remembered; the first later entry naming one of them projects it first,
 * and so does any op not marked so (a dissolution counts a cell's
 * members, an admission copies a candidate's numbers) before it is itself
 * projected. What the entry set aside read — its cell's row, which only
 * such an op can change, and the numbers held, which only an entry naming
 * them can change — is then as it was at its place in the log, so it gets
 * the same verdict and writes the same rows, just later. */
#include "lazyreplay.h"
#include "sql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "ledger.h"
#include "ops.h"
#include "project.h"

/* A key's value when it was named by an entry that is projected. */
#define NAMED UINT32_MAX
#define SPILL_BUFFER (1u << 20)

struct aside {
	uint64_t leaf, off;
	uint32_t len;
	bool done;
};

struct slot {
	uint64_t key; /* 0: empty */
	uint32_t val; /* an index into aside, or NAMED */
};

struct hits {
	uint32_t *v;
	size_t n, cap;
};

struct cb_lazyreplay {
	struct cb_store *st;
	bool lazy;
	struct cb_lazyreplay_hooks hooks;
	FILE *spill;
	int fd;
	uint64_t spill_len;
	bool spill_dirty;
	struct aside *aside;
	size_t naside, acap, first_open, nopen;
	struct slot *keys;
	size_t nkeys, kcap;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	struct hits hits;
	/* The last cell found writable by its author; valid until anything
	 * is projected. */
	char ok_cell[CB_CODE_MAX + 1];
	unsigned char ok_author[CB_KEY_BYTES];
	bool ok_valid;
	int any_pending; /* -1 unknown */
};

/* --- keys: 64-bit keyed hashes of ids and strings ---------------------- */

static uint64_t
key_of(const struct cb_lazyreplay *l, const void *p, size_t n, bool id)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t k;

	crypto_shorthash(h, p, n, l->hkey);
	memcpy(&k, h, sizeof(k));
	if (id)
		k ^= 0x9e3779b97f4a7c15ull;
	return k ? k : 1;
}

static struct slot *
key_find(const struct cb_lazyreplay *l, uint64_t k)
{
	size_t mask = l->kcap - 1;

	for (size_t i = (size_t)k & mask;; i = (i + 1) & mask) {
		if (l->keys[i].key == k || !l->keys[i].key)
			return &l->keys[i];
	}
}

/* Start loading k's slot: a large table is read at random, one cache miss
 * a key, and the misses of one entry's keys can overlap. */
static void
key_prefetch(const struct cb_lazyreplay *l, uint64_t k)
{
	__builtin_prefetch(&l->keys[(size_t)k & (l->kcap - 1)]);
}

/* A zeroed table of n slots. A large one asks for huge pages: every probe
 * would otherwise also miss the TLB. */
static struct slot *
table_new(size_t n)
{
	struct slot *t = calloc(n, sizeof(*t));
	uintptr_t a = (uintptr_t)t, huge = (uintptr_t)2 << 20, lo, hi;

	lo = (a + huge - 1) & ~(huge - 1);
	hi = (a + n * sizeof(*t)) & ~(huge - 1);
	if (t && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	return t;
}

static cb_err
key_put(struct cb_lazyreplay *l, uint64_t k, uint32_t val, struct cb_errbuf *eb)
{
	struct slot *s;

	if ((l->nkeys + 1) * 10 > l->kcap * 7) {
		size_t ncap = l->kcap * 2, ocap = l->kcap;
		struct slot *old = l->keys, *t = table_new(ncap);

		if (!t)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		l->keys = t;
		l->kcap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].key)
				*key_find(l, old[i].key) = old[i];
		free(old);
	}
	s = key_find(l, k);
	if (!s->key) {
		s->key = k;
		l->nkeys++;
	}
	s->val = val;
	return CB_OK;
}

/* Is the key known: named before, or held by an entry set aside? */
static bool
key_known(const struct cb_lazyreplay *l, uint64_t k)
{
	return key_find(l, k)->key != 0;
}

/* The keys a string stands for: itself, and the id it spells. */
static size_t
string_keys(const struct cb_lazyreplay *l, const char *s, size_t n,
            uint64_t k[2])
{
	unsigned char id[CB_HASH_BYTES];
	size_t nk = 0;

	k[nk++] = key_of(l, s, n, false);
	if (n == 2 * CB_HASH_BYTES) {
		/* 64 hex digits, either case (cb_hex_decode says which) */
		char hex[CB_HASH_HEX];

		memcpy(hex, s, n);
		hex[n] = 0;
		if (!cb_hex_decode(hex, id, sizeof(id), NULL))
			k[nk++] = key_of(l, id, sizeof(id), true);
	}
	return nk;
}

/* --- naming: what a projected entry names ------------------------------ */

static cb_err
hit(struct cb_lazyreplay *l, uint32_t i, struct cb_errbuf *eb)
{
	if (l->hits.n == l->hits.cap) {
		size_t nc = l->hits.cap ? 2 * l->hits.cap : 16;
		uint32_t *v = realloc(l->hits.v, nc * sizeof(*v));

		if (!v)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		l->hits.v = v;
		l->hits.cap = nc;
	}
	l->hits.v[l->hits.n++] = i;
	return CB_OK;
}

/* Key k is named by an entry about to be projected: note what was set
 * aside under it, and remember it as named if mark. */
static cb_err
name_key(struct cb_lazyreplay *l, uint64_t k, bool mark, struct cb_errbuf *eb)
{
	struct slot *s = key_find(l, k);
	cb_err rc;

	if (s->key && s->val != NAMED && !l->aside[s->val].done &&
	    (rc = hit(l, s->val, eb)))
		return rc;
	if (s->key && s->val != NAMED)
		s->val = NAMED; /* projected before the entry naming it */
	return mark && !s->key ? key_put(l, k, NAMED, eb) : CB_OK;
}

static bool
number_field(const char *field)
{
	return field &&
	       (!strcmp(field, "card_no") || !strcmp(field, "national_id"));
}

/* Every string of v, keys of objects included (attendance names members
 * by key). Ids are remembered as named, and numbers, or every string when
 * all (an op not CB_OP_KEYED, which may hold numbers under any name). */
static cb_err
name_strings(struct cb_lazyreplay *l, const json_t *v, const char *field,
             bool all, struct cb_errbuf *eb)
{
	uint64_t k[2];
	size_t nk, i;
	const char *key;
	json_t *x;
	cb_err rc;

	switch (json_typeof(v)) {
	case JSON_STRING:
		nk = string_keys(l, json_string_value(v), json_string_length(v),
		                 k);
		if ((rc = name_key(l, k[0], all || number_field(field), eb)))
			return rc;
		return nk > 1 ? name_key(l, k[1], true, eb) : CB_OK;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, x)
		{
			nk = string_keys(l, key, strlen(key), k);
			if ((rc = name_key(l, k[0], all, eb)) ||
			    (nk > 1 && (rc = name_key(l, k[1], true, eb))) ||
			    (rc = name_strings(l, x, key, all, eb)))
				return rc;
		}
		return CB_OK;
	case JSON_ARRAY:
		json_array_foreach(v, i, x)
		{
			if ((rc = name_strings(l, x, field, all, eb)))
				return rc;
		}
		return CB_OK;
	default: return CB_OK;
	}
}

/* --- projecting -------------------------------------------------------- */

static cb_err
project(struct cb_lazyreplay *l, const struct cb_entry *e, uint64_t leaf,
        struct cb_errbuf *eb)
{
	struct cb_errbuf why;
	cb_err verdict, rc;

	l->ok_valid = false;
	l->any_pending = -1;
	if (!cb_entry_body(e))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if ((rc = cb_ledger_take(l->st, e, &verdict, &why, eb)))
		return rc;
	if (l->hooks.stored)
		l->hooks.stored(l->hooks.ctx, leaf);
	if (l->hooks.verdict)
		l->hooks.verdict(l->hooks.ctx, leaf, e, verdict, why.msg);
	return CB_OK;
}

/* Project the entry set aside as i, if it still is. */
static cb_err
project_aside(struct cb_lazyreplay *l, uint32_t i, struct cb_errbuf *eb)
{
	struct aside *a = &l->aside[i];
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char *p;
	cb_err rc;

	if (a->done)
		return CB_OK;
	a->done = true;
	l->nopen--;
	if (l->spill_dirty && fflush(l->spill))
		return cb_error(eb, CB_EIO,
		                _("cannot write the audit's "
		                  "scratch file: %s"),
		                strerror(errno));
	l->spill_dirty = false;
	if (!(p = malloc(a->len)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (pread(l->fd, p, a->len, (off_t)a->off) != (ssize_t)a->len) {
		free(p);
		return cb_error(eb, CB_EIO,
		                _("cannot read the audit's scratch file back"));
	}
	rc = cb_entry_decode(p, a->len, &e, eb);
	free(p);
	if (!rc)
		rc = project(l, &e, a->leaf, eb);
	cb_entry_release(&e);
	return rc;
}

cb_err
cb_lazyreplay_flush(struct cb_lazyreplay *l, struct cb_errbuf *eb)
{
	cb_err rc;

	for (; l->first_open < l->naside; l->first_open++)
		if ((rc = project_aside(l, (uint32_t)l->first_open, eb)))
			return rc;
	return CB_OK;
}

static int
by_index(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* --- setting aside ----------------------------------------------------- */

static cb_err
prev_pending(struct cb_lazyreplay *l, const struct cb_entry *e, bool *yes,
             struct cb_errbuf *eb)
{
	static const char any[] =
		"SELECT EXISTS (SELECT 1 FROM entries WHERE state = 'pending')";
	static const char one[] =
		"SELECT 1 FROM entries WHERE id = ? AND state = 'pending'";
	struct cb_stmt *s;
	int r;

	*yes = false;
	if (e->seq <= 1)
		return CB_OK;
	if (l->any_pending < 0) {
		if (!(s = cb_sql(l->st, any, eb)))
			return CB_EIO;
		r = cb_sql_step(s);
		l->any_pending = r == CB_SQL_ROW && cb_sql_column_int64(s, 0);
		cb_sql_reset(s);
		if (r != CB_SQL_ROW)
			return cb_store_error(l->st, eb, "cannot read the log");
	}
	if (!l->any_pending)
		return CB_OK;
	if (!(s = cb_sql(l->st, one, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, e->prev, CB_HASH_BYTES);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(l->st, eb, "cannot read the log");
	*yes = r == CB_SQL_ROW;
	return CB_OK;
}

/* Is e's cell writable by its author (cb_project_writable)? */
static cb_err
cell_writable(struct cb_lazyreplay *l, const struct cb_entry *e,
              const char *cell, bool *yes, struct cb_errbuf *eb)
{
	struct cb_errbuf why;
	cb_err rc;

	if (l->ok_valid && !strcmp(l->ok_cell, cell) &&
	    !memcmp(l->ok_author, e->author, CB_KEY_BYTES)) {
		*yes = true;
		return CB_OK;
	}
	rc = cb_project_writable(l->st, e, cell, "cell", &why);
	if (rc && !cb_is_rejection(rc)) {
		*eb = why;
		return rc;
	}
	*yes = rc == CB_OK;
	if (*yes && strlen(cell) <= CB_CODE_MAX) {
		snprintf(l->ok_cell, sizeof(l->ok_cell), "%s", cell);
		memcpy(l->ok_author, e->author, CB_KEY_BYTES);
		l->ok_valid = true;
	}
	return CB_OK;
}

/* Set e aside if nothing can read what it writes (see the top). */
static cb_err
set_aside(struct cb_lazyreplay *l, const struct cb_entry *e, uint64_t leaf,
          bool *done, struct cb_errbuf *eb)
{
	static const char *const numbers[] = { "card_no", "national_id" };
	char cell[CB_CODE_MAX + 1];
	const char *str;
	uint64_t idk, nk[2];
	uint32_t i = (uint32_t)l->naside;
	size_t nn = 0, len;
	bool yes;
	cb_err rc;

	*done = false;
	/* A cell code too long to be one is left to the projection. */
	if (strcmp(e->op, "member.add") || e->ndeps || l->naside >= NAMED - 1 ||
	    !cb_entry_body_string(e, "cell", &str, &len) || len > CB_CODE_MAX ||
	    memchr(str, 0, len))
		return CB_OK;
	memcpy(cell, str, len);
	cell[len] = 0;
	key_prefetch(l, idk = key_of(l, e->id, CB_HASH_BYTES, true));
	for (size_t k = 0; k < 2; k++)
		if (cb_entry_body_string(e, numbers[k], &str, &len))
			key_prefetch(l, nk[nn++] = key_of(l, str, len, false));
	if (key_known(l, idk))
		return CB_OK;
	for (size_t k = 0; k < nn; k++)
		if (key_known(l, nk[k]))
			return CB_OK;
	if ((rc = prev_pending(l, e, &yes, eb)) || yes)
		return rc;
	if ((rc = cell_writable(l, e, cell, &yes, eb)) || !yes)
		return rc;
	if (l->naside == l->acap) {
		size_t nc = l->acap ? 2 * l->acap : 4096;
		struct aside *a = realloc(l->aside, nc * sizeof(*a));

		if (!a)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		l->aside = a;
		l->acap = nc;
	}
	if (fwrite(e->bytes, 1, e->len, l->spill) != e->len)
		return cb_error(eb, CB_EIO,
		                _("cannot write the audit's scratch file: %s"),
		                strerror(errno));
	l->spill_dirty = true;
	l->aside[i] =
		(struct aside){ leaf, l->spill_len, (uint32_t)e->len, false };
	l->spill_len += e->len;
	l->naside++;
	l->nopen++;
	if ((rc = key_put(l, idk, i, eb)))
		return rc;
	for (size_t k = 0; k < nn; k++)
		if ((rc = key_put(l, nk[k], i, eb)))
			return rc;
	*done = true;
	return CB_OK;
}

/* Does op read member rows only through the ids and numbers it names
 * (the registry's CB_OP_KEYED)? An unknown op projects everything first. */
static bool
keyed(const char *op)
{
	const struct cb_op *o = cb_op_find(op);

	return o && (o->flags & CB_OP_KEYED);
}

cb_err
cb_lazyreplay_take(struct cb_lazyreplay *l, const struct cb_entry *e,
                   uint64_t leaf, struct cb_errbuf *eb)
{
	bool aside, all;
	cb_err rc;

	if (!l->lazy)
		return project(l, e, leaf, eb);
	if ((rc = set_aside(l, e, leaf, &aside, eb)) || aside)
		return rc;
	all = !keyed(e->op);
	l->hits.n = 0;
	for (size_t i = 0; i < e->ndeps; i++)
		if ((rc = name_key(l,
		                   key_of(l, e->deps[i], CB_HASH_BYTES, true),
		                   true, eb)))
			return rc;
	if (!cb_entry_body(e))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if ((rc = name_strings(l, e->json, NULL, all, eb)))
		return rc;
	if (all) {
		if ((rc = cb_lazyreplay_flush(l, eb)))
			return rc;
	} else {
		if (l->hits.n > 1) /* no array to sort before the first */
			qsort(l->hits.v, l->hits.n, sizeof(*l->hits.v),
			      by_index);
		for (size_t i = 0; i < l->hits.n; i++)
			if ((rc = project_aside(l, l->hits.v[i], eb)))
				return rc;
	}
	return project(l, e, leaf, eb);
}

uint64_t
cb_lazyreplay_aside(const struct cb_lazyreplay *l)
{
	return l->nopen;
}

cb_err
cb_lazyreplay_new(struct cb_store *st, bool lazy, const char *tmpdir,
                  const struct cb_lazyreplay_hooks *hooks,
                  struct cb_lazyreplay **out, struct cb_errbuf *eb)
{
	struct cb_lazyreplay *l = calloc(1, sizeof(*l));
	char path[512];

	if (!l)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	l->st = st;
	l->lazy = lazy;
	l->fd = -1;
	l->any_pending = -1;
	if (hooks)
		l->hooks = *hooks;
	crypto_shorthash_keygen(l->hkey);
	l->kcap = 64; /* small: the tests' logs make it grow */
	if (!(l->keys = table_new(l->kcap))) {
		free(l);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	if (lazy) {
		snprintf(path, sizeof(path), "%s/chibo-aside-XXXXXX", tmpdir);
		if ((l->fd = mkstemp(path)) < 0 ||
		    !(l->spill = fdopen(l->fd, "w+b"))) {
			cb_err rc = cb_error(eb, CB_EIO,
			                     _("cannot make a scratch file in "
			                       "%s: %s"),
			                     tmpdir, strerror(errno));

			if (l->fd >= 0) {
				unlink(path);
				close(l->fd);
			}
			free(l->keys);
			free(l);
			return rc;
		}
		unlink(path);
		setvbuf(l->spill, NULL, _IOFBF, SPILL_BUFFER);
	}
	*out = l;
	return CB_OK;
}

void
cb_lazyreplay_free(struct cb_lazyreplay **pl)
{
	struct cb_lazyreplay *l = pl ? *pl : NULL;

	if (!l)
		return;
	if (l->spill)
		fclose(l->spill);
	free(l->aside);
	free(l->keys);
	free(l->hits.v);
	free(l);
	*pl = NULL;
}
