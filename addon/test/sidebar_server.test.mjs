// The sidebar's server functions: saving the connection, Test connection, the status view.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadAddon } from './gas/load.mjs';
import { connection, SECRET, serverWith, SPREADSHEET_ID, UNREACHABLE_URL } from './helpers.mjs';

const LAST_SYNC = { finished_at: '2026-11-28T09:15:00Z', seconds: 4.2, errors: 2, warnings: 5, cells_written: 1800 };

test('the URL must be under the manifest\'s whitelist; the secret is stored, never sent back', () => {
  const addon = loadAddon();
  const save = (form) => addon.call('saveConnection', form);
  assert.equal(save({ url: '', secret: 'x' }).message, 'Enter the server URL.');
  assert.equal(save({ url: 'http://salesops.example.com', secret: 'x' }).message, 'The server URL must start with https://.');
  assert.equal(save({ url: 'https://salesops.example.com.evil.test/', secret: 'x' }).message,
    'This add-on may only call https://salesops.example.com/. Enter a URL that starts with one of them, or ask the operator to rebuild the add-on for your server.');
  assert.equal(save({ url: 'https://salesops.example.com', secret: ' ' }).message, 'Enter the webhook secret.');
  const saved = save({ url: ' https://salesops.example.com/ ', secret: SECRET });
  assert.equal(saved.ok, true);
  assert.equal(addon.properties.get('SALESOPS_SERVER_URL'), 'https://salesops.example.com');
  assert.equal(addon.properties.get('SALESOPS_WEBHOOK_SECRET'), SECRET);
  assert.equal(saved.state.secretSaved, true);
  assert.equal(saved.state.secretHint, '…cdef');
  assert.ok(!JSON.stringify(saved).includes(SECRET.slice(0, -4)), 'never the whole secret');
  // A blank secret keeps the saved one.
  assert.equal(save({ url: 'https://salesops.example.com/v2', secret: '' }).ok, true);
  assert.equal(addon.properties.get('SALESOPS_WEBHOOK_SECRET'), SECRET);
});

test('a short secret shows no characters at all', () => {
  const addon = loadAddon({ properties: connection('https://salesops.example.com', 'short-secret') });
  const state = addon.call('sidebarState');
  assert.equal(state.secretSaved, true);
  assert.equal(state.secretHint, '');
  assert.ok(!JSON.stringify(state).includes('short'));
});

async function testConnectionWith(serverOptions, url, secret = SECRET, locale = 'en_US') {
  const server = serverOptions && await serverWith(serverOptions);
  const target = server ? server.url : url;
  const addon = loadAddon({ spreadsheet: { locale }, allowedPrefixes: [`${target}/`] });
  return addon.call('testConnection', { url: target, secret });
}

test('Test connection: connected', async () => {
  const result = await testConnectionWith({});
  assert.deepEqual({ ...result }, { ok: true, kind: 'connected', message: 'Connected: the server knows this spreadsheet.' });
});

test('Test connection: unreachable', async () => {
  const result = await testConnectionWith(null, UNREACHABLE_URL);
  assert.equal(result.kind, 'unreachable');
  assert.equal(result.message, `Could not reach the Sales Ops server at ${UNREACHABLE_URL}. Check the server URL and that the server is running.`);
});

test('Test connection: a wrong secret is the 401 signature', async () => {
  const result = await testConnectionWith({}, null, 'not-the-secret-000000000000');
  assert.equal(result.kind, 'signature');
  assert.equal(result.message, 'The server refused the secret. Paste the webhook secret again, exactly as the operator gave it.');
});

test('Test connection: a wrong clock is the 401 clock', async () => {
  const result = await testConnectionWith({ clockOffset: -400 });
  assert.equal(result.kind, 'clock');
  assert.match(result.message, /clock is more than 5 minutes away/);
});

test('Test connection: a spreadsheet not allowed is the 403', async () => {
  const result = await testConnectionWith({ allow: ['someone-else'] });
  assert.equal(result.kind, 'forbidden');
  assert.equal(result.message, `The server does not allow this spreadsheet. Ask the operator to add ${SPREADSHEET_ID} to the allowed spreadsheets.`);
});

test('Test connection speaks Chinese in a Chinese spreadsheet', async () => {
  const result = await testConnectionWith({}, null, 'not-the-secret-000000000000', 'zh_CN');
  assert.equal(result.message, '服务器拒绝了密钥。请按管理员提供的原样重新粘贴 Webhook 密钥。');
});

test('Test connection signs GET /status/<id> over an empty body', async () => {
  const server = await serverWith({});
  const addon = loadAddon({ allowedPrefixes: [`${server.url}/`] });
  addon.call('testConnection', { url: server.url, secret: SECRET });
  const [call] = addon.fetches;
  assert.equal(call.url, `${server.url}/status/${SPREADSHEET_ID}`);
  assert.equal(call.method, 'GET');
  assert.equal(call.payload, null);
  assert.match(call.headers['X-Salesops-Signature'], /^sha256=[0-9a-f]{64}$/);
});

test('the status view: last recompute, errors, warnings, last error and the last refused post', async () => {
  const server = await serverWith({ status: { state: 'idle', last_sync: LAST_SYNC, last_error: 'The Pipeline tab is missing.' } });
  const addon = loadAddon({ properties: connection(server.url), spreadsheet: { sheets: ['Pipeline', 'Data Issues'] } });
  addon.properties.set('SALESOPS_LAST_REFUSED_POST', JSON.stringify({ at: '2026-11-28T08:00:00Z', status: 403, message: 'not allowed' }));
  const report = addon.call('statusReport');
  assert.equal(report.connected, true);
  assert.equal(report.problem, '');
  assert.deepEqual({ ...report.server.last_sync }, LAST_SYNC);
  assert.equal(report.server.last_error, 'The Pipeline tab is missing.');
  assert.equal(report.lastRefusal.status, 403);
  assert.equal(report.dataIssuesTab, true);
  assert.equal(report.automatic, false);
});

test('the status view when not connected says how to connect, with no request', () => {
  const addon = loadAddon();
  const report = addon.call('statusReport');
  assert.equal(report.server, null);
  assert.match(report.problem, /^Sales Ops is not connected/);
  assert.equal(addon.fetches.length, 0);
});

test('the Data Issues link opens the tab, found by its Chinese name too', () => {
  const addon = loadAddon({ spreadsheet: { sheets: ['Sheet1', '数据问题'] } });
  addon.spreadsheet.setActiveSheet(addon.spreadsheet.getSheetByName('Sheet1'));
  assert.equal(addon.call('openDataIssues'), true);
  assert.equal(addon.spreadsheet.getActiveSheet().getName(), '数据问题');
  assert.equal(loadAddon().call('openDataIssues'), false);
});
