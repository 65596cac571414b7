// Browser tests of the planner's workbench (/planner) and its printable report, as a 宮代町 planner
// would use them: the visiting-nursing question at 2 km for residents aged 75+, a what-if facility
// added by clicking the map, the CSV and Excel downloads, the report printed to PDF, English, and a
// bad option. The real care-atlas binary serves a real SQLite file built from data/; Debian's
// Chromium runs the page without tiles (tiles=none), so nothing is fetched from the internet.
// Screenshots land in target/screenshots/. The server and browser come from harness.mjs.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { browserTest as shared, haveBrowser, launchBrowser, repo, startServer } from "./harness.mjs";

const shots = join(repo, "target/screenshots");
const browserTest = (name, body) => shared(name, body, { timeout: 180_000 });
const question = "kind=visiting_nursing_station&radius_m=2000&population=aged_75_plus";
const MIYASHIRO = "11442";
let server, browser, base;

before(async () => {
  if (!haveBrowser) return;
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  base = server.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function openPlanner(query, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  // Tiles are the only external fetch the page may make: block any that slip through.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  await page.goto(`${base}/planner?tiles=none&${query}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  return page;
}

const json = async (path, init) => (await fetch(`${base}${path}`, init)).json();
const shoot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

/** The API's figure for a town: people of `population` out of reach. */
async function apiFigure(population, area = MIYASHIRO) {
  const answer = await json(`/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=${area}&population=${population}`);
  const summary = answer.summary.find((s) => s.municipality_code === area);
  return Math.round(summary.population_uncovered);
}

/** The text of every cell of the first sheet of an .xlsx (a zip of XML), read with zlib alone. */
function xlsxCells(buffer) {
  const files = new Map();
  // The central directory lists every entry with its compressed size and local header offset.
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = buffer.readUInt32LE(end + 16);
  for (let i = buffer.readUInt16LE(end + 10); i > 0; i--) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString();
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(start, start + size);
    files.set(name, (method === 8 ? inflateRawSync(data) : data).toString("utf8"));
    at += 46 + nameLength + extra;
  }
  const shared = [...(files.get("xl/sharedStrings.xml") ?? "").matchAll(/<si>(.*?)<\/si>/gs)].map((m) => m[1].replace(/<[^>]+>/g, ""));
  const sheet = files.get("xl/worksheets/sheet1.xml") ?? "";
  return [...sheet.matchAll(/<c ([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)].map(([, attributes, content = ""]) => {
    const value = (content.match(/<v>(.*?)<\/v>/s) ?? content.match(/<t[^>]*>(.*?)<\/t>/s) ?? [])[1] ?? "";
    return /\bt="s"/.test(attributes) ? shared[Number(value)] : value;
  });
}

const roundsTo = (cells, figure) => cells.some((c) => /^-?\d+(\.\d+)?$/.test(String(c).trim()) && Math.round(Number(c)) === figure);

browserTest("the 宮代町 visiting-nursing question at 2 km shows the gaps, the API's figures and the underserved places by name", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`);
  assert.ok((await page.locator("path.care-atlas-gap").count()) > 0, "gaps are drawn");
  assert.ok((await page.locator("path.care-atlas-marker").count()) > 0, "stations are drawn");
  assert.ok((await page.locator(".town-label").allInnerTexts()).includes("宮代町"), "town names label the map");
  const town = page.locator(`.town-figures[data-town="${MIYASHIRO}"]`);
  assert.equal(Number(await town.locator(".headline").getAttribute("data-value")), await apiFigure("aged_75_plus"));
  assert.equal(Number(await town.locator('td[data-group="total"]').getAttribute("data-value")), await apiFigure("total"));
  // The ranked places are named as 大字・町丁目, in the API's order.
  const places = await json(`/underserved-places?${question}&area=${MIYASHIRO}`);
  assert.ok(places.places.length > 0, "the API ranks places");
  const names = await page.locator("#places tbody tr td.name").allInnerTexts();
  assert.equal(names[0], places.places[0].name);
  assert.ok(names.every((name) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(name)), names.join(", "));

  // The comparison never shows an unknown figure as 0.
  const comparison = await page.locator("#comparison").innerText();
  assert.ok(comparison.includes("蓮田市") && comparison.includes("白岡市") && comparison.includes("宮代町"), comparison);
  await shoot(page, "planner-1280");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `scrolls sideways by ${overflow} px at 1280 px`);
  // The best site of the town is named by its place, with the people it brings within reach.
  const sites = await json(`/site-suggestions?${question}&n=3&area=${MIYASHIRO}`);
  const best = sites.features[0].properties;
  const first = page.locator("#suggestions li").first();
  assert.ok((await first.innerText()).includes(best.place_name), await first.innerText());
  assert.ok((await first.innerText()).includes(Math.round(best.newly_covered_population).toLocaleString("ja-JP")));
  // Trying it as a what-if brings those people within reach.
  await first.locator("button").click();
  await page.waitForFunction(() => document.getElementById("whatif-result").dataset.after !== undefined && !document.getElementById("whatif-result").dataset.busy);
  const result = page.locator("#whatif-result");
  const brought = Number(await result.getAttribute("data-before")) - Number(await result.getAttribute("data-after"));
  assert.equal(brought, Math.round(best.newly_covered_population));
  // The table by group is the town's own: the site covers all of 宮代町, every group goes to 0.
  for (const group of ["total", "aged_75_plus"]) {
    const after = await result.locator(`tr[data-group="${group}"] td`).nth(1).innerText();
    assert.equal(after.trim(), "0", `${group}: ${await result.innerText()}`);
  }
  // Choosing a row moves the map there.
  await page.locator("#places tbody tr").first().click();
  await page.waitForSelector("#map[data-flown-to='1']");
  await page.close();
});

browserTest("adding a facility by clicking the map lowers the out-of-reach figure exactly as POST /scenarios answers", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`);
  await page.locator("#add-mode").click();
  assert.equal(await page.locator("#add-mode").getAttribute("aria-pressed"), "true");
  // The place with most people out of reach: choosing its row centres the map on it; a click
  // there adds the facility.
  await page.locator("#places tbody tr").first().click();
  await page.waitForSelector("#map[data-flown-to='1']");
  // The table is below the map: bring the map back into view, centred on the place.
  await page.locator("#map").scrollIntoViewIfNeeded();
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const result = page.locator("#whatif-result");
  await page.waitForFunction(() => document.getElementById("whatif-result").dataset.after !== undefined && !document.getElementById("whatif-result").dataset.busy);
  const shownBefore = Number(await result.getAttribute("data-before"));
  const shownAfter = Number(await result.getAttribute("data-after"));
  assert.ok(shownAfter < shownBefore, `${shownBefore} → ${shownAfter}`);
  // The same question asked of the API directly.
  const request = JSON.parse(await result.getAttribute("data-request"));
  assert.equal(request.add.length, 1);
  const answer = await json("/scenarios", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
  const of = (part) => Math.round(part.gaps.find((g) => g.municipality_code === MIYASHIRO).population_uncovered);
  assert.equal(shownBefore, of(answer.before));
  assert.equal(shownAfter, of(answer.after));
  const sentence = await result.locator(".sentence").first().innerText();
  assert.ok(sentence.includes("75歳以上人口の圏外人口は") && sentence.includes("→"), sentence);
  assert.ok(page.url().includes("add="), "the URL keeps the what-if");
  assert.ok((await page.locator("#whatif-list li").count()) >= 1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, "planner-whatif-1280");
  await page.close();
});

browserTest("an address naming a town of two municipalities asks which, and the place chosen is added at its town's point", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`);
  await page.locator("#address").fill("東1-2");
  await page.locator("#address").press("Enter");
  const choices = page.locator("#address-choices button");
  await choices.first().waitFor();
  assert.match(await page.locator("#address-status").innerText(), /「東1-2」という町名は複数の市町にあります/);
  // The question stands beside the address; the page's banner keeps saying what the data are.
  assert.ok(!(await page.locator("#banner").innerText()).includes("東1-2"));
  assert.deepEqual(await choices.allInnerTexts(), ["蓮田市東一丁目", "宮代町字東"]);
  assert.equal(await page.locator("#address-choices button:focus").innerText(), "蓮田市東一丁目");
  const [bar, offered] = [await page.locator("#whatif-bar").boundingBox(), await page.locator("#address-choices").boundingBox()];
  await page.screenshot({ path: join(shots, "planner-address-choices.png"), clip: { x: bar.x, y: bar.y, width: bar.width, height: offered.y + offered.height - bar.y } });
  await choices.nth(1).click();
  await page.waitForFunction(() => document.getElementById("whatif-result").dataset.after !== undefined && !document.getElementById("whatif-result").dataset.busy);
  const request = JSON.parse(await page.locator("#whatif-result").getAttribute("data-request"));
  const { origin } = await json(`/nearest?${new URLSearchParams({ address: "宮代町東1-2", kind: "visiting_nursing_station", k: "1" })}`);
  assert.equal(origin.described_as, "宮代町字東");
  assert.deepEqual(request.add.map((p) => [p.lat, p.lon]), [[origin.lat, origin.lon]]);
  assert.equal(await choices.count(), 0);
  assert.equal(await page.locator("#address-status").innerText(), "");
  await page.close();
});

browserTest("leaving an existing station out raises no figure below what POST /scenarios answers for its removal", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`);
  // A station of 宮代町 itself, which the map shows.
  const [station] = (await json(`/collections/facilities/items?kind=visiting_nursing_station&municipality=${MIYASHIRO}`)).features;
  const id = station.id;
  // A click event on the marker itself: a mouse click at its centre can land on the legend that
  // covers part of the map, and then no popup opens (the failure seen once in a while).
  await page.locator(`path.care-atlas-marker[data-id="${id}"]`).dispatchEvent("click");
  await page.locator(".leaflet-popup-content button", { hasText: "この施設を除く" }).click();
  await page.waitForFunction(() => document.getElementById("whatif-result").dataset.after !== undefined && !document.getElementById("whatif-result").dataset.busy);
  const result = page.locator("#whatif-result");
  const request = JSON.parse(await result.getAttribute("data-request"));
  assert.deepEqual(request.remove, [id]);
  const answer = await json("/scenarios", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
  const of = (part) => Math.round(part.gaps.find((g) => g.municipality_code === MIYASHIRO).population_uncovered);
  assert.equal(Number(await result.getAttribute("data-after")), of(answer.after));
  assert.ok(of(answer.after) >= of(answer.before), "leaving a station out brings no one within reach");
  assert.ok((await page.locator("#whatif-list").innerText()).includes("除いた施設"));
  await page.close();
});

browserTest("the CSV and Excel downloads hold the figure the page shows", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`);
  const figure = Number(await page.locator(`.town-figures[data-town="${MIYASHIRO}"] .headline`).getAttribute("data-value"));
  const download = async (selector) => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.locator(selector).first().click()]);
    return readFileSync(await file.path());
  };
  const csv = await download("#exports tr:first-child a.export-csv");
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], "CSV starts with a UTF-8 BOM");
  const text = csv.toString("utf8");
  const summary = text.split(/\r?\n/).find((line) => line.startsWith("summary,11442"));
  assert.ok(summary, text.slice(0, 400));
  assert.ok(roundsTo(summary.split(","), figure), `${summary} holds ${figure}`);
  const xlsx = await download("#exports tr:first-child a.export-xlsx");
  assert.equal(xlsx.subarray(0, 2).toString(), "PK", "a zip");
  const cells = xlsxCells(xlsx);
  assert.ok(cells.includes("summary"), cells.slice(0, 20).join(" | "));
  assert.ok(roundsTo(cells, figure), `the workbook holds ${figure}`);
  // The places, the comparison, the suggestions and the facility list download too.
  for (const row of [2, 3, 4, 5]) {
    const file = await download(`#exports tr:nth-child(${row}) a.export-csv`);
    assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], `row ${row}`);
  }
  await page.close();
});

/** Answers the first `times` requests matching `pattern` as the server does when it sheds one (503, `type`), the
 * rest from the server; the URLs asked, in order. */
async function shedFirst(page, pattern, times, type) {
  const asked = [];
  await page.route(pattern, async (route) => {
    asked.push(route.request().url());
    if (asked.length > times) return route.continue();
    const [title, detail] = type === "busy" ? ["Server busy", "the server is busy; retry in 1 s"] : ["Took too long", "the answer took longer than 30 s; retry later or ask for less"];
    return route.fulfill({ status: 503, headers: { "Retry-After": "1", "Content-Type": "application/problem+json" }, body: JSON.stringify({ type: `urn:care-atlas:problem:${type}`, title, status: 503, detail }) });
  });
  return asked;
}

browserTest("a request the server sheds as busy is asked again after its Retry-After; one that timed out is not", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  const asked = await shedFirst(page, /\/coverage-gaps\?/, 2, "busy");
  await page.goto(`${base}/planner?tiles=none&lang=ja&area=${MIYASHIRO}&${question}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  for (const url of asked.slice(0, 2)) assert.ok(asked.filter((u) => u === url).length >= 2, `${url} asked again`);
  const town = page.locator(`.town-figures[data-town="${MIYASHIRO}"]`);
  assert.equal(Number(await town.locator(".headline").getAttribute("data-value")), await apiFigure("aged_75_plus"));
  await page.close();

  const late = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await late.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  const askedLate = await shedFirst(late, /\/coverage-gaps\?/, 1, "timed-out");
  await late.goto(`${base}/planner?tiles=none&lang=ja&area=${MIYASHIRO}&${question}`);
  await late.waitForSelector("body[data-ready=error]", { timeout: 90_000 });
  assert.match(await late.locator("#banner").innerText(), /データを読み込めませんでした（the answer took longer than 30 s/);
  assert.equal(askedLate.filter((u) => u === askedLate[0]).length, 1, "the timed-out request is not asked again");
  await late.close();
});

browserTest("the report prints on 1 to 4 A4 pages with the conditions, the figures, the places and the sources", async () => {
  const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
  await page.goto(`${base}/planner/report?area=${MIYASHIRO}&${question}&lang=ja`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  assert.ok((await page.locator("path.care-atlas-gap").count()) > 0, "the report's map shows the gaps");
  assert.ok((await page.locator("#print-button").innerText()).includes("印刷 / PDFで保存"));
  await page.screenshot({ path: join(shots, "report-page1.png"), clip: { x: 0, y: 0, width: 794, height: 1123 } });
  // Everything fits the sheet's text width (182 mm, narrower than the printed page's 186 mm):
  // a table wider than the paper made the browser shrink every printed page to fit it.
  assert.deepEqual(await beyondTheSheet(page), []);
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: join(shots, "report-print.png"), fullPage: true });
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  assert.ok(doc.numPages >= 1 && doc.numPages <= 4, `${doc.numPages} pages`);
  let text = "";
  let smallest = Infinity;
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text += content.items.map((item) => item.str).join("");
    for (const item of content.items.filter((it) => it.str.trim())) smallest = Math.min(smallest, Math.hypot(item.transform[0], item.transform[1]));
  }
  // Printed at its own size, never shrunk to fit: the smallest text, 12 px, is 9 pt on paper.
  assert.ok(smallest >= 8.9, `the smallest printed text is ${smallest.toFixed(1)} pt`);
  const compact = text.replace(/\s+/g, "");
  const figure = await apiFigure("aged_75_plus");
  for (const expected of ["分析レポート", "宮代町", "訪問看護ステーション", "到達圏外の定義", "直線距離", "出典", figure.toLocaleString("ja-JP")]) {
    assert.ok(compact.includes(expected.replace(/\s+/g, "")), `the PDF says ${expected}`);
  }
  assert.ok(!compact.includes("印刷/PDFで保存"), "no controls are printed");
  await doc.destroy();
  // In English, whose words are longer, the sheet holds everything too.
  await page.emulateMedia({ media: "screen" });
  await page.goto(`${base}/planner/report?area=${MIYASHIRO}&${question}&lang=en`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  assert.deepEqual(await beyondTheSheet(page), []);
  await page.close();
});

/** What of the report reaches past the sheet's text width, by tag, id and first words. */
const beyondTheSheet = (page) => page.locator(".sheet").evaluate((sheet) => {
  const right = sheet.getBoundingClientRect().right - parseFloat(getComputedStyle(sheet).paddingRight);
  return [...sheet.querySelectorAll("table, th, td, p, dl, h2, figure, #map")]
    .filter((node) => node.getBoundingClientRect().right > right + 0.5)
    .map((node) => `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ""} ${node.textContent.trim().slice(0, 24)}`);
});

browserTest("English with lang=en", async () => {
  const page = await openPlanner(`lang=en&area=${MIYASHIRO}&${question}`);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  assert.ok((await page.locator("h1").innerText()).startsWith("Planner's workbench"));
  assert.equal(await page.locator("#figures-title").innerText(), "People out of reach");
  assert.ok((await page.locator("#kind").innerText()).includes("Visiting nursing station"));
  assert.ok((await page.locator("#report-link").getAttribute("href")).includes("lang=en"));
  await page.close();
});

browserTest("a bad option gives a page naming it to the browser, and a problem document to a program", async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${base}/planner?radius_m=5&kind=visiting_nursing_station`);
  assert.equal(response.status(), 400);
  assert.ok(response.headers()["content-type"].startsWith("text/html"));
  assert.ok((await page.locator("body").innerText()).includes("radius_m"));
  const problem = await json("/planner?radius_m=5&kind=visiting_nursing_station");
  assert.equal(problem.parameter, "radius_m");
  const unknown = await json("/planner/report?area=13101");
  assert.equal(unknown.parameter, "area");
  await page.close();
});

browserTest("a kind with no source reads データなし, with no gap drawn and no 0", async () => {
  const page = await openPlanner("lang=ja&kind=community_support_center&radius_m=2000");
  assert.equal(await page.locator("#banner").getAttribute("data-kind"), "unknown");
  assert.ok((await page.locator("#banner").innerText()).includes("データなし"));
  assert.equal(await page.locator("path.care-atlas-gap").count(), 0);
  const cells = await page.locator("#comparison tbody td").allInnerTexts();
  assert.ok(cells.length > 0 && cells.every((c) => c === "データなし"), cells.join(" | "));
  await page.close();
});

browserTest("at 375 px no table heading, button or label breaks inside a Japanese word, the tables scroll in their frames, and a place keeps its name in view", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}`, { width: 375, height: 800 });
  // With a what-if added, so that its before/after table is on the page too.
  await page.locator("#address").fill("宮代町東1-2");
  await page.locator("#address").press("Enter");
  await page.waitForFunction(() => document.getElementById("whatif-result").dataset.after !== undefined && !document.getElementById("whatif-result").dataset.busy);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
  // Where a heading's text goes on to a new line, the break is at a space or a punctuation mark,
  // never between two characters of a word (the top of each character's box tells the line).
  const broken = await page.evaluate(() => [...document.querySelectorAll("#figures th, #places th, #comparison th, table.whatif th, #whatif-bar button, #whatif-bar label")].flatMap((th) => {
    const chars = [];
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (box) chars.push([node.data[i], Math.round(box.top)]);
      }
    }
    return chars.slice(1).flatMap(([c, top], i) => {
      const [before, topBefore] = chars[i];
      const atBreakable = /[\s：:、・/)）]/.test(before) || /[\s(（]/.test(c);
      return top > topBefore && !atBreakable ? [`${th.textContent}: ${before}|${c}`] : [];
    });
  }));
  assert.deepEqual(broken, [], "headings, buttons or labels broken inside a word");
  assert.ok((await page.locator("#places th").allInnerTexts()).includes("65歳以上人口"), "the places table has its age columns");
  // Scrolled to its far right, the places table still shows each row's name at its left edge.
  const kept = await page.evaluate(() => {
    const wrap = document.querySelector("#places").closest(".table-wrap");
    const width = wrap.scrollWidth - wrap.clientWidth;
    wrap.scrollLeft = width;
    const name = document.querySelector("#places tbody tr td:nth-child(2)");
    return { width, offset: Math.round(name.getBoundingClientRect().left - wrap.getBoundingClientRect().left), name: name.textContent };
  });
  assert.ok(kept.width > 0, "the places table is wider than a phone here, or this test checks nothing");
  assert.ok(Math.abs(kept.offset) <= 1 && kept.name, `the name moved ${kept.offset} px out of view`);
  await shoot(page, "planner-375");
  await page.close();
});

browserTest("at 768 px the page stacks without sideways scrolling", async () => {
  const page = await openPlanner(`lang=ja&area=${MIYASHIRO}&${question}&resolution=mesh250`, { width: 768, height: 1000 });
  assert.ok((await page.locator("path.care-atlas-gap-cell").count()) > 0, "250 m cells are drawn");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `scrolls sideways by ${overflow} px`);
  await shoot(page, "planner-768");
  await page.close();
});
