/* SPDX-License-Identifier: MIT */
/* ledger.h — a commune's replica: a directory holding the SQLite file
 * (replica.db) and the agent's signing key (agent.key). Appending an op
 * signs one entry, chains it to the author's previous one and projects it,
 * in one transaction; verify re-checks everything; rebuild re-derives the
 * tables from the entries. */
#ifndef CB_LEDGER_H
#define CB_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "clock.h"
#include "entry.h"
#include "err.h"
#include "grant.h"
#include "key.h"
#include "store.h"

#define CB_REPLICA_DB "replica.db"
/* In a hub's directory, the address of its PostgreSQL database, when its
 * store is one (chibo-hub init --database). */
#define CB_HUB_DATABASE_FILE "database"
#define CB_REPLICA_KEY "agent.key"

struct cb_ledger {
	struct cb_store *st;
	struct cb_key key;
	char *dir;
	char *org; /* the grassroots organisation's code */
	const struct cb_ledger_kind *kind;
	bool in_batch;
	uint64_t head_seq; /* valid inside a batch */
	unsigned char head_id[CB_HASH_BYTES];
};

/* What kind of store a directory holds: its file names, its first op, and
 * whether its own key is the authority that enrols others. */
struct cb_ledger_kind {
	const char *db, *key;
	const char *first_op;
	const char *what;         /* "replica", "hub": for messages */
	const char *init_command; /* how to make one */
	bool own_authority;
	/* Holds parts of other keys' chains (what a hub sent it): a gap
	 * between the entries held of another key is not a fault. */
	bool partial;
	/* Its key may be sealed with a passphrase (key.h): a commune's or
	 * an office's, signed with by a person; not a hub's, which signs
	 * unattended. */
	bool sealable;
	/* A file in the directory that, when present, holds the address of
	 * the store (a postgresql:// URI, store.h) in place of the file db:
	 * a hub's on PostgreSQL. NULL: the store is always the file. */
	const char *address;
};

/* A commune's replica (replica.db, agent.key, org.init) and a hub's
 * directory (hub.db, hub.key, hub.init; its key is the authority). */
extern const struct cb_ledger_kind cb_ledger_agent, cb_ledger_hub;
/* A committee's office (a district committee's, say): a replica like a
 * commune's, whose entry 1 is office.init, not org.init — the committee
 * is the hub's (hub.init); the office signs approvals for it. */
extern const struct cb_ledger_kind cb_ledger_office;
/* A successor's replica ('chibo-agent restore'): a commune's, whose key
 * signs no entry 1 — its organisation was founded by the key it succeeds,
 * and the hub sends it the whole record (org.succeed). Opened as a
 * commune's replica afterwards. */
extern const struct cb_ledger_kind cb_ledger_successor;

/* As cb_ledger_create/open for another kind of store. */
cb_err cb_ledger_create_kind(const char *dir, const struct cb_ledger_kind *kind,
                             const json_t *init, struct cb_ledger **out,
                             struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_ledger_open_kind(const char *dir, const struct cb_ledger_kind *kind,
                           struct cb_ledger **out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* A new replica's signing key sealed with a passphrase (key.h), at an
 * Argon2id cost (NULL: the default). */
struct cb_ledger_seal {
	const char *pass;
	size_t len;
	const struct cb_pwhash_cost *cost;
};

/* As cb_ledger_create_kind, with seal (NULL: a plain key): the key file
 * sealed, and a sync key beside it (CB_SYNC_KEY_FILE, grant.h) granted by
 * it, so that a timer can sync without the passphrase. */
cb_err cb_ledger_create_sealed(const char *dir,
                               const struct cb_ledger_kind *kind,
                               const json_t *init,
                               const struct cb_ledger_seal *seal,
                               struct cb_ledger **out,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* Open the signing key if it is sealed and not open yet, with the
 * passphrase got as passphrase.h says (cb_passphrase_key). CB_OK at once
 * for a plain or open key. A wrong passphrase: CB_ECRYPTO, nothing
 * changed. cb_ledger_append and cb_ledger_append_stream call it first,
 * before their transaction; a command that signs in a batch calls it
 * before cb_ledger_begin, so that no write lock is held while a person
 * types. */
cb_err cb_ledger_unseal(struct cb_ledger *lg,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* The key lg signs its requests to a hub with, into rk (release with
 * cb_request_key_release): its sync key when its directory holds one
 * (granted by its signing key: rk->grant is the Chibo-Grant header), else
 * a copy of its signing key, opened if sealed (rk->grant ""). */
cb_err cb_ledger_request_key(struct cb_ledger *lg, struct cb_request_key *rk,
                             struct cb_errbuf *eb) CB_MUST_CHECK;

/* Create a replica in dir (created mode 0700 if absent; must hold no
 * replica): the database, a fresh key, and entry 1, org.init with the
 * fields of init (code, name, kind, optional parent). */
cb_err cb_ledger_create(const char *dir, const json_t *init,
                        struct cb_ledger **out,
                        struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_ledger_open(const char *dir, struct cb_ledger **out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_ledger_free(struct cb_ledger **lg);

/* A batch: many appends in one transaction. Without one, each append is
 * its own durable transaction. */
cb_err cb_ledger_begin(struct cb_ledger *lg,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_ledger_commit(struct cb_ledger *lg,
                        struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_ledger_abort(struct cb_ledger *lg);

/* Prepare input as op (cb_ops_prepare), sign it as the next entry, project
 * it and store it. CB_ERULE/CB_ESCOPE/CB_EINVAL: refused, nothing written. If
 * out is not NULL it receives the entry. */
cb_err cb_ledger_append(struct cb_ledger *lg, const char *op,
                        const json_t *input, struct cb_entry *out,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* A source of operations for cb_ledger_append_stream, and where their
 * outcomes go. next() returns 1 with *op, *input (ownership passes to the
 * stream) and *tag set; 2 for an item already refused (why filled, tag
 * set); 0 at the end; -1 to stop with an error in why. done() is called
 * once per item, in the order next() gave them: rc CB_OK with e the stored
 * entry, or a refusal (CB_EINVAL, CB_ERULE, CB_ESCOPE, CB_ETOOBIG) with
 * why. It may
 * commit and begin the batch; it returns nonzero to stop the stream. */
struct cb_append_stream {
	int (*next)(void *ctx, const char **op, json_t **input, size_t *tag,
	            struct cb_errbuf *why);
	int (*done)(void *ctx, size_t tag, cb_err rc, const struct cb_entry *e,
	            const char *why);
	void *ctx;
};

/* Append every operation of the stream, inside a batch (cb_ledger_begin
 * first). The same entries as one cb_ledger_append per operation, but with
 * entry n+1 signed on a second core while entry n is projected: if entry n
 * is refused, n+1 is signed again on the right prev. Returns CB_OK at the
 * end of the stream or when done() stops it; another code for a storage
 * error or next() returning -1 (the caller should abort the batch). */
cb_err cb_ledger_append_stream(struct cb_ledger *lg,
                               const struct cb_append_stream *s,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* The head of author's chain in st: its highest seq and that entry's id
 * (0 and zeros if none). Evidence of a fork is not part of the chain. */
cb_err cb_ledger_head(struct cb_store *st,
                      const unsigned char author[CB_KEY_BYTES], uint64_t *seq,
                      unsigned char id[CB_HASH_BYTES],
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* The id st holds for (author, seq), fork evidence aside: CB_OK, or
 * CB_ENOTFOUND when it holds none. */
cb_err cb_ledger_id_at(struct cb_store *st,
                       const unsigned char author[CB_KEY_BYTES], uint64_t seq,
                       unsigned char id[CB_HASH_BYTES],
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Store e in the log of st with its state ("applied" or "rejected") and
 * the reason of a rejection; the caller holds a transaction. */
cb_err cb_ledger_store_entry(struct cb_store *st, const struct cb_entry *e,
                             const char *state, const char *reason,
                             struct cb_errbuf *eb) CB_MUST_CHECK;

/* Store e as evidence of a fork (rejected, with reason, entries.evidence
 * set): not part of its author's chain, never projected, frozen on. */
cb_err cb_ledger_store_evidence(struct cb_store *st, const struct cb_entry *e,
                                const char *reason,
                                struct cb_errbuf *eb) CB_MUST_CHECK;

/* Project e and store it, applied, rejected (with its reason in why) or
 * pending (it waits for an entry not held, or held and pending); then
 * settle what waited on it. *verdict is CB_OK, a rejection code or
 * CB_EPENDING; the return is CB_OK or a storage error. The caller holds a
 * transaction. */
cb_err cb_ledger_take(struct cb_store *st, const struct cb_entry *e,
                      cb_err *verdict, struct cb_errbuf *why,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* Apply, in log order, the pending entries at log positions up to bound
 * that wait on id and are now ready, and what waited on them in turn. */
cb_err cb_ledger_settle(struct cb_store *st,
                        const unsigned char id[CB_HASH_BYTES], int64_t bound,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

struct cb_verify_report {
	uint64_t entries;
	uint64_t authors;
	uint64_t applied;
	uint64_t rejected;
	uint64_t faults;
};

/* Check the file's integrity, every entry (encoding, signature, id, the
 * columns beside it), every chain (seq, prev, forks), and that the tables
 * equal a fresh projection of the entries. Each fault is passed to fault()
 * as one line; returns CB_OK only if there were none. */
cb_err cb_ledger_verify(struct cb_ledger *lg, struct cb_verify_report *r,
                        void (*fault)(void *ctx, const char *msg), void *ctx,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Rebuild every table from the entries, after checking their signatures. */
cb_err cb_ledger_rebuild(struct cb_ledger *lg, uint64_t *applied,
                         uint64_t *rejected,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Copy lg's store into dest, an empty store of either engine just opened
 * (a hub moving from SQLite to PostgreSQL, say): what is not derived from
 * the entries as it is — the log with each entry's verdict, the Merkle
 * tree and checkpoints, meta, contacts, checkpoints witnessed — and every
 * table derived again in dest from the entries, signatures checked. The
 * two stores' table digests (cb_project_digest, into digest) must then be
 * equal. One transaction on dest: on any failure nothing is left in it.
 * Nothing is re-signed; lg is only read. */
cb_err cb_ledger_copy_store(struct cb_ledger *lg, struct cb_store *dest,
                            unsigned char digest[32],
                            struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
