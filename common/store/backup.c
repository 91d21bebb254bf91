/* SPDX-License-Identifier: MIT */
/* backup.c — encrypted backups of a store's directory (backup.h), in the
 * format of docs/PROTOCOL.md's "Backup files": a 72-byte header in the
 * clear (magic, version, kind, Argon2id's cost and salt, the secretstream
 * header), then chunks of libsodium's crypto_secretstream_xchacha20poly1305
 * (RFC 8439's AEAD with an extended nonce), the first of which
 * authenticates the header as additional data and the last of which is
 * tagged FINAL, so that a file cut short at a chunk boundary is told from
 * a whole one. The plaintext is a list of records: 'F', a name, a size,
 * the file's bytes; then 'E'. */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "args.h"
#include "buf.h"
#include "key.h"
#include "passphrase.h"
#include "store.h"

#define KDF_ARGON2ID13 1
#define CIPHER_SECRETSTREAM 1
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define KEYBYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define SALTBYTES CB_PWHASH_SALT_BYTES
#define FILES_MAX 8

#define REC_FILE 'F'
#define REC_END 'E'

_Static_assert(
	8 + 4 + 4 + 8 + 8 + SALTBYTES +
			crypto_secretstream_xchacha20poly1305_HEADERBYTES ==
		CB_BACKUP_HEADER_BYTES,
	"header layout");

static const char *const replica_files[] = { "agent.key", NULL };
static const char *const replica_optional[] = { "sync.key", NULL };
static const char *const hub_files[] = { "hub.key", "tls.key", "tls.crt",
	                                 NULL };
static const char *const hub_optional[] = { "hub.conf", NULL };

const struct cb_backup_layout cb_backup_replica = {
	1,
	"replica",
	"chibo-agent restore-backup",
	"replica.db",
	replica_files,
	replica_optional,
};
const struct cb_backup_layout cb_backup_hub = {
	2, "hub", "chibo-hub restore-backup", "hub.db", hub_files, hub_optional,
};

static const struct cb_backup_layout *const layouts[] = { &cb_backup_replica,
	                                                  &cb_backup_hub };

static void
put_be32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static cb_err
write_all(int fd, const void *data, size_t n, const char *path,
          struct cb_errbuf *eb)
{
	const unsigned char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return cb_error(eb, CB_EIO, _("cannot write '%s': %s"),
			                path, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return CB_OK;
}

/* Read up to n bytes, fewer only at the end of the file. */
static cb_err
read_full(int fd, void *data, size_t n, size_t *got, const char *path,
          struct cb_errbuf *eb)
{
	unsigned char *p = data;
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, p + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cb_error(eb, CB_EIO, _("cannot read '%s': %s"),
			                path, strerror(errno));
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return CB_OK;
}

/* The key from the passphrase and the header's cost and salt, in
 * sodium_malloc'd memory (*key; sodium_free it). */
static cb_err
derive_key(const char *pass, size_t passlen, const unsigned char *hdr,
           unsigned char **key, struct cb_errbuf *eb)
{
	struct cb_pwhash_cost c = { cb_be_get(hdr + 16, 8),
		                    cb_be_get(hdr + 24, 8) };

	return cb_pwhash_derive(pass, passlen, hdr + 32, &c, KEYBYTES, key, eb);
}

/* Sealing: plaintext gathered into chunks of CB_BACKUP_CHUNK bytes, each
 * pushed as it fills; the header is the first chunk's additional data. */
struct sealer {
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *plain; /* sodium_malloc'd: it holds keys and records */
	unsigned char cipher[CB_BACKUP_CHUNK + ABYTES];
	size_t used;
	const unsigned char *ad; /* the header, until the first chunk */
	int fd;
	const char *path;
};

static cb_err
seal_push(struct sealer *s, unsigned char tag, struct cb_errbuf *eb)
{
	unsigned long long clen;

	crypto_secretstream_xchacha20poly1305_push(
		&s->st, s->cipher, &clen, s->plain, s->used, s->ad,
		s->ad ? CB_BACKUP_HEADER_BYTES : 0, tag);
	s->ad = NULL;
	s->used = 0;
	return write_all(s->fd, s->cipher, (size_t)clen, s->path, eb);
}

static cb_err
seal_add(struct sealer *s, const void *data, size_t n, struct cb_errbuf *eb)
{
	const unsigned char *p = data;
	cb_err rc;

	while (n) {
		size_t k = CB_BACKUP_CHUNK - s->used;

		if (k > n)
			k = n;
		memcpy(s->plain + s->used, p, k);
		s->used += k;
		p += k;
		n -= k;
		if (s->used == CB_BACKUP_CHUNK &&
		    (rc = seal_push(
			     s,
			     crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
			     eb)))
			return rc;
	}
	return CB_OK;
}

/* One record: 'F', the name's length (one byte) and the name, the size
 * (8 bytes, big-endian), the bytes of the file at src. */
static cb_err
seal_file(struct sealer *s, const char *name, const char *src,
          struct cb_errbuf *eb)
{
	unsigned char head[2 + CB_BACKUP_NAME_MAX + 8], buf[16384];
	size_t nlen = strlen(name), got;
	struct stat sb;
	uint64_t left;
	cb_err rc;
	int fd;

	if ((fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return cb_error(eb, CB_EIO, _("cannot read '%s': %s"), src,
		                strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cb_error(eb, CB_EIO, _("cannot read '%s': not a file"),
		                src);
	}
	head[0] = REC_FILE;
	head[1] = (unsigned char)nlen;
	memcpy(head + 2, name, nlen);
	put_be64(head + 2 + nlen, (uint64_t)sb.st_size);
	rc = seal_add(s, head, 2 + nlen + 8, eb);
	for (left = (uint64_t)sb.st_size; !rc && left; left -= got) {
		size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);

		if ((rc = read_full(fd, buf, want, &got, src, eb)))
			break;
		if (got < want) {
			rc = cb_error(eb, CB_EIO,
			              _("'%s' shrank while it was read"), src);
			break;
		}
		rc = seal_add(s, buf, got, eb);
	}
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* Seal the files (names[i] read from srcs[i]) into fd. */
static cb_err
seal_all(int fd, const char *path, const struct cb_backup_layout *lay,
         const char *pass, size_t passlen, const struct cb_pwhash_cost *kdf,
         const char *const *names, const char *const *srcs, size_t n,
         struct cb_errbuf *eb)
{
	unsigned char hdr[CB_BACKUP_HEADER_BYTES], *key = NULL, end = REC_END;
	struct sealer *s;
	cb_err rc;

	memcpy(hdr, CB_BACKUP_MAGIC, CB_BACKUP_MAGIC_BYTES);
	hdr[8] = CB_BACKUP_VERSION;
	hdr[9] = lay->kind;
	hdr[10] = KDF_ARGON2ID13;
	hdr[11] = CIPHER_SECRETSTREAM;
	put_be32(hdr + 12, CB_BACKUP_CHUNK);
	put_be64(hdr + 16, kdf->opslimit);
	put_be64(hdr + 24, kdf->memlimit);
	randombytes_buf(hdr + 32, SALTBYTES);
	if (!(s = malloc(sizeof(*s))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (!(s->plain = sodium_malloc(CB_BACKUP_CHUNK))) {
		free(s);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	s->used = 0;
	s->ad = hdr;
	s->fd = fd;
	s->path = path;
	if ((rc = derive_key(pass, passlen, hdr, &key, eb)))
		goto out;
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, hdr + 48, key);
	if ((rc = write_all(fd, hdr, sizeof(hdr), path, eb)))
		goto out;
	for (size_t i = 0; !rc && i < n; i++)
		rc = seal_file(s, names[i], srcs[i], eb);
	if (!rc)
		rc = seal_add(s, &end, 1, eb);
	if (!rc)
		rc = seal_push(
			s, crypto_secretstream_xchacha20poly1305_TAG_FINAL, eb);
out:
	sodium_free(key);
	sodium_free(s->plain);
	sodium_memzero(&s->st, sizeof(s->st));
	free(s);
	return rc;
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

cb_err
cb_backup_store(struct cb_store *st, const char *dir,
                const struct cb_backup_layout *lay, const char *path,
                const char *pass, size_t passlen,
                const struct cb_pwhash_cost *kdf, struct cb_errbuf *eb)
{
	const char *names[FILES_MAX];
	char *srcs[FILES_MAX] = { 0 }, snap[CB_FILE_TEMP_MAX],
	     tmp[CB_FILE_TEMP_MAX];
	size_t n = 0;
	cb_err rc = CB_OK;
	int fd = -1;

	if (!kdf)
		kdf = &cb_pwhash_default;
	if (snprintf(snap, sizeof(snap), "%s/%s.snapshot.%ld", dir, lay->db,
	             (long)getpid()) >= (int)sizeof(snap))
		return cb_error(eb, CB_EINVAL, _("path '%.200s' is too long"),
		                dir);
	names[n] = lay->db;
	if (!(srcs[n++] = strdup(snap)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	for (int opt = 0; opt < 2 && !rc; opt++) {
		const char *const *l = opt ? lay->optional : lay->files;

		for (; *l && !rc; l++) {
			char *p = cb_path_join(dir, *l);

			if (!p) {
				rc = cb_error(eb, CB_ENOMEM,
				              _("out of memory"));
				break;
			}
			if (opt && !exists(p)) {
				free(p);
				continue;
			}
			if (!opt && !exists(p)) {
				rc = cb_error(
					eb, CB_ENOTFOUND,
					_("cannot back up the %s: '%s' is "
				          "missing"),
					lay->what, p);
				free(p);
				break;
			}
			names[n] = *l;
			srcs[n++] = p;
		}
	}
	if (rc)
		goto out;
	if ((rc = cb_store_backup(st, snap, eb)))
		goto out;
	if ((rc = cb_file_temp(path, 0600, tmp, &fd, eb)))
		goto out_snap;
	rc = seal_all(fd, path, lay, pass, passlen, kdf, names,
	              (const char *const *)srcs, n, eb);
	if (!rc && fsync(fd) != 0)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
		              strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
		              strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
		              strerror(errno));
	if (rc)
		unlink(tmp);
	else
		rc = cb_file_fsync_dir(path, eb);
out_snap:
	unlink(snap);
out:
	for (size_t i = 0; i < n; i++)
		free(srcs[i]);
	return rc;
}

/* Opening: the chunks pulled one at a time, the plaintext handed out from
 * the current one. */
struct opener {
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char *plain; /* sodium_malloc'd */
	unsigned char cipher[CB_BACKUP_CHUNK + ABYTES];
	size_t have, pos, chunk;
	uint64_t offset; /* of the next chunk in the file */
	const unsigned char *ad;
	bool final;
	int fd;
	const char *path;
};

static cb_err
open_pull(struct opener *o, struct cb_errbuf *eb)
{
	unsigned long long plen;
	unsigned char tag;
	size_t got;
	cb_err rc;

	if (o->final)
		return cb_error(eb, CB_ECRYPTO,
		                _("'%s' is damaged: its records end before its "
		                  "last chunk does; nothing restored"),
		                o->path);
	if ((rc = read_full(o->fd, o->cipher, o->chunk + ABYTES, &got, o->path,
	                    eb)))
		return rc;
	if (got < ABYTES)
		return cb_error(
			eb, CB_ECRYPTO,
			_("'%s' is cut short at byte %llu: nothing restored"),
			o->path, (unsigned long long)(o->offset + got));
	if (crypto_secretstream_xchacha20poly1305_pull(
		    &o->st, o->plain, &plen, &tag, o->cipher, got, o->ad,
		    o->ad ? CB_BACKUP_HEADER_BYTES : 0) != 0) {
		if (o->ad)
			return cb_error(eb, CB_ECRYPTO,
			                _("cannot decrypt '%s': wrong "
			                  "passphrase, or the file was changed "
			                  "or cut short; nothing restored"),
			                o->path);
		return cb_error(eb, CB_ECRYPTO,
		                _("'%s' is damaged (changed or cut short) in "
		                  "bytes %llu-%llu: nothing restored"),
		                o->path, (unsigned long long)o->offset,
		                (unsigned long long)(o->offset + got));
	}
	o->ad = NULL;
	o->offset += got;
	o->have = (size_t)plen;
	o->pos = 0;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		o->final = true;
		if ((rc = read_full(o->fd, o->cipher, 1, &got, o->path, eb)))
			return rc;
		if (got)
			return cb_error(
				eb, CB_ECRYPTO,
				_("'%s' has bytes after its end at byte "
			          "%llu: nothing restored"),
				o->path, (unsigned long long)o->offset);
	} else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ||
	           got < o->chunk + ABYTES) {
		return cb_error(
			eb, CB_ECRYPTO,
			_("'%s' is cut short at byte %llu: nothing restored"),
			o->path, (unsigned long long)o->offset);
	}
	return CB_OK;
}

/* Up to n bytes of plaintext at *p (at least one). */
static cb_err
open_take(struct opener *o, size_t n, const unsigned char **p, size_t *got,
          struct cb_errbuf *eb)
{
	cb_err rc;

	while (o->pos == o->have)
		if ((rc = open_pull(o, eb)))
			return rc;
	*got = o->have - o->pos < n ? o->have - o->pos : n;
	*p = o->plain + o->pos;
	o->pos += *got;
	return CB_OK;
}

/* Exactly n bytes into out. */
static cb_err
open_read(struct opener *o, void *out, size_t n, struct cb_errbuf *eb)
{
	unsigned char *q = out;
	const unsigned char *p;
	size_t got;
	cb_err rc;

	while (n) {
		if ((rc = open_take(o, n, &p, &got, eb)))
			return rc;
		memcpy(q, p, got);
		q += got;
		n -= got;
	}
	return CB_OK;
}

/* The restored files: temporaries, linked into place at the end. */
struct restored {
	const char *name[FILES_MAX];
	char tmp[FILES_MAX][CB_FILE_TEMP_MAX];
	size_t n;
};

/* lay's own spelling of name, or NULL when a store of lay has no file
 * of that name. */
static const char *
layout_name(const struct cb_backup_layout *lay, const char *name)
{
	if (!strcmp(name, lay->db))
		return lay->db;
	for (const char *const *l = lay->files; *l; l++)
		if (!strcmp(name, *l))
			return *l;
	for (const char *const *l = lay->optional; *l; l++)
		if (!strcmp(name, *l))
			return *l;
	return NULL;
}

static cb_err
open_file(struct opener *o, const struct cb_backup_layout *lay, const char *dir,
          struct restored *r, struct cb_errbuf *eb)
{
	unsigned char len, size[8];
	char name[CB_BACKUP_NAME_MAX + 1], dest[CB_FILE_TEMP_MAX];
	const unsigned char *p;
	const char *known;
	uint64_t left;
	size_t got;
	cb_err rc;
	int fd;

	if ((rc = open_read(o, &len, 1, eb)))
		return rc;
	if (!len || len > CB_BACKUP_NAME_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("'%s' holds a file with a bad name; nothing "
		                  "restored"),
		                o->path);
	if ((rc = open_read(o, name, len, eb)) ||
	    (rc = open_read(o, size, 8, eb)))
		return rc;
	name[len] = '\0';
	if (strlen(name) != len || !(known = layout_name(lay, name)))
		return cb_error(eb, CB_EINVAL,
		                _("'%s' holds a file a %s has no use for; "
		                  "nothing restored"),
		                o->path, lay->what);
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], name))
			return cb_error(eb, CB_EINVAL,
			                _("'%s' holds '%s' twice; nothing "
			                  "restored"),
			                o->path, name);
	if (r->n == FILES_MAX)
		return cb_error(eb, CB_EINVAL, _("'%s' holds too many files"),
		                o->path);
	snprintf(dest, sizeof(dest), "%s/%s", dir, name);
	if ((rc = cb_file_temp(dest, 0600, r->tmp[r->n], &fd, eb)))
		return rc;
	r->name[r->n++] = known;
	for (left = cb_be_get(size, 8); left && !rc; left -= got) {
		if ((rc = open_take(o,
		                    left < SIZE_MAX ? (size_t)left : SIZE_MAX,
		                    &p, &got, eb)))
			break;
		rc = write_all(fd, p, got, r->tmp[r->n - 1], eb);
	}
	if (!rc && fsync(fd) != 0)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"),
		              r->tmp[r->n - 1], strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"),
		              r->tmp[r->n - 1], strerror(errno));
	return rc;
}

/* The header: a backup of lay's kind in a format this chibo reads, with a
 * cost it is willing to pay. */
static cb_err
check_header(const unsigned char *hdr, size_t got, const char *path,
             const struct cb_backup_layout *lay, struct cb_errbuf *eb)
{
	struct cb_pwhash_cost cost;

	if (got < CB_BACKUP_MAGIC_BYTES ||
	    memcmp(hdr, CB_BACKUP_MAGIC, CB_BACKUP_MAGIC_BYTES) != 0)
		return cb_error(eb, CB_EINVAL,
		                _("'%s' is not a chibo backup (no '%s' at its "
		                  "start)"),
		                path, CB_BACKUP_MAGIC);
	if (got < CB_BACKUP_HEADER_BYTES)
		return cb_error(eb, CB_ECRYPTO,
		                _("'%s' is cut short in its header: nothing "
		                  "restored"),
		                path);
	if (hdr[8] != CB_BACKUP_VERSION)
		return cb_error(eb, CB_EVERSION,
		                _("'%s' is a backup of format %u; this chibo "
		                  "reads format %u: restore it with a newer "
		                  "chibo"),
		                path, hdr[8], CB_BACKUP_VERSION);
	if (hdr[9] != lay->kind) {
		for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]);
		     i++)
			if (layouts[i]->kind == hdr[9])
				return cb_error(
					eb, CB_EINVAL,
					_("'%s' is a backup of a %s, not "
				          "of a %s: restore it with '%s'"),
					path, layouts[i]->what, lay->what,
					layouts[i]->restore_cmd);
		return cb_error(eb, CB_EINVAL,
		                _("'%s' is a backup of an unknown kind (%u)"),
		                path, hdr[9]);
	}
	cost.opslimit = cb_be_get(hdr + 16, 8);
	cost.memlimit = cb_be_get(hdr + 24, 8);
	if (hdr[10] != KDF_ARGON2ID13 || hdr[11] != CIPHER_SECRETSTREAM ||
	    cb_be_get(hdr + 12, 4) != CB_BACKUP_CHUNK ||
	    !cb_pwhash_cost_ok(&cost))
		return cb_error(
			eb, CB_EINVAL,
			_("'%s' has a header this chibo does not accept "
		          "(algorithms, chunk size or Argon2id cost out "
		          "of range)"),
			path);
	return CB_OK;
}

/* A store of lay's already in dir? */
static cb_err
check_empty(const char *dir, const struct cb_backup_layout *lay,
            struct cb_errbuf *eb)
{
	const char *names[] = { lay->db, lay->files[0] };

	for (size_t i = 0; i < 2; i++) {
		char *p = cb_path_join(dir, names[i]);
		bool there;

		if (!p)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		there = exists(p);
		free(p);
		if (there)
			return cb_error(eb, CB_EEXIST,
			                _("'%s' holds a %s already ('%s'); "
			                  "refusing to overwrite it: restore "
			                  "into a new directory"),
			                dir, lay->what, names[i]);
	}
	return CB_OK;
}

static bool
holds(const struct restored *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->name[i] == name)
			return true;
	return false;
}

static cb_err
lacks(const char *path, const char *name, const struct cb_backup_layout *lay,
      struct cb_errbuf *eb)
{
	return cb_error(
		eb, CB_EINVAL,
		_("'%s' lacks '%s', which a %s needs; nothing restored"), path,
		name, lay->what);
}

/* Every record, then the end; every file a store needs present. */
static cb_err
open_all(struct opener *o, const struct cb_backup_layout *lay, const char *dir,
         struct restored *r, struct cb_errbuf *eb)
{
	unsigned char rec;
	cb_err rc;

	for (;;) {
		if ((rc = open_read(o, &rec, 1, eb)))
			return rc;
		if (rec == REC_END)
			break;
		if (rec != REC_FILE)
			return cb_error(eb, CB_EINVAL,
			                _("'%s' holds a record of an unknown "
			                  "type; nothing restored"),
			                o->path);
		if ((rc = open_file(o, lay, dir, r, eb)))
			return rc;
	}
	while (!o->final || o->pos < o->have) {
		if (o->pos < o->have)
			return cb_error(eb, CB_EINVAL,
			                _("'%s' holds bytes after its last "
			                  "record; nothing restored"),
			                o->path);
		if ((rc = open_pull(o, eb)))
			return rc;
	}
	if (!holds(r, lay->db))
		return lacks(o->path, lay->db, lay, eb);
	for (const char *const *l = lay->files; *l; l++)
		if (!holds(r, *l))
			return lacks(o->path, *l, lay, eb);
	return CB_OK;
}

/* Link every temporary into place (never over a file); on error undo. */
static cb_err
link_all(const char *dir, struct restored *r, struct cb_errbuf *eb)
{
	size_t done;
	cb_err rc = CB_OK;

	for (done = 0; done < r->n; done++) {
		char *dest = cb_path_join(dir, r->name[done]);

		if (!dest) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			break;
		}
		if (link(r->tmp[done], dest) != 0) {
			rc = cb_error(eb, errno == EEXIST ? CB_EEXIST : CB_EIO,
			              "cannot write '%s': %s", dest,
			              strerror(errno));
			free(dest);
			break;
		}
		free(dest);
	}
	if (rc)
		while (done--) {
			char *dest = cb_path_join(dir, r->name[done]);

			if (dest)
				unlink(dest);
			free(dest);
		}
	return rc ? rc : cb_file_fsync_dir(r->tmp[0], eb);
}

cb_err
cb_backup_restore(const char *path, const struct cb_backup_layout *lay,
                  const char *pass, size_t passlen, const char *dir,
                  struct cb_errbuf *eb)
{
	unsigned char hdr[CB_BACKUP_HEADER_BYTES], *key = NULL;
	struct restored *r = NULL;
	struct opener *o = NULL;
	bool made_dir = false;
	size_t got;
	cb_err rc;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cb_error(eb, errno == ENOENT ? CB_ENOTFOUND : CB_EIO,
		                "cannot open '%s': %s", path, strerror(errno));
	if ((rc = read_full(fd, hdr, sizeof(hdr), &got, path, eb)) ||
	    (rc = check_header(hdr, got, path, lay, eb)) ||
	    (rc = check_empty(dir, lay, eb)))
		goto out;
	if (mkdir(dir, 0700) == 0)
		made_dir = true;
	else if (errno != EEXIST) {
		rc = cb_error(eb, CB_EIO, _("cannot create '%s': %s"), dir,
		              strerror(errno));
		goto out;
	}
	if (!(o = calloc(1, sizeof(*o))) || !(r = calloc(1, sizeof(*r))) ||
	    !(o->plain = sodium_malloc(CB_BACKUP_CHUNK))) {
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		goto out;
	}
	o->chunk = CB_BACKUP_CHUNK;
	o->offset = sizeof(hdr);
	o->ad = hdr;
	o->fd = fd;
	o->path = path;
	if ((rc = derive_key(pass, passlen, hdr, &key, eb)))
		goto out;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&o->st, hdr + 48,
	                                                    key) != 0) {
		rc = cb_error(eb, CB_ECRYPTO,
		              _("cannot decrypt '%s': its header is damaged"),
		              path);
		goto out;
	}
	if (!(rc = open_all(o, lay, dir, r, eb)))
		rc = link_all(dir, r, eb);
out:
	if (r)
		for (size_t i = 0; i < r->n; i++)
			unlink(r->tmp[i]);
	if (rc && made_dir)
		rmdir(dir);
	if (o) {
		sodium_free(o->plain);
		sodium_memzero(&o->st, sizeof(o->st));
	}
	sodium_free(key);
	free(o);
	free(r);
	close(fd);
	return rc;
}

cb_err
cb_backup_store_asking(struct cb_store *st, const char *dir,
                       const struct cb_backup_layout *lay, const char *path,
                       struct cb_errbuf *eb)
{
	char *pass = NULL;
	size_t len;
	cb_err rc;

	if (!(rc = cb_passphrase_get(true, &pass, &len, eb)))
		rc = cb_backup_store(st, dir, lay, path, pass, len, NULL, eb);
	cb_passphrase_free(&pass);
	return rc;
}

cb_err
cb_backup_restore_asking(const char *path, const struct cb_backup_layout *lay,
                         const char *dir, struct cb_errbuf *eb)
{
	char *pass = NULL;
	size_t len;
	cb_err rc;

	if (!(rc = cb_passphrase_get(false, &pass, &len, eb)))
		rc = cb_backup_restore(path, lay, pass, len, dir, eb);
	cb_passphrase_free(&pass);
	return rc;
}
