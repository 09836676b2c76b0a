// The demo officer writes a consultation on a desktop: sign in -> "Tạo dự thảo
// mới" -> the draft form -> paste a text with two điều -> the recognised tree
// -> "Công bố" -> the home page lists the new consultation. No JavaScript is
// needed by any of these pages.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGopy, launchBrowser, desktopPage, screenshot } from './harness.js';

/** @type {Awaited<ReturnType<typeof startGopy>>} */
let gopy;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  const [server, chromium] = await Promise.allSettled([startGopy(), launchBrowser()]);
  if (server.status === 'fulfilled') gopy = server.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  if (server.status === 'rejected') throw server.reason;
  if (chromium.status === 'rejected') throw chromium.reason;
});

after(async () => {
  await browser?.close();
  await gopy?.stop();
});

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

/** Wait until gopy's stdout has a line matching `pattern` (demo accounts come after the URL). */
async function waitForOutput(pattern, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = gopy.output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) {
      throw new Error(`gopy printed no line matching ${pattern}:\n${gopy.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Run `steps`; on failure, save a screenshot and add context to the error. */
async function journey(t, page, name, steps) {
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const state = { step: 'start' };
  try {
    await steps(state);
  } catch (err) {
    await screenshot(page, `failure-${name}`).catch(() => {});
    err.message =
      `step "${state.step}" failed at ${page.url()}: ${err.message}\n` +
      `(screenshot: tests/browser/test-results/failure-${name}.png)\n` +
      `--- gopy output ---\n${gopy.transcript().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors on the pages: ${pageErrors.join(' | ')}`);
    await page.context().close();
  }
}

/** Click and wait for the navigation it starts to reach a path matching `pathname`. */
async function clickTo(page, locator, pathname) {
  const matches = (u) =>
    pathname instanceof RegExp ? pathname.test(u.pathname) : u.pathname === pathname;
  await Promise.all([page.waitForURL(matches), locator.click()]);
}

const TITLE = 'Đề án thí điểm phân loại rác tại nguồn ở phường Ninh Kiều';
const TEXT = [
  'Điều 1. Phạm vi áp dụng',
  'Đề án áp dụng tại các khu dân cư của phường Ninh Kiều.',
  'Điều 2. Phân loại rác',
  '1. Hộ gia đình phân loại rác thành rác hữu cơ và rác còn lại.',
  '2. Rác hữu cơ được thu gom hằng ngày.',
].join('\n');
const EDIT_PATH = /^\/agency\/consultations\/[0-9a-f-]{36}$/;

test('the demo officer drafts, pastes the text and publishes on a desktop', { timeout: 180_000 }, async (t) => {
  const [, email, password] = await waitForOutput(/^\s*agency_officer\s+(canbo@\S+)\s+(\S+)\s*$/m);
  const page = await desktopPage(browser);

  await journey(t, page, 'authoring', async (state) => {
    state.step = 'sign in, coming back to the agency page';
    await page.goto(`${gopy.url}/agency/consultations`);
    assert.equal(new URL(page.url()).pathname, '/account/signin');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/agency/consultations');
    assert.equal(await page.locator('[data-testid="nav-agency"]').count(), 1);

    state.step = 'open the new draft form';
    await clickTo(page, page.locator('[data-testid="new-draft-link"]'), '/agency/consultations/new');
    assert.equal(squash(await page.locator('h1').innerText()), 'Tạo dự thảo mới');

    state.step = 'fill in and save the draft';
    await page.fill('#title', TITLE);
    await page.fill('#summary', 'Thí điểm phân loại rác hữu cơ tại hộ gia đình trong 12 tháng.');
    await page.fill('#body', 'Đề án nhằm giảm lượng rác chôn lấp.\n\n- Mục tiêu: giảm 30% rác chôn lấp');
    await page.selectOption('#kind', 'policy');
    // The label covers its box (a bigger touch target): tick through it.
    await page.locator('[data-testid="unit-choices"] label').first().click();
    assert.ok(await page.locator('[data-testid="unit-choices"] input').first().isChecked());
    await page.fill('#legal_basis', 'Luật Bảo vệ môi trường 2020.');
    await screenshot(page, 'agency-new-desktop');
    await clickTo(page, page.locator('[data-testid="draft-create"]'), EDIT_PATH);
    assert.match(squash(await page.locator('[data-testid="notice"]').innerText()), /Đã tạo bản nháp/);
    const edit = new URL(page.url()).pathname;

    state.step = 'paste the text: two điều are recognised';
    await page.fill('#text', TEXT);
    await clickTo(page, page.locator('[data-testid="text-submit"]'), edit);
    const clauses = page.locator('[data-testid="tree-clause"]');
    assert.equal(await clauses.count(), 4, 'two điều and two khoản');
    assert.match(squash(await page.locator('[data-testid="tree-counts"]').innerText()), /Điều: 2/);
    await screenshot(page, 'agency-tree-desktop');

    state.step = 'publish, after reading the window dates';
    assert.match(squash(await page.locator('[data-testid="publish-confirm"]').innerText()), /\d\d\/\d\d\/\d{4}/);
    await clickTo(page, page.locator('[data-testid="publish"]'), edit);
    await page.locator('[data-testid="published-note"]').waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid="close"]').count(), 1);

    state.step = 'the home page lists the new consultation';
    await page.goto(`${gopy.url}/`);
    const titles = (await page.locator('[data-testid="consultation-card"]').allInnerTexts()).map(squash);
    assert.ok(titles.some((text) => text.includes(TITLE)), `cards:\n${titles.join('\n')}`);
    await screenshot(page, 'agency-home-desktop');
  });
});
