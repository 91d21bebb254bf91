/* SPDX-License-Identifier: MIT */
/* fuzz_key.c — libFuzzer target for a secret key file as cb_key_load reads
 * it (key.h: an agent's key, a hub's hub.key). cb_key_load opens a path
 * with O_NOFOLLOW and checks the file's mode, so the input is written to a
 * temporary file of mode 0600 (on /dev/shm when there is one) and loaded
 * from there. No input may crash or leak, and a key that loads is exactly
 * the header line, 64 hex digits and a newline, its public key is the one
 * its seed derives, and it signs what its public key verifies — or a
 * sealed key (docs/PROTOCOL.md, "Sealed key files"): exactly 148 bytes
 * after its magic, its public key the one in the clear, its secret not
 * open (opening it runs Argon2id at the file's cost, up to a GiB: the
 * forgeries of that step are tests/unit/test_sealkey.c's). Once, the same file
 * made readable by the group must be refused. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER "chibo-secret-key-v1\n"
#define HEADER_LEN (sizeof(HEADER) - 1)
#define FILE_LEN (HEADER_LEN + 2 * crypto_sign_SEEDBYTES + 1)

static char path[64];
static int fd = -1;

static void
remove_file(void)
{
	unlink(path);
}

/* The temporary file, made once, removed at exit. */
static int
key_file(void)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (fd >= 0)
		return 0;
	if (sodium_init() < 0)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz_key.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0 || fchmod(fd, 0600))
		abort();
	atexit(remove_file);
	return 1;
}

static void
write_file(const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
}

/* A key that loaded: it is what its file says, and it works. */
static void
check_key(const uint8_t *data, size_t size, const struct cb_key *k)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[32], sk[64], sig[64];
	char hex[2 * crypto_sign_SEEDBYTES + 1];
	if (k->sealed) {
		if (size != CB_KEY_SEALED_BYTES ||
		    memcmp(data, CB_KEY_SEALED_MAGIC, 8) || k->sk ||
		    memcmp(k->pk, data + 68, 32))
			abort();
		return;
	}

	if (size != FILE_LEN || memcmp(data, HEADER, HEADER_LEN) ||
	    data[FILE_LEN - 1] != '\n' || !k->sk)
		abort();
	memcpy(hex, data + HEADER_LEN, sizeof(hex) - 1);
	hex[sizeof(hex) - 1] = 0;
	if (cb_hex_decode(hex, seed, sizeof(seed), NULL))
		abort();
	crypto_sign_seed_keypair(pk, sk, seed);
	if (memcmp(pk, k->pk, sizeof(pk)) ||
	    crypto_sign_detached(sig, NULL, data, size, k->sk) ||
	    crypto_sign_verify_detached(sig, data, size, k->pk))
		abort();
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_key k = CB_KEY_INIT;
	struct cb_errbuf eb;

	if (key_file()) {
		/* mode: a key others can read is refused, whatever it holds */
		static const char good[] =
			HEADER "000102030405060708090a0b0c0d"
			       "0e0f101112131415161718191a1b1c1d"
			       "1e1f\n";

		write_file((const uint8_t *)good, sizeof(good) - 1);
		if (cb_key_load(path, &k, &eb))
			abort();
		cb_key_release(&k);
		if (fchmod(fd, 0640) ||
		    cb_key_load(path, &k, &eb) != CB_EINVAL || fchmod(fd, 0600))
			abort();
	}
	write_file(data, size);
	if (cb_key_load(path, &k, &eb) == CB_OK) {
		check_key(data, size, &k);
		cb_key_release(&k);
	}
	return 0;
}
