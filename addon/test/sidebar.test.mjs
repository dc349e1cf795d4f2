// The sidebar in headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer-core),
// 300 px wide as Google shows it, with a google.script.run stand-in that calls the add-on's
// real server functions, running under the Apps Script stand-ins, against reference servers.
// With SALESOPS_WRITE_SCREENSHOTS=1 the screenshots go to addon/docs/images/ for the README.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import puppeteer from 'puppeteer-core';

import { ADDON_DIR, loadAddon } from './gas/load.mjs';
import { connection, SECRET, serverWith, SPREADSHEET_ID, UNREACHABLE_URL } from './helpers.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = process.env.SALESOPS_WRITE_SCREENSHOTS === '1'
  ? join(ADDON_DIR, 'docs', 'images')
  : mkdtempSync(join(tmpdir(), 'salesops-sidebar-'));
mkdirSync(SHOTS, { recursive: true });
const LAST_SYNC = { finished_at: '2026-11-28T09:15:00Z', seconds: 4.2, errors: 2, warnings: 5, cells_written: 1800 };

let browser;
before(async () => {
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
  });
});
after(async () => { await browser?.close(); });

// google.script.run as the HTML service gives it to a sidebar: a chain of
// withSuccessHandler / withFailureHandler / withUserObject, then the server function's name.
const SCRIPT_RUN = `
  (() => {
    function runner(handlers) {
      return new Proxy({}, { get(_, name) {
        if (name === 'withSuccessHandler') return (fn) => runner({ ...handlers, success: fn });
        if (name === 'withFailureHandler') return (fn) => runner({ ...handlers, failure: fn });
        if (name === 'withUserObject') return (object) => runner({ ...handlers, user: object });
        return (...args) => {
          window.__serverCall(String(name), JSON.stringify(args)).then((text) => {
            const answer = JSON.parse(text);
            if ('error' in answer) handlers.failure && handlers.failure(new Error(answer.error), handlers.user);
            else handlers.success && handlers.success(answer.value, handlers.user);
          });
        };
      } });
    }
    window.google = { script: { run: runner({}) } };
  })();`;

/** Open the sidebar the way the menu does and load it in a 300 px page. */
async function openSidebar(addon, menuItem = 'menuConnect') {
  addon.call(menuItem);
  const html = addon.ui.sidebars.at(-1).getContent();
  const page = await browser.newPage();
  await page.setViewport({ width: 300, height: 640 });
  await page.exposeFunction('__serverCall', (name, args) => {
    try {
      // Arguments and results cross as JSON, as google.script.run serialises them.
      const value = addon.call(name, ...JSON.parse(args));
      return JSON.stringify({ value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
    } catch (error) {
      return JSON.stringify({ error: String(error.message || error) });
    }
  });
  page.setDefaultTimeout(15000);
  page.on('pageerror', (error) => console.error('sidebar page error:', error.message));
  // The stand-in comes first in <head>, where Google's iframe has google.script ready.
  await page.setContent(html.replace('<head>', `<head><script>${SCRIPT_RUN}</script>`));
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const textOf = (page, selector) => page.$eval(selector, (element) => element.textContent.trim());
const focused = (page) => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));

async function messageAfter(page, selector) {
  await page.waitForFunction((s) => {
    const box = document.querySelector(s);
    return box.textContent && !/Working|处理中/.test(box.textContent);
  }, {}, selector);
  return textOf(page, selector);
}

test('keyboard only: type the URL and secret, Enter saves, Tab reaches Test connection', async () => {
  const server = await serverWith();
  const addon = loadAddon({ allowedPrefixes: [`${server.url}/`, 'https://salesops.example.com/'] });
  const page = await openSidebar(addon);
  assert.equal(await textOf(page, 'label[for="server-url"]'), 'Server URL');
  assert.equal(await textOf(page, 'label[for="secret"]'), 'Webhook secret');
  assert.equal(await focused(page), 'server-url', 'the URL field has the focus on opening');
  assert.equal(await page.$eval('#secret', (input) => input.type), 'password');
  await page.keyboard.type(server.url);
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'secret');
  await page.keyboard.type(SECRET);
  await page.keyboard.press('Enter');
  assert.equal(await messageAfter(page, '#connect-message'), 'Saved.');
  assert.equal(addon.properties.get('SALESOPS_SERVER_URL'), server.url);
  assert.equal(addon.properties.get('SALESOPS_WEBHOOK_SECRET'), SECRET);
  assert.equal(await page.$eval('#secret', (input) => input.value), '', 'the secret is not shown back');
  assert.equal(await textOf(page, '#secret-hint'), 'A secret is saved (…cdef). Leave blank to keep it.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'test');
  await page.keyboard.press('Enter');
  assert.equal(await messageAfter(page, '#connect-message'), 'Connected: the server knows this spreadsheet.');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 300, `no sideways scrolling at 300 px (content is ${width} px)`);
  await page.close();
});

const MESSAGES = [
  ['unreachable', null, SECRET, `Could not reach the Sales Ops server at ${UNREACHABLE_URL}. Check the server URL and that the server is running.`],
  ['signature', {}, 'not-the-servers-secret-000000', 'The server refused the secret. Paste the webhook secret again, exactly as the operator gave it.'],
  ['clock', { clockOffset: 600 }, SECRET, 'The server refused the time: its clock is more than 5 minutes away from Google\'s. Ask the operator to set the server\'s clock right.'],
  ['forbidden', { allow: ['another-spreadsheet'] }, SECRET, `The server does not allow this spreadsheet. Ask the operator to add ${SPREADSHEET_ID} to the allowed spreadsheets.`]
];
for (const [kind, serverOptions, secret, expected] of MESSAGES) {
  test(`Test connection says what is wrong: ${kind}`, async () => {
    const url = serverOptions ? (await serverWith(serverOptions)).url : UNREACHABLE_URL;
    const addon = loadAddon({ allowedPrefixes: [`${url}/`] });
    const page = await openSidebar(addon);
    await page.type('#server-url', url);
    await page.type('#secret', secret);
    await page.focus('#test');
    await page.keyboard.press('Space');
    assert.equal(await messageAfter(page, '#connect-message'), expected);
    assert.equal(await page.$eval('#connect-message', (box) => box.getAttribute('data-kind')), kind);
    assert.equal(await page.$eval('#connect-message', (box) => box.className), 'message bad');
    if (kind === 'signature') {
      await page.screenshot({ path: join(SHOTS, 'sidebar-wrong-secret.png'), fullPage: true });
    }
    await page.close();
  });
}

test('a URL outside the whitelist is refused in the sidebar', async () => {
  const addon = loadAddon();
  const page = await openSidebar(addon);
  assert.equal(await textOf(page, '#url-hint'), 'Starts with https://salesops.example.com/');
  await page.type('#server-url', 'https://elsewhere.example.org');
  await page.type('#secret', SECRET);
  await page.keyboard.press('Enter');
  assert.match(await messageAfter(page, '#connect-message'), /^This add-on may only call https:\/\/salesops\.example\.com\//);
  assert.equal(addon.properties.size, 0);
  await page.close();
});

test('the status view shows the last recompute, errors and warnings, the Data Issues link, the last error and refusal', async () => {
  const server = await serverWith({ status: { state: 'idle', last_sync: LAST_SYNC, last_error: 'The Orders tab has no Date column.' } });
  const addon = loadAddon({ properties: connection(server.url), spreadsheet: { sheets: ['Pipeline', 'Data Issues'] } });
  addon.call('menuAutomaticOn');
  addon.properties.set('SALESOPS_LAST_REFUSED_POST', JSON.stringify({ at: '2026-11-28T08:05:00Z', status: 401, reason: 'clock', message: 'The server refused the time.' }));
  const page = await openSidebar(addon, 'menuStatus');
  await page.waitForFunction(() => document.querySelector('#status-errors').textContent !== '');
  assert.equal(await page.$eval('#view-status', (view) => view.hidden), false);
  assert.equal(await page.$eval('#view-connect', (view) => view.hidden), true);
  assert.equal(await textOf(page, '#status-automatic'), 'On');
  assert.equal(await textOf(page, '#status-state'), 'Idle');
  assert.equal(await textOf(page, '#status-finished'), '28 Nov 2026, 09:15');
  assert.equal(await textOf(page, '#status-seconds'), '4.2 s');
  assert.equal(await textOf(page, '#status-errors'), '2');
  assert.equal(await textOf(page, '#status-warnings'), '5');
  assert.equal(await textOf(page, '#status-last-error'), 'The Orders tab has no Date column.');
  assert.equal(await textOf(page, '#status-last-refusal'), '28 Nov 2026, 08:05: The server refused the time.');
  await page.screenshot({ path: join(SHOTS, 'sidebar-status.png'), fullPage: true });
  // Keyboard: focus the Data Issues link and press Enter: the tab becomes the active one.
  await page.focus('#open-issues');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => true);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(addon.spreadsheet.getActiveSheet().getName(), 'Data Issues');
  // Arrow keys move between the two views, as in any tab list.
  await page.focus('#tab-status');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await focused(page), 'tab-connect');
  assert.equal(await page.$eval('#view-connect', (view) => view.hidden), false);
  await page.close();
});

test('a Chinese spreadsheet gets the sidebar in Chinese', async () => {
  const server = await serverWith({ status: { state: 'running', last_sync: LAST_SYNC, last_error: null } });
  const addon = loadAddon({ spreadsheet: { locale: 'zh_CN' }, properties: connection(server.url, 'wrong-secret-0000000000000'), allowedPrefixes: [`${server.url}/`] });
  const page = await openSidebar(addon);
  assert.equal(await page.$eval('html', (html) => html.lang), 'zh-CN');
  assert.equal(await textOf(page, 'label[for="server-url"]'), '服务器地址');
  assert.equal(await textOf(page, '#test'), '测试连接');
  assert.equal(await textOf(page, '#secret-hint'), '已保存密钥 (…0000)。留空则保留原密钥。');
  await page.focus('#test');
  await page.keyboard.press('Enter');
  assert.equal(await messageAfter(page, '#connect-message'), '服务器拒绝了密钥。请按管理员提供的原样重新粘贴 Webhook 密钥。');
  await page.screenshot({ path: join(SHOTS, 'sidebar-zh.png'), fullPage: true });
  await page.close();
});

test('the English connection view, for the README', async () => {
  const addon = loadAddon({ properties: connection('https://salesops.example.com', 'x'.repeat(32)) });
  const page = await openSidebar(addon);
  await page.screenshot({ path: join(SHOTS, 'sidebar-connect.png'), fullPage: true });
  assert.equal(await page.$eval('#server-url', (input) => input.value), 'https://salesops.example.com');
  await page.close();
});

test('the menu, drawn as a mock-up from the items onOpen adds', async () => {
  const addon = loadAddon();
  addon.call('onOpen', {});
  const [menu] = addon.ui.menus;
  const rows = menu.items.map((item) => (item.separator ? '<hr>' : `<div class="item">${item.caption}</div>`)).join('');
  const page = await browser.newPage();
  await page.setViewport({ width: 520, height: 330 });
  await page.setContent(`<!DOCTYPE html><meta charset="utf-8"><style>
    body { margin: 0; font: 14px Arial, sans-serif; background: #f8f9fa; }
    .bar { display: flex; gap: 18px; padding: 8px 12px; background: #fff; border-bottom: 1px solid #dadce0; }
    .bar span.open { background: #e8eaed; border-radius: 4px; padding: 0 6px; }
    .menu { position: absolute; left: 190px; top: 36px; width: 260px; background: #fff; box-shadow: 0 2px 6px rgba(0,0,0,.3); padding: 6px 0; }
    .item { padding: 7px 24px; } hr { border: 0; border-top: 1px solid #dadce0; margin: 6px 0; }
    .note { position: absolute; bottom: 8px; left: 12px; color: #5f6368; font-size: 12px; }
  </style><div class="bar"><span>File</span><span>Edit</span><span>View</span><span>Insert</span><span>Format</span><span>Data</span><span class="open">${menu.caption}</span></div>
  <div class="menu">${rows}</div>
  <div class="note">Mock-up drawn from the items the add-on's onOpen adds, not a capture of Google Sheets.</div>`);
  assert.equal(await page.$$eval('.item', (items) => items.length), 6);
  await page.screenshot({ path: join(SHOTS, 'menu.png') });
  await page.close();
});
