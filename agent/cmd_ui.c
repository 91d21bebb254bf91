/* SPDX-License-Identifier: MIT */
/* cmd_ui.c — chibo-agent ui: the clerk's web interface, served by the
 * agent itself on 127.0.0.1 (libmicrohttpd), working with no network.
 * Only the person at the laptop can use it: the address it prints holds a
 * secret made at launch, exchanged for an HttpOnly, SameSite=Strict
 * cookie; every form that changes something carries a second secret
 * (CSRF) and goes by POST; the Host header must name the loopback address
 * (a DNS-rebinding page names its own). The forms are built from the op
 * registry (op_table.c) and go through cb_op_input_add and
 * cb_ledger_append, as the recording commands do; the lists are the
 * replica's questions (query.h) and reports (report.h); sync and verify
 * run what 'sync' and 'verify' run and say it in their words.
 * docs/internals/ui.md describes the whole. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agent.h"
#include "args.h"
#include "date.h"
#include "status.h"
#include "form.h"
#include "history.h"
#include "ops.h"
#include "query.h"
#include "report.h"
#include "web.h"
#include "words.h"

/* ui_assets.c, made by cmake/embed_files.cmake from agent/ui/ */
extern const struct cb_embedded ui_assets[];
extern const size_t ui_assets_count;

#define BODY_MAX (256 * 1024) /* a form's bytes; more is refused */
/* the import's: a member list of 10 MiB, posted back as base64 */
#define IMPORT_BODY_MAX (16 * 1024 * 1024)
#define COOKIE "chibo_ui"
/* libmicrohttpd renamed these; the numbers stay */
#define HTTP_REFUSED 422 /* a form refused, shown again */
#define HTTP_TOO_LARGE 413

struct ui {
	struct agent *a;
	unsigned port;
	char token[CB_WEB_SECRET_HEX];   /* in the printed address */
	char session[CB_WEB_SECRET_HEX]; /* the cookie's value */
	char csrf[CB_WEB_SECRET_HEX];    /* in every POST form */
	char host_ip[32], host_name[32]; /* the Host headers accepted */
	/* a sealed signing key, opened once at launch with its passphrase
	 * (sodium_malloc'd; NULL for a plain key): each request's replica
	 * gets a copy, so that no form waits for a terminal */
	unsigned char *sk;
	/* the sync the Sync button started, run by its own thread while
	 * the pages are served; what it has done so far, and the last
	 * one's result, under mu */
	pthread_mutex_t mu;
	pthread_t syncer;
	bool joinable, syncing;
	char phase[64];
	uint64_t done, total, bytes;
	char *last;      /* the last sync's lines, as 'sync' says them */
	bool last_ok;    /* it synced */
	int64_t last_ms; /* when it ended */
};

/* A request being received: the body of a POST, up to BODY_MAX. */
struct request {
	char *body;
	size_t len;
	bool too_big;
};

/* A page being written: the HTML and the status it is answered with. */
struct page {
	FILE *fp;
	char *html;
	size_t len;
	unsigned status;
	struct ui *ui;
	struct cb_ledger *lg;
	struct MHD_Connection *c;
	bool refresh; /* shown again each second (a sync runs) */
	FILE *aux;    /* the import's rows, written apart */
};

/* --- HTML ------------------------------------------------------------ */

static const char *
arg(struct page *p, const char *name)
{
	return cb_web_arg(p->c, name);
}

static void
head(struct page *p, const char *title)
{
	FILE *fp = p->fp;
	char *org = NULL;
	struct cb_errbuf eb;

	cb_web_begin(fp, title, "/ui.css", "/ui.js");
	if (p->lg && !cb_query_org_name(p->lg->st, p->lg->org, &org, &eb)) {
		fputs("<span class=\"org\">", fp);
		cb_web_esc(fp, org);
		fputs("</span>", fp);
		free(org);
	}
	fprintf(fp,
	        "<nav aria-label=\"%s\"><a href=\"/\">%s</a>"
	        "<a href=\"/cells\">%s</a><a href=\"/members\">%s</a>"
	        "<a href=\"/meetings\">%s</a><a href=\"/ratings\">%s</a>"
	        "<a href=\"/transfers\">%s</a><a href=\"/reports\">%s</a>"
	        "<a href=\"/import\">%s</a><a href=\"/sync\">%s</a>"
	        "<a href=\"/verify\">%s</a><a href=\"/ops\">%s</a></nav>"
	        "</header><main><h1>",
	        _("Main menu"), _("Home"), _("Cells"), _("Members"),
	        _("Meetings"), _("Ratings"), _("Transfers"), _("Reports"),
	        _("Import"), _("Sync"), _("Verify"), _("Every record"));
	cb_web_esc(fp, title);
	fputs("</h1>\n", fp);
}

static void
foot(struct page *p)
{
	fputs("</main></body></html>\n", p->fp);
}

static void
say(struct page *p, bool ok, const char *msg)
{
	cb_web_say(p->fp, ok, msg);
}

/* The lines written by fn(fp, …) into a <pre>, escaped. */
static void
pre(struct page *p, const char *text)
{
	fputs("<pre class=\"out\">", p->fp);
	cb_web_esc(p->fp, text);
	fputs("</pre>\n", p->fp);
}

/* Ask q of the replica and show the answer, or why not. */
static void
ask(struct page *p, enum cb_query_question q, const char *of,
    const struct cb_query_filter *f, bool record)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;

	if (cb_query_ask(p->lg->st, q, of ? of : p->lg->org, f, &r, &eb)) {
		p->status = HTTP_REFUSED;
		say(p, false, eb.msg);
		return;
	}
	cb_web_rows(p->fp, &r, record, q == CB_QUERY_MEMBERS, "/member?id=");
	cb_query_result_release(&r);
}

/* What the page says for a command's help text, which names the
 * command line's words: a summary without its positional argument's
 * metavar ("chuyển đảng viên (MEMBER) sang …" → "chuyển đảng viên sang
 * …", "(TEMPORARY: mã giấy)" → "(mã giấy)"); a field's help that lists
 * the English words a command line takes, then the user's own in
 * parentheses ("male hoặc female (nam, nữ)"), as its own words ("nam,
 * nữ"). The form takes either. Into out (n bytes). */
static bool
english_word(const char *w, const char *end)
{
	if (end > w && end[-1] == ',')
		end--;
	if (end == w)
		return false;
	for (; w < end; w++)
		if (!((*w >= 'a' && *w <= 'z') || *w == '-'))
			return false;
	return true;
}

static const char *
ui_words(const char *msgid, char *out, size_t n)
{
	const char *help = _(msgid), *open = strchr(help, '('), *p;
	const char *start[16];
	size_t len = 0, k = 0;

	/* translated help of English words ("a, b hoặc c": the one before
	 * the last is the language's "or"), then " (" … ")" at the end */
	if (help != msgid && open && open > help && open[-1] == ' ' &&
	    help[strlen(help) - 1] == ')' && !strchr(open + 1, '(')) {
		bool english = true;

		for (p = help; p < open && k < 16; k++) {
			start[k] = p;
			p = strchr(p, ' ') + 1; /* open[-1] is one */
		}
		for (size_t w = 0; w < k && p == open; w++)
			if (w + 2 != k &&
			    !english_word(start[w], w + 1 < k ? start[w + 1] - 1
			                                      : open - 1))
				english = false;
		if (p == open && k >= 3 && english) {
			snprintf(out, n, "%.*s", (int)(strlen(open) - 2),
			         open + 1);
			return out;
		}
	}
	for (p = help; *p && len + 1 < n;) {
		const char *q = p + 1;

		if (*p == '(') {
			while ((*q >= 'A' && *q <= 'Z') || *q == '_')
				q++;
			if (q - p > 2 && *q == ')') {
				/* " (MEMBER)": the space before it goes too */
				if (len && out[len - 1] == ' ')
					len--;
				p = q + 1;
				continue;
			}
			if (q - p > 2 && q[0] == ':' && q[1] == ' ') {
				out[len++] = '(';
				p = q + 2;
				continue;
			}
		}
		out[len++] = *p++;
	}
	out[len] = 0;
	return out;
}

/* A list item linking to the form of op "w1 w2", with the address's
 * query q ("pos=ID": the form filled with it) if not NULL. */
static void
op_link(struct page *p, const char *w1, const char *w2, const char *q)
{
	const struct cb_op *op = cb_op_find_cli(w1, w2);
	char said[512];

	if (!op)
		return;
	fprintf(p->fp, "<li><a href=\"/op/%s%s%s%s%s\">", w1, w2 ? "/" : "",
	        w2 ? w2 : "", q ? "?" : "", q ? q : "");
	cb_web_esc(p->fp, ui_words(op->cli->summary, said, sizeof(said)));
	fputs("</a></li>", p->fp);
}

/* --- the forms of the ops -------------------------------------------- */

/* What a form's field names: a text typed, a cell of the subtree or a
 * member of the replica, the last two chosen from a list. */
enum field { F_TEXT, F_CELL, F_MEMBER };

/* Members offered in a list up to this many; more would make the page
 * too heavy (docs/PERFORMANCE.md), and the field is typed instead. */
#define MEMBER_CHOICES 300

/* The value a form field had (a refused form is shown again as it was
 * filled), or what the address gives it. */
static const char *
prefill(struct page *p, const struct cb_form *f, const char *name)
{
	const char *v = f ? cb_form_get(f, name) : NULL;

	return v ? v : arg(p, name);
}

/* A <select id="f-NAME"> of the subtree's cells (code, name) or the
 * replica's members (id; name, born, cell), with value chosen; a value
 * that is not one of them (typed in the address, or refused) stays,
 * chosen. False when there are too many members to list. */
static bool
choice(struct page *p, const char *id, const char *name, const char *value,
       enum field kind)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;
	FILE *fp = p->fp;
	bool found = !value || !*value;

	if (cb_query_ask(p->lg->st,
	                 kind == F_CELL ? CB_QUERY_CELLS : CB_QUERY_MEMBERS,
	                 p->lg->org, NULL, &r, &eb))
		r.nrows = 0;
	if (kind == F_MEMBER && r.nrows > MEMBER_CHOICES) {
		cb_query_result_release(&r);
		return false;
	}
	fprintf(fp,
	        "<select id=\"%s\" name=\"%s\"><option value=\"\">—</option>",
	        id, name);
	for (size_t row = 0; row < r.nrows; row++) {
		const char *v = cb_query_text(&r, row, 0);
		bool on = value && !strcmp(value, v);

		found |= on;
		fputs("<option value=\"", fp);
		cb_web_esc(fp, v);
		fprintf(fp, "\"%s>", on ? " selected" : "");
		if (kind == F_CELL) {
			cb_web_esc(fp, v);
			fputs(" — ", fp);
			cb_web_esc(fp, cb_query_text(&r, row, 1));
		} else {
			cb_web_esc(fp, cb_query_text(&r, row, 1));
			fputs(" (", fp);
			cb_web_esc(fp, cb_query_text(&r, row, 2));
			fputs(", ", fp);
			cb_web_esc(fp,
			           cb_words_show("cell",
			                         cb_query_text(&r, row, 6)));
			fputs(")", fp);
		}
		fputs("</option>", fp);
	}
	if (!found) {
		fputs("<option selected value=\"", fp);
		cb_web_esc(fp, value);
		fputs("\">", fp);
		cb_web_esc(fp, value);
		fputs("</option>", fp);
	}
	fputs("</select>\n", fp);
	cb_query_result_release(&r);
	return true;
}

static void
text_input(struct page *p, const char *name, const char *label,
           const char *hint, const char *value, enum field kind)
{
	FILE *fp = p->fp;
	bool area = !strcmp(name, "content") || !strcmp(name, "resolutions");
	char id[64];

	snprintf(id, sizeof(id), "f-%s", name);
	fprintf(fp, "<label for=\"%s\">", id);
	cb_web_esc(fp, label);
	if (hint) {
		fputs(" <small>", fp);
		cb_web_esc(fp, hint);
		fputs("</small>", fp);
	}
	fputs("</label>", fp);
	if (kind != F_TEXT && choice(p, id, name, value, kind))
		return;
	if (area)
		fprintf(fp, "<textarea id=\"%s\" name=\"%s\" rows=\"3\">", id,
		        name);
	else
		fprintf(fp,
		        "<input type=\"text\" id=\"%s\" name=\"%s\" value=\"",
		        id, name);
	cb_web_esc(fp, value);
	fputs(area ? "</textarea>\n" : "\">\n", fp);
}

/* The attendance checklist of a meeting: each member the cell held on
 * the day, a row of marks (present by default), named "mark.ID". */
static void
attendance(struct page *p, const struct cb_form *f, const char *cell,
           const char *date)
{
	static const char *const marks[] = { "present", "excused", "unexcused",
		                             "exempt", NULL };
	struct cb_query_filter qf = CB_QUERY_FILTER_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;
	FILE *fp = p->fp;

	fprintf(fp, "<fieldset class=\"wide\"><legend>%s</legend>",
	        _("Attendance"));
	qf.cell = cell;
	qf.on = date;
	if (cb_query_ask(p->lg->st, CB_QUERY_CELL_ROLL, p->lg->org, &qf, &r,
	                 &eb)) {
		p->status = HTTP_REFUSED;
		say(p, false, eb.msg);
		fputs("</fieldset>", fp);
		return;
	}
	if (!r.nrows)
		fprintf(fp, "<p>%s</p>",
		        _("The cell held no member that day."));
	else
		fprintf(fp,
		        "<p><button type=\"button\" id=\"all-present\">%s"
		        "</button></p><table class=\"att\"><thead><tr><th "
		        "scope=\"col\">%s</th>",
		        _("Everyone present"), _("NAME"));
	for (int k = 0; r.nrows && marks[k]; k++) {
		fputs("<th scope=\"col\">", fp);
		cb_web_esc(fp, cb_words_show("mark", marks[k]));
		fputs("</th>", fp);
	}
	if (r.nrows)
		fputs("</tr></thead><tbody>", fp);
	for (size_t row = 0; row < r.nrows; row++) {
		const char *id = cb_query_text(&r, row, 0);
		const char *name = cb_query_text(&r, row, 1);
		char field[80];
		const char *had;

		snprintf(field, sizeof(field), "mark.%s", id);
		had = f ? cb_form_get(f, field) : NULL;
		fprintf(fp, "<tr><th scope=\"row\" id=\"n-%s\">", id);
		cb_web_esc(fp, name);
		fputs("</th>", fp);
		for (int k = 0; marks[k]; k++)
			fprintf(fp,
			        "<td><input type=\"radio\" name=\"%s\" "
			        "value=\"%s\" aria-labelledby=\"n-%s "
			        "h-%s\"%s></td>",
			        field, marks[k], id, marks[k],
			        (had ? !strcmp(had, marks[k]) : k == 0)
			                ? " checked"
			                : "");
		fputs("</tr>", fp);
	}
	if (r.nrows)
		fputs("</tbody></table>", fp);
	fputs("</fieldset>\n", fp);
	cb_query_result_release(&r);
}

/* What flag fl names: a cell of the subtree (--cell), a member (a
 * MEMBER), or anything else, typed. */
static enum field
field_of(const struct cb_op_flag *fl)
{
	if (!fl->metavar)
		return F_TEXT;
	if (!strcmp(fl->metavar, "MEMBER"))
		return F_MEMBER;
	return !strcmp(fl->metavar, "CODE") && !strcmp(fl->flag, "cell")
	               ? F_CELL
	               : F_TEXT;
}

/* The form of op, filled from f (a refused post) or the address. */
static void
op_form(struct page *p, const struct cb_op *op, const struct cb_form *f)
{
	const struct cb_op_cli *c = op->cli;
	FILE *fp = p->fp;
	bool meeting = !strcmp(op->name, "meeting.record");
	const char *cell = prefill(p, f, "cell");
	const char *date = prefill(p, f, "date");

	if (meeting && cell && date) {
		/* a cell or a day the checklist cannot be made of: said over
		 * the first step again */
		struct cb_query_filter qf = CB_QUERY_FILTER_INIT;
		struct cb_query_result r = CB_QUERY_RESULT_INIT;
		struct cb_errbuf eb;

		qf.cell = cell;
		qf.on = date;
		if (cb_query_ask(p->lg->st, CB_QUERY_CELL_ROLL, p->lg->org, &qf,
		                 &r, &eb)) {
			p->status = HTTP_REFUSED;
			say(p, false, eb.msg);
			date = NULL;
		}
		cb_query_result_release(&r);
	}
	if (meeting && (!cell || !date)) {
		/* first the cell and the day, whose members the checklist
		 * lists */
		fprintf(fp, "<form method=\"get\" class=\"op\">");
		text_input(p, "cell", _("the cell"), "--cell CODE", cell,
		           F_CELL);
		text_input(p, "date", _("the day it was held"), "--date DATE",
		           date, F_TEXT);
		fprintf(fp,
		        "<span></span><div><button type=\"submit\">%s"
		        "</button></div></form>\n",
		        _("Next"));
		return;
	}
	fprintf(fp,
	        "<form method=\"post\" class=\"op\"><input type=\"hidden\" "
	        "name=\"csrf\" value=\"%s\">\n",
	        p->ui->csrf);
	if (c->pos_field) {
		/* what the command line calls MEMBER, CODE, … */
		static const struct {
			const char *field, *label;
		} labels[] = {
			{ "member", N_("the member") },
			{ "candidate", N_("the candidate for admission") },
			{ "cell", N_("the cell") },
			{ "code", N_("the cell") },
			{ "org", N_("the organisation") },
			{ "plan", N_("the dissolution plan") },
			{ "release", N_("the release letter") },
			{ "temporary", N_("the temporary transfer letter") },
		};
		const char *label = c->pos_field;

		for (size_t i = 0; i < sizeof(labels) / sizeof(*labels); i++)
			if (!strcmp(labels[i].field, c->pos_field))
				label = _(labels[i].label);
		text_input(p, "pos", label,
		           strcmp(c->pos_field, "code")
		                   ? _("an id prefix of 8+ hex digits, "
		                       "card:NUMBER or nid:NUMBER")
		                   : NULL,
		           prefill(p, f, "pos"),
		           !strcmp(c->pos_field, "code") ||
		                           !strcmp(c->pos_field, "cell")
		                   ? F_CELL
		           : !strcmp(c->pos_field, "member") ? F_MEMBER
		                                             : F_TEXT);
	}
	for (const struct cb_op_flag *fl = c->flags; fl->flag; fl++) {
		char hint[64], said[512];

		if (fl->type == CB_ARG_MARK)
			continue;
		snprintf(hint, sizeof(hint), "--%s %s", fl->flag,
		         fl->metavar ? fl->metavar : "");
		text_input(p, fl->flag, ui_words(fl->help, said, sizeof(said)),
		           hint, prefill(p, f, fl->flag), field_of(fl));
	}
	if (meeting)
		attendance(p, f, cell, date);
	fprintf(fp,
	        "<span></span><div><button type=\"submit\">%s</button></div>"
	        "</form>\n",
	        _("Record"));
	fprintf(fp, "<p class=\"hint\">%s</p>\n",
	        _("A DATE is YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY. "
	          "A MEMBER is an id prefix of 8+ hex digits, card:NUMBER or "
	          "nid:NUMBER."));
}

/* The posted form f as op's input, then the entry: as 'chibo-agent W1
 * W2 --flag value …' would append it. On success the page says what was
 * recorded; on a refusal it says why, over the form as it was filled. */
static void
op_post(struct page *p, const struct cb_op *op, const struct cb_form *f)
{
	const struct cb_op_cli *c = op->cli;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	json_t *in = json_object();
	cb_err rc = CB_OK;

	if (!in) {
		rc = cb_error(&eb, CB_ENOMEM, _("out of memory"));
		goto out;
	}
	if (c->pos_field) {
		const char *v = cb_form_get(f, "pos");

		if (!v || !*v) {
			rc = cb_error(&eb, CB_EINVAL, _("give exactly one %s"),
			              strcmp(c->pos_field, "code") ? "MEMBER"
			                                           : "CODE");
			goto out;
		}
		json_object_set_new(in, c->pos_field, json_string(v));
	}
	for (size_t i = 0; i < f->n && !rc; i++) {
		const char *name = f->fields[i].name;
		const char *val = f->fields[i].value;
		const char *flag = name;

		if (!strncmp(name, "mark.", 5)) { /* the checklist */
			flag = val;
			val = name + 5;
		} else if (!*val) {
			continue; /* a field left empty: the flag not given */
		}
		for (const struct cb_op_flag *fl = c->flags; fl->flag; fl++)
			if (!strcmp(fl->flag, flag) &&
			    (fl->type == CB_ARG_MARK) == (flag != name)) {
				rc = cb_op_input_add(in, fl, val, &eb);
				break;
			}
	}
	if (!rc)
		rc = cb_op_input_finish(op, in, &eb);
	if (!rc)
		rc = cb_ledger_append(p->lg, op->name, in, &e, &eb);
out:
	if (rc) {
		p->status = HTTP_REFUSED;
		say(p, false, eb.msg);
		op_form(p, op, f);
	} else {
		char *msg = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&msg, &len);

		if (m) {
			agent_op_done(m, op, &e);
			fclose(m);
		}
		say(p, true, msg ? msg : "");
		free(msg);
		if (!strcmp(op->name, "member.add")) {
			char id[65];

			cb_hex_encode(e.id, CB_HASH_BYTES, id);
			fprintf(p->fp,
			        "<p><a href=\"/member?id=%s\">%s</a> "
			        "<a href=\"/op/member/add\">%s</a></p>\n",
			        id, _("The member's page"),
			        _("Add another member"));
		}
	}
	cb_entry_release(&e);
	json_decref(in);
}

/* --- pages ----------------------------------------------------------- */

static void
page_home(struct page *p)
{
	struct cb_query_counts n;
	struct cb_errbuf eb;

	head(p, _("Home"));
	if (cb_query_counts(p->lg->st, p->lg->org, &n, &eb)) {
		say(p, false, eb.msg);
	} else {
		fprintf(p->fp,
		        "<table><tr><th scope=\"row\">%s</th><td class=\"n\">"
		        "%lld</td></tr><tr><th scope=\"row\">%s</th><td "
		        "class=\"n\">%lld</td></tr><tr><th scope=\"row\">%s"
		        "</th><td class=\"n\">%lld</td></tr><tr><th "
		        "scope=\"row\">%s</th><td class=\"n\">%lld</td></tr>"
		        "<tr><th scope=\"row\">%s</th><td class=\"n\">%lld"
		        "</td></tr><tr><th scope=\"row\">%s</th><td "
		        "class=\"n\">%lld</td></tr></table>\n",
		        _("Cells"), (long long)n.cells, _("Members"),
		        (long long)n.members, _("Meetings"),
		        (long long)n.meetings, _("Ratings"),
		        (long long)n.ratings, _("Entries in the log"),
		        (long long)n.entries, _("Rejected entries"),
		        (long long)n.rejected);
	}
	fputs("<ul class=\"actions\">", p->fp);
	op_link(p, "member", "add", NULL);
	op_link(p, "meeting", "record", NULL);
	fputs("</ul>", p->fp);
	foot(p);
}

static void
page_cells(struct page *p)
{
	head(p, _("Cells"));
	fputs("<ul class=\"actions\">", p->fp);
	op_link(p, "cell", "create", NULL);
	fputs("</ul>", p->fp);
	ask(p, CB_QUERY_CELLS, NULL, NULL, false);
	foot(p);
}

static void
page_members(struct page *p)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	FILE *fp = p->fp;

	f.name = arg(p, "name");
	f.cell = arg(p, "cell");
	head(p, _("Members"));
	fprintf(fp,
	        "<form method=\"get\" class=\"inline\" role=\"search\">"
	        "<label for=\"s-name\">%s</label><input type=\"search\" "
	        "id=\"s-name\" name=\"name\" value=\"",
	        _("Name (with or without diacritics)"));
	cb_web_esc(fp, f.name);
	fprintf(fp, "\"><label for=\"s-cell\">%s</label>", _("the cell"));
	choice(p, "s-cell", "cell", f.cell, F_CELL);
	fprintf(fp,
	        "<button type=\"submit\">%s</button></form>\n"
	        "<ul class=\"actions\">",
	        _("Search"));
	op_link(p, "member", "add", NULL);
	fputs("</ul>", fp);
	ask(p, CB_QUERY_MEMBERS, NULL, &f, false);
	foot(p);
}

/* One entry of a member's history, a row: when its author recorded it,
 * what it is (the recording command's summary, or the op's name), and
 * by whom. */
static cb_err
history_row(void *ctx, int64_t lsn, const void *bytes, size_t len,
            const char *org, struct cb_errbuf *eb)
{
	struct page *p = ctx;
	struct cb_entry e = CB_ENTRY_INIT;
	const struct cb_op *op;
	char when[CB_TIME_MAX], id[13], said[512];

	(void)lsn;
	if (cb_entry_decode(bytes, len, &e, eb))
		return CB_EINVAL;
	op = cb_op_find(e.op);
	cb_time_show(e.time_ms, when);
	cb_hash_short(e.id, id);
	fputs("<tr><td>", p->fp);
	cb_web_esc(p->fp, when);
	fputs("</td><td>", p->fp);
	cb_web_esc(p->fp, op && op->cli ? ui_words(op->cli->summary, said,
	                                           sizeof(said))
	                                : e.op);
	fputs("</td><td>", p->fp);
	/* this replica's own entries name no enrolment until a sync */
	if (!org && !memcmp(e.author, p->lg->key.pk, CB_KEY_BYTES))
		org = p->lg->org;
	cb_web_esc(p->fp, org ? org : "");
	fprintf(p->fp, "</td><td>%s</td></tr>\n", id);
	cb_entry_release(&e);
	return CB_OK;
}

static void
page_member(struct page *p)
{
	const char *ref = arg(p, "id");
	char id[65];
	struct cb_errbuf eb;

	head(p, _("Member"));
	if (!ref) {
		p->status = MHD_HTTP_NOT_FOUND;
		say(p, false, _("give a member's id"));
	} else if (cb_ops_resolve_member(p->lg->st, ref, id, &eb)) {
		p->status = MHD_HTTP_NOT_FOUND;
		say(p, false, eb.msg);
	} else {
		static const char *const verbs[] = {
			"update",  "status",    "move",
			"release", "temporary", NULL,
		};

		ask(p, CB_QUERY_MEMBER, id, NULL, true);
		char q[80];

		fputs("<ul class=\"actions\">", p->fp);
		snprintf(q, sizeof(q), "pos=%s", id);
		for (int i = 0; verbs[i]; i++)
			op_link(p, "member", verbs[i], q);
		snprintf(q, sizeof(q), "member=%s", id);
		op_link(p, "rate", NULL, q);
		fprintf(p->fp, "</ul><h2>%s</h2>", _("Cells over time"));
		ask(p, CB_QUERY_MEMBER_STAYS, id, NULL, false);
		fprintf(p->fp, "<h2>%s</h2>", _("Ratings"));
		ask(p, CB_QUERY_MEMBER_RATINGS, id, NULL, false);
		fprintf(p->fp,
		        "<h2>%s</h2><table><thead><tr><th scope=\"col\">%s"
		        "</th><th scope=\"col\">%s</th><th scope=\"col\">"
		        "%s</th><th scope=\"col\">%s</th></tr></thead>"
		        "<tbody>\n",
		        _("History"), _("RECORDED (UTC+7)"), _("WHAT"), _("BY"),
		        _("ENTRY"));
		if (cb_history_each(p->lg->st, id, history_row, p, &eb)) {
			fputs("</tbody></table>", p->fp);
			say(p, false, eb.msg);
		} else {
			fputs("</tbody></table>", p->fp);
		}
	}
	foot(p);
}

static void
page_list(struct page *p, const char *title, enum cb_query_question q,
          const char *const *links)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;

	f.cell = arg(p, "cell");
	head(p, title);
	fputs("<ul class=\"actions\">", p->fp);
	for (int i = 0; links[i]; i += 2)
		op_link(p, links[i], *links[i + 1] ? links[i + 1] : NULL, NULL);
	fputs("</ul>", p->fp);
	ask(p, q, NULL, &f, false);
	foot(p);
}

static void
page_ops(struct page *p)
{
	head(p, _("Every record"));
	fputs("<ul>", p->fp);
	for (size_t i = 0; i < cb_op_count; i++) {
		const struct cb_op_cli *c = cb_ops[i].cli;

		if (!c)
			continue;
		op_link(p, c->w1, c->w2, NULL);
	}
	fputs("</ul>", p->fp);
	foot(p);
}

static void
report_table(struct page *p, const struct cb_report *r)
{
	struct cb_errbuf eb;
	char *org = NULL;

	if (cb_query_org_name(p->lg->st, p->lg->org, &org, &eb))
		org = NULL;
	cb_web_report(p->fp, r, org);
	free(org);
}

/* arg, for cb_web_report_form */
static const char *
page_arg(void *ctx, const char *name)
{
	return arg(ctx, name);
}

static void
page_reports(struct page *p)
{
	struct cb_report_query q = { 0 };
	struct cb_report r = { 0 };
	struct cb_errbuf eb;

	cb_web_report_query(&q, page_arg, p);
	q.root = p->lg->org;
	head(p, _("Reports"));
	cb_web_report_form(p->fp, page_arg, p, NULL);
	if (q.kind) {
		if (cb_report_run(p->lg->st, &q, &r, &eb)) {
			p->status = HTTP_REFUSED;
			say(p, false, eb.msg);
		} else {
			report_table(p, &r);
		}
		cb_report_release(&r);
	}
	foot(p);
}

static void
page_verify(struct page *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	int rc = 1;

	head(p, _("Verify"));
	if (m) {
		rc = agent_verify(p->lg, m);
		fclose(m);
	}
	say(p, rc == 0,
	    rc == 0 ? _("The replica verifies.")
	            : _("The replica does not verify: see the faults below."));
	pre(p, out ? out : "");
	free(out);
	foot(p);
}

/* --- the import of a member list ---------------------------------- */

/* The select of name with these (value, label) pairs, value chosen. */
static void
options(struct page *p, const char *name, const char *label, const char *hint,
        const char *const *pairs, const char *value)
{
	FILE *fp = p->fp;

	fprintf(fp, "<label for=\"f-%s\">", name);
	cb_web_esc(fp, label);
	fprintf(fp,
	        " <small>%s</small></label><select id=\"f-%s\" name=\"%s\">",
	        hint, name, name);
	for (int i = 0; pairs[i]; i += 2) {
		fputs("<option value=\"", fp);
		cb_web_esc(fp, pairs[i]);
		fprintf(fp, "\"%s>",
		        value && !strcmp(value, pairs[i]) ? " selected" : "");
		cb_web_esc(fp, *pairs[i + 1] ? _(pairs[i + 1]) : pairs[i]);
		fputs("</option>", fp);
	}
	fputs("</select>\n", fp);
}

/* The import's options, as the command line's flags: --cell,
 * --separator, --encoding; from the form f that was posted. */
static void
import_options(struct page *p, const struct cb_form *f)
{
	static const char *const seps[] = {
		"",    N_("(the one the first row has most of)"),
		",",   "",
		";",   "",
		"tab", N_("tab"),
		NULL
	};
	static const char *const encs[] = { "",
		                            N_("(from the file's bytes)"),
		                            "utf-8",
		                            "",
		                            "utf-16",
		                            "",
		                            "windows-1258",
		                            "",
		                            NULL };

	text_input(p, "cell", _("the cell of rows that have no cell column"),
	           "--cell CODE", f ? cb_form_get(f, "cell") : NULL, F_CELL);
	options(p, "separator", _("the separator"), "--separator SEP", seps,
	        f ? cb_form_get(f, "separator") : NULL);
	options(p, "encoding", _("the file's encoding"), "--encoding NAME",
	        encs, f ? cb_form_get(f, "encoding") : NULL);
}

static void
import_form(struct page *p, const struct cb_form *f)
{
	FILE *fp = p->fp;

	fprintf(fp,
	        "<p>%s</p><form method=\"post\" action=\"/import\" "
	        "enctype=\"multipart/form-data\" class=\"op\"><input "
	        "type=\"hidden\" name=\"csrf\" value=\"%s\">"
	        "<label for=\"f-file\">%s <small>FILE.csv</small></label>"
	        "<input type=\"file\" id=\"f-file\" name=\"file\" "
	        "accept=\".csv,.txt,text/csv,text/plain\">\n",
	        _("A member list as a spreadsheet exports it (CSV): each row "
	          "is checked and shown first; nothing is written until you "
	          "confirm. The columns are those of 'chibo-agent "
	          "import-members --help'."),
	        p->ui->csrf, _("the CSV file"));
	import_options(p, f);
	fprintf(fp,
	        "<span></span><div><button type=\"submit\">%s</button></div>"
	        "</form>\n",
	        _("Check the rows (writes nothing)"));
}

/* A row of the preview: what it adds, or why not. */
static void
import_row(void *ctx, size_t line, const struct cb_entry *e, const char *why)
{
	FILE *fp = ((struct page *)ctx)->aux;
	static const char *const cols[] = { "full_name", "birth_date",
		                            "card_no", "cell", NULL };

	fprintf(fp, "<tr%s><td class=\"n\">%zu</td>",
	        why ? " class=\"bad\"" : "", line);
	if (why) {
		fputs("<td colspan=\"4\"></td><td>", fp);
		cb_web_esc(fp, why);
		fputs("</td></tr>\n", fp);
		return;
	}
	for (int i = 0; cols[i]; i++) {
		fputs("<td>", fp);
		cb_web_esc(fp, json_string_value(
				       json_object_get(e->json, cols[i])));
		fputs("</td>", fp);
	}
	fprintf(fp, "<td>%s</td></tr>\n", _("would be added"));
}

static void
import_say(void *ctx, bool error, const char *line)
{
	struct page *p = ctx;

	if (error)
		p->status = HTTP_REFUSED;
	if (error)
		say(p, false, line);
	else
		fprintf(p->fp, "<p class=\"hint\">%s</p>", line);
}

/* POST /import: a file uploaded (multipart), checked as
 * 'import-members --dry-run' checks it, each row shown, and a button
 * that posts the same bytes again to be written; or those bytes posted
 * back (confirm), imported as 'import-members' imports them. */
static void
page_import(struct page *p, const struct cb_form *f)
{
	const struct cb_form_field *file = f ? cb_form_field(f, "file") : NULL;
	const char *b64 = f ? cb_form_get(f, "data") : NULL;
	struct agent_import im = { 0 };
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char *rows = NULL, *enc = NULL;
	size_t rowslen = 0;
	FILE *fp = p->fp;
	int rc;

	head(p, _("Import a member list"));
	if (!f) {
		import_form(p, NULL);
		foot(p);
		return;
	}
	if (file && file->len) {
		raw = (unsigned char *)file->value;
		rawlen = file->len;
		im.file = file->file && *file->file ? file->file : "FILE.csv";
	} else if (b64 && *b64) {
		size_t n = strlen(b64);

		im.file = cb_form_get(f, "name");
		if (!(raw = malloc(n)) ||
		    sodium_base642bin(
			    raw, n, b64, n, NULL, &rawlen, NULL,
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
			free(raw);
			raw = NULL;
		}
		im.commit = cb_form_get(f, "confirm") != NULL;
	}
	if (!raw || !im.file) {
		p->status = HTTP_REFUSED;
		say(p, false, _("give one CSV file"));
		import_form(p, f);
		foot(p);
		return;
	}
	im.cell = cb_form_get(f, "cell");
	im.sep = cb_form_get(f, "separator");
	im.encoding = cb_form_get(f, "encoding");
	if (im.cell && !*im.cell)
		im.cell = NULL;
	if (im.sep && !*im.sep)
		im.sep = NULL;
	if (im.encoding && !*im.encoding)
		im.encoding = NULL;
	im.row = import_row;
	im.say = import_say;
	im.ctx = p;
	if (!(p->aux = open_memstream(&rows, &rowslen))) {
		say(p, false, _("out of memory"));
		goto out;
	}
	rc = agent_import(p->ui->a, p->lg, raw, rawlen, &im);
	fclose(p->aux);
	p->aux = NULL;
	if (!rc && im.commit) {
		char msg[512];

		snprintf(msg, sizeof(msg),
		         P_("imported %zu member from '%s'\n",
		            "imported %zu members from '%s'\n", im.added),
		         im.added, im.file);
		say(p, true, msg);
		fprintf(fp, "<p><a href=\"/members\">%s</a></p>", _("Members"));
		goto out;
	}
	if (!rc) {
		char msg[512];

		snprintf(msg, sizeof(msg),
		         P_("dry run: %zu member would be added; nothing was "
		            "written\n",
		            "dry run: %zu members would be added; nothing was "
		            "written\n",
		            im.added),
		         im.added);
		say(p, true, msg);
	}
	if (rowslen)
		fprintf(fp,
		        "<table class=\"preview\"><thead><tr><th scope=\"col\">"
		        "%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
		        "</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
		        "</th><th scope=\"col\">%s</th></tr></thead><tbody>\n"
		        "%s</tbody></table>\n",
		        _("LINE"), _("NAME"), _("BORN"), _("CARD"), _("CELL"),
		        _("RESULT"), rows);
	if (!rc && im.added) {
		size_t n = sodium_base64_ENCODED_LEN(
			rawlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

		if (!(enc = malloc(n)))
			goto out;
		sodium_bin2base64(enc, n, raw, rawlen,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		fprintf(fp,
		        "<form method=\"post\" action=\"/import\" class=\"op\">"
		        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		        "<input type=\"hidden\" name=\"confirm\" value=\"1\">"
		        "<input type=\"hidden\" name=\"data\" value=\"%s\">"
		        "<input type=\"hidden\" name=\"name\" value=\"",
		        p->ui->csrf, enc);
		cb_web_esc(fp, im.file);
		fputs("\">", fp);
		for (int i = 0; i < 3; i++) {
			static const char *const names[] = { "cell",
				                             "separator",
				                             "encoding" };
			const char *v = cb_form_get(f, names[i]);

			fprintf(fp,
			        "<input type=\"hidden\" name=\"%s\" value=\"",
			        names[i]);
			cb_web_esc(fp, v ? v : "");
			fputs("\">", fp);
		}
		fputs("<span></span><div><button type=\"submit\">", fp);
		fprintf(fp,
		        P_("Import %zu member", "Import %zu members", im.added),
		        im.added);
		fputs("</button></div></form>\n", fp);
	}
	fprintf(fp, "<h2>%s</h2>", _("Another file"));
	import_form(p, f);
out:
	free(enc);
	free(rows);
	if (raw && (!file || raw != (unsigned char *)file->value))
		free(raw);
	foot(p);
}

/* The words of a sync's phase on the page. */
static const char *
phase_words(const char *what)
{
	if (!strcmp(what, "pushed"))
		return _("sent to the hub");
	if (!strcmp(what, "pulled"))
		return _("received from the hub");
	return what;
}

/* A sync's progress, for the page that shows it. */
static void
sync_progress(void *ctx, const char *what, uint64_t done, uint64_t total,
              uint64_t bytes, double secs)
{
	struct ui *ui = ctx;

	(void)secs;
	pthread_mutex_lock(&ui->mu);
	if (done == UINT64_MAX) {
		ui->phase[0] = 0;
	} else {
		snprintf(ui->phase, sizeof(ui->phase), "%s", phase_words(what));
		ui->done = done;
		ui->total = total;
		ui->bytes = bytes;
	}
	pthread_mutex_unlock(&ui->mu);
}

/* A sync's notices, kept for its result. */
static void
sync_notice(void *ctx, const char *line)
{
	struct ui *ui = ctx;

	cb_sync_notice(NULL, line);
	pthread_mutex_lock(&ui->mu);
	if (ui->last) {
		/* appended to what the sync said so far */
		size_t n = strlen(ui->last), k = strlen(line);
		char *more = realloc(ui->last, n + k + 2);

		if (more) {
			memcpy(more + n, line, k);
			more[n + k] = '\n';
			more[n + k + 1] = 0;
			ui->last = more;
		}
	}
	pthread_mutex_unlock(&ui->mu);
}

/* The thread of a sync: what 'chibo-agent sync' does, on a replica of
 * its own, its lines kept for the page. */
static void *
syncer(void *arg)
{
	struct ui *ui = arg;
	struct cb_sync_opts o = { 2,  120,  sync_notice, sync_progress,
		                  ui, NULL, NULL };
	struct cb_sync_result r;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	char *out = NULL;
	size_t len = 0;
	FILE *m;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	if (cb_ledger_open(ui->a->replica, &lg, &eb)) {
		lg = NULL;
	} else if (ui->sk && !lg->key.sk &&
	           (lg->key.sk = sodium_malloc(CB_SECRET_BYTES))) {
		memcpy(lg->key.sk, ui->sk, CB_SECRET_BYTES);
	}
	ok = lg && cb_sync(lg, &o, &r, &eb) == CB_SYNC_DONE;
	if ((m = open_memstream(&out, &len))) {
		if (ok) {
			agent_sync_report(m, &r);
		} else {
			agent_error("%s", eb.msg);
			fprintf(m, "%s\n", eb.msg);
		}
		fclose(m);
	}
	cb_ledger_free(&lg);
	pthread_mutex_lock(&ui->mu);
	if (out) {
		/* the notices first, then the result */
		size_t n = ui->last ? strlen(ui->last) : 0;
		char *all = realloc(ui->last, n + len + 1);

		if (all) {
			memcpy(all + n, out, len + 1);
			ui->last = all;
		}
	}
	ui->last_ok = ok;
	ui->last_ms = cb_now_ms();
	ui->syncing = false;
	ui->phase[0] = 0;
	pthread_mutex_unlock(&ui->mu);
	free(out);
	return NULL;
}

/* Start a sync unless one runs; the page then shows its progress. */
static void
sync_start(struct ui *ui)
{
	pthread_mutex_lock(&ui->mu);
	if (ui->syncing) {
		pthread_mutex_unlock(&ui->mu);
		return;
	}
	pthread_mutex_unlock(&ui->mu);
	if (ui->joinable)
		pthread_join(ui->syncer, NULL);
	ui->joinable = false;
	pthread_mutex_lock(&ui->mu);
	free(ui->last);
	ui->last = strdup("");
	ui->syncing = true;
	ui->phase[0] = 0;
	ui->done = ui->total = ui->bytes = 0;
	pthread_mutex_unlock(&ui->mu);
	if (pthread_create(&ui->syncer, NULL, syncer, ui)) {
		pthread_mutex_lock(&ui->mu);
		ui->syncing = false;
		free(ui->last);
		ui->last = strdup(_("cannot start the sync: out of memory"));
		ui->last_ok = false;
		pthread_mutex_unlock(&ui->mu);
		return;
	}
	ui->joinable = true;
}

/* What the hub refused of this replica's entries, in the clerk's words
 * ('status' says the same). */
static void
hub_refusals(struct page *p)
{
	struct cb_status st;
	struct cb_errbuf eb;
	FILE *fp = p->fp;
	char when[CB_TIME_MAX];

	if (cb_status_read(p->lg, &st, &eb)) {
		say(p, false, eb.msg);
		return;
	}
	if (st.synced) {
		cb_time_show(st.last_sync_ms, when);
		fprintf(fp, "<p>%s ", _("Last synced with the hub:"));
		cb_web_esc(fp, when);
		fputs("</p>", fp);
	}
	fprintf(fp, "<p class=\"waiting\">");
	fprintf(fp,
	        P_("%lld entry waits to be sent to the hub.",
	           "%lld entries wait to be sent to the hub.",
	           (unsigned long)st.waiting),
	        (long long)st.waiting);
	fputs("</p>\n", fp);
	if (json_array_size(st.rejected_by_hub)) {
		fprintf(fp,
		        "<h2>%s</h2><table><thead><tr><th scope=\"col\">%s"
		        "</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
		        "</th></tr></thead><tbody>",
		        _("Refused by the hub"), _("ENTRY"), _("WHAT"),
		        _("WHY"));
		for (size_t i = 0; i < json_array_size(st.rejected_by_hub);
		     i++) {
			json_t *r = json_array_get(st.rejected_by_hub, i);

			fprintf(fp, "<tr><td>%lld</td><td>",
			        (long long)json_integer_value(
					json_object_get(r, "seq")));
			cb_web_esc(fp,
			           cb_words_label(
					   "op",
					   json_string_value(
						   json_object_get(r, "op"))));
			fputs("</td><td>", fp);
			cb_web_esc(fp, cb_lang_resay(json_string_value(
					       json_object_get(r, "reason"))));
			fputs("</td></tr>", fp);
		}
		fputs("</tbody></table>\n", fp);
	}
	cb_status_release(&st);
}

/* The Sync page: the button; while a sync runs, how far it is (the page
 * reloads itself each second, with or without its script); then the
 * last sync's result, and what the hub refused. */
static void
page_sync(struct page *p)
{
	struct ui *ui = p->ui;
	FILE *fp = p->fp;
	char when[CB_TIME_MAX];

	pthread_mutex_lock(&ui->mu);
	p->refresh = ui->syncing;
	head(p, _("Sync"));
	if (ui->syncing) {
		fprintf(fp, "<div class=\"busy\" role=\"status\"><p>%s</p>",
		        _("Syncing…"));
		if (ui->phase[0]) {
			fprintf(fp, "<p><label for=\"sync-progress\">");
			cb_web_esc(fp, ui->phase);
			fprintf(fp, "</label> <progress id=\"sync-progress\"");
			if (ui->total)
				fprintf(fp,
				        " max=\"%" PRIu64 "\" value=\"%" PRIu64
				        "\"",
				        ui->total, ui->done);
			fprintf(fp, "></progress> %" PRIu64, ui->done);
			if (ui->total)
				fprintf(fp, "/%" PRIu64, ui->total);
			fprintf(fp, _(" entries, %.0f KB"),
			        (double)ui->bytes / 1024);
			fputs("</p>", fp);
		} else {
			fprintf(fp,
			        "<p><progress id=\"sync-progress\" "
			        "aria-label=\"%s\"></progress></p>",
			        _("Syncing…"));
		}
		fputs("</div>\n", fp);
	} else if (ui->last) {
		cb_time_show(ui->last_ms, when);
		fprintf(fp, "<h2>%s ", _("The last sync,"));
		cb_web_esc(fp, when);
		fputs("</h2>", fp);
		say(p, ui->last_ok,
		    ui->last_ok ? _("Synced.") : _("The sync failed."));
		pre(p, ui->last);
		if (!ui->last_ok)
			p->status = MHD_HTTP_BAD_GATEWAY;
	}
	pthread_mutex_unlock(&ui->mu);
	hub_refusals(p);
	fprintf(fp,
	        "<form method=\"post\" action=\"/sync\" data-busy=\"%s\">"
	        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	        "<button type=\"submit\">%s</button></form>\n",
	        _("Syncing…"), ui->csrf, _("Sync with the hub"));
	foot(p);
}

/* --- HTTP ------------------------------------------------------------ */

/* The value of cookie COOKIE in the Cookie header, into out. */
static bool
cookie(struct MHD_Connection *c, const char *secret)
{
	const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);

	return cb_web_same_secret(v, secret);
}

/* The page for method and url, or NULL for none. */
static enum MHD_Result
route(struct ui *ui, struct MHD_Connection *c, const char *url, bool post,
      const struct cb_form *form)
{
	struct page p = { 0 };
	struct cb_errbuf eb;
	struct MHD_Response *resp;
	enum MHD_Result r;
	const struct cb_op *op = NULL;
	bool found = true;

	if (!strncmp(url, "/op/", 4)) {
		char w1[32] = "";
		const char *slash = strchr(url + 4, '/');
		size_t n = slash ? (size_t)(slash - url - 4) : strlen(url + 4);

		if (n < sizeof(w1)) {
			memcpy(w1, url + 4, n);
			w1[n] = 0;
			op = cb_op_find_cli(w1, slash ? slash + 1 : NULL);
		}
		if (!op)
			return cb_web_refuse(c, MHD_HTTP_NOT_FOUND,
			                     _("no such page"));
	} else if (post && !strcmp(url, "/sync")) {
		/* the sync runs on; its page shows how far, and is not
		 * posted again by a reload */
		sync_start(ui);
		return cb_web_redirect(c, "/sync", NULL, NULL);
	} else if (post && strcmp(url, "/import") != 0) {
		return cb_web_refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                     _("this page takes no form"));
	}
	p.ui = ui;
	p.c = c;
	p.status = MHD_HTTP_OK;
	if (cb_ledger_open(ui->a->replica, &p.lg, &eb))
		return cb_web_refuse(c, MHD_HTTP_INTERNAL_SERVER_ERROR, eb.msg);
	if (ui->sk && !p.lg->key.sk &&
	    (p.lg->key.sk = sodium_malloc(CB_SECRET_BYTES)))
		memcpy(p.lg->key.sk, ui->sk, CB_SECRET_BYTES);
	if (!(p.fp = open_memstream(&p.html, &p.len))) {
		cb_ledger_free(&p.lg);
		return MHD_NO;
	}
	if (op) {
		char said[512];

		head(&p, ui_words(op->cli->summary, said, sizeof(said)));
		if (post)
			op_post(&p, op, form);
		else
			op_form(&p, op, NULL);
		foot(&p);
	} else if (!strcmp(url, "/")) {
		page_home(&p);
	} else if (!strcmp(url, "/cells")) {
		page_cells(&p);
	} else if (!strcmp(url, "/members")) {
		page_members(&p);
	} else if (!strcmp(url, "/member")) {
		page_member(&p);
	} else if (!strcmp(url, "/meetings")) {
		static const char *const l[] = { "meeting", "record", NULL };

		page_list(&p, _("Meetings"), CB_QUERY_MEETINGS, l);
	} else if (!strcmp(url, "/ratings")) {
		static const char *const l[] = { "rate", "", NULL };

		page_list(&p, _("Ratings"), CB_QUERY_RATINGS, l);
	} else if (!strcmp(url, "/transfers")) {
		static const char *const l[] = { "member", "release", "member",
			                         "accept", "member",  "decline",
			                         NULL };

		page_list(&p, _("Transfers"), CB_QUERY_TRANSFERS, l);
	} else if (!strcmp(url, "/reports")) {
		page_reports(&p);
	} else if (!strcmp(url, "/import")) {
		page_import(&p, post ? form : NULL);
	} else if (!strcmp(url, "/verify")) {
		page_verify(&p);
	} else if (!strcmp(url, "/sync")) {
		page_sync(&p);
	} else if (!strcmp(url, "/ops")) {
		page_ops(&p);
	} else {
		found = false;
	}
	cb_ledger_free(&p.lg);
	if (fclose(p.fp) || !found) {
		free(p.html);
		return found ? MHD_NO
		             : cb_web_refuse(c, MHD_HTTP_NOT_FOUND,
		                             _("no such page"));
	}
	if (!p.refresh)
		return cb_web_answer(c, p.status, "text/html; charset=utf-8",
		                     p.html, p.len, MHD_RESPMEM_MUST_FREE);
	resp = MHD_create_response_from_buffer(p.len, p.html,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(p.html);
		return MHD_NO;
	}
	cb_web_headers(resp, "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Refresh", "1");
	r = MHD_queue_response(c, p.status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Host: the address the interface serves, by number or as localhost. A
 * page of another site that resolves its own name to 127.0.0.1 (DNS
 * rebinding) sends its own name and is refused. */
static bool
host_ok(struct ui *ui, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                            MHD_HTTP_HEADER_HOST);

	return h && (!strcmp(h, ui->host_ip) || !strcmp(h, ui->host_name));
}

/* Origin, when the browser sends one, must be this interface. */
static bool
origin_ok(struct ui *ui, struct MHD_Connection *c)
{
	const char *o =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");

	return !o ||
	       (!strncmp(o, "http://", 7) &&
	        (!strcmp(o + 7, ui->host_ip) || !strcmp(o + 7, ui->host_name)));
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size,
       void **con_cls)
{
	struct ui *ui = cls;
	struct request *rq = *con_cls;
	bool post = !strcmp(method, "POST");
	struct cb_form form = CB_FORM_INIT;
	struct cb_errbuf eb;
	const char *type;
	enum MHD_Result r;

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size >
		    (strcmp(url, "/import") ? BODY_MAX : IMPORT_BODY_MAX)) {
			rq->too_big = true;
		} else if (!rq->too_big) {
			char *b = realloc(rq->body, rq->len + *upload_size + 1);

			if (!b)
				return MHD_NO;
			memcpy(b + rq->len, upload, *upload_size);
			rq->body = b;
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!host_ok(ui, c))
		return cb_web_refuse(
			c, MHD_HTTP_FORBIDDEN,
			_("forbidden: this interface answers only at "
		          "127.0.0.1 or localhost and its port"));
	if (!post && strcmp(method, "GET") && strcmp(method, "HEAD"))
		return cb_web_refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                     _("only GET and POST are served"));
	if (!post && !strcmp(url, "/login")) {
		char set[128];

		if (!cb_web_same_secret(
			    MHD_lookup_connection_value(
				    c, MHD_GET_ARGUMENT_KIND, "token"),
			    ui->token))
			return cb_web_refuse(
				c, MHD_HTTP_FORBIDDEN,
				_("forbidden: the address's token is "
			          "wrong; open the address 'chibo-agent "
			          "ui' printed"));
		/* the token leaves the address bar: the cookie stands in */
		snprintf(set, sizeof(set),
		         COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
		         ui->session);
		return cb_web_redirect(c, "/", set, NULL);
	}
	if (!cookie(c, ui->session))
		return cb_web_refuse(
			c, MHD_HTTP_FORBIDDEN,
			_("forbidden: not signed in; open the address "
		          "'chibo-agent ui' printed"));
	if (!post) {
		for (size_t i = 0; i < ui_assets_count; i++)
			if (!strcmp(url, ui_assets[i].path))
				return cb_web_answer(
					c, MHD_HTTP_OK,
					strstr(url, ".css")
						? "text/css; charset=utf-8"
						: "text/javascript; "
						  "charset=utf-8",
					ui_assets[i].bytes, ui_assets[i].len,
					MHD_RESPMEM_PERSISTENT);
		return route(ui, c, url, false, NULL);
	}
	if (rq->too_big)
		return cb_web_refuse(c, HTTP_TOO_LARGE,
		                     _("the form is too large"));
	if (!origin_ok(ui, c))
		return cb_web_refuse(
			c, MHD_HTTP_FORBIDDEN,
			_("forbidden: the form comes from another site"));
	type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                   MHD_HTTP_HEADER_CONTENT_TYPE);
	if (type && !strncasecmp(type, "multipart/form-data", 19)
	            ? cb_form_parse_multipart(rq->body ? rq->body : "", rq->len,
	                                      type, &form, &eb)
	            : cb_form_parse(rq->body ? rq->body : "", rq->len, &form,
	                            &eb))
		return cb_web_refuse(c, MHD_HTTP_BAD_REQUEST, eb.msg);
	if (!cb_web_same_secret(cb_form_get(&form, "csrf"), ui->csrf)) {
		cb_form_release(&form);
		return cb_web_refuse(
			c, MHD_HTTP_FORBIDDEN,
			_("forbidden: the form's token is missing or "
		          "wrong; reload the page and try again"));
	}
	r = route(ui, c, url, true, &form);
	cb_form_release(&form);
	return r;
}

static void
done(void *cls, struct MHD_Connection *c, void **con_cls,
     enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

/* The browser, through xdg-open when there is one; never waited for. */
static void
open_browser(const char *url)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", 0);

			if (null >= 0) {
				dup2(null, STDIN_FILENO);
				dup2(null, STDOUT_FILENO);
			}
			execlp("xdg-open", "xdg-open", url, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static bool
on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, file[4096];
	bool found = false;

	if (!path || !(copy = strdup(path)))
		return false;
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", dir, prog);
		found = access(file, X_OK) == 0;
	}
	free(copy);
	return found;
}

static const struct argdef ui_defs[] = {
	{ "port", "N", N_("the port on 127.0.0.1 (default: any free one)") },
	{ "no-open", NULL, N_("print the address only; open no browser") },
	{ NULL, NULL, NULL },
};

int
cmd_ui(struct agent *a, int argc, char **argv)
{
	struct ui ui = { 0 };
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa = { 0 };
	socklen_t salen = sizeof(sa);
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	sigset_t sigs;
	long port = 0;
	int fd = -1, rc, sig;
	char url[128];

	rc = cb_args_command(
		"ui",
		N_("usage: chibo-agent ui [--port N] [--no-open]\n\n"
	           "Serves the clerk's web interface on 127.0.0.1 until "
	           "Ctrl-C: cells, members,\nmeetings with their attendance, "
	           "ratings, transfers, reports, the import of a\nmember list, "
	           "verify and sync, through the same operations and checks "
	           "as\nthe commands. Prints the address to open, with a "
	           "secret "
	           "made for this\nlaunch, and opens it with xdg-open unless "
	           "--no-open. Nobody else on the\nmachine or the network can "
	           "use it: see docs/OPERATIONS.md, \"The "
	           "web\ninterface\".\n\n"),
		ui_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 0)) {
		char *end;

		port = strtol(cb_args_get(&v, 0), &end, 10);
		if (*end || !*cb_args_get(&v, 0) || port < 1 || port > 65535)
			return cb_args_usage("ui",
			                     _("--port needs a number from 1 "
			                       "to 65535, not '%s'"),
			                     cb_args_get(&v, 0));
	}
	/* the replica must open before anything is served; a sealed key is
	 * opened now, its passphrase asked once on this terminal */
	if (!(lg = agent_open(a)))
		return 1;
	if (cb_ledger_unseal(lg, &eb)) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	if (!(ui.sk = sodium_malloc(CB_SECRET_BYTES))) {
		cb_ledger_free(&lg);
		agent_error(_("out of secure memory"));
		return 1;
	}
	memcpy(ui.sk, lg->key.sk, CB_SECRET_BYTES);
	cb_ledger_free(&lg);
	ui.a = a;
	pthread_mutex_init(&ui.mu, NULL);
	cb_web_secret(ui.token);
	cb_web_secret(ui.session);
	cb_web_secret(ui.csrf);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 32) || getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		agent_error(_("cannot listen on 127.0.0.1:%ld: %s"), port,
		            strerror(errno));
		if (fd >= 0)
			close(fd);
		sodium_free(ui.sk);
		return 1;
	}
	ui.port = ntohs(sa.sin_port);
	snprintf(ui.host_ip, sizeof(ui.host_ip), "127.0.0.1:%u", ui.port);
	snprintf(ui.host_name, sizeof(ui.host_name), "localhost:%u", ui.port);
	/* SIGINT and SIGTERM are waited for here, not delivered to the
	 * server's thread */
	/* a shell starts a background job with SIGINT ignored; ui is
	 * stopped by it all the same */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
		NULL, handle, &ui, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)32, MHD_OPTION_END);
	if (!d) {
		agent_error(_("cannot start the web interface"));
		close(fd);
		sodium_free(ui.sk);
		return 1;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/login?token=%s",
	         ui.port, ui.token);
	printf(_("the clerk's interface is served at this address (Ctrl-C "
	         "stops it):\n"));
	printf("%s\n", url);
	fflush(stdout);
	if (!cb_args_get(&v, 1) && on_path("xdg-open"))
		open_browser(url);
	while (sigwait(&sigs, &sig) != 0)
		;
	MHD_stop_daemon(d); /* closes fd, the listening socket given it */
	if (ui.joinable)    /* a sync under way ends first */
		pthread_join(ui.syncer, NULL);
	free(ui.last);
	pthread_mutex_destroy(&ui.mu);
	sodium_free(ui.sk);
	sodium_memzero(&ui, sizeof(ui));
	return 0;
}
