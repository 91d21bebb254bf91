/* SPDX-License-Identifier: MIT */
/* passphrase.c — a backup's or a key's passphrase from a file a variable
 * names ($CHIBO_PASSPHRASE_FILE) or from the terminal with echo off
 * (passphrase.h). The terminal is /dev/tty, not stdin, so that a backup can be
 * piped; echo is restored on every path. */
#include "passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

const struct cb_passphrase_for cb_passphrase_backup = {
	CB_PASSPHRASE_ENV,
	N_("Backup passphrase: "),
	N_("New backup passphrase: "),
};
const struct cb_passphrase_for cb_passphrase_key = {
	CB_PASSPHRASE_ENV,
	N_("Passphrase of the signing key: "),
	N_("New passphrase of the signing key: "),
};
const struct cb_passphrase_for cb_passphrase_account = {
	CB_PASSWORD_ENV,
	N_("Password of the account: "),
	N_("New password of the account: "),
};
const struct cb_passphrase_for cb_passphrase_key_new = {
	CB_PASSPHRASE_NEW_ENV,
	N_("New passphrase of the signing key: "),
	N_("New passphrase of the signing key: "),
};

/* One line from fd into buf (CB_PASSPHRASE_MAX + 1 bytes), without its
 * newline (and a CR before it). */
static cb_err
read_line(int fd, char *buf, size_t *len, const char *what,
          struct cb_errbuf *eb)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cb_error(eb, CB_EIO, _("cannot read %s: %s"),
			                what, strerror(errno));
		if (r == 0 || c == '\n')
			break;
		if (n == CB_PASSPHRASE_MAX)
			return cb_error(
				eb, CB_EINVAL,
				_("the passphrase in %s is longer than %d "
			          "bytes"),
				what, CB_PASSPHRASE_MAX);
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return CB_OK;
}

static cb_err
ask(int tty, const char *prompt, char *buf, size_t *len, struct cb_errbuf *eb)
{
	struct termios old, quiet;
	cb_err rc;

	if (tcgetattr(tty, &old) != 0)
		return cb_error(eb, CB_EIO,
		                _("cannot turn the terminal's echo "
		                  "off: %s"),
		                strerror(errno));
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0)
		return cb_error(eb, CB_EIO,
		                _("cannot turn the terminal's echo "
		                  "off: %s"),
		                strerror(errno));
	if (write(tty, prompt, strlen(prompt)) < 0) {
		/* the prompt is a courtesy; the answer is what matters */
	}
	rc = read_line(tty, buf, len, "the terminal", eb);
	tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0) {
		/* as above */
	}
	return rc;
}

static cb_err
from_terminal(const struct cb_passphrase_for *f, bool confirm, char *buf,
              size_t *len, struct cb_errbuf *eb)
{
	char *again = NULL;
	size_t len2;
	cb_err rc;
	int tty;

	if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return cb_error(
			eb, CB_EINVAL,
			_("no terminal to ask the passphrase on: put it "
		          "in a file (mode 0600) and name it in $%s"),
			f->env);
	rc = ask(tty, confirm ? _(f->prompt_new) : _(f->prompt), buf, len, eb);
	if (!rc && confirm) {
		if (!(again = sodium_malloc(CB_PASSPHRASE_MAX + 1)))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		else
			rc = ask(tty, _("The same passphrase again: "), again,
			         &len2, eb);
		if (!rc && (len2 != *len || sodium_memcmp(again, buf, *len)))
			rc = cb_error(eb, CB_EINVAL,
			              _("the two passphrases differ: nothing "
			                "written, try again"));
		sodium_free(again);
	}
	close(tty);
	return rc;
}

static cb_err
from_file(const char *env, const char *path, char *buf, size_t *len,
          struct cb_errbuf *eb)
{
	char what[CB_ERRBUF_SIZE / 2];
	cb_err rc;
	int fd;

	snprintf(what, sizeof(what), "'%.200s' ($%s)", path, env);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cb_error(eb, CB_EIO, _("cannot open %s: %s"), what,
		                strerror(errno));
	rc = read_line(fd, buf, len, what, eb);
	close(fd);
	return rc;
}

bool
cb_passphrase_scripted(const struct cb_passphrase_for *f)
{
	const char *file = getenv(f->env);

	return file && *file;
}

cb_err
cb_passphrase_get(bool confirm, char **out, size_t *len, struct cb_errbuf *eb)
{
	return cb_passphrase_ask(&cb_passphrase_backup, confirm, out, len, eb);
}

cb_err
cb_passphrase_ask(const struct cb_passphrase_for *f, bool confirm, char **out,
                  size_t *len, struct cb_errbuf *eb)
{
	const char *file = getenv(f->env);
	char *buf = sodium_malloc(CB_PASSPHRASE_MAX + 1);
	size_t n = 0;
	cb_err rc;

	if (!buf)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = file && *file ? from_file(f->env, file, buf, &n, eb)
	                   : from_terminal(f, confirm, buf, &n, eb);
	if (!rc && !n)
		rc = cb_error(eb, CB_EINVAL, _("the passphrase is empty"));
	else if (!rc && confirm && n < CB_PASSPHRASE_MIN)
		rc = cb_error(eb, CB_EINVAL,
		              _("a new passphrase needs %d characters at "
		                "least"),
		              CB_PASSPHRASE_MIN);
	if (rc) {
		cb_passphrase_free(&buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return CB_OK;
}

void
cb_passphrase_free(char **p)
{
	if (!*p)
		return;
	sodium_memzero(*p, CB_PASSPHRASE_MAX + 1);
	sodium_free(*p);
	*p = NULL;
}
