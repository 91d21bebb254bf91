/* SPDX-License-Identifier: MIT */
/* tlog.c — the stored transparency log (see tlog.h), over the log
 * interface (log.h). catch_up keeps the right edge of the tree — its
 * compact range, one perfect subtree per bit of the size — in memory,
 * loaded once from the stored nodes, so that appending a leaf costs one
 * hash and one node stored, plus one of each for every perfect parent the
 * leaf completes (one on average), and never a read. */
#include "tlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "clock.h"
#include "log.h"
#include "merkle.h"

cb_err
cb_tlog_size(struct cb_log *log, uint64_t *size, struct cb_errbuf *eb)
{
	return cb_log_tree_size(log, size, eb);
}

cb_err
cb_tlog_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
             struct cb_errbuf *eb)
{
	cb_err rc;

	if (level > 63 || index > INT64_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("no transparency log node at level %u index "
		                  "%llu: out of range"),
		                level, (unsigned long long)index);
	rc = cb_log_node_get(ctx, level, index, out, eb);
	if (rc == CB_ENOTFOUND)
		return cb_error(
			eb, CB_ENOTFOUND,
			_("the transparency log has no node at level %u "
		          "index %llu"),
			level, (unsigned long long)index);
	return rc;
}

/* The compact range of the stored tree of `size` leaves: the perfect
 * subtrees of size's binary digits, largest (leftmost) first. */
static cb_err
load_right_edge(struct cb_log *log, uint64_t size, uint8_t stack[64][32],
                unsigned *top, struct cb_errbuf *eb)
{
	uint64_t pos = 0;
	unsigned n = 0;
	cb_err rc;

	for (unsigned level = 64; level-- > 0;) {
		uint64_t width = UINT64_C(1) << level;

		if (!(size & width))
			continue;
		rc = cb_tlog_node(log, level, pos >> level, stack[n++], eb);
		if (rc == CB_ENOTFOUND)
			return cb_error_prefix(
				eb, CB_EIO,
				_("the transparency log is damaged"));
		if (rc)
			return rc;
		pos += width;
	}
	*top = n;
	return CB_OK;
}

/* Is the log at least as long as the tree? A tree past the log means
 * entries were removed behind its back. */
static cb_err
check_log_end(struct cb_log *log, uint64_t size, struct cb_errbuf *eb)
{
	int64_t last;
	cb_err rc = cb_log_size(log, &last, eb);

	if (rc)
		return rc;
	if (last < 0 || (uint64_t)last < size)
		return cb_error(
			eb, CB_EIO,
			_("the transparency log has %llu leaves but the log "
		          "ends at lsn %lld: entries "
		          "were removed; restore the hub from a backup"),
			(unsigned long long)size, (long long)last);
	return CB_OK;
}

/* The leaves to append, hashed and checked before anything is stored, so
 * that a log with a gap changes nothing. */
struct leaves {
	uint8_t (*hash)[32];
	size_t n, cap;
	uint64_t size; /* the tree's size before them */
	struct cb_errbuf *eb;
};

static cb_err
hash_leaf(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	static const uint8_t nothing[1] = { 0 };
	struct leaves *l = ctx;

	if ((uint64_t)lsn != l->size + l->n + 1)
		return cb_error(
			l->eb, CB_ECHAIN,
			_("cannot extend the transparency log: entry lsn "
		          "%lld follows lsn %llu, but the log's lsn must run "
		          "1, 2, 3, … "
		          "without gaps"),
			(long long)lsn, (unsigned long long)(l->size + l->n));
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		uint8_t(*p)[32] = realloc(l->hash, cap * sizeof(*p));

		if (!p)
			return cb_error(l->eb, CB_ENOMEM, _("out of memory"));
		l->hash = p;
		l->cap = cap;
	}
	cb_merkle_leaf_hash(bytes ? bytes : nothing, len, l->hash[l->n++]);
	return CB_OK;
}

/* The nodes to store, written a batch at a time. */
#define NODES_BATCH 4096
struct nodes {
	struct cb_log_node v[NODES_BATCH];
	size_t n;
};

static cb_err
node_add(struct cb_log *log, struct nodes *out, unsigned level, uint64_t idx,
         const uint8_t h[32], struct cb_errbuf *eb)
{
	struct cb_log_node *n = &out->v[out->n++];

	n->level = level;
	n->idx = idx;
	memcpy(n->hash, h, 32);
	if (out->n < NODES_BATCH)
		return CB_OK;
	out->n = 0;
	return cb_log_nodes_put(log, out->v, NODES_BATCH, eb);
}

/* Store leaf h at index size of the tree whose right edge is stack[0 ..
 * *top), and every perfect parent it completes (into out). */
static cb_err
append_leaf(struct cb_log *log, struct nodes *out, uint8_t stack[64][32],
            unsigned *top, uint64_t size, const uint8_t leaf[32],
            struct cb_errbuf *eb)
{
	uint64_t idx = size;
	unsigned level = 0;
	uint8_t h[32];
	cb_err rc;

	memcpy(h, leaf, 32);
	rc = node_add(log, out, 0, idx, h, eb);
	/* Every trailing 1 bit of size is a perfect subtree on the right
	 * edge that this leaf completes into a parent. */
	for (uint64_t v = size; !rc && (v & 1); v >>= 1) {
		cb_merkle_node_hash(stack[--*top], h, h);
		level++;
		idx >>= 1;
		rc = node_add(log, out, level, idx, h, eb);
	}
	if (!rc)
		memcpy(stack[(*top)++], h, 32);
	return rc;
}

cb_err
cb_tlog_catch_up(struct cb_log *log, uint64_t *added, struct cb_errbuf *eb)
{
	struct leaves l = { .eb = eb };
	struct nodes *out = NULL;
	uint8_t stack[64][32];
	unsigned top = 0;
	cb_err rc;

	if ((rc = cb_tlog_size(log, &l.size, eb)) ||
	    (rc = check_log_end(log, l.size, eb)) ||
	    (rc = load_right_edge(log, l.size, stack, &top, eb)) ||
	    (rc = cb_log_read_after(log, (int64_t)l.size, 0, hash_leaf, &l,
	                            eb)))
		goto out;
	if (l.n && !(out = malloc(sizeof(*out)))) {
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		goto out;
	}
	if (out)
		out->n = 0;
	for (size_t i = 0; i < l.n && !rc; i++)
		rc = append_leaf(log, out, stack, &top, l.size + i, l.hash[i],
		                 eb);
	if (!rc && out)
		rc = cb_log_nodes_put(log, out->v, out->n, eb);
	if (!rc)
		*added = l.n;
out:
	free(out);
	free(l.hash);
	return rc;
}

cb_err
cb_tlog_checkpoint_add(struct cb_log *log, uint64_t size,
                       const uint8_t root[32], const char *note,
                       int64_t made_ms, struct cb_errbuf *eb)
{
	if (size > INT64_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("checkpoint size %llu is out of range"),
		                (unsigned long long)size);
	return cb_log_checkpoint_add(log, size, root, note, made_ms, eb);
}

cb_err
cb_tlog_checkpoint_latest(struct cb_log *log, uint64_t *size, uint8_t root[32],
                          char **note, struct cb_errbuf *eb)
{
	return cb_log_checkpoint_latest(log, size, root, note, eb);
}

void
cb_tlog_origin(const char *org, char *out, size_t n)
{
	snprintf(out, n, "chibo/hub/%s", org);
}

cb_err
cb_tlog_sign(struct cb_log *log, const char *org, const unsigned char *sk,
             struct cb_errbuf *eb)
{
	struct cb_checkpoint cp = { 0 };
	uint8_t last_root[CB_MERKLE_HASH];
	uint64_t added = 0, last = 0;
	char *note = NULL;
	cb_err rc;

	if ((rc = cb_tlog_catch_up(log, &added, eb)) ||
	    (rc = cb_tlog_size(log, &cp.size, eb)))
		return rc;
	rc = cb_tlog_checkpoint_latest(log, &last, last_root, &note, eb);
	free(note);
	note = NULL;
	if (rc == CB_OK && last == cp.size)
		return CB_OK;
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	cb_tlog_origin(org, cp.origin, sizeof(cp.origin));
	if ((rc = cb_merkle_root(cb_tlog_node, log, cp.size, cp.root, eb)) ||
	    (rc = cb_checkpoint_sign(&cp, cp.origin, sk, &note, eb)))
		return rc;
	rc = cb_tlog_checkpoint_add(log, cp.size, cp.root, note, cb_now_ms(),
	                            eb);
	free(note);
	return rc;
}
