import { test, expect, type Page } from '@playwright/test';

// Smoke tests: the server is up, the home page renders on the server and
// hydrates in the browser without a single console error.

declare global {
  interface Window {
    __e2eWasmInstantiated?: boolean;
  }
}

/** Collects console errors and uncaught page errors from the moment it is called. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      // Chromium asks for /favicon.ico on its own; a missing one is not an
      // app error.
      if (loc.url && new URL(loc.url).pathname === '/favicon.ico') return;
      const where = loc.url ? ` (${loc.url}:${loc.lineNumber})` : '';
      errors.push(`console.error: ${msg.text()}${where}`);
    }
  });
  page.on('pageerror', (err) => {
    errors.push(`pageerror: ${err.name}: ${err.message}`);
  });
  page.on('crash', () => {
    errors.push('page crashed');
  });
  return errors;
}

/**
 * Marks the moment the app's WebAssembly module is instantiated. Leptos'
 * hydration script calls `hydrate()` in the promise continuation right after
 * wasm-bindgen's init resolves, so once this flag is set (and a task has
 * passed), `hydrate()` has run.
 */
async function watchWasmInstantiation(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__e2eWasmInstantiated = false;
    const mark = <T,>(p: Promise<T>): Promise<T> =>
      p.then((result) => {
        window.__e2eWasmInstantiated = true;
        return result;
      });
    const streaming = WebAssembly.instantiateStreaming;
    if (streaming) {
      WebAssembly.instantiateStreaming = ((...args: Parameters<typeof streaming>) =>
        mark(streaming.apply(WebAssembly, args))) as typeof WebAssembly.instantiateStreaming;
    }
    const plain = WebAssembly.instantiate;
    WebAssembly.instantiate = ((...args: Parameters<typeof plain>) =>
      mark((plain as (...a: unknown[]) => Promise<unknown>).apply(WebAssembly, args))) as typeof WebAssembly.instantiate;
  });
}

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
