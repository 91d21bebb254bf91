/* SPDX-License-Identifier: MIT */
/* dashboard.c — the hub's dashboard: read-only pages for the people the
 * hub's administrator gave an account ('chibo-hub account',
 * common/net/accounts.h), on the HTTPS port 'serve' listens on, under
 * /dashboard/. A sign-in form (its own CSRF cookie), a session cookie
 * (Secure, HttpOnly, SameSite=Strict; 32 random bytes, 8 hours), a lock
 * after 5 failed sign-ins of an account and a limit per address; then
 * the sync health of every key with the communes that need a call on
 * top, the district's reports as the command line computes them (the
 * same report model, common/view/report.h, at the hub's signed
 * checkpoint), the organisations from the account's top down to a
 * cell's members, an SVG chart drawn here, and the audit's summary
 * (checkpoint, witness cosignatures). Nothing is written but sign-ins and
 * sessions; nothing is fetched from elsewhere (common/net/web.h). The
 * pages speak the locale's language, as 'chibo-agent ui' does.
 * docs/internals/dashboard.md. */
#include "dashboard.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "accounts.h"
#include "clock.h"
#include "date.h"
#include "form.h"
#include "hub.h"
#include "httpsig.h"
#include "log.h"
#include "query.h"
#include "report.h"
#include "syncstate.h"
#include "tlog.h"
#include "web.h"
#include "witness.h"
#include "words.h"

/* dash_assets.c, made by cmake/embed_files.cmake from agent/ui/ui.css */
extern const struct cb_embedded dash_assets[];
extern const size_t dash_assets_count;

#define PREFIX "/dashboard"
#define COOKIE "chibo_dash"
#define LOGIN_COOKIE "chibo_dash_login"
#define ADDR_SLOTS 256            /* addresses whose failures are kept */
#define ADDR_FAILURES_MAX 20      /* failed sign-ins from one address */
#define ADDR_WINDOW_MS 900000     /* in a quarter hour */
#define STALE_MS (3 * 86400000LL) /* no contact for 3 days: a call */
#define CALLS_ON_OVERVIEW 10
#define BARS_MAX 40

struct addr_slot {
	char addr[INET6_ADDRSTRLEN];
	int64_t since_ms;
	unsigned failures;
};

struct hub_dash {
	struct cb_ledger *lg; /* the serving ledger, under *mu */
	pthread_mutex_t *mu;
	struct cb_store *st; /* the dashboard's own connection, under st_mu */
	pthread_mutex_t st_mu;
	pthread_mutex_t addr_mu;
	struct cb_account_policy pol; /* hub.conf's dashboard_* */
	struct addr_slot addrs[ADDR_SLOTS];
	/* an account name nobody holds costs an Argon2id all the same */
	char dummy[CB_PWHASH_STR_BYTES];
};

/* A page being written. */
struct page {
	struct hub_dash *d;
	struct MHD_Connection *c;
	FILE *fp;
	char *html;
	size_t len;
	unsigned status;
	const struct cb_session *ses; /* NULL: not signed in */
	const char *root;             /* the subtree the account reads */
	char *root_name;
};

cb_err
hub_dash_new(const char *path, struct cb_ledger *lg, pthread_mutex_t *mu,
             const struct cb_account_policy *pol, struct hub_dash **out,
             struct cb_errbuf *eb)
{
	struct hub_dash *d = calloc(1, sizeof(*d));
	cb_err rc;

	if (!d)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if ((rc = cb_store_open(path, false, &d->st, eb))) {
		free(d);
		return rc;
	}
	d->lg = lg;
	d->mu = mu;
	d->pol = *pol;
	pthread_mutex_init(&d->st_mu, NULL);
	pthread_mutex_init(&d->addr_mu, NULL);
	*out = d;
	return CB_OK;
}

void
hub_dash_free(struct hub_dash **d)
{
	if (!*d)
		return;
	cb_store_free(&(*d)->st);
	pthread_mutex_destroy(&(*d)->st_mu);
	pthread_mutex_destroy(&(*d)->addr_mu);
	free(*d);
	*d = NULL;
}

bool
hub_dash_url(const char *url)
{
	return !strncmp(url, PREFIX, strlen(PREFIX)) &&
	       (!url[strlen(PREFIX)] || url[strlen(PREFIX)] == '/');
}

/* --- the limit per address ------------------------------------------ */

static void
client_addr(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, INET6_ADDRSTRLEN, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
		          &((const struct sockaddr_in *)(const void *)sa)
		                   ->sin_addr,
		          out, INET6_ADDRSTRLEN);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		          &((const struct sockaddr_in6 *)(const void *)sa)
		                   ->sin6_addr,
		          out, INET6_ADDRSTRLEN);
}

/* The slot of addr, or the one it takes (the oldest); under addr_mu. */
static struct addr_slot *
addr_slot(struct hub_dash *d, const char *addr, int64_t now)
{
	struct addr_slot *oldest = &d->addrs[0];

	for (size_t i = 0; i < ADDR_SLOTS; i++) {
		struct addr_slot *s = &d->addrs[i];

		if (!strcmp(s->addr, addr)) {
			if (now - s->since_ms > ADDR_WINDOW_MS) {
				s->since_ms = now;
				s->failures = 0;
			}
			return s;
		}
		if (s->since_ms < oldest->since_ms)
			oldest = s;
	}
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->since_ms = now;
	oldest->failures = 0;
	return oldest;
}

/* Has addr failed too often lately? With failed, count one more. */
static bool
addr_blocked(struct hub_dash *d, const char *addr, bool failed)
{
	int64_t now = cb_now_ms();
	struct addr_slot *s;
	bool blocked;

	pthread_mutex_lock(&d->addr_mu);
	s = addr_slot(d, addr, now);
	if (failed)
		s->failures++;
	blocked = s->failures >= ADDR_FAILURES_MAX;
	pthread_mutex_unlock(&d->addr_mu);
	return blocked;
}

/* --- pages ------------------------------------------------------------ */

static const char *
arg(struct page *p, const char *name)
{
	return cb_web_arg(p->c, name);
}

static void
say(struct page *p, bool ok, const char *msg)
{
	cb_web_say(p->fp, ok, msg);
}

static void
head(struct page *p, const char *title)
{
	FILE *fp = p->fp;

	cb_web_begin(fp, title, PREFIX "/ui.css", NULL);
	if (p->ses) {
		/* first, floated right on the header's line */
		fprintf(fp,
		        "<form method=\"post\" action=\"" PREFIX "/logout\" "
		        "class=\"signout\"><input type=\"hidden\" "
		        "name=\"csrf\" value=\"%s\"><span>",
		        p->ses->csrf);
		cb_web_esc(fp, p->ses->account.name);
		fprintf(fp,
		        "</span> <button type=\"submit\">%s</button></form>"
		        "<span class=\"org\">",
		        _("Sign out"));
		cb_web_esc(fp, p->root_name ? p->root_name : p->root);
		fprintf(fp,
		        "</span><nav aria-label=\"%s\"><a href=\"" PREFIX
		        "/\">%s</a><a href=\"" PREFIX
		        "/sync\">%s</a><a href=\"" PREFIX
		        "/reports\">%s</a><a href=\"" PREFIX
		        "/audit\">%s</a></nav>",
		        _("Main menu"), _("Overview"), _("Sync health"),
		        _("Reports"), _("Audit"));
	} else {
		fprintf(fp, "<span class=\"org\">%s</span>",
		        _("The hub's dashboard"));
	}
	fputs("</header><main><h1>", fp);
	cb_web_esc(fp, title);
	fputs("</h1>\n", fp);
}

static void
foot(struct page *p)
{
	fputs("</main></body></html>\n", p->fp);
}

/* Is code the account's top or under it? Its path from the top into
 * path (the organisations above it that the store knows, the top
 * first). CB_ENOTFOUND, said, when it is not. */
static cb_err
within(struct page *p, const char *code, struct cb_query_result *path,
       struct cb_errbuf *eb)
{
	cb_err rc =
		cb_query_ask(p->d->st, CB_QUERY_ORG_PATH, code, NULL, path, eb);

	if (rc)
		return rc;
	for (size_t i = 0; i < path->nrows; i++) {
		const char *up = cb_query_text(path, i, 0);

		if (up && !strcmp(up, p->root))
			return CB_OK;
	}
	return cb_error(eb, CB_ENOTFOUND,
	                _("no organisation or cell '%.64s' in what this "
	                  "account reads"),
	                code);
}

/* --- sync health ------------------------------------------------------ */

/* One key of the sync report, and why its office needs a call. */
struct key_row {
	size_t row;   /* in the report */
	int severity; /* 0: no call */
	char why[256];
};

static void
why_add(struct key_row *k, int severity, const char *text)
{
	size_t n = strlen(k->why);

	if (severity > k->severity)
		k->severity = severity;
	snprintf(k->why + n, sizeof(k->why) - n, "%s%s", n ? "; " : "", text);
}

/* Why the key of by_key entry o needs a call, if it does: a fork, its
 * revoked key still in use, rejected entries, never in contact and no
 * entry of it held, no contact lately, entries waiting. */
static void
judge(json_t *o, int64_t now, struct key_row *k)
{
	json_int_t forks = json_integer_value(json_object_get(o, "forks"));
	json_int_t refused =
		json_integer_value(json_object_get(o, "refused_requests"));
	json_int_t rejected =
		json_integer_value(json_object_get(o, "rejected"));
	json_int_t waiting = json_integer_value(json_object_get(o, "waiting"));
	json_int_t seq = json_integer_value(json_object_get(o, "seq"));
	json_t *contact = json_object_get(o, "last_contact_ms");
	const char *role = json_string_value(json_object_get(o, "role"));
	bool revoked = json_is_string(json_object_get(o, "revoked_on"));
	bool auditor = role && !strcmp(role, "auditor");
	char text[128];

	if (forks)
		why_add(k, 60, _("a fork: two entries at one seq (frozen)"));
	if (refused) {
		snprintf(text, sizeof(text),
		         P_("its revoked key is still in use: %lld request "
		            "refused",
		            "its revoked key is still in use: %lld requests "
		            "refused",
		            (unsigned long)refused),
		         (long long)refused);
		why_add(k, 50, text);
	}
	if (rejected) {
		snprintf(text, sizeof(text),
		         P_("%lld entry rejected", "%lld entries rejected",
		            (unsigned long)rejected),
		         (long long)rejected);
		why_add(k, 40, text);
	}
	/* a key whose entries came through another hub (a relay, a
	 * pull) never calls this one: not a call */
	if (!revoked && !auditor && json_is_null(contact) && !seq) {
		why_add(k, 30, _("never synced"));
	} else if (!revoked && !auditor && !json_is_null(contact) &&
	           now - json_integer_value(contact) > STALE_MS) {
		long long days =
			(now - json_integer_value(contact)) / 86400000LL;

		snprintf(text, sizeof(text),
		         P_("no contact for %lld day",
		            "no contact for %lld days", (unsigned long)days),
		         days);
		why_add(k, 20, text);
	}
	if (waiting) {
		snprintf(text, sizeof(text),
		         P_("%lld entry waiting for another",
		            "%lld entries waiting for others",
		            (unsigned long)waiting),
		         (long long)waiting);
		why_add(k, 10, text);
	}
}

static int
by_severity(const void *a, const void *b)
{
	const struct key_row *x = a, *y = b;

	if (x->severity != y->severity)
		return y->severity - x->severity;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* The sync report of the account's subtree (every key for the hub's
 * whole tree), its keys judged and ordered: those that need a call
 * first. *keys malloc'd, *nkeys of them; *calls of them need one. */
static cb_err
sync_judged(struct page *p, struct cb_report *r, struct key_row **keys,
            size_t *nkeys, size_t *calls, struct cb_errbuf *eb)
{
	struct cb_report_query q = { .kind = "sync" };
	json_t *by_key;
	int64_t now = cb_now_ms();
	cb_err rc;

	q.root = strcmp(p->root, p->d->lg->org) ? p->root : NULL;
	if ((rc = cb_report_read(p->d->st, &q, r, eb)))
		return rc;
	by_key = json_object_get(r->summary, "by_key");
	if (json_array_size(by_key) != r->nrows)
		return cb_error(eb, CB_EIO,
		                _("the sync report does not add "
		                  "up"));
	if (!(*keys = calloc(r->nrows + 1, sizeof(**keys))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	*calls = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		(*keys)[i].row = i;
		judge(json_array_get(by_key, i), now, &(*keys)[i]);
		*calls += (*keys)[i].severity > 0;
	}
	qsort(*keys, r->nrows, sizeof(**keys), by_severity);
	*nkeys = r->nrows;
	return CB_OK;
}

/* The sync health table: the keys (at most limit; 0: all), a column of
 * why a call is needed first. */
static void
sync_table(struct page *p, const struct cb_report *r,
           const struct key_row *keys, size_t n, size_t limit)
{
	/* the report's columns shown, in its order (cb_report_sync) */
	static const int shown[] = { 1, 3, 2, 4, 5, 6, 8, 9, 10, 11 };
	FILE *fp = p->fp;
	size_t rows = limit && limit < n ? limit : n;

	fprintf(fp,
	        "<table class=\"sync\"><thead><tr><th scope=\"col\">%s</th>",
	        _("WHY A CALL"));
	for (size_t c = 0; c < sizeof(shown) / sizeof(shown[0]); c++) {
		fputs("<th scope=\"col\">", fp);
		cb_web_esc(fp, r->cols[shown[c]]);
		fputs("</th>", fp);
	}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t i = 0; i < rows; i++) {
		const char *const *cells =
			(const char *const *)r->cells + keys[i].row * r->ncols;

		fprintf(fp, "<tr%s><td>",
		        keys[i].severity ? " class=\"call\"" : "");
		cb_web_esc(fp, keys[i].why);
		fputs("</td>", fp);
		for (size_t c = 0; c < sizeof(shown) / sizeof(shown[0]); c++) {
			const char *v = cells[shown[c]];

			if (shown[c] == 1) {
				fputs("<td><a href=\"" PREFIX "/org?code=", fp);
				cb_web_esc(fp, v);
				fputs("\">", fp);
				cb_web_esc(fp, v);
				fputs("</a></td>", fp);
				continue;
			}
			fputs(shown[c] >= 8 && shown[c] <= 10
			              ? "<td class=\"n\">"
			              : "<td>",
			      fp);
			cb_web_esc(fp, v);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
}

/* The sync health: every key, those that need a call first; on the
 * overview (limit) only those that need one. */
static void
sync_health(struct page *p, size_t limit)
{
	struct cb_report r = { 0 };
	struct key_row *keys = NULL;
	struct cb_errbuf eb;
	size_t n = 0, calls = 0;
	char line[160];

	if (sync_judged(p, &r, &keys, &n, &calls, &eb)) {
		p->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		say(p, false, eb.msg);
	} else {
		snprintf(line, sizeof(line),
		         P_("%zu of %zu keys needs a call.",
		            "%zu of %zu keys need a call.",
		            (unsigned long)calls),
		         calls, n);
		fprintf(p->fp, "<p class=\"calls\">");
		cb_web_esc(p->fp, line);
		fputs("</p>\n", p->fp);
		if (!limit || calls)
			sync_table(p, &r, keys, limit ? calls : n, limit);
		for (size_t i = 0; i < r.nnotes && !limit; i++) {
			fputs("<p>", p->fp);
			cb_web_esc(p->fp, r.notes[i]);
			fputs("</p>\n", p->fp);
		}
	}
	free(keys);
	cb_report_release(&r);
}

static void
page_sync(struct page *p)
{
	head(p, _("Sync health"));
	sync_health(p, 0);
	foot(p);
}

/* --- organisations ---------------------------------------------------- */

static void
crumbs(struct page *p, const struct cb_query_result *path)
{
	bool in = false;

	fputs("<nav class=\"crumbs\" aria-label=\"", p->fp);
	cb_web_esc(p->fp, _("Where"));
	fputs("\">", p->fp);
	for (size_t i = 0; i < path->nrows; i++) {
		const char *code = cb_query_text(path, i, 0);

		in = in || (code && !strcmp(code, p->root));
		if (!in)
			continue;
		fputs("<a href=\"" PREFIX "/org?code=", p->fp);
		cb_web_esc(p->fp, code);
		fputs("\">", p->fp);
		cb_web_esc(p->fp, cb_query_text(path, i, 1));
		fputs("</a> ", p->fp);
	}
	fputs("</nav>\n", p->fp);
}

/* What the account reads of the organisation code: its organisations
 * and cells, their members and cells, a chart of the members, and links
 * to its reports. */
static void
org_body(struct page *p, const char *code)
{
	struct cb_query_result kids = CB_QUERY_RESULT_INIT;
	const char *labels[BARS_MAX], *hrefs[BARS_MAX];
	char *links[BARS_MAX];
	long long values[BARS_MAX];
	struct cb_errbuf eb;
	FILE *fp = p->fp;
	size_t bars = 0;

	if (cb_query_ask(p->d->st, CB_QUERY_CHILDREN, code, NULL, &kids, &eb)) {
		p->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		say(p, false, eb.msg);
		return;
	}
	for (size_t i = 0; i < kids.nrows && bars < BARS_MAX; i++) {
		const char *level = cb_query_text(&kids, i, 2);
		size_t n = strlen(cb_query_text(&kids, i, 0)) + 32;

		if (!(links[bars] = malloc(n)))
			break;
		snprintf(links[bars], n, PREFIX "/%s?code=%s",
		         strcmp(level, "cell") ? "org" : "cell",
		         cb_query_text(&kids, i, 0));
		labels[bars] = cb_query_text(&kids, i, 1);
		hrefs[bars] = links[bars];
		values[bars] = atoll(cb_query_text(&kids, i, 5));
		bars++;
	}
	if (bars)
		cb_web_bars(fp, _("Members (probationary, official, exempt)"),
		            bars, labels, values, hrefs);
	fputs("<table><thead><tr>", fp);
	for (size_t c = 0; c < kids.ncols; c++) {
		fputs("<th scope=\"col\">", fp);
		cb_web_esc(fp, _(kids.cols[c].heading));
		fputs("</th>", fp);
	}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t i = 0; i < kids.nrows; i++) {
		fputs("<tr>", fp);
		for (size_t c = 0; c < kids.ncols; c++) {
			const char *v = cb_query_text(&kids, i, c);

			fputs(c >= 5 ? "<td class=\"n\">" : "<td>", fp);
			if (c == 0 && i < bars) {
				fputs("<a href=\"", fp);
				cb_web_esc(fp, links[i]);
				fputs("\">", fp);
				cb_web_esc(fp, v);
				fputs("</a>", fp);
			} else {
				cb_web_esc(fp, cb_words_show(kids.cols[c].name,
				                             v ? v : ""));
			}
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
	if (!kids.nrows)
		fprintf(fp, "<p>%s</p>\n",
		        _("Nothing under it has synced to this hub yet."));
	fputs("<ul class=\"actions\">", fp);
	for (int i = 0; cb_web_report_kinds[i][0]; i++) {
		fprintf(fp, "<li><a href=\"" PREFIX "/reports?kind=%s&amp;org=",
		        cb_web_report_kinds[i][0]);
		cb_web_esc(fp, code);
		fputs("\">", fp);
		cb_web_esc(fp, _(cb_web_report_kinds[i][1]));
		fputs("</a></li>", fp);
	}
	fputs("</ul>\n", fp);
	for (size_t i = 0; i < bars; i++)
		free(links[i]);
	cb_query_result_release(&kids);
}

static void
page_org(struct page *p)
{
	struct cb_query_result path = CB_QUERY_RESULT_INIT;
	const char *code = arg(p, "code");
	struct cb_errbuf eb;

	if (!code)
		code = p->root;
	if (within(p, code, &path, &eb)) {
		head(p, _("Organisation"));
		p->status = MHD_HTTP_NOT_FOUND;
		say(p, false, eb.msg);
	} else {
		head(p, cb_query_text(&path, path.nrows - 1, 1));
		crumbs(p, &path);
		org_body(p, code);
	}
	cb_query_result_release(&path);
	foot(p);
}

static void
page_cell(struct page *p)
{
	struct cb_query_result path = CB_QUERY_RESULT_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	const char *code = arg(p, "code");
	struct cb_errbuf eb;

	cb_err rc = code ? within(p, code, &path, &eb)
	                 : cb_error(&eb, CB_ENOTFOUND, _("give a cell's code"));

	if (!rc &&
	    (path.nrows < 2 || !cb_query_text(&path, path.nrows - 1, 2) ||
	     strcmp(cb_query_text(&path, path.nrows - 1, 2), "cell")))
		rc = cb_error(&eb, CB_ENOTFOUND, _("'%.64s' is not a cell"),
		              code);
	if (rc) {
		head(p, _("Cell"));
		p->status = MHD_HTTP_NOT_FOUND;
		say(p, false, eb.msg);
		cb_query_result_release(&path);
		foot(p);
		return;
	}
	head(p, cb_query_text(&path, path.nrows - 1, 1));
	crumbs(p, &path);
	f.cell = code;
	fprintf(p->fp, "<h2>%s</h2>\n", _("Members"));
	if (cb_query_ask(p->d->st, CB_QUERY_MEMBERS,
	                 cb_query_text(&path, path.nrows - 2, 0), &f, &r, &eb))
		say(p, false, eb.msg);
	else
		cb_web_rows(p->fp, &r, false, true, NULL);
	fprintf(p->fp, "<h2>%s</h2>\n", _("Meetings"));
	if (cb_query_ask(p->d->st, CB_QUERY_MEETINGS,
	                 cb_query_text(&path, path.nrows - 2, 0), &f, &r, &eb))
		say(p, false, eb.msg);
	else
		cb_web_rows(p->fp, &r, false, false, NULL);
	cb_query_result_release(&r);
	cb_query_result_release(&path);
	foot(p);
}

/* --- reports ---------------------------------------------------------- */

/* arg, for cb_web_report_form */
static const char *
page_arg(void *ctx, const char *name)
{
	return arg(ctx, name);
}

/* The report at the hub's latest signed checkpoint; one is signed when
 * the log has grown past it (under the serving lock, as a push signs). */
static cb_err
report_at_checkpoint(struct page *p, const struct cb_report_query *q,
                     struct cb_report *r, struct cb_errbuf *eb)
{
	cb_err rc;

	for (int tries = 0;; tries++) {
		rc = cb_report_run_at_checkpoint(p->d->st, q, r, eb);
		if (rc != CB_EAGAIN || tries == 5)
			return rc;
		pthread_mutex_lock(p->d->mu);
		rc = hub_log_checkpoint(p->d->lg, eb);
		pthread_mutex_unlock(p->d->mu);
		if (rc)
			return rc;
	}
}

static void
page_reports(struct page *p)
{
	struct cb_query_result path = CB_QUERY_RESULT_INIT;
	struct cb_report_query q = { 0 };
	struct cb_report r = { 0 };
	struct cb_errbuf eb;
	FILE *fp = p->fp;

	cb_web_report_query(&q, page_arg, p);
	q.root = arg(p, "org") ? arg(p, "org") : p->root;
	head(p, _("Reports"));
	cb_web_report_form(fp, page_arg, p, q.root);
	if (q.kind) {
		char *name = NULL;

		if (!strcmp(q.kind, "sync"))
			cb_error(&eb, CB_EINVAL,
			         _("the sync health has a page of its own"));
		if (!strcmp(q.kind, "sync") || within(p, q.root, &path, &eb) ||
		    report_at_checkpoint(p, &q, &r, &eb)) {
			p->status = 422;
			say(p, false, eb.msg);
		} else {
			if (cb_query_org_name(p->d->st, q.root, &name, &eb))
				name = NULL;
			cb_web_report(fp, &r, name);
		}
		free(name);
		cb_report_release(&r);
	}
	cb_query_result_release(&path);
	foot(p);
}

/* --- the audit's summary ---------------------------------------------- */

static cb_err
witnessed_row(void *ctx, const char *origin, uint64_t size,
              const uint8_t root[32], const char *note, struct cb_errbuf *eb)
{
	struct page *p = ctx;
	char hex[65];

	(void)note;
	(void)eb;
	cb_hex_encode(root, 32, hex);
	fputs("<tr><td>", p->fp);
	cb_web_esc(p->fp, origin);
	fprintf(p->fp,
	        "</td><td class=\"n\">%llu</td><td><span title=\"%s\">"
	        "%.16s…</span></td></tr>\n",
	        (unsigned long long)size, hex, hex);
	return CB_OK;
}

static void
page_audit(struct page *p)
{
	struct cb_store *st = p->d->st;
	struct cb_log *log = cb_store_log(st);
	struct cb_errbuf eb;
	uint8_t root[32];
	uint64_t size = 0;
	int64_t held = 0, wsize = 0;
	char *note = NULL, *wnote = NULL, hex[65], line[256];
	FILE *fp = p->fp;

	head(p, _("Audit"));
	if (cb_store_begin_read(st, &eb) ||
	    cb_tlog_checkpoint_latest(log, &size, root, &note, &eb) ||
	    cb_log_size(log, &held, &eb)) {
		say(p, false, eb.msg);
		cb_store_rollback(st);
		free(note);
		foot(p);
		return;
	}
	cb_hex_encode(root, 32, hex);
	fprintf(fp, "<h2>%s</h2>\n", _("The hub's signed checkpoint"));
	snprintf(line, sizeof(line),
	         _("The log holds %lld entries; the latest checkpoint the hub "
	           "signed covers %llu of them."),
	         (long long)held, (unsigned long long)size);
	say(p, (uint64_t)held == size, line);
	fprintf(fp, "<pre class=\"out\">");
	cb_web_esc(fp, note);
	fprintf(fp, "</pre>\n<p>%s <code>chibo-audit verify</code></p>\n",
	        _("An auditor checks the whole log against it, trusting no "
	          "hub:"));
	fprintf(fp, "<h2>%s</h2>\n", _("Cosigned by the higher hub"));
	if (cb_store_meta_get(st, "witnessed", &wnote, NULL) == CB_OK &&
	    cb_sync_state_get_num(st, CB_SYNC_WITNESS_SIZE, &wsize, &eb) ==
	            CB_OK &&
	    wsize > 0) {
		snprintf(line, sizeof(line),
		         _("Its witness cosigned this hub's checkpoint of size "
		           "%lld."),
		         (long long)wsize);
		say(p, true, line);
		fprintf(fp, "<pre class=\"out\">");
		cb_web_esc(fp, wnote);
		fputs("</pre>\n", fp);
	} else {
		fprintf(fp, "<p>%s</p>\n",
		        _("None: this hub syncs with no higher hub, or its "
		          "witness has cosigned nothing yet."));
	}
	fprintf(fp,
	        "<h2>%s</h2>\n<table><thead><tr><th scope=\"col\">%s</th>"
	        "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
	        "</thead><tbody>\n",
	        _("The logs of lower hubs this hub cosigned, as their witness"),
	        _("LOG"), _("SIZE"), _("ROOT"));
	if (cb_witness_each(st, witnessed_row, p, &eb))
		say(p, false, eb.msg);
	fputs("</tbody></table>\n", fp);
	cb_store_rollback(st);
	free(note);
	free(wnote);
	foot(p);
}

static void
page_overview(struct page *p)
{
	struct cb_query_result path = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;

	head(p, p->root_name ? p->root_name : p->root);
	fprintf(p->fp, "<h2>%s</h2>\n", _("Offices that need a call"));
	sync_health(p, CALLS_ON_OVERVIEW);
	fprintf(p->fp, "<p><a href=\"" PREFIX "/sync\">%s</a></p>\n",
	        _("The sync health of every office"));
	fprintf(p->fp, "<h2>%s</h2>\n", _("Organisations"));
	if (within(p, p->root, &path, &eb))
		fprintf(p->fp, "<p>%s</p>\n",
		        _("Nothing under it has synced to this hub yet."));
	else
		org_body(p, p->root);
	cb_query_result_release(&path);
	foot(p);
}

/* --- signing in and out ----------------------------------------------- */

/* A refusal in one line, the page dropped. */
static enum MHD_Result
refused(struct page *p, unsigned status, const char *msg)
{
	if (p->fp)
		fclose(p->fp);
	free(p->html);
	p->fp = NULL;
	p->html = NULL;
	p->status = status;
	return cb_web_refuse(p->c, status, msg);
}

/* Drop the page begun, and send the browser to location. */
static enum MHD_Result
redirect(struct page *p, const char *location, const char *cookie,
         const char *cookie2)
{
	if (p->fp)
		fclose(p->fp);
	free(p->html);
	p->fp = NULL;
	p->html = NULL;
	p->status = MHD_HTTP_SEE_OTHER;
	return cb_web_redirect(p->c, location, cookie, cookie2);
}

static void
page_login(struct page *p, const char *token, const char *name, const char *msg)
{
	FILE *fp = p->fp;

	head(p, _("Sign in"));
	if (msg)
		say(p, false, msg);
	fprintf(fp,
	        "<form method=\"post\" action=\"" PREFIX "/login\" "
	        "class=\"op\"><input type=\"hidden\" name=\"csrf\" "
	        "value=\"%s\"><label for=\"f-name\">%s</label><input "
	        "type=\"text\" id=\"f-name\" name=\"name\" "
	        "autocomplete=\"username\" autofocus value=\"",
	        token, _("Account"));
	cb_web_esc(fp, name);
	fprintf(fp,
	        "\"><label for=\"f-password\">%s</label><input "
	        "type=\"password\" id=\"f-password\" name=\"password\" "
	        "autocomplete=\"current-password\"><span></span><div><button "
	        "type=\"submit\">%s</button></div></form>\n<p class=\"hint\">"
	        "%s</p>\n",
	        _("Password"), _("Sign in"),
	        _("An account is given by the hub's administrator: "
	          "'chibo-hub account add NAME'."));
	foot(p);
}

/* The page p wrote, answered with its status, and the cookies. */
static enum MHD_Result
send_page(struct page *p, const char *cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (fclose(p->fp)) {
		p->fp = NULL;
		free(p->html);
		p->html = NULL;
		return MHD_NO;
	}
	p->fp = NULL;
	resp = MHD_create_response_from_buffer(p->len, p->html,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(p->html);
		p->html = NULL;
		return MHD_NO;
	}
	p->html = NULL; /* the response's */
	cb_web_headers(resp, "text/html; charset=utf-8");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	r = MHD_queue_response(p->c, p->status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The sign-in form, with a fresh token in it and in its cookie (the
 * form must come back with both: a page of another site cannot post
 * it). */
static enum MHD_Result
login_form(struct page *p, unsigned status, const char *name, const char *msg)
{
	char token[CB_WEB_SECRET_HEX], cookie[192];

	cb_web_secret(token);
	snprintf(cookie, sizeof(cookie),
	         LOGIN_COOKIE "=%s; Path=" PREFIX
	                      "/; Secure; HttpOnly; SameSite=Strict; "
	                      "Max-Age=3600",
	         token);
	p->status = status;
	page_login(p, token, name, msg);
	return send_page(p, cookie);
}

static enum MHD_Result
sign_in(struct page *p, const struct cb_form *f, char note[64])
{
	struct hub_dash *d = p->d;
	const char *given = cb_form_get(f, "name");
	const char *pass = cb_form_get(f, "password");
	char name[CB_ACCOUNT_NAME_MAX + 1] = "", addr[INET6_ADDRSTRLEN];
	char hash[CB_PWHASH_STR_BYTES], sid[CB_SESSION_HEX],
		csrf[CB_SESSION_HEX], cookie[192], when[CB_TIME_MAX],
		msg[CB_ERRBUF_SIZE];
	struct cb_account a;
	struct cb_errbuf eb;
	bool ok = false;
	cb_err rc = CB_ENOTFOUND;

	client_addr(p->c, addr);
	if (addr_blocked(d, addr, false))
		return login_form(p, 429, given,
		                  _("too many failed sign-ins from this "
		                    "address: try again in a quarter of an "
		                    "hour"));
	/* names are small letters: a capital typed is forgiven */
	for (size_t i = 0; given && given[i] && i < CB_ACCOUNT_NAME_MAX; i++) {
		name[i] = (char)tolower((unsigned char)given[i]);
		name[i + 1] = 0;
	}
	if (given && strlen(given) <= CB_ACCOUNT_NAME_MAX &&
	    !cb_account_name_check(name, NULL)) {
		pthread_mutex_lock(&d->st_mu);
		rc = cb_account_attempt(d->st, name, cb_now_ms(), &d->pol, &a,
		                        hash, &eb);
		pthread_mutex_unlock(&d->st_mu);
	}
	if (rc == CB_EAGAIN) {
		addr_blocked(d, addr, true);
		cb_time_show(a.locked_ms, when);
		snprintf(msg, sizeof(msg),
		         _("this account is locked after %d failed sign-ins, "
		           "until %s (UTC+7); the hub's administrator can "
		           "unlock it: 'chibo-hub account unlock %s'"),
		         (int)d->pol.failures_max, when, name);
		snprintf(note, 64, "locked %.40s", name);
		return login_form(p, MHD_HTTP_FORBIDDEN, given, msg);
	}
	if (rc && rc != CB_ENOTFOUND) {
		snprintf(note, 64, "sign-in failed");
		return login_form(p, MHD_HTTP_INTERNAL_SERVER_ERROR, given,
		                  eb.msg);
	}
	if (rc == CB_ENOTFOUND) {
		/* as long as a wrong password takes */
		pthread_mutex_lock(&d->addr_mu);
		if (!d->dummy[0] &&
		    cb_pwhash_str("-", 1, &cb_pwhash_default, d->dummy, NULL))
			d->dummy[0] = 0;
		pthread_mutex_unlock(&d->addr_mu);
		if (cb_pwhash_str_verify(d->dummy, pass ? pass : "",
		                         pass ? strlen(pass) : 0)) {
			/* no password is right for nobody */
		}
	} else {
		ok = pass && cb_pwhash_str_verify(hash, pass, strlen(pass));
		sodium_memzero(hash, sizeof(hash));
	}
	if (!ok) {
		addr_blocked(d, addr, true);
		snprintf(note, 64, "wrong password %.40s", name);
		return login_form(p, MHD_HTTP_FORBIDDEN, given,
		                  _("wrong account name or password"));
	}
	pthread_mutex_lock(&d->st_mu);
	rc = cb_account_signed_in(d->st, name, cb_now_ms(), &d->pol, sid, csrf,
	                          &eb);
	pthread_mutex_unlock(&d->st_mu);
	if (rc)
		return login_form(p, MHD_HTTP_INTERNAL_SERVER_ERROR, given,
		                  rc == CB_ENOTFOUND
		                          ? _("wrong account name or password")
		                          : eb.msg);
	snprintf(note, 64, "signed in %.40s", name);
	snprintf(cookie, sizeof(cookie),
	         COOKIE "=%s; Path=" PREFIX "/; Secure; HttpOnly; "
	                "SameSite=Strict; Max-Age=%lld",
	         sid, (long long)(d->pol.session_ms / 1000));
	sodium_memzero(sid, sizeof(sid));
	return redirect(p, PREFIX "/", cookie,
	                LOGIN_COOKIE "=; Path=" PREFIX "/; Secure; HttpOnly; "
	                             "SameSite=Strict; Max-Age=0");
}

/* --- the request ------------------------------------------------------ */

/* Origin, when the browser sends one, must be this hub as the request
 * named it. */
static bool
origin_ok(struct MHD_Connection *c, const char *authority)
{
	const char *o =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	char norm[CB_HTTPSIG_AUTHORITY_MAX + 1];

	if (!o)
		return true;
	return !strncmp(o, "https://", 8) &&
	       !cb_httpsig_authority(o + 8, norm, NULL) &&
	       !strcmp(norm, authority);
}

static enum MHD_Result
route(struct page *p, const char *url, bool post, const struct cb_form *f,
      char note[64])
{
	const char *sid =
		MHD_lookup_connection_value(p->c, MHD_COOKIE_KIND, COOKIE);
	const char *token = MHD_lookup_connection_value(p->c, MHD_COOKIE_KIND,
	                                                LOGIN_COOKIE);
	struct cb_session ses;
	struct cb_errbuf eb;
	cb_err rc;

	if (!strcmp(url, PREFIX "/login")) {
		if (!post)
			return login_form(p, MHD_HTTP_OK, NULL, NULL);
		if (!token ||
		    !cb_web_same_secret(cb_form_get(f, "csrf"), token))
			return refused(p, MHD_HTTP_FORBIDDEN,
			               _("forbidden: the form's token is "
			                 "missing or wrong; reload the sign-in "
			                 "page and try again"));
		return sign_in(p, f, note);
	}
	pthread_mutex_lock(&p->d->st_mu);
	rc = sid ? cb_session_find(p->d->st, sid, cb_now_ms(), &ses, &eb)
	         : CB_ENOTFOUND;
	pthread_mutex_unlock(&p->d->st_mu);
	if (rc == CB_ENOTFOUND && post)
		return refused(p, MHD_HTTP_FORBIDDEN,
		               _("forbidden: not signed in"));
	if (rc == CB_ENOTFOUND)
		return redirect(p, PREFIX "/login", NULL, NULL);
	if (rc)
		return refused(p, MHD_HTTP_SERVICE_UNAVAILABLE, eb.msg);
	p->ses = &ses;
	snprintf(note, 64, "account=%.40s", ses.account.name);
	if (post) {
		if (strcmp(url, PREFIX "/logout"))
			return refused(p, MHD_HTTP_METHOD_NOT_ALLOWED,
			               _("this page takes no form"));
		if (!cb_web_same_secret(cb_form_get(f, "csrf"), ses.csrf))
			return refused(
				p, MHD_HTTP_FORBIDDEN,
				_("forbidden: the form's token is "
			          "missing or wrong; reload the page and "
			          "try again"));
		pthread_mutex_lock(&p->d->st_mu);
		rc = cb_session_end(p->d->st, sid, &eb);
		pthread_mutex_unlock(&p->d->st_mu);
		if (rc)
			return refused(p, MHD_HTTP_SERVICE_UNAVAILABLE, eb.msg);
		return redirect(p, PREFIX "/login",
		                COOKIE "=; Path=" PREFIX "/; Secure; HttpOnly; "
		                       "SameSite=Strict; Max-Age=0",
		                NULL);
	}
	p->root = *ses.account.org ? ses.account.org : p->d->lg->org;
	p->status = MHD_HTTP_OK;
	pthread_mutex_lock(&p->d->st_mu);
	if (cb_query_org_name(p->d->st, p->root, &p->root_name, &eb))
		p->root_name = NULL;
	if (!strcmp(url, PREFIX "/"))
		page_overview(p);
	else if (!strcmp(url, PREFIX "/sync"))
		page_sync(p);
	else if (!strcmp(url, PREFIX "/reports"))
		page_reports(p);
	else if (!strcmp(url, PREFIX "/org"))
		page_org(p);
	else if (!strcmp(url, PREFIX "/cell"))
		page_cell(p);
	else if (!strcmp(url, PREFIX "/audit"))
		page_audit(p);
	else
		p->status = 0;
	pthread_mutex_unlock(&p->d->st_mu);
	free(p->root_name);
	p->root_name = NULL;
	if (!p->status)
		return refused(p, MHD_HTTP_NOT_FOUND, _("no such page"));
	return send_page(p, NULL);
}

enum MHD_Result
hub_dash_serve(struct hub_dash *d, struct MHD_Connection *c, const char *url,
               const char *method, const char *authority, const char *body,
               size_t len, int *status, char note[64])
{
	struct page p = { .d = d, .c = c, .status = MHD_HTTP_OK };
	struct cb_form form = CB_FORM_INIT;
	struct cb_errbuf eb;
	bool post = !strcmp(method, "POST");
	enum MHD_Result r;

	note[0] = 0;
	if (!post && strcmp(method, "GET") && strcmp(method, "HEAD")) {
		*status = MHD_HTTP_METHOD_NOT_ALLOWED;
		return cb_web_refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                     _("only GET and POST are served"));
	}
	if (!strcmp(url, PREFIX)) {
		*status = MHD_HTTP_SEE_OTHER;
		return cb_web_redirect(c, PREFIX "/", NULL, NULL);
	}
	if (!post)
		for (size_t i = 0; i < dash_assets_count; i++)
			if (!strcmp(url + strlen(PREFIX),
			            dash_assets[i].path)) {
				*status = MHD_HTTP_OK;
				return cb_web_answer(c, MHD_HTTP_OK,
				                     "text/css; charset=utf-8",
				                     dash_assets[i].bytes,
				                     dash_assets[i].len,
				                     MHD_RESPMEM_PERSISTENT);
			}
	if (post && !origin_ok(c, authority)) {
		*status = MHD_HTTP_FORBIDDEN;
		return cb_web_refuse(c, MHD_HTTP_FORBIDDEN,
		                     _("forbidden: the form comes from another "
		                       "site"));
	}
	if (post && cb_form_parse(body ? body : "", len, &form, &eb)) {
		*status = MHD_HTTP_BAD_REQUEST;
		return cb_web_refuse(c, MHD_HTTP_BAD_REQUEST, eb.msg);
	}
	if (!(p.fp = open_memstream(&p.html, &p.len))) {
		cb_form_release(&form);
		return MHD_NO;
	}
	r = route(&p, url, post, &form, note);
	cb_form_release(&form);
	*status = (int)p.status;
	return r;
}
