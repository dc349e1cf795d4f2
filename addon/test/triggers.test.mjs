// onSheetEdit / onSheetChange against the reference server over real HTTP (SPEC section 7).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import { loadAddon } from './gas/load.mjs';
import { connection, SECRET, serverWith, SPREADSHEET_ID, UNREACHABLE_URL } from './helpers.mjs';

const INPUT_TABS = ['Settings', 'Stages', 'Team', 'Goals', 'Pipeline', 'Customers', 'Orders', 'Commission Plans'];

test('the hex signature is HMAC-SHA256 over timestamp.body, also for negative (signed) bytes', () => {
  const addon = loadAddon();
  const body = '{"spreadsheet_id":"abc","sheet":"Pipeline","range":"F5"}';
  const bytes = addon.google.Utilities.computeHmacSha256Signature(`1764300000.${body}`, SECRET, 'UTF_8');
  assert.equal(bytes.length, 32);
  assert.ok(bytes.some((b) => b < 0), 'Google returns Java bytes: some are negative');
  assert.ok(bytes.every((b) => b >= -128 && b <= 127));
  const expected = createHmac('sha256', SECRET).update(`1764300000.${body}`).digest('hex');
  assert.equal(addon.call('signRequest_', SECRET, '1764300000', body), `sha256=${expected}`);
  // -1 is ff, 0 is 00, 15 is 0f, -128 is 80, 127 is 7f
  assert.equal(addon.call('bytesToHex_', [-1, 0, 15, -128, 127]), 'ff000f807f');
});

test('an edit of an input tab posts one signed notice that the server verifies and queues', async () => {
  const server = await serverWith();
  const addon = loadAddon({ properties: connection(server.url) });
  const before = new Date();
  const outcome = addon.call('onSheetEdit', addon.editEvent('Pipeline', 'F5'));
  assert.equal(outcome.status, 202);
  assert.equal(addon.fetches.length, 1);
  const call = addon.fetches[0];
  assert.equal(call.url, `${server.url}/hooks/sheets-edit`);
  assert.equal(call.params.muteHttpExceptions, true);
  assert.equal(call.params.contentType, 'application/json');
  const [received] = await server.received(addon);
  assert.equal(received.body.spreadsheet_id, SPREADSHEET_ID);
  assert.equal(received.body.sheet, 'Pipeline');
  assert.equal(received.body.range, 'F5');
  assert.match(received.body.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(received.body.edited_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(received.body.edited_at) >= before.getTime() - 1000);
  const timestamp = Number(received.headers['x-salesops-timestamp']);
  assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60);
  const hex = createHmac('sha256', SECRET).update(`${timestamp}.${received.raw}`).digest('hex');
  assert.equal(received.headers['x-salesops-signature'], `sha256=${hex}`);
  assert.deepEqual(addon.spreadsheet.toasts, []);
});

for (const tab of [...INPUT_TABS, ' pipeline ', 'PIPELINE', 'commission plans', '销售管道', ' 销售管道 ', '团队']) {
  test(`an edit of input tab ${JSON.stringify(tab)} is posted`, async () => {
    const server = await serverWith();
    const addon = loadAddon({ properties: connection(server.url) });
    assert.equal(addon.call('onSheetEdit', addon.editEvent(tab, 'B2')).status, 202);
    const [received] = await server.received(addon);
    assert.equal(received.body.sheet, tab);
  });
}

for (const tab of ['Funnel', 'funnel ', 'Deal Health', 'Data Issues', 'Stage Log', 'Dashboard', '销售漏斗', '数据问题', 'My notes', 'Pipeline 2', 'Sheet1']) {
  test(`an edit of ${JSON.stringify(tab)} (a computed or the owner's own tab) posts nothing`, () => {
    const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
    assert.equal(addon.call('onSheetEdit', addon.editEvent(tab, 'A1:C3')), null);
    assert.equal(addon.fetches.length, 0);
    assert.deepEqual(addon.spreadsheet.toasts, []);
  });
}

test('a paste of 5,000 cells is one post naming the whole range', async () => {
  const server = await serverWith();
  const addon = loadAddon({ properties: connection(server.url) });
  // A2:E1001 is 5 columns x 1,000 rows = 5,000 cells, one edit event as Google sends it.
  const event = addon.editEvent('Orders', 'A2:E1001');
  assert.equal(event.range.getNumRows() * event.range.getNumColumns(), 5000);
  assert.equal(addon.call('onSheetEdit', event).status, 202);
  assert.equal(addon.fetches.length, 1);
  const received = await server.received(addon);
  assert.equal(received.length, 1);
  assert.equal(received[0].body.range, 'A2:E1001');
});

test('a Chinese tab name is sent as ASCII JSON and its signature verifies', async () => {
  const server = await serverWith();
  const addon = loadAddon({ properties: connection(server.url) });
  assert.equal(addon.call('onSheetEdit', addon.editEvent('订单', 'C3')).status, 202);
  assert.match(addon.fetches[0].payload, /"sheet":"\\u8ba2\\u5355"/);
  assert.ok(/^[\x20-\x7e]*$/.test(addon.fetches[0].payload));
  const [received] = await server.received(addon);
  assert.equal(received.body.sheet, '订单');
});

for (const changeType of ['EDIT', 'FORMAT']) {
  test(`onSheetChange ignores ${changeType}`, () => {
    const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
    assert.equal(addon.call('onSheetChange', addon.changeEvent(changeType)), null);
    assert.equal(addon.fetches.length, 0);
  });
}

for (const changeType of ['INSERT_ROW', 'REMOVE_ROW', 'INSERT_COLUMN', 'REMOVE_COLUMN', 'INSERT_GRID', 'REMOVE_GRID', 'OTHER']) {
  test(`onSheetChange posts once for ${changeType}, with sheet and range empty`, async () => {
    const server = await serverWith();
    const addon = loadAddon({ properties: connection(server.url) });
    assert.equal(addon.call('onSheetChange', addon.changeEvent(changeType)).status, 202);
    assert.equal(addon.fetches.length, 1);
    const [received] = await server.received(addon);
    assert.equal(received.body.sheet, '');
    assert.equal(received.body.range, '');
  });
}

const REFUSALS = [
  ['a wrong secret', { secret: 'the-servers-own-secret-0000000000' }, 401, 'signature', /refused the secret/],
  ['a wrong clock', { clockOffset: 900 }, 401, 'clock', /clock is more than 5 minutes/],
  ['a spreadsheet not allowed', { allow: ['another-spreadsheet'] }, 403, 'spreadsheet not allowed', new RegExp(`add ${SPREADSHEET_ID} to the allowed`)]
];
for (const [what, options, status, reason, toast] of REFUSALS) {
  test(`${what}: the trigger does not throw, toasts once and remembers the refusal`, async () => {
    const server = await serverWith(options);
    const addon = loadAddon({ properties: connection(server.url) });
    const outcome = addon.call('onSheetEdit', addon.editEvent('Pipeline', 'D4'));
    assert.equal(outcome.status, status);
    assert.equal(addon.spreadsheet.toasts.length, 1);
    assert.match(addon.spreadsheet.toasts[0].msg, /^Sales Ops did not recompute: /);
    assert.match(addon.spreadsheet.toasts[0].msg, toast);
    const refusal = JSON.parse(addon.properties.get('SALESOPS_LAST_REFUSED_POST'));
    assert.equal(refusal.status, status);
    assert.equal(refusal.reason, reason);
    assert.equal(refusal.sheet, 'Pipeline');
    assert.equal(refusal.range, 'D4');
    assert.deepEqual(await server.received(addon), []);
  });
}

test('an unreachable server: no throw, a toast naming the address, the refusal remembered', async () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  const outcome = addon.call('onSheetEdit', addon.editEvent('Team', 'A2'));
  assert.equal(outcome.status, 0);
  assert.match(addon.spreadsheet.toasts[0].msg, /Could not reach the Sales Ops server at http:\/\/127\.0\.0\.1:9\./);
  assert.equal(JSON.parse(addon.properties.get('SALESOPS_LAST_REFUSED_POST')).status, 0);
});

test('not connected: no request, a toast saying how to connect', () => {
  const addon = loadAddon();
  addon.call('onSheetEdit', addon.editEvent('Goals', 'A2'));
  assert.equal(addon.fetches.length, 0);
  assert.match(addon.spreadsheet.toasts[0].msg, /Connect to server…/);
});

test('a broken event never throws out of either trigger', () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  const broken = { range: { getSheet() { throw new Error('Service Spreadsheets failed'); } }, source: addon.spreadsheet };
  assert.doesNotThrow(() => addon.call('onSheetEdit', broken));
  assert.doesNotThrow(() => addon.call('onSheetEdit', undefined));
  assert.doesNotThrow(() => addon.call('onSheetChange', undefined));
  assert.equal(JSON.parse(addon.properties.get('SALESOPS_LAST_REFUSED_POST')).reason, 'Service Spreadsheets failed');
  assert.equal(addon.fetches.length, 0);
});

test('a Chinese spreadsheet gets its toast in Chinese', async () => {
  const server = await serverWith({ secret: 'the-servers-own-secret-0000000000' });
  const addon = loadAddon({ spreadsheet: { locale: 'zh_CN' }, properties: connection(server.url) });
  addon.call('onSheetEdit', addon.editEvent('销售管道', 'A2'));
  assert.equal(addon.spreadsheet.toasts[0].title, '销售运营');
  assert.match(addon.spreadsheet.toasts[0].msg, /^销售运营未能重新计算：服务器拒绝了密钥/);
});

test('every answer has a plain sentence', () => {
  const addon = loadAddon();
  const say = (outcome) => addon.call('describeOutcome_', { reason: '', state: '', ...outcome }, 'en', { url: 'https://s.example.com', id: 'X' });
  assert.equal(say({ status: 202 }), 'Recompute queued: the computed tabs refresh in a few seconds.');
  assert.equal(say({ status: 200, state: 'duplicate' }), 'Recompute already queued.');
  assert.equal(say({ status: 200, state: 'ignored' }), 'The server ignored this change (not an input tab).');
  assert.equal(say({ status: 404 }), 'There is no Sales Ops server at https://s.example.com (it answered 404). Check the server URL.');
  assert.equal(say({ status: 413 }), 'The server refused the request as too large (413).');
  assert.equal(say({ status: 400, reason: 'fields' }), 'The server could not read the request (400: fields).');
  assert.equal(say({ status: 503, reason: 'busy' }), 'The server answered 503 (busy). Try again in a minute; if it persists, tell the operator.');
});
