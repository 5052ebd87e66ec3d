import type { Page } from '@playwright/test';

// Shared by the specs: error collection, and waiting until the WASM has hydrated the page.

declare global {
  interface Window {
    __e2eWasmInstantiated?: boolean;
  }
}

/** Collects console errors and uncaught page errors from the moment it is called. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  // Pages for unknown or foreign ids answer 404 by design, and Chromium logs each 404 it
  // loads: a navigation's own 404 is not an error of the page.
  const notFoundPages = new Set<string>();
  page.on('response', (response) => {
    if (response.status() === 404 && response.request().isNavigationRequest()) {
      notFoundPages.add(response.url());
    }
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      // Chromium asks for /favicon.ico on its own; a missing one is not an
      // app error.
      if (loc.url && new URL(loc.url).pathname === '/favicon.ico') return;
      if (loc.url && notFoundPages.has(loc.url) && msg.text().includes('status of 404')) return;
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
export async function watchWasmInstantiation(page: Page): Promise<void> {
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


/** Opens `path` and waits until the page is hydrated, so clicks take the WASM path. */
export async function gotoHydrated(page: Page, path: string): Promise<void> {
  await watchWasmInstantiation(page);
  await page.goto(path);
  await page.waitForFunction(() => window.__e2eWasmInstantiated === true, undefined, {
    timeout: 20_000,
  });
  await page.waitForLoadState('load');
}

/** A title no other test uses, so specs can share one server. */
export function uniqueTitle(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The password every test person signs up with. */
export const PASSWORD = 'correct horse battery';

/** An email address no other test uses. */
export function uniqueEmail(name: string): string {
  return `${name.toLowerCase()}-${uniqueTitle('x').split(' ')[1]}@example.com`;
}

/**
 * Signs a new person up through the sign-up page (hydrated, or with plain form posts when
 * JavaScript is disabled) and waits until the home page greets them.
 */
export async function signUp(page: Page, name: string, hydrated: boolean): Promise<string> {
  const email = uniqueEmail(name);
  if (hydrated) {
    await gotoHydrated(page, '/signup');
  } else {
    await page.goto('/signup');
  }
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('.account .who', { hasText: name }).waitFor();
  return email;
}

/** Makes a team from the home page and opens it; returns its name. */
export async function makeTeam(page: Page, prefix: string, hydrated: boolean): Promise<string> {
  const name = uniqueTitle(prefix);
  if (hydrated) {
    await gotoHydrated(page, '/');
  } else {
    await page.goto('/');
  }
  await page.getByLabel('Team name').fill(name);
  await page.getByRole('button', { name: 'Make the team' }).click();
  if (!hydrated) {
    // Without JavaScript the form comes back to the home page, which now lists the team.
    await page.locator('.team-list').getByRole('link', { name }).click();
  }
  await page.getByRole('heading', { level: 1, name }).waitFor();
  return name;
}

/** A fresh UUIDv7, as the server's command ids must be. */
export function uuidv7(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const now = Date.now();
  for (let i = 0; i < 6; i++) {
    bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
