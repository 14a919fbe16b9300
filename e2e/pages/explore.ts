// Explore: a persona set on the map of states.
import { Screen } from './screen';

export class ExplorePage extends Screen {
  readonly personaSetPicker = this.page.getByRole('combobox', { name: 'Persona set' });
  readonly map = this.page.getByTestId('state-map');
  readonly states = this.map.locator('path[data-state]');
  readonly legend = this.page.getByTestId('map-legend');
  readonly tooltip = this.page.getByTestId('map-tooltip');

  async choosePersonaSet(name: string) {
    await this.personaSetPicker.click();
    await this.page.getByRole('option', { name }).click();
  }

  /** Hovers one state by its two-letter code. */
  hoverState(code: string) {
    return this.map.locator(`path[data-state="${code}"]`).hover();
  }
}
