import { test, expect, type Browser, type Page } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Two instances of the server on one PostgreSQL database (playwright.config.ts starts them):
// a browser on each. A change made through one instance is shown live by the browser on the
// other; a browser that was offline while changes were made through both instances shows
// every one of them, once, when it is back.

const A = process.env.E2E_INSTANCE_A ?? '';
const B = process.env.E2E_INSTANCE_B ?? '';

async function person(browser: Browser, instance: string, name: string) {
  const context = await browser.newContext({ baseURL: instance });
  const page = await context.newPage();
  await signUp(page, name, true);
  return { context, page };
}

async function addTodo(page: Page, title: string) {
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.locator('.todo-card', { hasText: title })).toBeVisible();
}

test('a change made through one instance is shown live on the other, and after being offline, every change of both, once', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  expect(A, 'E2E_INSTANCE_A (set by playwright.config.ts)').not.toBe('');
  // Playwright waited for B to answer; A starts beside it.
  await expect.poll(async () => (await fetch(`${A}/healthz`)).status, { timeout: 30_000 }).toBe(200);

  const ana = await person(browser, A, 'Ana');
  const ben = await person(browser, B, 'Ben');
  const errors = [collectErrors(ana.page), collectErrors(ben.page)];
  const team = await makeTeam(ana.page, 'Instances', true);
  const teamPath = new URL(ana.page.url()).pathname;

  // Ana makes an invite link on A; Ben opens it on B and joins there.
  await gotoHydrated(ana.page, `${teamPath}/members`);
  await ana.page.getByLabel('Who may use it').selectOption('reusable');
  await ana.page.getByRole('button', { name: 'Make an invite link' }).click();
  const link = new URL(await ana.page.locator('#invite-link').inputValue());
  await gotoHydrated(ben.page, link.pathname);
  await ben.page.getByRole('button', { name: `Join ${team}` }).click();
  await expect(ben.page.getByRole('heading', { level: 1, name: team })).toBeVisible();

  await gotoHydrated(ana.page, teamPath);
  await gotoHydrated(ben.page, teamPath);
  for (const page of [ana.page, ben.page]) {
    await expect(page.locator('.live-indicator')).toHaveText('live');
  }

  // A to B, then B to A, each without a reload.
  const fromA = uniqueTitle('Made on A');
  await addTodo(ana.page, fromA);
  await expect(ben.page.locator('.todo-card', { hasText: fromA })).toBeVisible({ timeout: 5_000 });
  const fromB = uniqueTitle('Made on B');
  await addTodo(ben.page, fromB);
  await expect(ana.page.locator('.todo-card', { hasText: fromB })).toBeVisible({ timeout: 5_000 });

  // Ben goes offline. Ana makes changes through both instances: her session, made on A, is
  // also B's (one database; the cookie is the host's, whatever the port).
  await ben.context.setOffline(true);
  await expect(ben.page.locator('.live-indicator')).toHaveText(/offline|reconnecting…/);
  const anaOnB = await ana.context.newPage();
  await gotoHydrated(anaOnB, `${B}${teamPath}`);
  await expect(anaOnB.locator('.account .who', { hasText: 'Ana' })).toBeVisible();
  const whileOffline: string[] = [];
  for (let i = 0; i < 3; i++) {
    for (const [page, on] of [
      [ana.page, 'A'],
      [anaOnB, 'B'],
    ] as const) {
      const title = uniqueTitle(`Offline change ${i} on ${on}`);
      await addTodo(page, title);
      whileOffline.push(title);
    }
  }

  // Ben is back: every change shows, each once, and his board reaches the same position.
  await ben.context.setOffline(false);
  await expect(ben.page.locator('.live-indicator')).toHaveText('live', { timeout: 15_000 });
  for (const title of [fromA, fromB, ...whileOffline]) {
    await expect(ben.page.locator('.todo-card', { hasText: title })).toHaveCount(1);
  }
  await expect(ben.page.locator('.todo-card')).toHaveCount(2 + whileOffline.length);
  // All three pages reach the same log position (each confirms its own last change by its
  // broadcast, so a page may get there a moment after its card shows).
  const positions = () =>
    Promise.all([ben.page, ana.page, anaOnB].map((page) => page.locator('.board').getAttribute('data-position')));
  await expect
    .poll(async () => new Set(await positions()).size, { message: 'the pages end at one position' })
    .toBe(1);

  for (const list of errors) {
    expect(
      list.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED') && !e.includes('WebSocket')),
      'console errors',
    ).toEqual([]);
  }
  await Promise.all([ana.context.close(), ben.context.close()]);
});
