/* SPDX-License-Identifier: MIT */
/* cmd_invite.c — chibo-hub invite (and enroll --invite): the invitation
 * file an enrolled office's clerk carries home (common/net/invite.h;
 * docs/PROTOCOL.md, "Invitations"): the hub's URL, its TLS pin, its key
 * and log name, and the enrolment, signed by the hub's key. Written to a
 * new file only, never over one, through a temporary linked into place. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enrolments.h"
#include "hub.h"
#include "invite.h"
#include "tlog.h"
#include "tls.h"

struct find {
	const char *key;
	char org[65], role[16];
	bool found;
};

static cb_err
find_key(void *ctx, const struct cb_enrolment *en, struct cb_errbuf *eb)
{
	struct find *f = ctx;

	(void)eb;
	if (strcmp(en->key, f->key) || strlen(en->org) >= sizeof(f->org) ||
	    strlen(en->role) >= sizeof(f->role))
		return CB_OK;
	snprintf(f->org, sizeof(f->org), "%s", en->org);
	snprintf(f->role, sizeof(f->role), "%s", en->role);
	f->found = true;
	return CB_OK;
}

/* text into a new file at path ("-": stdout): a temporary beside it,
 * fsynced, then linked to path, which must not exist (a symlink there
 * exists too). Prints why not. */
static bool
write_new(const char *path, const char *text)
{
	size_t n = strlen(path), len = strlen(text);
	char *tmp = malloc(n + 16);
	bool ok = false;
	int fd = -1;

	if (!strcmp(path, "-"))
		return fputs(text, stdout) >= 0 && fflush(stdout) == 0;
	if (!tmp) {
		hub_error(_("out of memory"));
		return false;
	}
	snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		hub_error(_("cannot write '%s': %s"), path, strerror(errno));
		free(tmp);
		return false;
	}
	if (fchmod(fd, 0644) || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd)) {
		hub_error(_("cannot write '%s': %s"), path, strerror(errno));
		goto out;
	}
	if (link(tmp, path)) {
		hub_error(errno == EEXIST ? _("'%s' exists: an invitation is "
		                              "never written over a file; "
		                              "give a new name")
		                          : _("cannot write '%s'"),
		          path);
		goto out;
	}
	ok = true;
out:
	close(fd);
	unlink(tmp);
	free(tmp);
	return ok;
}

int
hub_write_invite(struct hub *h, const char *key, const char *url,
                 const char *path)
{
	struct cb_invite inv;
	struct find f = { .key = key };
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	char *crt = NULL, *text = NULL;
	int rc = 1;

	memset(&inv, 0, sizeof(inv));
	if (strlen(url) >= sizeof(inv.url)) {
		hub_error(_("the URL is over %zu characters"),
		          sizeof(inv.url) - 1);
		return 1;
	}
	if (!(lg = hub_open(h)))
		return 1;
	if (cb_enrolments_each(lg->st, false, find_key, &f, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (!f.found) {
		hub_error(_("key %.12s… is not enrolled here (or was revoked): "
		            "enrol it first"),
		          key);
		goto out;
	}
	if (!(crt = hub_path(h, HUB_TLS_CERT))) {
		hub_error(_("out of memory"));
		goto out;
	}
	snprintf(inv.url, sizeof(inv.url), "%s", url);
	snprintf(inv.org, sizeof(inv.org), "%s", f.org);
	snprintf(inv.role, sizeof(inv.role), "%s", f.role);
	cb_tlog_origin(lg->org, inv.origin, sizeof(inv.origin));
	memcpy(inv.hub_key, lg->key.pk, 32);
	if (cb_tls_pin_of(crt, inv.pin, &eb) ||
	    cb_hex_decode(key, inv.key, 32, &eb) ||
	    cb_invite_sign(&inv, lg->key.sk, &text, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (!write_new(path, text))
		goto out;
	if (strcmp(path, "-"))
		printf(_("wrote the invitation for %s (%s) to '%s': give it "
		         "to its office, which runs 'chibo-agent hub --invite "
		         "FILE'\n"),
		       inv.org, inv.role, path);
	rc = 0;
out:
	free(text);
	free(crt);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef invite_defs[] = {
	{ "url", "URL",
	  N_("the hub's address as the office reaches it, "
	     "https://HOST:PORT") },
	{ "out", "FILE",
	  N_("the invitation file to write (new; - for "
	     "standard output)") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_invite(struct hub *h, int argc, char **argv)
{
	struct args v;
	int rc;

	rc = cb_args_command(
		"invite",
		N_("usage: chibo-hub invite KEY --url URL --out FILE\n\n"
	           "Writes the invitation of an enrolled key: one small file "
	           "with the hub's\naddress, its TLS pin, its key and the "
	           "enrolment, signed by the hub's key.\nThe office's clerk "
	           "takes it home (a USB stick) and runs 'chibo-agent hub\n"
	           "--invite FILE' instead of typing the key and pin. "
	           "'chibo-hub enroll\n--invite FILE --url URL' writes it "
	           "when it enrols.\n\n"),
		invite_defs, argc, argv, &v, 1, 1, N_("give one KEY"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("invite", _("give --url and --out"));
	if (strncmp(cb_args_get(&v, 0), "https://", 8))
		return cb_args_usage("invite",
		                     _("the URL must start with https://"));
	return hub_write_invite(h, v.pos[0], cb_args_get(&v, 0),
	                        cb_args_get(&v, 1));
}
