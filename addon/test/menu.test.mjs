// The Sales Ops menu: its items, automatic recompute on and off, Recompute now.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadAddon } from './gas/load.mjs';
import { connection, serverWith, SPREADSHEET_ID, UNREACHABLE_URL } from './helpers.mjs';

const captions = (menu) => menu.items.map((item) => (item.separator ? '---' : `${item.caption} -> ${item.functionName}`));

test('onOpen adds the Sales Ops menu with every item, each naming a function that exists', () => {
  const addon = loadAddon();
  addon.call('onOpen', { authMode: 'LIMITED' });
  const [menu] = addon.ui.menus;
  assert.equal(menu.caption, 'Sales Ops');
  assert.deepEqual(captions(menu), [
    'Set up tabs -> menuSetUpTabs',
    'Recompute now -> menuRecomputeNow',
    '---',
    'Connect to server… -> menuConnect',
    'Turn automatic recompute on -> menuAutomaticOn',
    'Turn automatic recompute off -> menuAutomaticOff',
    '---',
    'Status -> menuStatus'
  ]);
  for (const item of menu.items.filter((i) => !i.separator)) {
    assert.equal(typeof addon.context[item.functionName], 'function', item.functionName);
  }
});

test('the menu is in Chinese for a Chinese spreadsheet, and for a Chinese user before authorisation', () => {
  const addon = loadAddon({ spreadsheet: { locale: 'zh_CN' } });
  addon.call('onOpen', {});
  assert.equal(addon.ui.menus[0].caption, '销售运营');
  assert.equal(addon.ui.menus[0].items[0].caption, '创建输入表');
  const unauthorised = loadAddon({ userLocale: 'zh-CN' });
  unauthorised.google.SpreadsheetApp.getActiveSpreadsheet = () => { throw new Error('Authorization is required to perform that action.'); };
  unauthorised.call('onOpen', { authMode: 'NONE' });
  assert.equal(unauthorised.ui.menus[0].caption, '销售运营');
});

test('an Editor add-on puts its items in the add-on menu', () => {
  const addon = loadAddon();
  addon.context.SALESOPS_EDITOR_ADD_ON = true;
  addon.call('onInstall', {});
  assert.equal(addon.ui.menus[0].caption, '(add-on name)');
  assert.equal(addon.ui.menus[0].items.length, 8);
});

const handlers = (addon) => addon.google.ScriptApp.getProjectTriggers()
  .map((t) => `${t.getHandlerFunction()} ${t.getEventType()} ${t.getTriggerSourceId()}`).sort();

test('turning automatic recompute on installs one edit and one change trigger, never two', () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  assert.equal(addon.call('menuAutomaticOn'), 'on');
  assert.equal(addon.call('menuAutomaticOn'), 'already');
  assert.deepEqual(handlers(addon), [`onSheetChange ON_CHANGE ${SPREADSHEET_ID}`, `onSheetEdit ON_EDIT ${SPREADSHEET_ID}`]);
  assert.deepEqual(addon.spreadsheet.toasts.map((t) => t.msg), [
    'Automatic recompute is on: every edit of an input tab recomputes the reports.',
    'Automatic recompute was already on.'
  ]);
  assert.equal(addon.google.LockService.state.held, false, 'the lock is released');
});

test('a missing trigger is put back alone', () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  addon.call('menuAutomaticOn');
  const change = addon.google.ScriptApp.getProjectTriggers().find((t) => t.getHandlerFunction() === 'onSheetChange');
  addon.google.ScriptApp.deleteTrigger(change);
  assert.equal(addon.call('menuAutomaticOn'), 'on');
  assert.equal(handlers(addon).length, 2);
});

test('while another run holds the lock, nothing is installed and the owner is told to retry', () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  addon.google.LockService.state.heldByOther = true;
  assert.equal(addon.call('menuAutomaticOn'), 'busy');
  assert.deepEqual(handlers(addon), []);
  assert.match(addon.spreadsheet.toasts[0].msg, /busy/);
});

test('turning it off removes this spreadsheet\'s triggers and leaves other spreadsheets\' alone', () => {
  const addon = loadAddon({ properties: connection(UNREACHABLE_URL) });
  addon.google.ScriptApp.newTrigger('onSheetEdit').forSpreadsheet('another-sheet').onEdit().create();
  addon.call('menuAutomaticOn');
  assert.equal(addon.call('menuAutomaticOff'), 2);
  assert.deepEqual(handlers(addon), ['onSheetEdit ON_EDIT another-sheet']);
  assert.match(addon.spreadsheet.toasts.at(-1).msg, /^Automatic recompute is off/);
  assert.equal(addon.call('isAutomaticOn_', addon.spreadsheet), false);
});

test('automatic recompute needs a connection first: it says so and opens the sidebar', () => {
  const addon = loadAddon();
  assert.equal(addon.call('menuAutomaticOn'), 'not_connected');
  assert.deepEqual(handlers(addon), []);
  assert.deepEqual(addon.ui.alerts, ['Connect to the server first: Sales Ops > Connect to server…']);
  assert.equal(addon.ui.sidebars.length, 1);
});

test('Recompute now posts once with no tab and no range, and says it is queued', async () => {
  const server = await serverWith();
  const addon = loadAddon({ properties: connection(server.url) });
  assert.equal(addon.call('menuRecomputeNow').status, 202);
  const [received] = await server.received(addon);
  assert.equal(received.body.sheet, '');
  assert.equal(received.body.range, '');
  assert.deepEqual(addon.spreadsheet.toasts.map((t) => t.msg), ['Recompute queued: the computed tabs refresh in a few seconds.']);
});

test('Connect to server… and Status open the 300 px sidebar on their views', () => {
  const addon = loadAddon();
  addon.call('menuConnect');
  addon.call('menuStatus');
  const [connect, status] = addon.ui.sidebars;
  assert.equal(connect.getTitle(), 'Sales Ops');
  assert.match(connect.getContent(), /<body data-start-view="connect">/);
  assert.match(status.getContent(), /<body data-start-view="status">/);
});
