import { expect, test } from '@playwright/test';
import { signInAsDemo } from './fixtures';

const stamp = Date.now().toString(36);

// A small people file: quoted comma, a UTF-8 name, one bad email (line 4) and a custom trait.
const PEOPLE = [
  'Customer ID,Email,First name,Last name,Address,City,State,Zip,Has dog',
  `E2E-${stamp}-1,ana.${stamp}@example.com,Ana,"Núñez, Jr",12 Oak St,Austin,TX,78701,yes`,
  `E2E-${stamp}-2,bo.${stamp}@example.com,Bo,Lee,4 Elm Ave,Denver,CO,80202,no`,
  `E2E-${stamp}-3,not-an-email,Cy,Ray,9 Pine Rd,Boise,ID,83702,yes`,
].join('\n');

const ORDERS = [
  'order_id,customer_id,order_date,amount,product,category',
  `O-${stamp}-1,E2E-${stamp}-1,2025-01-10,120.00,Tent ${stamp},Camping`,
  `O-${stamp}-2,E2E-${stamp}-1,2025-02-11,35.50,Mug,Kitchen`,
  `O-${stamp}-3,E2E-${stamp}-2,2025-03-12,80,Boots,Apparel`,
  `O-${stamp}-4,NOBODY-${stamp},2025-03-12,80,Boots,Apparel`,
].join('\n');

async function upload(page: import('@playwright/test').Page, name: string, text: string) {
  await page.goto('/datasets');
  await page.getByLabel('CSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByRole('heading', { name: 'Check the columns' })).toBeVisible({ timeout: 60_000 });
}

test('upload people and orders, see the match rate and row errors, define a cohort with a live preview', async ({ page }, info) => {
  await signInAsDemo(page);

  await upload(page, `people-${stamp}.csv`, PEOPLE);
  // the header was understood: identity columns mapped, the rest becomes a custom trait
  await expect(page.getByLabel('Email', { exact: true })).toHaveValue('email');
  await expect(page.getByLabel('Zip')).toHaveValue('postcode');
  await expect(page.getByLabel('Has dog')).toHaveValue('trait:boolean');
  await page.screenshot({ path: info.outputPath('mapping.png'), fullPage: true });
  await page.getByRole('button', { name: 'Confirm columns and process' }).click();
  await expect(page.getByTestId('dataset-status')).toHaveText('Ready', { timeout: 60_000 });
  await expect(page.getByTestId('rows-loaded')).toHaveText('2');
  await expect(page.getByTestId('match-rate')).toHaveText(/%$/);
  await expect(page.getByTestId('miss-reason').first()).toBeVisible();
  await expect(page.getByTestId('row-error')).toHaveCount(1);
  await expect(page.getByTestId('row-error')).toContainText('invalid email');
  await expect(page.getByTestId('row-error').getByRole('cell').first()).toHaveText('4');
  await page.screenshot({ path: info.outputPath('people-dataset.png'), fullPage: true });

  await upload(page, `orders-${stamp}.csv`, ORDERS);
  await expect(page.getByLabel('Orders')).toBeChecked();
  await page.getByRole('button', { name: 'Confirm columns and process' }).click();
  await expect(page.getByTestId('dataset-status')).toHaveText('Ready', { timeout: 60_000 });
  await expect(page.getByTestId('rows-loaded')).toHaveText('3');
  await expect(page.getByTestId('row-error')).toContainText(`no person with customer id "NOBODY-${stamp}"`);

  await page.goto('/datasets');
  await expect(page.getByTestId('dataset-row').filter({ hasText: `people-${stamp}` })).toBeVisible();

  // a cohort of people who bought a Tent, with a dog (custom trait from the people file)
  await page.goto('/cohorts/new');
  await page.getByLabel('Name').fill(`Tent buyers with dogs ${stamp}`);
  await page.getByLabel('Condition', { exact: true }).selectOption('bought');
  await page.getByLabel('Products', { exact: true }).selectOption([`Tent ${stamp}`]);
  await page.getByRole('button', { name: 'Add trait condition' }).click();
  await page.getByLabel('Trait', { exact: true }).selectOption('has_dog');
  await page.getByLabel('Is', { exact: true }).selectOption('true');
  await expect(page.getByTestId('cohort-preview')).toHaveText('1', { timeout: 30_000 });
  await page.screenshot({ path: info.outputPath('cohort-builder.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create cohort' }).click();
  await expect(page.getByRole('heading', { name: `Tent buyers with dogs ${stamp}` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('cohort-members')).toHaveText('1');
  await expect(page.getByTestId('membership-chart')).toBeVisible();
  await page.screenshot({ path: info.outputPath('cohort.png'), fullPage: true });

  // the demo cohorts show a chart of their history too
  await page.goto('/cohorts');
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await expect(page.getByTestId('membership-chart')).toBeVisible();
  await page.getByTestId('membership-chart').focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('chart-readout')).toContainText('members');
});

test('an empty upload gets a clear message', async ({ page }) => {
  await signInAsDemo(page);
  await page.goto('/datasets');
  await page.getByLabel('CSV file').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByText('The file is empty.')).toBeVisible();
});
