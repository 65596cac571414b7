// Browser tests of the map as a municipal web officer embeds it and a clinic's nurse uses it: the
// README's iframe snippet on a page of another origin at 1280 and 375 px, the nurse's address
// search (「白岡市新白岡4-14」) with phones, keyboard-only use, axe-core's WCAG 2.2 AA check, and the
// page a bad option gives inside the frame. The real binary serves a real SQLite file built from
// data/; Debian's Chromium runs the pages without tiles. Screenshots land in target/screenshots/.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { browserTest as shared, freePort, haveBrowser, launchBrowser, repo, startServer } from "./harness.mjs";

const shots = join(repo, "target/screenshots");
// Run through DevTools rather than added as a <script>: the pages' Content-Security-Policy refuses
// inline script, as it should, and the test must not weaken it.
const axeSource = readFileSync(join(repo, "node_modules/axe-core/axe.min.js"), "utf8");
const browserTest = (name, body) => shared(name, body, { timeout: 180_000 });
const SHIRAOKA = "11246";
const NURSE_ADDRESS = "白岡市新白岡4-14";
const stations = `kind=visiting_nursing_station&area=${SHIRAOKA}&tiles=none`;
let server, host, browser, base, hostBase;

before(async () => {
  if (!haveBrowser) return;
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  base = server.base;
  // The README's snippets, as a city's page of another origin would paste them.
  const port = await freePort();
  hostBase = `http://127.0.0.1:${port}`;
  host = createServer((request, response) => {
    response.setHeader("Content-Type", "text/html; charset=utf-8");
    const query = new URL(request.url, hostBase).searchParams.get("q") ?? stations;
    const head = `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>白岡市</title></head><body style="margin:0 12px;font-family:sans-serif"><h1>白岡市 在宅医療・介護</h1>`;
    if (request.url.startsWith("/element")) {
      response.end(`${head}<script src="${base}/widget.js"></script><care-atlas-map kind="visiting_nursing_station" area="${SHIRAOKA}" tiles="none"></care-atlas-map><p>footer</p></body></html>`);
      return;
    }
    response.end(`${head}<iframe id="care-atlas" src="${base}/embed?${query}" title="白岡市の在宅医療・介護資源マップ" style="width:100%;height:600px;border:0"></iframe>
<script>
  addEventListener("message", (e) => {
    const frame = document.getElementById("care-atlas");
    if (e.origin === "${base}" && e.source === frame.contentWindow && e.data?.type === "care-atlas:size") frame.style.height = \`\${e.data.height}px\`;
  });
</script><p>footer</p></body></html>`);
  }).listen(port, "127.0.0.1");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  host?.close();
});

async function hostPage(viewport, query) {
  const page = await browser.newPage({ viewport });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  await page.goto(`${hostBase}/${query ? `?q=${encodeURIComponent(query)}` : ""}`);
  const frame = page.frameLocator("#care-atlas");
  await frame.locator("body[data-ready=true]").waitFor({ timeout: 90_000 });
  return { page, frame };
}

async function openMap(query, viewport = { width: 1280, height: 600 }) {
  const page = await browser.newPage({ viewport });
  await page.goto(`${base}/embed?${query}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  return page;
}

async function search(scope, address) {
  await scope.locator("#address").fill(address);
  await scope.locator("#address").press("Enter");
  await scope.locator("#nearest-list li h3").first().waitFor();
}

const nearestByAddress = async (address) =>
  (await fetch(`${base}/nearest?${new URLSearchParams({ address, kind: "visiting_nursing_station", k: "5" })}`)).json();

/** axe-core's violations of WCAG 2.2 A/AA and best practice on the page, of every impact. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const tags = { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] };
    const all = await axe.run(document, { runOnly: tags, rules: { "target-size": { enabled: false } } });
    // Markers that overlap where facilities cluster are smaller targets than 24 px; WCAG 2.5.8
    // excepts them (the same facilities are buttons of full size in the lists, and a map's
    // positions are essential). Every other target is checked.
    const size = await axe.run({ exclude: [[".leaflet-marker-pane"]] }, { runOnly: { type: "rule", values: ["target-size"] } });
    const passed = all.passes.length + size.passes.length;
    return { passed, violations: [...all.violations, ...size.violations].map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) })) };
  });
  return violations;
}
const serious = (violations) => violations.filter((v) => v.impact === "serious" || v.impact === "critical");

/** Presses Tab until `done(activeElement)` holds, at most `limit` times; the number of presses. */
async function tabUntil(page, done, limit = 40) {
  for (let presses = 1; presses <= limit; presses += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(done)) return presses;
  }
  throw new Error(`not reached with ${limit} presses of Tab`);
}

browserTest("the nurse's question: the five nearest visiting nursing stations to 白岡市新白岡4-14, with phones to call", async () => {
  const { page, frame } = await hostPage({ width: 1280, height: 900 });
  await search(frame, NURSE_ADDRESS);
  const expected = await nearestByAddress(NURSE_ADDRESS);
  assert.equal(expected.features.length, 5);
  assert.equal(expected.origin.described_as, "白岡市新白岡四丁目");
  assert.match(await frame.locator("#results-origin").innerText(), /白岡市新白岡四丁目/);
  const cards = frame.locator("#nearest-list > li[data-id]");
  assert.equal(await cards.count(), 5);
  for (const [i, feature] of expected.features.entries()) {
    const card = cards.nth(i);
    const p = feature.properties;
    assert.equal(await card.getAttribute("data-id"), feature.id);
    assert.ok((await card.locator("h3").innerText()).includes(p.name));
    assert.ok(p.phone, `${p.name} has a phone`);
    assert.equal(await card.locator("a.tel").getAttribute("href"), `tel:${p.phone.replace(/[^\d+]/g, "")}`);
    assert.ok((await card.locator("a.tel").innerText()).includes(p.phone));
    const km = p.distance_m < 1000 ? `${Math.round(p.distance_m)} m` : `${(p.distance_m / 1000).toFixed(1)} km`;
    assert.equal(await card.locator(".distance").innerText(), km);
    if (p.detail_url) assert.equal(await card.locator(`a[href="${p.detail_url}"]`).count(), 1);
  }
  // The live region says what happened.
  assert.match(await frame.locator("#status").innerText(), /5件/);
  // The five are numbered on the map as in the list.
  const ranked = await frame.locator(".care-atlas-marker[data-rank]").evaluateAll((nodes) => nodes.map((n) => [n.dataset.id, n.dataset.rank, getComputedStyle(n, "::after").content]));
  ranked.sort((a, b) => Number(a[1]) - Number(b[1]));
  assert.deepEqual(ranked, expected.features.map((f, i) => [f.id, String(i + 1), `"${i + 1}"`]));
  await page.screenshot({ path: join(shots, "embed-nurse-1280.png") });
  // Written as residents write it, without the city and in full width, the same five.
  await search(frame, "新白岡４－１４");
  assert.deepEqual(await cards.evaluateAll((nodes) => nodes.map((n) => n.dataset.id)), expected.features.map((f) => f.id));
  // A town name of two municipalities is asked about, an unknown one said so, and the results stay.
  await frame.locator("#address").fill("東1-2");
  await frame.locator("#address").press("Enter");
  await frame.locator("#status[data-tone=error]").waitFor();
  assert.match(await frame.locator("#status").innerText(), /「東1-2」という町名は複数の市町にあります。どちらですか/);
  assert.equal(await frame.locator("#address").getAttribute("aria-invalid"), "true");
  assert.equal(await cards.count(), 5);
  // The places are offered as buttons, the first one focused; choosing one searches from it.
  const choices = frame.locator("#address-choices button");
  assert.deepEqual(await choices.allInnerTexts(), ["蓮田市東一丁目", "宮代町字東"]);
  assert.equal(await frame.locator("#address-choices button:focus").innerText(), "蓮田市東一丁目");
  await page.screenshot({ path: join(shots, "embed-address-choices-1280.png") });
  await choices.nth(1).click();
  await frame.locator("#results-origin", { hasText: "宮代町字東" }).waitFor();
  assert.equal(await frame.locator("#address").inputValue(), "宮代町東1-2");
  assert.equal(await choices.count(), 0);
  const fromMiyashiro = await nearestByAddress("宮代町東1-2");
  assert.deepEqual(await cards.evaluateAll((nodes) => nodes.map((n) => n.dataset.id)), fromMiyashiro.features.map((f) => f.id));
  await page.close();
});

browserTest("no label covers a numbered result: the origin's and the towns' names lie under the markers", async () => {
  // From 白岡市千駄野 the nearest station stands a few pixels from the origin, whose name, drawn
  // above the markers, used to hide its marker and its number.
  const page = await openMap(stations, { width: 600, height: 600 });
  await search(page, "白岡市千駄野432");
  await page.locator("#results-origin", { hasText: "白岡市千駄野" }).waitFor();
  await page.locator(".origin-label").waitFor();
  // Labels let the pointer through (pointer-events: none); for this check they catch it, so that
  // the element found at a point is the one painted on top.
  await page.addStyleTag({ content: ".leaflet-tooltip { pointer-events: auto !important; }" });
  const covered = await page.locator(".care-atlas-marker[data-rank]").evaluateAll((nodes) => nodes.flatMap((node) => {
    const box = node.getBoundingClientRect();
    // The centre, and the corner where the rank is drawn.
    return [[box.x + box.width / 2, box.y + box.height / 2], [box.right - 3, box.y + 3]]
      .map(([x, y]) => document.elementFromPoint(x, y))
      .filter((hit) => hit?.closest(".leaflet-tooltip"))
      .map((hit) => `${node.dataset.rank} under ${hit.closest(".leaflet-tooltip").textContent}`);
  }));
  await page.screenshot({ path: join(shots, "embed-labels-600.png") });
  assert.deepEqual(covered, []);
  await page.close();
});

browserTest("on a phone the closed legend covers no numbered result", async () => {
  // From 宮代町笠原一丁目 the third station fell in the map's lower right corner, under 「凡例」.
  const page = await openMap("kind=visiting_nursing_station&area=11442&tiles=none&lang=en", { width: 375, height: 700 });
  await search(page, "宮代町笠原1-1-1");
  await page.locator("#results-origin", { hasText: "宮代町笠原一丁目" }).waitFor();
  const legend = await page.locator(".map-legend").boundingBox();
  const under = await page.locator(".care-atlas-marker[data-rank]").evaluateAll((nodes, box) => nodes
    .filter((node) => {
      // The marker with its number, drawn 9 px above and 11 px right of it.
      const r = node.getBoundingClientRect();
      return r.right + 11 > box.x && r.x < box.x + box.width && r.bottom > box.y && r.y - 9 < box.y + box.height;
    })
    .map((node) => node.dataset.rank), legend);
  await page.locator("#map").screenshot({ path: join(shots, "embed-legend-375.png") });
  assert.deepEqual(under, []);
  await page.close();
});

browserTest("a search the server sheds as busy is asked again after its Retry-After and lists the five", async () => {
  const page = await openMap(stations, { width: 1024, height: 600 });
  const asked = [];
  await page.route(/\/nearest\?/, async (route) => {
    asked.push(route.request().url());
    if (asked.length > 1) return route.continue();
    return route.fulfill({ status: 503, headers: { "Retry-After": "1", "Content-Type": "application/problem+json" }, body: JSON.stringify({ type: "urn:care-atlas:problem:busy", title: "Server busy", status: 503, detail: "the server is busy; retry in 1 s" }) });
  });
  await search(page, NURSE_ADDRESS);
  assert.equal(asked.length, 2);
  assert.equal(asked[1], asked[0]);
  const expected = await nearestByAddress(NURSE_ADDRESS);
  assert.deepEqual(await page.locator("#nearest-list > li[data-id]").evaluateAll((nodes) => nodes.map((n) => n.dataset.id)), expected.features.map((f) => f.id));
  await page.close();
});

browserTest("in the README's 600 px frame at 1280 px the map fills the frame beside its panel, named after area=11246", async () => {
  const { page, frame } = await hostPage({ width: 1280, height: 800 });
  assert.equal(await frame.locator("h1").innerText(), "白岡市の在宅医療・介護資源マップ");
  assert.equal(await frame.locator("html").evaluate(() => document.title), "白岡市の在宅医療・介護資源マップ");
  const frameBox = await page.locator("#care-atlas").boundingBox();
  assert.equal(Math.round(frameBox.height), 600, "a wide page keeps the frame's height");
  const mapBox = await frame.locator("#map").boundingBox();
  assert.ok(mapBox.height >= 0.85 * frameBox.height, `the map is ${mapBox.height} px of ${frameBox.height}`);
  assert.ok(mapBox.width >= 0.6 * frameBox.width, `the map is ${mapBox.width} px wide of ${frameBox.width}`);
  // The view fits 白岡市: its boundary's box is inside the map's view, and fills much of it.
  const fit = await frame.locator("body").evaluate(async (_, code) => {
    const area = await (await fetch(`/areas/${code}`)).json();
    const ring = area.geometry.coordinates.flat(2);
    const lons = ring.map((c) => c[0]);
    const lats = ring.map((c) => c[1]);
    return { lon: [Math.min(...lons), Math.max(...lons)], lat: [Math.min(...lats), Math.max(...lats)] };
  }, SHIRAOKA);
  const bounds = await frame.locator("#map").evaluate((node) => JSON.parse(node.dataset.view).bounds);
  assert.ok(bounds, "the page reports its view");
  assert.ok(bounds.west <= fit.lon[0] && bounds.east >= fit.lon[1] && bounds.south <= fit.lat[0] && bounds.north >= fit.lat[1], JSON.stringify({ bounds, fit }));
  assert.ok((fit.lon[1] - fit.lon[0]) / (bounds.east - bounds.west) > 0.4 || (fit.lat[1] - fit.lat[0]) / (bounds.north - bounds.south) > 0.4, "the town fills the view");
  // Towns are named on the map; the legend explains lines, fill and shapes.
  const labels = await frame.locator(".town-label").allInnerTexts();
  for (const town of ["白岡市", "蓮田市", "宮代町"]) assert.ok(labels.includes(town), labels.join(","));
  await frame.locator("#gap-toggle").check();
  await frame.locator("path.care-atlas-gap").first().waitFor();
  const legend = await frame.locator(".map-legend").innerText();
  for (const words of ["市町の境界", "周辺の市町", "空白地域", "位置は概略", "区域外の施設"]) assert.ok(legend.includes(words), legend);
  await page.screenshot({ path: join(shots, "embed-iframe-1280.png") });
  await page.close();
});

browserTest("at 375 px the frame grows to its page, so nothing scrolls inside it, and a result shows its station on the map", async () => {
  const { page, frame } = await hostPage({ width: 375, height: 800 });
  await search(frame, NURSE_ADDRESS);
  await page.waitForFunction(() => {
    const node = document.getElementById("care-atlas");
    return node.getBoundingClientRect().height > 900;
  });
  const inner = await frame.locator("html").evaluate((node) => ({ scroll: node.scrollHeight, client: node.clientHeight, width: node.scrollWidth - node.clientWidth }));
  assert.ok(inner.scroll <= inner.client + 1, `the frame's page scrolls inside: ${JSON.stringify(inner)}`);
  assert.ok(inner.width <= 0, `the frame's page scrolls sideways by ${inner.width} px`);
  const mapBox = await frame.locator("#map").boundingBox();
  assert.ok(mapBox.height >= 260 && mapBox.height <= 440, `map height ${mapBox.height}`);
  // Choosing a result far down the page brings the map with its details back into view.
  await frame.locator("#nearest-list > li[data-id]").nth(4).locator(".card-actions button").click();
  await frame.locator(".leaflet-popup-content").waitFor();
  // The map scrolls into view and pans until the details fit (Leaflet animates the pan).
  const onScreen = async () => {
    const popup = await frame.locator(".leaflet-popup").boundingBox();
    const map = await frame.locator("#map").boundingBox();
    const inside = popup.y >= map.y - 1 && popup.y + popup.height <= map.y + map.height + 1;
    return inside && popup.y >= 0 && popup.y + popup.height <= 800 + 1 ? popup : null;
  };
  let popup = null;
  for (let tries = 0; tries < 20 && !popup; tries += 1) popup = await onScreen() ?? (await page.waitForTimeout(100), null);
  assert.ok(popup, `the popup is on screen and inside the map: ${JSON.stringify(await frame.locator(".leaflet-popup").boundingBox())} ${JSON.stringify(await frame.locator("#map").boundingBox())}`);
  await page.screenshot({ path: join(shots, "embed-375-popup.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, "embed-375.png"), fullPage: true });
  await page.close();
});

browserTest("the <care-atlas-map> element takes the map's title and sizes itself on a phone", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await page.goto(`${hostBase}/element`);
  const frame = page.frameLocator("care-atlas-map iframe");
  await frame.locator("body[data-ready=true]").waitFor({ timeout: 90_000 });
  await page.waitForFunction(() => document.querySelector("care-atlas-map iframe").title === "白岡市の在宅医療・介護資源マップ");
  await page.waitForFunction(() => document.querySelector("care-atlas-map iframe").getBoundingClientRect().height > 700);
  const inner = await frame.locator("html").evaluate((node) => node.scrollHeight - node.clientHeight);
  assert.ok(inner <= 1, `scrolls inside by ${inner} px`);
  await page.close();
});

browserTest("lat and lon open the map exactly there", async () => {
  const page = await openMap("kind=visiting_nursing_station&lat=36.0183&lon=139.6702&zoom=15&tiles=none", { width: 1280, height: 600 });
  const centre = await page.locator("#map").evaluate((node) => JSON.parse(node.dataset.view).centre);
  // Within 5 m (the 1.2 km the frame's late layout used to cost).
  assert.ok(Math.abs(centre.lat - 36.0183) < 5e-5 && Math.abs(centre.lon - 139.6702) < 6e-5, JSON.stringify(centre));
  await page.close();
});

browserTest("keyboard only: address, results, details, Esc, kind filter, map centre and markers", async () => {
  const page = await openMap(stations, { width: 1280, height: 600 });
  const active = () => page.evaluate(() => ({ id: document.activeElement.id, text: document.activeElement.textContent, classes: document.activeElement.className, tag: document.activeElement.tagName }));
  // 1. Tab from the top reaches the kind filter's button first, then the address box.
  await tabUntil(page, () => document.activeElement.id === "kind-button", 3);
  await tabUntil(page, () => document.activeElement.id === "address", 6);
  // 2. Type the address and press Enter: five results, announced.
  await page.keyboard.type(NURSE_ADDRESS);
  await page.keyboard.press("Enter");
  await page.locator("#nearest-list li h3").first().waitFor();
  assert.match(await page.locator("#status").innerText(), /新白岡四丁目.*5件/);
  // 3. Tab on to the first result's phone link, then its 「地図で見る」: Enter opens the details,
  //    which take the focus; Esc closes them and gives the focus back.
  await tabUntil(page, () => document.activeElement.classList.contains("tel"));
  assert.equal((await active()).tag, "A");
  await tabUntil(page, () => document.activeElement.closest(".card-actions") !== null);
  await page.keyboard.press("Enter");
  await page.locator(".leaflet-popup-content").waitFor();
  assert.equal((await active()).tag, "H2");
  assert.equal(await page.locator(".leaflet-popup-close-button").getAttribute("aria-label"), "詳細を閉じる");
  assert.equal(await page.locator(".leaflet-control-zoom-in").getAttribute("aria-label"), "拡大");
  assert.match(await page.locator("#status").innerText(), /詳細を開きました/);
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector(".leaflet-popup"));
  assert.ok(await page.evaluate(() => document.activeElement.closest(".card-actions") !== null), "focus is back on the button");
  // 4. The kind filter opens with Enter, a kind is toggled with Space, Esc closes it and returns.
  await page.locator("#kind-button").focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#kind-button").getAttribute("aria-expanded"), "true");
  assert.equal((await active()).tag, "INPUT");
  await tabUntil(page, () => document.activeElement.id === "kind-clinic", 20);
  await page.keyboard.press("Space");
  assert.equal(await page.locator("#kind-clinic").isChecked(), true);
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("#kind-panel").isHidden(), true);
  assert.equal((await active()).id, "kind-button");
  assert.match(await page.locator("#kind-summary").innerText(), /訪問看護ステーション・診療所/);
  await page.locator("#kind-button").press("Enter");
  await page.locator("#kind-clinic").press("Space");
  await page.keyboard.press("Escape");
  // 5. The skip link passes the map (and its markers) to the list; the map comes after it, where
  //    arrow keys move it and 「地図の中心から探す」 lists the nearest to its centre.
  await tabUntil(page, () => document.activeElement.id === "skip-map", 60);
  await page.keyboard.press("Enter");
  assert.equal((await active()).id, "more");
  await page.locator("#skip-map").focus();
  await page.keyboard.press("Tab");
  assert.equal((await active()).id, "map");
  const before = await page.locator("#map").evaluate((node) => JSON.parse(node.dataset.view).centre);
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((lon) => JSON.parse(document.getElementById("map").dataset.view).centre.lon > lon, before.lon);
  await page.locator("#centre-search").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("results-origin").textContent.includes("地図の中心"));
  assert.equal(await page.locator("#nearest-list > li[data-id]").count(), 5);
  // 6. Markers are in the tab order after the map: Enter opens one, Esc closes it and returns.
  await page.locator("#map").focus();
  await page.keyboard.press("Tab");
  const marker = await active();
  assert.ok(marker.classes.includes("care-atlas-marker"), JSON.stringify(marker));
  const name = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
  await page.keyboard.press("Enter");
  await page.locator(".leaflet-popup-content").waitFor();
  assert.ok(name.startsWith(await page.locator(".leaflet-popup-content h2").innerText()), name);
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector(".leaflet-popup"));
  assert.ok((await active()).classes.includes("care-atlas-marker"));
  await page.close();
});

browserTest("axe-core finds no serious or critical WCAG 2.2 AA violation, at 1280 and 375 px, in Japanese and English", async () => {
  const report = [];
  for (const [viewport, query] of [[{ width: 1280, height: 600 }, stations], [{ width: 375, height: 800 }, stations], [{ width: 1280, height: 600 }, `${stations}&lang=en`]]) {
    const page = await openMap(query, viewport);
    const states = [];
    states.push(["opened", await axeViolations(page)]);
    await page.locator("#kind-button").click();
    states.push(["kind filter open", await axeViolations(page)]);
    await page.keyboard.press("Escape");
    await page.locator("#gap-toggle").check();
    await page.locator("path.care-atlas-gap").first().waitFor();
    await search(page, NURSE_ADDRESS);
    states.push(["gaps and results", await axeViolations(page)]);
    await page.locator("#nearest-list .card-actions button").first().click();
    await page.locator(".leaflet-popup-content").waitFor();
    await page.waitForFunction(() => getComputedStyle(document.querySelector(".leaflet-popup")).opacity === "1");
    states.push(["details open", await axeViolations(page)]);
    await page.locator("#list-title").click();
    states.push(["list open", await axeViolations(page)]);
    await page.close();
    for (const [state, result] of states) report.push({ viewport: viewport.width, query, state, rules_passed: result.passed, violations: result.violations });
  }
  // The whole report, minor and moderate findings included, for the record.
  writeFileSync(join(shots, "embed-axe-report.json"), JSON.stringify(report, null, 1));
  const failing = report.map((r) => ({ ...r, violations: serious(r.violations) })).filter((r) => r.violations.length);
  assert.deepEqual(failing, [], JSON.stringify(failing, null, 1));
  assert.equal(report.length, 15);
});

browserTest("every text on the page is at least 12 px", async () => {
  const page = await openMap(stations, { width: 375, height: 800 });
  await search(page, NURSE_ADDRESS);
  await page.locator("#list-title").click();
  await page.locator("#kind-button").click();
  const small = await page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.textContent.trim() || !parent.getClientRects().length || parent.closest("script, .visually-hidden")) continue;
      const size = parseFloat(getComputedStyle(parent).fontSize);
      if (size < 12) found.push(`${size}px: ${node.textContent.trim().slice(0, 30)}`);
    }
    for (const marker of document.querySelectorAll(".fac")) {
      const size = parseFloat(getComputedStyle(marker, "::before").fontSize);
      if (size < 12) found.push(`${size}px: marker symbol`);
    }
    return found;
  });
  assert.deepEqual(small, []);
  await page.close();
});

browserTest("a bad option shows a short page in the city's frame naming it, in the page's language", async () => {
  for (const [query, words] of [[`area=99999&tiles=none`, ["地図を表示できません", "area"]], [`kind=nope&lang=en&tiles=none`, ["The map cannot be shown", "kind"]]]) {
    const page = await browser.newPage({ viewport: { width: 375, height: 700 } });
    await page.goto(`${hostBase}/?q=${encodeURIComponent(query)}`);
    const frame = page.frames().find((f) => f.url().includes("/embed?"));
    await frame.waitForLoadState();
    const body = await frame.locator("body").innerText();
    for (const word of words) assert.ok(body.includes(word), body);
    assert.ok(!body.trim().startsWith("{"), "not raw JSON");
    if (query.includes("lang=en")) assert.equal(await frame.locator("html").getAttribute("lang"), "en");
    await frame.evaluate(axeSource);
    const violations = await frame.evaluate(async () => (await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"] } })).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id));
    assert.deepEqual(violations, []);
    await page.screenshot({ path: join(shots, `embed-error-${query.includes("lang=en") ? "en" : "ja"}.png`) });
    await page.close();
  }
});
