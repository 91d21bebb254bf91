/* SPDX-License-Identifier: MIT */
/* key.h — an agent's Ed25519 signing key and its file. The secret lives in
 * sodium_malloc'd memory and is wiped on release; the file is created
 * O_EXCL|O_NOFOLLOW with mode 0600, written to a temporary, fsynced and
 * linked into place so that it is never half-written and never overwritten.
 * The file is plain (the seed in hex) or sealed with a passphrase
 * (docs/PROTOCOL.md, "Sealed key files": Argon2id, pwhash.h, then
 * XChaCha20-Poly1305), so that a stolen laptop cannot sign; a sealed key
 * loads with its public key only, and is opened when something must be
 * signed. */
#ifndef CB_KEY_H
#define CB_KEY_H

#include <stdbool.h>

#include "entry.h"
#include "err.h"
#include "pwhash.h"

#define CB_SECRET_BYTES 64
#define CB_KEY_SEALED_MAGIC "CHIBOKEY"
#define CB_KEY_SEALED_BYTES 148 /* the whole sealed file */

struct cb_key {
	unsigned char pk[CB_KEY_BYTES];
	/* sodium_malloc'd, CB_SECRET_BYTES; NULL if none, or sealed and
	 * not opened yet (cb_key_unseal) */
	unsigned char *sk;
	bool sealed; /* its file is sealed with a passphrase */
	unsigned char seal[CB_KEY_SEALED_BYTES]; /* that file, when sealed */
};

#define CB_KEY_INIT                                                            \
	{                                                                      \
		{ 0 }, NULL, false,                                            \
		{                                                              \
			0                                                      \
		}                                                              \
	}

/* Generate a fresh key and write it to path; fails with CB_EEXIST if the
 * file exists. On success key holds it (release with cb_key_release). */
cb_err cb_key_create(const char *path, struct cb_key *key,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* As cb_key_create, the file sealed with the passphrase (pass, passlen)
 * at Argon2id cost c (NULL: cb_pwhash_default). On success key holds the
 * secret too, and sealed is set. */
cb_err cb_key_create_sealed(const char *path, const char *pass, size_t passlen,
                            const struct cb_pwhash_cost *c, struct cb_key *key,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Load the key at path. Refuses a file that is readable by group or others,
 * a symlink, or one that is not exactly a chibo key. A sealed file gives
 * the public key only (sk NULL, sealed set): its header must be one this
 * chibo reads, with a cost cb_pwhash_cost_ok takes, and nothing may follow
 * it; whether it was changed is known only when it is opened. */
/* Read a key file, path: a regular file, not through a symbolic link,
 * readable by its owner only; at most max + 1 bytes of it into text (the
 * caller's secure memory), their number in *got, so that a longer file
 * shows as one. CB_ENOTFOUND if there is none; CB_EIO, CB_EINVAL with a
 * message that names the file. Shared by the signing key and the sync
 * key (grant.h). */
cb_err cb_key_file_read(const char *path, char *text, size_t max, size_t *got,
                        struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_key_load(const char *path, struct cb_key *key,
                   struct cb_errbuf *eb) CB_MUST_CHECK;

/* Open a sealed key that cb_key_load gave (sk NULL, sealed) with the
 * passphrase: CB_ECRYPTO for a wrong passphrase or a changed byte (one
 * message: the two cannot be told apart), CB_ENOMEM if Argon2id cannot
 * have its memory. A key open already: CB_OK. On error key is unchanged. */
cb_err cb_key_unseal(struct cb_key *key, const char *pass, size_t passlen,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* Write key (whose secret is open) to path sealed with the passphrase at
 * cost c (NULL: the default), replacing the file there atomically: how a
 * plain key is sealed and a sealed key's passphrase changed. On success
 * key->sealed is set and key->seal is the new file. */
cb_err cb_key_seal_file(const char *path, struct cb_key *key, const char *pass,
                        size_t passlen, const struct cb_pwhash_cost *c,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

void cb_key_release(struct cb_key *key);

/* Write len bytes to path atomically: a temporary beside it created with
 * mode, fsync, rename over path (or, with no_replace, link so an existing
 * file is never replaced), fsync of the directory. */
cb_err cb_file_write_atomic(const char *path, const void *data, size_t len,
                            int mode, int no_replace,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* The temporary a file is written to before it is renamed over path:
 * "path.tmp.PID" into tmp (a leftover of that name removed first),
 * created O_CREAT|O_EXCL|O_NOFOLLOW with mode, open for writing in *fd.
 * On error nothing is left behind. */
#define CB_FILE_TEMP_MAX 4096
cb_err cb_file_temp(const char *path, int mode, char tmp[CB_FILE_TEMP_MAX],
                    int *fd, struct cb_errbuf *eb) CB_MUST_CHECK;

/* fsync the directory holding path, so that a rename into it is on disk
 * (EINVAL from a file system that cannot is no error). */
cb_err cb_file_fsync_dir(const char *path, struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
