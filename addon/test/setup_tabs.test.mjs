// Set up tabs: the missing input tabs, as `salesops init` makes them; existing tabs untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadAddon } from './gas/load.mjs';

const INPUT_TABS = ['Settings', 'Stages', 'Team', 'Goals', 'Pipeline', 'Customers', 'Orders', 'Commission Plans'];
const values = (sheet, a1) => sheet.getRange(a1).getValues();

test('on a blank spreadsheet every input tab is added, in order, and the owner is told which', () => {
  const addon = loadAddon();
  const result = addon.call('menuSetUpTabs');
  assert.deepEqual([...result.created], INPUT_TABS);
  assert.deepEqual(addon.spreadsheet.getSheets().map((s) => s.getName()), ['Sheet1', ...INPUT_TABS]);
  assert.deepEqual(addon.ui.alerts, [`Added the tabs: ${INPUT_TABS.join(', ')}.`]);
});

test('Pipeline gets its headers in bold with notes, a frozen row, formats, dropdowns and widths', () => {
  const addon = loadAddon();
  addon.call('menuSetUpTabs');
  const pipeline = addon.spreadsheet.getSheetByName('Pipeline');
  assert.deepEqual(values(pipeline, 'A1:M1'), [['Deal ID', 'Deal', 'Customer', 'Owner', 'Stage', 'Amount', 'Created',
    'Expected Close', 'Closed', 'Product', 'Region', 'Source', 'Lost Reason']]);
  assert.equal(pipeline.getMaxColumns(), 13);
  assert.equal(pipeline.getFrozenRows(), 1);
  assert.equal(pipeline.peek(1, 1).fontWeight, 'bold');
  assert.equal(pipeline.peek(1, 1).note, 'A unique code for the deal. Example: D-0001');
  // Amounts in the template's currency, as a local template shows them ($ in English).
  assert.equal(pipeline.peek(2, 6).numberFormat, '"$"#,##0.00;-"$"#,##0.00');
  assert.equal(pipeline.peek(1000, 7).numberFormat, 'yyyy-mm-dd');
  // Deal ID is 10 characters wide: 10 x 7 px + 12 px padding = 82 px, as init sets it.
  assert.equal(pipeline.getColumnWidth(1), 82);
  const stage = pipeline.peek(2, 5).validation;
  assert.equal(stage.getCriteriaType(), 'VALUE_IN_RANGE');
  assert.equal(stage.getCriteriaValues()[0].getSheet().getName(), 'Stages');
  assert.equal(stage.getCriteriaValues()[0].getA1Notation(), 'A2:A1000');
  assert.equal(stage.getAllowInvalid(), true, 'unknown stages become Data Issues, not refusals');
});

test('Stages gets its six default rows and Settings its keys with their defaults and dropdowns', () => {
  const addon = loadAddon();
  addon.call('menuSetUpTabs');
  const stages = addon.spreadsheet.getSheetByName('Stages');
  assert.deepEqual(values(stages, 'A2:D7'), [
    ['Lead', 1, 0.1, 'Open'], ['Qualified', 2, 0.25, 'Open'], ['Proposal', 3, 0.5, 'Open'],
    ['Negotiation', 4, 0.75, 'Open'], ['Won', 5, 1, 'Won'], ['Lost', 6, 0, 'Lost']
  ]);
  assert.equal(stages.peek(2, 3).numberFormat, '0%');
  const type = stages.peek(2, 4).validation;
  assert.deepEqual(type.getCriteriaValues()[0], ['Open', 'Won', 'Lost']);
  assert.equal(type.getAllowInvalid(), false);
  const settings = addon.spreadsheet.getSheetByName('Settings');
  assert.deepEqual(values(settings, 'A2:B3'), [['Currency', 'USD'], ['Period', 'Month']]);
  assert.match(settings.peek(2, 1).note, /ISO currency code/);
  assert.deepEqual(settings.peek(3, 2).validation.getCriteriaValues()[0], ['Month', 'Quarter']);
  assert.equal(settings.peek(2, 2).validation, undefined);
  const team = addon.spreadsheet.getSheetByName('Team');
  assert.equal(team.peek(2, 6).validation.getCriteriaValues()[0].getSheet().getName(), 'Commission Plans');
  assert.deepEqual(team.peek(2, 8).validation.getCriteriaValues()[0], ['Yes', 'No']);
});

test('a Chinese spreadsheet gets Chinese headers, stages, settings, notes and dropdowns', () => {
  const addon = loadAddon({ spreadsheet: { locale: 'zh_CN' } });
  addon.call('menuSetUpTabs');
  const stages = addon.spreadsheet.getSheetByName('Stages');
  assert.deepEqual(values(stages, 'A1:D1'), [['阶段', '顺序', '概率', '类型']]);
  assert.deepEqual(values(stages, 'A2:A7').map((row) => row[0]), ['线索', '初步沟通', '方案报价', '商务谈判', '赢单', '输单']);
  assert.deepEqual(values(stages, 'D2:D7').map((row) => row[0]), ['开放', '开放', '开放', '开放', '赢单', '输单']);
  assert.deepEqual(stages.peek(2, 4).validation.getCriteriaValues()[0], ['开放', '赢单', '输单']);
  assert.match(stages.peek(1, 1).note, /^阶段名称/);
  assert.deepEqual(values(addon.spreadsheet.getSheetByName('Settings'), 'A2:B3'), [['货币', 'CNY'], ['周期', '月']]);
  assert.deepEqual(addon.spreadsheet.getSheetByName('Team').peek(2, 8).validation.getCriteriaValues()[0], ['是', '否']);
  // Amounts in CNY, the currency its Settings start with.
  assert.equal(addon.spreadsheet.getSheetByName('Pipeline').peek(2, 6).numberFormat, '"¥"#,##0.00;-"¥"#,##0.00');
  assert.match(addon.ui.alerts[0], /^已添加：Settings, Stages/);
});

test('a tab that exists, under any case or its Chinese name, is never touched', () => {
  const addon = loadAddon({ spreadsheet: { sheets: [' pipeline ', '团队'] } });
  const pipeline = addon.spreadsheet.getSheetByName(' pipeline ');
  pipeline.getRange('A1:B2').setValues([['My own header', ''], ['D-1', 'kept']]);
  const team = addon.spreadsheet.getSheetByName('团队');
  const result = addon.call('menuSetUpTabs');
  assert.deepEqual([...result.kept], ['团队', ' pipeline ']);
  assert.deepEqual([...result.created], ['Settings', 'Stages', 'Goals', 'Customers', 'Orders', 'Commission Plans']);
  assert.deepEqual(values(pipeline, 'A1:B2'), [['My own header', ''], ['D-1', 'kept']]);
  assert.equal(pipeline.cells.size, 4);
  assert.equal(pipeline.getFrozenRows(), 0);
  assert.equal(team.cells.size, 0);
  assert.match(addon.ui.alerts[0], /Left as they are: 团队,  pipeline \./);
  // Orders' Rep dropdown draws on the Team tab the owner already has, under its Chinese name.
  assert.equal(addon.spreadsheet.getSheetByName('Orders').peek(2, 7).validation.getCriteriaValues()[0].getSheet(), team);
  // Goals' Owner is free text: a rep, a team or Company, as in a local template.
  assert.equal(addon.spreadsheet.getSheetByName('Goals').peek(2, 1).validation, undefined);
});

test('a second run changes nothing', () => {
  const addon = loadAddon();
  addon.call('menuSetUpTabs');
  const before = addon.spreadsheet.getSheets().map((s) => [s.getName(), s.cells.size]);
  const result = addon.call('menuSetUpTabs');
  assert.deepEqual([...result.created], []);
  assert.deepEqual(addon.spreadsheet.getSheets().map((s) => [s.getName(), s.cells.size]), before);
  assert.equal(addon.ui.alerts[1], 'Every input tab is already here; nothing was changed.');
});
