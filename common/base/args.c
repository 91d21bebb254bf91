/* SPDX-License-Identifier: MIT */
/* args.c — command-line parsing shared by the programs (see args.h). */
#include "args.h"
#include "journal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

const char *cb_args_prog = "chibo";

char *
cb_args_default_dir(const char *leaf)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	size_t n = strlen(leaf) + 64 +
	           (xdg && *xdg ? strlen(xdg)
	            : home      ? strlen(home)
	                        : 0);
	char *p = malloc(n);

	if (!p)
		return NULL;
	if (xdg && *xdg)
		snprintf(p, n, "%s/chibo/%s", xdg, leaf);
	else if (home && *home)
		snprintf(p, n, "%s/.local/share/chibo/%s", home, leaf);
	else
		snprintf(p, n, "chibo-%s", leaf);
	return p;
}

char *
cb_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void
cb_args_error(const char *fmt, ...)
{
	va_list ap, again;
	char *msg;
	int n;

	if (cb_journal_is_stderr())
		fprintf(stderr, "<%d>", CB_PRIO_ERR);
	fprintf(stderr, _("%s: error: "), cb_args_prog);
	/* a message that was made in English (a hub's refusal, a reason
	 * recorded with an entry) is said in the user's language */
	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0 && (msg = malloc((size_t)n + 1))) {
		vsnprintf(msg, (size_t)n + 1, fmt, again);
		fputs(cb_lang_resay(msg), stderr);
		free(msg);
	} else {
		vfprintf(stderr, fmt, again);
	}
	va_end(again);
	va_end(ap);
	fputc('\n', stderr);
}

int
cb_args_usage(const char *cmd, const char *fmt, ...)
{
	const char *sp = *cmd ? " " : "";
	va_list ap;

	fprintf(stderr, "%s%s%s: ", cb_args_prog, sp, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("; see '%s%s%s --help'\n"), cb_args_prog, sp, cmd);
	return 2;
}

bool
cb_args_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

int
cb_args_parse(const char *cmd, const struct argdef *defs, int argc, char **argv,
              struct args *out)
{
	bool only_pos = false;

	memset(out, 0, sizeof(*out));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		size_t len;
		int d;

		if (only_pos || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (out->npos == ARGS_MAX_POS)
				return cb_args_usage(cmd,
				                     _("too many arguments"));
			out->pos[out->npos++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (arg[1] != '-')
			return cb_args_usage(cmd, _("unknown option '%s'"),
			                     arg);
		arg += 2;
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		for (d = 0; defs[d].name; d++)
			if (strlen(defs[d].name) == len &&
			    strncmp(defs[d].name, arg, len) == 0)
				break;
		if (!defs[d].name)
			return cb_args_usage(cmd, _("unknown option '--%.*s'"),
			                     (int)len, arg);
		if (defs[d].metavar) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return cb_args_usage(cmd,
				                     _("--%s needs a value"),
				                     defs[d].name);
		} else if (eq) {
			return cb_args_usage(cmd, _("--%s takes no value"),
			                     defs[d].name);
		} else {
			val = "1";
		}
		if (out->n[d] == ARGS_MAX_REPEAT)
			return cb_args_usage(cmd,
			                     _("--%s given too many times"),
			                     defs[d].name);
		out->vals[d][out->n[d]++] = val;
	}
	return 0;
}

const char *
cb_args_get(const struct args *a, int i)
{
	return a->n[i] ? a->vals[i][a->n[i] - 1] : NULL;
}

/* Terminal columns of UTF-8 text (UAX #11, as cb_text_width in text/,
 * which base comes before): a metavar like "M,M,…" is 5 columns and 7
 * bytes, so padding counts columns, never bytes. */
static size_t
columns(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t w = 0;

	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
		int cw;

		if (n <= 0) { /* not UTF-8: a byte a column */
			w++, p++;
			continue;
		}
		cw = utf8proc_charwidth(c);
		w += cw > 0 ? (size_t)cw : 0;
		p += n;
	}
	return w;
}

/* The help of the options: "  --name METAVAR" padded to one column for
 * every option (26 wide, or one past the widest), then its help, each
 * continuation line of a translated help indented to that column too. */
void
cb_args_help(FILE *fp, const struct argdef *defs)
{
	size_t at = 26;

	for (int d = 0; defs[d].name; d++) {
		size_t w = 2 + strlen(defs[d].name) +
		           (defs[d].metavar ? 1 + columns(defs[d].metavar) : 0);

		if (w + 1 > at && w < 40)
			at = w + 1;
	}
	for (int d = 0; defs[d].name; d++) {
		const char *h = _(defs[d].help), *nl;
		char left[128];
		size_t w;

		snprintf(left, sizeof(left), "--%s%s%s", defs[d].name,
		         defs[d].metavar ? " " : "",
		         defs[d].metavar ? defs[d].metavar : "");
		w = columns(left);
		fprintf(fp, "  %s%*s ", left, (int)(w < at ? at - w : 0), "");
		while ((nl = strchr(h, '\n')) && nl[1]) {
			fprintf(fp, "%.*s\n  %*s ", (int)(nl - h), h, (int)at,
			        "");
			h = nl + 1;
		}
		fprintf(fp, "%s\n", h);
	}
}

int
cb_args_command(const char *cmd, const char *help, const struct argdef *defs,
                int argc, char **argv, struct args *v, int min_pos, int max_pos,
                const char *pos_usage)
{
	int rc;

	if (cb_args_wants_help(argc, argv)) {
		fputs(_(help), stdout);
		cb_args_help(stdout, defs);
		return 0;
	}
	if ((rc = cb_args_parse(cmd, defs, argc, argv, v)))
		return rc;
	if (v->npos > max_pos && max_pos == 0)
		return cb_args_usage(cmd, _("unexpected argument '%s'"),
		                     v->pos[0]);
	if (v->npos < min_pos || v->npos > max_pos)
		return cb_args_usage(cmd, "%s", _(pos_usage));
	return -1;
}
