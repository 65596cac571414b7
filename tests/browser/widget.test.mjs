// Browser tests of the embeddable map: the real care-atlas binary serves a real SQLite file built
// from data/, and Debian's Chromium, driven by playwright-core, loads /embed as a visitor would.
// Without Chromium the tests are skipped loudly; CARE_ATLAS_REQUIRE_BROWSER=1 (set by .ci/run)
// turns that skip into a failure. A screenshot of every test is saved under target/browser-screenshots/.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { browserTest, freePort, haveBrowser, launchBrowser, repo, startServer } from "./harness.mjs";

const shots = join(repo, "target/browser-screenshots");

let server, hostServer, browser, base, hostBase;

before(async () => {
  if (!haveBrowser) return;
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  base = server.base;
  // A page of another origin (another port) that embeds the map, as a municipal site would.
  const hostPort = await freePort();
  hostBase = `http://127.0.0.1:${hostPort}`;
  hostServer = createServer((request, response) => {
    response.setHeader("Content-Type", "text/html; charset=utf-8");
    if (request.url.startsWith("/element")) {
      response.end(`<!doctype html><title>host</title><h1>蓮田市</h1><script src="${base}/widget.js"></script>
        <care-atlas-map kind="visiting_nursing_station" area="11238" tiles="none"></care-atlas-map>`);
    } else {
      response.end(`<!doctype html><title>host</title><h1>白岡市</h1>
        <iframe id="map" src="${base}/embed?kind=visiting_nursing_station&area=11246&tiles=none" style="width:800px;height:600px;border:0"></iframe>`);
    }
  }).listen(hostPort, "127.0.0.1");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  hostServer?.close();
});

async function openMap(query, viewport = { width: 1100, height: 900 }) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${base}/embed?tiles=none&${query}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return page;
}

async function apiItems(query) {
  const response = await fetch(`${base}/collections/facilities/items?limit=10000&${query}`);
  return response.json();
}

const shoot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

browserTest("with area, the town's facilities are listed and marked, and those across the border stay on the map, faded", async () => {
  const page = await openMap("kind=visiting_nursing_station&area=11238");
  const expected = await apiItems("kind=visiting_nursing_station&municipality=11238");
  const everywhere = await apiItems("kind=visiting_nursing_station");
  assert.equal(await page.locator(".care-atlas-marker").count(), everywhere.numberMatched);
  assert.equal(await page.locator(".care-atlas-marker .fac:not(.outside)").count(), expected.numberMatched);
  assert.equal(await page.locator(".care-atlas-marker .fac.outside").count(), everywhere.numberMatched - expected.numberMatched);
  assert.ok(expected.numberMatched > 0);
  assert.equal(await page.locator("#facility-list li button").count(), expected.numberMatched);
  const listed = await page.locator("#facility-list li button").allTextContents();
  for (const feature of expected.features) {
    assert.ok(listed.some((text) => text.includes(feature.properties.name)), `${feature.properties.name} is listed`);
  }
  await shoot(page, "markers-and-list");
  await page.close();
});

browserTest("clicking a marker shows its name and details", async () => {
  const page = await openMap("kind=hospital&area=11246");
  // A facility of the town (those across the border are on the map too, faded).
  const marker = page.locator(".care-atlas-marker:has(.fac:not(.outside))").first();
  const id = await marker.getAttribute("data-id");
  const [feature] = (await apiItems("kind=hospital&municipality=11246")).features.filter((f) => f.id === id);
  await marker.click({ force: true });
  const popup = page.locator(".leaflet-popup-content");
  await popup.waitFor();
  const text = await popup.innerText();
  assert.ok(text.includes(feature.properties.name), text);
  assert.ok(text.includes(feature.properties.address), text);
  await shoot(page, "marker-popup");
  await page.close();
});

browserTest("a registered 在宅療養支援診療所's popup shows its class and home-care filings in Japanese", async () => {
  const page = await openMap("kind=home_care_clinic&area=11246&lang=en");
  // A facility of the town (those across the border are on the map too, faded).
  const marker = page.locator(".care-atlas-marker:has(.fac:not(.outside))").first();
  const id = await marker.getAttribute("data-id");
  const [feature] = (await apiItems("kind=home_care_clinic&municipality=11246")).features.filter((f) => f.id === id);
  await marker.click({ force: true });
  const popup = page.locator(".leaflet-popup-content");
  await popup.waitFor();
  const text = await popup.innerText();
  assert.ok(text.includes(feature.properties.home_care_class.label_ja), text);
  for (const filing of feature.properties.filings) assert.ok(text.includes(`${filing.symbol}（${filing.label_ja}）`), text);
  await shoot(page, "home-care-popup");
  await page.close();
});

browserTest("the map credits Geolonia and the contact portal, and a popup names where its phone number came from", async () => {
  const page = await openMap("kind=visiting_nursing_station&area=11442");
  assert.ok((await page.locator(".leaflet-control-attribution").innerText()).includes("データの出典"));
  const credit = await page.locator("#attribution").innerText();
  assert.ok(credit.includes("「Geolonia 住所データ」(CC BY 4.0)"), credit);
  assert.ok(credit.includes("houmonkango-navi"), credit);
  // A facility of the town (those across the border are on the map too, faded).
  const marker = page.locator(".care-atlas-marker:has(.fac:not(.outside))").first();
  const id = await marker.getAttribute("data-id");
  const [feature] = (await apiItems("kind=visiting_nursing_station&municipality=11442")).features.filter((f) => f.id === id);
  assert.equal(feature.properties.contact_source, "houmonkango-navi");
  await marker.click({ force: true });
  const popup = page.locator(".leaflet-popup-content");
  await popup.waitFor();
  const text = await popup.innerText();
  assert.ok(text.includes(feature.properties.phone), text);
  assert.ok(text.includes("電話・ウェブサイトの出典"), text);
  assert.ok(text.includes("houmonkango-navi"), text);
  await page.close();
});

browserTest("clicking the map lists the nearest services with distances", async () => {
  const page = await openMap("kind=visiting_nursing_station");
  const box = await page.locator("#map").boundingBox();
  // A point near the centre that is bare map, not a marker (a click on a marker opens its popup).
  const offsets = [[7, 5], [-23, 17], [31, -29], [-41, -37], [53, 43]];
  let point;
  for (const [dx, dy] of offsets) {
    const [x, y] = [box.x + box.width / 2 + dx, box.y + box.height / 2 + dy];
    const onMarker = await page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.classList.contains("leaflet-interactive"), [x, y]);
    if (!onMarker) { point = [x, y]; break; }
  }
  assert.ok(point, "a bare point of the map near its centre");
  await page.mouse.click(...point);
  await page.locator("#nearest-list li h3").first().waitFor();
  assert.equal(await page.locator("#nearest-list li h3").count(), 5);
  const distances = await page.locator("#nearest-list .distance").allInnerTexts();
  assert.equal(distances.length, 5);
  assert.ok(distances.every((text) => /^(\d+ m|\d+\.\d km)$/.test(text.trim())), distances.join("\n"));
  // The five are numbered on the map too.
  assert.deepEqual(await page.locator(".care-atlas-marker[data-rank]").evaluateAll((nodes) => nodes.map((n) => n.dataset.rank).sort()), ["1", "2", "3", "4", "5"]);
  await shoot(page, "nearest");
  await page.close();
});

browserTest("the coverage-gap layer toggles and says how many people are out of reach", async () => {
  const page = await openMap("kind=visiting_nursing_station");
  await page.locator("#gap-toggle").check();
  await page.locator("path.care-atlas-gap").first().waitFor();
  assert.ok((await page.locator("path.care-atlas-gap").count()) > 0);
  assert.match(await page.locator("#gap-summary").innerText(), /\d/);
  await shoot(page, "gaps-on");
  await page.locator("#gap-toggle").uncheck();
  await page.waitForFunction(() => document.querySelectorAll("path.care-atlas-gap").length === 0);
  await shoot(page, "gaps-off");
  await page.close();
});

browserTest("the map works inside an iframe of a page from another origin", async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const response = await page.goto(`${hostBase}/`);
  assert.equal(response.status(), 200);
  const frame = page.frameLocator("#map");
  await frame.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
  // The town's stations and, faded, those across its border.
  const expected = await apiItems("kind=visiting_nursing_station");
  assert.equal(await frame.locator(".care-atlas-marker").count(), expected.numberMatched);
  await shoot(page, "iframe-other-origin");
  await page.close();
});

browserTest("the <care-atlas-map> element renders the same map", async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.goto(`${hostBase}/element`);
  const frame = page.frameLocator("care-atlas-map iframe");
  await frame.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
  const expected = await apiItems("kind=visiting_nursing_station");
  assert.equal(await frame.locator(".care-atlas-marker").count(), expected.numberMatched);
  await shoot(page, "custom-element");
  await page.close();
});

browserTest("Japanese by default, English labels with lang=en", async () => {
  const japanese = await openMap("kind=visiting_nursing_station");
  assert.ok((await japanese.locator("#kind-filter").innerText()).includes("訪問看護ステーション"));
  assert.equal(await japanese.locator("html").getAttribute("lang"), "ja");
  await japanese.close();
  const english = await openMap("kind=visiting_nursing_station&lang=en");
  assert.ok((await english.locator("#kind-filter").innerText()).includes("Visiting nursing station"));
  assert.ok((await english.locator("#list-title").innerText()).startsWith("Facilities"));
  await shoot(english, "english");
  await english.close();
});

browserTest("at 320 px wide nothing scrolls sideways and the list is reachable by keyboard", async () => {
  const page = await openMap("kind=visiting_nursing_station&area=11442", { width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `scrolls sideways by ${overflow} px`);
  await page.locator("#list-title").click();
  const first = page.locator("#facility-list li button").first();
  await first.focus();
  await page.keyboard.press("Enter");
  await page.locator(".leaflet-popup-content").waitFor();
  await shoot(page, "narrow-keyboard");
  await page.close();
});

browserTest("a kind with no source reads データなし in the list and its gap layer is never drawn", async () => {
  const page = await openMap("kind=community_support_center");
  const label = page.locator('#kind-filter label[data-supply="unknown"]');
  assert.equal(await label.count(), 1);
  assert.ok((await label.innerText()).includes("地域包括支援センター") && (await label.innerText()).includes("データなし"));
  await page.locator("#gap-toggle").check();
  await page.waitForFunction(() => document.getElementById("gap-summary").dataset.completeness === "unknown");
  const summary = await page.locator("#gap-summary").innerText();
  assert.ok(summary.includes("データなし"), summary);
  assert.ok(!summary.includes("人"), `no head count for an unknown kind: ${summary}`);
  assert.equal(await page.locator("path.care-atlas-gap").count(), 0);
  // The list never counts an unknown kind as 0 facilities.
  const title = await page.locator("#list-title").innerText();
  assert.ok(title.includes("データなし") && !title.includes("0件"), title);
  assert.ok((await page.locator("#facility-list").textContent()).includes("データなし"));
  // Nor does the nearest list: it says データなし instead of asking the API.
  await page.locator("#centre-search").click();
  assert.ok((await page.locator("#nearest-list").innerText()).includes("データなし"));
  assert.equal(await page.locator("#nearest-list li[data-id]").count(), 0);
  await shoot(page, "gaps-no-data");
  await page.close();
});

browserTest("a partly known kind's gap overlay says 一部のみ (upper bound)", async () => {
  // 診療所 is known only in part in the study area: its gaps are upper bounds and its count a lower bound.
  const page = await openMap("kind=clinic&area=11442");
  await page.locator("#gap-toggle").check();
  await page.locator("path.care-atlas-gap").first().waitFor();
  await page.waitForFunction(() => document.getElementById("gap-summary").dataset.completeness === "partial");
  const summary = await page.locator("#gap-summary").innerText();
  assert.ok(summary.includes("一部のみ") && summary.includes("上限"), summary);
  const title = await page.locator("#list-title").innerText();
  assert.ok(title.includes("以上・一部のみ"), title);
  await shoot(page, "gaps-partial");
  await page.close();
  // 在宅療養支援診療所 comes from the complete register: 宮代町 has none, and the list says 0, not
  // "0 or more"; its gaps stay partial because the register's clinics across the border have no
  // position we know.
  const register = await openMap("kind=home_care_clinic&area=11442");
  await register.locator("#gap-toggle").check();
  await register.locator("path.care-atlas-gap").first().waitFor();
  await register.waitForFunction(() => document.getElementById("gap-summary").dataset.completeness === "partial");
  const registerTitle = await register.locator("#list-title").innerText();
  assert.ok(!registerTitle.includes("以上"), registerTitle);
  await register.close();
  const english = await openMap("kind=clinic&area=11442&lang=en");
  await english.locator("#gap-toggle").check();
  await english.locator("path.care-atlas-gap").first().waitFor();
  await english.waitForFunction(() => document.getElementById("gap-summary").dataset.completeness === "partial");
  assert.ok((await english.locator("#gap-summary").innerText()).includes("partial (upper bound)"));
  await english.close();
});
