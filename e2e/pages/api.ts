// What the API journey walks: Settings → API keys, and pipelines (new, then its page with preview and curl).
import { Screen } from './screen';

export const PIPELINE_URL = /\/pipelines\/[0-9a-f-]{36}$/;

export class ApiKeysPage extends Screen {
  readonly name = this.page.getByLabel('Name');
  readonly newKey = this.page.getByTestId('new-api-key');

  goto() {
    return this.page.goto('/settings/api-keys');
  }

  /** From Settings, through its link. */
  async openFromSettings() {
    await this.page.goto('/settings');
    await this.page.getByRole('link', { name: 'API keys' }).click();
  }

  /** Creates a key and returns the secret shown once. */
  async create(name: string): Promise<string> {
    await this.name.fill(name);
    await this.page.getByRole('button', { name: 'Create key' }).click();
    return (await this.newKey.textContent())!.trim();
  }

  row(keyName: string) {
    return this.page.getByRole('row', { name: new RegExp(keyName) });
  }

  /** Revokes a key, accepting the confirmation. */
  async revoke(keyName: string) {
    this.page.once('dialog', (d) => d.accept());
    await this.row(keyName).getByRole('button', { name: 'Revoke' }).click();
  }
}

export class NewPipelinePage extends Screen {
  readonly name = this.page.getByLabel('Name');
  readonly cohorts = this.page.getByTestId('pipeline-cohorts');
  readonly sets = this.page.getByTestId('pipeline-sets');

  goto() {
    return this.page.goto('/pipelines/new');
  }

  /** The id of the first cohort offered. */
  firstCohortId() {
    return this.cohorts.locator('input[type=checkbox]').first().getAttribute('value');
  }

  /** Names a pipeline over the given cohort and set ids and creates it (the page must be open). */
  async create(name: string, ids: { cohortId: string; setId: string }) {
    await this.name.fill(name);
    await this.cohorts.locator(`input[value="${ids.cohortId}"]`).check();
    await this.sets.locator(`input[value="${ids.setId}"]`).check();
    await this.page.getByRole('button', { name: 'Create pipeline' }).click();
  }
}

export class PipelinePage extends Screen {
  readonly curlCommand = this.page.getByTestId('curl-command');

  /** The pipeline id, from the address. */
  id() {
    return this.page.url().split('/').pop()!;
  }

  previewColumn(name: string) {
    return this.page.getByRole('columnheader', { name });
  }
}
