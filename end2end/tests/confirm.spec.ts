import { test, expect } from '@playwright/test';
import { collectErrors, gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// A click is shown as done only when the broadcast carrying its command id arrives, not when
// its server function answers: the page holds the socket's frames back and checks that the
// todo stays where the log's broadcasts left it, marked as saving, until they are let through.

test('a click is confirmed by its own broadcast, not by the answer to the request', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const errors = collectErrors(page);
  let holding = false;
  const held: (string | Buffer)[] = [];
  let release: () => void = () => {};
  await page.routeWebSocket(/\/app\/tidings/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (holding && String(message).includes('"TodoCompleted"')) {
        held.push(message);
      } else {
        ws.send(message);
      }
    });
    release = () => {
      holding = false;
      for (const message of held.splice(0)) ws.send(message);
    };
  });

  await signUp(page, 'Cleo', true);
  await makeTeam(page, 'Confirm', true);
  await gotoHydrated(page, page.url());
  await expect(page.locator('.live-indicator')).toHaveText('live');

  const title = uniqueTitle('Check the ropes');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add todo' }).click();
  const card = page.locator('.todo-card', { hasText: title });
  await card.getByRole('button', { name: 'Activate' }).click();
  const active = page.locator('.column-active .todo-card', { hasText: title });
  await expect(active).toHaveAttribute('data-pending', 'false');

  // The server answers the click, but its broadcast is held back: the todo stays active,
  // marked as saving, with its buttons disabled.
  holding = true;
  const answered = page.waitForResponse(
    (response) => response.url().includes('/api/transition_todo') && response.ok(),
  );
  await active.getByRole('button', { name: 'Complete' }).click();
  await answered;
  // The broadcast has come and is held: from here on the page cannot have heard of it.
  await expect.poll(() => held.length).toBe(1);
  await expect(active).toHaveAttribute('data-pending', 'true');
  await expect(active.getByRole('status')).toHaveText('Saving…');
  await expect(active.getByRole('button', { name: 'Complete' })).toBeDisabled();
  await expect(active).toBeVisible();
  await expect(page.locator('.column-completed .todo-card', { hasText: title })).toHaveCount(0);

  // The broadcast arrives: now the todo is completed, and no longer saving.
  release();
  const completed = page.locator('.column-completed .todo-card', { hasText: title });
  await expect(completed).toBeVisible();
  await expect(completed).toHaveAttribute('data-pending', 'false');
  await expect(page.locator('.column-active .todo-card', { hasText: title })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a create sent before the previous one is answered is a command of its own', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const errors = collectErrors(page);
  await signUp(page, 'Dana', true);
  await makeTeam(page, 'Quick', true);
  await gotoHydrated(page, page.url());
  await expect(page.locator('.live-indicator')).toHaveText('live');

  // The first create reaches the server, but its answer is held back; its broadcast is not,
  // so its card shows while the request is still open.
  let releaseFirst: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
  let creates = 0;
  await page.route('**/api/create_todo', async (route) => {
    creates += 1;
    const response = await route.fetch();
    if (creates === 1) await firstHeld;
    await route.fulfill({ response });
  });

  const first = uniqueTitle('First');
  await page.getByLabel('Title').fill(first);
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.locator('.column-draft .todo-card', { hasText: first })).toBeVisible();

  const second = uniqueTitle('Second');
  await page.getByLabel('Title').fill(second);
  await page.getByRole('button', { name: 'Add todo' }).click();
  await expect(page.locator('.column-draft .todo-card', { hasText: second })).toBeVisible();

  releaseFirst();
  await expect(page.getByRole('status').filter({ hasText: 'Adding…' })).toHaveCount(0);
  await expect(page.locator('.column-draft .todo-card')).toHaveCount(2);
  expect(errors).toEqual([]);
});
