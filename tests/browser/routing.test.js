// Across roles: a resident comments -> a moderator approves it and sends it to the Department
// of Construction -> the department's officer finds it in the inbox and answers -> the
// resident sees the answer on the comment page and in their notifications.

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

test('a comment is approved, routed, answered, and its author sees the answer', { timeout: 240_000 }, async () => {
  const account = async (role, local) =>
    (await waitForOutput(new RegExp(`^\\s*${role}\\s+(${local}@demo\\.gopy\\.vn)\\s+(\\S+)\\s*$`, 'm'))).slice(1);
  const [residentEmail, residentPassword] = await account('resident', 'nguoidan');
  const [moderatorEmail, moderatorPassword] = await account('moderator', 'mttq');
  const [officerEmail, officerPassword] = await account('agency_officer', 'canbo');
  const resident = await phonePage(browser);
  const moderator = await desktopPage(browser);
  const officer = await desktopPage(browser);
  let step = 'start';
  try {
    step = 'the resident comments';
    await signIn(resident, residentEmail, residentPassword);
    const first = resident.locator('[data-testid="consultation-list"] a[href^="/consultations/"]').first();
    await clickTo(resident, first, /^\/consultations\/[^/]+$/);
    const consultationPath = new URL(resident.url()).pathname;
    await clickTo(resident, resident.locator('[data-testid="comment-whole"]'), `${consultationPath}/comment`);
    await resident.locator('label[for="stance-suggest"]').click();
    await resident.fill('#body', 'Đề nghị làm vỉa hè rộng ít nhất 3 mét và trồng cây bóng mát dọc đường Trần Hưng Đạo.');
    await resident.locator('label[for="consent"]').click();
    await clickTo(resident, resident.locator('[data-testid="comment-submit"]'), /^\/comments\/[^/]+\/receipt$/);
    const commentPath = new URL(resident.url()).pathname.replace(/\/receipt$/, '');

    step = 'the moderator approves it and sends it to the Department of Construction';
    await signIn(moderator, moderatorEmail, moderatorPassword);
    await moderator.goto(`${gopy.url}/moderation`);
    const row = moderator.locator('[data-testid="queue-row"]', { hasText: 'vỉa hè rộng ít nhất 3 mét' });
    await clickTo(moderator, row.locator('[data-testid="review-link"]'), /^\/moderation\/comments\/[^/]+$/);
    const construction = await moderator
      .locator('#agency_id option', { hasText: 'Sở Xây dựng' })
      .first()
      .getAttribute('value');
    await moderator.selectOption('#agency_id', construction);
    await screenshot(moderator, 'routing-review-desktop');
    await Promise.all([
      moderator.waitForURL((u) => u.pathname.startsWith('/moderation')),
      moderator.locator('[data-testid="approve"]').click(),
    ]);

    step = 'the officer finds it in the inbox and answers';
    await signIn(officer, officerEmail, officerPassword);
    await clickTo(officer, officer.locator('[data-testid="nav-inbox"]'), '/agency/inbox');
    const item = officer.locator('[data-testid="inbox-row"]', { hasText: 'vỉa hè rộng ít nhất 3 mét' });
    await item.waitFor({ state: 'visible' });
    await screenshot(officer, 'routing-inbox-desktop');
    await clickTo(officer, item.locator('[data-testid="inbox-link"]'), /^\/agency\/inbox\/[^/]+$/);
    await officer.locator('label[for="disposition-partially_accepted"]').click();
    await officer.fill('#body', 'Tiếp thu một phần: vỉa hè sẽ rộng 3 mét ở đoạn từ cầu Ninh Kiều đến chợ; cây bóng mát được trồng trong năm 2027.');
    await clickTo(officer, officer.locator('[data-testid="answer-submit"]'), /^\/agency\/inbox\/[^/]+$/);
    assert.match(squash(await officer.locator('[data-testid="notice"]').innerText()), /Đã gửi trả lời/);

    step = 'the resident sees the answer and the notification';
    await resident.goto(`${gopy.url}${commentPath}`);
    const answer = squash(await resident.locator('[data-testid="agency-answer"]').innerText());
    assert.match(answer, /Sở Xây dựng/);
    assert.match(answer, /Tiếp thu một phần/);
    assert.match(answer, /rộng 3 mét/);
    await screenshot(resident, 'routing-answer-phone');
    await resident.goto(`${gopy.url}/account/notifications`);
    const notices = squash(await resident.locator('main').innerText());
    assert.match(notices, /đã được cơ quan trả lời/);
    assert.match(notices, /đã được duyệt/);
    await screenshot(resident, 'routing-notifications-phone');
  } catch (error) {
    for (const [name, page] of [['resident', resident], ['moderator', moderator], ['officer', officer]]) {
      await screenshot(page, `failure-routing-${name}`).catch(() => {});
    }
    error.message = `step "${step}": ${error.message}`;
    throw error;
  }
});
