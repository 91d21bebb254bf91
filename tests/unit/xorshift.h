/* SPDX-License-Identifier: MIT */
/* xorshift.h — the property tests' random numbers: xorshift64 (Marsaglia
 * 2003), seeded by the test so that a failing seed runs again the same.
 * Each test file that includes it has its own state, rng. */
#ifndef CHIBO_TEST_XORSHIFT_H
#define CHIBO_TEST_XORSHIFT_H

#include <stdint.h>

static uint64_t rng;

/* A number in 0..n-1 (n > 0). */
static inline uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

#endif
