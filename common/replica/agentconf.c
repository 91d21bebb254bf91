/* SPDX-License-Identifier: MIT */
/* agentconf.c — /etc/chibo/agent.conf, the machine's one replica (see
 * agentconf.h). */
#include "agentconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"

#define KEY "CHIBO_REPLICA="

/* s without the blanks around it (in place). */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		*--e = 0;
	return s;
}

cb_err
cb_agentconf_replica(const char *path, char **out, struct cb_errbuf *eb)
{
	FILE *fp = fopen(path, "r");
	char line[4096], *dir = NULL;
	unsigned n = 0;
	cb_err rc = CB_OK;

	if (!fp) {
		if (errno == ENOENT) {
			*out = NULL;
			return CB_OK;
		}
		return cb_error(eb, CB_EIO, _("cannot read '%s': %s"), path,
		                strerror(errno));
	}
	while (!rc && fgets(line, sizeof(line), fp)) {
		bool whole = strchr(line, '\n') || feof(fp);
		char *s = trim(line);

		n++;
		if (!whole)
			rc = cb_error(eb, CB_EINVAL,
			              _("%s:%u: the line is too long"), path,
			              n);
		else if (!*s || *s == '#')
			continue;
		else if (strncmp(s, KEY, strlen(KEY)))
			rc = cb_error(eb, CB_EINVAL,
			              _("%s:%u: not CHIBO_REPLICA=/DIR: '%s'"),
			              path, n, s);
		else if (dir)
			rc = cb_error(eb, CB_EINVAL,
			              _("%s:%u: CHIBO_REPLICA is given twice"),
			              path, n);
		else if (s[strlen(KEY)] != '/')
			rc = cb_error(eb, CB_EINVAL,
			              _("%s:%u: CHIBO_REPLICA must be an "
			                "absolute directory, not '%s'"),
			              path, n, s + strlen(KEY));
		else if (!(dir = strdup(s + strlen(KEY))))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	if (!rc && ferror(fp))
		rc = cb_error(eb, CB_EIO, _("cannot read '%s': %s"), path,
		              strerror(errno));
	fclose(fp);
	if (rc) {
		free(dir);
		return rc;
	}
	*out = dir;
	return CB_OK;
}
