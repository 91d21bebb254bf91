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
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agent.h"
#include "args.h"
#include "date.h"
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
	        "<a href=\"/sync\">%s</a><a href=\"/verify\">%s</a>"
	        "<a href=\"/ops\">%s</a></nav></header><main><h1>",
	        _("Main menu"), _("Home"), _("Cells"), _("Members"),
	        _("Meetings"), _("Ratings"), _("Transfers"), _("Reports"),
	        _("Sync"), _("Verify"), _("Every record"));
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

/* The cells of the subtree as a <datalist id="cells">. */
static void
cells_datalist(struct page *p)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;

	fputs("<datalist id=\"cells\">", p->fp);
	if (!cb_query_ask(p->lg->st, CB_QUERY_CELLS, p->lg->org, NULL, &r, &eb))
		for (size_t row = 0; row < r.nrows; row++) {
			fputs("<option value=\"", p->fp);
			cb_web_esc(p->fp, cb_query_text(&r, row, 0));
			fputs("\">", p->fp);
			cb_web_esc(p->fp, cb_query_text(&r, row, 1));
			fputs("</option>", p->fp);
		}
	fputs("</datalist>\n", p->fp);
	cb_query_result_release(&r);
}

/* The value a form field had (a refused form is shown again as it was
 * filled), or what the address gives it. */
static const char *
prefill(struct page *p, const struct cb_form *f, const char *name)
{
	const char *v = f ? cb_form_get(f, name) : NULL;

	return v ? v : arg(p, name);
}

static void
text_input(struct page *p, const char *name, const char *label,
           const char *hint, const char *value, bool cells)
{
	FILE *fp = p->fp;
	bool area = !strcmp(name, "content") || !strcmp(name, "resolutions");

	fprintf(fp, "<label for=\"f-%s\">", name);
	cb_web_esc(fp, label);
	if (hint) {
		fputs(" <small>", fp);
		cb_web_esc(fp, hint);
		fputs("</small>", fp);
	}
	fputs("</label>", fp);
	if (area)
		fprintf(fp, "<textarea id=\"f-%s\" name=\"%s\" rows=\"3\">",
		        name, name);
	else
		fprintf(fp,
		        "<input type=\"text\" id=\"f-%s\" name=\"%s\"%s "
		        "value=\"",
		        name, name, cells ? " list=\"cells\"" : "");
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

/* The form of op, filled from f (a refused post) or the address. */
static void
op_form(struct page *p, const struct cb_op *op, const struct cb_form *f)
{
	const struct cb_op_cli *c = op->cli;
	FILE *fp = p->fp;
	bool meeting = !strcmp(op->name, "meeting.record");
	const char *cell = prefill(p, f, "cell");
	const char *date = prefill(p, f, "date");

	cells_datalist(p);
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
		text_input(p, "cell", _("the cell"), "--cell CODE", cell, true);
		text_input(p, "date", _("the day it was held"), "--date DATE",
		           date, false);
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
		                   !strcmp(c->pos_field, "cell"));
	}
	for (const struct cb_op_flag *fl = c->flags; fl->flag; fl++) {
		char hint[64], said[512];

		if (fl->type == CB_ARG_MARK)
			continue;
		snprintf(hint, sizeof(hint), "--%s %s", fl->flag,
		         fl->metavar ? fl->metavar : "");
		text_input(p, fl->flag, ui_words(fl->help, said, sizeof(said)),
		           hint, prefill(p, f, fl->flag),
		           fl->metavar && !strcmp(fl->metavar, "CODE"));
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
	cells_datalist(p);
	fprintf(fp,
	        "<form method=\"get\" class=\"inline\" role=\"search\">"
	        "<label for=\"s-name\">%s</label><input type=\"search\" "
	        "id=\"s-name\" name=\"name\" value=\"",
	        _("Name (with or without diacritics)"));
	cb_web_esc(fp, f.name);
	fprintf(fp,
	        "\"><label for=\"s-cell\">%s</label><input type=\"text\" "
	        "id=\"s-cell\" name=\"cell\" list=\"cells\" value=\"",
	        _("the cell"));
	cb_web_esc(fp, f.cell);
	fprintf(fp,
	        "\"><button type=\"submit\">%s</button></form>\n"
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

/* A sync's notices, kept for the page. */
static void
sync_notice(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
	cb_sync_notice(NULL, line);
}

static void
page_sync(struct page *p, bool run)
{
	FILE *fp = p->fp;

	head(p, _("Sync"));
	if (run) {
		struct cb_sync_opts o = { 2,    120,  sync_notice, NULL,
			                  NULL, NULL, NULL };
		struct cb_sync_result r;
		struct cb_errbuf eb;
		char *out = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&out, &len);
		enum cb_sync_outcome rc;

		if (!m) {
			say(p, false, _("out of memory"));
			foot(p);
			return;
		}
		o.ctx = m;
		memset(&r, 0, sizeof(r));
		rc = cb_sync(p->lg, &o, &r, &eb);
		if (rc) {
			agent_error("%s", eb.msg);
			fprintf(m, "%s\n", eb.msg);
		} else {
			agent_sync_report(m, &r);
		}
		fclose(m);
		if (rc)
			p->status = MHD_HTTP_BAD_GATEWAY;
		say(p, !rc, rc ? _("The sync failed.") : _("Synced."));
		pre(p, out ? out : "");
		free(out);
	}
	fprintf(fp,
	        "<form method=\"post\" action=\"/sync\" data-busy=\"%s\">"
	        "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	        "<button type=\"submit\">%s</button></form>\n",
	        _("Syncing…"), p->ui->csrf, _("Sync with the hub"));
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
	} else if (post && strcmp(url, "/sync") != 0) {
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
	} else if (!strcmp(url, "/verify")) {
		page_verify(&p);
	} else if (!strcmp(url, "/sync")) {
		page_sync(&p, post);
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
	r = cb_web_answer(c, p.status, "text/html; charset=utf-8", p.html,
	                  p.len, MHD_RESPMEM_MUST_FREE);
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
	enum MHD_Result r;

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > BODY_MAX) {
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
	if (cb_form_parse(rq->body ? rq->body : "", rq->len, &form, &eb))
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
	           "ratings, transfers, reports, verify and sync,\nthrough the "
	           "same operations and checks as the commands. Prints the "
	           "address\nto open, with a secret made for this launch, and "
	           "opens it with xdg-open\nunless --no-open. Nobody else on "
	           "the machine or the network can use it:\nsee "
	           "docs/OPERATIONS.md, \"The web interface\".\n\n"),
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
	sodium_free(ui.sk);
	sodium_memzero(&ui, sizeof(ui));
	return 0;
}
