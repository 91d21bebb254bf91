/* SPDX-License-Identifier: MIT */
/* log_mem.c — the log interface's memory backend (log.h): arrays that
 * only grow, searched from the end, for tests. It keeps the contract the
 * SQL backend keeps — positions from 1 without gaps, evidence out of
 * chains, one checkpoint per size, a rollback back to the begin — and is
 * held to it by the same suite (tests/unit/test_log.c). A rollback
 * truncates what grew since the begin and puts the cursors back. */
#include "log.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

struct mem_entry {
	unsigned char id[CB_HASH_BYTES];
	unsigned char author[CB_KEY_BYTES];
	uint64_t seq;
	bool evidence;
	unsigned char *bytes;
	size_t len;
};

struct mem_node {
	unsigned level;
	uint64_t idx;
	uint8_t hash[32];
};

struct mem_checkpoint {
	uint64_t size;
	uint8_t root[32];
	char *note;
};

struct mem_cursor {
	char *name;
	int64_t v;
};

/* A grown array: its items and how many. */
#define ARRAY(T)                                                               \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

struct mem_log {
	struct cb_log base;
	ARRAY(struct mem_entry) entries;
	ARRAY(struct mem_node) nodes;
	ARRAY(struct mem_checkpoint) checkpoints;
	ARRAY(struct mem_cursor) cursors;
	/* at the begin of the transaction in progress */
	bool in_txn;
	size_t n_entries, n_nodes, n_checkpoints;
	struct mem_cursor *saved;
	size_t n_saved;
};

#define MEM(log) ((struct mem_log *)(void *)(log))

/* Room for one more item in a; false when out of memory. */
static bool
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!p)
		return false;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

#define PUSH(a) grow((void **)&(a).v, &(a).cap, (a).n, sizeof(*(a).v))

static void
free_cursors(struct mem_cursor *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

static void
truncate_to(struct mem_log *m, size_t ne, size_t nn, size_t nc)
{
	while (m->entries.n > ne)
		free(m->entries.v[--m->entries.n].bytes);
	m->nodes.n = nn;
	while (m->checkpoints.n > nc)
		free(m->checkpoints.v[--m->checkpoints.n].note);
}

static void
mem_free(struct cb_log *log)
{
	struct mem_log *m = MEM(log);

	truncate_to(m, 0, 0, 0);
	free(m->entries.v);
	free(m->nodes.v);
	free(m->checkpoints.v);
	free_cursors(m->cursors.v, m->cursors.n);
	free_cursors(m->saved, m->n_saved);
	free(m);
}

static cb_err
mem_begin(struct cb_log *log, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	if (m->in_txn)
		return cb_error(eb, CB_EINVAL,
		                _("a transaction is in progress"));
	m->saved = calloc(m->cursors.n + 1, sizeof(*m->saved));
	if (!m->saved)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < m->cursors.n; i++) {
		m->saved[i].v = m->cursors.v[i].v;
		if (!(m->saved[i].name = strdup(m->cursors.v[i].name))) {
			free_cursors(m->saved, i);
			m->saved = NULL;
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
	}
	m->n_saved = m->cursors.n;
	m->n_entries = m->entries.n;
	m->n_nodes = m->nodes.n;
	m->n_checkpoints = m->checkpoints.n;
	m->in_txn = true;
	return CB_OK;
}

static cb_err
mem_commit(struct cb_log *log, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	if (!m->in_txn)
		return cb_error(eb, CB_EINVAL, _("no transaction to commit"));
	free_cursors(m->saved, m->n_saved);
	m->saved = NULL;
	m->n_saved = 0;
	m->in_txn = false;
	return CB_OK;
}

static void
mem_rollback(struct cb_log *log)
{
	struct mem_log *m = MEM(log);

	if (!m->in_txn)
		return;
	truncate_to(m, m->n_entries, m->n_nodes, m->n_checkpoints);
	free_cursors(m->cursors.v, m->cursors.n);
	m->cursors.v = m->saved;
	m->cursors.n = m->cursors.cap = m->n_saved;
	m->saved = NULL;
	m->n_saved = 0;
	m->in_txn = false;
}

static cb_err
need_txn(struct mem_log *m, struct cb_errbuf *eb)
{
	return m->in_txn ? CB_OK
	                 : cb_error(eb, CB_EINVAL,
	                            _("a log is written inside a transaction"));
}

static cb_err
mem_append(struct cb_log *log, const struct cb_entry *e, const char *state,
           const char *reason, bool evidence, int64_t *lsn,
           struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	struct mem_entry *x;
	cb_err rc;

	(void)state;
	(void)reason;
	if ((rc = need_txn(m, eb)))
		return rc;
	for (size_t i = 0; i < m->entries.n; i++)
		if (!memcmp(m->entries.v[i].id, e->id, CB_HASH_BYTES))
			return cb_error(eb, CB_EEXIST,
			                _("the log holds that entry already"));
	if (!PUSH(m->entries))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	x = &m->entries.v[m->entries.n];
	if (!(x->bytes = malloc(e->len)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	memcpy(x->bytes, e->bytes, e->len);
	x->len = e->len;
	memcpy(x->id, e->id, CB_HASH_BYTES);
	memcpy(x->author, e->author, CB_KEY_BYTES);
	x->seq = e->seq;
	x->evidence = evidence;
	*lsn = (int64_t)++m->entries.n;
	return CB_OK;
}

static cb_err
mem_size(struct cb_log *log, int64_t *lsn, struct cb_errbuf *eb)
{
	(void)eb;
	*lsn = (int64_t)MEM(log)->entries.n;
	return CB_OK;
}

static cb_err
mem_read_after(struct cb_log *log, int64_t after, size_t max,
               cb_log_visit_fn fn, void *ctx, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	size_t done = 0;

	(void)eb;
	for (size_t i = after > 0 ? (size_t)after : 0;
	     i < m->entries.n && (!max || done < max); i++, done++) {
		cb_err rc = fn(ctx, (int64_t)i + 1, m->entries.v[i].bytes,
		               m->entries.v[i].len);

		if (rc)
			return rc;
	}
	return CB_OK;
}

static cb_err
mem_read_chain(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
               uint64_t after, size_t max, cb_log_visit_fn fn, void *ctx,
               struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	size_t done = 0;

	(void)eb;
	/* a chain's entries arrive in seq order: one pass in log order */
	for (uint64_t want = after + 1;; want++) {
		size_t i;

		if (max && done == max)
			return CB_OK;
		for (i = 0; i < m->entries.n; i++) {
			const struct mem_entry *x = &m->entries.v[i];

			if (!x->evidence && x->seq == want &&
			    !memcmp(x->author, author, CB_KEY_BYTES))
				break;
		}
		if (i == m->entries.n)
			return CB_OK;
		cb_err rc = fn(ctx, (int64_t)i + 1, m->entries.v[i].bytes,
		               m->entries.v[i].len);
		if (rc)
			return rc;
		done++;
	}
}

static cb_err
mem_lsn_of(struct cb_log *log, const unsigned char id[CB_HASH_BYTES],
           int64_t *lsn, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	(void)eb;
	for (size_t i = m->entries.n; i-- > 0;)
		if (!memcmp(m->entries.v[i].id, id, CB_HASH_BYTES)) {
			*lsn = (int64_t)i + 1;
			return CB_OK;
		}
	return CB_ENOTFOUND;
}

static cb_err
mem_head(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
         struct cb_chain_head *h, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	(void)eb;
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < m->entries.n; i++) {
		const struct mem_entry *x = &m->entries.v[i];

		if (!x->evidence && x->seq > h->seq &&
		    !memcmp(x->author, author, CB_KEY_BYTES)) {
			h->seq = x->seq;
			memcpy(h->id, x->id, CB_HASH_BYTES);
		}
	}
	return CB_OK;
}

static cb_err
mem_id_at(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
          uint64_t seq, unsigned char id[CB_HASH_BYTES], struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	(void)eb;
	for (size_t i = 0; i < m->entries.n; i++) {
		const struct mem_entry *x = &m->entries.v[i];

		if (!x->evidence && x->seq == seq &&
		    !memcmp(x->author, author, CB_KEY_BYTES)) {
			memcpy(id, x->id, CB_HASH_BYTES);
			return CB_OK;
		}
	}
	return CB_ENOTFOUND;
}

static struct mem_node *
node_find(struct mem_log *m, unsigned level, uint64_t idx)
{
	for (size_t i = m->nodes.n; i-- > 0;)
		if (m->nodes.v[i].level == level && m->nodes.v[i].idx == idx)
			return &m->nodes.v[i];
	return NULL;
}

static cb_err
mem_node_get(struct cb_log *log, unsigned level, uint64_t idx, uint8_t out[32],
             struct cb_errbuf *eb)
{
	struct mem_node *n = node_find(MEM(log), level, idx);

	(void)eb;
	if (!n)
		return CB_ENOTFOUND;
	memcpy(out, n->hash, 32);
	return CB_OK;
}

static cb_err
mem_node_put(struct cb_log *log, unsigned level, uint64_t idx,
             const uint8_t hash[32], struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	struct mem_node *n;
	cb_err rc;

	if ((rc = need_txn(m, eb)))
		return rc;
	if (node_find(m, level, idx))
		return cb_error(eb, CB_EEXIST,
		                _("the tree holds node (%u, %llu) already"),
		                level, (unsigned long long)idx);
	if (!PUSH(m->nodes))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	n = &m->nodes.v[m->nodes.n++];
	n->level = level;
	n->idx = idx;
	memcpy(n->hash, hash, 32);
	return CB_OK;
}

static cb_err
mem_tree_size(struct cb_log *log, uint64_t *size, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	(void)eb;
	*size = 0;
	for (size_t i = 0; i < m->nodes.n; i++)
		if (m->nodes.v[i].level == 0 && m->nodes.v[i].idx + 1 > *size)
			*size = m->nodes.v[i].idx + 1;
	return CB_OK;
}

static cb_err
mem_checkpoint_add(struct cb_log *log, uint64_t size, const uint8_t root[32],
                   const char *note, int64_t made_ms, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	struct mem_checkpoint *c;
	cb_err rc;

	(void)made_ms;
	if ((rc = need_txn(m, eb)))
		return rc;
	for (size_t i = 0; i < m->checkpoints.n; i++)
		if (m->checkpoints.v[i].size == size)
			return cb_error(
				eb, CB_EEXIST,
				_("a checkpoint of size %llu was issued "
			          "already"),
				(unsigned long long)size);
	if (!PUSH(m->checkpoints))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	c = &m->checkpoints.v[m->checkpoints.n];
	if (!(c->note = strdup(note)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	c->size = size;
	memcpy(c->root, root, 32);
	m->checkpoints.n++;
	return CB_OK;
}

static cb_err
mem_checkpoint_latest(struct cb_log *log, uint64_t *size, uint8_t root[32],
                      char **note, struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	const struct mem_checkpoint *best = NULL;

	for (size_t i = 0; i < m->checkpoints.n; i++)
		if (!best || m->checkpoints.v[i].size > best->size)
			best = &m->checkpoints.v[i];
	if (!best)
		return cb_error(eb, CB_ENOTFOUND,
		                _("no checkpoint was issued yet"));
	if (!(*note = strdup(best->note)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	*size = best->size;
	memcpy(root, best->root, 32);
	return CB_OK;
}

static cb_err
mem_cursor_get(struct cb_log *log, const char *name, int64_t *v,
               struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);

	(void)eb;
	for (size_t i = 0; i < m->cursors.n; i++)
		if (!strcmp(m->cursors.v[i].name, name)) {
			*v = m->cursors.v[i].v;
			return CB_OK;
		}
	return CB_ENOTFOUND;
}

static cb_err
mem_cursor_set(struct cb_log *log, const char *name, int64_t v,
               struct cb_errbuf *eb)
{
	struct mem_log *m = MEM(log);
	cb_err rc;

	if ((rc = need_txn(m, eb)))
		return rc;
	for (size_t i = 0; i < m->cursors.n; i++)
		if (!strcmp(m->cursors.v[i].name, name)) {
			m->cursors.v[i].v = v;
			return CB_OK;
		}
	if (!PUSH(m->cursors) ||
	    !(m->cursors.v[m->cursors.n].name = strdup(name)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	m->cursors.v[m->cursors.n++].v = v;
	return CB_OK;
}

static const struct cb_log_be mem_be = {
	.name = "memory",
	.free = mem_free,
	.begin = mem_begin,
	.commit = mem_commit,
	.rollback = mem_rollback,
	.append = mem_append,
	.size = mem_size,
	.read_after = mem_read_after,
	.read_chain = mem_read_chain,
	.lsn_of = mem_lsn_of,
	.head = mem_head,
	.id_at = mem_id_at,
	.node_get = mem_node_get,
	.node_put = mem_node_put,
	.tree_size = mem_tree_size,
	.checkpoint_add = mem_checkpoint_add,
	.checkpoint_latest = mem_checkpoint_latest,
	.cursor_get = mem_cursor_get,
	.cursor_set = mem_cursor_set,
};

struct cb_log *
cb_log_mem_new(void)
{
	struct mem_log *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->base.be = &mem_be;
	return &m->base;
}
