import { test, expect, type Page } from '@playwright/test';
import { gotoHydrated, makeTeam, signUp, uniqueTitle } from './support';

// Every page, signed out and signed in, checked by axe-core once hydrated: no serious and
// no critical finding. The run prints each page's counts by impact. The same run writes
// screenshots of the team, todo and members pages at a desktop and a phone size into
// end2end/screenshots/ (not committed), and checks that the live indicator shows only on
// pages that watch a live channel.

const axePath = require.resolve('axe-core/axe.min.js');

// axe is injected as a script, which the pages' Content-Security-Policy would refuse.
test.use({ bypassCSP: true });

type Impact = 'minor' | 'moderate' | 'serious' | 'critical';
interface Violation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe on the page as it stands; prints and returns its findings. */
async function audit(page: Page, name: string): Promise<Violation[]> {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const count = (impact: Impact) => violations.filter((v) => v.impact === impact).length;
  console.log(
    `axe ${name.padEnd(28)} critical ${count('critical')}  serious ${count('serious')}  ` +
      `moderate ${count('moderate')}  minor ${count('minor')}`,
  );
  return violations;
}

async function expectNoSeriousFindings(page: Page, name: string): Promise<void> {
  const violations = await audit(page, name);
  const grave = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(grave, `serious and critical findings on ${name}`).toEqual([]);
}

/** Ada's team with one todo, and an invite link into it: the paths of every page. */
async function pagesOfATeam(page: Page) {
  await signUp(page, 'Ada', true);
  await makeTeam(page, 'Lighthouse', true);
  const team = new URL(page.url()).pathname;
  await gotoHydrated(page, team);
  const title = uniqueTitle('Trim the wick');
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Add todo' }).click();
  const card = page.locator('.todo-card', { hasText: title });
  await expect(card).toBeVisible();
  const todo = await card.getByRole('link', { name: title }).getAttribute('href');
  await gotoHydrated(page, `${team}/members`);
  await page.getByRole('button', { name: 'Make an invite link' }).click();
  const join = new URL(await page.locator('#invite-link').inputValue()).pathname;
  return { team, todo: todo ?? '', members: `${team}/members`, join };
}

test('every page has no serious or critical accessibility finding, signed out and signed in', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const paths = await pagesOfATeam(page);
  const signedIn: [string, string][] = [
    ['home (signed in)', '/'],
    ['team', paths.team],
    ['todo', paths.todo],
    ['members', paths.members],
    ['not found (signed in)', '/no/such/page'],
  ];
  for (const [name, path] of signedIn) {
    await gotoHydrated(page, path);
    if (name === 'team' || name === 'todo') {
      // The indicator's colours are part of what is checked.
      await expect(page.locator('.live-indicator')).toHaveText('live');
    }
    await expectNoSeriousFindings(page, name);
  }

  const stranger = await (await browser.newContext({ bypassCSP: true })).newPage();
  const signedOut: [string, string][] = [
    ['welcome (signed out)', '/'],
    ['sign-up', '/signup'],
    ['log-in', '/login'],
    ['join (signed out)', paths.join],
    ['team (signed out)', paths.team],
    ['not found (signed out)', '/no/such/page'],
  ];
  for (const [name, path] of signedOut) {
    await gotoHydrated(stranger, path);
    await expectNoSeriousFindings(stranger, name);
  }

  // Someone new, signed in and in no team yet, who has been sent a link.
  await signUp(stranger, 'Grace', true);
  for (const [name, path] of [
    ['home (signed in, no team)', '/'],
    ['join (signed in)', paths.join],
  ]) {
    await gotoHydrated(stranger, path);
    await expectNoSeriousFindings(stranger, name);
  }
});

test('the team, todo and members pages are photographed at desktop and phone sizes', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const paths = await pagesOfATeam(page);
  const sizes = [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ];
  for (const size of sizes) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const [name, path] of [
      ['team', paths.team],
      ['todo', paths.todo],
      ['members', paths.members],
    ]) {
      await gotoHydrated(page, path);
      const file = `screenshots/${name}-${size.width}x${size.height}.png`;
      await page.screenshot({ path: file, fullPage: true });
      // At either size, nothing is wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} at ${size.width} px scrolls sideways`).toBeLessThanOrEqual(0);
    }
  }
});

test('the live indicator shows only on pages that watch a live channel', async ({ page, browser }) => {
  const paths = await pagesOfATeam(page);
  for (const path of ['/', paths.members, '/no/such/page']) {
    await gotoHydrated(page, path);
    await expect(page.locator('.live-region')).toHaveCount(1);
    await expect(page.locator('.live-indicator'), path).toHaveCount(0);
  }
  for (const path of [paths.team, paths.todo]) {
    await gotoHydrated(page, path);
    await expect(page.locator('.live-indicator'), path).toHaveText('live');
  }

  // Without JavaScript nothing is live, so no page shows the indicator.
  const cookies = await page.context().cookies();
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  await noScript.addCookies(cookies);
  const plain = await noScript.newPage();
  for (const path of [paths.team, paths.todo, '/']) {
    await plain.goto(path);
    await expect(plain.locator('h1').first()).toBeVisible();
    await expect(plain.locator('.live-indicator'), path).toHaveCount(0);
  }
});
