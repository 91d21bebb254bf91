/* SPDX-License-Identifier: MIT */
/* tlog.h — the hub's transparency log, kept through the log interface
 * (log.h; in a store, schema/008_tlog.sql): the RFC 6962 Merkle tree whose
 * leaf i is the bytes of the entry at position i + 1, kept as every
 * perfect subtree, and the checkpoints the hub signed. The tree follows
 * the log: cb_tlog_catch_up appends what arrived since, and cb_tlog_node
 * feeds merkle.h's tree heads and proofs from the stored nodes. */
#ifndef CB_TLOG_H
#define CB_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "log.h"

/* Number of leaves in the stored tree. */
cb_err cb_tlog_size(struct cb_log *log, uint64_t *size,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* Append a leaf for every entry with lsn > the tree's size, in lsn order,
 * storing each leaf hash and every perfect parent it completes, inside
 * the caller's transaction on the log. The leaves are read and checked
 * before any is stored, so a refusal changes nothing; a storage error may
 * leave part, and the caller rolls back. Fails with CB_ECHAIN when lsn is
 * not dense (an
 * entry's lsn is not size + 1) and CB_EIO when the stored tree is damaged
 * or longer than the log. *added = the number of leaves appended. */
cb_err cb_tlog_catch_up(struct cb_log *log, uint64_t *added,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* A cb_merkle_node_fn reading the log's nodes; ctx is the struct cb_log *.
 * CB_ENOTFOUND for a node the stored tree does not have. */
cb_err cb_tlog_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
                    struct cb_errbuf *eb);

/* Record a checkpoint the hub issued. CB_EEXIST if one of that size is
 * recorded already. */
cb_err cb_tlog_checkpoint_add(struct cb_log *log, uint64_t size,
                              const uint8_t root[32], const char *note,
                              int64_t made_ms,
                              struct cb_errbuf *eb) CB_MUST_CHECK;

/* The checkpoint of the largest size issued: its size, root and note
 * (*note malloc'd, the caller frees). CB_ENOTFOUND when none was issued. */
cb_err cb_tlog_checkpoint_latest(struct cb_log *log, uint64_t *size,
                                 uint8_t root[32], char **note,
                                 struct cb_errbuf *eb) CB_MUST_CHECK;

/* "chibo/hub/ORG": the origin line of the checkpoints of the hub of
 * organisation org, which is also the name of its key in them. */
void cb_tlog_origin(const char *org, char *out, size_t n);

/* Inside the caller's write transaction: bring the tree up to every stored
 * entry, and unless the latest checkpoint already covers it, sign one with
 * the hub's secret key sk (as cb_tlog_origin(org)) and record it. */
cb_err cb_tlog_sign(struct cb_log *log, const char *org,
                    const unsigned char *sk,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
