/* SPDX-License-Identifier: MIT */
/* cpu.h — what the threaded parts (signer.c, verifier.c) need of the CPU:
 * how many they may run on, and a polite spin. */
#ifndef CB_CPU_H
#define CB_CPU_H

#include <stdatomic.h>

/* The CPUs this process may run on (taskset, cgroups' cpusets). */
int cb_cpu_usable(void);

/* One pause in a spin-wait loop. */
static inline void
cb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif
