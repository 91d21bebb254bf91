/* SPDX-License-Identifier: MIT */
/* report.h — the figures a Party committee reports, computed from the
 * projection tables: the same code serves a commune's replica
 * ('chibo-agent report') and a district's hub ('chibo-hub report'). A
 * report is a titled table of text cells plus a summary of totals; it
 * renders as an aligned terminal table (display width, so Vietnamese lines
 * up), CSV that spreadsheets open (UTF-8, optional BOM, quoted fields), or
 * JSON. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "entry.h"
#include "err.h"
#include "output.h"
#include "store.h"

struct cb_report {
	char *title;
	size_t ncols;
	char **cols;
	size_t nrows, cap;
	char **cells;    /* nrows * ncols, row-major; owned */
	json_t *summary; /* totals, an object */
	char **notes;    /* summary lines for people */
	size_t nnotes;
};

void cb_report_release(struct cb_report *r);
/* Add a line under the table (copied): CB_ENOMEM. */
cb_err cb_report_add_note(struct cb_report *r, const char *text) CB_MUST_CHECK;

/* Each report covers what the store holds of the subtree of root (a
 * replica's organisation, or any organisation of a hub's district): cells
 * and organisations outside it, which a replica knows from the hub's
 * directory, are not counted. A member counts where the member's record
 * is owned (members.org): a member in transit still counts at the
 * sender. Dates are YYYY-MM-DD; a NULL from or to leaves that end open.
 *
 * Live members by status, by the kind of their cell, by work category,
 * and by age band on date `on`. */
cb_err cb_report_membership(struct cb_store *st, const char *root,
                            const char *on, struct cb_report *out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Active cells, and whether each held its congress of `term`
 * (YYYY-YYYY): held / all, with the percentage (seed 001: 4,000/4,175 =
 * 95.8%). */
cb_err cb_report_congresses(struct cb_store *st, const char *root,
                            const char *term, struct cb_report *out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Decided ratings of `period`, by level, for the subtree's members and
 * organisations, with the check that outstanding ≤ 20% of those rated
 * good or better. */
cb_err cb_report_ratings(struct cb_store *st, const char *root,
                         const char *period, struct cb_report *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Per cell, for the months from..to (YYYY-MM): regular meetings held and
 * months missing one, thematic meetings, the attendance rate (present over
 * present + excused + unexcused) and guide 12-HD/BTCTW's criteria:
 * attendance over 85%, no unexcused absence, nobody excused more than 3
 * meetings in a row. */
cb_err cb_report_meetings(struct cb_store *st, const char *root,
                          const char *from, const char *to,
                          struct cb_report *out,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* The dissolution of commune-agency cells (seed 000: 24/24 districts,
 * 321/322 communes, 7,047/7,057 members moved), as of `to`, for the
 * commune-agency cells not dissolved before `from`:
 *
 * - an organisation takes part if it holds such a cell; it has finished
 *   when every one of them is dissolved on or before `to`; it is exempt
 *   when it has not and a campaign.exempt of it is dated on or before
 *   `to`; a committee (the organisation's parent, "-" if it has none: a
 *   district, or a province) has finished when each of its organisations
 *   taking part, in the subtree, has finished or is exempt;
 * - the members of such a cell are those whose official stay in it was
 *   open on the day of the cell's plan to dissolve it or later, up to
 *   `to` (for a cell with no plan yet: on `to`), less those who reached
 *   a terminal status (struck off, expelled, resigned, deceased) on or
 *   before `to`; a member counts once per organisation;
 * - such a member has been moved if on `to` they held an official stay in
 *   a cell that is not one of the organisation's commune-agency cells, or
 *   were in a transfer in flight (released, not yet accepted or declined).
 *
 * With `to` NULL, as of now. One row per organisation, then one per
 * committee (after its organisations) with its totals, and a row "total";
 * the summary has grouped_by (districts, provinces or committees, by the
 * committees' level), districts, organisations (with exempt), cells and
 * members; the note reads "24/24 districts; 321/322 communes (1 exempt);
 * 7,047/7,057 members moved". */
cb_err cb_report_campaign(struct cb_store *st, const char *root,
                          const char *from, const char *to,
                          struct cb_report *out,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Transfers, for those released from `from` to `to` (the release date),
 * in their state as of `on`:
 *
 * - official transfers (to another grassroots organisation, the
 *   transfers table), per sending organisation of the subtree, and one
 *   row for those released into the subtree from outside it: released,
 *   accepted, declined (answered on or before `on`), in transit,
 *   overdue — in transit and `on` is after the 30th working day after the
 *   letter's date (calendar.h; the rule 'chibo-agent transfers' applies)
 *   — and over 3 months since the letter (when the member may be struck
 *   off);
 * - internal moves (member.move, between cells of one organisation, the
 *   collective transfers of a dissolution too): one decision, never in
 *   transit, counted by the day of the move.
 *
 * Temporary transfers and striking a member off for an overdue transfer
 * are not recorded by chibo yet: the report has no column for them, as a
 * 0 would claim a count that was never kept. */
cb_err cb_report_transfers(struct cb_store *st, const char *root,
                           const char *from, const char *to, const char *on,
                           struct cb_report *out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* The overdue official transfers of cb_report_transfers, one row each:
 * the letter's number and date, the member, from, to, the release date,
 * the due day and the working days from the day after it to `on`
 * (weekends and public holidays not counted; 0 when `on` is a day off
 * just after the due day). */
cb_err cb_report_overdue(struct cb_store *st, const char *root,
                         const char *from, const char *to, const char *on,
                         struct cb_report *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* A key's progress in the log of st (a hub's): the highest seq of its
 * chain held and that entry's claimed time, its entries waiting
 * (pending), rejected (fork evidence not counted) and the fork evidence
 * held (entries at a seq where the chain already has one); and the signed
 * requests the hub refused because the key is revoked or succeeded
 * (contacts.h: a stolen laptop's key still in use). */
struct cb_report_key {
	int64_t seq;     /* 0: none held */
	int64_t last_ms; /* Unix ms of the entry at seq, if seq > 0 */
	int64_t pending, rejected, forks;
	int64_t refused;    /* requests refused as revoked */
	int64_t refused_ms; /* Unix ms of the last, if refused > 0 */
};

cb_err cb_report_key_stats(struct cb_store *st,
                           const unsigned char key[CB_KEY_BYTES],
                           struct cb_report_key *out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* Sync health per enrolled key (a hub's report), revoked ones too: the
 * enrolment, the last signed request the hub authenticated from it and
 * which endpoint (the contacts table, hub/contact.c), and the figures of
 * cb_report_key_stats. Keys enrolled for an organisation of the subtree
 * of root; every key when root is NULL (a key whose organisation has not
 * synced yet is in no subtree the hub knows). */
cb_err cb_report_sync(struct cb_store *st, const char *root,
                      struct cb_report *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* Party card and national ID numbers that more than one member holds
 * (PROTOCOL.md, "Numbers recorded twice"): a row per member holding such
 * a number, for each number one of whose members is in the subtree of
 * root — the number, its kind, the member, name, organisation, cell and
 * status. Both records stay; the committee above both decides. */
cb_err cb_report_clashes(struct cb_store *st, const char *root,
                         struct cb_report *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* What a hub tells a key of the clashes of its own subtree (/v1/status):
 * a JSON array of {"member", "field", "number"} — each member of the
 * subtree of root whose card_no or national_id another member holds, and
 * nothing of that other member. *out is a new reference. */
cb_err cb_report_clash_list(struct cb_store *st, const char *root, json_t **out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* The state of an enrolled key as a hub's operator reads it, in out (cut
 * to n bytes): "active", "revoked DATE" (revoked_on, NULL if not),
 * "frozen" when ks holds fork evidence, and the requests refused since
 * the key was revoked: "revoked DATE; 2 requests refused" (short: a
 * table cell). */
void cb_report_key_state(const char *revoked_on, const struct cb_report_key *ks,
                         char *out, size_t n);

/* A report as a command line asks for it. */
struct cb_report_query {
	const char *kind;   /* membership, congresses, ratings, meetings,
	                     * campaign, transfers, sync, clashes */
	const char *root;   /* the subtree (sync: NULL for every key) */
	const char *on;     /* membership, transfers: NULL for today */
	const char *term;   /* congresses */
	const char *period; /* ratings */
	const char *from;   /* meetings: a month, YYYY-MM or MM/YYYY, or a
	                     * day of it (cb_date_parse_span); campaign,
	                     * transfers: a day (cb_date_parse_loose) */
	const char *to;
	bool overdue; /* transfers: the list of overdue transfers */
};

/* Check q as a usage: a known kind, the options it needs, valid dates in
 * any form of date.h (cb_report_run reads them as YYYY-MM-DD), --from not
 * after --to, no option it does not take. CB_EINVAL with a one-line
 * message (e.g. "ratings needs --period YYYY, YYYY-Qn or YYYY-MM",
 * "--on: date 'x' is not YYYY-MM-DD, DD/MM/YYYY, …"). */
cb_err cb_report_check(const struct cb_report_query *q,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_report_check, then the report. */
cb_err cb_report_run(struct cb_store *st, const struct cb_report_query *q,
                     struct cb_report *out, struct cb_errbuf *eb) CB_MUST_CHECK;

/* The options of 'chibo-agent report' and 'chibo-hub report', in the order
 * of cb_report_query's fields: term, period, from, to, on, overdue, then
 * the output's (CB_OUTPUT_ARGDEFS: format, separator, bom, out). */
#define CB_REPORT_ARGDEFS                                                      \
	{ "term", "YYYY-YYYY", N_("congresses: the term") },                   \
		{ "period", "PERIOD",                                          \
		  N_("ratings: YYYY, YYYY-Qn or YYYY-MM") },                   \
		{ "from", "DATE",                                              \
		  N_("meetings: the first month (YYYY-MM, MM/YYYY or a day "   \
		     "of it); campaign, transfers: the first day") },          \
		{ "to", "DATE",                                                \
		  N_("meetings: the last month; campaign, transfers: the "     \
		     "last day") },                                            \
		{ "on", "DATE",                                                \
		  N_("membership: ages on this day; transfers: states on "     \
		     "this day (default: today)") },                           \
		{ "overdue", NULL, N_("transfers: list the overdue ones") },   \
		CB_OUTPUT_ARGDEFS
#define CB_REPORT_NARGS (6 + CB_OUTPUT_NARGS)

/* r as out says: a titled table for people (translated), CSV or JSON to
 * fp, or a workbook to out->file (xlsx.h). CB_EIO, CB_EEXIST with the
 * message in eb. */
cb_err cb_report_write(const struct cb_report *r, const struct cb_output *out,
                       FILE *fp, struct cb_errbuf *eb) CB_MUST_CHECK;

/* Run q and write its report to fp, in one read snapshot of st (a deferred
 * BEGIN, which holds no lock against a writer such as a serving hub or a
 * sync, so that every figure comes from the same state). */
cb_err cb_report_print(struct cb_store *st, const struct cb_report_query *q,
                       const struct cb_output *out, FILE *fp,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_report_print for a hub, computed at its latest signed checkpoint:
 * in the same read snapshot, the checkpoint covers the whole log (else
 * CB_EAGAIN: sign one and try again), and the report states it — the
 * summary's "checkpoint" {origin, size, root, note}, a note naming it and
 * the command 'chibo-audit report' recomputes it with (the day a
 * transfers report is judged on made explicit), and in CSV a last row
 * "checkpoint,ORIGIN,SIZE,ROOT" after an empty one. */
cb_err cb_report_print_at_checkpoint(struct cb_store *st,
                                     const struct cb_report_query *q,
                                     const struct cb_output *out, FILE *fp,
                                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* The report of cb_report_print_at_checkpoint, as a model: into *out
 * (cb_report_release it) on success, built in the language of _(). */
cb_err cb_report_run_at_checkpoint(struct cb_store *st,
                                   const struct cb_report_query *q,
                                   struct cb_report *out,
                                   struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_report_run in one read snapshot of st, as cb_report_print reads. */
cb_err cb_report_read(struct cb_store *st, const struct cb_report_query *q,
                      struct cb_report *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_report_print for a replica, stated at the hub's checkpoint it last
 * checked (note, NULL if it never synced): the same statement as
 * cb_report_print_at_checkpoint's, with --org naming the replica's
 * organisation, and if unsynced entries were recorded since, a note that
 * they are not in that log yet. */
cb_err cb_report_print_as_synced(struct cb_store *st,
                                 const struct cb_report_query *q,
                                 const struct cb_output *out, FILE *fp,
                                 const char *note, uint64_t unsynced,
                                 struct cb_errbuf *eb) CB_MUST_CHECK;

/* "95.8%" for 4000 of 4175 ("95,8 %" under a Vietnamese locale, outside
 * cb_lang_english_begin/_end); "-" when of is 0. */
void cb_report_percent(long long part, long long of, char out[48]);

#endif
