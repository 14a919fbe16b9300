// The persona-set list and the form for a new set.
import { Screen } from './screen';

export class PersonaSetListPage extends Screen {
  readonly heading = this.page.getByRole('heading', { name: 'Persona sets', level: 1 });
  readonly newSetLink = this.page.getByRole('link', { name: 'New persona set' });

  goto() {
    return this.page.goto('/persona-sets');
  }

  /** The list row of the set named `name`. */
  row(name: string) {
    return this.page.getByTestId('persona-set-row').filter({ hasText: name });
  }
}

export class NewPersonaSetPage extends Screen {
  readonly cohort = this.page.getByRole('combobox', { name: 'Cohort' });
  readonly name = this.page.getByLabel('Name');
  readonly advanced = this.page.getByRole('button', { name: /Advanced/ });
  readonly resetToDefaults = this.page.getByRole('button', { name: 'Reset to defaults' });
  readonly traitSearch = this.page.getByRole('searchbox', { name: 'Search traits' });
  readonly traitCheckboxes = this.page.getByRole('checkbox');
  readonly save = this.page.getByRole('button', { name: 'Save persona set' });

  goto() {
    return this.page.goto('/persona-sets/new');
  }

  /** Picks the cohort whose option (e.g. "High-value customers · 1,234 people") matches. */
  async chooseCohort(option: RegExp) {
    await this.cohort.click();
    await this.page.getByRole('option', { name: option }).click();
  }

  /** A line saying who chose the traits: "traits chosen by you" or "traits chosen automatically". */
  traitsChosen(by: 'you' | 'automatically') {
    return this.page.getByText(by === 'you' ? /traits chosen by you/ : /traits chosen automatically/);
  }

  /** Fills cohort and name and saves (the page must be open). */
  async create(cohort: RegExp, name: string) {
    await this.chooseCohort(cohort);
    await this.name.fill(name);
    await this.save.click();
  }
}
