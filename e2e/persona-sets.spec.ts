import { expect, test } from './fixtures';
import { SET_URL } from './pages/persona-set';

/** yes/no interests of the identity graph, one of which the test adds to the analysis */
const FLAGS = [
  { key: 'dog_owner', label: 'Dog owner', search: 'dog' },
  { key: 'cat_owner', label: 'Cat owner', search: 'cat' },
  { key: 'crafts', label: 'Crafts', search: 'crafts' },
  { key: 'cooking', label: 'Cooking', search: 'cooking' },
  { key: 'sports_fan', label: 'Sports fan', search: 'sports' },
  { key: 'outdoors', label: 'Outdoor enthusiast', search: 'outdoor' },
];

test('an analyst builds a persona set and studies it: definition, analysis, flow, Explore', async ({ page, demo, shot }) => {
  test.setTimeout(240_000);
  const name = `E2E personas ${Date.now().toString(36)}`;
  const { personaSets, newPersonaSet: form, personaSet: set, explore, shell } = demo;
  await expect(personaSets.heading).toBeVisible();
  await shot('list-before');

  // new persona set
  await personaSets.newSetLink.click();
  await expect(page).toHaveURL(/\/persona-sets\/new$/);
  await form.chooseCohort(/^High-value customers · [\d,]+ people$/);
  await form.name.fill(name);
  await form.advanced.click();
  await expect(form.resetToDefaults).toBeDisabled();
  await form.traitSearch.fill('dog');
  await form.traitCheckboxes.first().check();
  await expect(form.resetToDefaults).toBeEnabled();
  await expect(form.traitsChosen('you')).toBeVisible();
  await shot('new', { keep: 'persona-sets-new' });
  await form.resetToDefaults.click();
  await expect(form.traitsChosen('automatically')).toBeVisible();
  await form.save.click();

  // its page with the loading bar, until ready
  await expect(page).toHaveURL(SET_URL);
  await expect(set.heading(name)).toBeVisible();
  await expect(set.buildStatus.or(set.cards.first())).toBeVisible();
  if (await set.buildStatus.isVisible()) {
    await expect(set.buildStatus.getByRole('progressbar')).toBeVisible();
    await shot('building', { keep: 'persona-sets-building' });
  }
  await set.waitUntilReady();
  const personaCount = await set.cards.count();
  expect(personaCount).toBeGreaterThanOrEqual(2);
  await expect(set.quality).toContainText(/personas/);
  await expect(set.quality).toContainText(/of the time/);
  await expect(set.cards.first().getByRole('img', { name: /^Avatar: / })).toBeVisible();
  await shot('definition', { keep: 'persona-sets-definition' });

  // rename a persona in place
  await set.renamePersona(set.cards.first(), 'Weekend Gardeners');
  await expect(set.personaName(set.cards.first())).toHaveText('Weekend Gardeners');
  await page.reload();
  await expect(set.personaName(set.cards.first())).toHaveText('Weekend Gardeners');

  // analysis: add a trait
  await set.openTab('Analysis');
  await expect(page).toHaveURL(/tab=analysis/);
  await expect(set.revenuePanel).toBeVisible();
  // a yes/no interest the set was not clustered on (Facet may choose any of them): the dialog offers only those
  const clustering = await set.clusteringTraits.allInnerTexts();
  const flag = FLAGS.find((f) => !clustering.includes(f.label));
  expect(flag, `every candidate flag is a clustering trait: ${clustering.join(', ')}`).toBeDefined();
  await set.addTrait(flag!.search, new RegExp(`^${flag!.label}`));
  await expect(page).toHaveURL(new RegExp(`traits=${flag!.key}`));
  const added = set.dimension(flag!.key);
  await expect(added).toBeVisible();
  await expect(added.getByRole('row')).toHaveCount(1 + 2 + 1); // header, No, Yes, Average
  await expect(added.getByRole('columnheader', { name: 'Weekend Gardeners' })).toBeVisible();
  if (clustering.length) {
    // a clustering trait is on the page already: not offered
    await page.getByRole('button', { name: 'Add trait' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('searchbox', { name: 'Search traits' }).fill(clustering[0]);
    await expect(dialog.getByRole('button', { name: new RegExp(`^${clustering[0]}`) })).toHaveCount(0);
    await page.keyboard.press('Escape');
  }
  await shot('analysis', { keep: 'persona-sets-analysis' });

  // flow: hover for the readout
  await set.openTab('Flow');
  await expect(page).toHaveURL(/tab=flow/);
  await expect(set.flowChart).toBeVisible();
  await set.hoverFlow(0.6, 0.5);
  await expect(set.flowTooltip).toBeVisible();
  await expect(set.flowTooltip).toContainText('Weekend Gardeners');
  await expect(set.flowTooltip).toContainText('All personas');
  await expect(set.flowRule).toHaveCount(1); // a 0-wide line: present, not 'visible'
  await shot('flow', { keep: 'persona-sets-flow' });
  await set.share.click();
  await expect(set.share).toHaveAttribute('aria-pressed', 'true');

  // show in Explore, then the map
  await set.exploreToggle(name).click();
  await expect(set.exploreToggle(name)).toBeChecked();
  await shell.open('Explore');
  await expect(page).toHaveURL(/\/explore/);
  await explore.choosePersonaSet(name);
  await expect(explore.personaSetPicker).toContainText(name);
  await expect(explore.map).toBeVisible();
  expect(await explore.states.count()).toBeGreaterThanOrEqual(49);
  await expect(explore.legend).toBeVisible();
  await explore.hoverState('TX');
  await expect(explore.tooltip).toContainText('Texas');
  await shot('explore', { keep: 'persona-sets-explore' });

  // the list shows it, ready and in Explore
  await shell.open('Persona sets');
  const row = personaSets.row(name);
  await expect(row).toContainText('Ready');
  await expect(row.getByRole('switch')).toBeChecked();
  await expect(row.getByRole('cell').nth(1)).toHaveText(String(personaCount));
  await shot('list', { keep: 'persona-sets-list' });
});

test('the name must be unique in the account', async ({ page, demo }) => {
  const name = `Taken ${Date.now().toString(36)}`;
  for (let i = 0; i < 2; i++) {
    await demo.newPersonaSet.goto();
    await demo.newPersonaSet.create(/^High-value customers/, name);
    if (i === 0) await expect(page).toHaveURL(SET_URL);
  }
  await expect(page.getByText('This name is already used by another persona set')).toBeVisible();
  await expect(demo.newPersonaSet.name).toHaveAttribute('aria-invalid', 'true');
});
