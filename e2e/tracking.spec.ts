import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signInAsDemo } from './fixtures';

const DOCS = path.join(process.cwd(), 'docs', 'screenshots');

async function shot(page: Page, name: string) {
  fs.mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, `tracking-${name}.png`), fullPage: true });
}

async function createSet(page: Page, cohort: RegExp, name: string) {
  await page.goto('/persona-sets/new');
  await page.getByRole('combobox', { name: 'Cohort' }).click();
  await page.getByRole('option', { name: cohort }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Save persona set' }).click();
  await expect(page).toHaveURL(/\/persona-sets\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  await expect(page.getByTestId('persona-card').first()).toBeVisible({ timeout: 120_000 });
  return page.url();
}

test('an analyst schedules scoring, scores now, sees the run, opens transitions and compares two sets', async ({ page }) => {
  test.setTimeout(600_000);
  const stamp = Date.now().toString(36);
  await signInAsDemo(page);
  const other = `E2E money ${stamp}`;
  await createSet(page, /^High-value customers · [\d,]+ people$/, other);
  const url = await createSet(page, /^Customers · [\d,]+ people$/, `E2E tracking ${stamp}`);

  // schedule and score now, on the Scoring tab
  await page.getByRole('link', { name: 'Scoring' }).click();
  await expect(page).toHaveURL(/tab=scoring/);
  await page.getByRole('combobox', { name: 'Scheduled scoring' }).click();
  await page.getByRole('option', { name: 'Daily' }).click();
  await expect(page.getByText('Scores daily')).toBeVisible();
  await page.getByRole('button', { name: 'Score now' }).click();
  const runs = page.getByTestId('scoring-runs');
  await expect(runs.getByRole('row').nth(1)).toContainText('Score now');
  await expect(runs.getByRole('row').nth(1)).toContainText('Done', { timeout: 60_000 });
  await expect(page.getByRole('combobox', { name: 'Scheduled scoring' })).toContainText('Daily');
  await shot(page, 'scoring');

  // the list shows the schedule
  await page.goto('/persona-sets');
  await expect(page.getByTestId('persona-set-row').filter({ hasText: `E2E tracking ${stamp}` })).toContainText('Daily');

  // transitions between the build and now
  await page.goto(`${url}?tab=transitions`);
  await expect(page.getByTestId('transition-matrix')).toBeVisible();
  await expect(page.getByTestId('transitions-stayed')).not.toHaveText('0');
  await shot(page, 'transitions');

  // compare with the other set
  await page.goto(url);
  await page.getByRole('link', { name: 'Compare with…' }).click();
  await expect(page).toHaveURL(/\/persona-sets\/compare\?a=/);
  await page.getByLabel('Second set').selectOption({ label: `${other} (High-value customers)` });
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByTestId('overlap-matrix')).toBeVisible();
  await expect(page.getByTestId('compare-pairs').getByRole('listitem').first()).toContainText('↔');
  await shot(page, 'compare');
});
