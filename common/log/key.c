/* SPDX-License-Identifier: MIT */
/* key.c — Ed25519 key files (see key.h). The file is text: a header line
 * "chibo-secret-key-v1" and the 32-byte seed in hex, so an operator can back
 * it up on paper; the public key is derived from the seed on load. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"

#define KEY_HEADER "chibo-secret-key-v1\n"
#define KEY_FILE_LEN (sizeof(KEY_HEADER) - 1 + 2 * crypto_sign_SEEDBYTES + 1)

cb_err
cb_file_fsync_dir(const char *path, struct cb_errbuf *eb)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return cb_error(eb, CB_EIO,
		                _("cannot open directory of '%s': %s"), path,
		                strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return cb_error(eb, CB_EIO,
		                _("cannot sync directory of '%s': %s"), path,
		                strerror(errno));
	}
	close(fd);
	return CB_OK;
}

cb_err
cb_file_temp(const char *path, int mode, char tmp[CB_FILE_TEMP_MAX], int *fd,
             struct cb_errbuf *eb)
{
	if (snprintf(tmp, CB_FILE_TEMP_MAX, "%s.tmp.%ld", path,
	             (long)getpid()) >= CB_FILE_TEMP_MAX)
		return cb_error(eb, CB_EINVAL, _("path '%.200s' is too long"),
		                path);
	unlink(tmp); /* a leftover of a crashed earlier run of this pid */
	*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	           mode);
	if (*fd < 0)
		return cb_error(eb, CB_EIO, _("cannot create '%s': %s"), tmp,
		                strerror(errno));
	if (fchmod(*fd, (mode_t)mode) != 0) {
		int err = errno;

		close(*fd);
		unlink(tmp);
		return cb_error(eb, CB_EIO, _("cannot create '%s': %s"), tmp,
		                strerror(err));
	}
	return CB_OK;
}

cb_err
cb_file_write_atomic(const char *path, const void *data, size_t len, int mode,
                     int no_replace, struct cb_errbuf *eb)
{
	char tmp[CB_FILE_TEMP_MAX];
	const unsigned char *p = data;
	size_t done = 0;
	int fd;
	cb_err rc;

	if ((rc = cb_file_temp(path, mode, tmp, &fd, eb)))
		return rc;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (no_replace) {
		if (link(tmp, path) != 0) {
			int err = errno;

			unlink(tmp);
			if (err == EEXIST)
				return cb_error(
					eb, CB_EEXIST,
					_("'%s' already exists; refusing "
				          "to overwrite it"),
					path);
			return cb_error(eb, CB_EIO, _("cannot create '%s': %s"),
			                path, strerror(err));
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		goto fail;
	}
	return cb_file_fsync_dir(path, eb);
fail : {
	int err = errno;

	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
	                strerror(err));
}
}

cb_err
cb_key_create(const char *path, struct cb_key *key, struct cb_errbuf *eb)
{
	unsigned char *seed = NULL, *sk = NULL;
	char *text = NULL;
	unsigned char pk[CB_KEY_BYTES];
	cb_err rc = CB_ENOMEM;

	if (sodium_init() < 0)
		return cb_error(eb, CB_ECRYPTO,
		                _("libsodium failed to initialise"));
	if (access(path, F_OK) == 0)
		return cb_error(
			eb, CB_EEXIST,
			_("key '%s' already exists; refusing to overwrite "
		          "it"),
			path);
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(CB_SECRET_BYTES);
	text = sodium_malloc(KEY_FILE_LEN + 1);
	if (!seed || !sk || !text) {
		cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(pk, sk, seed);
	memcpy(text, KEY_HEADER, sizeof(KEY_HEADER) - 1);
	cb_hex_encode(seed, crypto_sign_SEEDBYTES,
	              text + sizeof(KEY_HEADER) - 1);
	text[KEY_FILE_LEN - 1] = '\n';
	text[KEY_FILE_LEN] = 0;
	rc = cb_file_write_atomic(path, text, KEY_FILE_LEN, 0600, 1, eb);
	if (rc)
		goto out;
	memcpy(key->pk, pk, CB_KEY_BYTES);
	key->sk = sk;
	sk = NULL;
out:
	sodium_free(seed); /* sodium_free wipes before freeing */
	sodium_free(sk);
	sodium_free(text);
	return rc;
}

cb_err
cb_key_load(const char *path, struct cb_key *key, struct cb_errbuf *eb)
{
	unsigned char *seed = NULL, *sk = NULL;
	char *text = NULL;
	struct stat sb;
	ssize_t n;
	cb_err rc = CB_EINVAL;
	int fd;

	if (sodium_init() < 0)
		return cb_error(eb, CB_ECRYPTO,
		                _("libsodium failed to initialise"));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cb_error(eb, CB_EIO, _("cannot open key '%s': %s"), path,
		                strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cb_error(eb, CB_EIO, _("key '%s' is not a regular file"),
		                path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return cb_error(eb, CB_EINVAL,
		                _("key '%s' is readable by others (mode %03o); "
		                  "run 'chmod 600 %s'"),
		                path, (unsigned)(sb.st_mode & 0777), path);
	}
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(CB_SECRET_BYTES);
	text = sodium_malloc(KEY_FILE_LEN + 2);
	if (!seed || !sk || !text) {
		rc = cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	n = read(fd, text, KEY_FILE_LEN + 1);
	if (n != (ssize_t)KEY_FILE_LEN ||
	    memcmp(text, KEY_HEADER, sizeof(KEY_HEADER) - 1) != 0 ||
	    text[KEY_FILE_LEN - 1] != '\n') {
		rc = cb_error(eb, CB_EINVAL,
		              _("'%s' is not a chibo secret key"), path);
		goto out;
	}
	text[KEY_FILE_LEN - 1] = 0;
	if (cb_hex_decode(text + sizeof(KEY_HEADER) - 1, seed,
	                  crypto_sign_SEEDBYTES, NULL)) {
		rc = cb_error(eb, CB_EINVAL,
		              _("'%s' is not a chibo secret key"), path);
		goto out;
	}
	crypto_sign_seed_keypair(key->pk, sk, seed);
	key->sk = sk;
	sk = NULL;
	rc = CB_OK;
out:
	close(fd);
	sodium_free(seed);
	sodium_free(sk);
	sodium_free(text);
	return rc;
}

void
cb_key_release(struct cb_key *key)
{
	if (!key)
		return;
	sodium_free(key->sk);
	key->sk = NULL;
}
