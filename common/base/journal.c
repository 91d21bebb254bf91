/* SPDX-License-Identifier: MIT */
/* journal.c — see journal.h. */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

bool
cb_journal_is_stderr(void)
{
	static int known = -1;

	if (known < 0) {
		const char *v = getenv("JOURNAL_STREAM");
		unsigned long long dev, ino;
		struct stat st;

		known = v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
		        fstat(STDERR_FILENO, &st) == 0 &&
		        (unsigned long long)st.st_dev == dev &&
		        (unsigned long long)st.st_ino == ino;
	}
	return known;
}

void
cb_journalv(enum cb_prio p, const char *fmt, va_list ap)
{
	if (cb_journal_is_stderr())
		fprintf(stderr, "<%d>", (int)p);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cb_journal(enum cb_prio p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cb_journalv(p, fmt, ap);
	va_end(ap);
}
