import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { signInAsDemo } from './fixtures';

const DOCS = path.join(process.cwd(), 'docs', 'screenshots');

async function shot(page: Page, info: TestInfo, name: string, keep = false) {
  const file = info.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (keep) {
    fs.mkdirSync(DOCS, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS, `persona-sets-${name}.png`));
  }
}

test('an analyst builds a persona set and studies it: definition, analysis, flow, Explore', async ({ page }, info) => {
  test.setTimeout(240_000);
  const name = `E2E personas ${Date.now().toString(36)}`;
  await signInAsDemo(page);
  await expect(page.getByRole('heading', { name: 'Persona sets', level: 1 })).toBeVisible();
  await shot(page, info, 'list-before');

  // new persona set
  await page.getByRole('link', { name: 'New persona set' }).click();
  await expect(page).toHaveURL(/\/persona-sets\/new$/);
  await page.getByRole('combobox', { name: 'Cohort' }).click();
  await page.getByRole('option', { name: /^High-value customers · [\d,]+ people$/ }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: /Advanced/ }).click();
  await expect(page.getByRole('button', { name: 'Reset to defaults' })).toBeDisabled();
  await page.getByRole('searchbox', { name: 'Search traits' }).fill('dog');
  await page.getByRole('checkbox').first().check();
  await expect(page.getByRole('button', { name: 'Reset to defaults' })).toBeEnabled();
  await expect(page.getByText(/traits chosen by you/)).toBeVisible();
  await shot(page, info, 'new', true);
  await page.getByRole('button', { name: 'Reset to defaults' }).click();
  await expect(page.getByText(/traits chosen automatically/)).toBeVisible();
  await page.getByRole('button', { name: 'Save persona set' }).click();

  // its page with the loading bar, until ready
  await expect(page).toHaveURL(/\/persona-sets\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const status = page.getByTestId('build-status');
  const cards = page.getByTestId('persona-card');
  await expect(status.or(cards.first())).toBeVisible();
  if (await status.isVisible()) {
    await expect(status.getByRole('progressbar')).toBeVisible();
    await shot(page, info, 'building', true);
  }
  await expect(cards.first()).toBeVisible({ timeout: 120_000 });
  await expect(status).toBeHidden({ timeout: 30_000 });
  const personaCount = await cards.count();
  expect(personaCount).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('set-quality')).toContainText(/personas/);
  await expect(page.getByTestId('set-quality')).toContainText(/of the time/);
  await expect(cards.first().getByRole('img', { name: /^Avatar: / })).toBeVisible();
  await shot(page, info, 'definition', true);

  // rename a persona in place
  await cards.first().getByRole('button', { name: /^Rename / }).click();
  await page.getByRole('textbox', { name: 'Persona name' }).fill('Weekend Gardeners');
  await page.getByRole('textbox', { name: 'Persona name' }).press('Enter');
  await expect(cards.first().getByTestId('persona-name')).toHaveText('Weekend Gardeners');
  await page.reload();
  await expect(page.getByTestId('persona-card').first().getByTestId('persona-name')).toHaveText('Weekend Gardeners');

  // analysis: add a trait
  await page.getByRole('link', { name: 'Analysis' }).click();
  await expect(page).toHaveURL(/tab=analysis/);
  await expect(page.getByTestId('revenue-panel')).toBeVisible();
  await page.getByRole('button', { name: 'Add trait' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('searchbox', { name: 'Search traits' }).fill('dog');
  await dialog.getByRole('button', { name: /^Dog owner/ }).click();
  await expect(page).toHaveURL(/traits=dog_owner/);
  const dog = page.getByTestId('dimension-dog_owner');
  await expect(dog).toBeVisible();
  await expect(dog.getByRole('row')).toHaveCount(1 + 2 + 1); // header, No, Yes, Average
  await expect(dog.getByRole('columnheader', { name: 'Weekend Gardeners' })).toBeVisible();
  await shot(page, info, 'analysis', true);

  // flow: hover for the readout
  await page.getByRole('link', { name: 'Flow' }).click();
  await expect(page).toHaveURL(/tab=flow/);
  const chart = page.getByTestId('flow-chart');
  await expect(chart).toBeVisible();
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  const tip = page.getByTestId('flow-tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('Weekend Gardeners');
  await expect(tip).toContainText('All personas');
  await expect(page.getByTestId('flow-rule')).toHaveCount(1); // a 0-wide line: present, not 'visible'
  await shot(page, info, 'flow', true);
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.getByRole('button', { name: 'Share' })).toHaveAttribute('aria-pressed', 'true');

  // show in Explore, then the map
  const toggle = page.getByRole('switch', { name: `Show ${name} in Explore` });
  await toggle.click();
  await expect(toggle).toBeChecked();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
  await expect(page).toHaveURL(/\/explore/);
  await page.getByRole('combobox', { name: 'Persona set' }).click();
  await page.getByRole('option', { name }).click();
  await expect(page.getByRole('combobox', { name: 'Persona set' })).toContainText(name);
  const map = page.getByTestId('state-map');
  await expect(map).toBeVisible();
  expect(await map.locator('path[data-state]').count()).toBeGreaterThanOrEqual(49);
  await expect(page.getByTestId('map-legend')).toBeVisible();
  await map.locator('path[data-state="TX"]').hover();
  await expect(page.getByTestId('map-tooltip')).toContainText('Texas');
  await shot(page, info, 'explore', true);

  // the list shows it, ready and in Explore
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Persona sets' }).click();
  const row = page.getByTestId('persona-set-row').filter({ hasText: name });
  await expect(row).toContainText('Ready');
  await expect(row.getByRole('switch')).toBeChecked();
  await expect(row.getByRole('cell').nth(1)).toHaveText(String(personaCount));
  await shot(page, info, 'list', true);
});

test('the name must be unique in the account', async ({ page }) => {
  await signInAsDemo(page);
  const name = `Taken ${Date.now().toString(36)}`;
  for (let i = 0; i < 2; i++) {
    await page.goto('/persona-sets/new');
    await page.getByRole('combobox', { name: 'Cohort' }).click();
    await page.getByRole('option', { name: /^High-value customers/ }).click();
    await page.getByLabel('Name').fill(name);
    await page.getByRole('button', { name: 'Save persona set' }).click();
    if (i === 0) await expect(page).toHaveURL(/\/persona-sets\/[0-9a-f-]{36}$/);
  }
  await expect(page.getByText('This name is already used by another persona set')).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
});
