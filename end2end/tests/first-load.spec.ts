import { test, expect } from '@playwright/test';
import http from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { gotoHydrated, makeTeam, signUp } from './support';

// The team page's first load, in bytes as sent to a browser that accepts brotli: the page
// itself, and every file it makes the browser fetch before it is interactive (the JS glue,
// the WASM, the stylesheet, the favicon). Byte counts are deterministic for a build, so the
// budget is a test; time is measured elsewhere (BENCHMARKS.md, `npm run measure`).

/**
 * Issue 19's target for the whole first load (HTML + JS + WASM + CSS + favicon), brotli. Not
 * met: the WASM alone is 263 KB brotli, and the least a Leptos 0.8 islands WASM with one
 * form is, 107 KB (`scripts/wasm-floor`; BENCHMARKS.md, "First load").
 */
const TARGET_BYTES = 150_000;
/**
 * What this test holds the first load to until the target is met: the islands build of
 * 2026-12-02 (272,426 B) and 3% more, so that no change adds weight unseen. Lower it as the
 * WASM shrinks.
 */
const BUDGET_BYTES = 281_000;
const YEAR = 'public, max-age=31536000, immutable';

interface Sent {
  path: string;
  status: number;
  bytes: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** GETs `path` as a browser asking for brotli would, and keeps the bytes as sent (no decoding). */
function fetchRaw(baseURL: string, path: string, cookie: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      new URL(path, baseURL),
      { headers: { 'accept-encoding': 'br, gzip', cookie } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ path, status: response.statusCode ?? 0, bytes: body.length, headers: response.headers, body });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** The files a page names in its head: the stylesheet, the favicon, the JS and the WASM. */
function assetsOf(html: string): string[] {
  const paths = new Set<string>();
  for (const match of html.matchAll(/(?:href|src)="(\/[^"]+)"/g)) {
    if (match[1].startsWith('/pkg/') || match[1] === '/favicon.svg') paths.add(match[1]);
  }
  for (const match of html.matchAll(/['"](\/pkg\/[^'"]+\.(?:js|wasm))['"]/g)) paths.add(match[1]);
  return [...paths].sort();
}

test('the team page first load stays within its byte budget, brotli, with long-lived assets', async ({
  page,
  baseURL,
}) => {
  await signUp(page, 'Budget', true);
  await makeTeam(page, 'Scales', true);
  const team = new URL(page.url()).pathname;
  await gotoHydrated(page, team);
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

  const html = await fetchRaw(baseURL!, team, cookie);
  expect(html.status).toBe(200);
  expect(html.headers['content-encoding']).toBe('br');
  expect(html.headers['cache-control']).toBe('no-cache');
  const assets = assetsOf(brotliDecompressSync(html.body).toString('utf8'));
  for (const kind of ['.js', '.wasm', '.css', 'favicon.svg']) {
    expect(assets.some((path) => path.endsWith(kind)), `the page names a ${kind}`).toBe(true);
  }

  const sent = [html];
  for (const path of assets) {
    const file = await fetchRaw(baseURL!, path, cookie);
    expect(file.status, path).toBe(200);
    if (path.startsWith('/pkg/')) {
      expect(file.headers['content-encoding'], path).toBe('br');
      expect(file.headers['cache-control'], path).toBe(YEAR);
      expect(path, 'a file named after its content').toMatch(/\.[A-Za-z0-9_-]{22}\.(js|wasm|css)$/);
    }
    sent.push(file);
  }
  const total = sent.reduce((sum, file) => sum + file.bytes, 0);
  for (const file of sent) console.log(`first load: ${String(file.bytes).padStart(8)} B  ${file.path}`);
  console.log(
    `first load: ${String(total).padStart(8)} B  in all (budget ${BUDGET_BYTES} B; ` +
      `issue 19's target ${TARGET_BYTES} B ${total <= TARGET_BYTES ? 'met' : 'not met'})`,
  );
  expect(total, 'bytes of the first load, brotli').toBeLessThanOrEqual(BUDGET_BYTES);
});
