// Browser checks of threat-first strategy: the threat register with its live search, the
// risk matrix, a goal with its weight rule and override, and the strategies with their
// review flag and consultation. Each visit checks HTTP 200, an <h1>, page problems and
// axe, and takes a screenshot. run.mjs runs them among its checks.

const WORKSPACE = '/w/arvenia';

async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

function expectText(t, text, expected, where) {
  for (const e of expected) {
    if (!text.includes(e)) t.problem(`${where} does not say "${e}"`);
  }
}

export const STRATEGY_CHECKS = [
  {
    name: 'strategy: threat register and live search',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const list = `${WORKSPACE}/threats`;
      await t.visit(s, list, { screenshot: 'threats-list' });
      await t.phoneScreenshot(s, list, 'threats-list-phone');
      const rows = await page.locator('#results tbody tr').count();
      if (rows !== 12) t.problem(`the planner sees ${rows} threats, not 12`);
      expectText(t, await mainText(page), ['12 threats', 'Very high', 'SECRET', 'CONFIDENTIAL'], 'the register');
      // Typing in the search box narrows the list without a page load (htmx).
      await page.fill('#q', 'ransomware');
      await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 1, null, { timeout: 10_000 });
      if (!t.pathOf(page).startsWith(list)) t.problem(`the search left the register: ${t.pathOf(page)}`);
      expectText(t, await mainText(page), ['1 threat matching “ransomware”', 'Cyber attacks on state systems'], 'the search');
      await t.screenshot(page, 'threats-search');
      // The filters work without JavaScript too: an address with them.
      await t.visit(s, `${list}?origin=external&trend=rising`, { screenshot: 'threats-filtered', axe: false });
      const text = await mainText(page);
      if (text.includes('Seasonal floods')) t.problem('the external filter lets an internal threat through');
      expectText(t, text, ['Cyber attacks on state systems'], 'the filtered register');
    },
  },
  {
    name: 'strategy: risk matrix',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await t.visit(s, `${WORKSPACE}/threats/matrix`, { screenshot: 'threat-matrix' });
      if ((await page.locator('main table tbody tr').count()) !== 5) t.problem('the matrix has not 5 rows');
      if ((await page.locator('main td.risk-cell').count()) !== 25) t.problem('the matrix has not 25 cells');
      const links = await page.locator('main td.risk-cell a').count();
      if (links !== 12) t.problem(`the matrix links ${links} threats, not 12`);
      // The public sees only the public threats, and neither name nor count of the others.
      const pub = await t.session('public');
      await t.visit(pub, `${WORKSPACE}/threats/matrix`, { screenshot: 'threat-matrix-public' });
      const text = await mainText(pub.page);
      expectText(t, text, ['The 9 threats you may read'], 'the public matrix');
      if (text.includes('covert support')) t.problem('the public matrix names the SECRET threat');
    },
  },
  {
    name: 'strategy: goals and a goal',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await t.visit(s, `${WORKSPACE}/goals`, { screenshot: 'goals-list' });
      expectText(t, await mainText(page), ['divided by 25', 'Review due', 'overridden'], 'the goals');
      const link = page.getByRole('link', { name: 'Make defence procurement clean and open' });
      if (!(await t.exists(link))) throw new Error('no link to the procurement goal');
      const href = new URL(await link.getAttribute('href'), page.url());
      await t.visit(s, href.pathname, { screenshot: 'goal-detail' });
      expectText(t, await mainText(page), [
        'Priority weight: 0.80',
        'Computed weight 0.48. Highest rating 12 ÷ 25 = 0.48.',
        'NSC/2025/07',
        'Corruption in defence procurement',
        'Indicator ideal-security-sector/c8.3: External audit of the security sector',
      ], 'the goal');
    },
  },
  {
    name: 'strategy: strategies, review flag and consultation',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await t.visit(s, `${WORKSPACE}/strategies`, { screenshot: 'strategies-list' });
      expectText(t, await mainText(page), ['Defence White Paper 2017', 'Review due', 'National Security Strategy 2024–2029', 'Public consultation'], 'the strategies');
      const open = async (name) => {
        const link = page.getByRole('link', { name });
        if (!(await t.exists(link))) throw new Error(`no link to "${name}"`);
        return new URL(await link.getAttribute('href'), page.url()).pathname;
      };
      const nss = await open('National Security Strategy 2024–2029');
      const border = await open('Border Security and Migration Strategy 2027–2031');
      await t.visit(s, nss, { screenshot: 'strategy-approved' });
      expectText(t, await mainText(page), ['Approved', 'NA/2024/117', '14 November 2024', 'review due on 14 November 2029'], 'the approved strategy');
      // A donor comments on the strategy in consultation.
      const donor = await t.signIn('donor');
      await t.visit(donor, border, { screenshot: 'strategy-consultation' });
      const comment = 'The Agency asks for a baseline of border crossings per day.';
      await donor.page.fill('#comment', comment);
      await t.submit(donor.page, donor.page.getByRole('button', { name: 'Send your comment' }));
      expectText(t, await mainText(donor.page), [comment, 'Karin Lund'], 'the strategy after commenting');
      await t.screenshot(donor.page, 'strategy-commented');
    },
  },
];
