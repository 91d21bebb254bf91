/* SPDX-License-Identifier: MIT */
/* backup.h — an encrypted backup of a replica's or a hub's directory: one
 * file holding a consistent copy of the store's database and the files
 * beside it that a working store needs (its signing key; a hub's TLS
 * identity and hub.conf), sealed with a passphrase (Argon2id, then
 * libsodium's secretstream, XChaCha20-Poly1305, in chunks so that a large
 * hub.db is never in memory whole). The format is docs/PROTOCOL.md's
 * "Backup files". */
#ifndef CB_BACKUP_H
#define CB_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pwhash.h"

struct cb_store;

#define CB_BACKUP_MAGIC "CHIBOBAK"
#define CB_BACKUP_MAGIC_BYTES 8
#define CB_BACKUP_VERSION 1
#define CB_BACKUP_HEADER_BYTES 72
#define CB_BACKUP_CHUNK 65536 /* plaintext bytes in each sealed chunk */
#define CB_BACKUP_NAME_MAX 64

/* What a backup holds, and how a restore tells one kind from another. */
struct cb_backup_layout {
	uint8_t kind;                /* the header's kind byte */
	const char *what;            /* "replica", "hub": for messages */
	const char *restore_cmd;     /* the command that restores this kind */
	const char *db;              /* the database, copied consistently */
	const char *const *files;    /* required beside it, NULL-ended */
	const char *const *optional; /* taken when present, NULL-ended */
};

/* A commune's replica (replica.db, agent.key, and sync.key when it has
 * one) and a hub's directory
 * (hub.db, hub.key, tls.key, tls.crt, and hub.conf when it has one). */
extern const struct cb_backup_layout cb_backup_replica, cb_backup_hub;

/* Argon2id's cost (pwhash.h): the default, or a cheaper one for tests; a
 * reader refuses a header whose cost cb_pwhash_cost_ok refuses. */

/* Back up the store st, whose directory is dir, to path: the database by
 * the store's online backup (one snapshot of everything committed, while
 * others write) into a temporary in dir (the plaintext never leaves the
 * store's directory, and is removed), then sealed with pass into path,
 * written to a temporary beside it with mode 0600, fsynced and renamed.
 * A required file of lay missing is an error; nothing is left behind on
 * any error. kdf NULL: cb_pwhash_default. */
cb_err cb_backup_store(struct cb_store *st, const char *dir,
                       const struct cb_backup_layout *lay, const char *path,
                       const char *pass, size_t passlen,
                       const struct cb_pwhash_cost *kdf,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Restore the backup at path into dir (created mode 0700 when absent):
 * refuses a dir that holds a store of lay's already (CB_EEXIST), a file
 * that is not a backup (CB_EINVAL), a backup of another kind (CB_EINVAL),
 * a wrong passphrase or any changed byte (CB_ECRYPTO), a file cut short
 * (CB_ECRYPTO), a newer format (CB_EVERSION). Every file is decrypted
 * into a temporary with mode 0600 and linked into place only once the
 * whole backup has been authenticated: on any error nothing is written. */
cb_err cb_backup_restore(const char *path, const struct cb_backup_layout *lay,
                         const char *pass, size_t passlen, const char *dir,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* As cb_backup_store and cb_backup_restore, with the passphrase got as
 * passphrase.h says ($CHIBO_PASSPHRASE_FILE, else the terminal: twice, and
 * 8 characters at least, for a new backup) and wiped after. */
cb_err cb_backup_store_asking(struct cb_store *st, const char *dir,
                              const struct cb_backup_layout *lay,
                              const char *path,
                              struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_backup_restore_asking(const char *path,
                                const struct cb_backup_layout *lay,
                                const char *dir,
                                struct cb_errbuf *eb) CB_MUST_CHECK;

#endif
