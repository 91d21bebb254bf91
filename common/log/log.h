/* SPDX-License-Identifier: MIT */
/* log.h — the log interface: what a store keeps of the entries themselves,
 * apart from the view projected from them. Entries in arrival order (a
 * position, lsn, from 1, without gaps), each author's chain (its head,
 * the id at a seq), the transparency log's Merkle nodes and signed
 * checkpoints (tlog.h), and named cursors (how far a reader has got).
 *
 * A backend is one row of struct cb_log_be, as git's ref storage backends
 * are: SQLite (log_sqlite.c, the store's entries, tlog_nodes, checkpoints
 * and meta tables) and memory (log_mem.c, for tests: the same contract,
 * tested by the same suite, tests/unit/test_log.c). Callers never see
 * which. Writes happen inside a transaction the caller began on the log
 * (cb_log_begin); a rollback leaves the log as it was at the begin.
 *
 * Each entry carries, beside its bytes, what the view said of it when it
 * was stored — applied, rejected with a reason, pending, or kept as
 * evidence of a fork — because a store writes both in one go; the log
 * itself never reads them but to leave evidence out of chains. */
#ifndef CB_LOG_H
#define CB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain.h"
#include "entry.h"
#include "err.h"

struct cb_log;

/* Called for each entry read, in position order; a non-zero return stops
 * the read and is returned by it. */
typedef cb_err (*cb_log_visit_fn)(void *ctx, int64_t lsn, const void *bytes,
                                  size_t len);

/* A node of the Merkle tree: the hash of leaves [idx << level, (idx + 1)
 * << level). */
struct cb_log_node {
	unsigned level;
	uint64_t idx;
	uint8_t hash[32];
};

struct cb_log_be {
	const char *name;
	void (*free)(struct cb_log *log);
	cb_err (*begin)(struct cb_log *log, struct cb_errbuf *eb);
	cb_err (*commit)(struct cb_log *log, struct cb_errbuf *eb);
	void (*rollback)(struct cb_log *log);
	cb_err (*append)(struct cb_log *log, const struct cb_entry *e,
	                 const char *state, const char *reason, bool evidence,
	                 int64_t *lsn, struct cb_errbuf *eb);
	cb_err (*size)(struct cb_log *log, int64_t *lsn, struct cb_errbuf *eb);
	cb_err (*read_after)(struct cb_log *log, int64_t after, size_t max,
	                     cb_log_visit_fn fn, void *ctx,
	                     struct cb_errbuf *eb);
	cb_err (*read_chain)(struct cb_log *log,
	                     const unsigned char author[CB_KEY_BYTES],
	                     uint64_t after, size_t max, cb_log_visit_fn fn,
	                     void *ctx, struct cb_errbuf *eb);
	cb_err (*lsn_of)(struct cb_log *log,
	                 const unsigned char id[CB_HASH_BYTES], int64_t *lsn,
	                 struct cb_errbuf *eb);
	cb_err (*head)(struct cb_log *log,
	               const unsigned char author[CB_KEY_BYTES],
	               struct cb_chain_head *h, struct cb_errbuf *eb);
	cb_err (*id_at)(struct cb_log *log,
	                const unsigned char author[CB_KEY_BYTES], uint64_t seq,
	                unsigned char id[CB_HASH_BYTES], struct cb_errbuf *eb);
	cb_err (*node_get)(struct cb_log *log, unsigned level, uint64_t idx,
	                   uint8_t out[32], struct cb_errbuf *eb);
	cb_err (*node_put)(struct cb_log *log, unsigned level, uint64_t idx,
	                   const uint8_t hash[32], struct cb_errbuf *eb);
	/* optional: many nodes at once (else node_put for each) */
	cb_err (*nodes_put)(struct cb_log *log, const struct cb_log_node *nodes,
	                    size_t n, struct cb_errbuf *eb);
	cb_err (*tree_size)(struct cb_log *log, uint64_t *size,
	                    struct cb_errbuf *eb);
	cb_err (*checkpoint_add)(struct cb_log *log, uint64_t size,
	                         const uint8_t root[32], const char *note,
	                         int64_t made_ms, struct cb_errbuf *eb);
	cb_err (*checkpoint_latest)(struct cb_log *log, uint64_t *size,
	                            uint8_t root[32], char **note,
	                            struct cb_errbuf *eb);
	cb_err (*cursor_get)(struct cb_log *log, const char *name, int64_t *v,
	                     struct cb_errbuf *eb);
	cb_err (*cursor_set)(struct cb_log *log, const char *name, int64_t v,
	                     struct cb_errbuf *eb);
};

/* Backends put this first in their own state. */
struct cb_log {
	const struct cb_log_be *be;
};

/* The memory backend: an empty log of its own. */
struct cb_log *cb_log_mem_new(void);
/* The SQL backend over st's tables (a store keeps one: store.h,
 * cb_store_log, which is what callers use). */
struct cb_store;
struct cb_log *cb_log_sql_new(struct cb_store *st);
/* Free a log made by a _new function; NULL-safe. */
void cb_log_free(struct cb_log **log);

cb_err cb_log_begin(struct cb_log *log, struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_log_commit(struct cb_log *log, struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_log_rollback(struct cb_log *log);

/* Store e at the next position (*lsn, if not NULL), with the view's
 * verdict on it. */
cb_err cb_log_append(struct cb_log *log, const struct cb_entry *e,
                     const char *state, const char *reason, bool evidence,
                     int64_t *lsn, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The last position (0: empty). */
cb_err cb_log_size(struct cb_log *log, int64_t *lsn,
                   struct cb_errbuf *eb) CB_MUST_CHECK;
/* The entries after position after, in order, at most max (0: all). */
cb_err cb_log_read_after(struct cb_log *log, int64_t after, size_t max,
                         cb_log_visit_fn fn, void *ctx,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* The entries of author's chain after seq after, in seq order, evidence
 * left out, at most max (0: all). */
cb_err cb_log_read_chain(struct cb_log *log,
                         const unsigned char author[CB_KEY_BYTES],
                         uint64_t after, size_t max, cb_log_visit_fn fn,
                         void *ctx, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The position of the entry id (evidence included); CB_ENOTFOUND. */
cb_err cb_log_lsn_of(struct cb_log *log, const unsigned char id[CB_HASH_BYTES],
                     int64_t *lsn, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The head of author's chain, evidence left out (seq 0: none held). */
cb_err cb_log_head(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
                   struct cb_chain_head *h, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The id held at (author, seq), evidence left out; CB_ENOTFOUND. */
cb_err cb_log_id_at(struct cb_log *log,
                    const unsigned char author[CB_KEY_BYTES], uint64_t seq,
                    unsigned char id[CB_HASH_BYTES],
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* The Merkle tree's nodes: the hash of leaves [idx << level, (idx + 1) <<
 * level); CB_ENOTFOUND for one not stored. tree_size: the leaves stored
 * (the nodes at level 0). */
cb_err cb_log_node_get(struct cb_log *log, unsigned level, uint64_t idx,
                       uint8_t out[32], struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_log_node_put(struct cb_log *log, unsigned level, uint64_t idx,
                       const uint8_t hash[32],
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* n nodes in that order, as node_put each: a backend may write them in
 * fewer statements (a store on a server: fewer round trips). */
cb_err cb_log_nodes_put(struct cb_log *log, const struct cb_log_node *nodes,
                        size_t n, struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_log_tree_size(struct cb_log *log, uint64_t *size,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Checkpoints issued: one per size (CB_EEXIST for a second); the latest
 * (the largest size; *note malloc'd), CB_ENOTFOUND when none. */
cb_err cb_log_checkpoint_add(struct cb_log *log, uint64_t size,
                             const uint8_t root[32], const char *note,
                             int64_t made_ms,
                             struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_log_checkpoint_latest(struct cb_log *log, uint64_t *size,
                                uint8_t root[32], char **note,
                                struct cb_errbuf *eb) CB_MUST_CHECK;

/* Named cursors (a reader's position on another log, say): CB_ENOTFOUND
 * for one never set. */
cb_err cb_log_cursor_get(struct cb_log *log, const char *name, int64_t *v,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_log_cursor_set(struct cb_log *log, const char *name, int64_t v,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
