/* SPDX-License-Identifier: MIT */
/* cmd_sync.c — chibo-agent hub and sync, the command line of the sync
 * engine (common/sync/sync.h): 'hub' records the hub's URL, TLS pin and
 * key (given at enrolment); 'sync' runs the engine and says what it did,
 * a progress line on a terminal, and its notices on stderr. Exit codes a
 * timer can act on: 0 synced, 75 the hub cannot be reached (try later),
 * 77 the hub refused (a person must look). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "buf.h"
#include "sync.h"

static const struct argdef hub_defs[] = {
	{ "url", "URL", N_("the hub, e.g. https://10.0.0.5:8443") },
	{ "pin", "PIN",
	  N_("its TLS pin, sha256//BASE64 (from chibo-hub init)") },
	{ "key", "HEX", N_("its key (from chibo-hub init)") },
	{ NULL, NULL, NULL },
};

int
cmd_hub(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	unsigned char raw[CB_KEY_BYTES];
	struct args v;
	int rc;

	rc = cb_args_command(
		"hub",
		N_("usage: chibo-agent hub --url URL --pin PIN --key HEX\n\n"
	           "Records the hub this replica syncs with, as its office was "
	           "given them at\nenrolment. The hub's key becomes the "
	           "replica's "
	           "authority: the key whose\nenrolments it trusts. Given "
	           "another hub later (a district's hub retired,\nthe commune "
	           "under its province's), the replica reads the new hub's "
	           "log\n"
	           "from the start and holds it to that hub's "
	           "checkpoints.\n\n"),
		hub_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1) || !cb_args_get(&v, 2))
		return cb_args_usage("hub", _("give --url, --pin and --key"));
	if (strncmp(cb_args_get(&v, 0), "https://", 8))
		return cb_args_usage("hub",
		                     _("the URL must start with https://"));
	if (strncmp(cb_args_get(&v, 1), "sha256//", 8) ||
	    strlen(cb_args_get(&v, 1)) != 52)
		return cb_args_usage("hub",
		                     _("the pin is sha256// and 44 base64 "
		                       "characters"));
	if (cb_hex_decode(cb_args_get(&v, 2), raw, sizeof(raw), &eb))
		return cb_args_usage("hub", _("--key: %s"), eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = 0;
	if (cb_sync_set_hub(lg, cb_args_get(&v, 0), cb_args_get(&v, 1), raw,
	                    &eb)) {
		agent_error("%s", eb.msg);
		rc = 1;
	} else {
		printf(_("this replica syncs with %s\n"), cb_args_get(&v, 0));
	}
	cb_ledger_free(&lg);
	return rc;
}

/* On a terminal: what moved so far (of total, if known), the bytes, the
 * rate, the time left; one line, rewritten, ended when the phase ends.
 * Quiet when stderr is not a terminal (a timer's log). */
static void
progress(void *ctx, const char *what, uint64_t done, uint64_t total,
         uint64_t bytes, double t)
{
	bool *shown = ctx;
	double kb = (double)bytes / 1024;

	if (!isatty(STDERR_FILENO))
		return;
	if (done == UINT64_MAX) {
		if (*shown)
			fputc('\n', stderr);
		*shown = false;
		return;
	}
	fprintf(stderr, "\r%s %" PRIu64, what, done);
	if (total)
		fprintf(stderr, "/%" PRIu64, total);
	fprintf(stderr, _(" entries, %.0f KB, %.1f KB/s"), kb,
	        t > 0 ? kb / t : 0);
	if (total > done && done > 0)
		fprintf(stderr, _(", about %.0f s left"),
		        t * (double)(total - done) / (double)done);
	fprintf(stderr, "\033[K");
	*shown = true;
}

void
agent_sync_report(FILE *fp, const struct cb_sync_result *r)
{
	fprintf(fp,
	        _("synced: the hub holds this replica's entries up to %" PRIu64
	          " (%" PRIu64 " pushed now)\n"),
	        r->head, r->pushed);
	fprintf(fp,
	        _("pulled %" PRIu64 " entries; read the hub's log up to "
	          "position %lld\n"),
	        r->pulled, (long long)r->cursor);
	if (r->hub_rejected)
		fprintf(fp,
		        _("the hub rejected %zu of this replica's entries: see "
		          "'chibo-agent status'\n"),
		        r->hub_rejected);
	fprintf(fp,
	        _("sent %" PRIu64 " bytes, received %" PRIu64
	          " bytes in %" PRIu64 " requests\n"),
	        r->sent, r->received, r->requests);
}

int
cmd_sync(struct agent *a, int argc, char **argv)
{
	bool shown = false;
	struct cb_sync_opts o = { 5,    900, cb_sync_notice, progress, &shown,
		                  NULL, NULL };
	struct cb_sync_result r;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"sync",
		N_("usage: chibo-agent sync [--retries N] [--max-time SECONDS] "
	           "[--witness HEX]\n\n"
	           "Pushes to the hub every entry of this replica it does not "
	           "hold, then\npulls what this organisation may read from the "
	           "hub's log, in batches,\neach committed on its own: safe to "
	           "interrupt and run again. Network\nfailures and a busy hub "
	           "are retried with backoff. Then it checks the\nhub's signed "
	           "checkpoint against the one it kept, and proves some of "
	           "its\n"
	           "own entries in it. With --witness (kept for every later "
	           "sync), that\ncheckpoint must extend one cosigned by that "
	           "witness key. Exit 0 synced,\n75 the hub cannot be "
	           "reached (try\nlater), 77 the hub refused, or its signed "
	           "log "
	           "is not the one it showed\nbefore (a person must look: "
	           "'chibo-agent status').\n\n"),
		cb_sync_argdefs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_sync_args(cb_args_get(&v, 0), cb_args_get(&v, 1),
	                       cb_args_get(&v, 2), "sync", &o)))
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = (int)cb_sync(lg, &o, &r, &eb);
	if (rc) {
		agent_error("%s", eb.msg);
		goto out;
	}
	agent_sync_report(stdout, &r);
out:
	cb_ledger_free(&lg);
	return rc;
}
