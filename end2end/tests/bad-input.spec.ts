import { test, expect } from '@playwright/test';
import { gotoHydrated, uniqueTitle } from './support';

// Refused input in the hydrated app: a clear message where the person acted, nothing written.

test('an empty title is refused with a message and creates nothing', async ({ page }) => {
  await gotoHydrated(page, '/');
  await page.getByRole('link', { name: 'Tidings Team' }).click();
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
  await gotoHydrated(page, '/');
  await page.getByRole('link', { name: 'Tidings Team' }).click();
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
  await gotoHydrated(first, '/');
  await first.getByRole('link', { name: 'Tidings Team' }).click();
  const title = uniqueTitle('Raced');
  await first.getByLabel('Title').fill(title);
  await first.getByRole('button', { name: 'Add todo' }).click();
  await first.locator('.todo-card', { hasText: title }).getByRole('link').click();
  await expect(first.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const todoUrl = first.url();

  const second = await context.newPage();
  await gotoHydrated(second, todoUrl);
  await gotoHydrated(first, todoUrl);

  await first.getByRole('button', { name: 'Activate' }).click();
  await expect(first.locator('.todo-header .badge')).toHaveText('active');

  await second.getByRole('button', { name: 'Archive' }).click();
  await expect(second.getByRole('alert')).toContainText('This todo changed since you loaded it');
  await second.reload();
  await expect(second.locator('.todo-header .badge')).toHaveText('active');
  await context.close();
});
