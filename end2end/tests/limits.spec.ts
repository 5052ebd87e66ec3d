import { test, expect } from '@playwright/test';
import { PASSWORD, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// A rate limit hit in the UI: a clear message where the person acted, and nothing written.
// These run against the second server of playwright.config.ts, started with
// `--commands-per-user 3/h --login-per-account 2/h`.

test.use({ baseURL: `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1}` });

test('the fourth command within the hour is refused with a wait', async ({ page }) => {
  await signUp(page, 'Quinn', true);
  await makeTeam(page, 'Limited', true);
  await gotoHydrated(page, page.url());
  for (const n of [1, 2]) {
    const title = uniqueTitle(`Allowed ${n}`);
    await page.getByLabel('Title').fill(title);
    await page.getByRole('button', { name: 'Add todo' }).click();
    await expect(page.locator('.todo-card', { hasText: title })).toBeVisible();
  }
  await page.getByLabel('Title').fill('One too many');
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    /^Too many attempts\. Please wait \d+ s and try again\.$/,
  );
  await expect(page.locator('.todo-card')).toHaveCount(2);
});

test('the third log-in attempt on an account within the hour is refused', async ({ browser }) => {
  const owner = await browser.newContext();
  const email = await signUp(await owner.newPage(), 'Uma', true);
  await owner.close();
  const context = await browser.newContext();
  const page = await context.newPage();
  await gotoHydrated(page, '/login');
  const attempt = async (password: string, status: number) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/log_in'));
    await page.getByRole('button', { name: 'Log in' }).click();
    expect((await answered).status()).toBe(status);
  };
  for (const _ of [1, 2]) {
    await attempt('not the password', 401);
    await expect(page.getByRole('alert')).toHaveText(
      'That email and password do not match an account.',
    );
  }
  await attempt(PASSWORD, 429);
  await expect(page.getByRole('alert')).toHaveText(/^Too many attempts\./);
  await expect(page.locator('.account .who')).toHaveCount(0);
  await context.close();
});
