import { test, expect, type Page } from '@playwright/test';
import { collectErrors, gotoHydrated, signUp } from './support';

// A member writes break-outs into every field that reaches <title> or <textarea>: a team's
// name, a todo's title, its description and its notes. Another member opens each page
// server-rendered: no script runs, the page hydrates, and the text reads as typed.

const stamp = Date.now().toString(36);
const TEAM = `</title><script>window.__pwned = 'team'</script> ${stamp}`;
const TITLE = `a < b </title><img src=x onerror="window.__pwned = 'title'"> ${stamp}`;
const DESCRIPTION = `</textarea><img src=x onerror="window.__pwned = 'description'"> &amp;`;
const NOTES = `</textarea><script>window.__pwned = 'notes'</script>`;

/** Fails the test on any dialog, and records whether an injected script ran. */
function guard(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  return dialogs;
}

async function nothingRan(page: Page, dialogs: string[]): Promise<void> {
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
}

test('break-outs in titles, names, descriptions and notes stay text for every member', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const alice = await browser.newContext();
  const bruno = await browser.newContext();
  const a = await alice.newPage();
  const b = await bruno.newPage();
  const errors = [collectErrors(a), collectErrors(b)];
  const dialogs = [guard(a), guard(b)];

  await signUp(a, 'Alice', true);
  await gotoHydrated(a, '/');
  await a.getByLabel('Team name').fill(TEAM);
  await a.getByRole('button', { name: 'Make the team' }).click();
  await a.getByRole('heading', { level: 1, name: TEAM }).waitFor();
  const teamUrl = a.url();
  await gotoHydrated(a, teamUrl);
  await a.getByLabel('Title').fill(TITLE);
  await a.getByRole('button', { name: 'Add todo' }).click();
  const card = a.locator('.todo-card', { hasText: stamp });
  await expect(card).toBeVisible();
  const todoPath = await card.locator('a.todo-title').getAttribute('href');
  await gotoHydrated(a, todoPath!);
  await a.getByLabel('Description').fill(DESCRIPTION);
  await a.getByLabel('Internal notes').fill(NOTES);
  await a.getByRole('button', { name: 'Save changes' }).click();
  await expect(a.locator('.timeline-entry[data-event-type="TodoUpdated"]')).toHaveCount(1);

  // The author's own page, server-rendered: the notes read back as typed.
  const response = await a.goto(todoPath!);
  expect(response!.headers()['content-security-policy']).toContain("'nonce-");
  await expect(a.getByLabel('Internal notes')).toHaveValue(NOTES);
  await nothingRan(a, dialogs[0]);

  await a.goto(`${teamUrl}/members`);
  await gotoHydrated(a, a.url());
  await a.getByLabel('Who may use it').selectOption('single');
  await a.getByRole('button', { name: 'Make an invite link' }).click();
  const link = await a.locator('#invite-link').inputValue();

  await signUp(b, 'Bruno', true);
  await gotoHydrated(b, link);
  await b.getByRole('button', { name: /^Join / }).click();
  await b.getByRole('heading', { level: 1, name: TEAM }).waitFor();

  for (const path of [todoPath!, teamUrl, `${teamUrl}/members`]) {
    const answer = await b.goto(path);
    expect(answer!.headers()['content-security-policy'], path).toContain("'strict-dynamic'");
    await gotoHydrated(b, path);
    await nothingRan(b, dialogs[1]);
    const title = path === todoPath ? `${TITLE} · Tidings` : TEAM;
    expect(await b.title(), path).toContain(title);
  }
  await gotoHydrated(b, todoPath!);
  await expect(b.getByRole('heading', { level: 1 })).toHaveText(TITLE);
  await expect(b.getByLabel('Description')).toHaveValue(DESCRIPTION);
  await expect(b.getByLabel('Internal notes')).toHaveCount(0);

  for (const list of errors) {
    expect(list, 'console errors and page errors (hydration intact)').toEqual([]);
  }
  await Promise.all([alice.close(), bruno.close()]);
});
