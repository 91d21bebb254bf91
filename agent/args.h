/* SPDX-License-Identifier: MIT */
/* args.h — a small long-option parser for the agent's commands: --name VALUE,
 * --name=VALUE, boolean --flag, repeatable options, positionals, "--". */
#ifndef CHIBO_ARGS_H
#define CHIBO_ARGS_H

#include <stdio.h>

#define ARGS_MAX_DEFS 32
#define ARGS_MAX_REPEAT 64
#define ARGS_MAX_POS 8

struct argdef {
	const char *name;    /* without the leading "--" */
	const char *metavar; /* NULL: a boolean flag */
	const char *help;
};

struct args {
	const char *vals[ARGS_MAX_DEFS][ARGS_MAX_REPEAT];
	int n[ARGS_MAX_DEFS];
	char *pos[ARGS_MAX_POS];
	int npos;
};

/* Parse argv[1..argc) (argv[0] is the command). Prints a usage error and
 * returns 2 on a bad option, else 0. defs ends with a NULL name. */
int args_parse(const char *cmd, const struct argdef *defs, int argc,
               char **argv, struct args *out);
/* The last value of option i, or NULL. */
const char *args_get(const struct args *a, int i);
/* The common start of a command. With --help: prints help, then the
 * options, and returns 0. Parses argv into v (a bad option returns 2) and
 * checks that there are min_pos..max_pos positional arguments (else prints
 * pos_usage, or "unexpected argument" when none are allowed, and returns 2).
 * Returns -1 when the command should go on. */
int args_command(const char *cmd, const char *help, const struct argdef *defs,
                 int argc, char **argv, struct args *v, int min_pos,
                 int max_pos, const char *pos_usage);

/* Print "  --name METAVAR  help" lines. */
void args_help(FILE *fp, const struct argdef *defs);

#endif
