// The base of every page object: the page it drives. Subclasses declare their locators as fields, which
// run after this constructor (so `this.page` is set); locators are lazy, so declaring them finds nothing yet.
import type { Page } from '@playwright/test';

export abstract class Screen {
  constructor(protected readonly page: Page) {}
}
