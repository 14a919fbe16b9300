import { DEMO, expect, test } from './fixtures';
import { SECTIONS } from './pages/shell';

test('a signed-out visitor is sent to sign-in', async ({ page, app }) => {
  await page.goto('/cohorts');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(app.signIn.heading).toBeVisible();
});

test('a wrong password gets a clear message', async ({ app }) => {
  await app.signIn.signIn(DEMO.email, 'not-the-password');
  await expect(app.signIn.alert('Wrong email or password')).toBeVisible();
  // what was typed stays
  await expect(app.signIn.email).toHaveValue(DEMO.email);
});

test('the demo user sees the shell and the demo cohorts', async ({ page, demo, shot }) => {
  for (const section of SECTIONS) await expect(demo.shell.link(section)).toBeVisible();
  await expect(demo.shell.accountName).toHaveText('Juniper & Pine');
  await demo.shell.open('Cohorts');
  await expect(page).toHaveURL(/\/cohorts$/);
  // the four demo cohorts (other specs may have added their own)
  await expect.poll(() => demo.cohorts.rows.count()).toBeGreaterThanOrEqual(4);
  for (const name of ['Customers', 'High-value customers', 'Lapsed customers', 'Leads']) await expect(demo.cohorts.link(name)).toBeVisible();
  // member counts are real numbers, not placeholders
  await expect(demo.cohorts.members('Customers')).toHaveText(/^[1-9][\d,]*$/);
  await shot('cohorts');
});

test('sign-up validates its fields and answers a taken email as it answers a new one', async ({ page, app }) => {
  await app.signUp.goto();
  await app.signUp.submitWith({ name: 'Ana', email: 'not-an-email', password: 'short' });
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await expect(page.getByText('Use at least 8 characters')).toBeVisible();
  await app.signUp.submitWith({ email: DEMO.email, password: 'long-enough-password' });
  await expect(page.getByRole('status').filter({ hasText: `Check your inbox at ${DEMO.email}` })).toBeVisible();
});

test('a new user gets an empty workspace of their own, and is asked to confirm the address', async ({ page, app }) => {
  const email = `new-${Date.now()}@example.com`;
  await app.signUp.goto();
  await app.signUp.submitWith({ name: 'Nia New', email, password: 'a-strong-password' });
  await expect(page.getByRole('status').filter({ hasText: `Check your inbox at ${email}` })).toBeVisible();
  await app.signIn.signIn(email, 'a-strong-password');
  await expect(page).toHaveURL(/\/persona-sets/);
  await expect(page.getByTestId('confirm-banner')).toBeVisible();
  await expect(app.shell.accountName).toHaveText("Nia New's workspace");
  await app.shell.open('Cohorts');
  await expect(app.cohorts.empty).toBeVisible();
  await app.shell.signOut();
  await expect(page).toHaveURL(/\/sign-in/);
});
