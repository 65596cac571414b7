// The map and the planner cannot be made to run script, neither through an imported record (a
// name, address, phone, opening days or web address written as markup or a script URL) nor through
// the pages' options. The real binary imports a copy of data/ with hostile records added, and
// Chromium opens the pages with a listener for dialogs; every payload only sets a flag, which must
// stay unset, and must show as the text it is.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserTest as shared, haveBrowser, launchBrowser, repo, startServer } from "./harness.mjs";

const browserTest = (name, body) => shared(name, body, { timeout: 180_000 });
const NAME = `<img src=x onerror="window.__pwned='name'">訪問看護テスト`;
const ADDRESS = `埼玉県白岡市新白岡4-14<script>window.__pwned='address'</script>`;
let server, browser, base, dataDir;

before(async () => {
  if (!haveBrowser) return;
  dataDir = mkdtempSync(join(tmpdir(), "care-atlas-hostile-"));
  cpSync(join(repo, "data"), dataDir, { recursive: true });
  const csv = (text) => `"${text.replaceAll('"', '""')}"`;
  // Two stations in 白岡市 near 新白岡: one with markup everywhere text goes, one whose web address is
  // a script URL (the import leaves such an address out) and whose opening days carry markup.
  const rows = [
    ["mhlw-kaigo-130-9990000001", "visiting_nursing_station", NAME, "", ADDRESS, "11246", "36.0390", "139.6735", "source", "",
      `0480<b onmouseover=window.__pwned=1>0`, `https://example.org/"><script>window.__pwned='url'</script>`, "", `平日|<svg onload="window.__pwned='days'">`, "mhlw-kaigo-130", "9990000001", "2026-07-12", "", "", "", ""],
    ["mhlw-kaigo-130-9990000002", "visiting_nursing_station", `"><script>window.__pwned='name2'</script>`, "", "埼玉県白岡市新白岡4-15", "11246", "36.0395", "139.6740", "source", "",
      "0480-00-0001", "javascript:window.__pwned='link'", "", "", "mhlw-kaigo-130", "9990000002", "2026-07-12", "", "", "", ""],
  ];
  const file = join(dataDir, "facilities.csv");
  const original = readFileSync(file, "utf8");
  writeFileSync(file, original + rows.map((r) => r.map(csv).join(",")).join("\r\n") + "\r\n");
  server = await startServer(dataDir);
  base = server.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(path, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const dialogs = [];
  page.on("dialog", (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  const response = await page.goto(`${base}${path}`);
  return { page, dialogs, response };
}

const pwned = (page) => page.evaluate(() => window.__pwned ?? null);

browserTest("hostile imported records show as text on the map, in its lists and popups, and run nothing", async () => {
  const { page, dialogs } = await open("/embed?kind=visiting_nursing_station&area=11246&tiles=none");
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  // The town's list, the nearest list and a popup: every place a record's text is shown.
  await page.locator("#list-title").click();
  assert.ok((await page.locator("#facility-list").innerText()).includes(NAME), "the name shows as written");
  await page.locator("#address").fill("白岡市新白岡4-14");
  await page.locator("#address").press("Enter");
  await page.locator('#nearest-list li[data-id="mhlw-kaigo-130-9990000001"]').waitFor();
  const card = await page.locator('#nearest-list li[data-id="mhlw-kaigo-130-9990000001"]').innerText();
  assert.ok(card.includes(NAME) && card.includes(ADDRESS), card);
  await page.locator('#nearest-list li[data-id="mhlw-kaigo-130-9990000001"] .card-actions button').click();
  await page.locator(".leaflet-popup-content").waitFor();
  assert.ok((await page.locator(".leaflet-popup-content").innerText()).includes(NAME));
  await page.locator(".leaflet-popup-content").hover();
  // No element was made from a payload, and no link goes to a script.
  assert.equal(await page.locator("img[src=x], script:not([src]):not([type]), svg[onload], b[onmouseover]").count(), 0);
  const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.every((href) => !/^\s*javascript:/i.test(href)), hrefs.join("\n"));
  assert.equal(await pwned(page), null);
  assert.deepEqual(dialogs, []);
  await page.close();
});

browserTest("the planner shows hostile records as text and runs nothing", async () => {
  const { page, dialogs } = await open("/planner?area=11246&kind=visiting_nursing_station&radius_m=2000&tiles=none");
  await page.waitForSelector("body[data-ready=true]", { timeout: 90_000 });
  assert.equal(await page.locator("img[src=x], svg[onload], b[onmouseover]").count(), 0);
  assert.equal(await pwned(page), null);
  assert.deepEqual(dialogs, []);
  await page.close();
});

browserTest("no option of the pages runs script: markup and script URLs are refused or shown as text", async () => {
  const payload = `"><script>window.__pwned='option'</script><img src=x onerror="window.__pwned='option'">`;
  for (const path of [
    `/embed?area=${encodeURIComponent(payload)}`,
    `/embed?kind=${encodeURIComponent(payload)}`,
    `/embed?lang=${encodeURIComponent(payload)}`,
    `/embed?tiles=${encodeURIComponent(payload)}`,
    `/embed?lat=${encodeURIComponent(payload)}&lon=139`,
    `/planner?area=${encodeURIComponent(payload)}`,
    `/planner/report?add=${encodeURIComponent(payload)}`,
    `/embed?kind=visiting_nursing_station&tiles=none&zoom=12#${encodeURIComponent(payload)}`,
  ]) {
    const { page, dialogs, response } = await open(path);
    await page.waitForLoadState("load");
    await page.waitForTimeout(200);
    assert.equal(await page.locator("img[src=x]").count(), 0, path);
    assert.equal(await pwned(page), null, path);
    assert.deepEqual(dialogs, [], path);
    if (response.status() === 400) assert.ok((await page.locator("body").innerText()).length > 0, path);
    await page.close();
  }
});
