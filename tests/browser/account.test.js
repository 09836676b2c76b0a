// A resident on a phone creates an account: sign-up form -> verification
// mail (read from the outbox gopy writes without SMTP) -> confirm button ->
// sign in -> account page with the name -> sign out -> the sign-in link is
// back. Then the demo admin opens the account administration page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGopy, launchBrowser, phonePage, screenshot, waitForMail } from './harness.js';

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

/** Click and wait for the navigation it starts to reach a path. */
async function clickTo(page, locator, pathname) {
  await Promise.all([
    page.waitForURL((u) => u.pathname === pathname),
    locator.click(),
  ]);
}

test('a resident signs up, confirms the address, signs in and out on a phone', { timeout: 180_000 }, async (t) => {
  const page = await phonePage(browser);
  const email = 'lan.nguyen@vidu.vn';
  const name = 'Nguyễn Thị Lan';
  const password = 'cầu Rạch Ngỗng lúc 5 giờ';

  await journey(t, page, 'account', async (state) => {
    state.step = 'open the sign-up page from the navigation';
    await page.goto(`${gopy.url}/`);
    await clickTo(page, page.locator('[data-testid="nav-signup"]'), '/account/signup');
    assert.equal(squash(await page.locator('h1').innerText()), 'Đăng ký tài khoản');

    state.step = 'a weak password is refused with an error summary';
    await page.fill('#email', email);
    await page.fill('#display_name', name);
    await page.fill('#password', '123456');
    await clickTo(page, page.locator('[data-testid="signup-form"] button[type="submit"]'), '/account/signup');
    const summary = page.locator('[data-testid="error-summary"]');
    await summary.waitFor({ state: 'visible' });
    assert.equal(await summary.locator('a[href="#password"]').count(), 1, 'the summary links to the password');
    assert.equal(await page.inputValue('#email'), email, 'the email is kept');
    assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
    await screenshot(page, 'signup-error-phone');

    state.step = 'sign up';
    await page.fill('#password', password);
    await screenshot(page, 'signup-phone');
    await clickTo(page, page.locator('[data-testid="signup-form"] button[type="submit"]'), '/account/check-mail');
    assert.equal(squash(await page.locator('h1').innerText()), 'Kiểm tra hộp thư');

    state.step = 'read the verification mail from the outbox';
    const mail = await waitForMail(gopy.dataDir, email);
    const match = mail.text.match(/https?:\/\/[^\s]+(\/account\/verify\?token=[A-Za-z0-9_-]+)/);
    assert.ok(match, `a verification link in the mail:\n${mail.text}`);
    const link = match[1];

    state.step = 'open the link: a confirm button, nothing verified yet';
    await page.goto(`${gopy.url}${link}`);
    const confirm = page.locator('[data-testid="verify-form"] button[type="submit"]');
    await confirm.waitFor({ state: 'visible' });
    assert.equal(squash(await confirm.innerText()), 'Xác nhận email');
    await screenshot(page, 'verify-phone');

    state.step = 'press the confirm button';
    await clickTo(page, confirm, '/account/signin');
    assert.match(squash(await page.locator('[data-testid="notice"]').innerText()), /đã được xác nhận/);

    state.step = 'sign in';
    await page.fill('#email', email);
    await page.fill('#password', password);
    await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/account');

    state.step = 'the account page shows the name';
    assert.equal(squash(await page.locator('[data-testid="profile-name"]').innerText()), name);
    assert.equal(squash(await page.locator('[data-testid="profile-email"]').innerText()), email);
    assert.equal(await page.locator('[data-testid="nav-signin"]').count(), 0, 'no sign-in link while signed in');
    await screenshot(page, 'account-phone');

    state.step = 'sign out';
    await clickTo(page, page.locator('[data-testid="nav-signout"]'), '/');
    const signin = page.locator('[data-testid="nav-signin"]');
    await signin.waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid="nav-account"]').count(), 0, 'the account link is gone');
    assert.match(squash(await page.locator('[data-testid="notice"]').innerText()), /đăng xuất/);

    state.step = 'the account page now asks to sign in';
    const response = await page.goto(`${gopy.url}/account`);
    assert.equal(new URL(page.url()).pathname, '/account/signin');
    assert.equal(response.status(), 200);
  });
});

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

test('the demo admin sees the account list on a phone', { timeout: 120_000 }, async (t) => {
  const [, email, password] = await waitForOutput(/^\s*admin\s+(\S+@\S+)\s+(\S+)\s*$/m);
  const page = await phonePage(browser);

  await journey(t, page, 'admin', async (state) => {
    state.step = 'sign in as the demo admin, coming back to the admin page';
    await page.goto(`${gopy.url}/admin/users`);
    assert.equal(new URL(page.url()).pathname, '/account/signin');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await clickTo(page, page.locator('[data-testid="signin-form"] button[type="submit"]'), '/admin/users');

    state.step = 'the list shows the demo accounts';
    const rows = page.locator('[data-testid="user-row"]');
    assert.ok((await rows.count()) >= 5, `${await rows.count()} account rows`);
    await screenshot(page, 'admin-phone');

    state.step = 'filter by role';
    await page.selectOption('#filter-role', 'moderator');
    await clickTo(page, page.locator('[data-testid="user-filters"] button[type="submit"]'), '/admin/users');
    assert.equal(await rows.count(), 1, 'one moderator');

    state.step = 'the create form';
    await clickTo(page, page.locator('[data-testid="new-user-link"]'), '/admin/users/new');
    await screenshot(page, 'admin-new-user-phone');
  });
});
