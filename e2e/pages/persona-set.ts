// One persona set's page: the build status, its personas (Definition), and the Analysis and Flow tabs.
import { expect, type Locator } from '@playwright/test';
import { Screen } from './screen';

export const SET_URL = /\/persona-sets\/[0-9a-f-]{36}$/;

export class PersonaSetPage extends Screen {
  readonly buildStatus = this.page.getByTestId('build-status');
  readonly cards = this.page.getByTestId('persona-card');
  /** the Analysis tab's badges of the traits the set was clustered on */
  readonly clusteringTraits = this.page.getByTestId('clustering-traits').getByRole('listitem');
  readonly quality = this.page.getByTestId('set-quality');

  heading(name: string) {
    return this.page.getByRole('heading', { name, level: 1 });
  }

  /** Waits for the build to finish: personas shown, the status gone. */
  async waitUntilReady() {
    await expect(this.cards.first()).toBeVisible({ timeout: 120_000 });
    await expect(this.buildStatus).toBeHidden({ timeout: 30_000 });
  }

  /** Renames a persona in place from its card. */
  async renamePersona(card: Locator, name: string) {
    await card.getByRole('button', { name: /^Rename / }).click();
    const field = this.page.getByRole('textbox', { name: 'Persona name' });
    await field.fill(name);
    await field.press('Enter');
  }

  personaName(card: Locator) {
    return card.getByTestId('persona-name');
  }

  openTab(tab: 'Analysis' | 'Flow') {
    return this.page.getByRole('link', { name: tab }).click();
  }

  /** The switch that shows the set in Explore. */
  exploreToggle(setName: string) {
    return this.page.getByRole('switch', { name: `Show ${setName} in Explore` });
  }

  /* ---------- Analysis ---------- */

  readonly revenuePanel = this.page.getByTestId('revenue-panel');

  /** Adds a trait to the analysis through the dialog: search, then the trait's button (e.g. /^Dog owner/). */
  async addTrait(search: string, trait: RegExp) {
    await this.page.getByRole('button', { name: 'Add trait' }).click();
    const dialog = this.page.getByRole('dialog');
    await dialog.getByRole('searchbox', { name: 'Search traits' }).fill(search);
    await dialog.getByRole('button', { name: trait }).click();
  }

  /** The analysis table of one trait, by its key. */
  dimension(traitKey: string) {
    return this.page.getByTestId(`dimension-${traitKey}`);
  }

  /* ---------- Flow ---------- */

  readonly flowChart = this.page.getByTestId('flow-chart');
  readonly flowTooltip = this.page.getByTestId('flow-tooltip');
  readonly flowRule = this.page.getByTestId('flow-rule');
  readonly share = this.page.getByRole('button', { name: 'Share' });

  /** Moves the pointer over the flow chart at a fraction of its width and height. */
  async hoverFlow(x: number, y: number) {
    const box = (await this.flowChart.boundingBox())!;
    await this.page.mouse.move(box.x + box.width * x, box.y + box.height * y);
  }
}
