import { test, expect, type Page } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// The walking skeleton end to end: create, activate, edit and complete a todo, then read its
// timeline. Once with the hydrated app, once with JavaScript disabled (plain form posts).

/** Signs a new person up, makes a team and opens it; returns the team's name. */
async function openTeam(page: Page, hydrated: boolean): Promise<string> {
  await signUp(page, 'Robin', hydrated);
  const team = await makeTeam(page, 'Crew', hydrated);
  if (hydrated) {
    await gotoHydrated(page, page.url());
  }
  return team;
}

async function runLifecycle(page: Page, hydrated: boolean): Promise<void> {
  const title = uniqueTitle(hydrated ? 'Hydrated' : 'No-JS');
  const renamed = `${title} (final)`;
  const team = await openTeam(page, hydrated);

  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Description').fill('First draft');
  await page.getByRole('button', { name: 'Add todo' }).click();
  const draft = page.locator('.column-draft .todo-card', { hasText: title });
  await expect(draft).toBeVisible();

  await draft.getByRole('button', { name: 'Activate' }).click();
  const active = page.locator('.column-active .todo-card', { hasText: title });
  await expect(active).toBeVisible();
  await expect(draft).toHaveCount(0);

  await active.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  if (hydrated) {
    await gotoHydrated(page, page.url());
  }

  await page.getByLabel('Title').fill(renamed);
  await page.getByLabel('Description').fill('Final text');
  await page.getByLabel('Internal notes').fill('only for me');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();

  await page.getByRole('button', { name: 'Complete' }).click();
  await expect(page.locator('.todo-header .badge')).toHaveText('completed');
  await expect(page.getByText('A completed todo cannot be edited.')).toBeVisible();

  const entries = page.locator('.timeline-entry');
  await expect(entries).toHaveCount(4);
  await expect(entries.locator('.timeline-summary')).toHaveText([
    `Created “${title}”`,
    'Activated',
    `Renamed it to “${renamed}” and edited the description`,
    'Completed',
  ]);
  for (const entry of await entries.all()) {
    await expect(entry).toContainText('Robin');
    // The server writes each time in UTC; once hydrated, the browser says how long ago.
    const time = entry.locator('time[datetime]');
    await expect(time).toHaveText(hydrated ? /^(just now|\d+ minutes? ago)$/ : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    await expect(time).toHaveAttribute('title', /^event \d+ · /);
  }
  await expect(page.locator('.timeline')).not.toContainText('only for me');

  await page.locator('.crumbs').getByRole('link', { name: team }).click();
  await expect(page.locator('.column-completed .todo-card', { hasText: renamed })).toBeVisible();
}

test('a todo is created, activated, edited and completed, and its timeline shows each step', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await runLifecycle(page, true);
  expect(errors, 'console errors and page errors').toEqual([]);
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the same lifecycle works with plain form posts', async ({ page }) => {
    await runLifecycle(page, false);
  });

  test('an empty title is refused with a message and creates nothing', async ({ page }) => {
    await openTeam(page, false);
    const before = await page.locator('.todo-card').count();
    await page.getByLabel('Title').evaluate((input) => input.removeAttribute('required'));
    await page.getByLabel('Title').fill('   ');
    await page.getByRole('button', { name: 'Add todo' }).click();
    await expect(page.getByRole('alert')).toHaveText('The title must not be empty.');
    await expect(page.locator('.todo-card')).toHaveCount(before);
  });
});
