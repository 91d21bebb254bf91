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
/* Print "  --name METAVAR  help" lines. */
void args_help(FILE *fp, const struct argdef *defs);

#endif
