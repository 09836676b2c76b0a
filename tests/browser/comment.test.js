// A resident comments on a clause from a phone: sign in -> consultation ->
// "Góp ý về điều này" under a clause -> the form (clause preselected), with a
// photo attached -> receipt with the tracking code and the photo -> the
// tracking page, code typed by hand -> status "Chờ kiểm duyệt".

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGopy, launchBrowser, phonePage, screenshot } from './harness.js';

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

/** A small PNG photo (with text and EXIF chunks that gopy removes). */
const PHOTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/attachments/drawing.png');

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

/** Click and wait for the navigation it starts to reach a path. */
async function clickTo(page, locator, pathname) {
  await Promise.all([
    page.waitForURL((u) => (typeof pathname === 'string' ? u.pathname === pathname : pathname.test(u.pathname))),
    locator.click(),
  ]);
}

/** The page is no wider than the phone's screen (nothing to scroll sideways). */
async function assertNoSideways(page, what) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `${what}: the page is ${scroll}px wide on a ${width}px screen`);
}

test('a resident comments on a clause and follows it by code on a phone', { timeout: 180_000 }, async (t) => {
  const [, email, password] = await waitForOutput(/^\s*resident\s+(nguoidan@demo\.gopy\.vn)\s+(\S+)\s*$/m);
  const page = await phonePage(browser);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  let step = 'start';
  try {
    step = 'sign in as the demo resident';
    await page.goto(`${gopy.url}/account/signin?next=/`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/');

    step = 'open a consultation that takes comments';
    const first = page.locator('[data-testid="consultation-list"] a[href^="/consultations/"]').first();
    await clickTo(page, first, /^\/consultations\/[^/]+$/);
    const consultationPath = new URL(page.url()).pathname;
    const title = squash(await page.locator('h1').first().innerText());
    const clauseLinks = page.locator('[data-testid="comment-on-clause"]');
    const count = await clauseLinks.count();
    assert.ok(count >= 3, `${count} "Góp ý về điều này" links`);
    assert.equal(await page.locator('[data-testid="comment-whole"]').count(), 1, 'one "whole draft" link');
    assert.equal(squash(await clauseLinks.first().innerText()), 'Góp ý về điều này');
    await page.locator('#comments').waitFor({ state: 'attached' });
    await screenshot(page, 'consultation-cta-phone', { fullPage: false });
    await page.locator('#comments').scrollIntoViewIfNeeded();
    await screenshot(page, 'consultation-comments-phone', { fullPage: false });

    step = 'follow "Góp ý về điều này" on a clause';
    const link = clauseLinks.nth(2);
    await link.scrollIntoViewIfNeeded();
    const href = await link.getAttribute('href');
    const clauseId = new URL(href, gopy.url).searchParams.get('clause');
    assert.ok(clauseId, `the link names its clause: ${href}`);
    await clickTo(page, link, `${consultationPath}/comment`);
    assert.equal(squash(await page.locator('h1').innerText()), 'Gửi ý kiến');
    assert.equal(await page.inputValue('#clause_id'), clauseId, 'the clause is preselected');
    await assertNoSideways(page, 'the form');
    await screenshot(page, 'comment-form-phone');

    step = 'a too short comment comes back with the error summary';
    await page.locator('label[for="stance-suggest"]').click();
    await page.fill('#body', 'Ngắn quá');
    await page.locator('label[for="consent-public_anonymous"]').click();
    await clickTo(page, page.locator('[data-testid="comment-submit"]'), `${consultationPath}/comment`);
    const summary = page.locator('[data-testid="error-summary"]');
    await summary.waitFor({ state: 'visible' });
    assert.equal(await summary.locator('a[href="#body"]').count(), 1, 'the summary links to the text');
    assert.ok(await page.isChecked('#stance-suggest'), 'the stance is kept');
    assert.ok(await page.isChecked('#consent-public_anonymous'), 'the consent is kept');
    assert.equal(await page.inputValue('#clause_id'), clauseId, 'the clause is kept');
    await screenshot(page, 'comment-form-error-phone');

    step = 'send the comment with a photo';
    assert.equal(await page.locator('#files').getAttribute('type'), 'file');
    await page.setInputFiles('#files', PHOTO);
    await page.fill(
      '#body',
      'Đề nghị bổ sung quy định về vỉa hè dành cho người đi bộ, ít nhất 2 mét, và trồng cây xanh bóng mát.',
    );
    await clickTo(page, page.locator('[data-testid="comment-submit"]'), /^\/comments\/[^/]+\/receipt$/);

    step = 'the receipt shows the tracking code';
    const code = squash(await page.locator('[data-testid="tracking-code"]').innerText());
    assert.match(code, /^GY-[0-9A-Z]{4}-[0-9A-Z]{5}$/, 'a tracking code');
    assert.equal(await page.locator('[data-testid="track-link"]').getAttribute('href'), `/track/${code}`);
    assert.match(squash(await page.locator('[data-testid="receipt-mailed"]').innerText()), new RegExp(email.replace(/\./g, '\\.')));
    const files = (await page.locator('[data-testid="attachment-link"]').allInnerTexts()).map(squash);
    assert.deepEqual(files, ['drawing.png'], 'the receipt lists the photo');
    const fileHref = await page.locator('[data-testid="attachment-link"]').getAttribute('href');
    const photo = await page.request.get(`${gopy.url}${fileHref}`);
    assert.equal(photo.status(), 200, 'the author opens the photo');
    assert.equal(photo.headers()['content-type'], 'image/png');
    await assertNoSideways(page, 'the receipt');
    await screenshot(page, 'comment-receipt-phone');

    step = 'open the tracking page and type the code';
    await page.goto(`${gopy.url}/track`);
    assert.equal(squash(await page.locator('h1').innerText()), 'Theo dõi ý kiến');
    await page.fill('#code', code.toLowerCase());
    await clickTo(page, page.locator('[data-testid="track-form"] button[type="submit"]'), `/track/${code}`);

    step = 'the tracking page shows the status';
    assert.equal(squash(await page.locator('[data-testid="tracked-status"]').innerText()), 'Chờ kiểm duyệt');
    assert.equal(squash(await page.locator('[data-testid="tracked-code"]').innerText()), code);
    assert.equal(
      squash(await page.locator(`[data-testid="tracked"] a[href="${consultationPath}"]`).innerText()),
      title,
      'the consultation is linked by its title',
    );
    await assertNoSideways(page, 'the tracking page');
    await screenshot(page, 'track-phone');

    step = 'the account lists the comment';
    await page.goto(`${gopy.url}/account`);
    await clickTo(page, page.locator('[data-testid="my-comments-link"]'), '/account/comments');
    assert.equal(await page.locator('[data-testid="my-comment"]').count(), 1);
    assert.match(squash(await page.locator('[data-testid="my-comment"]').innerText()), new RegExp(code));
    await screenshot(page, 'my-comments-phone');
  } catch (err) {
    await screenshot(page, 'failure-comment').catch(() => {});
    err.message =
      `step "${step}" failed at ${page.url()}: ${err.message}\n` +
      '(screenshot: tests/browser/test-results/failure-comment.png)\n' +
      `--- gopy output ---\n${gopy.transcript().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors on the pages: ${pageErrors.join(' | ')}`);
    await page.context().close();
  }
});
