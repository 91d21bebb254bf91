/* SPDX-License-Identifier: MIT */
/* cmd_sync.c — chibo-agent hub and sync, the command line of the sync
 * engine (common/sync/sync.h): 'hub' records the hub's URL, TLS pin and
 * key (given at enrolment, as an invitation file: common/net/invite.h);
 * 'sync' runs the engine and says what it did,
 * a progress line on a terminal, and its notices on stderr. Exit codes a
 * timer can act on: 0 synced, 75 the hub cannot be reached (try later),
 * 77 the hub refused (a person must look). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "buf.h"
#include "invite.h"
#include "journal.h"
#include "sync.h"
#include "syncstate.h"

static const struct argdef hub_defs[] = {
	{ "url", "URL", N_("the hub, e.g. https://10.0.0.5:8443") },
	{ "pin", "PIN",
	  N_("its TLS pin, sha256//BASE64 (from chibo-hub init)") },
	{ "key", "HEX", N_("its key (from chibo-hub init)") },
	{ "invite", "FILE",
	  N_("the invitation file the district gave (instead of --url, "
	     "--pin and --key)") },
	{ "replace", NULL,
	  N_("with --invite: move to another hub than the one this replica "
	     "syncs with") },
	{ NULL, NULL, NULL },
};

/* The invitation file at path into *inv, checked (signature, every
 * field); prints why not. At most CB_INVITE_MAX bytes of a regular file:
 * a directory, a device or a pipe is refused without reading it. */
static bool
read_invite(const char *path, struct cb_invite *inv)
{
	char buf[CB_INVITE_MAX + 1];
	struct cb_errbuf eb;
	struct stat st;
	ssize_t n = 0, got;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		agent_error(_("cannot open the invitation '%s': %s"), path,
		            strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CB_INVITE_MAX) {
		agent_error(_("'%s' is not an invitation: %s"), path,
		            !S_ISREG(st.st_mode) ? _("not a regular file")
		                                 : _("over 4096 bytes"));
		close(fd);
		return false;
	}
	while ((size_t)n < sizeof(buf) &&
	       (got = read(fd, buf + n, sizeof(buf) - (size_t)n)) > 0)
		n += got;
	close(fd);
	if (cb_invite_open(buf, (size_t)n, inv, &eb)) {
		agent_error(_("'%s' is not a valid invitation, and nothing "
		              "was recorded: %s"),
		            path, eb.msg);
		return false;
	}
	return true;
}

/* hub --invite FILE: the invitation checked, for this replica (its key
 * and organisation), then its hub (when it answers), then recorded. */
static int
hub_from_invite(struct agent *a, const char *path, bool replace)
{
	struct cb_sync_state ss = { 0 };
	struct cb_invite inv;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	char want[13], have[13];
	int rc = 1;
	cb_err c;

	if (!read_invite(path, &inv))
		return 1;
	if (!(lg = agent_open(a)))
		return 1;
	cb_hash_short(inv.key, want);
	cb_hash_short(lg->key.pk, have);
	if (memcmp(inv.key, lg->key.pk, 32) || strcmp(inv.org, lg->org)) {
		agent_error(_("'%s' invites key %s… of %s; this replica is key "
		              "%s… of %s: ask the district for this office's "
		              "invitation"),
		            path, want, inv.org, have, lg->org);
		goto out;
	}
	if (cb_sync_state_load(lg->st, &ss, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	cb_hash_short(inv.hub_key, want);
	if (ss.text[CB_SYNC_URL] && ss.has_authority &&
	    memcmp(ss.authority, inv.hub_key, 32) && !replace) {
		cb_hash_short(ss.authority, have);
		agent_error(_("this replica syncs with the hub of key %s… at "
		              "%s; the invitation is from key %s…: check with "
		              "the district, then run again with --replace"),
		            have, ss.text[CB_SYNC_URL], want);
		goto out;
	}
	c = cb_invite_check_hub(&inv, lg->key.pk, lg->key.sk, &eb);
	if (c == CB_EAGAIN) {
		fprintf(stderr,
		        _("note: the hub could not be asked now (%s); the "
		          "first "
		          "sync checks its pin and key\n"),
		        eb.msg);
	} else if (c) {
		agent_error(_("%s; nothing was recorded"), eb.msg);
		goto out;
	}
	if (cb_sync_set_hub(lg, inv.url, inv.pin, inv.hub_key, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	printf(_("this replica syncs with %s: %s, hub key %s…%s\n"), inv.url,
	       inv.origin, want,
	       c ? ""
	         : _(" (checked: it holds the pin and signs with that key)"));
	rc = 0;
out:
	cb_sync_state_release(&ss);
	cb_ledger_free(&lg);
	return rc;
}

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
		N_("usage: chibo-agent hub --invite FILE [--replace]\n"
	           "       chibo-agent hub --url URL --pin PIN --key HEX\n\n"
	           "Records the hub this replica syncs with, as its office was "
	           "given them at\nenrolment: the invitation file the district "
	           "gave ('chibo-hub enroll\n--invite'), or its three strings. "
	           "An invitation is checked: signed by the\nhub key it names, "
	           "for this replica's key and organisation, and, if the hub\n"
	           "answers, the hub at its URL must hold its TLS pin and sign "
	           "with its key.\nThe hub's key becomes the replica's "
	           "authority: the key whose\nenrolments it trusts. Given "
	           "another hub later (a district's hub retired,\nthe commune "
	           "under its province's), the replica reads the new hub's "
	           "log\nfrom the start and holds it to that hub's "
	           "checkpoints.\n\n"),
		hub_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 3)) {
		if (cb_args_get(&v, 0) || cb_args_get(&v, 1) ||
		    cb_args_get(&v, 2))
			return cb_args_usage(
				"hub", _("give --invite FILE, or --url, --pin "
			                 "and --key: not both"));
		return hub_from_invite(a, cb_args_get(&v, 3),
		                       cb_args_get(&v, 4) != NULL);
	}
	if (cb_args_get(&v, 4))
		return cb_args_usage("hub", _("--replace goes with --invite"));
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1) || !cb_args_get(&v, 2))
		return cb_args_usage("hub", _("give --invite FILE, or --url, "
		                              "--pin and --key"));
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
	fprintf(stderr, "\r%s %" PRIu64, _(what), done);
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

static const struct argdef sync_defs[] = {
	CB_SYNC_ARGDEFS,
	{ "if-initialised", NULL,
	  N_("when the replica has not been made yet ('chibo-agent init' "
	     "or 'restore'), say so in one line and exit 0: the nightly "
	     "timer's runs before the clerk sets up") },
	{ NULL, NULL, NULL },
};

/* With --if-initialised: is there no replica in dir yet (its database
 * absent, its directory readable)? Then the timer has nothing to do. */
static bool
not_made_yet(const char *dir)
{
	char *db = cb_path_join(dir, CB_REPLICA_DB);
	bool absent = db && access(db, F_OK) != 0 && errno == ENOENT;

	free(db);
	return absent;
}

void
agent_sync_report(FILE *fp, const struct cb_sync_result *r)
{
	fprintf(fp,
	        _("synced: the hub holds this replica's entries up to %llu "
	          "(%llu pushed now)\n"),
	        (unsigned long long)r->head, (unsigned long long)r->pushed);
	fprintf(fp,
	        _("pulled %llu entries; read the hub's log up to "
	          "position %lld\n"),
	        (unsigned long long)r->pulled, (long long)r->cursor);
	if (r->hub_rejected)
		fprintf(fp,
		        _("the hub rejected %zu of this replica's entries: see "
		          "'chibo-agent status'\n"),
		        r->hub_rejected);
	fprintf(fp,
	        _("sent %llu bytes, received %llu bytes in %llu requests\n"),
	        (unsigned long long)r->sent, (unsigned long long)r->received,
	        (unsigned long long)r->requests);
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
	           "[--witness HEX]\n"
	           "                        [--if-initialised]\n\n"
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
	           "is not the one it showed\nbefore, or no hub is set (a "
	           "person must look: 'chibo-agent status').\n\n"),
		sync_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_sync_args(cb_args_get(&v, 0), cb_args_get(&v, 1),
	                       cb_args_get(&v, 2), "sync", &o)))
		return rc;
	if (cb_args_get(&v, 3) && not_made_yet(a->replica)) {
		cb_journal(CB_PRIO_NOTICE,
		           _("chibo-agent: no replica in '%s' yet: nothing to "
		             "sync until 'chibo-agent init' (or 'restore') "
		             "has made it"),
		           a->replica);
		return 0;
	}
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
