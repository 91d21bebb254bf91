/* SPDX-License-Identifier: MIT */
/* agent.h — what the chibo-agent commands share: the replica location and
 * the way errors reach the user. Logic lives in common/; these files only
 * turn a command line into calls and results into text or JSON. */
#ifndef CHIBO_AGENT_H
#define CHIBO_AGENT_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "args.h"
#include "ledger.h"
#include "ops.h"
#include "sync.h"

/* Exit codes: 0 ok, 1 failure, 2 usage. */
#define EXIT_USAGE 2

struct agent {
	const char *replica; /* resolved replica directory */
};

/* "chibo-agent: error: ..." on stderr, one line. */
#define agent_error cb_args_error /* "PROG: error: …" */
/* Open the replica or print why not; NULL on failure. */
struct cb_ledger *agent_open(const struct agent *a);

int cmd_init(struct agent *a, int argc, char **argv);
int cmd_op(struct agent *a, int argc, char **argv);
int cmd_apply(struct agent *a, int argc, char **argv);
int cmd_import_members(struct agent *a, int argc, char **argv);
int cmd_members(struct agent *a, int argc, char **argv);
int cmd_cells(struct agent *a, int argc, char **argv);
int cmd_meetings(struct agent *a, int argc, char **argv);
int cmd_ratings(struct agent *a, int argc, char **argv);
int cmd_transfers(struct agent *a, int argc, char **argv);
int cmd_dissolutions(struct agent *a, int argc, char **argv);
int cmd_candidates(struct agent *a, int argc, char **argv);
int cmd_show(struct agent *a, int argc, char **argv);
int cmd_log(struct agent *a, int argc, char **argv);
int cmd_verify(struct agent *a, int argc, char **argv);
int cmd_rebuild(struct agent *a, int argc, char **argv);
int cmd_status(struct agent *a, int argc, char **argv);
int cmd_report(struct agent *a, int argc, char **argv);
int cmd_hub(struct agent *a, int argc, char **argv);
int cmd_sync(struct agent *a, int argc, char **argv);
int cmd_digest(struct agent *a, int argc, char **argv);
int cmd_export(struct agent *a, int argc, char **argv);
int cmd_import(struct agent *a, int argc, char **argv);
int cmd_backup(struct agent *a, int argc, char **argv);
int cmd_restore_backup(struct agent *a, int argc, char **argv);
int cmd_restore(struct agent *a, int argc, char **argv);
int cmd_key(struct agent *a, int argc, char **argv);

/* For a command that makes a key (init, restore): with seal_flag, or
 * $CHIBO_PASSPHRASE_FILE set, and not no_seal, a new passphrase asked
 * (passphrase.h) into *pass (cb_passphrase_free it) and seal; else *pass
 * NULL (a plain key). -1 to go on, or the exit code of a refusal said. */
int agent_new_seal(const char *cmd, bool seal_flag, bool no_seal,
                   struct cb_ledger_seal *seal, char **pass);

struct cb_atrest;
/* Whether the replica dir is encrypted at rest (common/base/atrest.h,
 * with $CHIBO_TEST_ATREST_ROOT for tests): the probe into *r, and false
 * when it is; else true and the one line 'init' warns and 'status'
 * shows in line — not encrypted, or cannot tell, and what to do. */
bool agent_atrest(const char *dir, struct cb_atrest *r, char *line,
                  size_t size);

/* Is argv[0] (+ argv[1]) an op subcommand like "member add"? */
bool cmd_op_matches(int argc, char **argv);
void cmd_op_list(void);
int cmd_ui(struct agent *a, int argc, char **argv);

/* What the command line and the ui say of a done thing, in the same
 * words: the entry e of op recorded ("added member …, id … (entry N)"),
 * a sync's result (the lines 'sync' prints), and 'verify' of lg — each
 * fault and the verdict, written to fp; its exit code (0: verified). */
/* A member list imported, as 'import-members' and the ui's import page
 * both do it (cmd_import.c): the CSV's raw bytes decoded, its header
 * read, each row a member.add appended in one batch, all rows or none,
 * then committed, or rolled back when !commit (a dry run, every rule
 * checked). Each row is told to row: its line and the entry it adds, or
 * why not in the words the command line says; everything else said,
 * to say (error: a refusal that ends it; else a note). lg NULL: the
 * replica is opened (after the header is read) and freed. 0: done, or
 * all rows would be added; 1: refused, nothing written. */
struct agent_import {
	const char *file;     /* the file's name, in what is said */
	const char *cell;     /* the cell of rows with no cell column */
	const char *sep;      /* the separator, or NULL: guessed */
	const char *encoding; /* the encoding, or NULL: from the bytes */
	bool commit;
	void (*row)(void *ctx, size_t line, const struct cb_entry *e,
	            const char *why);
	void (*say)(void *ctx, bool error, const char *line);
	void *ctx;
	size_t added, bad; /* rows that add a member, rows refused */
};
int agent_import(struct agent *a, struct cb_ledger *lg,
                 const unsigned char *raw, size_t len, struct agent_import *im);

void agent_op_done(FILE *fp, const struct cb_op *op, const struct cb_entry *e);
void agent_sync_report(FILE *fp, const struct cb_sync_result *r);
int agent_verify(struct cb_ledger *lg, FILE *fp);

#endif
