import { test, expect, type Browser, type Page } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Two members watch the same list: one's change appears in the other's browser without a
// reload, also after the other was offline; a third user, of another team, sees none of it.

async function member(browser: Browser, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, name, true);
  return { context, page };
}

async function inviteInto(owner: Page, teamUrl: string, guest: Page, team: string) {
  await gotoHydrated(owner, `${teamUrl}/members`);
  await owner.getByLabel('Who may use it').selectOption('reusable');
  await owner.getByRole('button', { name: 'Make an invite link' }).click();
  const link = await owner.locator('#invite-link').inputValue();
  await gotoHydrated(guest, link);
  await guest.getByRole('button', { name: `Join ${team}` }).click();
  await expect(guest.getByRole('heading', { level: 1, name: team })).toBeVisible();
}

test('a change reaches the other member live, and after being offline, all of them', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const a = await member(browser, 'Ana');
  const b = await member(browser, 'Ben');
  const c = await member(browser, 'Cy');
  const errors = [collectErrors(a.page), collectErrors(b.page)];
  const team = await makeTeam(a.page, 'Live', true);
  const teamUrl = a.page.url();
  await inviteInto(a.page, teamUrl, b.page, team);
  const otherTeam = await makeTeam(c.page, 'Elsewhere', true);
  await gotoHydrated(c.page, c.page.url());

  await gotoHydrated(a.page, teamUrl);
  await gotoHydrated(b.page, teamUrl);
  for (const page of [a.page, b.page, c.page]) {
    await expect(page.locator('.live-indicator')).toHaveText('live');
  }

  // A creates and completes a todo; B's list shows it within a second, without a reload.
  const title = uniqueTitle('Raise the sail');
  await a.page.getByLabel('Title').fill(title);
  await a.page.getByRole('button', { name: 'Add todo' }).click();
  const aCard = a.page.locator('.todo-card', { hasText: title });
  await aCard.getByRole('button', { name: 'Activate' }).click();
  await expect(a.page.locator('.column-active .todo-card', { hasText: title })).toBeVisible();
  await a.page.locator('.column-active .todo-card', { hasText: title }).getByRole('button', { name: 'Complete' }).click();
  await expect(a.page.locator('.column-completed .todo-card', { hasText: title })).toBeVisible();
  await expect(b.page.locator('.column-completed .todo-card', { hasText: title })).toBeVisible({
    timeout: 1_000,
  });

  // B goes offline; A makes five changes; B comes back and shows all five, still without a
  // reload.
  await b.context.setOffline(true);
  await expect(b.page.locator('.live-indicator')).toHaveText(/offline|reconnecting…/);
  const five = Array.from({ length: 5 }, (_, i) => uniqueTitle(`Offline change ${i}`));
  for (const name of five) {
    await a.page.getByLabel('Title').fill(name);
    await a.page.getByRole('button', { name: 'Add todo' }).click();
    await expect(a.page.locator('.todo-card', { hasText: name })).toBeVisible();
  }
  await b.context.setOffline(false);
  await expect(b.page.locator('.live-indicator')).toHaveText('live', { timeout: 15_000 });
  for (const name of five) {
    await expect(b.page.locator('.column-draft .todo-card', { hasText: name })).toBeVisible();
  }
  const positionOf = (page: Page) => page.locator('.board').getAttribute('data-position');
  await expect.poll(() => positionOf(b.page)).toBe(await positionOf(a.page));

  // C, of another team, received none of it.
  await expect(c.page.getByRole('heading', { level: 1, name: otherTeam })).toBeVisible();
  await expect(c.page.locator('.todo-card')).toHaveCount(0);
  await expect(c.page.locator('body')).not.toContainText(title);

  for (const list of errors) {
    expect(list.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED') && !e.includes('WebSocket')), 'console errors').toEqual([]);
  }
  await Promise.all([a.context.close(), b.context.close(), c.context.close()]);
});
