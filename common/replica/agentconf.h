/* SPDX-License-Identifier: MIT */
/* agentconf.h — the machine's one replica: /etc/chibo/agent.conf, which
 * the Debian package installs, names the replica that the clerk's
 * chibo-agent and the nightly chibo-agent-sync@CLERK.service both use
 * when no --replica or $CHIBO_REPLICA says otherwise (docs/OPERATIONS.md,
 * "One replica for the clerk and the timer"). The file is in the
 * environment-file form that systemd and sh also read: '#' comments,
 * blank lines, and one line CHIBO_REPLICA=/absolute/path. */
#ifndef CB_AGENTCONF_H
#define CB_AGENTCONF_H

#include "err.h"

/* Where the file is: $CHIBO_AGENT_CONF if set (tests), else this. */
#define CB_AGENTCONF_PATH "/etc/chibo/agent.conf"

/* The replica the file at path names, in *out (malloc'd; the caller
 * frees it), or NULL when there is no such file. A file that cannot be
 * read, a line that is not a comment or CHIBO_REPLICA=PATH, a relative
 * or empty PATH, or CHIBO_REPLICA given twice: an error naming FILE:LINE
 * (CB_EINVAL, CB_EIO), *out untouched. */
cb_err cb_agentconf_replica(const char *path, char **out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
