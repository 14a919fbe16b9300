import { expect, type Page } from '@playwright/test';

export const DEMO = { email: 'demo@facet.local', password: 'facet-demo-2026' };

export async function signInAsDemo(page: Page) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(DEMO.email);
  await page.getByLabel('Password').fill(DEMO.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/persona-sets/);
}
