import { expect, test } from './fixtures';

const stamp = Date.now().toString(36);

// A small people file: quoted comma, a UTF-8 name, one bad email (line 4) and a custom trait.
const PEOPLE = [
  'Customer ID,Email,First name,Last name,Address,City,State,Zip,Has dog',
  `E2E-${stamp}-1,ana.${stamp}@example.com,Ana,"Núñez, Jr",12 Oak St,Austin,TX,78701,yes`,
  `E2E-${stamp}-2,bo.${stamp}@example.com,Bo,Lee,4 Elm Ave,Denver,CO,80202,no`,
  `E2E-${stamp}-3,not-an-email,Cy,Ray,9 Pine Rd,Boise,ID,83702,yes`,
].join('\n');

const ORDERS = [
  'order_id,customer_id,order_date,amount,product,category',
  `O-${stamp}-1,E2E-${stamp}-1,2025-01-10,120.00,Tent ${stamp},Camping`,
  `O-${stamp}-2,E2E-${stamp}-1,2025-02-11,35.50,Mug,Kitchen`,
  `O-${stamp}-3,E2E-${stamp}-2,2025-03-12,80,Boots,Apparel`,
  `O-${stamp}-4,NOBODY-${stamp},2025-03-12,80,Boots,Apparel`,
].join('\n');

test('upload people and orders, see the match rate and row errors, define a cohort with a live preview', async ({ page, demo, shot }) => {
  const { datasets, cohorts, cohortBuilder: builder, cohort } = demo;

  const people = await datasets.upload(`people-${stamp}.csv`, PEOPLE);
  // the header was understood: identity columns mapped, the rest becomes a custom trait
  await expect(people.column('Email', { exact: true })).toHaveValue('email');
  await expect(people.column('Zip')).toHaveValue('postcode');
  await expect(people.column('Has dog')).toHaveValue('trait:boolean');
  await shot('mapping');
  await people.confirmAndProcess();
  await expect(people.rowsLoaded).toHaveText('2');
  await expect(people.matchRate).toHaveText(/%$/);
  await expect(people.missReasons.first()).toBeVisible();
  await expect(people.rowErrors).toHaveCount(1);
  await expect(people.rowErrors).toContainText('invalid email');
  await expect(people.rowErrors.getByRole('cell').first()).toHaveText('4');
  await shot('people-dataset');

  const orders = await datasets.upload(`orders-${stamp}.csv`, ORDERS);
  await expect(orders.kind('Orders')).toBeChecked();
  await orders.confirmAndProcess();
  await expect(orders.rowsLoaded).toHaveText('3');
  await expect(orders.rowErrors).toContainText(`no person with customer id "NOBODY-${stamp}"`);

  await datasets.goto();
  await expect(datasets.row(`people-${stamp}`)).toBeVisible();

  // a cohort of people who bought a Tent, with a dog (custom trait from the people file)
  const cohortName = `Tent buyers with dogs ${stamp}`;
  await builder.goto();
  await builder.name.fill(cohortName);
  await builder.condition.selectOption('bought');
  await builder.products.selectOption([`Tent ${stamp}`]);
  await builder.addTraitCondition('has_dog', 'true');
  await expect(builder.preview).toHaveText('1', { timeout: 30_000 });
  await shot('cohort-builder');
  await builder.create.click();
  await expect(cohort.heading(cohortName)).toBeVisible({ timeout: 30_000 });
  await expect(cohort.members).toHaveText('1');
  await expect(cohort.membershipChart).toBeVisible();
  await shot('cohort');

  // the demo cohorts show a chart of their history too
  await cohorts.goto();
  await cohorts.link('Customers').click();
  await expect(cohort.membershipChart).toBeVisible();
  await cohort.membershipChart.focus();
  await page.keyboard.press('Home');
  await expect(cohort.chartReadout).toContainText('members');
});

test('an empty upload gets a clear message', async ({ page, demo }) => {
  await demo.datasets.chooseAndUpload('empty.csv', '');
  await expect(page.getByText('The file is empty.')).toBeVisible();
});
