// Sign-in and sign-up: the two screens a signed-out visitor meets.
import { expect } from '@playwright/test';
import { Screen } from './screen';

export const DEMO = { email: 'demo@facet.local', password: 'facet-demo-2026' };

export class SignInPage extends Screen {
  readonly heading = this.page.getByRole('heading', { name: /sign in to facet/i });
  readonly email = this.page.getByLabel('Email');
  readonly password = this.page.getByLabel('Password');
  readonly submit = this.page.getByRole('button', { name: 'Sign in' });

  goto() {
    return this.page.goto('/sign-in');
  }

  /** Fills and sends the form; the caller checks where it leads. */
  async signIn(email: string, password: string) {
    await this.goto();
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  async signInAsDemo() {
    await this.signIn(DEMO.email, DEMO.password);
    await expect(this.page).toHaveURL(/\/persona-sets/);
  }

  /** The form's alert carrying `text`. */
  alert(text: string) {
    return this.page.getByRole('alert').filter({ hasText: text });
  }
}

export class SignUpPage extends Screen {
  readonly name = this.page.getByLabel('Your name');
  readonly email = this.page.getByLabel('Work email');
  readonly password = this.page.getByLabel(/Password/);
  readonly submit = this.page.getByRole('button', { name: 'Create account' });

  goto() {
    return this.page.goto('/sign-up');
  }

  /** Fills the fields given (the page must be open) and sends the form. */
  async submitWith(fields: { name?: string; email?: string; password?: string }) {
    if (fields.name !== undefined) await this.name.fill(fields.name);
    if (fields.email !== undefined) await this.email.fill(fields.email);
    if (fields.password !== undefined) await this.password.fill(fields.password);
    await this.submit.click();
  }
}
