import { expect, test } from '@playwright/test';
import { DEMO, signInAsDemo } from './fixtures';

test('a signed-out visitor is sent to sign-in', async ({ page }) => {
  await page.goto('/cohorts');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('heading', { name: /sign in to facet/i })).toBeVisible();
});

test('a wrong password gets a clear message', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password' })).toBeVisible();
  // what was typed stays
  await expect(page.getByLabel('Email')).toHaveValue(DEMO.email);
});

test('the demo user sees the shell and the demo cohorts', async ({ page }, info) => {
  await signInAsDemo(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const item of ['Persona sets', 'Cohorts', 'Datasets', 'Explore', 'Pipelines', 'Settings'])
    await expect(nav.getByRole('link', { name: item })).toBeVisible();
  await expect(page.getByTestId('account-name')).toHaveText('Juniper & Pine');
  await nav.getByRole('link', { name: 'Cohorts' }).click();
  await expect(page).toHaveURL(/\/cohorts$/);
  const rows = page.getByTestId('cohort-row');
  // the four demo cohorts (other specs may have added their own)
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
  for (const name of ['Customers', 'High-value customers', 'Lapsed customers', 'Leads'])
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  // member counts are real numbers, not placeholders
  const customers = rows.filter({ hasText: /^Customers/ });
  await expect(customers.getByRole('cell').nth(2)).toHaveText(/^[1-9][\d,]*$/);
  await page.screenshot({ path: info.outputPath('cohorts.png'), fullPage: true });
});

test('sign-up validates its fields and refuses a taken email', async ({ page }) => {
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Ana');
  await page.getByLabel('Work email').fill('not-an-email');
  await page.getByLabel(/Password/).fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await expect(page.getByText('Use at least 8 characters')).toBeVisible();
  await page.getByLabel('Work email').fill(DEMO.email);
  await page.getByLabel(/Password/).fill('long-enough-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText(/already registered/)).toBeVisible();
});

test('a new user gets an empty workspace of their own', async ({ page }) => {
  const email = `new-${Date.now()}@example.com`;
  await page.goto('/sign-up');
  await page.getByLabel('Your name').fill('Nia New');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel(/Password/).fill('a-strong-password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/persona-sets/);
  await expect(page.getByTestId('account-name')).toHaveText("Nia New's workspace");
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cohorts' }).click();
  await expect(page.getByText('No cohorts yet')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
});
