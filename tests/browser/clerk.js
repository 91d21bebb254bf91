// SPDX-License-Identifier: MIT
// clerk.js — a commune clerk's session in 'chibo-agent ui', in Debian's
// Chromium (headless), driven by puppeteer-core: add a cell and members,
// search without diacritics, open a member's page, record a meeting by
// ticking attendance, sync, read the report, verify; a refusal shown in
// the command line's words; a form posted from another page (no CSRF
// token) refused. Run by tests/cli/ui_browser.sh, which starts the hub and
// the interface and checks the replica afterwards:
//   node clerk.js URL   (env: CHIBO_AGENT, CHIBO_REPLICA, SHOTS, CHROMIUM)
// Prints "ok: …" per check and "FAIL: …" per failure; exits 1 on any.
"use strict";
const http = require("http");
const { execFileSync } = require("child_process");
const path = require("path");
const fs = require("fs");
const os = require("os");

const url = process.argv[2];
const base = new URL(url).origin;
const shots = process.env.SHOTS;
const lib = require("./lib.js");
const { ok, bad, check, shot, text, done, crashed } = lib;

// What the command line says to the same input: its one line of error,
// without "chibo-agent: error: ".
function cliRefusal(args) {
	try {
		execFileSync(process.env.CHIBO_AGENT,
			["-R", process.env.CHIBO_REPLICA, ...args],
			{ stdio: ["ignore", "pipe", "pipe"] });
	} catch (e) {
		return e.stderr.toString().trim().replace(/^chibo-agent: (error|lỗi): /, "");
	}
	return null;
}


function visit(page, href) { return lib.visit(page, base, href); }

// Type into the form's field of this name, replacing what it holds; a
// list (a cell, a member) is chosen from: the option whose value is
// value, ends in "." + value (a cell's short code), or whose label holds
// it (a member's name).
async function fill(page, name, value) {
	const sel = `[name="${name}"]`;
	const chosen = await page.$eval(sel, (e, v) => {
		if (e.tagName !== "SELECT") return null;
		const o = [...e.options].find((x) => x.value && (x.value === v ||
			x.value.endsWith("." + v) || x.textContent.includes(v)));
		return o ? o.value : "";
	}, value);
	if (chosen !== null) {
		check(chosen !== "", `'${value}' is in the list of ${name}`);
		await page.select(sel, chosen);
		return;
	}
	await page.$eval(sel, (e) => { e.value = ""; });
	await page.type(sel, value);
}

// Submit the form the button is in and wait for the page it answers.
async function submit(page, sel = "form.op button[type=submit]") {
	const [resp] = await Promise.all([
		page.waitForNavigation({ waitUntil: "load" }),
		page.click(sel),
	]);
	return resp;
}

async function main() {
	const browser = await lib.launch();
	const page = await browser.newPage();
	page.setDefaultTimeout(60000);
	page.on("pageerror", (e) => bad("a script error in the page: " + e.message));
	page.on("console", (m) => { if (m.type() === "error") console.log("console: " + m.text()); });

	// The printed address signs the browser in and leaves the token.
	let resp = await page.goto(url, { waitUntil: "load" });
	check(resp.status() === 200 && page.url() === base + "/",
		"the address with the token lands on the home page", page.url());
	check((await text(page, "header .org")) === process.env.ORG_NAME,
		"the header names the organisation", await text(page, "header .org"));
	check((await page.$eval("html", (e) => e.lang)) === "vi", "the page is in Vietnamese");
	const cookies = await page.cookies();
	const c = cookies.find((k) => k.name === "chibo_ui");
	check(c && c.httpOnly && c.sameSite === "Strict",
		"the session cookie is HttpOnly and SameSite=Strict", JSON.stringify(c));
	await shot(page, "01-home");

	// A cell, through the form the cells page links to.
	await visit(page, "/cells");
	await Promise.all([page.waitForNavigation(), page.click('a[href="/op/cell/create"]')]);
	await fill(page, "code", "01");
	await fill(page, "name", "Chi bộ thôn Đông");
	await fill(page, "kind", "thôn");
	resp = await submit(page);
	check(resp.status() === 200 && (await page.$(".ok[role=status]")),
		"the cell is created", await text(page, "[role=alert]"));

	// Members; one refused first, in the command line's words.
	const members = [
		["Nguyễn Thị Hoa", "01/02/1980", "nữ", "C001"],
		["Nguyễn Văn Hùng", "5/6/1975", "nam", "C002"],
		["Trần Văn Nam", "1980-12-31", "nam", "C003"],
	];
	await visit(page, "/op/member/add");
	await fill(page, "name", "Lê Văn Sai");
	await fill(page, "birth", "31/02/1980");
	await fill(page, "sex", "nam");
	await fill(page, "card", "C999");
	await fill(page, "admitted", "2005-01-01");
	await fill(page, "cell", "01");
	resp = await submit(page);
	const cli = cliRefusal(["member", "add", "--name", "Lê Văn Sai", "--birth", "31/02/1980",
		"--sex", "nam", "--card", "C999", "--admitted", "2005-01-01", "--cell", "01"]);
	const shown = await text(page, ".error[role=alert]");
	check(resp.status() === 422 && cli && shown === cli,
		"a bad date is refused in the command line's words", `page '${shown}', cli '${cli}'`);
	check((await page.$eval('[name="name"]', (e) => e.value)) === "Lê Văn Sai",
		"the refused form keeps what was typed");
	await shot(page, "02-refusal");
	for (const [name, birth, sex, card] of members) {
		await visit(page, "/op/member/add");
		await fill(page, "name", name);
		await fill(page, "birth", birth);
		await fill(page, "sex", sex);
		await fill(page, "card", card);
		await fill(page, "admitted", "2005-01-01");
		await fill(page, "cell", "01");
		resp = await submit(page);
		check(resp.status() === 200 && (await text(page, ".ok[role=status]") || "").includes(name),
			"member " + name + " is added", await text(page, "[role=alert]"));
	}

	// Search without diacritics.
	await visit(page, "/members");
	await page.type("#s-name", "nguyen");
	await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
	const found = await page.$$eval("main table tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
	check(found.length === 2 && found.every((n) => n.startsWith("Nguyễn")),
		"'nguyen' finds the two Nguyễn and not Trần", JSON.stringify(found));
	await shot(page, "03-search");

	// The member's page, from the list.
	await Promise.all([page.waitForNavigation(), page.click("main table tbody tr a")]);
	const body = await text(page, "main");
	check(page.url().includes("/member?id=") && body.includes("Nguyễn") && body.includes("26734.01"),
		"the member's page shows the member and the cell over time");
	const memberPage = new URL(page.url()).pathname + new URL(page.url()).search;
	await shot(page, "04-member");

	// A meeting: the cell and the day, then the checklist of who the cell
	// held that day, ticked by keyboard and mouse.
	await visit(page, "/meetings");
	await Promise.all([page.waitForNavigation(), page.click('a[href="/op/meeting/record"]')]);
	await fill(page, "cell", "01");
	await fill(page, "date", "45/03/2026");
	await submit(page);
	check(await page.$(".error[role=alert]"), "a day that does not exist is refused for the checklist",
		await text(page, "main"));
	await fill(page, "date", "15/03/2026");
	await submit(page);
	const rows = await page.$$("table.att tbody tr");
	check(rows.length === 3, "the checklist lists the cell's three members", String(rows.length));
	const trName = await page.$$eval("table.att tbody th", (ths) => ths.map((t) => t.textContent));
	const tran = trName.indexOf("Trần Văn Nam");
	// Trần Văn Nam is excused: his row's second mark
	await page.click(`table.att tbody tr:nth-child(${tran + 1}) input[value=excused]`);
	await fill(page, "kind", "thường kỳ");
	await fill(page, "duration", "90");
	await fill(page, "content", "Triển khai nghị quyết tháng 3");
	await shot(page, "05-attendance");
	resp = await submit(page);
	check(resp.status() === 200 && (await page.$(".ok[role=status]")),
		"the meeting is recorded", await text(page, "[role=alert]"));
	await visit(page, "/meetings");
	const mrow = await text(page, "main table tbody tr");
	check(mrow && mrow.includes("2026-03-15") && mrow.includes("2/3"),
		"the meetings list shows it, two present of three", mrow);

	// The meeting is in the member's history, after the addition.
	await visit(page, memberPage);
	const hist = await page.$$eval("main table:last-of-type tbody tr", (trs) => trs.map((t) => t.textContent));
	check(hist.length === 2 && hist[1].includes("2026") && hist[1].includes("26734"),
		"the member's history holds the addition and the meeting", JSON.stringify(hist));

	// A rating, from the member's page: the form comes with the member.
	await Promise.all([page.waitForNavigation(), page.click('a[href^="/op/rate?member="]')]);
	check((await page.$eval('[name="member"]', (e) => e.value)).length === 64,
		"the rating form names the member");
	await fill(page, "period", "2025");
	await fill(page, "level", "tốt");
	await fill(page, "score", "84");
	await fill(page, "stage", "tự đánh giá");
	resp = await submit(page);
	check(resp.status() === 200 && (await page.$(".ok[role=status]")),
		"the member's self-assessment is recorded", await text(page, "[role=alert]"));
	await visit(page, "/ratings");
	const rrow = await text(page, "main table tbody tr");
	check(rrow && rrow.includes("2025") && rrow.includes("84"), "the ratings list shows it", rrow);

	// A release to another commune, from the transfers page.
	await visit(page, "/transfers");
	await Promise.all([page.waitForNavigation(), page.click('a[href="/op/member/release"]')]);
	check(await page.$eval('[name="pos"]', (e) => e.tagName === "SELECT"),
		"the member is chosen from a list of the replica's members");
	await fill(page, "pos", "Trần Văn Nam");
	await fill(page, "to", "07299");
	await fill(page, "letter", "12-GGT/ĐU");
	await fill(page, "letter-date", "20/03/2026");
	await fill(page, "on", "20/03/2026");
	resp = await submit(page);
	check(resp.status() === 200 && (await page.$(".ok[role=status]")),
		"Trần Văn Nam is released to 07299", await text(page, "[role=alert]"));
	await visit(page, "/transfers");
	const trow = await text(page, "main table tbody tr");
	check(trow && trow.includes("07299") && trow.includes("12-GGT/ĐU"),
		"the transfers list shows him in transit", trow);

	// A member list from a spreadsheet: shown row by row first, a bad
	// row refused in the words of 'import-members --dry-run', nothing
	// written; then a good file, confirmed.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chibo-import-"));
	const badCsv = path.join(dir, "xa-a.csv");
	fs.writeFileSync(badCsv, "Họ và tên;Ngày sinh;Giới tính;Số thẻ đảng;Ngày vào Đảng;Chi bộ\n" +
		"Phạm Thị Lan;02/03/1990;Nữ;C101;01/01/2015;01\n" +
		"Võ Văn Sai;30/02/1991;Nam;C102;01/01/2015;01\n");
	const goodCsv = path.join(dir, "xa-a-sua.csv");
	fs.writeFileSync(goodCsv, "Họ và tên;Ngày sinh;Giới tính;Số thẻ đảng;Ngày vào Đảng;Chi bộ\n" +
		"Phạm Thị Lan;02/03/1990;Nữ;C101;01/01/2015;01\n" +
		"Võ Văn Đúng;28/02/1991;Nam;C102;01/01/2015;01\n");
	await visit(page, "/import");
	await (await page.$("#f-file")).uploadFile(badCsv);
	resp = await submit(page);
	const cliLine = cliRefusal(["import-members", "--dry-run", badCsv]);
	const why = await page.$$eval("table.preview tbody tr.bad td:last-child", (t) => t.map((x) => x.textContent));
	check(resp.status() === 422 && why.length === 1 && cliLine && cliLine.includes("3: " + why[0]),
		"a bad row is refused in the words of import-members --dry-run", `page ${JSON.stringify(why)}, cli '${cliLine}'`);
	check((await page.$$("table.preview tbody tr")).length === 2 && !(await page.$("input[name=confirm]")),
		"the preview shows both rows and offers no import", await text(page, "main"));
	await shot(page, "09-import-refused");
	await (await page.$("#f-file")).uploadFile(goodCsv);
	resp = await submit(page, "form[enctype] button[type=submit]");
	check(resp.status() === 200 && (await page.$$("table.preview tbody tr")).length === 2 &&
		(await page.$("input[name=confirm]")),
		"a good file: two rows that would be added, and a button to import them", await text(page, "main"));
	await shot(page, "10-import-preview");
	const before = JSON.parse(execFileSync(process.env.CHIBO_AGENT,
		["-R", process.env.CHIBO_REPLICA, "members", "--json"])).length;
	check(before === 3, "the preview wrote nothing", String(before));
	resp = await submit(page, "form:not([enctype]).op button[type=submit]");
	check(resp.status() === 200 && /2/.test(await text(page, ".ok[role=status]")),
		"the import is confirmed", await text(page, "main"));
	await shot(page, "11-imported");
	fs.rmSync(dir, { recursive: true });

	// Sync, as 'chibo-agent sync' does: the button starts it, the page
	// shows how far it is and reloads itself until it is done, then the
	// last sync's result, in the words of 'sync'.
	await visit(page, "/sync");
	resp = await submit(page, "form[action='/sync'] button[type=submit]");
	check(page.url() === base + "/sync", "the sync's page follows the button", page.url());
	for (let i = 0; i < 60 && (await page.$(".busy")); i++) {
		if (i === 0) await shot(page, "06-sync-progress");
		check(await page.$(".busy progress"), "a sync under way shows its progress");
		resp = await page.waitForNavigation({ waitUntil: "load", timeout: 5000 });
	}
	const synced = await text(page, "pre.out");
	check(!(await page.$(".busy")) && (await page.$(".ok[role=status]")) && /\b10\b/.test(synced) &&
		/sent|gửi/.test(synced) && /pulled|nhận/.test(synced),
		"the last sync's result: the ten entries pushed, what was sent and received", synced);
	check(/^0\b/.test(await text(page, ".waiting")), "and nothing waits to be sent", await text(page, ".waiting"));
	await shot(page, "06-sync");

	// The report, as a table, and in print.
	await visit(page, "/reports");
	await page.select("#r-kind", "meetings");
	await fill(page, "from", "2026-03");
	await fill(page, "to", "2026-03");
	await submit(page);
	const rep = await page.$$eval("main table tbody tr", (trs) => trs.map((t) => t.textContent));
	check(rep.length === 1 && rep[0].includes("26734.01") && /66[.,]7/.test(rep[0]),
		"the meetings report counts the meeting and its attendance", JSON.stringify(rep));
	await shot(page, "07-report");
	check((await lib.printed(page, "header")) === "none",
		"the report prints without the navigation");
	await page.pdf({ path: path.join(shots, "07-report.pdf"), format: "A4" });

	// Verify.
	await visit(page, "/verify");
	check(await page.$(".ok[role=status]"), "verify passes", await text(page, "main"));

	// A page of another site on this machine posts a form without the
	// CSRF token: the cookie goes with it (same site), the form is refused.
	const evil = http.createServer((req, res) => {
		res.setHeader("Content-Type", "text/html");
		res.end(`<form id=f method=post action="${base}/op/cell/create">` +
			`<input name=code value=66><input name=name value=Forged>` +
			`<input name=kind value=residential></form>` +
			`<script>document.getElementById('f').submit()</script>`);
	});
	await new Promise((r) => evil.listen(0, "127.0.0.1", r));
	const [forged] = await Promise.all([
		page.waitForResponse((r) => r.url().startsWith(base + "/op/cell/create")),
		page.goto(`http://127.0.0.1:${evil.address().port}/`),
	]);
	check(forged.status() === 403, "a form posted from another page is refused",
		forged.status() + " " + (await forged.text().catch(() => "")));
	evil.close();
	// the refusal's page loaded before its picture (Firefox takes none
	// of a page still being replaced)
	await page.waitForNetworkIdle({ idleTime: 300 });
	await shot(page, "08-forged");

	await browser.close();
	done();
}

main().catch(crashed);
