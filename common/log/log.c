/* SPDX-License-Identifier: MIT */
/* log.c — the log interface (log.h): each call goes to the log's backend. */
#include "log.h"

void
cb_log_free(struct cb_log **log)
{
	if (log && *log) {
		(*log)->be->free(*log);
		*log = NULL;
	}
}

cb_err
cb_log_begin(struct cb_log *log, struct cb_errbuf *eb)
{
	return log->be->begin(log, eb);
}

cb_err
cb_log_commit(struct cb_log *log, struct cb_errbuf *eb)
{
	return log->be->commit(log, eb);
}

void
cb_log_rollback(struct cb_log *log)
{
	log->be->rollback(log);
}

cb_err
cb_log_append(struct cb_log *log, const struct cb_entry *e, const char *state,
              const char *reason, bool evidence, int64_t *lsn,
              struct cb_errbuf *eb)
{
	int64_t at;
	cb_err rc = log->be->append(log, e, state, reason, evidence, &at, eb);

	if (!rc && lsn)
		*lsn = at;
	return rc;
}

cb_err
cb_log_size(struct cb_log *log, int64_t *lsn, struct cb_errbuf *eb)
{
	return log->be->size(log, lsn, eb);
}

cb_err
cb_log_read_after(struct cb_log *log, int64_t after, size_t max,
                  cb_log_visit_fn fn, void *ctx, struct cb_errbuf *eb)
{
	return log->be->read_after(log, after, max, fn, ctx, eb);
}

cb_err
cb_log_read_chain(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
                  uint64_t after, size_t max, cb_log_visit_fn fn, void *ctx,
                  struct cb_errbuf *eb)
{
	return log->be->read_chain(log, author, after, max, fn, ctx, eb);
}

cb_err
cb_log_lsn_of(struct cb_log *log, const unsigned char id[CB_HASH_BYTES],
              int64_t *lsn, struct cb_errbuf *eb)
{
	return log->be->lsn_of(log, id, lsn, eb);
}

cb_err
cb_log_head(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
            struct cb_chain_head *h, struct cb_errbuf *eb)
{
	return log->be->head(log, author, h, eb);
}

cb_err
cb_log_id_at(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
             uint64_t seq, unsigned char id[CB_HASH_BYTES],
             struct cb_errbuf *eb)
{
	return log->be->id_at(log, author, seq, id, eb);
}

cb_err
cb_log_node_get(struct cb_log *log, unsigned level, uint64_t idx,
                uint8_t out[32], struct cb_errbuf *eb)
{
	return log->be->node_get(log, level, idx, out, eb);
}

cb_err
cb_log_node_put(struct cb_log *log, unsigned level, uint64_t idx,
                const uint8_t hash[32], struct cb_errbuf *eb)
{
	return log->be->node_put(log, level, idx, hash, eb);
}

cb_err
cb_log_nodes_put(struct cb_log *log, const struct cb_log_node *nodes, size_t n,
                 struct cb_errbuf *eb)
{
	cb_err rc = CB_OK;

	if (log->be->nodes_put)
		return n ? log->be->nodes_put(log, nodes, n, eb) : CB_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = log->be->node_put(log, nodes[i].level, nodes[i].idx,
		                       nodes[i].hash, eb);
	return rc;
}

cb_err
cb_log_tree_size(struct cb_log *log, uint64_t *size, struct cb_errbuf *eb)
{
	return log->be->tree_size(log, size, eb);
}

cb_err
cb_log_checkpoint_add(struct cb_log *log, uint64_t size, const uint8_t root[32],
                      const char *note, int64_t made_ms, struct cb_errbuf *eb)
{
	return log->be->checkpoint_add(log, size, root, note, made_ms, eb);
}

cb_err
cb_log_checkpoint_latest(struct cb_log *log, uint64_t *size, uint8_t root[32],
                         char **note, struct cb_errbuf *eb)
{
	return log->be->checkpoint_latest(log, size, root, note, eb);
}

cb_err
cb_log_cursor_get(struct cb_log *log, const char *name, int64_t *v,
                  struct cb_errbuf *eb)
{
	return log->be->cursor_get(log, name, v, eb);
}

cb_err
cb_log_cursor_set(struct cb_log *log, const char *name, int64_t v,
                  struct cb_errbuf *eb)
{
	return log->be->cursor_set(log, name, v, eb);
}
