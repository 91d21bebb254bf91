/* SPDX-License-Identifier: MIT */
/* journal.h — lines for the system journal. When stderr is the journal
 * (systemd says so in JOURNAL_STREAM: the device and inode of the stream
 * it gave the service), each line starts with its priority as
 * sd-daemon(3) writes it — "<3>" an error, "<4>" a warning, "<5>" a
 * notice, "<6>" information — so that 'journalctl -p err' finds the
 * failures; on a terminal, a file or a pipe, the line is as it is. */
#ifndef CB_JOURNAL_H
#define CB_JOURNAL_H

#include <stdarg.h>
#include <stdbool.h>

#include "err.h"

enum cb_prio {
	CB_PRIO_ERR = 3,
	CB_PRIO_WARNING = 4,
	CB_PRIO_NOTICE = 5,
	CB_PRIO_INFO = 6,
};

/* Is stderr the journal? (Read once.) */
bool cb_journal_is_stderr(void);

/* One line (fmt, no newline: it is added) on stderr at priority p. */
void cb_journal(enum cb_prio p, const char *fmt, ...) CB_PRINTF(2, 3);
void cb_journalv(enum cb_prio p, const char *fmt, va_list ap);

#endif
