// Reports from the record: the demo moderator opens the synthesis of the closed demo
// consultation (charts and figures), goes on to its acceptance table and downloads the DOCX;
// a visitor on a phone opens the public supervision dashboard and finds the Department of
// Agriculture and Environment's on-time rate, then the comments behind it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
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

const HISTORY = 'Kế hoạch phân loại, thu gom và xử lý chất thải rắn sinh hoạt';

test('a moderator reads the synthesis, downloads the acceptance table, and the public sees the on-time rate', { timeout: 240_000 }, async () => {
  const [, moderatorEmail, moderatorPassword] = await waitForOutput(/^\s*moderator\s+(mttq@demo\.gopy\.vn)\s+(\S+)\s*$/m);
  await waitForOutput(/Demo history:/);
  const desk = await desktopPage(browser, { acceptDownloads: true });
  const phone = await phonePage(browser);
  let step = 'start';
  try {
    step = 'the moderator signs in and opens the closed consultation';
    await desk.goto(`${gopy.url}/account/signin?next=/supervision`);
    await desk.fill('#email', moderatorEmail);
    await desk.fill('#password', moderatorPassword);
    await clickTo(desk, desk.locator('[data-testid="signin-form"] button[type="submit"]'), '/supervision');
    const row = desk.locator('[data-testid="consultation-row"]', { hasText: HISTORY });
    await clickTo(desk, row.locator('a', { hasText: 'Tổng hợp ý kiến' }), /^\/consultations\/[^/]+\/synthesis$/);

    step = 'the synthesis shows its figures and charts';
    assert.equal(squash(await desk.locator('[data-testid="total-received"]').innerText()), '18');
    assert.equal(await desk.locator('[data-testid="figure-clause"] svg').count(), 1);
    assert.equal(await desk.locator('[data-testid="figure-stance"] svg').count(), 1);
    const firstClause = squash(await desk.locator('[data-testid="figure-clause"] [data-testid="figure-line"] th').first().innerText());
    assert.equal(firstClause, 'Toàn bộ dự thảo');
    assert.equal(await desk.locator('[data-testid="new-theme-form"]').count(), 1, 'moderators can make themes');
    await screenshot(desk, 'reports-synthesis-desktop');

    step = 'the acceptance table and its DOCX';
    await clickTo(desk, desk.locator('[data-testid="acceptance-link"]'), /^\/consultations\/[^/]+\/acceptance$/);
    const rows = await desk.locator('[data-testid="acceptance-row"]').count();
    assert.ok(rows >= 15, `the table lists the demo's comments (${rows})`);
    assert.match(squash(await desk.locator('[data-testid="summary-total"]').innerText()), /^Tổng cộng/);
    await screenshot(desk, 'reports-acceptance-desktop');
    const [download] = await Promise.all([
      desk.waitForEvent('download'),
      desk.locator('[data-testid="acceptance-downloads"] a[data-format="docx"]').click(),
    ]);
    assert.match(download.suggestedFilename(), /^bang-tiep-thu-[0-9a-f]{8}\.docx$/);
    const file = await readFile(await download.path());
    assert.ok(file.length > 2000, `a real document (${file.length} bytes)`);
    assert.equal(file.subarray(0, 2).toString('latin1'), 'PK', 'an Office Open XML package');
    assert.ok(file.includes(Buffer.from('word/document.xml')), 'with its document part');

    step = 'the public dashboard shows the agency on-time rate';
    await phone.goto(`${gopy.url}/supervision`);
    const figures = await (await phone.request.get(`${gopy.url}/api/v1/supervision`)).json();
    const environment = figures.agencies.find((a) => a.code === 'SNNMT');
    assert.ok(environment && environment.answered >= 15, JSON.stringify(figures.agencies));
    const agency = phone.locator('[data-testid="agency-row"][data-agency="SNNMT"]');
    await agency.waitFor({ state: 'visible' });
    const onTime = squash(await agency.locator('td').nth(2).innerText());
    const percent = Math.round((environment.on_time / environment.answered) * 100);
    assert.match(onTime, new RegExp(`${percent}% \\(${environment.on_time}\\)`));
    assert.equal(await phone.locator('[data-testid="on-time-chart"] svg').count(), 1);
    await screenshot(phone, 'reports-supervision-phone');
    await clickTo(phone, agency.locator('td').nth(2).locator('a'), '/supervision/agencies/SNNMT');
    assert.equal(await phone.locator('[data-testid="item-row"]').count(), environment.on_time);
  } catch (error) {
    for (const [name, page] of [['moderator', desk], ['visitor', phone]]) {
      await screenshot(page, `failure-reports-${name}`).catch(() => {});
    }
    error.message = `step "${step}": ${error.message}\n--- gopy output ---\n${gopy.output().split('\n').slice(-40).join('\n')}`;
    throw error;
  } finally {
    await desk.context().close();
    await phone.context().close();
  }
});
