// Browser checks of capabilities-based planning: the programme portfolio with its
// filters, a programme with its option tables, the forms of the rules between programmes
// (exclusions, capacities) and of the spend (minimum shares), the scenario form (refused,
// saved, deleted, and kept while a plan uses it), the approved plan with its Gantt chart,
// spend, gaps and explanations, the comparison with the "treasury −20%" plan, and
// optimising a plan in the background: its progress page updating and landing on the
// plan, and a search stopped with the best plan kept. Each visit checks HTTP 200, an
// <h1>, page problems and axe, and takes a screenshot. run.mjs runs them among its checks.

const WORKSPACE = '/w/arvenia';

// The submit button of the form of `page` that holds `field`.
function submitOf(page, field) {
  return page.locator('main form').filter({ has: page.locator(field) }).first()
    .locator('button[type="submit"]').last();
}

async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

function expectText(t, text, expected, where) {
  for (const e of expected) {
    if (!text.includes(e)) t.problem(`${where} does not say "${e}"`);
  }
}

// The ids of the approved plan and, for those who may read drafts, of the treasury −20%
// plan, from the plans page.
async function planIds(t, s, withDraft) {
  const { page } = s;
  await t.visit(s, `${WORKSPACE}/planning`, { screenshot: withDraft ? 'plans-list' : 'plans-list-parliament' });
  const approved = page.getByRole('link', { name: 'Security Sector Reform Plan 2027–2036' });
  const cut = page.getByRole('link', { name: /Treasury −20%/ });
  if (!(await t.exists(approved))) throw new Error('the approved demo plan is missing');
  if (withDraft && !(await t.exists(cut))) throw new Error('the treasury −20% plan is missing');
  if (!withDraft && (await t.exists(cut))) t.problem('parliament sees a draft plan');
  const id = async (l) => new URL(await l.getAttribute('href'), page.url()).pathname.split('/').pop();
  return { approved: await id(approved), cut: withDraft ? await id(cut) : undefined };
}

// Fills in the optimise form on the plans page and sends it; returns when the progress
// page has loaded.
async function startOptimising(t, s, name, timeLimit) {
  const { page } = s;
  await t.visit(s, `${WORKSPACE}/planning`, { axe: false });
  await page.selectOption('#scenario', 'baseline');
  await page.fill('#name', name);
  await page.fill('#time_limit', String(timeLimit));
  await page.fill('#gap', '0');
  await t.submit(page, page.getByRole('button', { name: 'Optimise', exact: true }));
  t.page = t.pathOf(page);
  if (!/\/planning\/jobs\/[0-9a-f-]+$/.test(t.pathOf(page))) throw new Error(`the form led to ${t.pathOf(page)}, not a job's page`);
  if ((await t.expectH1(page)) !== 'Optimising a plan') t.problem('the progress page is not headed "Optimising a plan"');
}

// Waits until the page is a plan's page (the progress page sends it there), and returns
// the plan page's text.
async function landOnPlan(t, page, timeout) {
  await page.waitForURL(/\/planning\/plans\/[0-9a-f-]+$/, { timeout, waitUntil: 'load' });
  t.page = t.pathOf(page);
  await t.expectH1(page);
  return mainText(page);
}

export const PLANNING_CHECKS = [
  {
    name: 'planning: programme portfolio',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const list = `${WORKSPACE}/planning/programmes`;
      await t.visit(s, list, { screenshot: 'programmes-list' });
      expectText(t, await mainText(page), ['41 programmes', 'One border information system', 'At most 2 programmes at once'], 'the portfolio');
      await t.visit(s, `${list}?field=demilitarisation_peacebuilding`, { screenshot: 'programmes-filtered', axe: false });
      const text = await mainText(page);
      if (text.includes('Police training academy reform')) t.problem('the field filter lets a police programme through');
      expectText(t, text, ['DDR phase 2 for the Northern Liberation Front', 'Mandatory'], 'the filtered portfolio');
      await t.visit(s, `${list}/p-coastal-patrol`, { screenshot: 'programme-detail' });
      expectText(t, await mainText(page), ['Integrity gate', 'Defence procurement integrity and offsets policy', 'Cost per year after the start', 'National treasury'], 'the programme');
      await t.visit(s, `${list}/p-police-academy/options/full/edit`, { screenshot: 'option-form' });
      // The public sees the portfolio without the OFFICIAL programme.
      const pub = await t.session('public');
      await t.visit(pub, list, { screenshot: 'programmes-public', axe: false });
      const pubText = await mainText(pub.page);
      if (pubText.includes('threat analysis in the intelligence service')) t.problem('the public sees the OFFICIAL programme');
      expectText(t, pubText, ['40 programmes'], 'the public portfolio');
    },
  },
  {
    name: 'planning: rules between programmes and shares of the spend',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const exclusion = `${WORKSPACE}/planning/exclusions/new`;
      await t.visit(s, exclusion, { screenshot: 'exclusion-new' });
      // Adding an empty exclusion: an error summary linking to the name and the programmes.
      await t.submit(page, submitOf(page, '#name'));
      await t.screenshot(page, 'exclusion-new-error');
      await t.expectErrorSummary(page);
      for (const field of ['#name', '#programmes']) {
        if (!(await t.exists(page.locator(`.error-summary a[href="${field}"]`)))) t.problem(`the error summary has no link to ${field}`);
      }
      await t.axe(s, {
        replay: async (p) => { await p.goto(t.url(exclusion)); await p.locator('main form button[type="submit"]').last().click(); await p.waitForLoadState('load'); },
      });
      await t.visit(s, `${WORKSPACE}/planning/capacities/edit`, { screenshot: 'capacity-form' });
      await t.visit(s, `${WORKSPACE}/planning/shares/edit?of=field:civil_democratic_control`, { screenshot: 'share-form' });
      if ((await page.locator('#share').inputValue()) !== '12') t.problem('the share form does not show the 12% share of civil-democratic control');
    },
  },
  {
    name: 'planning: scenario form',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const form = `${WORKSPACE}/planning/scenarios/new`;
      await t.visit(s, form, { screenshot: 'scenario-new' });
      // A negative factor is named beside its row.
      await page.fill('#key', 'union-leaves-2029');
      await page.fill('#name', 'Union Development Fund leaves in 2029');
      await page.selectOption('#assumption-1-source', 'union');
      await page.fill('#assumption-1-from_year', '2029');
      await page.fill('#assumption-1-factor', '-1');
      await t.submit(page, submitOf(page, '#key'));
      await t.screenshot(page, 'scenario-new-error');
      await t.expectErrorSummary(page);
      if (!(await t.exists(page.locator('.error-summary a[href="#assumption-1-factor"]')))) t.problem('the error summary has no link to #assumption-1-factor');
      // The donor leaving: saved, shown among the scenarios, then deleted.
      await page.selectOption('#assumption-1-kind', 'leaves');
      await page.fill('#assumption-1-factor', '');
      const saved = await t.submit(page, submitOf(page, '#key'));
      t.page = t.pathOf(page);
      if (saved.status() !== 200 || t.pathOf(page) !== `${WORKSPACE}/planning/funding`) throw new Error(`saving the scenario: HTTP ${saved.status()} at ${t.pathOf(page)}`);
      expectText(t, await mainText(page), ['Union Development Fund leaves in 2029', 'union leaves: no money from 2029'], 'the funding page');
      await t.screenshot(page, 'funding-with-scenario');
      await t.visit(s, `${WORKSPACE}/planning/scenarios/union-leaves-2029/edit`, { screenshot: 'scenario-edit' });
      await t.visit(s, `${WORKSPACE}/planning/funding`, { axe: false });
      await t.submit(page, page.getByRole('button', { name: 'Delete scenario Union Development Fund leaves in 2029' }));
      if ((await mainText(page)).includes('Union Development Fund leaves in 2029')) t.problem('the deleted scenario is still listed');
      // The demo's plans were optimised under "Treasury −20%": it is kept, and the page says why.
      const refused = await t.submit(page, page.getByRole('button', { name: 'Delete scenario Treasury −20%' }));
      if (refused.status() !== 409) t.problem(`deleting a scenario a plan uses answers HTTP ${refused.status()}, not 409`);
      await t.screenshot(page, 'scenario-delete-refused');
      await t.expectErrorSummary(page);
      expectText(t, await mainText(page), ['Plans were optimised under the scenario Treasury −20%'], 'the refusal');
    },
  },
  {
    name: 'planning: approved plan',
    run: async (t) => {
      const s = await t.signIn('mp');
      const { page } = s;
      const ids = await planIds(t, s, false);
      await t.visit(s, `${WORKSPACE}/planning/plans/${ids.approved}`, { screenshot: 'plan-approved' });
      expectText(t, await mainText(page), [
        'Approved', 'NA/RES/2026/41', 'frozen', 'Programmes by year', 'Spend against ceilings',
        'Residual gap per goal', 'Rules that bind', 'Marginal value of money', 'Programmes left out',
        'optimality gap reached', 'DDR phase 2 for the Northern Liberation Front',
      ], 'the approved plan');
      if ((await page.locator('.picture--gantt svg rect').count()) < 10) t.problem('the Gantt chart has fewer than 10 bars');
      await t.phoneScreenshot(s, `${WORKSPACE}/planning/plans/${ids.approved}`, 'plan-approved-phone');
    },
  },
  {
    name: 'planning: scenario comparison',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const ids = await planIds(t, s, true);
      await t.visit(s, `${WORKSPACE}/planning/compare?a=${ids.approved}&b=${ids.cut}`, { screenshot: 'plans-compare' });
      expectText(t, await mainText(page), ['What enters', 'What leaves', 'What moves', 'Change in residual gap per goal', 'Treasury −20%', 'Total cost'], 'the comparison');
      await t.visit(s, `${WORKSPACE}/planning/capabilities`, { screenshot: 'capabilities' });
      await t.visit(s, `${WORKSPACE}/planning/funding`, { screenshot: 'funding' });
    },
  },
  {
    name: 'planning: optimising in the background',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await startOptimising(t, s, 'Browser test: background plan', 8);
      const bar = page.locator('progress#job-time');
      if (!(await t.exists(bar))) throw new Error('the progress page has no <progress id="job-time">');
      const label = (await page.locator('label[for="job-time"]').innerText()).trim();
      if (!label.startsWith('Time:')) t.problem(`the progress bar is labelled "${label}"`);
      expectText(t, await mainText(page), ['under the scenario Baseline', 'Proven bound', 'Optimality gap', 'Nodes explored', 'Stop and keep the best plan'], 'the progress page');
      // htmx swaps the status in place every second: the bar moves without a reload.
      const before = Number(await bar.getAttribute('value'));
      await page.waitForFunction((v) => Number(document.querySelector('progress#job-time')?.value ?? v) > v, before, { timeout: 6000 })
        .catch(() => t.problem(`the progress bar stayed at ${before} s for 6 s`));
      await t.screenshot(page, 'plan-job-running');
      t.expectNoPageProblems(page);
      await t.axe(s);
      const text = await landOnPlan(t, page, 60_000);
      expectText(t, text, ['Browser test: background plan', 'Programmes by year', 'Draft'], 'the plan it made');
      t.expectNoPageProblems(page);
    },
  },
  {
    name: 'planning: progress without JavaScript',
    run: async (t) => {
      // The same session's cookies in a browser with scripts turned off: the page reloads
      // itself (a meta refresh inside <noscript>) until the plan is saved.
      const planner = await t.session('planner');
      const context = await t.h.browser.newContext({ javaScriptEnabled: false });
      try {
        await context.addCookies(await planner.context.cookies());
        const page = await context.newPage();
        t.h.watch(page);
        const s = { page, context };
        await startOptimising(t, s, 'Browser test: plan without JavaScript', 4);
        await t.screenshot(page, 'plan-job-no-script');
        const text = await landOnPlan(t, page, 60_000);
        expectText(t, text, ['Browser test: plan without JavaScript', 'Programmes by year'], 'the plan it made');
        t.expectNoPageProblems(page);
      } finally {
        await context.close();
      }
    },
  },
  {
    name: 'planning: stopping a search keeps the best plan',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await startOptimising(t, s, 'Browser test: stopped plan', 60);
      // A plan is found once the page gives its weighted gap as a number.
      await page.locator('#job-status', { hasText: /Weighted gap \d/ }).waitFor({ timeout: 30_000 });
      await t.screenshot(page, 'plan-job-searching');
      await t.phoneScreenshot(s, t.pathOf(page), 'plan-job-searching-phone');
      await t.submit(page, page.getByRole('button', { name: 'Stop and keep the best plan' }));
      const text = await landOnPlan(t, page, 60_000);
      expectText(t, text, ['Browser test: stopped plan', 'stopped by the user'], 'the stopped plan');
      await t.screenshot(page, 'plan-stopped');
      t.expectNoPageProblems(page);
    },
  },
];
