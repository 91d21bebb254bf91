// SPDX-License-Identifier: MIT
// keyboard.js — a clerk's task in 'chibo-agent ui' with the keyboard
// alone, as a clerk who cannot use a mouse does it: from the home page,
// add a member and record a meeting with its attendance, moving with Tab,
// following links with Enter, pressing buttons with Enter or Space, choosing from a list
// or among marks with the arrow keys, typing what a field asks. No
// click, no value set by script. On every page it passes, each control
// must have a label (its <label>, aria-label(ledby), or its text) and
// show where the focus is (an outline or a shadow when focused).
// Run by tests/cli/keyboard_browser.sh, which checks the replica after:
//   node keyboard.js URL   (env: SHOTS, CHROMIUM or BROWSER=firefox)
"use strict";
const lib = require("./lib.js");
const { check, shot, text, done, crashed } = lib;

const url = process.argv[2];
const base = new URL(url).origin;

// Every control of the page has a label; and Tab, through the whole
// page, shows where the focus is on each (an outline of 2 px or more, or
// a shadow).
async function audit(page, where) {
	const faults = await page.evaluate(() => {
		const out = [];
		const sel = "a[href], button, input:not([type=hidden]), select, textarea";
		for (const e of document.querySelectorAll(sel)) {
			const name = e.getAttribute("aria-label") ||
				(e.getAttribute("aria-labelledby") || "").split(" ")
					.map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim() ||
				(e.labels && e.labels.length ? e.labels[0].textContent : "") ||
				(e.tagName === "A" || e.tagName === "BUTTON" ? e.textContent : "");
			if (!name.trim()) out.push("no label: " + e.outerHTML.slice(0, 80));
		}
		if (document.activeElement) document.activeElement.blur();
		return out;
	});
	const n = await page.$$eval("a[href], button, input:not([type=hidden]), select, textarea", (l) => l.length);
	const seen = new Set();
	for (let i = 0; i < n + 2; i++) {
		await page.keyboard.press("Tab");
		const f = await page.evaluate(() => {
			const e = document.activeElement;
			if (!e || e === document.body) return null;
			const s = getComputedStyle(e);
			const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) ||
				(s.boxShadow && s.boxShadow !== "none");
			return { what: e.outerHTML.slice(0, 80), ring };
		});
		if (f && !f.ring && !seen.has(f.what)) faults.push("no visible focus: " + f.what);
		if (f) seen.add(f.what);
	}
	check(faults.length === 0 && seen.size > 0,
		`every control of ${where} has a label and a visible focus (${seen.size} reached by Tab)`,
		faults.join("; "));
	await page.evaluate(() => document.activeElement && document.activeElement.blur());
}

// Tab until the focus is on an element matching sel; false if 300 Tabs
// do not reach it.
async function tabTo(page, sel) {
	for (let i = 0; i < 300; i++) {
		await page.keyboard.press("Tab");
		if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel))
			return true;
	}
	check(false, "Tab reaches " + sel);
	return false;
}

// Press key on what has the focus and wait for the page it loads.
async function go(page, key) {
	const [resp] = await Promise.all([
		page.waitForNavigation({ waitUntil: "load" }),
		page.keyboard.press(key),
	]);
	await page.bringToFront(); // the window focused, as a person's is
	return resp;
}

// Tab to the field named name and type value into it (it is empty).
async function type(page, name, value) {
	if (await tabTo(page, `[name="${name}"]`))
		await page.keyboard.type(value);
}

// Tab to the list named name and move down it with the arrow key until
// the option whose label holds label is chosen.
async function choose(page, name, label) {
	if (!(await tabTo(page, `select[name="${name}"]`)))
		return;
	for (let i = 0; i < 50; i++) {
		const now = await page.$eval(`select[name="${name}"]`,
			(e) => e.options[e.selectedIndex].textContent);
		if (now.includes(label))
			return;
		await page.keyboard.press("ArrowDown");
	}
	check(false, `the arrow keys reach '${label}' in the list ${name}`);
}

async function main() {
	const browser = await lib.launch();
	const page = await browser.newPage();
	page.setDefaultTimeout(60000);
	page.on("pageerror", (e) => check(false, "no script error in the page", e.message));

	await page.goto(url, { waitUntil: "load" });
	await page.bringToFront();
	await audit(page, "the home page");

	// A member: the home page's link, the form, Enter on its button.
	await tabTo(page, 'a[href="/op/member/add"]');
	await go(page, "Enter");
	check(page.url() === base + "/op/member/add", "Enter on the link opens the form", page.url());
	await audit(page, "the member form");
	await type(page, "name", "Đỗ Thị Mai");
	await type(page, "birth", "12/05/1985");
	await type(page, "sex", "nữ");
	await type(page, "card", "K001");
	await type(page, "admitted", "01/01/2010");
	await choose(page, "cell", "Chi bộ thôn Đông");
	await tabTo(page, "form.op button[type=submit]");
	await shot(page, "01-member-form");
	let resp = await go(page, "Enter");
	check(resp.status() === 200 && (await text(page, ".ok[role=status]") || "").includes("Đỗ Thị Mai"),
		"the member is added with the keyboard alone", await text(page, "main"));

	// A meeting: the menu, the record link, the cell and the day, then
	// the checklist: everyone present by Space on its button, one member
	// excused by the arrow key in her row's marks.
	await tabTo(page, 'nav a[href="/meetings"]');
	await go(page, "Enter");
	await tabTo(page, 'a[href="/op/meeting/record"]');
	await go(page, "Enter");
	await audit(page, "the meeting's first step");
	await choose(page, "cell", "Chi bộ thôn Đông");
	await type(page, "date", "02/04/2026");
	await tabTo(page, "form.op button[type=submit]");
	await go(page, "Enter");
	const names = await page.$$eval("table.att tbody th", (t) => t.map((x) => x.textContent));
	check(names.length === 2, "the checklist lists the cell's two members", JSON.stringify(names));
	await audit(page, "the attendance checklist");
	await tabTo(page, "#all-present");
	await page.keyboard.press("Space");
	const mai = names.indexOf("Đỗ Thị Mai");
	await tabTo(page, `table.att tbody tr:nth-child(${mai + 1}) input[type=radio]`);
	await page.keyboard.press("ArrowRight");
	const marks = await page.$$eval("table.att tbody tr", (trs) => trs.map((tr) =>
		tr.querySelector("th").textContent + "=" + tr.querySelector("input:checked").value));
	check(marks.includes("Đỗ Thị Mai=excused") && marks.filter((m) => m.endsWith("=present")).length === 1,
		"the arrow key marks her excused, the other present", JSON.stringify(marks));
	await type(page, "kind", "thường kỳ");
	await type(page, "duration", "60");
	await type(page, "content", "Họp chi bộ tháng 4");
	await tabTo(page, "form.op button[type=submit]");
	await shot(page, "02-attendance");
	resp = await go(page, "Enter");
	check(resp.status() === 200 && (await page.$(".ok[role=status]")),
		"the meeting is recorded with the keyboard alone", await text(page, "main"));
	await shot(page, "03-recorded");

	// The other pages a clerk works in.
	for (const href of ["/cells", "/members", "/import", "/sync", "/reports", "/transfers"]) {
		await page.goto(base + href, { waitUntil: "load" });
		await page.bringToFront();
		await audit(page, href);
	}
	await browser.close();
	done();
}

main().catch(crashed);
