// The API as a user meets it: create a key in Settings, create a pipeline, see its preview and curl command,
// fetch it with the key, download the CSV; a revoked key stops working.
import { expect, test } from '@playwright/test';
import { signInAsDemo } from './fixtures';

test('API key, persona set over the API, pipeline page, payload with the key', async ({ page, request, baseURL }) => {
  await signInAsDemo(page);
  await page.goto('/settings');
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys/);
  const keyName = `e2e ${Date.now()}`;
  await page.getByLabel('Name').fill(keyName);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  expect(key).toMatch(/^fct_[0-9a-f]{8}_/);
  await expect(page.getByRole('row', { name: new RegExp(keyName) })).toBeVisible();

  const auth = { authorization: `Bearer ${key}` };
  const sets = await request.get('/api/v1/persona-sets', { headers: auth });
  expect(sets.status()).toBe(200);

  // a persona set created over the API (its build runs in the server's job runner)
  await page.goto('/pipelines/new');
  const cohortId = await page.getByTestId('pipeline-cohorts').locator('input[type=checkbox]').first().getAttribute('value');
  const created = await request.post('/api/v1/persona-sets', { headers: auth, data: { name: `E2E set ${Date.now()}`, cohortId } });
  expect(created.status()).toBe(201);
  const setId = (await created.json()).id as string;

  await page.goto('/pipelines/new');
  await page.getByLabel('Name').fill(`E2E pipeline ${Date.now()}`);
  await page.getByTestId('pipeline-cohorts').locator(`input[value="${cohortId}"]`).check();
  await page.getByTestId('pipeline-sets').locator(`input[value="${setId}"]`).check();
  await page.getByRole('button', { name: 'Create pipeline' }).click();
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop()!;
  await expect(page.getByTestId('curl-command').first()).toContainText(`/api/v1/pipelines/${id}/payload?format=csv`);
  await expect(page.getByRole('columnheader', { name: 'person_id' })).toBeVisible();

  const payload = await request.get(`/api/v1/pipelines/${id}/payload?format=json&limit=5`, { headers: auth });
  expect(payload.status()).toBe(200);
  const body = await payload.json();
  expect(body.rows.length).toBeLessThanOrEqual(5);
  const csv = await page.request.get(`${baseURL}/pipelines/${id}/download`);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect((await csv.text()).split('\r\n')[0]).toMatch(/^person_id,external_id,email,persona_set_/);

  await page.goto('/settings/api-keys');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('row', { name: new RegExp(keyName) }).getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('row', { name: new RegExp(keyName) })).toContainText('Revoked');
  const after = await request.get('/api/v1/persona-sets', { headers: auth });
  expect(after.status()).toBe(401);
});
