// A resident on a phone reads a consultation: home page -> consultation ->
// jump to a clause from the table of contents -> switch to English -> an
// unknown page gives a 404. Another finds one through the list page: home page
// -> "see all" -> filter by a kind -> open a result.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGopy, launchBrowser, phonePage, screenshot } from './harness.js';

/** @type {Awaited<ReturnType<typeof startGopy>>} */
let gopy;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  // Start both at once: each takes a few seconds.
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

/**
 * Make a locator clickable on a small screen: if it sits in a closed
 * <details> (a collapsed menu or table of contents) or in a region toggled by
 * an aria-expanded="false" button, open that first.
 */
async function reveal(page, locator) {
  if (await locator.isVisible()) return;
  const opener = await locator.evaluateHandle((el) => {
    const details = el.closest('details:not([open])');
    if (details) return details.querySelector(':scope > summary');
    for (const button of document.querySelectorAll('[aria-expanded="false"][aria-controls]')) {
      const region = document.getElementById(button.getAttribute('aria-controls'));
      if (region && region.contains(el)) return button;
    }
    return null;
  });
  const element = opener.asElement();
  if (element) await element.click();
  await locator.waitFor({ state: 'visible' });
}

/** True when the element's box overlaps the current viewport. */
const inViewport = (locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.height > 0;
  });

test('a resident reads a consultation on a phone', { timeout: 180_000 }, async (t) => {
  const page = await phonePage(browser);
  const pageErrors = [];
  const failedRequests = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('response', (res) => {
    if (res.status() >= 400 && !res.url().includes('/khong-ton-tai')) {
      failedRequests.push(`${res.status()} ${res.url()}`);
    }
  });

  let step = 'start';
  try {
    // --- Home page -------------------------------------------------------
    step = 'open the home page';
    const home = await page.goto(`${gopy.url}/`);
    assert.ok(home, 'no response for /');
    assert.equal(home.status(), 200, `GET / answered ${home.status()}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'vi', '<html lang> of the home page');
    assert.ok((await page.locator('h1').count()) >= 1, 'the home page has an <h1>');
    await page.locator('h1').first().waitFor({ state: 'visible' });

    const links = page.locator('[data-testid="consultation-list"] a[href^="/consultations/"]');
    const linkCount = await links.count();
    assert.ok(linkCount >= 1, `consultation list has ${linkCount} consultation links, want >= 1`);
    await screenshot(page, 'home-phone');

    // --- Open the first consultation -------------------------------------
    step = 'open the first consultation';
    const first = links.first();
    await reveal(page, first);
    const title = squash(await first.innerText());
    const href = await first.getAttribute('href');
    assert.ok(title, 'the first consultation link has text');
    const target = new URL(href, gopy.url);
    await Promise.all([
      page.waitForURL((u) => u.pathname === target.pathname),
      first.click(),
    ]);
    const h1 = page.locator('h1').first();
    await h1.waitFor({ state: 'visible' });
    assert.equal(squash(await h1.innerText()), title, 'the <h1> is the title that was clicked');

    const tocLinks = page.locator('[data-testid="clause-toc"] a[href*="#"]');
    const tocCount = await tocLinks.count();
    assert.ok(tocCount >= 5, `clause table of contents has ${tocCount} links, want >= 5`);
    const clauses = page.locator('[data-testid="clause"]');
    const clauseCount = await clauses.count();
    assert.ok(clauseCount >= 5, `page has ${clauseCount} [data-testid="clause"] sections, want >= 5`);
    await screenshot(page, 'consultation-phone');

    // --- Jump to a clause further down via the table of contents ---------
    step = 'jump to a clause from the table of contents';
    // Take a clause from the middle of those that start below the fold (so
    // the click has to scroll); if none does, the last one.
    const belowFold = [];
    for (let i = 0; i < tocCount; i++) {
      const id = decodeURIComponent(new URL(await tocLinks.nth(i).getAttribute('href'), page.url()).hash.slice(1));
      const below = await page.evaluate(
        (id) => {
          const el = document.getElementById(id);
          return !!el && el.getBoundingClientRect().top > window.innerHeight;
        },
        id,
      );
      if (below) belowFold.push(i);
    }
    const pick = belowFold.length ? belowFold[Math.floor(belowFold.length / 2)] : tocCount - 1;
    const tocLink = tocLinks.nth(pick);
    const hash = new URL(await tocLink.getAttribute('href'), page.url()).hash;
    const id = decodeURIComponent(hash.slice(1));
    assert.ok(id, `TOC link ${pick} has a fragment`);
    const section = page.locator(`[id="${id.replace(/["\\]/g, '\\$&')}"]`);
    assert.equal(await section.count(), 1, `exactly one element has id="${id}"`);
    assert.ok(
      await section.evaluate(
        (el) => !!(el.closest('[data-testid="clause"]') || el.querySelector('[data-testid="clause"]')),
      ),
      `#${id} is (in) a [data-testid="clause"] section`,
    );

    await reveal(page, tocLink);
    await tocLink.click();
    await page.waitForFunction((h) => decodeURIComponent(location.hash) === h, decodeURIComponent(hash));
    assert.equal(decodeURIComponent(new URL(page.url()).hash), decodeURIComponent(hash), 'URL hash after the TOC click');
    await section.waitFor({ state: 'visible' });
    // Allow for smooth scrolling.
    await page.waitForFunction(
      (id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;
      },
      id,
      { timeout: 5_000 },
    ).catch(() => {});
    assert.ok(await inViewport(section), `#${id} is scrolled into view`);
    await screenshot(page, 'clause-phone', { fullPage: false });

    // --- Switch to English -----------------------------------------------
    step = 'switch language to English';
    const english = page.locator('a[hreflang="en"]').first();
    assert.ok((await page.locator('a[hreflang="en"]').count()) >= 1, 'there is a link with hreflang="en"');
    await reveal(page, english);
    await Promise.all([page.waitForNavigation(), english.click()]);
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', '<html lang> after switching');
    await page.locator('h1').first().waitFor({ state: 'visible' });
    await screenshot(page, 'consultation-phone-en');

    // --- Unknown page ------------------------------------------------------
    step = 'request an unknown page';
    const missing = await page.goto(`${gopy.url}/khong-ton-tai`);
    assert.ok(missing, 'no response for /khong-ton-tai');
    assert.equal(missing.status(), 404, 'status of /khong-ton-tai');
    await page.locator('h1').first().waitFor({ state: 'visible' });
    await screenshot(page, 'not-found-phone');
  } catch (err) {
    await screenshot(page, 'failure').catch(() => {});
    err.message =
      `step "${step}" failed at ${page.url()}: ${err.message}\n` +
      `(screenshot: tests/browser/test-results/failure.png)\n` +
      `--- gopy output ---\n${gopy.transcript().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors on the pages: ${pageErrors.join(' | ')}`);
    if (failedRequests.length) t.diagnostic(`failed requests: ${failedRequests.join(' | ')}`);
    await page.context().close();
  }
});

test('a resident finds a consultation through the list on a phone', { timeout: 180_000 }, async (t) => {
  const page = await phonePage(browser);
  const pageErrors = [];
  const failedRequests = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('response', (res) => {
    if (res.status() >= 400) failedRequests.push(`${res.status()} ${res.url()}`);
  });

  let step = 'start';
  try {
    step = 'open the home page';
    await page.goto(`${gopy.url}/`);
    await page.locator('[data-testid="how-it-works"]').waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid="how-it-works"] li').count(), 3, 'three steps');
    assert.equal(
      await page.locator('[data-testid="track-box"] form').getAttribute('action'),
      '/track',
      'the tracking box sends to /track',
    );

    step = 'go to the list page';
    const seeAll = page.locator('[data-testid="see-all"]');
    await reveal(page, seeAll);
    await Promise.all([page.waitForURL((u) => u.pathname === '/consultations'), seeAll.click()]);
    await page.locator('h1').first().waitFor({ state: 'visible' });
    const cards = page.locator('[data-testid="consultation-results"] [data-testid="consultation-card"]');
    const all = await cards.count();
    assert.ok(all >= 2, `the list shows ${all} consultations, want >= 2`);
    await screenshot(page, 'list-phone');

    step = 'filter by a kind';
    const kindSelect = page.locator('select#kind');
    // The filters fold away behind a <details> until one is in use.
    await reveal(page, kindSelect);
    const kinds = await kindSelect.locator('option').evaluateAll((options) =>
      options.map((o) => ({ value: o.value, label: o.textContent.trim() })).filter((o) => o.value),
    );
    assert.ok(kinds.length >= 2, 'the kind filter has choices');
    // The kind of the first result, so the filtered list is not empty.
    const firstKind = squash(await cards.first().locator('.card__kind').innerText());
    const kind = kinds.find((k) => k.label === firstKind);
    assert.ok(kind, `the first result's kind "${firstKind}" is a choice of the filter`);
    await kindSelect.selectOption(kind.value);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/consultations' && u.searchParams.get('kind') === kind.value),
      page.locator('[data-testid="apply-filters"]').click(),
    ]);
    const filtered = await cards.count();
    assert.ok(filtered >= 1 && filtered < all, `filtering by ${kind.value} shows ${filtered} of ${all}`);
    for (const label of await cards.locator('.card__kind').allInnerTexts()) {
      assert.equal(squash(label), kind.label, 'every result is of the chosen kind');
    }
    assert.equal(await kindSelect.inputValue(), kind.value, 'the filter stays chosen');
    const noOverflow = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(noOverflow, 'the filtered list does not scroll sideways on a phone');
    await screenshot(page, 'list-filtered-phone');

    step = 'open a result';
    const result = cards.first().locator('.card__title a');
    const title = squash(await result.innerText());
    const href = await result.getAttribute('href');
    await Promise.all([
      page.waitForURL((u) => u.pathname === new URL(href, gopy.url).pathname),
      result.click(),
    ]);
    const h1 = page.locator('h1').first();
    await h1.waitFor({ state: 'visible' });
    assert.equal(squash(await h1.innerText()), title, 'the <h1> is the title that was clicked');
    assert.ok(
      (await page.locator('[data-testid="consultation-body"]').count()) === 1,
      'the consultation body is rendered',
    );
    assert.deepEqual(failedRequests, [], 'no request failed');
  } catch (err) {
    await screenshot(page, 'failure-list').catch(() => {});
    err.message =
      `step "${step}" failed at ${page.url()}: ${err.message}\n` +
      `(screenshot: tests/browser/test-results/failure-list.png)\n` +
      `--- gopy output ---\n${gopy.transcript().split('\n').slice(-60).join('\n')}`;
    throw err;
  } finally {
    if (pageErrors.length) t.diagnostic(`JavaScript errors on the pages: ${pageErrors.join(' | ')}`);
    await page.context().close();
  }
});
