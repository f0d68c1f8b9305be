// Real-browser checks of the Custodes web application.
//
//   node tests/browser/run.mjs PATH/TO/custodes
//
// Starts `custodes demo` on a free port with a fresh data directory, drives Debian's
// Chromium through playwright-core, runs the checks in CHECKS in order, and stops the
// server. A check fails on a wrong status, a missing element, an axe violation of
// serious or critical impact, a script error, a Content-Security-Policy violation or a
// broken same-origin resource; a missing page is a failed check, never a crash.
// Screenshots go to <repo>/target/screenshots/NAME.png. The last line of output is
// `N passed, M failed`; the exit code is 0 when nothing failed, 1 otherwise, 2 on bad usage.
// scripts/browser-test installs what this needs, builds the binary and runs it.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { STRATEGY_CHECKS } from './strategy.mjs';
import { PLANNING_CHECKS } from './planning.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const ACTION_TIMEOUT_MS = 10_000;
const NAVIGATION_TIMEOUT_MS = 20_000;
const CHECK_TIMEOUT_MS = 90_000;
const SERVER_START_TIMEOUT_MS = 120_000;
const SERVER_STOP_TIMEOUT_MS = 15_000;

const WORKSPACE = '/w/arvenia';
const password = (username) => `${username}-arvenia-demo`;
const PLANNER_NAME = 'Tomas Ilvar';
const NEW_ACTOR = 'Browser test unit';
const NEW_MANDATE = 'Tested in a browser';

// Pages an administrator must reach: each is one check (200, an <h1>, axe, screenshot).
const ADMIN_PAGES = [
  '/admin/users',
  '/admin/compartments',
  '/admin/permissions',
  '/admin/audit',
  '/account/tokens',
  '/api/docs',
];

// ---------------------------------------------------------------------------------------
// The checks, in the order they run. Each entry is one counted check: { name, run }.
// `run(t)` throws (or calls t.problem) to fail; it may return more checks, which run
// right after it (one per navigation link, one per page of a list).
// Checks share the server, the browser and the signed-in sessions in `t.state`; a check
// whose session could not be made fails with that reason.

const CHECKS = [
  {
    name: 'public home page',
    run: async (t) => {
      const s = await t.session('public');
      await t.visit(s, '/', { screenshot: 'public-home' });
      await t.phoneScreenshot(s, '/', 'public-home-phone');
    },
  },
  {
    name: 'health endpoint',
    run: async (t) => {
      t.page = '/healthz';
      const response = await t.request('/healthz');
      if (response.status() !== 200) throw new Error(`HTTP ${response.status()}`);
      const type = response.headers()['content-type'] ?? '';
      if (!type.includes('application/json')) throw new Error(`content type is "${type}", not JSON`);
      const body = await response.json();
      if (body.status !== 'ok') throw new Error(`status is ${JSON.stringify(body.status)}, not "ok"`);
    },
  },
  {
    name: 'sign-in page and a wrong password',
    run: async (t) => {
      const s = await t.session('public');
      const { page } = s;
      await t.visit(s, '/sign-in', { axe: false });
      for (const id of ['username', 'password']) {
        const name = await accessibleLabel(page, `#${id}`);
        if (name === null) t.problem(`no input #${id}`);
        else if (!name) t.problem(`input #${id} has no label`);
      }
      if (!(await t.exists(page.getByRole('button', { name: 'Sign in', exact: true })))) {
        throw new Error('no button named "Sign in"');
      }
      // A user that no other check signs in as, so that a throttle cannot get in the way.
      const fillWrong = async (p) => {
        await p.fill('#username', 'reviewer');
        await p.fill('#password', 'not-the-right-password');
        await t.submit(p, p.getByRole('button', { name: 'Sign in', exact: true }));
      };
      await fillWrong(page);
      await t.screenshot(page, 'sign-in-error');
      if (t.pathOf(page) !== '/sign-in') t.problem(`after a wrong password the page is ${t.pathOf(page)}, not /sign-in`);
      await t.expectErrorSummary(page);
      await t.axe(s, { replay: async (p) => { await p.goto(t.url('/sign-in')); await fillWrong(p); } });
    },
  },
  {
    name: 'sign in as planner',
    run: async (t) => {
      const s = await t.signIn('planner');
      t.page = t.pathOf(s.page);
      if (t.pathOf(s.page) !== '/') t.problem(`landed on ${t.pathOf(s.page)}, not /`);
      if (!(await bodyText(s.page)).includes(PLANNER_NAME)) t.problem(`the page does not show "${PLANNER_NAME}"`);
      await t.screenshot(s.page, 'home-planner');
      t.expectNoPageProblems(s.page);
      if (t.pathOf(s.page) === '/') await t.expectH1(s.page);
      await t.axe(s);
    },
  },
  {
    name: 'main navigation (planner)',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      t.page = '/';
      await t.goto(page, '/');
      const nav = page.locator('nav[aria-label="Main"]');
      if ((await nav.count()) === 0) throw new Error('no nav[aria-label="Main"]');
      const hrefs = await nav.locator('a').evaluateAll((links) => links.map((a) => a.href));
      const paths = [...new Set(hrefs
        .map((href) => new URL(href))
        .filter((u) => u.origin === t.origin)
        .map((u) => u.pathname + u.search))];
      if (paths.length === 0) throw new Error('the main navigation has no links to this site');
      return paths.map((p) => ({
        name: `navigation link ${p}`,
        run: async (t2) => { await t2.visit(await t2.session('planner'), p, { screenshot: screenshotName(p) }); },
      }));
    },
  },
  {
    name: 'sector map: actors list and an actor',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const list = `${WORKSPACE}/actors`;
      await t.visit(s, list, { screenshot: 'actors-list' });
      await t.phoneScreenshot(s, list, 'actors-list-phone');
      const table = page.locator('main table');
      if ((await table.count()) === 0) throw new Error('no table of actors');
      const first = table.locator('tbody a[href]').first();
      if ((await first.count()) === 0) throw new Error('the table has no link to an actor');
      const href = new URL(await first.getAttribute('href'), page.url());
      await t.visit(s, href.pathname + href.search, { screenshot: 'actor-detail' });
    },
  },
  {
    name: 'framework browser',
    run: async (t) => {
      const s = await t.signIn('assessor');
      await t.visit(s, '/frameworks/ideal-security-sector', { screenshot: 'framework-ideal-security-sector' });
      const count = await s.page.locator('main details').count();
      if (count < 30) throw new Error(`only ${count} indicators shown`);
    },
  },
  {
    name: 'sector map: picture and checks',
    run: async (t) => {
      const s = await t.session('planner');
      await t.visit(s, `${WORKSPACE}/map`, { screenshot: 'sector-map' });
      const { page } = s;
      if ((await page.locator('main svg[role="img"]').count()) !== 1) throw new Error('no picture of the sector');
      const text = await page.locator('main').innerText();
      for (const expected of ['No parliamentary oversight', 'State Intelligence Service', 'Non-statutory armed groups present']) {
        if (!text.includes(expected)) throw new Error(`the checks do not mention "${expected}"`);
      }
    },
  },
  {
    name: 'create an actor',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      const newPage = `${WORKSPACE}/actors/new`;
      // Saving the empty form: an error summary linking to the name field.
      try {
        await t.visit(s, newPage, { axe: false });
        await t.submit(page, await formSubmit(page, '#name'));
        await t.screenshot(page, 'actor-new-error');
        await t.expectErrorSummary(page);
        if (!(await t.exists(page.locator('.error-summary a[href="#name"]')))) {
          t.problem('the error summary has no link to the name field (href="#name")');
        }
        await t.axe(s, {
          replay: async (p) => { await p.goto(t.url(newPage)); await t.submit(p, await formSubmit(p, '#name')); },
        });
      } catch (e) {
        t.problem(`saving the empty form: ${firstLine(e)}`);
      }
      // Saving a filled form: the new actor's page.
      await t.visit(s, newPage, { axe: false });
      await page.fill('#name', NEW_ACTOR);
      await selectOption(page, '#kind', 'police');
      await keepPublic(page);
      const response = await t.submit(page, await formSubmit(page, '#name'));
      t.page = `${newPage} → ${t.pathOf(page)}`;
      if (response.status() !== 200) throw new Error(`after saving: HTTP ${response.status()}`);
      const h1 = await t.expectH1(page);
      if (h1 !== NEW_ACTOR) throw new Error(`after saving, the <h1> is "${h1}", not "${NEW_ACTOR}"; ${await errorSummaryText(page)}`);
      t.state.actorPath = t.pathOf(page);
      await t.screenshot(page, 'actor-created');
    },
  },
  {
    name: 'edit the actor',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      if (!t.state.actorPath) throw new Error('not run: no actor was created (see "create an actor")');
      await t.visit(s, t.state.actorPath, { axe: false });
      const edit = page.getByRole('link', { name: /^Edit\b/ });
      if (!(await t.exists(edit))) throw new Error('no link "Edit"');
      const editPage = await t.submit(page, edit.first());
      t.page = t.pathOf(page);
      if (editPage.status() !== 200) throw new Error(`the edit page answers HTTP ${editPage.status()}`);
      await t.expectH1(page);
      if ((await page.locator('#mandate').count()) === 0) throw new Error('no field #mandate');
      await page.fill('#mandate', NEW_MANDATE);
      await t.screenshot(page, 'actor-edit');
      const response = await t.submit(page, await formSubmit(page, '#mandate'));
      t.page = t.pathOf(page);
      if (response.status() !== 200) throw new Error(`after saving: HTTP ${response.status()}`);
      if (await t.exists(page.locator('.error-summary'))) throw new Error(`saving failed: ${await errorSummaryText(page)}`);
      if (!(await bodyText(page)).includes(NEW_MANDATE)) {
        throw new Error(`the page does not show "${NEW_MANDATE}" after saving: ${await errorSummaryText(page)}`);
      }
      await t.screenshot(page, 'actor-edited');
    },
  },
  ...STRATEGY_CHECKS,
  ...PLANNING_CHECKS,
  {
    name: 'sign out',
    run: async (t) => {
      const s = await t.session('planner');
      const { page } = s;
      await t.goto(page, '/');
      t.page = '/';
      const button = page.getByRole('button', { name: /^Sign out\b/ });
      if (!(await t.exists(button))) throw new Error('no button "Sign out"');
      await t.submit(page, button.first());
      t.page = t.pathOf(page);
      if (!(await t.exists(page.getByRole('link', { name: /^Sign in\b/ })))) {
        throw new Error('after signing out the page has no link "Sign in"');
      }
      delete t.state.sessions.planner;
      await t.h.closeSession(s);
    },
  },
  {
    name: 'sign in as admin',
    run: async (t) => {
      const s = await t.signIn('admin');
      t.page = t.pathOf(s.page);
    },
  },
  ...ADMIN_PAGES.map((p) => ({
    name: `admin page ${p}`,
    run: async (t) => { await t.visit(await t.session('admin'), p, { screenshot: screenshotName(p) }); },
  })),
  {
    name: 'assessments: list and overview',
    run: async (t) => {
      const s = await t.session('assessor');
      const { page } = s;
      const list = `${WORKSPACE}/assessments`;
      await t.visit(s, list, { screenshot: 'assessments-list' });
      await t.phoneScreenshot(s, list, 'assessments-list-phone');
      const first = page.locator('main table tbody a[href]').first();
      if ((await first.count()) === 0) throw new Error('the demo has no assessment the assessor may read');
      const href = new URL(await first.getAttribute('href'), page.url());
      t.state.assessmentPath = href.pathname;
      await t.visit(s, href.pathname, { screenshot: 'assessment-overview' });
      if ((await page.locator('main ol.steps [aria-current="step"]').count()) !== 1) t.problem('no current step in the life cycle');
    },
  },
  {
    name: 'assessment results: radar, bars, diagnosis, comparison',
    run: async (t) => {
      const s = await t.session('assessor');
      const { page } = s;
      if (!t.state.assessmentPath) throw new Error('not run: no assessment (see "assessments: list and overview")');
      const results = `${t.state.assessmentPath}/results`;
      await t.visit(s, results, { screenshot: 'assessment-results' });
      await t.phoneScreenshot(s, results, 'assessment-results-phone');
      if ((await page.locator('main svg[role="img"] > title').count()) !== 1) t.problem('no radar chart with a title');
      if ((await page.locator('main .score-row').count()) < 10) t.problem('fewer than 10 score bars');
      const text = await page.locator('main').innerText();
      for (const expected of ['By source of deficit', 'By actor', 'De jure and de facto', 'Largest improvements', 'Largest declines']) {
        if (!text.includes(expected)) t.problem(`the results do not show "${expected}"`);
      }
      // A diagnosis line opens onto the indicators behind it, each linked to its answer.
      const line = page.locator('main .diagnosis__summary').first();
      await line.click();
      const link = page.locator('main .diagnosis__details[open] .diagnosis__indicators a').first();
      if ((await link.count()) === 0) t.problem('an opened diagnosis line shows no indicator');
      else if (!/\/answer#indicator-/.test(await link.getAttribute('href'))) t.problem('a diagnosis indicator does not link to its answer');
    },
  },
  {
    name: 'assessment review: answers beside comments',
    run: async (t) => {
      const s = await t.session('assessor');
      const { page } = s;
      if (!t.state.assessmentPath) throw new Error('not run: no assessment (see "assessments: list and overview")');
      await t.visit(s, `${t.state.assessmentPath}/review`, { screenshot: 'assessment-review' });
      await t.phoneScreenshot(s, `${t.state.assessmentPath}/review`, 'assessment-review-phone');
      const rows = await page.locator('main .review-row').count();
      if (rows < 10) t.problem(`only ${rows} indicators under review`);
      if ((await page.locator('main .decision-list__item').count()) === 0) t.problem('no reviewer decision is listed');
      await t.visit(s, `${t.state.assessmentPath}/history`, { screenshot: 'assessment-history' });
    },
  },
  {
    name: 'assessment answer entry: autosave, progress, keyboard',
    run: async (t) => {
      const s = await t.session('admin');
      const { page } = s;
      if (!t.state.assessmentPath) throw new Error('not run: no assessment (see "assessments: list and overview")');
      await t.visit(s, `${WORKSPACE}/assessments/new`, { screenshot: 'assessment-new' });
      // A correction of the published assessment is a draft the administrator may answer.
      await t.visit(s, t.state.assessmentPath, { axe: false });
      let draft = t.state.assessmentPath;
      const correct = page.getByRole('button', { name: 'Open a correction' });
      if (await t.exists(correct)) {
        await t.submit(page, correct);
        draft = t.pathOf(page);
      } else {
        const newer = page.getByRole('link', { name: 'Read the newer version' });
        if (!(await t.exists(newer))) throw new Error('no button "Open a correction" and no newer version');
        draft = new URL(await newer.getAttribute('href'), page.url()).pathname;
      }
      const entry = `${draft}/answer`;
      await t.visit(s, entry, { screenshot: 'assessment-answer' });
      await t.phoneScreenshot(s, entry, 'assessment-answer-phone');
      const card = page.locator('main article.answer-card').first();
      if ((await card.count()) === 0) throw new Error('no indicator card');
      const id = await card.getAttribute('id');
      const status = page.locator(`#${id}-status`);
      const radios = card.locator('input[type="radio"]');
      const checked = await radios.evaluateAll((rs) => rs.findIndex((r) => r.checked));
      const saved = page.waitForResponse((r) => r.request().method() === 'POST' && /\/answer\//.test(r.url()));
      await radios.nth(checked === 0 ? 1 : 0).check();
      const response = await saved;
      if (response.status() !== 200) t.problem(`autosave answered HTTP ${response.status()}`);
      await status.filter({ hasText: 'Saved' }).waitFor({ timeout: ACTION_TIMEOUT_MS }).catch(async () => t.problem(`the card's status does not say "Saved" (it says "${(await status.innerText()).trim()}")`));
      if (!/\d+ of \d+/.test(await page.locator('#answer-progress').innerText())) t.problem('no progress "N of M" after saving');
      // Typing in the explanation saves after a pause.
      const typed = page.waitForResponse((r) => r.request().method() === 'POST' && /\/answer\//.test(r.url()));
      await card.locator('textarea').fill('Checked in a browser.');
      if ((await typed).status() !== 200) t.problem('saving the explanation failed');
      await t.screenshot(page, 'assessment-answer-saved');
      // j moves to the next indicator, k back.
      await page.locator('h1').click();
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      const at = await page.evaluate(() => document.activeElement?.closest('.answer-card')?.id ?? null);
      const second = await page.locator('main article.answer-card').nth(1).getAttribute('id');
      if (at !== second) t.problem(`after j, j the focus is in ${at}, not in the second card ${second}`);
      await page.keyboard.press('k');
      const back = await page.evaluate(() => document.activeElement?.closest('.answer-card')?.id ?? null);
      if (back !== id) t.problem(`after k the focus is in ${back}, not in the first card ${id}`);
      t.expectNoPageProblems(page);
      await t.visit(s, draft, { screenshot: 'assessment-correction-overview' });
      if (!(await bodyText(page)).includes('What changed since version')) t.problem('the correction does not show what changed');
    },
  },
  {
    name: 'a donor cannot see the audit log',
    run: async (t) => {
      const s = await t.signIn('donor');
      if (t.pathOf(s.page) === '/sign-in') throw new Error('the donor could not sign in');
      t.page = '/admin/audit';
      const response = await t.goto(s.page, '/admin/audit');
      const status = response?.status();
      if (status !== 403 && status !== 404) throw new Error(`HTTP ${status}, not 403 or 404`);
      await t.screenshot(s.page, 'admin-audit-as-donor');
    },
  },
];

// ---------------------------------------------------------------------------------------
// Page helpers that need no harness state.

function screenshotName(p) {
  const name = p.replace(/[?#].*$/, '').replace(/\//g, '-').replace(/[^A-Za-z0-9_-]/g, '_').replace(/^-+|-+$/g, '');
  return name || 'home';
}

async function bodyText(page) {
  return (await page.locator('body').innerText().catch(() => '')) ?? '';
}

async function errorSummaryText(page) {
  const summary = page.locator('.error-summary');
  if ((await summary.count()) === 0) return 'no error summary shown';
  return `the error summary says "${(await summary.first().innerText()).replace(/\s+/g, ' ').trim()}"`;
}

// The submit button of the form in <main> that holds `field` (its last one, after any
// secondary buttons).
async function formSubmit(page, field) {
  const form = page.locator('main form').filter({ has: page.locator(field) }).first();
  if ((await form.count()) === 0) throw new Error(`no form with a field ${field}`);
  const submit = form.locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]').last();
  if ((await submit.count()) === 0) throw new Error(`the form with ${field} has no submit button`);
  return submit;
}

// The accessible label of an input: its <label>s, aria-labelledby or aria-label; null
// when there is no such element, '' when it has no label.
async function accessibleLabel(page, selector) {
  const el = page.locator(selector);
  if ((await el.count()) === 0) return null;
  return el.first().evaluate((e) => {
    const byIds = (e.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    const labels = [...(e.labels ?? [])].map((l) => l.textContent).join(' ');
    return `${byIds} ${labels} ${e.getAttribute('aria-label') ?? ''}`.trim();
  });
}

// Chooses the option whose value or text is `wanted` (case-insensitive).
async function selectOption(page, selector, wanted) {
  const el = page.locator(selector);
  if ((await el.count()) === 0) throw new Error(`no field ${selector}`);
  const value = await el.first().evaluate((s, w) => {
    const o = [...(s.options ?? [])].find((opt) => opt.value.toLowerCase() === w || opt.text.trim().toLowerCase() === w);
    return o ? o.value : null;
  }, wanted.toLowerCase());
  if (value === null) throw new Error(`${selector} has no option "${wanted}"`);
  await el.first().selectOption(value);
}

// Keeps the classification at PUBLIC: a select #level, or radios named level.
async function keepPublic(page) {
  if ((await page.locator('select#level').count()) > 0) {
    await selectOption(page, 'select#level', 'PUBLIC');
    return;
  }
  const radios = page.locator('input[type="radio"][name="level"]');
  for (const radio of await radios.all()) {
    if ((await radio.getAttribute('value'))?.toUpperCase() === 'PUBLIC') { await radio.check(); return; }
  }
}

// ---------------------------------------------------------------------------------------
// The harness.

function firstLine(e) {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').map((l) => l.trim()).find(Boolean) ?? 'unknown error';
}

class Harness {
  constructor(browser, base) {
    this.browser = browser;
    this.base = base;
    this.origin = new URL(base).origin;
    this.state = { sessions: {} };
    this.usedScreenshots = new Set();
    this.results = [];
  }

  url(p) { return new URL(p, this.base).href; }

  // A browser context with the Content-Security-Policy enforced, as a visitor's browser
  // does: everything the checks look at is seen through it.
  async newSession(name) {
    const context = await this.browser.newContext({ viewport: DESKTOP });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const page = await context.newPage();
    this.watch(page);
    return { name, context, page, axeContext: null, axePage: null };
  }

  // Records what goes wrong in a page beyond its status: script errors, CSP violations,
  // and same-origin resources (style sheets, images, scripts) that fail to load.
  watch(page) {
    page.problems = [];
    page.on('pageerror', (e) => page.problems.push(`script error: ${firstLine(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) page.problems.push(`CSP violation: ${m.text().split('. Either')[0]}`);
    });
    page.on('response', (r) => {
      const req = r.request();
      if (req.isNavigationRequest() || r.status() < 400) return;
      if (new URL(r.url()).origin === this.origin) page.problems.push(`${req.resourceType()} ${new URL(r.url()).pathname} answered HTTP ${r.status()}`);
    });
    page.on('requestfailed', (req) => {
      if (req.isNavigationRequest() || req.failure()?.errorText === 'net::ERR_ABORTED') return;
      if (new URL(req.url()).origin === this.origin) page.problems.push(`${req.resourceType()} ${new URL(req.url()).pathname} failed: ${req.failure()?.errorText}`);
    });
  }

  async closeSession(s) {
    await s.context.close().catch(() => {});
    if (s.axeContext) await s.axeContext.close().catch(() => {});
  }
}

// What a check's `run` receives: the harness's helpers, bound to this check.
class CheckContext {
  constructor(h, name) {
    this.h = h;
    this.name = name;
    this.page = null; // the page being checked, for the failure report
    this.problems = [];
  }

  get state() { return this.h.state; }
  get origin() { return this.h.origin; }
  url(p) { return this.h.url(p); }
  pathOf(page) { const u = new URL(page.url()); return u.pathname + u.search; }

  // A soft failure: the check goes on and fails at the end.
  problem(reason) { this.problems.push({ page: this.page, reason }); }

  async exists(locator) { return (await locator.count()) > 0; }

  // The session of `name`: 'public' is made on first use; a user's comes from signIn.
  async session(name) {
    const sessions = this.h.state.sessions;
    if (sessions[name]) return sessions[name];
    if (name === 'public') {
      sessions.public = await this.h.newSession('public');
      return sessions.public;
    }
    throw new Error(`not run: no signed-in ${name} session (signing in as ${name} failed or the session ended)`);
  }

  // Signs in as `username` in a new browser context, which becomes that user's session
  // when the sign-in leaves /sign-in.
  async signIn(username) {
    const s = await this.h.newSession(username);
    try {
      const { page } = s;
      this.page = '/sign-in';
      const response = await this.goto(page, '/sign-in');
      if (response?.status() !== 200) throw new Error(`HTTP ${response?.status()}`);
      for (const id of ['#username', '#password']) {
        if ((await page.locator(id).count()) === 0) throw new Error(`no input ${id}`);
      }
      await page.fill('#username', username);
      await page.fill('#password', password(username));
      const button = page.getByRole('button', { name: 'Sign in', exact: true });
      if (!(await this.exists(button))) throw new Error('no button named "Sign in"');
      const landed = await this.submit(page, button.first());
      if (this.pathOf(page) === '/sign-in') {
        throw new Error(`signing in as ${username} failed (HTTP ${landed?.status()}): ${await errorSummaryText(page)}`);
      }
      this.h.state.sessions[username] = s;
      return s;
    } catch (e) {
      await this.h.closeSession(s);
      throw e;
    }
  }

  async goto(page, p) {
    page.problems.length = 0;
    return page.goto(this.url(p), { waitUntil: 'load' });
  }

  // Clicks a submit button (or a link) and waits for the page it leads to, after any
  // redirects; returns that page's response.
  async submit(page, button) {
    page.problems.length = 0;
    const landed = page.waitForResponse((r) => r.request().isNavigationRequest()
      && r.frame() === page.mainFrame() && !(r.status() >= 300 && r.status() < 400)).catch((e) => e);
    await button.click();
    const response = await landed;
    if (response instanceof Error) {
      if (!/timeout/i.test(response.message)) throw new Error(`clicking ${button}: ${firstLine(response)}`);
      throw new Error(`clicking ${button} loaded no page within ${ACTION_TIMEOUT_MS / 1000} s`
        + ' (did browser-side validation, such as a required attribute without novalidate, stop the form?)');
    }
    await page.waitForLoadState('load');
    return response;
  }

  async screenshot(page, name) {
    let file = name;
    if (this.h.usedScreenshots.has(file)) {
      const who = Object.entries(this.h.state.sessions).find(([, s]) => s.page === page)?.[0];
      if (who) file = `${name}-${who}`;
    }
    this.h.usedScreenshots.add(file);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${file}.png`), fullPage: true });
  }

  // The page at `p` in a phone-sized window of the same session.
  async phoneScreenshot(s, p, name) {
    const phone = await s.context.newPage();
    try {
      await phone.setViewportSize(PHONE);
      await phone.goto(this.url(p), { waitUntil: 'load' });
      await phone.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    } finally {
      await phone.close();
    }
  }

  async expectH1(page) {
    const h1 = page.locator('h1');
    if ((await h1.count()) === 0) { this.problem('no <h1>'); return null; }
    return (await h1.first().innerText()).trim();
  }

  async expectErrorSummary(page) {
    const summary = page.locator('.error-summary');
    if ((await summary.count()) === 0) { this.problem('no error summary (.error-summary)'); return; }
    const text = await summary.first().innerText();
    if (!text.includes('There is a problem')) this.problem(`the error summary does not say "There is a problem" (it says "${text.replace(/\s+/g, ' ').trim()}")`);
  }

  expectNoPageProblems(page) {
    for (const p of page.problems) this.problem(p);
  }

  // Opens `p` in session `s`: HTTP 200, an <h1>, a screenshot (taken before the other
  // checks so that a failing page is pictured too), no page problems, and axe.
  async visit(s, p, { screenshot = null, axe = true } = {}) {
    this.page = p;
    const response = await this.goto(s.page, p);
    if (screenshot) await this.screenshot(s.page, screenshot);
    if (!response) throw new Error('no response');
    if (response.status() !== 200) {
      const title = (await s.page.locator('h1').first().innerText({ timeout: 1000 }).catch(() => '')).trim();
      throw new Error(`HTTP ${response.status()}${title ? ` (${title})` : ''}`);
    }
    const now = this.pathOf(s.page);
    if (now !== p) this.page = `${p} → ${now}`;
    await this.expectH1(s.page);
    this.expectNoPageProblems(s.page);
    if (axe) await this.axe(s);
    return response;
  }

  // Runs axe on the page that session `s` shows (or on what `replay` produces).
  //
  // Our Content-Security-Policy (`script-src 'self'`) blocks page.addScriptTag, which
  // injects axe as an inline script. So axe runs in a second browser context of the same
  // session made with `bypassCSP: true`, for the axe runs only: it gets the session's
  // cookies, opens the same URL (or replays the steps that produced the page, for a page
  // that answers a form), and axe is injected there. Every other check runs in the
  // session's own context, where the CSP is enforced as in a visitor's browser.
  async axe(s, { replay = null } = {}) {
    if (!s.axeContext) {
      s.axeContext = await this.h.browser.newContext({ viewport: DESKTOP, bypassCSP: true });
      s.axeContext.setDefaultTimeout(ACTION_TIMEOUT_MS);
      s.axeContext.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
      s.axePage = await s.axeContext.newPage();
      this.h.watch(s.axePage); // a replay uses the helpers that expect it; its findings are not used
    }
    await s.axeContext.clearCookies();
    await s.axeContext.addCookies(await s.context.cookies());
    const p = s.axePage;
    if (replay) await replay(p);
    else await p.goto(s.page.url(), { waitUntil: 'load' });
    await p.addScriptTag({ path: AXE_PATH });
    const results = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of results.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
      const more = v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : '';
      const detail = v.nodes[0]?.any?.[0]?.message ?? v.nodes[0]?.all?.[0]?.message ?? '';
      const text = `axe ${v.id} (${v.impact}): ${v.help} at ${where}${more}${detail ? ` (first: ${detail})` : ''}`;
      if (v.impact === 'serious' || v.impact === 'critical') this.problem(text);
      else console.log(`  note  ${this.name} — ${this.page}: ${text}`);
    }
  }

  async request(p) {
    const s = await this.session('public');
    return s.context.request.get(this.url(p));
  }
}

async function runChecks(h, checks) {
  const queue = [...checks];
  while (queue.length > 0) {
    const check = queue.shift();
    const t = new CheckContext(h, check.name);
    let more = [];
    let timer;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
      });
      more = (await Promise.race([check.run(t), timeout])) ?? [];
    } catch (e) {
      t.problem(firstLine(e));
    } finally {
      clearTimeout(timer);
    }
    queue.unshift(...more);
    const ok = t.problems.length === 0;
    h.results.push({ name: check.name, ok, problems: t.problems });
    if (ok) console.log(`  ok    ${check.name}`);
    else for (const p of t.problems) console.log(`  FAIL  ${check.name} — ${p.page ?? '(no page)'}: ${p.reason}`);
  }
}

// ---------------------------------------------------------------------------------------
// The server.

function startServer(binary, dataDir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CUSTODES_')));
  const child = spawn(binary, ['--data-dir', dataDir, 'demo', '--listen', '127.0.0.1:0'], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const keep = (chunk) => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const spawnError = new Promise((_, reject) => child.on('error', (e) => reject(new Error(`cannot start ${binary}: ${e.message}`))));
  const address = new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      buffered += chunk.toString();
      const m = buffered.match(/serving at (http:\/\/[^\s/]+)\//);
      if (m) resolve(m[1]);
    });
    exited.then(({ code, signal }) => reject(new Error(`the server exited (${signal ?? `code ${code}`}) before serving`)));
    setTimeout(() => reject(new Error(`the server did not say "serving at" within ${SERVER_START_TIMEOUT_MS / 1000} s`)), SERVER_START_TIMEOUT_MS).unref();
  });
  return { child, log, exited, ready: Promise.race([address, spawnError]) };
}

async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    return { ok: false, reason: `the server had already exited (${server.child.signalCode ?? `code ${server.child.exitCode}`})` };
  }
  server.child.kill('SIGTERM');
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), SERVER_STOP_TIMEOUT_MS).unref());
  const exit = await Promise.race([server.exited, timeout]);
  if (exit === null) {
    server.child.kill('SIGKILL');
    await server.exited;
    return { ok: false, reason: `the server did not stop within ${SERVER_STOP_TIMEOUT_MS / 1000} s of SIGTERM (killed)` };
  }
  if (exit.code !== 0) return { ok: false, reason: `the server exited with ${exit.signal ?? `code ${exit.code}`} on SIGTERM` };
  return { ok: true };
}

function cleanScreenshots() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const f of readdirSync(SCREENSHOTS)) if (f.endsWith('.png')) unlinkSync(path.join(SCREENSHOTS, f));
}

async function main() {
  const binary = process.argv[2];
  if (!binary || process.argv.length > 3) {
    console.error('usage: node tests/browser/run.mjs PATH/TO/custodes');
    return 2;
  }
  const started = Date.now();
  cleanScreenshots();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custodes-browser-'));
  let server = null;
  let browser = null;
  let h = null;
  const cleanup = () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { cleanup(); process.exit(130); });
  }
  try {
    server = startServer(path.resolve(binary), dataDir);
    let base;
    try {
      base = `${await server.ready}/`;
    } catch (e) {
      console.error(`error: ${firstLine(e)}`);
      for (const line of server.log.slice(-20)) console.error(`  server: ${line}`);
      console.log('0 passed, 1 failed');
      return 1;
    }
    console.log(`server at ${base} (data in ${dataDir}); screenshots in ${path.relative(process.cwd(), SCREENSHOTS) || '.'}`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    h = new Harness(browser, base);
    await runChecks(h, CHECKS);
    for (const s of Object.values(h.state.sessions)) await h.closeSession(s);
    await browser.close();
    browser = null;

    const stop = await stopServer(server);
    h.results.push({ name: 'server stops on SIGTERM', ok: stop.ok, problems: stop.ok ? [] : [{ page: null, reason: stop.reason }] });
    if (stop.ok) console.log('  ok    server stops on SIGTERM');
    else console.log(`  FAIL  server stops on SIGTERM: ${stop.reason}`);
  } catch (e) {
    // The harness itself broke (the browser would not start, …): report it as a failure.
    console.error(`error: ${e instanceof Error ? e.stack : e}`);
    h ??= { results: [] };
    h.results.push({ name: 'harness', ok: false, problems: [{ page: null, reason: firstLine(e) }] });
  } finally {
    if (browser) await browser.close().catch(() => {});
    cleanup();
  }

  const failed = h.results.filter((r) => !r.ok);
  if (failed.length > 0 && server) {
    const errors = server.log.filter((l) => /\b(ERROR|WARN)\b/.test(l)).slice(-10);
    if (errors.length > 0) {
      console.log('last warnings and errors of the server:');
      for (const line of errors) console.log(`  server: ${line.replace(/\x1b\[[0-9;]*m/g, '')}`);
    }
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`${h.results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
