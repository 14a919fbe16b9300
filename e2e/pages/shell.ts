// The signed-in shell around every product screen: main navigation, account name, sign-out.
import { Screen } from './screen';

export const SECTIONS = ['Persona sets', 'Cohorts', 'Datasets', 'Explore', 'Pipelines', 'Settings'] as const;
export type Section = (typeof SECTIONS)[number];

export class AppShell extends Screen {
  readonly nav = this.page.getByRole('navigation', { name: 'Main' });
  readonly accountName = this.page.getByTestId('account-name');
  readonly signOutButton = this.page.getByRole('button', { name: 'Sign out' });

  link(section: Section) {
    return this.nav.getByRole('link', { name: section });
  }

  /** Goes to a section through the navigation, as a person would. */
  open(section: Section) {
    return this.link(section).click();
  }

  signOut() {
    return this.signOutButton.click();
  }
}
