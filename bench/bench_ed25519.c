/* SPDX-License-Identifier: MIT */
/* bench_ed25519.c — the machine's Ed25519 verification bound, the yardstick
 * of 'chibo-audit verify': signatures verified per second on one core
 * (libsodium, 300-byte messages like an entry), times the CPUs this process
 * may use. Prints figures; not a test. */
#include <stdio.h>
#include <time.h>

#include <sodium.h>

#include "cpu.h"

int
main(void)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES],
		sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES],
		msg[300];
	struct timespec a, b;
	double s;
	int n = 0;

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 1000; i++)
			if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
			                                pk))
				return 1;
		n += 1000;
		clock_gettime(CLOCK_MONOTONIC, &b);
		s = (double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	} while (s < 2.0);
	printf("  Ed25519 verify, one core:      %8.0f signatures/s\n", n / s);
	printf("  bound (x %d usable CPUs):       %8.0f signatures/s\n",
	       cb_cpu_usable(), n / s * cb_cpu_usable());
	return 0;
}
