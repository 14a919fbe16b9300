// Playwright fixtures: `app` holds a page object per screen over the test's page; `demo` is the same, signed in
// as the demo user; `shot` saves a full-page screenshot with the test's output (and, if asked, into docs/).
import fs from 'node:fs';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { ApiKeysPage, NewPipelinePage, PipelinePage } from './pages/api';
import { DEMO, SignInPage, SignUpPage } from './pages/auth';
import { CohortBuilderPage, CohortListPage, CohortPage } from './pages/cohorts';
import { DatasetPage, DatasetsPage } from './pages/datasets';
import { ExplorePage } from './pages/explore';
import { PersonaSetPage } from './pages/persona-set';
import { NewPersonaSetPage, PersonaSetListPage } from './pages/persona-sets';
import { AppShell } from './pages/shell';
import type { Page } from '@playwright/test';

export { expect } from '@playwright/test';
export { DEMO };

const DOCS = path.join(process.cwd(), 'docs', 'screenshots');

/** Every screen the specs walk, over one page. */
export class Facet {
  readonly signIn: SignInPage;
  readonly signUp: SignUpPage;
  readonly shell: AppShell;
  readonly personaSets: PersonaSetListPage;
  readonly newPersonaSet: NewPersonaSetPage;
  readonly personaSet: PersonaSetPage;
  readonly explore: ExplorePage;
  readonly datasets: DatasetsPage;
  readonly dataset: DatasetPage;
  readonly cohorts: CohortListPage;
  readonly cohortBuilder: CohortBuilderPage;
  readonly cohort: CohortPage;
  readonly apiKeys: ApiKeysPage;
  readonly newPipeline: NewPipelinePage;
  readonly pipeline: PipelinePage;

  constructor(readonly page: Page) {
    this.signIn = new SignInPage(page);
    this.signUp = new SignUpPage(page);
    this.shell = new AppShell(page);
    this.personaSets = new PersonaSetListPage(page);
    this.newPersonaSet = new NewPersonaSetPage(page);
    this.personaSet = new PersonaSetPage(page);
    this.explore = new ExplorePage(page);
    this.datasets = new DatasetsPage(page);
    this.dataset = new DatasetPage(page);
    this.cohorts = new CohortListPage(page);
    this.cohortBuilder = new CohortBuilderPage(page);
    this.cohort = new CohortPage(page);
    this.apiKeys = new ApiKeysPage(page);
    this.newPipeline = new NewPipelinePage(page);
    this.pipeline = new PipelinePage(page);
  }
}

/** Saves a full-page screenshot as `<name>.png` in the test's output; `keep` also copies it to docs/screenshots/. */
export type Shot = (name: string, opts?: { keep?: string }) => Promise<void>;

export const test = base.extend<{ app: Facet; demo: Facet; shot: Shot }>({
  app: async ({ page }, provide) => {
    await provide(new Facet(page));
  },
  demo: async ({ app }, provide) => {
    await app.signIn.signInAsDemo();
    await provide(app);
  },
  shot: async ({ page }, provide, info) => {
    await provide(async (name, opts = {}) => {
      const file = info.outputPath(`${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (opts.keep) {
        fs.mkdirSync(DOCS, { recursive: true });
        fs.copyFileSync(file, path.join(DOCS, `${opts.keep}.png`));
      }
    });
  },
});
