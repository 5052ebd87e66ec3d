// Measures the team page's first load in Chromium: bytes transferred per resource and time to
// interactive (the page hydrated), with no CPU throttle and with a 4x throttle
// (CDP `Emulation.setCPUThrottlingRate`), over loopback, with an empty cache each run.
//
//   BASE_URL=http://127.0.0.1:3000 node measure/first-load.mjs [runs]
//
// against a running server (a release build: `cargo leptos build --release --precompress`,
// then `target/release/server` with LEPTOS_HASH_FILES=true). It signs a new person up,
// makes a team and measures its page. Time to interactive is the first task after
// `hydrate()` returns: Leptos calls it, and then hydrates each island, in the continuation
// of the WASM's instantiation, so a timer set there fires once hydration is done.
//
// The floor, measured in the same run, runs for runs, at each throttle: the same page with
// JavaScript off, ready at its load event (HTML, CSS and favicon fetched, laid out and
// painted; no WASM, nothing to hydrate). No page with the same content can be interactive
// sooner in this browser on this machine.
import { chromium } from '@playwright/test';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const RUNS = Number(process.argv[2] ?? 10);
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const args = ['--disable-gpu', '--no-first-run', '--disable-quic', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];

const markHydrated = () => {
  const mark = (p) =>
    p.then((result) => {
      setTimeout(() => {
        window.__hydratedAt = performance.now();
      }, 0);
      return result;
    });
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (...a) => mark(streaming.apply(WebAssembly, a));
  const plain = WebAssembly.instantiate;
  WebAssembly.instantiate = (...a) => mark(plain.apply(WebAssembly, a));
};

async function teamPage(browser) {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  const email = `measure-${Date.now()}@example.com`;
  await page.goto('/signup');
  await page.waitForFunction(() => document.querySelector('script') !== null);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill('Measure');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('.account .who').waitFor();
  await page.goto('/');
  await page.getByLabel('Team name').fill(`Measured ${Date.now()}`);
  await page.getByRole('button', { name: 'Make the team' }).click();
  await page.waitForURL(/\/teams\//);
  return { path: new URL(page.url()).pathname, cookies: await context.cookies(), context };
}

async function once(browser, path, cookies, rate, javaScript) {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: javaScript });
  await context.addCookies(cookies);
  if (javaScript) await context.addInitScript(markHydrated);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const encoded = new Map();
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, [e.response.url, e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '-']));
  cdp.on('Network.loadingFinished', (e) => encoded.set(e.requestId, e.encodedDataLength));
  await page.goto(path, { waitUntil: 'load' });
  if (javaScript) {
    await page.waitForFunction(() => window.__hydratedAt !== undefined, undefined, { timeout: 60_000 });
  }
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { tti: window.__hydratedAt ?? nav.loadEventEnd, fcp: paint?.startTime ?? NaN, load: nav.loadEventEnd };
  });
  const resources = [...encoded].map(([id, bytes]) => ({ url: urls.get(id)?.[0] ?? id, encoding: urls.get(id)?.[1], bytes }));
  await context.close();
  return { ...timing, resources };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const browser = await chromium.launch({ executablePath: CHROMIUM, args });
const { path, cookies, context } = await teamPage(browser);
await context.close();
for (const rate of [1, 4]) {
  const runs = [];
  const floors = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await once(browser, path, cookies, rate, true));
    floors.push(await once(browser, path, cookies, rate, false));
  }
  const first = runs[0];
  if (rate === 1) {
    console.log('resources of the first load (bytes on the wire, headers included):');
    for (const r of first.resources) console.log(`  ${String(r.bytes).padStart(8)}  ${r.encoding.padEnd(5)} ${new URL(r.url).pathname}`);
    console.log(`  ${String(first.resources.reduce((s, r) => s + r.bytes, 0)).padStart(8)}  in all`);
  }
  const ms = (key, of = runs) => `${median(of.map((r) => r[key])).toFixed(0)} ms (min ${Math.min(...of.map((r) => r[key])).toFixed(0)}, max ${Math.max(...of.map((r) => r[key])).toFixed(0)})`;
  console.log(`CPU throttle ${rate}x, ${RUNS} runs, medians: interactive ${ms('tti')}; first contentful paint ${ms('fcp')}; load ${ms('load')}`);
  const ratio = median(runs.map((r) => r.tti)) / median(floors.map((r) => r.tti));
  console.log(`  floor (JavaScript off, ready at load): ${ms('tti', floors)}; interactive / floor ${ratio.toFixed(2)}x`);
}
await browser.close();
