import { test, expect } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Two people sign up in two browser contexts. One makes a team and an invite link; the other
// joins through it, and both see the same list. A third person, never invited, sees nothing.

test('an invited person joins and sees the same list; an outsider sees nothing', async ({
  browser,
}) => {
  // Three people, each signing up and loading several pages: more than the default 30 s.
  test.setTimeout(90_000);
  const alice = await browser.newContext();
  const bruno = await browser.newContext();
  const carla = await browser.newContext();
  const a = await alice.newPage();
  const b = await bruno.newPage();
  const c = await carla.newPage();
  const errors = [collectErrors(a), collectErrors(b), collectErrors(c)];

  await signUp(a, 'Alice', true);
  const team = await makeTeam(a, 'Harbour', true);
  const teamUrl = a.url();
  await gotoHydrated(a, teamUrl);
  const title = uniqueTitle('Paint the hull');
  await a.getByLabel('Title').fill(title);
  await a.getByRole('button', { name: 'Add todo' }).click();
  await expect(a.locator('.todo-card', { hasText: title })).toBeVisible();

  await a.getByRole('link', { name: 'Members and invites' }).click();
  await gotoHydrated(a, a.url());
  await a.getByLabel('Who may use it').selectOption('single');
  await a.getByRole('button', { name: 'Make an invite link' }).click();
  const link = await a.locator('#invite-link').inputValue();
  expect(link).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
  await expect(a.locator('tr[data-status="open"]')).toHaveCount(1);

  // Bruno opens the link signed out, signs up from it, and comes back to join.
  await b.goto(link);
  await b.getByRole('link', { name: 'Sign up' }).last().click();
  await gotoHydrated(b, b.url());
  await b.getByLabel('Email').fill(`bruno-${Date.now()}@example.com`);
  await b.getByLabel('Display name').fill('Bruno');
  await b.getByLabel('Password').fill('correct horse battery');
  await b.getByRole('button', { name: 'Sign up' }).click();
  await expect(b.getByRole('heading', { level: 1, name: `Join ${team}` })).toBeVisible();
  await gotoHydrated(b, b.url());
  await b.getByRole('button', { name: `Join ${team}` }).click();
  await expect(b.getByRole('heading', { level: 1, name: team })).toBeVisible();
  await expect(b.locator('.todo-card', { hasText: title })).toBeVisible();
  await expect(b.locator('.team-switcher').getByRole('link', { name: team })).toBeVisible();

  // Both see the same list, and each other.
  const cardsOf = (page: typeof a) => page.locator('.todo-card .todo-title').allTextContents();
  await a.goto(teamUrl);
  expect(await cardsOf(b)).toEqual(await cardsOf(a));
  await b.getByRole('link', { name: 'Members and invites' }).click();
  await expect(b.locator('.member-name')).toHaveText(['Alice', 'Bruno']);
  await expect(b.locator('tr[data-status="used"]')).toHaveCount(1);

  // Carla was never invited: the team, its todos and the used link give her nothing.
  await signUp(c, 'Carla', true);
  await expect(c.locator('.team-list')).toHaveCount(0);
  await c.goto(teamUrl);
  await expect(c.getByRole('alert')).toHaveText('The team was not found.');
  await expect(c.locator('body')).not.toContainText(title);
  await expect(c.locator('body')).not.toContainText(team);
  await c.goto(link);
  await expect(c.getByRole('alert')).toContainText('already been used');
  await expect(c.locator('body')).not.toContainText(team);

  for (const list of errors) {
    expect(list, 'console errors and page errors').toEqual([]);
  }
  await Promise.all([alice.close(), bruno.close(), carla.close()]);
});

test('a member leaves a team and loses sight of it', async ({ browser }) => {
  test.setTimeout(60_000);
  const owner = await browser.newContext();
  const leaver = await browser.newContext();
  const o = await owner.newPage();
  const l = await leaver.newPage();
  await signUp(o, 'Olga', true);
  const team = await makeTeam(o, 'Rowing', true);
  const teamUrl = o.url();
  await o.getByRole('link', { name: 'Members and invites' }).click();
  await gotoHydrated(o, o.url());
  await o.getByLabel('Who may use it').selectOption('reusable');
  await o.getByRole('button', { name: 'Make an invite link' }).click();
  const link = await o.locator('#invite-link').inputValue();

  await signUp(l, 'Lars', true);
  await gotoHydrated(l, link);
  await l.getByRole('button', { name: `Join ${team}` }).click();
  await expect(l.getByRole('heading', { level: 1, name: team })).toBeVisible();
  await l.getByRole('link', { name: 'Members and invites' }).click();
  await gotoHydrated(l, l.url());
  await l.getByRole('button', { name: 'Leave this team' }).click();
  await expect(l.getByRole('heading', { level: 1, name: 'Your teams' })).toBeVisible();
  await expect(l.locator('.team-list')).toHaveCount(0);
  await l.goto(teamUrl);
  await expect(l.getByRole('alert')).toHaveText('The team was not found.');
  await Promise.all([owner.close(), leaver.close()]);
});

test('a person switches between two teams; the creator removes them and they lose sight of it', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const owner = await browser.newContext();
  const member = await browser.newContext();
  const o = await owner.newPage();
  const m = await member.newPage();
  const errors = [collectErrors(o), collectErrors(m)];

  await signUp(o, 'Oskar', true);
  const choir = await makeTeam(o, 'Choir', true);
  const choirUrl = o.url();
  await gotoHydrated(o, choirUrl);
  const rehearse = uniqueTitle('Rehearse');
  await o.getByLabel('Title').fill(rehearse);
  await o.getByRole('button', { name: 'Add todo' }).click();
  await expect(o.locator('.todo-card', { hasText: rehearse })).toBeVisible();
  await o.getByRole('link', { name: 'Members and invites' }).click();
  const membersUrl = o.url();
  await gotoHydrated(o, membersUrl);
  await o.getByLabel('Who may use it').selectOption('single');
  await o.getByRole('button', { name: 'Make an invite link' }).click();
  const link = await o.locator('#invite-link').inputValue();

  // Mia has a team of her own, then joins Oskar's: the switcher takes her between the two.
  await signUp(m, 'Mia', true);
  const garden = await makeTeam(m, 'Garden', true);
  await gotoHydrated(m, m.url());
  const weed = uniqueTitle('Weed');
  await m.getByLabel('Title').fill(weed);
  await m.getByRole('button', { name: 'Add todo' }).click();
  await expect(m.locator('.todo-card', { hasText: weed })).toBeVisible();
  await gotoHydrated(m, link);
  await m.getByRole('button', { name: `Join ${choir}` }).click();
  await expect(m.getByRole('heading', { level: 1, name: choir })).toBeVisible();
  const switcher = m.locator('.team-switcher');
  await switcher.getByRole('link', { name: garden }).click();
  await expect(m.getByRole('heading', { level: 1, name: garden })).toBeVisible();
  await expect(m.locator('.todo-card', { hasText: weed })).toBeVisible();
  await expect(m.locator('.todo-card', { hasText: rehearse })).toHaveCount(0);
  await switcher.getByRole('link', { name: choir }).click();
  await expect(m.getByRole('heading', { level: 1, name: choir })).toBeVisible();
  await expect(m.locator('.todo-card', { hasText: rehearse })).toBeVisible();
  await expect(m.locator('.todo-card', { hasText: weed })).toHaveCount(0);

  // Only the owner (the creator, the longest-standing member) sees "Remove", and only
  // beside the others.
  await m.getByRole('link', { name: 'Members and invites' }).click();
  await expect(m.locator('.member-name')).toHaveText(['Oskar', 'Mia']);
  const badge = (name: string) =>
    m.locator('.member-list li', { hasText: name }).locator('.badge-owner');
  await expect(badge('Oskar')).toHaveText('owner');
  await expect(badge('Mia')).toHaveCount(0);
  await expect(m.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await gotoHydrated(o, membersUrl);
  await expect(o.locator('.member-name')).toHaveText(['Oskar', 'Mia']);
  await expect(o.getByRole('button', { name: /^Remove/ })).toHaveCount(1);
  await o.getByRole('button', { name: 'Remove Mia' }).click();
  await expect(o.locator('.member-name')).toHaveText(['Oskar']);

  await m.goto(choirUrl);
  await expect(m.getByRole('alert')).toHaveText('The team was not found.');
  await expect(m.locator('body')).not.toContainText(rehearse);

  for (const list of errors) {
    expect(list, 'console errors and page errors').toEqual([]);
  }
  await Promise.all([owner.close(), member.close()]);
});

test('signing up and making a team work with JavaScript disabled', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page, 'Nadia', false);
  const team = await makeTeam(page, 'Plain', false);
  await expect(page.getByRole('heading', { level: 1, name: team })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
  await context.close();
});

test('with JavaScript disabled, a new invite link is shown once on the page the form comes back to', async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page, 'Ines', false);
  await makeTeam(page, 'Offline', false);
  await page.getByRole('link', { name: 'Members and invites' }).click();
  const members = page.url();
  await page.getByRole('button', { name: 'Make an invite link' }).click();
  await expect(page.locator('tr[data-status="open"]')).toHaveCount(1);
  const link = await page.locator('#invite-link').inputValue();
  expect(link).toBe(`${new URL(members).origin}${new URL(link).pathname}`);
  expect(new URL(link).pathname).toMatch(/^\/join\/[A-Za-z0-9_-]{43}$/);

  // Shown once: the page loaded again has the link in its table, not the link itself.
  await page.goto(members);
  await expect(page.locator('tr[data-status="open"]')).toHaveCount(1);
  await expect(page.locator('#invite-link')).toHaveCount(0);
  await context.close();
});
