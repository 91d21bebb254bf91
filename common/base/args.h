/* SPDX-License-Identifier: MIT */
/* args.h — the command lines of chibo-agent, chibo-hub and chibo-audit: a
 * small long-option parser (--name VALUE, --name=VALUE, boolean --flag,
 * repeatable options, positionals, "--"), usage errors and --help. */
#ifndef CB_ARGS_H
#define CB_ARGS_H

#include <stdbool.h>

#include "err.h"

#include <stdio.h>

#define ARGS_MAX_DEFS 32
#define ARGS_MAX_REPEAT 64
#define ARGS_MAX_POS 8

struct argdef {
	const char *name;    /* without the leading "--" */
	const char *metavar; /* NULL: a boolean flag */
	const char *help;    /* marked N_(), translated when shown */
};

struct args {
	const char *vals[ARGS_MAX_DEFS][ARGS_MAX_REPEAT];
	int n[ARGS_MAX_DEFS];
	char *pos[ARGS_MAX_POS];
	int npos;
};

/* Parse argv[1..argc) (argv[0] is the command). Prints a usage error and
 * returns 2 on a bad option, else 0. defs ends with a NULL name. */
int cb_args_parse(const char *cmd, const struct argdef *defs, int argc,
                  char **argv, struct args *out);
/* The last value of option i, or NULL. */
const char *cb_args_get(const struct args *a, int i);
/* The common start of a command. With --help: prints help, then the
 * options, and returns 0. Parses argv into v (a bad option returns 2) and
 * checks that there are min_pos..max_pos positional arguments (else prints
 * pos_usage, or "unexpected argument" when none are allowed, and returns 2).
 * Returns -1 when the command should go on. help and pos_usage are
 * marked N_() and translated here. */
int cb_args_command(const char *cmd, const char *help,
                    const struct argdef *defs, int argc, char **argv,
                    struct args *v, int min_pos, int max_pos,
                    const char *pos_usage);

/* Print "  --name METAVAR  help" lines. */
void cb_args_help(FILE *fp, const struct argdef *defs);

/* $XDG_DATA_HOME/chibo/LEAF, else ~/.local/share/chibo/LEAF, else
 * chibo-LEAF; malloc'd (NULL when out of memory). */
char *cb_args_default_dir(const char *leaf);

/* dir + "/" + name, malloc'd (NULL when out of memory). */
char *cb_path_join(const char *dir, const char *name);

/* "PROG: error: message" on stderr, one line. */
void cb_args_error(const char *fmt, ...) CB_PRINTF(1, 2);

/* The program's name in messages ("chibo-agent"); set by main. */
extern const char *cb_args_prog;

/* "PROG CMD: message; see 'PROG CMD --help'" on stderr; returns 2. */
int cb_args_usage(const char *cmd, const char *fmt, ...) CB_PRINTF(2, 3);
/* --help or -h among argv[1..] (before "--")? */
bool cb_args_wants_help(int argc, char **argv);

#endif
