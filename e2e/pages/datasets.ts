// Datasets: the upload form and list, and one dataset's page (column mapping, then status, match rate, row errors).
import { expect } from '@playwright/test';
import { Screen } from './screen';

export class DatasetsPage extends Screen {
  readonly file = this.page.getByLabel('CSV file');
  readonly uploadButton = this.page.getByRole('button', { name: 'Upload' });

  goto() {
    return this.page.goto('/datasets');
  }

  /** Opens the list and sends a CSV file with this name and text; the caller checks what follows. */
  async chooseAndUpload(name: string, text: string) {
    await this.goto();
    await this.file.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await this.uploadButton.click();
  }

  /** Uploads a file and waits for its column mapping: the dataset's page, ready to confirm. */
  async upload(name: string, text: string): Promise<DatasetPage> {
    await this.chooseAndUpload(name, text);
    const dataset = new DatasetPage(this.page);
    await expect(dataset.mappingHeading).toBeVisible({ timeout: 60_000 });
    return dataset;
  }

  row(text: string) {
    return this.page.getByTestId('dataset-row').filter({ hasText: text });
  }
}

export class DatasetPage extends Screen {
  readonly mappingHeading = this.page.getByRole('heading', { name: 'Check the columns' });
  readonly status = this.page.getByTestId('dataset-status');
  readonly rowsLoaded = this.page.getByTestId('rows-loaded');
  readonly matchRate = this.page.getByTestId('match-rate');
  readonly missReasons = this.page.getByTestId('miss-reason');
  readonly rowErrors = this.page.getByTestId('row-error');

  /** The mapping control of a file column, by the column's header. */
  column(header: string, opts: { exact?: boolean } = {}) {
    return this.page.getByLabel(header, opts);
  }

  /** The kind of file (People, Orders) as the mapping guessed it. */
  kind(name: 'People' | 'Orders') {
    return this.page.getByLabel(name);
  }

  /** Confirms the mapping and waits until the file is processed. */
  async confirmAndProcess() {
    await this.page.getByRole('button', { name: 'Confirm columns and process' }).click();
    await expect(this.status).toHaveText('Ready', { timeout: 60_000 });
  }
}
