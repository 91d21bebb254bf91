/* SPDX-License-Identifier: MIT */
/* key.h — an agent's Ed25519 signing key and its file. The secret lives in
 * sodium_malloc'd memory and is wiped on release; the file is created
 * O_EXCL|O_NOFOLLOW with mode 0600, written to a temporary, fsynced and
 * linked into place so that it is never half-written and never overwritten. */
#ifndef CB_KEY_H
#define CB_KEY_H

#include "entry.h"
#include "err.h"

#define CB_SECRET_BYTES 64

struct cb_key {
	unsigned char pk[CB_KEY_BYTES];
	unsigned char *sk; /* sodium_malloc'd, CB_SECRET_BYTES; NULL if none */
};

#define CB_KEY_INIT                                                            \
	{                                                                      \
		{ 0 }, NULL                                                    \
	}

/* Generate a fresh key and write it to path; fails with CB_EEXIST if the
 * file exists. On success key holds it (release with cb_key_release). */
cb_err cb_key_create(const char *path, struct cb_key *key,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* Load the key at path. Refuses a file that is readable by group or others,
 * a symlink, or one that is not exactly a chibo key. */
cb_err cb_key_load(const char *path, struct cb_key *key,
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
