// SPDX-License-Identifier: MIT
// district.js — the district's staff in the hub's dashboard, in Debian's
// Chromium (headless) driven by puppeteer-core, over the hub's own HTTPS
// (its TLS key pinned: --ignore-certificate-errors-spki-list): an
// address opened without signing in lands on the sign-in page; a wrong
// password is refused; five failed sign-ins lock an account, whose right
// password is then refused too; the right one signs in with a Secure,
// HttpOnly, SameSite=Strict cookie; the sync health lists every commune,
// those that need a call on top (a revoked key still used, then one that
// never synced); the membership report's table is
// the one 'chibo-hub report membership' prints; the chart is an SVG the
// hub drew; drill-down from the district to a commune to a cell and its
// members; the audit page shows the signed checkpoint; a form posted
// without its token is refused; signing out ends the session. Run by
// tests/cli/dash_browser.sh:
//   node district.js URL   (env: SHOTS, CHROMIUM, SPKI, ACCOUNT, PASSWORD,
//   LOCKED, LOCKED_PASSWORD, REPORT (the CLI's text), COMMUNES, REVOKED,
//   NEVER, CELL, CELL_MEMBERS)
// Prints "ok: …" per check and "FAIL: …" per failure; exits 1 on any.
"use strict";
const path = require("path");

const base = process.argv[2];
const shots = process.env.SHOTS;
const lib = require("./lib.js");
const { ok, bad, check, shot, text, done, crashed } = lib;


function visit(page, href) { return lib.visit(page, base, href); }

async function signIn(page, name, password) {
	await page.goto(base + "/dashboard/login", { waitUntil: "load" });
	await page.$eval("#f-name", (e) => { e.value = ""; });
	await page.type("#f-name", name);
	await page.type("#f-password", password);
	const [resp] = await Promise.all([
		page.waitForNavigation({ waitUntil: "load" }),
		page.click("form.op button[type=submit]"),
	]);
	return resp;
}

// The rows of the table matched by sel, each its cells' texts joined by
// one space (as the command line's table reads with its runs of spaces
// squeezed).
async function rows(page, sel) {
	return page.$$eval(sel + " tbody tr", (trs) => trs.map((tr) =>
		Array.from(tr.querySelectorAll("td")).map((td) => td.textContent.trim()).join(" ")));
}

async function main() {
	const browser = await lib.launch(["--ignore-certificate-errors-spki-list=" + process.env.SPKI]);
	const page = await browser.newPage();
	page.setDefaultTimeout(60000);
	page.on("pageerror", (e) => bad("a script error in the page: " + e.message));

	// Not signed in: every page sends the browser to the sign-in form.
	let resp = await page.goto(base + "/dashboard/sync", { waitUntil: "load" });
	check(page.url() === base + "/dashboard/login",
		"a page asked without signing in lands on the sign-in form", page.url());
	check(resp.status() === 200 && (await page.$("#f-password")), "the form asks a password");
	check((await page.$eval("html", (e) => e.lang)) === "vi", "the dashboard is in Vietnamese");
	check(!(await page.$("nav")), "and shows nothing of the hub");
	await shot(page, "01-sign-in");

	// A wrong password.
	resp = await signIn(page, process.env.ACCOUNT, "không phải mật khẩu");
	check(resp.status() === 403 && page.url() === base + "/dashboard/login",
		"a wrong password is refused", resp.status() + " " + page.url());
	const wrong = await text(page, ".error[role=alert]");
	check(wrong && wrong.length > 0, "and said so", wrong);
	await shot(page, "02-wrong-password");
	let cookies = await page.cookies();
	check(!cookies.find((k) => k.name === "chibo_dash"), "no session for it");

	// Five failures lock an account; then its right password is refused.
	for (let i = 1; i <= 5; i++) {
		resp = await signIn(page, process.env.LOCKED, "sai lần " + i);
		check(resp.status() === 403, "failed sign-in " + i + " of " + process.env.LOCKED);
	}
	resp = await signIn(page, process.env.LOCKED, process.env.LOCKED_PASSWORD);
	const locked = await text(page, ".error[role=alert]");
	check(resp.status() === 403 && page.url() === base + "/dashboard/login" &&
		locked && locked.includes("chibo-hub account unlock " + process.env.LOCKED),
		"locked: the right password is refused too, and the unlock command named", locked);
	await shot(page, "03-locked");

	// The right password.
	resp = await signIn(page, process.env.ACCOUNT, process.env.PASSWORD);
	check(resp.status() === 200 && page.url() === base + "/dashboard/",
		"the right password signs in, to the overview", resp.status() + " " + page.url());
	cookies = await page.cookies();
	const c = cookies.find((k) => k.name === "chibo_dash");
	check(c && c.secure && c.httpOnly && c.sameSite === "Strict" && /^[0-9a-f]{64}$/.test(c.value),
		"its cookie is 32 random bytes, Secure, HttpOnly and SameSite=Strict", JSON.stringify(c));
	check((await text(page, "header form.signout span")) === process.env.ACCOUNT,
		"the header names the account");
	// the overview: the commune that never synced, and the chart
	const calls = await rows(page, "table.sync");
	check(calls.length === 2 && calls[0].includes(process.env.REVOKED) &&
		calls[1].includes(process.env.NEVER),
		"the overview lists the communes that need a call: the stolen key at work first, " +
		"then the one that never synced", JSON.stringify(calls));
	const bars = await page.$$eval("figure.chart svg g.bar", (g) => g.length);
	const svgTitle = await page.$eval("figure.chart svg title", (t) => t.textContent);
	check(bars >= 2 && svgTitle.length > 0, "an SVG chart of the members, drawn by the hub", bars + " bars");
	check(await page.$eval("figure.chart svg", (s) => s.namespaceURI === "http://www.w3.org/2000/svg"),
		"inline SVG, no image fetched");
	await shot(page, "04-overview");

	// Sync health: every commune, the one that needs a call on top.
	await visit(page, "/dashboard/sync");
	const health = await rows(page, "table.sync");
	const communes = process.env.COMMUNES.split(" ");
	for (const code of communes)
		check(health.some((r) => r.includes(code)), "the sync health lists commune " + code);
	const marked = await page.$$eval("table.sync tbody tr", (trs) => trs.map((tr) => tr.className));
	check(health[0].includes(process.env.REVOKED) && health[1].includes(process.env.NEVER) &&
		marked.join(",") === "call,call," + Array(marked.length - 2).fill("").join(","),
		"those that need a call are on top, marked", JSON.stringify(health) + " " + marked);
	await shot(page, "05-sync-health");

	// The membership report: the command line's table, row by row.
	await visit(page, "/dashboard/reports?kind=membership");
	const shown = await rows(page, "table.report");
	const cli = process.env.REPORT.split("\n").map((l) => l.trim().replace(/\s{2,}/g, " "));
	const start = cli.findIndex((l) => l === shown[0]);
	check(shown.length > 10 && start > 0 &&
		shown.every((r, i) => cli[start + i] === r),
		"the membership report's rows are those of 'chibo-hub report membership'",
		JSON.stringify(shown.slice(0, 3)) + " vs " + JSON.stringify(cli.slice(0, 6)));
	const stated = await page.$$eval("main > p", (ps) => ps.map((p) => p.textContent).join("\n"));
	check(/chibo\/hub\/BG\.LG/.test(stated), "stated at the hub's signed checkpoint", stated);
	await shot(page, "06-report");
	await page.pdf({ path: path.join(shots, "06-report.pdf"), format: "A4" });
	check((await lib.printed(page, ".printhead")) !== "none",
		"printed, the report is headed as the Party's papers are");
	check((await lib.printed(page, "header")) === "none", "without the menu");
	// a report asked wrong: said, in one line
	resp = await visit(page, "/dashboard/reports?kind=ratings");
	check(resp.status() === 422 && (await text(page, ".error[role=alert]")),
		"a report without its options is refused, in words", await text(page, ".error[role=alert]"));

	// Drill-down: the district, a commune, a cell and its members.
	await visit(page, "/dashboard/");
	await Promise.all([page.waitForNavigation(),
		page.click(`table a[href="/dashboard/org?code=${communes[0]}"]`)]);
	check((await page.$$eval("nav.crumbs a", (a) => a.length)) === 2,
		"a commune's page, under the district", page.url());
	const cellLink = `a[href="/dashboard/cell?code=${process.env.CELL}"]`;
	check(await page.$(cellLink), "it lists its cell");
	await shot(page, "07-commune");
	await Promise.all([page.waitForNavigation(), page.click("table " + cellLink)]);
	const members = await rows(page, "main table");
	check(members.length === Number(process.env.CELL_MEMBERS),
		"the cell's page lists its members", members.length + " rows");
	await shot(page, "08-cell");
	// what the account does not read is not shown
	resp = await visit(page, "/dashboard/org?code=ZZ.NOWHERE");
	check(resp.status() === 404, "an organisation outside the account's tree: 404");

	// The audit's summary.
	await visit(page, "/dashboard/audit");
	const note = await text(page, "pre.out");
	check(note && note.startsWith("chibo/hub/BG.LG\n"), "the audit page shows the signed checkpoint", note);
	await shot(page, "09-audit");

	// A form posted from another page, without the token: refused.
	// (a form the page's script could not make: the CSP allows no
	// script, and no fetch; the test writes it into the page)
	await page.evaluate(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/dashboard/logout";
		const i = document.createElement("input");
		i.type = "hidden";
		i.name = "x";
		i.value = "1";
		f.appendChild(i);
		f.id = "forged";
		document.body.appendChild(f);
	});
	[resp] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }),
		page.$eval("#forged", (f) => f.submit())]);
	check(resp.status() === 403, "a POST without the form's token is refused", String(resp.status()));
	resp = await visit(page, "/dashboard/sync");
	check(page.url() === base + "/dashboard/sync", "and the session goes on");

	// Signing out.
	await Promise.all([page.waitForNavigation(), page.click("header form.signout button")]);
	check(page.url() === base + "/dashboard/login", "signing out leads to the sign-in form");
	await page.goto(base + "/dashboard/", { waitUntil: "load" });
	check(page.url() === base + "/dashboard/login", "and the pages are closed again");

	await browser.close();
	done();
}

main().catch(crashed);
