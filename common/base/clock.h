/* SPDX-License-Identifier: MIT */
/* clock.h — the wall clock, read in one place: the claimed time of a new
 * entry, of a checkpoint, of a sync. */
#ifndef CB_CLOCK_H
#define CB_CLOCK_H

#include <stdint.h>

/* The current time in Unix ms. */
int64_t cb_now_ms(void);

#endif
