/* SPDX-License-Identifier: MIT */
/* web.h — what the clerk's interface ('chibo-agent ui', agent/cmd_ui.c)
 * and the hub's dashboard (hub/dashboard.c) share: text escaped for
 * HTML, the headers every answer carries (a Content-Security-Policy that
 * allows only the pages' own stylesheet, script and forms), one-line
 * refusals, secrets made and compared in constant time, a report
 * (report.h) as an HTML table headed as a Party committee's papers are,
 * and a bar chart drawn as SVG by the server. Nothing is fetched from
 * anywhere: no CDN, no framework. docs/internals/ui.md and
 * dashboard.md. */
#ifndef CB_WEB_H
#define CB_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <microhttpd.h>

#include "query.h"
#include "report.h"

#define CB_WEB_SECRET_HEX 65 /* 32 random bytes as hex, and a NUL */

/* A file embedded at build time (cmake/embed_files.cmake): its path
 * as served ("/ui.css"), its bytes and their length. */
struct cb_embedded {
	const char *path;
	const unsigned char *bytes;
	size_t len;
};

/* s (NULL: nothing) escaped for HTML text and attribute values. */
void cb_web_esc(FILE *fp, const char *s);

/* The value of the address's field name, NULL when absent or empty. */
const char *cb_web_arg(struct MHD_Connection *c, const char *name);
/* msg in a paragraph: a status when ok, else an alert. */
void cb_web_say(FILE *fp, bool ok, const char *msg);
/* A page's start, up to its open <header>: the title (and " — chibo"),
 * the stylesheet at css and, if not NULL, the script at js; <html lang>
 * from the catalogue. */
void cb_web_begin(FILE *fp, const char *title, const char *css, const char *js);

/* The headers of every answer: Content-Type type, no-store, nosniff,
 * same-origin referrers, no framing, and the Content-Security-Policy. */
void cb_web_headers(struct MHD_Response *resp, const char *type);
/* Queue body (len bytes, held as mode says) with status and the
 * headers. */
enum MHD_Result cb_web_answer(struct MHD_Connection *c, unsigned status,
                              const char *type, const void *body, size_t len,
                              enum MHD_ResponseMemoryMode mode);
/* A refusal: msg and a newline as text/plain. */
enum MHD_Result cb_web_refuse(struct MHD_Connection *c, unsigned status,
                              const char *msg);
/* A 303 to location, with a Set-Cookie of cookie if not NULL (and a
 * second, cookie2, if not NULL). */
enum MHD_Result cb_web_redirect(struct MHD_Connection *c, const char *location,
                                const char *cookie, const char *cookie2);

/* 32 random bytes as 64 hex digits. */
void cb_web_secret(char out[CB_WEB_SECRET_HEX]);
/* Is given (NULL: no) the secret, compared in constant time? */
bool cb_web_same_secret(const char *given, const char *secret);

/* Rows a list shows at most: a page stays under 100 KB. */
#define CB_WEB_ROWS_MAX 300

/* A question's rows (query.h) as a table: the columns with a heading,
 * translated; values in their words (words.h); ids cut to 12 digits, a
 * member's a link to member_href followed by its id (NULL: no link),
 * a member's being a column "member", or "id" when ids_are_members. With
 * record, the first row a field a line. At most CB_WEB_ROWS_MAX rows,
 * and a line saying so; "None." for none. */
void cb_web_rows(FILE *fp, const struct cb_query_result *r, bool record,
                 bool ids_are_members, const char *member_href);

/* The reports a page offers: {kind of cb_report_query, its name for
 * people (N_())}, ending with {NULL, NULL}. */
extern const char *const cb_web_report_kinds[][2];

/* A value of the page's address (its query string), NULL when absent
 * or empty. */
typedef const char *(*cb_web_arg_fn)(void *ctx, const char *name);
/* The kind and options of a report asked in the address, into q (its
 * root left as it is). */
void cb_web_report_query(struct cb_report_query *q, cb_web_arg_fn get,
                         void *ctx);
/* The form that asks a report (GET): its kind, the organisation's code
 * when org is not NULL (filled with it), and the options, filled from
 * the address. */
void cb_web_report_form(FILE *fp, cb_web_arg_fn get, void *ctx,
                        const char *org);

/* The report r as a <table> under its title, its notes below, headed for
 * print with committee (NULL: none), "ĐẢNG CỘNG SẢN VIỆT NAM" and
 * today's date (the print style shows the heading, ui.css). Cells that
 * are figures are right-aligned. */
void cb_web_report(FILE *fp, const struct cb_report *r, const char *committee);

/* A horizontal bar chart as inline SVG: title, then n bars, labels[i]
 * (escaped) and values[i] (0 or more) written beside its bar, each bar
 * a link to hrefs[i] when hrefs and hrefs[i] are not NULL. Scaled to the
 * largest value; an <svg role="img"> whose <title> is the title. */
void cb_web_bars(FILE *fp, const char *title, size_t n,
                 const char *const *labels, const long long *values,
                 const char *const *hrefs);

#endif
