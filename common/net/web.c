/* SPDX-License-Identifier: MIT */
/* web.c — the pieces of HTML and HTTP the clerk's interface and the
 * hub's dashboard share (web.h). */
#include "web.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "date.h"
#include "words.h"

void
cb_web_esc(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
}

const char *
cb_web_arg(struct MHD_Connection *c, const char *name)
{
	const char *v =
		MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);

	return v && *v ? v : NULL;
}

void
cb_web_say(FILE *fp, bool ok, const char *msg)
{
	fprintf(fp, "<p class=\"%s\" role=\"%s\">", ok ? "ok" : "error",
	        ok ? "status" : "alert");
	cb_web_esc(fp, msg);
	fputs("</p>\n", fp);
}

void
cb_web_begin(FILE *fp, const char *title, const char *css, const char *js)
{
	/* TRANSLATORS: the language code of this translation, for the
	 * web pages' <html lang>: "vi" for Vietnamese */
	fprintf(fp,
	        "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
	        "<meta charset=\"utf-8\">"
	        "<meta name=\"viewport\" content=\"width=device-width\">"
	        "<title>",
	        C_("html lang", "en"));
	cb_web_esc(fp, title);
	fprintf(fp, " — chibo</title><link rel=\"stylesheet\" href=\"%s\">",
	        css);
	if (js)
		fprintf(fp, "<script src=\"%s\" defer></script>", js);
	fputs("</head><body><header>", fp);
}

void
cb_web_headers(struct MHD_Response *resp, const char *type)
{
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* not no-referrer: under it a browser sends "Origin: null" with
	 * the pages' own forms, which the Origin checks refuse */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(
		resp, "Content-Security-Policy",
		"default-src 'none'; style-src 'self'; script-src 'self'; "
		"img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
		"base-uri 'none'");
}

enum MHD_Result
cb_web_answer(struct MHD_Connection *c, unsigned status, const char *type,
              const void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(len, (void *)body, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free((void *)body);
		return MHD_NO;
	}
	cb_web_headers(resp, type);
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result
cb_web_refuse(struct MHD_Connection *c, unsigned status, const char *msg)
{
	size_t n = strlen(msg) + 2;
	char *text = malloc(n);

	if (!text)
		return MHD_NO;
	snprintf(text, n, "%s\n", msg);
	return cb_web_answer(c, status, "text/plain; charset=utf-8", text,
	                     strlen(text), MHD_RESPMEM_MUST_FREE);
}

enum MHD_Result
cb_web_redirect(struct MHD_Connection *c, const char *location,
                const char *cookie, const char *cookie2)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	                                       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	cb_web_headers(resp, "text/plain");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	if (cookie2)
		MHD_add_response_header(resp, "Set-Cookie", cookie2);
	MHD_add_response_header(resp, "Location", location);
	r = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, resp);
	MHD_destroy_response(resp);
	return r;
}

void
cb_web_secret(char out[CB_WEB_SECRET_HEX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	cb_hex_encode(raw, sizeof(raw), out);
	sodium_memzero(raw, sizeof(raw));
}

bool
cb_web_same_secret(const char *given, const char *secret)
{
	return given && strlen(given) == strlen(secret) &&
	       sodium_memcmp(given, secret, strlen(secret)) == 0;
}

static bool
is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

void
cb_web_rows(FILE *fp, const struct cb_query_result *r, bool record,
            bool ids_are_members, const char *member_href)
{
	size_t shown = r->nrows < CB_WEB_ROWS_MAX ? r->nrows : CB_WEB_ROWS_MAX;

	if (!r->nrows) {
		fprintf(fp, "<p>%s</p>\n", _("None."));
		return;
	}
	if (record) { /* a field a line */
		fputs("<table>", fp);
		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = cb_query_text(r, 0, c);

			if (!r->cols[c].heading)
				continue;
			fputs("<tr><th scope=\"row\">", fp);
			cb_web_esc(fp, _(r->cols[c].heading));
			fputs("</th><td>", fp);
			cb_web_esc(fp,
			           v ? cb_words_show(r->cols[c].name, v) : "");
			fputs("</td></tr>", fp);
		}
		fputs("</table>\n", fp);
		return;
	}
	fputs("<table><thead><tr>", fp);
	for (size_t c = 0; c < r->ncols; c++)
		if (r->cols[c].heading) {
			fputs("<th scope=\"col\">", fp);
			cb_web_esc(fp, _(r->cols[c].heading));
			fputs("</th>", fp);
		}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t row = 0; row < shown; row++) {
		fputs("<tr>", fp);
		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = cb_query_text(r, row, c);
			const char *name = r->cols[c].name;

			if (!r->cols[c].heading)
				continue;
			fputs("<td>", fp);
			if (is_hex64(v)) {
				bool member = !strcmp(name, "member") ||
				              (ids_are_members &&
				               !strcmp(name, "id"));

				if (member && member_href)
					fprintf(fp,
					        "<a href=\"%s%s\">%.12s</a>",
					        member_href, v, v);
				else
					fprintf(fp,
					        "<span title=\"%s\">%.12s"
					        "</span>",
					        v, v);
			} else {
				cb_web_esc(fp, v ? cb_words_show(name, v) : "");
			}
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
	if (shown < r->nrows)
		fprintf(fp, "<p class=\"hint\">%s</p>\n",
		        _("More rows than a page shows: narrow the search."));
}

const char *const cb_web_report_kinds[][2] = {
	{ "membership", N_("Members by status, cell kind, work and age") },
	{ "congresses", N_("Congresses of a term") },
	{ "ratings", N_("Ratings of a period") },
	{ "meetings", N_("Cell meetings and attendance") },
	{ "campaign", N_("Dissolving the commune-agency cells") },
	{ "transfers", N_("Transfers of party activity") },
	{ "clashes", N_("Card or ID numbers held twice") },
	{ NULL, NULL },
};

void
cb_web_report_query(struct cb_report_query *q, cb_web_arg_fn get, void *ctx)
{
	q->kind = get(ctx, "kind");
	q->on = get(ctx, "on");
	q->term = get(ctx, "term");
	q->period = get(ctx, "period");
	q->from = get(ctx, "from");
	q->to = get(ctx, "to");
}

static void
text_field(FILE *fp, const char *name, const char *label, const char *value)
{
	fprintf(fp, "<label for=\"f-%s\">", name);
	cb_web_esc(fp, label);
	fprintf(fp,
	        "</label><input type=\"text\" id=\"f-%s\" name=\"%s\" "
	        "value=\"",
	        name, name);
	cb_web_esc(fp, value);
	fputs("\">\n", fp);
}

void
cb_web_report_form(FILE *fp, cb_web_arg_fn get, void *ctx, const char *org)
{
	static const char *const fields[] = { "on",   "term", "period",
		                              "from", "to",   NULL };
	const char *labels[] = {
		_("on (membership, transfers)"),
		_("term, YYYY-YYYY (congresses)"),
		_("period, YYYY, YYYY-Qn or YYYY-MM (ratings)"),
		_("from (meetings: a month; campaign, "
		  "transfers: a day)"),
		_("to"),
		NULL
	};
	const char *kind = get(ctx, "kind");

	fprintf(fp,
	        "<form method=\"get\" class=\"op\"><label for=\"r-kind\">%s"
	        "</label><select id=\"r-kind\" name=\"kind\">",
	        _("report"));
	for (int i = 0; cb_web_report_kinds[i][0]; i++)
		fprintf(fp, "<option value=\"%s\"%s>%s</option>",
		        cb_web_report_kinds[i][0],
		        kind && !strcmp(kind, cb_web_report_kinds[i][0])
		                ? " selected"
		                : "",
		        _(cb_web_report_kinds[i][1]));
	fputs("</select>\n", fp);
	if (org)
		text_field(fp, "org", _("the organisation (its code)"), org);
	for (int i = 0; fields[i]; i++)
		text_field(fp, fields[i], labels[i], get(ctx, fields[i]));
	fprintf(fp,
	        "<span></span><div><button type=\"submit\">%s</button>"
	        "</div></form>\n",
	        _("Show"));
}

void
cb_web_report(FILE *fp, const struct cb_report *r, const char *committee)
{
	struct cb_date now = cb_date_today();
	char today[11];

	/* headed as a Party committee's papers are: the committee on the
	 * left, the Party and the day on the right */
	cb_date_format(&now, today);
	fputs("<div class=\"printhead\"><div>", fp);
	cb_web_esc(fp, committee);
	fputs("</div><div><strong>", fp);
	cb_web_esc(fp, _("COMMUNIST PARTY OF VIETNAM"));
	fputs("</strong><br>", fp);
	cb_web_esc(fp, today);
	fputs("</div></div><h2>", fp);
	cb_web_esc(fp, r->title);
	fputs("</h2><table class=\"report\"><thead><tr>", fp);
	for (size_t c = 0; c < r->ncols; c++) {
		fputs("<th scope=\"col\">", fp);
		cb_web_esc(fp, r->cols[c]);
		fputs("</th>", fp);
	}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t row = 0; row < r->nrows; row++) {
		fputs("<tr>", fp);
		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = r->cells[row * r->ncols + c];
			bool num = v && *v &&
			           strspn(v, "0123456789.,% -") == strlen(v);

			fputs(num ? "<td class=\"n\">" : "<td>", fp);
			cb_web_esc(fp, v);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
	for (size_t i = 0; i < r->nnotes; i++) {
		fputs("<p>", fp);
		cb_web_esc(fp, r->notes[i]);
		fputs("</p>\n", fp);
	}
}

#define BAR_LABEL 260 /* px for the labels, left of the bars */
#define BAR_WIDTH 420 /* px of the longest bar */
#define BAR_ROW 26    /* px a bar and its gap */

void
cb_web_bars(FILE *fp, const char *title, size_t n, const char *const *labels,
            const long long *values, const char *const *hrefs)
{
	long long max = 0;
	unsigned height = (unsigned)(n * BAR_ROW + 8);

	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	fprintf(fp,
	        "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/"
	        "svg\" role=\"img\" width=\"%u\" height=\"%u\" viewBox=\"0 0 "
	        "%u %u\" font-size=\"13\"><title>",
	        BAR_LABEL + BAR_WIDTH + 80, height, BAR_LABEL + BAR_WIDTH + 80,
	        height);
	cb_web_esc(fp, title);
	fputs("</title>\n", fp);
	for (size_t i = 0; i < n; i++) {
		long long v = values[i] > 0 ? values[i] : 0;
		unsigned w = max ? (unsigned)(v * BAR_WIDTH / max) : 0;
		unsigned y = (unsigned)(i * BAR_ROW + 4);
		char num[32];

		cb_lang_count(v, num);
		if (hrefs && hrefs[i]) {
			fputs("<a href=\"", fp);
			cb_web_esc(fp, hrefs[i]);
			fputs("\">", fp);
		}
		fputs("<g class=\"bar\"><title>", fp);
		cb_web_esc(fp, labels[i]);
		fprintf(fp,
		        ": %s</title><text x=\"%u\" y=\"%u\" "
		        "text-anchor=\"end\" fill=\"#1a1a1a\">",
		        num, BAR_LABEL - 8, y + 15);
		cb_web_esc(fp, labels[i]);
		fprintf(fp,
		        "</text><rect x=\"%u\" y=\"%u\" width=\"%u\" "
		        "height=\"%u\" fill=\"#a50e0e\"></rect><text x=\"%u\" "
		        "y=\"%u\" fill=\"#1a1a1a\">%s</text></g>",
		        BAR_LABEL, y, w ? w : 1, BAR_ROW - 8, BAR_LABEL + w + 6,
		        y + 15, num);
		fputs(hrefs && hrefs[i] ? "</a>\n" : "\n", fp);
	}
	fputs("</svg><figcaption>", fp);
	cb_web_esc(fp, title);
	fputs("</figcaption></figure>\n", fp);
}
