/* SPDX-License-Identifier: MIT */
/* audit.h — what chibo-audit's commands share. The audit trusts no hub:
 * it reads a hub's log (over HTTPS as an enrolled auditor, or from a copy
 * of its hub.db handed to the inspection commission) or a bundle, and
 * checks every byte itself — signatures, chains, enrolments, the rules of
 * scope, the Merkle tree against the hub's signed checkpoint, and that
 * checkpoint against those it saw before (its own small state). */
#ifndef CHIBO_AUDIT_H
#define CHIBO_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "args.h"
#include "checkpoint.h"
#include "lazyreplay.h"
#include "merkle.h"
#include "store.h"

struct audit {
	const char *dir; /* its state: audit.key, checkpoints.json */
};

#define audit_error cb_args_error /* "PROG: error: …" */
char *audit_path(const struct audit *a, const char *name);

/* Where a log comes from: --hub URL with --pin (the auditor's key signs
 * the requests), --db FILE (a copy of a hub's hub.db), or a bundle. */
struct audit_source_opts {
	const char *hub, *pin, *db, *bundle;
	/* Project every entry into the scratch database (history and proof
	 * read it; verify --full-replay). Otherwise member additions that
	 * nothing else names are set aside (lazyreplay.h). */
	bool full_replay;
	/* A checkpoint (a signed note) to read the log up to and check
	 * instead of the hub's latest: 'report --at'. NULL: the latest. */
	const char *at_note;
	/* Keep each leaf's id, author, seq and op (struct audit_leaf): a
	 * federation audit names the entries a higher hub lacks. */
	bool keep_entries;
};

/* A leaf's entry, in a few fields (audit_source_opts.keep_entries). */
struct audit_leaf {
	uint8_t id[32], author[32];
	uint64_t seq;
	char op[32];
};

/* A lower hub's checkpoint this hub cosigned last, as its witness (the
 * hub.db's witnessed table). */
struct audit_cosigned {
	char origin[256];
	uint64_t size;
	uint8_t root[32];
	char *note; /* as the lower hub submitted it, signed by its key */
};

/* One author seen in the log. */
struct author {
	uint8_t pk[32];
	uint64_t seq; /* the highest seq seen */
	uint8_t id[32];
	bool used, enrolled, revoked;
	bool authority; /* named by a hub.join of an authority: the chain of
	                 * authority above a hub that joined a higher one */
	bool whole;     /* enrolled by the hub key, or by a key it enrolled
	                 * so: inside its subtree, its chain held whole */
};

/* A scan of a log: what the audit found, kept for the commands that
 * build on it (history, proof). */
struct scan {
	char what[600]; /* "the hub at URL", "the hub.db copy 'F'", … */
	bool is_log;    /* a hub's log (with a checkpoint), not a bundle */
	bool partial;   /* a bundle of one scope: chains may have gaps */
	bool joined;    /* the hub joined a higher one (hub.join): chains of
	                 * keys outside its subtree are held in part */
	char *note;     /* the hub's signed checkpoint (malloc'd) */
	struct cb_checkpoint cp;
	bool cp_ok;   /* signed by the trusted hub key */
	bool root_ok; /* and the leaves give its root: all included */
	uint8_t hub_key[32];
	bool has_hub_key;
	uint8_t (*leaves)[32];
	uint64_t nleaves, cap;
	uint64_t *leaf_of; /* replay lsn - 1 → leaf index */
	uint64_t nreplayed, replay_cap;
	bool leaf_of_lost; /* memory ran out for leaf_of */
	struct author *authors;
	size_t nauthors, acap;
	uint64_t forks, bad_sigs, gaps, scope, unenrolled;
	char **faults;
	size_t nfaults;
	/* What a witness check and a federation audit hold the log against
	 * (federation.c). */
	char *witnessed; /* the checkpoint its higher hub cosigned, with the
	                  * cosignature (malloc'd), if it shows one */
	int64_t relayed; /* a hub.db copy: its log relayed up to here, as
	                  * the higher hub acknowledged; -1 unknown */
	bool has_join;   /* the hub key signed a hub.join (the last): */
	uint8_t join_authority[32], join_witness[32];
	uint64_t join_leaf;
	struct audit_cosigned *cosigned; /* a hub.db copy: the lower hubs'
	                                  * logs it witnessed */
	size_t ncosigned;
	struct audit_leaf *info; /* per leaf, with keep_entries */
	struct cb_store *replay; /* the log replayed: the hub's tables */
	struct cb_lazyreplay *lazy;
	char replay_path[512];
};

/* Read and check the whole log of src; the faults are in s->faults.
 * want_sizes: sizes of earlier checkpoints whose roots to recompute
 * (roots[i] filled, ok[i] set when the log reaches that size). Returns
 * non-zero only when the scan could not be done at all (printed). */
int audit_scan(const struct audit *a, const struct audit_source_opts *src,
               const uint8_t *trusted_key, struct scan *s,
               const uint64_t *want_sizes, size_t nwant, uint8_t (*roots)[32],
               bool *ok);
void audit_scan_release(struct scan *s);

/* audit_scan, the hub key held against the one this auditor saw before
 * for the log's origin (or key, if has_key), and the log against every
 * checkpoint it kept (main.c); *statep: that state, for
 * audit_state_remember. Non-zero: the scan could not be done (said). */
int audit_scan_checked(const struct audit *a, const struct audit_source_opts *o,
                       const uint8_t *key, bool has_key, struct scan *s,
                       json_t **statep);
/* Keep the checkpoint s verified in the state, for the next run. */
int audit_state_remember(const struct audit *a, json_t *st,
                         const struct scan *s);

/* The root of the log's first size leaves into root; false if the log
 * has fewer. */
bool audit_root_at(const struct scan *s, uint64_t size, uint8_t root[32]);

/* The checkpoint the hub shows as cosigned by its higher hub, held
 * against its log: cosigned by the witness its hub.join named, and by
 * required (NULL: none) — an auditor's --witness; a checkpoint of the
 * hub's key and origin; and its root the root of the log's leaves at its
 * size (else the hub showed its witness another log). Each failure a
 * fault in s. */
void audit_check_witness(struct scan *s, const uint8_t *required);
void audit_fault(struct scan *s, const char *fmt, ...) CB_PRINTF(2, 3);

int cmd_audit_init(struct audit *a, int argc, char **argv);
int cmd_audit_verify(struct audit *a, int argc, char **argv);
int cmd_audit_history(struct audit *a, int argc, char **argv);
int cmd_audit_proof(struct audit *a, int argc, char **argv);
int cmd_audit_check_proof(struct audit *a, int argc, char **argv);
int cmd_audit_report(struct audit *a, int argc, char **argv);
int cmd_audit_federation(struct audit *a, int argc, char **argv);

#endif
