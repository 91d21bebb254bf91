/* SPDX-License-Identifier: MIT */
/* key.c — Ed25519 key files (see key.h). A plain file is text: a header
 * line "chibo-secret-key-v1" and the 32-byte seed in hex, so an operator
 * can back it up on paper; the public key is derived from the seed on
 * load. A sealed file (docs/PROTOCOL.md, "Sealed key files") is 148
 * bytes: a header in the clear (magic, version, algorithms, Argon2id's
 * cost and salt, the nonce, the public key), then the seed sealed with
 * XChaCha20-Poly1305 (RFC 8439 with an extended nonce, libsodium's
 * crypto_aead_xchacha20poly1305_ietf) under the key Argon2id derives from
 * the passphrase, the whole header its additional data. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"

#define KEY_HEADER "chibo-secret-key-v1\n"
#define KEY_FILE_LEN (sizeof(KEY_HEADER) - 1 + 2 * crypto_sign_SEEDBYTES + 1)

/* The sealed file's layout. */
#define SEALED_VERSION 1
#define SEALED_KDF_ARGON2ID13 1
#define SEALED_CIPHER_XCHACHA20POLY1305 1
#define SEALED_OPS 12
#define SEALED_MEM 20
#define SEALED_SALT 28
#define SEALED_NONCE 44
#define SEALED_PK 68
#define SEALED_HEADER 100 /* the additional data */
#define SEALED_AKEY crypto_aead_xchacha20poly1305_ietf_KEYBYTES
_Static_assert(SEALED_NONCE + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ==
                       SEALED_PK,
               "sealed key layout");
_Static_assert(SEALED_HEADER + crypto_sign_SEEDBYTES +
                               crypto_aead_xchacha20poly1305_ietf_ABYTES ==
                       CB_KEY_SEALED_BYTES,
               "sealed key layout");
#define READ_MAX                                                               \
	(CB_KEY_SEALED_BYTES > KEY_FILE_LEN ? CB_KEY_SEALED_BYTES              \
	                                    : KEY_FILE_LEN)

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

static void
put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Seal the seed of sk (a libsodium secret key: the seed, then the public
 * key) into out, a whole sealed file. */
static cb_err
seal(const unsigned char *sk, const char *pass, size_t passlen,
     const struct cb_pwhash_cost *c, unsigned char out[CB_KEY_SEALED_BYTES],
     struct cb_errbuf *eb)
{
	unsigned char *k = NULL;
	cb_err rc;

	if (!c)
		c = &cb_pwhash_default;
	memset(out, 0, CB_KEY_SEALED_BYTES);
	memcpy(out, CB_KEY_SEALED_MAGIC, 8);
	out[8] = SEALED_VERSION;
	out[9] = SEALED_KDF_ARGON2ID13;
	out[10] = SEALED_CIPHER_XCHACHA20POLY1305;
	put_be64(out + SEALED_OPS, c->opslimit);
	put_be64(out + SEALED_MEM, c->memlimit);
	randombytes_buf(out + SEALED_SALT, CB_PWHASH_SALT_BYTES);
	randombytes_buf(out + SEALED_NONCE,
	                crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	memcpy(out + SEALED_PK, sk + crypto_sign_SEEDBYTES, CB_KEY_BYTES);
	if ((rc = cb_pwhash_derive(pass, passlen, out + SEALED_SALT, c,
	                           SEALED_AKEY, &k, eb)))
		return rc;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + SEALED_HEADER, NULL, sk, crypto_sign_SEEDBYTES, out,
		SEALED_HEADER, NULL, out + SEALED_NONCE, k);
	sodium_free(k);
	return CB_OK;
}

/* A sealed file's header: one this chibo reads, at a cost it pays. */
static cb_err
check_sealed(const unsigned char *f, size_t n, const char *path,
             struct cb_errbuf *eb)
{
	struct cb_pwhash_cost c;

	if (n != CB_KEY_SEALED_BYTES)
		return cb_error(eb, CB_EINVAL,
		                _("'%s' is not a chibo secret key (a sealed "
		                  "key of %zu bytes, not %d)"),
		                path, n, CB_KEY_SEALED_BYTES);
	if (f[8] != SEALED_VERSION)
		return cb_error(eb, CB_EVERSION,
		                _("key '%s' is sealed in format %u; this chibo "
		                  "reads format %u: use a newer chibo"),
		                path, f[8], SEALED_VERSION);
	c.opslimit = cb_be_get(f + SEALED_OPS, 8);
	c.memlimit = cb_be_get(f + SEALED_MEM, 8);
	if (f[9] != SEALED_KDF_ARGON2ID13 ||
	    f[10] != SEALED_CIPHER_XCHACHA20POLY1305 || f[11] != 0 ||
	    !cb_pwhash_cost_ok(&c))
		return cb_error(eb, CB_EINVAL,
		                _("key '%s' has a header this chibo does not "
		                  "accept (algorithms or Argon2id cost out of "
		                  "range)"),
		                path);
	return CB_OK;
}

cb_err
cb_key_unseal(struct cb_key *key, const char *pass, size_t passlen,
              struct cb_errbuf *eb)
{
	const unsigned char *f = key->seal;
	struct cb_pwhash_cost c = { cb_be_get(f + SEALED_OPS, 8),
		                    cb_be_get(f + SEALED_MEM, 8) };
	unsigned char *k = NULL, *seed = NULL, *sk = NULL, pk[CB_KEY_BYTES];
	cb_err rc;

	if (key->sk)
		return CB_OK;
	if (!key->sealed || !cb_pwhash_cost_ok(&c))
		return cb_error(eb, CB_EINVAL, _("the key is not sealed"));
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(CB_SECRET_BYTES);
	if (!seed || !sk) {
		rc = cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	if ((rc = cb_pwhash_derive(pass, passlen, f + SEALED_SALT, &c,
	                           SEALED_AKEY, &k, eb)))
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    seed, NULL, NULL, f + SEALED_HEADER,
		    CB_KEY_SEALED_BYTES - SEALED_HEADER, f, SEALED_HEADER,
		    f + SEALED_NONCE, k) != 0) {
		rc = cb_error(eb, CB_ECRYPTO,
		              _("cannot open the signing key: wrong "
		                "passphrase, or its file was changed; nothing "
		                "signed"));
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if (sodium_memcmp(pk, key->pk, CB_KEY_BYTES) != 0) {
		/* authenticated, yet not the key it says: a sealing bug */
		rc = cb_error(eb, CB_ECRYPTO,
		              _("the signing key's file is damaged: its "
		                "sealed key is not its public key"));
		goto out;
	}
	key->sk = sk;
	sk = NULL;
	rc = CB_OK;
out:
	sodium_free(k);
	sodium_free(seed);
	sodium_free(sk);
	return rc;
}

cb_err
cb_key_seal_file(const char *path, struct cb_key *key, const char *pass,
                 size_t passlen, const struct cb_pwhash_cost *c,
                 struct cb_errbuf *eb)
{
	unsigned char f[CB_KEY_SEALED_BYTES];
	cb_err rc;

	if (!key->sk)
		return cb_error(eb, CB_EINVAL,
		                _("the signing key is sealed and not open"));
	if ((rc = seal(key->sk, pass, passlen, c, f, eb)) ||
	    (rc = cb_file_write_atomic(path, f, sizeof(f), 0600, 0, eb)))
		return rc;
	memcpy(key->seal, f, sizeof(f));
	key->sealed = true;
	return CB_OK;
}

/* A fresh key written to path (never over a file): plain, or with pass
 * sealed at cost c. */
static cb_err
create(const char *path, const char *pass, size_t passlen,
       const struct cb_pwhash_cost *c, struct cb_key *key, struct cb_errbuf *eb)
{
	unsigned char *seed = NULL, *sk = NULL, f[CB_KEY_SEALED_BYTES];
	unsigned char pk[CB_KEY_BYTES];
	char *text = NULL;
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
	if (pass) {
		if ((rc = seal(sk, pass, passlen, c, f, eb)) ||
		    (rc = cb_file_write_atomic(path, f, sizeof(f), 0600, 1,
		                               eb)))
			goto out;
		memcpy(key->seal, f, sizeof(f));
	} else {
		memcpy(text, KEY_HEADER, sizeof(KEY_HEADER) - 1);
		cb_hex_encode(seed, crypto_sign_SEEDBYTES,
		              text + sizeof(KEY_HEADER) - 1);
		text[KEY_FILE_LEN - 1] = '\n';
		text[KEY_FILE_LEN] = 0;
		if ((rc = cb_file_write_atomic(path, text, KEY_FILE_LEN, 0600,
		                               1, eb)))
			goto out;
	}
	memcpy(key->pk, pk, CB_KEY_BYTES);
	key->sk = sk;
	key->sealed = pass != NULL;
	sk = NULL;
out:
	sodium_free(seed); /* sodium_free wipes before freeing */
	sodium_free(sk);
	sodium_free(text);
	return rc;
}

cb_err
cb_key_create_sealed(const char *path, const char *pass, size_t passlen,
                     const struct cb_pwhash_cost *c, struct cb_key *key,
                     struct cb_errbuf *eb)
{
	return create(path, pass, passlen, c, key, eb);
}

cb_err
cb_key_create(const char *path, struct cb_key *key, struct cb_errbuf *eb)
{
	return create(path, NULL, 0, NULL, key, eb);
}

cb_err
cb_key_file_read(const char *path, char *text, size_t max, size_t *got,
                 struct cb_errbuf *eb)
{
	struct stat sb;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*got = 0;
	if (fd < 0)
		return cb_error(eb, errno == ENOENT ? CB_ENOTFOUND : CB_EIO,
		                _("cannot open key '%s': %s"), path,
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
	for (; *got < max + 1; *got += (size_t)n) {
		n = read(fd, text + *got, max + 1 - *got);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0) {
			int e = errno;

			close(fd);
			return cb_error(eb, CB_EIO,
			                _("cannot read key '%s': %s"), path,
			                strerror(e));
		}
		if (n == 0)
			break;
	}
	close(fd);
	return CB_OK;
}

cb_err
cb_key_load(const char *path, struct cb_key *key, struct cb_errbuf *eb)
{
	unsigned char *seed = NULL, *sk = NULL;
	char *text = NULL;
	size_t got;
	cb_err rc = CB_EINVAL;

	if (sodium_init() < 0)
		return cb_error(eb, CB_ECRYPTO,
		                _("libsodium failed to initialise"));
	seed = sodium_malloc(crypto_sign_SEEDBYTES);
	sk = sodium_malloc(CB_SECRET_BYTES);
	text = sodium_malloc(READ_MAX + 2);
	if (!seed || !sk || !text) {
		rc = cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	if ((rc = cb_key_file_read(path, text, READ_MAX, &got, eb))) {
		if (rc == CB_ENOTFOUND)
			rc = CB_EIO;
		goto out;
	}
	if (got >= 8 && !memcmp(text, CB_KEY_SEALED_MAGIC, 8)) {
		if ((rc = check_sealed((unsigned char *)text, got, path, eb)))
			goto out;
		memcpy(key->seal, text, CB_KEY_SEALED_BYTES);
		memcpy(key->pk, text + SEALED_PK, CB_KEY_BYTES);
		key->sealed = true;
		key->sk = NULL;
		rc = CB_OK;
		goto out;
	}
	if (got != KEY_FILE_LEN ||
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
	key->sealed = false;
	sk = NULL;
	rc = CB_OK;
out:
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
