import { expect, test } from './fixtures';
import { SET_URL } from './pages/persona-set';
import { ComparePage, ScoringTab, TransitionsTab } from './pages/tracking';

test('an analyst schedules scoring, scores now, sees the run, opens transitions and compares two sets', async ({ demo, page, shot }) => {
  test.setTimeout(600_000);
  const stamp = Date.now().toString(36);
  const other = `E2E money ${stamp}`;
  const name = `E2E tracking ${stamp}`;
  for (const [cohort, setName] of [[/^High-value customers · [\d,]+ people$/, other], [/^Customers · [\d,]+ people$/, name]] as const) {
    await demo.newPersonaSet.goto();
    await demo.newPersonaSet.create(cohort, setName);
    await expect(page).toHaveURL(SET_URL, { timeout: 60_000 });
    // the page refreshes itself while building; reloading too keeps the spec quick on a slow dev server
    await expect(async () => {
      await page.reload();
      await expect(demo.personaSet.cards.first()).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 180_000 });
  }
  const url = page.url();

  // schedule and score now, on the Scoring tab
  const scoring = new ScoringTab(page);
  await scoring.open();
  await expect(page).toHaveURL(/tab=scoring/);
  await scoring.chooseSchedule('Daily');
  await expect(page.getByText('Scores daily').first()).toBeVisible();
  await scoring.scoreNow.click();
  await expect(scoring.latestRun()).toContainText('Score now');
  await expect(scoring.latestRun()).toContainText('Done', { timeout: 60_000 });
  await expect(scoring.schedule).toContainText('Daily');
  await shot('scoring', { keep: 'tracking-scoring' });

  // the list shows the schedule
  await demo.personaSets.goto();
  await expect(demo.personaSets.row(name)).toContainText('Daily');

  // transitions between the build and now
  await page.goto(url);
  const transitions = new TransitionsTab(page);
  await transitions.open();
  await expect(transitions.matrix).toBeVisible();
  await expect(transitions.joined).not.toHaveText('0');
  await shot('transitions', { keep: 'tracking-transitions' });

  // compare with the other set
  await page.goto(url);
  await page.getByRole('link', { name: 'Compare with…' }).click();
  await expect(page).toHaveURL(/\/persona-sets\/compare\?a=/);
  const compare = new ComparePage(page);
  await compare.second.selectOption({ label: `${other} (High-value customers)` });
  await compare.compare.click();
  await expect(compare.overlap).toBeVisible();
  await expect(compare.pairs.getByRole('listitem').first()).toContainText('↔');
  await shot('compare', { keep: 'tracking-compare' });
});
