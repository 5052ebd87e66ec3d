import { test, expect } from '@playwright/test';
import { collectErrors, watchWasmInstantiation } from './support';

// Smoke tests: the server is up, the home page renders on the server and
// hydrates in the browser without a single console error.

test('GET /healthz answers 200', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
});

test('home page renders, hydrates and logs no errors', async ({ page }) => {
  const errors = collectErrors(page);
  const failedAssets: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/pkg/') && response.status() >= 400) {
      failedAssets.push(`${response.status()} ${url.pathname}`);
    }
  });
  page.on('requestfailed', (request) => {
    failedAssets.push(`failed ${request.url()}: ${request.failure()?.errorText ?? '?'}`);
  });
  await watchWasmInstantiation(page);

  const wasmResponse = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('.wasm'));
  const response = await page.goto('/');
  expect(response, 'navigation to / got no response').not.toBeNull();
  expect(response!.status()).toBe(200);

  // Server-rendered: the title is in the HTML before any WASM runs.
  const html = await response!.text();
  expect(html).toMatch(/<title[^>]*>[^<]*Tidings[^<]*<\/title>/);
  await expect(page).toHaveTitle(/Tidings/);

  // The hydration script fetched the app's WASM...
  expect((await wasmResponse).status()).toBe(200);
  // ...instantiated it (and so called hydrate())...
  await page.waitForFunction(() => window.__e2eWasmInstantiated === true, undefined, {
    timeout: 20_000,
  });
  // ...and the page settles: give effects and late errors a moment to show up.
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);

  await expect(page).toHaveTitle(/Tidings/);
  expect(failedAssets, 'site assets that failed to load').toEqual([]);
  expect(errors, 'console errors and page errors after hydration').toEqual([]);
});
