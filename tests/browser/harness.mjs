// What the browser tests share: the real care-atlas binary serving a real SQLite file imported from
// data/ on a free port, and Debian's Chromium driven by playwright-core. Without Chromium the tests
// are skipped loudly; CARE_ATLAS_REQUIRE_BROWSER=1 (set by .ci/run) turns that skip into a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const repo = resolve(import.meta.dirname, "../..");
const binary = join(process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repo, "target"), "debug/care-atlas");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const required = process.env.CARE_ATLAS_REQUIRE_BROWSER === "1";
export const haveBrowser = existsSync(executablePath);

if (!haveBrowser) {
  const message = `\n*** BROWSER TESTS SKIPPED: no Chromium at ${executablePath}. Install it with \`apt-get install chromium\` (or set CHROMIUM=/path/to/chromium). ***\n`;
  if (required) throw new Error(`CARE_ATLAS_REQUIRE_BROWSER=1 but ${message}`);
  console.warn(message);
}

/** A test that needs Chromium: skipped, loudly, without it. */
export const browserTest = (name, body, options = {}) => test(name, { skip: !haveBrowser && "no Chromium", ...options }, body);

/** A free port on the loopback interface. */
export const freePort = () =>
  new Promise((ok) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });

async function waitFor(url, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

// The server and its database are cleaned up by a shell that outlives this process: it waits for
// its standard input (a pipe from us) to close, which happens however we end (the tests' `after`,
// a failure in `before`, Ctrl-C, SIGKILL), then kills the server and removes the directory. It
// runs in a process group of its own and ignores hang-up, interrupt and terminate, so that it lives
// to do so.
const KEEPER = `trap '' HUP INT TERM
"$0" serve --db "$1/atlas.db" --bind "$2" >/dev/null 2>&1 & server=$!
cat >/dev/null; kill -KILL "$server"; wait "$server" 2>/dev/null; rm -rf "$1"`;

/** The binary serving a fresh import of `data` (default data/): its base URL and how to stop it. */
export async function startServer(data = "data") {
  assert.ok(existsSync(binary), `${binary} is missing: run \`cargo build\` (make test does)`);
  const dir = mkdtempSync(join(tmpdir(), "care-atlas-browser-"));
  try {
    execFileSync(binary, ["import", "--db", join(dir, "atlas.db"), data], { cwd: repo, stdio: "ignore" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  // `detached`: a process group of its own, which a signal to the tests' group, even SIGKILL, misses.
  const keeper = spawn("sh", ["-c", KEEPER, binary, dir, `127.0.0.1:${port}`], { stdio: ["pipe", "ignore", "ignore"], detached: true });
  // Neither keeps this process alive: when it ends, the pipe closes and the shell cleans up.
  keeper.unref();
  keeper.stdin.unref();
  const stop = () => keeper.stdin.end();
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/healthz`, 120);
  } catch (error) {
    stop();
    throw error;
  }
  return { base, stop };
}

/** Headless Chromium with no background traffic. */
export const launchBrowser = () =>
  chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
