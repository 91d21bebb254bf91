/* SPDX-License-Identifier: MIT */
/* cpu.c — see cpu.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cpu.h"

#include <sched.h>
#include <unistd.h>

int
cb_cpu_usable(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}
