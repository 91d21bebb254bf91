/* SPDX-License-Identifier: MIT */
/* sync.h — the sync engine (docs/PROTOCOL.md, "API v1"; DESIGN.md, "Sync,
 * in one picture"): a store that is a client of a hub — a commune's
 * replica, or a lower hub (opts.hub) — brings itself and the hub up to
 * date over one pinned,
 * signed HTTPS connection. In order:
 *
 *   1. status: the hub's head of this key's chain;
 *   2. push: this key's entries after it, in batches that adapt to the
 *      link (halved after a failure, grown back as TCP does), each
 *      acknowledged before the next; or, when the hub holds more of this
 *      key than the store does (a store put back from an old copy), those
 *      taken back first (POST /v1/own);
 *   3. pull: what the store's scope holds after its cursor on the hub's
 *      log, a few answers taken in and the cursor moved in one
 *      transaction (what came before a failure taken in too);
 *   4. the hub's signed checkpoint checked against the one the store
 *      holds (a consistency proof: the log only grew), and some of the
 *      store's own entries proven in it; a hub that rewrote or forked its
 *      log leaves both signed notes as evidence and the sync stops;
 *   5. status again, remembered for 'status'.
 *
 * Cut off anywhere, it resumes from the last committed batch or page;
 * run twice, it changes nothing the second time. Network failures and a
 * busy hub are retried with exponential backoff and jitter, within a
 * number of tries and a time budget. What it keeps between syncs is
 * typed (syncstate.h). The caller prints: the engine tells it through
 * callbacks what a person at a terminal would want to see. */
#ifndef CB_SYNC_H
#define CB_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "accept.h"
#include "args.h"
#include "bundle.h"
#include "err.h"
#include "ingest.h"
#include "ledger.h"

/* How a sync ended, for a timer to act on (sysexits). */
enum cb_sync_outcome {
	CB_SYNC_DONE = 0,
	CB_SYNC_FAILED = 1,       /* this store's own trouble (a full disk) */
	CB_SYNC_UNREACHABLE = 75, /* the hub cannot be reached: try later */
	CB_SYNC_REFUSED = 77,     /* the hub refused, or its log is not the
	                           * one it showed before, or no hub is set:
	                           * a person must look */
};

struct cb_sync_opts {
	int retries;     /* tries again after a failure (default 5) */
	double max_time; /* seconds the retries may take (default 900) */
	/* A line for a person: "trying again in 2.3 s", "took back 4 …". */
	void (*notice)(void *ctx, const char *line);
	/* What moved so far in a phase ("pushed", "pulled"): entries done
	 * (of total, if known), bytes over the wire, seconds since the
	 * start; done == UINT64_MAX ends the phase. */
	void (*progress)(void *ctx, const char *what, uint64_t done,
	                 uint64_t total, uint64_t bytes, double secs);
	void *ctx;
	/* A hub syncing with a higher hub (DESIGN.md, "Many hubs"): instead
	 * of its own chain it relays its whole log, by log position, every
	 * author's entries as it holds them (POST /v1/relay, from its
	 * relay cursor); and what it pulls is appended to its own log,
	 * whose Merkle tree it extends and signs a checkpoint of, with
	 * this origin and key, in the transaction that takes each answer
	 * in. NULL for an agent. */
	const struct cb_ingest_log *hub;
	/* A witness key (64 hex digits) whose cosignature the hub's
	 * checkpoints must carry from now on, kept in the store; "none" to
	 * require none; NULL: as kept. Without it on the checkpoint shown,
	 * the sync stops (77) with the checkpoint kept as evidence. */
	const char *witness;
};

struct cb_sync_result {
	uint64_t head;       /* the hub holds this key's chain up to here */
	uint64_t pushed;     /* entries pushed now (a hub: relayed) */
	int64_t relayed;     /* a hub: its log relayed up to here */
	uint64_t witnessed;  /* a hub: its checkpoint of this size cosigned */
	uint64_t taken_back; /* own entries taken back from the hub */
	uint64_t pulled;     /* entries taken in */
	int64_t cursor;      /* read the hub's log up to here */
	size_t hub_rejected; /* this key's entries the hub rejected */
	uint64_t sent, received, requests; /* over the wire */
};

/* The sync commands' options, --retries N, --max-time SECONDS and
 * --witness HEX, in this order, for cb_args_command; CB_SYNC_ARGDEFS for
 * a command that adds its own after them. */
/* clang-format off */
#define CB_SYNC_ARGDEFS \
	{ "retries", "N", \
	  N_("tries again N times after a network failure or a busy hub " \
	     "(default 5)") }, \
	{ "max-time", "SECONDS", \
	  N_("gives up retrying after this long (default 900)") }, \
	{ "witness", "HEX", \
	  N_("from now on, require the hub's checkpoints to carry a " \
	     "cosignature by this witness key (the higher hub's, as the " \
	     "district or the auditors publish it); kept in this store; " \
	     "'none' requires none") }
/* clang-format on */
extern const struct argdef cb_sync_argdefs[];

/* Their values (NULL when not given) into o: --retries 0..100,
 * --max-time 1..86400, --witness a public key or "none". 0, or the exit
 * code of a usage error said on stderr for command cmd. */
int cb_sync_args(const char *retries, const char *max_time, const char *witness,
                 const char *cmd, struct cb_sync_opts *o);

/* A cb_sync_opts notice: the line on stderr after the program's name
 * (cb_args_prog), a notice for the journal (journal.h). */
void cb_sync_notice(void *ctx, const char *line);

/* Sync lg with the hub its sync state names. On anything but
 * CB_SYNC_DONE, eb says what failed and what to do, in one line. r is
 * filled as far as the sync got. */
enum cb_sync_outcome cb_sync(struct cb_ledger *lg, const struct cb_sync_opts *o,
                             struct cb_sync_result *r, struct cb_errbuf *eb);

/* Take in a hub's bundle, a sync on a file (docs/PROTOCOL.md,
 * "Bundles"): b, decoded, must be a PULL bundle for lg's organisation,
 * signed by the key lg syncs with (an agent's hub key; a lower hub's
 * upstream_key), its checkpoint signed by that key. With no checkpoint
 * held, its checkpoint is kept, as a first sync keeps the first it sees;
 * of the same size as the held one, it must have the same root (else
 * both are kept as evidence and nothing is taken in). Then, in one
 * transaction, every entry checked as a pull's is (an agent's own
 * entries it lacks taken back, *own counting them), the pull cursor moved
 * forward only over what the bundle covers; with hub (a lower hub), its
 * Merkle tree extended and a checkpoint signed, and what it appended not
 * relayed back. All or nothing: on anything but CB_OK, eb says why in one
 * line and nothing of it was taken in. */
cb_err cb_sync_import(struct cb_ledger *lg, const struct cb_bundle *b,
                      const struct cb_ingest_log *hub,
                      struct cb_accept_result *r, size_t *own,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* Record the hub lg syncs with (its URL, TLS pin, and key, which becomes
 * the replica's authority), as its office was given them at enrolment.
 * Another hub than before: its log is read from the start and held to
 * its own checkpoints; what the replica holds is judged again under the
 * new authority — unless the new hub's key is in the replica's chain of
 * authority already (the province above a retired district hub): then it
 * becomes the key checkpoints are checked by (upstream_key), the
 * authority stays and every verdict stands. CB_EINVAL for a URL or a pin
 * that is not one. */
cb_err cb_sync_set_hub(struct cb_ledger *lg, const char *url, const char *pin,
                       const unsigned char key[CB_KEY_BYTES],
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Keep evidence that the hub's log is not the one it showed before: the
 * checkpoint held, the one served (NULL: none), why, and when; later
 * syncs and imports stop until a person clears it. The message in eb
 * says so. */
cb_err cb_sync_keep_evidence(struct cb_store *st, const char *held,
                             const char *served, const char *why,
                             struct cb_errbuf *eb);

#endif
