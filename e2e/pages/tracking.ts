// A set's Scoring and Transitions tabs, and the comparison of two sets.
import { Screen } from './screen';

export class ScoringTab extends Screen {
  readonly schedule = this.page.getByRole('combobox', { name: 'Scheduled scoring' });
  readonly scoreNow = this.page.getByRole('button', { name: 'Score now' });
  readonly runs = this.page.getByTestId('scoring-runs');

  open() {
    return this.page.getByRole('link', { name: 'Scoring' }).click();
  }

  async chooseSchedule(label: 'Off' | 'Daily' | 'Weekly') {
    await this.schedule.click();
    await this.page.getByRole('option', { name: label }).click();
  }

  /** The newest run's row (the table's first body row). */
  latestRun() {
    return this.runs.getByRole('row').nth(1);
  }
}

export class TransitionsTab extends Screen {
  readonly matrix = this.page.getByTestId('transition-matrix');
  readonly joined = this.page.getByTestId('transitions-joined');
  readonly personSearch = this.page.getByRole('textbox', { name: /Email, your id/ });
  readonly history = this.page.getByTestId('person-history');

  open() {
    return this.page.getByRole('link', { name: 'Transitions' }).click();
  }
}

export class ComparePage extends Screen {
  readonly second = this.page.getByLabel('Second set');
  readonly compare = this.page.getByRole('button', { name: 'Compare' });
  readonly overlap = this.page.getByTestId('overlap-matrix');
  readonly pairs = this.page.getByTestId('compare-pairs');
}
