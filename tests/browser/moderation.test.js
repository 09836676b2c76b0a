// A moderator clears a flagged comment: a resident comments with a phone number on a phone ->
// the moderator signs in on a desktop -> the queue highlights the number -> the review page
// previews the redacted text -> approve, hiding one more piece -> the public consultation page
// shows the comment with "[đã ẩn thông tin cá nhân]" and without the number.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGopy, launchBrowser, phonePage, desktopPage, screenshot } from './harness.js';

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
const MARK = '[đã ẩn thông tin cá nhân]';

async function waitForOutput(pattern, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = gopy.output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`gopy printed no line matching ${pattern}:\n${gopy.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function clickTo(page, locator, pathname) {
  await Promise.all([
    page.waitForURL((u) => (typeof pathname === 'string' ? u.pathname === pathname : pathname.test(u.pathname))),
    locator.click(),
  ]);
}

async function signIn(page, email, password) {
  await page.goto(`${gopy.url}/account/signin?next=/`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/');
}

test('a moderator approves a flagged comment with its phone number hidden', { timeout: 180_000 }, async () => {
  const [, residentEmail, residentPassword] = await waitForOutput(/^\s*resident\s+(nguoidan@demo\.gopy\.vn)\s+(\S+)\s*$/m);
  const [, moderatorEmail, moderatorPassword] = await waitForOutput(/^\s*moderator\s+(mttq@demo\.gopy\.vn)\s+(\S+)\s*$/m);
  const phone = await phonePage(browser);
  const desk = await desktopPage(browser);
  let step = 'start';
  try {
    step = 'a resident comments with a phone number';
    await signIn(phone, residentEmail, residentPassword);
    const first = phone.locator('[data-testid="consultation-list"] a[href^="/consultations/"]').first();
    await clickTo(phone, first, /^\/consultations\/[^/]+$/);
    const consultationPath = new URL(phone.url()).pathname;
    await clickTo(phone, phone.locator('[data-testid="comment-whole"]'), `${consultationPath}/comment`);
    await phone.locator('label[for="stance-suggest"]').click();
    const text =
      'Hẻm 51 đường Mậu Thân ngập sâu mỗi khi triều cường, đề nghị nâng cao mặt hẻm. ' +
      'Tổ trưởng Sáu Hòa nắm rõ tình hình, có thể gọi tôi 0912 345 678.';
    await phone.fill('#body', text);
    await phone.locator('label[for="consent"]').click();
    await clickTo(phone, phone.locator('[data-testid="comment-submit"]'), /^\/comments\/[^/]+\/receipt$/);

    step = 'the moderator sees the number highlighted in the queue';
    await signIn(desk, moderatorEmail, moderatorPassword);
    await clickTo(desk, desk.locator('[data-testid="nav-moderation"]'), '/moderation');
    const row = desk.locator('[data-testid="queue-row"]', { hasText: 'Hẻm 51 đường Mậu Thân' });
    await row.waitFor({ state: 'visible' });
    assert.equal(squash(await row.locator('mark[data-flag="phone"]').innerText()), '0912 345 678');
    assert.ok(await row.locator('[data-flag="phone"].tag').count() >= 1, 'a "phone" tag');
    await screenshot(desk, 'moderation-queue-desktop');

    step = 'the review page previews the public text';
    await clickTo(desk, row.locator('[data-testid="review-link"]'), /^\/moderation\/comments\/[^/]+$/);
    const preview = squash(await desk.locator('[data-testid="review-preview"]').innerText());
    assert.ok(preview.includes(MARK), preview);
    assert.ok(!preview.includes('0912'), preview);

    step = 'approve, hiding the neighbour\'s name too';
    await desk.fill('#redact_texts', 'Sáu Hòa');
    await screenshot(desk, 'moderation-review-desktop');
    await Promise.all([
      desk.waitForURL((u) => u.pathname === '/moderation' || u.pathname.startsWith('/moderation/comments/')),
      desk.locator('[data-testid="approve"]').click(),
    ]);
    assert.match(squash(await desk.locator('[data-testid="notice"]').innerText()), /Đã ghi nhận quyết định/);

    step = 'the public page shows the redacted comment';
    const visitor = await phonePage(browser);
    await visitor.goto(`${gopy.url}${consultationPath}`);
    const comments = squash(await visitor.locator('[data-testid="public-comments"]').innerText());
    assert.ok(comments.includes('Hẻm 51 đường Mậu Thân ngập sâu'), comments);
    assert.ok(comments.includes(MARK), comments);
    assert.ok(!comments.includes('0912'), 'the phone number is hidden');
    assert.ok(!comments.includes('Sáu Hòa'), 'the name the moderator chose is hidden');
    assert.match(squash(await visitor.locator('[data-testid="count-approved"]').innerText()), /^[1-9]/);
    await screenshot(visitor, 'consultation-after-moderation-phone');

    step = 'a visitor finds it by searching without diacritics';
    await visitor.goto(`${gopy.url}/`);
    await visitor.fill('#search-box-q', 'hem 51 mau than ngap');
    await clickTo(visitor, visitor.locator('[data-testid="search-box"] button[type="submit"]'), '/search');
    const result = visitor.locator('[data-testid="search-result"]', { hasText: 'Mậu Thân' }).first();
    await result.waitFor({ state: 'visible' });
    assert.ok((await result.locator('mark').count()) >= 2, 'the words found are marked');
    assert.ok(!squash(await result.innerText()).includes('0912'), 'the hidden number is not in the snippet');
    await screenshot(visitor, 'search-phone');

    step = 'the consultation facet narrows the results to that consultation';
    const facet = visitor.locator('[data-testid="facets"] a[href*="consultation_id="]').first();
    await Promise.all([
      visitor.waitForURL((u) => u.pathname === '/search' && u.searchParams.has('consultation_id')),
      facet.click(),
    ]);
    assert.equal(new URL(visitor.url()).searchParams.get('q'), 'hem 51 mau than ngap');
    await visitor.locator('[data-testid="search-result"]', { hasText: 'Mậu Thân' }).first().waitFor({ state: 'visible' });
    assert.equal(await visitor.locator('[data-testid="facets"] a[aria-current="true"]').count(), 1);
  } catch (error) {
    await screenshot(desk, 'failure-moderation').catch(() => {});
    error.message = `step "${step}": ${error.message}`;
    throw error;
  }
});
