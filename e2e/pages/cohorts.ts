// Cohorts: the list, the builder with its live preview, and one cohort's page with its membership chart.
import { Screen } from './screen';

export class CohortListPage extends Screen {
  readonly rows = this.page.getByTestId('cohort-row');
  readonly empty = this.page.getByText('No cohorts yet');

  goto() {
    return this.page.goto('/cohorts');
  }

  link(name: string) {
    return this.page.getByRole('link', { name, exact: true });
  }

  /** The row of a cohort whose name starts the row's text. */
  row(name: string) {
    return this.rows.filter({ hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
  }

  /** The member count cell of a row. */
  members(name: string) {
    return this.row(name).getByRole('cell').nth(2);
  }
}

export class CohortBuilderPage extends Screen {
  readonly name = this.page.getByLabel('Name');
  readonly condition = this.page.getByLabel('Condition', { exact: true });
  readonly products = this.page.getByLabel('Products', { exact: true });
  readonly trait = this.page.getByLabel('Trait', { exact: true });
  readonly traitIs = this.page.getByLabel('Is', { exact: true });
  readonly preview = this.page.getByTestId('cohort-preview');
  readonly create = this.page.getByRole('button', { name: 'Create cohort' });

  goto() {
    return this.page.goto('/cohorts/new');
  }

  /** Adds a trait condition: the trait (by key) is the given value. */
  async addTraitCondition(traitKey: string, value: string) {
    await this.page.getByRole('button', { name: 'Add trait condition' }).click();
    await this.trait.selectOption(traitKey);
    await this.traitIs.selectOption(value);
  }
}

export class CohortPage extends Screen {
  readonly members = this.page.getByTestId('cohort-members');
  readonly membershipChart = this.page.getByTestId('membership-chart');
  readonly chartReadout = this.page.getByTestId('chart-readout');

  heading(name: string) {
    return this.page.getByRole('heading', { name });
  }
}
