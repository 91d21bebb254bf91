/* SPDX-License-Identifier: MIT */
/* test_backup.c — encrypted backups (common/store/backup.h): a replica's
 * directory round-trips through a backup of several chunks; and every
 * forgery is rejected with nothing written: a wrong passphrase, the file
 * cut short anywhere (inside the header, inside a chunk, at a chunk's
 * boundary, before the final tag), a byte changed in the header, a body
 * chunk or a tag, a chunk dropped, a wrong magic or version, a backup of
 * the other kind, and a restore over an existing store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "backup.h"
#include "key.h"
#include "store.h"

#define PASS "gió mùa đông bắc"
#define SEALED (CB_BACKUP_CHUNK + 17) /* a full chunk on disk */

static char dir[64];
static unsigned char *orig; /* the backup's bytes */
static size_t orig_len;
static char big[300000]; /* a meta value spanning several chunks */

static const struct cb_pwhash_cost fast = { 1, 8192 }; /* Argon2id's least */

static char *
at(const char *name)
{
	static char p[4][160];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
spill(const char *path, const unsigned char *b, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	struct cb_store *st;
	static const char key[] = "not a real key, but bytes to carry\n";

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-test-backup.XXXXXX");
	if (!mkdtemp(dir) || mkdir(at("src"), 0700) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + randombytes_uniform(26));
	if (cb_store_open(at("src/replica.db"), true, &st, &eb) ||
	    cb_store_meta_set(st, "big", big, &eb))
		return -1;
	spill(at("src/agent.key"), (const unsigned char *)key, sizeof(key) - 1);
	if (cb_backup_store(st, at("src"), &cb_backup_replica, at("b.cbk"),
	                    PASS, strlen(PASS), &fast, &eb)) {
		fprintf(stderr, "%s\n", eb.msg);
		return -1;
	}
	cb_store_free(&st);
	orig = slurp(at("b.cbk"), &orig_len);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(orig);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Restore bytes b into dir/out with pass as lay; on failure nothing of
 * it is left behind. */
static cb_err
restore(const unsigned char *b, size_t len, const char *pass,
        const struct cb_backup_layout *lay)
{
	struct cb_errbuf eb;
	struct stat sb;
	cb_err rc;

	spill(at("f.cbk"), b, len);
	rc = cb_backup_restore(at("f.cbk"), lay, pass, strlen(pass), at("out"),
	                       &eb);
	if (rc) {
		assert_int_not_equal(stat(at("out"), &sb), 0);
		assert_null(strchr(eb.msg, '\n'));
	}
	return rc;
}

static cb_err
flipped(size_t pos)
{
	unsigned char *b = malloc(orig_len);
	cb_err rc;

	assert_non_null(b);
	memcpy(b, orig, orig_len);
	b[pos] ^= 0x20;
	rc = restore(b, orig_len, PASS, &cb_backup_replica);
	free(b);
	return rc;
}

static void
test_round_trip(void **state)
{
	struct cb_errbuf eb;
	struct cb_store *st;
	unsigned char *k1, *k2;
	size_t n1, n2;
	struct stat sb;
	char *v;
	char cmd[160];

	(void)state;
	assert_memory_equal(orig, CB_BACKUP_MAGIC, CB_BACKUP_MAGIC_BYTES);
	assert_true(orig_len > 4 * SEALED);         /* several chunks */
	for (size_t i = 0; i + 64 <= orig_len; i++) /* not in the clear */
		assert_false(!memcmp(orig + i, big, 64));
	assert_int_equal(stat(at("b.cbk"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(restore(orig, orig_len, PASS, &cb_backup_replica),
	                 CB_OK);
	k1 = slurp(at("src/agent.key"), &n1);
	k2 = slurp(at("out/agent.key"), &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(k1, k2, n1);
	free(k1);
	free(k2);
	assert_int_equal(stat(at("out/replica.db"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(at("out"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(cb_store_open(at("out/replica.db"), false, &st, &eb),
	                 CB_OK);
	assert_int_equal(cb_store_meta_get(st, "big", &v, &eb), CB_OK);
	assert_string_equal(v, big);
	free(v);
	assert_int_equal(cb_store_integrity(st, &eb), CB_OK);
	cb_store_free(&st);
	/* no leftovers: only the two files */
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s/out' | wc -l) = 2", dir);
	assert_int_equal(system(cmd), 0);
	/* a second restore over it is refused, and changes nothing */
	assert_int_equal(cb_backup_restore(at("b.cbk"), &cb_backup_replica,
	                                   PASS, strlen(PASS), at("out"), &eb),
	                 CB_EEXIST);
	assert_non_null(strstr(eb.msg, "refusing to overwrite"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/out'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_wrong_passphrase(void **state)
{
	(void)state;
	assert_int_equal(restore(orig, orig_len, PASS "!", &cb_backup_replica),
	                 CB_ECRYPTO);
	assert_int_equal(restore(orig, orig_len, "", &cb_backup_replica),
	                 CB_ECRYPTO);
}

static void
test_truncated(void **state)
{
	const size_t cuts[] = {
		0,
		5,
		CB_BACKUP_MAGIC_BYTES,
		CB_BACKUP_HEADER_BYTES - 1,
		CB_BACKUP_HEADER_BYTES,
		CB_BACKUP_HEADER_BYTES + 10,
		CB_BACKUP_HEADER_BYTES + SEALED,     /* at a chunk boundary */
		CB_BACKUP_HEADER_BYTES + 2 * SEALED, /* and another */
		CB_BACKUP_HEADER_BYTES + 2 * SEALED + 100,
		orig_len - 17, /* the final chunk's tag */
		orig_len - 1,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		cb_err rc = restore(orig, cuts[i], PASS, &cb_backup_replica);

		assert_true(rc == CB_ECRYPTO || rc == CB_EINVAL);
	}
	/* a chunk boundary: said to be cut short */
	assert_int_equal(restore(orig, CB_BACKUP_HEADER_BYTES + SEALED, PASS,
	                         &cb_backup_replica),
	                 CB_ECRYPTO);
}

static void
test_flipped(void **state)
{
	(void)state;
	/* the header: version, kind, algorithms, chunk, cost, salt, stream */
	assert_int_equal(flipped(8), CB_EVERSION);
	assert_int_equal(flipped(9), CB_EINVAL);
	assert_int_equal(flipped(10), CB_EINVAL);
	assert_int_equal(flipped(14), CB_EINVAL);
	assert_int_not_equal(flipped(23), CB_OK);  /* opslimit */
	assert_int_equal(flipped(40), CB_ECRYPTO); /* salt */
	assert_int_equal(flipped(60), CB_ECRYPTO); /* stream header */
	/* the body: the first chunk, a middle one, the final one's tag */
	assert_int_equal(flipped(CB_BACKUP_HEADER_BYTES + 3), CB_ECRYPTO);
	assert_int_equal(flipped(CB_BACKUP_HEADER_BYTES + SEALED + 500),
	                 CB_ECRYPTO);
	assert_int_equal(flipped(CB_BACKUP_HEADER_BYTES + 2 * SEALED - 1),
	                 CB_ECRYPTO);
	assert_int_equal(flipped(orig_len - 1), CB_ECRYPTO);
	assert_int_equal(flipped(orig_len - 20), CB_ECRYPTO);
}

static void
test_chunks_moved(void **state)
{
	unsigned char *b = malloc(orig_len + 1);
	size_t c2 = CB_BACKUP_HEADER_BYTES + SEALED;

	(void)state;
	assert_non_null(b);
	/* the second chunk dropped */
	memcpy(b, orig, c2);
	memcpy(b + c2, orig + c2 + SEALED, orig_len - c2 - SEALED);
	assert_int_equal(
		restore(b, orig_len - SEALED, PASS, &cb_backup_replica),
		CB_ECRYPTO);
	/* the second and third swapped */
	memcpy(b, orig, orig_len);
	memcpy(b + c2, orig + c2 + SEALED, SEALED);
	memcpy(b + c2 + SEALED, orig + c2, SEALED);
	assert_int_equal(restore(b, orig_len, PASS, &cb_backup_replica),
	                 CB_ECRYPTO);
	/* a byte after the end */
	memcpy(b, orig, orig_len);
	b[orig_len] = 0;
	assert_int_equal(restore(b, orig_len + 1, PASS, &cb_backup_replica),
	                 CB_ECRYPTO);
	free(b);
}

static void
test_not_a_backup(void **state)
{
	unsigned char *b = malloc(orig_len);
	struct cb_errbuf eb;

	(void)state;
	assert_non_null(b);
	memcpy(b, orig, orig_len);
	b[0] = 'X';
	assert_int_equal(restore(b, orig_len, PASS, &cb_backup_replica),
	                 CB_EINVAL);
	memcpy(b, "SQLite format 3", 16);
	assert_int_equal(restore(b, orig_len, PASS, &cb_backup_replica),
	                 CB_EINVAL);
	free(b);
	/* a replica's backup is not a hub's */
	assert_int_equal(restore(orig, orig_len, PASS, &cb_backup_hub),
	                 CB_EINVAL);
	assert_int_equal(cb_backup_restore(at("b.cbk"), &cb_backup_hub, PASS,
	                                   strlen(PASS), at("out"), &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "a backup of a replica, not of a hub"));
	assert_int_equal(cb_backup_restore(at("absent.cbk"), &cb_backup_hub,
	                                   PASS, strlen(PASS), at("out"), &eb),
	                 CB_ENOTFOUND);
}

static void
test_missing_file(void **state)
{
	struct cb_errbuf eb;
	struct cb_store *st;
	struct stat sb;

	(void)state;
	assert_int_equal(mkdir(at("nokey"), 0700), 0);
	assert_int_equal(cb_store_open(at("nokey/replica.db"), true, &st, &eb),
	                 CB_OK);
	assert_int_equal(cb_backup_store(st, at("nokey"), &cb_backup_replica,
	                                 at("n.cbk"), PASS, strlen(PASS), &fast,
	                                 &eb),
	                 CB_ENOTFOUND);
	assert_non_null(strstr(eb.msg, "agent.key"));
	cb_store_free(&st);
	assert_int_not_equal(stat(at("n.cbk"), &sb), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped),
		cmocka_unit_test(test_chunks_moved),
		cmocka_unit_test(test_not_a_backup),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
