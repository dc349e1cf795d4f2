// The stand-ins behave as Google documents the calls the add-on makes, errors included.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import vm from 'node:vm';

import { loadAddon } from './gas/load.mjs';
import { makeScriptApp, makeUtilities } from './gas/services.mjs';
import { Spreadsheet } from './gas/spreadsheet.mjs';
import { makeUrlFetchApp } from './gas/urlfetch.mjs';
import { serverWith, UNREACHABLE_URL } from './helpers.mjs';

test('computeHmacSha256Signature returns 32 signed bytes equal to the digest', () => {
  const bytes = makeUtilities().computeHmacSha256Signature('1700000000.{}', 'key');
  const digest = createHmac('sha256', 'key').update('1700000000.{}').digest();
  assert.deepEqual(bytes.map((b) => b & 0xff), [...digest]);
  assert.ok(bytes.every((b) => Number.isInteger(b) && b >= -128 && b <= 127));
});

test('ranges name themselves in A1 and refuse data of the wrong shape', () => {
  const sheet = new Spreadsheet({ sheets: ['Pipeline'] }).getSheetByName('Pipeline');
  assert.equal(sheet.getRange('F5').getA1Notation(), 'F5');
  assert.equal(sheet.getRange(2, 1, 1000, 5).getA1Notation(), 'A2:E1001');
  assert.throws(() => sheet.getRange('A1:B2').setValues([[1, 2]]), /number of rows in the data does not match/);
  assert.throws(() => sheet.getRange(1, 27).setValue('x'), /outside the dimensions of the sheet/);
});

test('a second tab of the same name, in any case, is refused', () => {
  const spreadsheet = new Spreadsheet({ sheets: ['Pipeline'] });
  assert.throws(() => spreadsheet.insertSheet('PIPELINE'), /A sheet with the name "PIPELINE" already exists/);
});

test('UrlFetchApp throws for an HTTP error unless muteHttpExceptions, and when nothing answers', async () => {
  const server = await serverWith();
  const fetcher = makeUrlFetchApp();
  assert.throws(() => fetcher.fetch(`${server.url}/status/x`), /returned code 401/);
  assert.equal(fetcher.fetch(`${server.url}/status/x`, { muteHttpExceptions: true }).getResponseCode(), 401);
  assert.throws(() => fetcher.fetch(UNREACHABLE_URL, { muteHttpExceptions: true }), /Address unavailable/);
});

test('triggers are listed per project and user, and deleted one by one', () => {
  const scriptApp = makeScriptApp();
  const edit = scriptApp.newTrigger('onSheetEdit').forSpreadsheet('a').onEdit().create();
  scriptApp.newTrigger('onSheetChange').forSpreadsheet('a').onChange().create();
  assert.equal(scriptApp.getProjectTriggers().length, 2);
  scriptApp.deleteTrigger(edit);
  assert.deepEqual(scriptApp.getProjectTriggers().map((t) => t.getHandlerFunction()), ['onSheetChange']);
});

test('a skewed clock moves the add-on\'s now, and leaves dates it builds from a value alone', () => {
  const addon = loadAddon({ clockOffsetSeconds: -900 });
  const now = addon.context.Date.now();
  // 900 s behind this machine: give the two reads of the clock a minute between them.
  assert.ok(Math.abs(Date.now() - 900000 - now) < 60000);
  assert.ok(Math.abs(new addon.context.Date().getTime() - now) < 60000);
  assert.equal(new addon.context.Date(0).toISOString(), '1970-01-01T00:00:00.000Z');
  assert.ok(new addon.context.Date() instanceof addon.context.Date);
  const timestamp = Number(vm.runInContext('String(Math.floor(Date.now() / 1000))', addon.context));
  assert.ok(Math.abs(Date.now() / 1000 - 900 - timestamp) < 60);
});
