import { test, expect } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Internal notes on a hydrated page: an edit of the notes alone has no broadcast, so its own
// answer confirms it and the page loads again (it is not left "Saving…"); the author's
// timeline shows it, and an emptied field clears the notes.

test('the author changes and then clears her notes, and the page is not left saving', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await signUp(page, 'Noor', true);
  await makeTeam(page, 'Notes', true);
  await gotoHydrated(page, page.url());
  const title = uniqueTitle('Private');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add todo' }).click();
  // The card may come with the broadcast, before the todo's page can be read; the form is
  // cleared by the create's answer, which comes once the read models have the todo.
  await expect(page.getByLabel('Title')).toHaveValue('');
  await page.locator('.todo-card', { hasText: title }).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await gotoHydrated(page, page.url());
  await expect(page.locator('.live-indicator')).toHaveText('live');

  const summaries = page.locator('.timeline-entry .timeline-summary');
  const detail = page.locator('.todo-detail');
  await page.getByLabel('Internal notes').fill('ask for a discount');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(summaries).toHaveText([`Created “${title}”`, 'Changed the internal notes']);
  await expect(detail).toHaveAttribute('data-pending', 'false');
  await expect(page.getByLabel('Internal notes')).toHaveValue('ask for a discount');

  await page.getByLabel('Internal notes').fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(summaries).toHaveCount(3);
  await expect(detail).toHaveAttribute('data-pending', 'false');
  await expect(page.getByLabel('Internal notes')).toHaveValue('');
  expect(errors, 'console errors and page errors').toEqual([]);
});
