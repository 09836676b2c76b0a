// The demo moderator imports comments keyed in from paper forms: sign in ->
// "Nhập góp ý" in the header -> choose a consultation and a small CSV file ->
// the page reports how many were imported; a file with a bad row is refused
// with its line number.

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

const GOOD = [
  'body,stance,author_name,channel,consent',
  '"Đề nghị mở rộng vỉa hè đường ven sông cho người đi bộ.",đề xuất,Nguyễn Văn An,paper_form,public_named',
  '"Tôi đồng ý với việc trồng thêm cây xanh ở công viên.",đồng ý,,meeting,public_anonymous',
  '',
].join('\n');

const BAD = [
  'body,stance',
  '"Cần thêm đèn chiếu sáng ở công viên ven sông.",đồng ý',
  '"Nên có nhà vệ sinh công cộng gần chợ.",hoan nghênh',
  '',
].join('\n');

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

/** Click and wait for the navigation it starts to reach a path. */
async function clickTo(page, locator, pathname) {
  await Promise.all([page.waitForURL((u) => u.pathname === pathname), locator.click()]);
}

/** Choose the first consultation and a CSV file with `content`, then send the form. */
async function importCsv(page, name, content) {
  const options = page.locator('#consultation_id option:not([value=""])');
  assert.ok((await options.count()) >= 1, 'consultations to choose from');
  await page.selectOption('#consultation_id', await options.first().getAttribute('value'));
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
  await clickTo(page, page.locator('[data-testid="import-submit"]'), '/moderation/import');
}

test('the demo moderator imports a small CSV through the page', { timeout: 180_000 }, async (t) => {
  const [, email, password] = await waitForOutput(/^\s*moderator\s+(mttq@\S+)\s+(\S+)\s*$/m);
  const page = await desktopPage(browser);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  let step = 'start';
  try {
    step = 'sign in and follow "Nhập góp ý"';
    await page.goto(`${gopy.url}/account/signin?next=/`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/');
    await clickTo(page, page.locator('[data-testid="nav-import"]'), '/moderation/import');
    assert.equal(squash(await page.locator('[data-testid="nav-import"]').innerText()), 'Nhập góp ý');
    assert.equal(await page.locator('[data-testid="import-example"]').count(), 1);
    await screenshot(page, 'import-form-desktop');

    step = 'a file with a bad row is refused, naming its line';
    await importCsv(page, 'phieu-loi.csv', BAD);
    await page.locator('[data-testid="error-summary"]').waitFor({ state: 'visible' });
    const lines = (await page.locator('[data-testid="import-error-line"]').allInnerTexts()).map(squash);
    assert.deepEqual(lines, ['3']);
    await screenshot(page, 'import-refused-desktop');

    step = 'a good file is imported';
    await importCsv(page, 'phieu-gop-y.csv', GOOD);
    await page.locator('[data-testid="import-done"]').waitFor({ state: 'visible' });
    assert.equal(squash(await page.locator('[data-testid="import-count"]').innerText()), '2');
    await screenshot(page, 'import-done-desktop');
  } catch (err) {
    await screenshot(page, 'failure-import').catch(() => {});
    err.message =
      `step "${step}" failed at ${page.url()}: ${err.message}\n` +
      '(screenshot: tests/browser/test-results/failure-import.png)\n' +
      `--- gopy output ---\n${gopy.transcript().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors on the pages: ${pageErrors.join(' | ')}`);
    await page.context().close();
  }
});
