// Shared helpers for gopy's browser tests.
//
// - startGopy() runs the real gopy binary on a free loopback port with a fresh
//   data directory and the demo data, and waits until it prints its URL.
// - launchBrowser() starts Debian's /usr/bin/chromium through playwright-core
//   (never a downloaded browser).
// - PHONE / DESKTOP are the viewports the tests use; newPage() opens a page
//   with one of them.
// - waitForMail() reads a message gopy wrote to the data dir's outbox-mail/
//   (gopy runs without SMTP here), decoded as text.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The line gopy prints once it listens, e.g. "listening on http://127.0.0.1:41234". */
export const URL_PATTERN = /https?:\/\/127\.0\.0\.1:\d+/;

/** How long gopy may take to print its URL (migrations, demo seed, search index). */
export const STARTUP_TIMEOUT_MS = 60_000;

/** How long stop() waits after SIGTERM before it sends SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/** Where screenshots and other artefacts go (gitignored). */
export const RESULTS_DIR = path.join(here, 'test-results');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A phone-sized window (iPhone 12/13/14 class). */
export const PHONE = Object.freeze({ width: 390, height: 844 });

/** A common laptop/desktop window. */
export const DESKTOP = Object.freeze({ width: 1280, height: 800 });

/** Path of the gopy binary under test. */
export function gopyBin() {
  return process.env.GOPY_BIN
    ? path.resolve(process.env.GOPY_BIN)
    : path.resolve(here, '../../target/debug/gopy');
}

// Every child still running when this process exits is killed, so a crashed
// test run never leaves a gopy server behind.
const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Start `gopy serve --listen 127.0.0.1:0 --data-dir <fresh dir> --demo`.
 *
 * Resolves to { url, stop, output, stderr, dataDir, process } once a stdout
 * line contains http://127.0.0.1:<port>. Rejects (after killing the process
 * and removing the data dir) if gopy exits first or prints no URL within
 * STARTUP_TIMEOUT_MS; the error message carries everything gopy printed.
 *
 * @param {{ args?: string[], env?: Record<string, string> }} [options]
 *   extra command-line arguments and environment variables for gopy.
 */
export async function startGopy(options = {}) {
  const bin = gopyBin();
  if (!existsSync(bin)) {
    throw new Error(
      `gopy binary not found at ${bin}: run \`cargo build\` first or set GOPY_BIN`,
    );
  }

  const dataDir = await mkdtemp(path.join(tmpdir(), 'gopy-browser-'));

  // A hermetic environment: no SMTP (mail goes to the data dir's outbox), no
  // database or other gopy setting inherited from the developer's shell or CI.
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('GOPY_') || key === 'DATABASE_URL') delete env[key];
  }
  Object.assign(env, { RUST_LOG: 'warn', NO_COLOR: '1' }, options.env ?? {});

  const args = [
    'serve',
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
    '--demo',
    ...(options.args ?? []),
  ];

  // cwd is the data dir, so a gopy.toml in the developer's checkout is not read.
  const child = spawn(bin, args, { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  const stdoutLines = [];
  const stderrLines = [];
  let exited = null; // { code, signal } once the process is gone
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve(exited);
    });
  });

  const transcript = () =>
    [
      `$ ${bin} ${args.join(' ')}`,
      '--- stdout ---',
      ...stdoutLines,
      '--- stderr ---',
      ...stderrLines,
    ].join('\n');

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      let timer;
      const killed = await Promise.race([
        exitPromise.then(() => false),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (killed && !exited) {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const url = await new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const timer = setTimeout(() => {
      settle(
        reject,
        new Error(
          `gopy printed no ${URL_PATTERN} line on stdout within ${STARTUP_TIMEOUT_MS / 1000} s\n${transcript()}`,
        ),
      );
    }, STARTUP_TIMEOUT_MS);

    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (raw) => {
      const line = raw.replace(ANSI, '');
      stdoutLines.push(line);
      const match = line.match(URL_PATTERN);
      if (match) settle(resolve, match[0]);
    });
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (raw) => {
      stderrLines.push(raw.replace(ANSI, ''));
    });
    child.once('error', (err) => {
      settle(reject, new Error(`could not start gopy: ${err.message}\n${transcript()}`));
    });
    exitPromise.then(({ code, signal }) => {
      // Let the last buffered lines arrive before reporting.
      setImmediate(() =>
        settle(
          reject,
          new Error(
            `gopy exited (code ${code}, signal ${signal}) before printing its URL\n${transcript()}`,
          ),
        ),
      );
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });

  return {
    /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
    url: url.replace(/\/+$/, ''),
    stop,
    /** Everything gopy printed on stdout so far (sign-in links, demo accounts, ...). */
    output: () => stdoutLines.join('\n'),
    /** Everything gopy printed on stderr so far (logs). */
    stderr: () => stderrLines.join('\n'),
    /** stdout and stderr together, for failure messages. */
    transcript,
    dataDir,
    process: child,
  };
}

/** Launch Debian's Chromium through playwright-core. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install Debian's chromium ` +
        '(apt-get install --no-install-recommends chromium) or set CHROMIUM_PATH',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * Open a page in a fresh browser context.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {{ width: number, height: number }} [viewport] PHONE (default) or DESKTOP
 * @param {import('playwright-core').BrowserContextOptions} [contextOptions]
 */
export async function newPage(browser, viewport = PHONE, contextOptions = {}) {
  const phone = viewport.width < 600;
  const context = await browser.newContext({
    viewport: { ...viewport },
    isMobile: phone,
    hasTouch: phone,
    deviceScaleFactor: phone ? 2 : 1,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    ...contextOptions,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(30_000);
  return page;
}

/** Shortcut: a page with the phone viewport. */
export const phonePage = (browser, contextOptions) => newPage(browser, PHONE, contextOptions);

/** Shortcut: a page with the desktop viewport. */
export const desktopPage = (browser, contextOptions) => newPage(browser, DESKTOP, contextOptions);

/**
 * Save a screenshot as test-results/<name>.png and return its path.
 * Full page by default; pass { fullPage: false } for what the window shows.
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** How long waitForMail() waits for a message to appear in the outbox. */
export const MAIL_TIMEOUT_MS = 20_000;

/** Decode a quoted-printable body into bytes (soft line breaks and =XX escapes). */
function decodeQuotedPrintable(text) {
  const bytes = [];
  const source = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < source.length; i++) {
    const hex = source.slice(i + 1, i + 3);
    if (source[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(source[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/**
 * Parse a single-part .eml message: { headers, text } with header names
 * lowercased (folded lines joined) and the body decoded from its
 * Content-Transfer-Encoding (base64, quoted-printable, 7bit, 8bit) as UTF-8.
 */
export function parseMail(raw) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  let last = null;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      if (!(last in headers)) headers[last] = line.slice(colon + 1).trim();
    }
  }
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  let bytes;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'utf8');
  return { headers, text: bytes.toString('utf8').replace(/\r\n/g, '\n') };
}

/**
 * Wait until gopy (started without SMTP) has written a message to `address`
 * into `<dataDir>/outbox-mail/*.eml`, and return it parsed (see parseMail).
 * The newest matching message wins.
 */
export async function waitForMail(dataDir, address, { timeoutMs = MAIL_TIMEOUT_MS } = {}) {
  const dir = path.join(dataDir, 'outbox-mail');
  const wanted = address.toLowerCase();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = [];
    if (existsSync(dir)) {
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.eml')) continue;
        const file = path.join(dir, name);
        const raw = await readFile(file, 'utf8');
        const mail = parseMail(raw);
        if ((mail.headers.to || '').toLowerCase().includes(wanted)) {
          found.push({ mail, mtime: (await stat(file)).mtimeMs });
        }
      }
    }
    if (found.length) {
      found.sort((a, b) => b.mtime - a.mtime);
      return found[0].mail;
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${address} in ${dir} within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
