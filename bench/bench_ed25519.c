/* SPDX-License-Identifier: MIT */
/* bench_ed25519.c — the machine's Ed25519 verification bound, the yardstick
 * of 'chibo-audit verify': signatures verified per second on one core
 * (libsodium), times the CPUs this process may use. The message is 300
 * bytes, or as many as the argument says (an entry's signed bytes: the
 * audit benchmark gives its log's mean). Prints figures; not a test.
 *   bench_ed25519 [BYTES] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "cpu.h"

int
main(int argc, char **argv)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES],
		msg[65536];
	size_t len = argc > 1 ? strtoul(argv[1], NULL, 10) : 300;

	if (len > sizeof(msg)) {
		fprintf(stderr, "bench_ed25519: at most %zu bytes\n",
		        sizeof(msg));
		return 2;
	}
	struct timespec a, b;
	double s;
	int n = 0;

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, len);
	crypto_sign_detached(sig, NULL, msg, len, sk);
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 1000; i++)
			if (crypto_sign_verify_detached(sig, msg, len, pk))
				return 1;
		n += 1000;
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	} while (s < 2.0);
	printf("  Ed25519 verify (%zu-byte messages), one core: %8.0f "
	       "signatures/s\n",
	       len, n / s);
	printf("  bound (x %d usable CPUs):       %8.0f signatures/s\n",
	       cb_cpu_usable(), n / s * cb_cpu_usable());
	return 0;
}
