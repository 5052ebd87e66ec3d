import { test, expect } from '@playwright/test';
import { gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Refused input in the hydrated app: a clear message where the person acted, nothing written.

test('an empty title is refused with a message and creates nothing', async ({ page }) => {
  await signUp(page, 'Sam', true);
  await makeTeam(page, 'Checks', true);
  await gotoHydrated(page, page.url());
  const cards = page.locator('.todo-card');
  await expect(page.getByRole('button', { name: 'Add todo' })).toBeVisible();
  const before = await cards.count();
  await page.getByLabel('Title').evaluate((input) => input.removeAttribute('required'));
  await page.getByLabel('Title').fill(' ');
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.getByRole('alert')).toHaveText('The title must not be empty.');
  await expect(cards).toHaveCount(before);
});

test('an overlong title is refused with its length', async ({ page }) => {
  await signUp(page, 'Sam', true);
  await makeTeam(page, 'Checks', true);
  await gotoHydrated(page, page.url());
  await expect(page.getByRole('button', { name: 'Add todo' })).toBeVisible();
  await page.getByLabel('Title').evaluate((input) => input.removeAttribute('maxlength'));
  await page.getByLabel('Title').fill('x'.repeat(201));
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The title is 201 characters long; at most 200 are allowed.',
  );
});

test('a change made from a stale page is refused as a conflict', async ({ browser }) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await signUp(first, 'Sam', true);
  await makeTeam(first, 'Checks', true);
  await gotoHydrated(first, first.url());
  const title = uniqueTitle('Raced');
  await first.getByLabel('Title').fill(title);
  await first.getByRole('button', { name: 'Add todo' }).click();
  await first.locator('.todo-card', { hasText: title }).getByRole('link').click();
  await expect(first.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const todoUrl = first.url();

  // A page that stays stale: with JavaScript off, no broadcast patches it. (A hydrated page
  // would be brought up to date live, and its next click would not conflict.)
  const staleContext = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await context.storageState(),
  });
  const second = await staleContext.newPage();
  await second.goto(todoUrl);
  await gotoHydrated(first, todoUrl);

  await first.getByRole('button', { name: 'Activate' }).click();
  await expect(first.locator('.todo-header .badge')).toHaveText('active');

  await second.getByRole('button', { name: 'Archive' }).click();
  await expect(second.getByRole('alert')).toContainText('This todo changed since you loaded it');
  await second.reload();
  await expect(second.locator('.todo-header .badge')).toHaveText('active');
  await Promise.all([context.close(), staleContext.close()]);
});
