// The API as a user meets it: create a key in Settings, create a pipeline, see its preview and curl command,
// fetch it with the key, download the CSV; a revoked key stops working.
import { expect, test } from './fixtures';
import { PIPELINE_URL } from './pages/api';

test('API key, persona set over the API, pipeline page, payload with the key', async ({ page, request, baseURL, demo }) => {
  const { apiKeys, newPipeline, pipeline } = demo;
  await apiKeys.openFromSettings();
  await expect(page).toHaveURL(/\/settings\/api-keys/);
  const keyName = `e2e ${Date.now()}`;
  const key = await apiKeys.create(keyName);
  expect(key).toMatch(/^fct_[0-9a-f]{8}_/);
  await expect(apiKeys.row(keyName)).toBeVisible();

  const auth = { authorization: `Bearer ${key}` };
  const sets = await request.get('/api/v1/persona-sets', { headers: auth });
  expect(sets.status()).toBe(200);

  // a persona set created over the API (its build runs in the server's job runner)
  await newPipeline.goto();
  const cohortId = (await newPipeline.firstCohortId())!;
  const created = await request.post('/api/v1/persona-sets', { headers: auth, data: { name: `E2E set ${Date.now()}`, cohortId } });
  expect(created.status()).toBe(201);
  const setId = (await created.json()).id as string;

  await newPipeline.goto();
  await newPipeline.create(`E2E pipeline ${Date.now()}`, { cohortId, setId });
  await expect(page).toHaveURL(PIPELINE_URL);
  const id = pipeline.id();
  await expect(pipeline.curlCommand.first()).toContainText(`/api/v1/pipelines/${id}/payload?format=csv`);
  await expect(pipeline.previewColumn('person_id')).toBeVisible();

  const payload = await request.get(`/api/v1/pipelines/${id}/payload?format=json&limit=5`, { headers: auth });
  expect(payload.status()).toBe(200);
  const body = await payload.json();
  expect(body.rows.length).toBeLessThanOrEqual(5);
  const csv = await page.request.get(`${baseURL}/pipelines/${id}/download`);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect((await csv.text()).split('\r\n')[0]).toMatch(/^person_id,external_id,email,persona_set_/);

  await apiKeys.goto();
  await apiKeys.revoke(keyName);
  await expect(apiKeys.row(keyName)).toContainText('Revoked');
  const after = await request.get('/api/v1/persona-sets', { headers: auth });
  expect(after.status()).toBe(401);
});
