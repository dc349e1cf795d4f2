/**
 * The tabs: recognising them as the reader does (case and surrounding spaces ignored, the
 * English or the Chinese name) and "Set up tabs", which adds the missing input tabs from
 * SALESOPS_TEMPLATES (generated from sheet_templates/ by build.py) and never touches a tab
 * that exists.
 */

/** The comparison key of a tab name: surrounding spaces and case ignored. */
function tabKey_(name) {
  return String(name == null ? '' : name).trim().toLowerCase();
}

/** True when a template tab (`{tab, zh}`) is the tab called `name` in the spreadsheet. */
function isTemplateTab_(template, name) {
  var key = tabKey_(name);
  return key === tabKey_(template.tab) || key === tabKey_(template.zh);
}

/** True when `name` is an input tab (SPEC section 3), in English or Chinese. */
function isInputTabName_(name) {
  return SALESOPS_TEMPLATES.inputTabs.some(function (template) {
    return isTemplateTab_(template, name);
  });
}

/** The sheet holding a template tab, or null. */
function findTemplateSheet_(spreadsheet, template) {
  var sheets = spreadsheet.getSheets();
  for (var i = 0; i < sheets.length; i++) {
    if (isTemplateTab_(template, sheets[i].getName())) return sheets[i];
  }
  return null;
}

/** The sheet of the template tab named `name` (input or computed), or null. */
function findTabByName_(spreadsheet, name) {
  /** @type {Array<{tab: string, zh: string}>} */
  var all = [];
  SALESOPS_TEMPLATES.inputTabs.forEach(function (template) { all.push(template); });
  SALESOPS_TEMPLATES.computedTabs.forEach(function (template) { all.push(template); });
  for (var i = 0; i < all.length; i++) {
    if (all[i].tab === name) return findTemplateSheet_(spreadsheet, all[i]);
  }
  return null;
}

/**
 * Add the missing input tabs with the headers, notes, default rows, number formats,
 * dropdowns and widths `salesops init` gives them. Returns `{created, kept}` (tab names).
 */
function setUpTabs_(spreadsheet) {
  var language = currentLanguage_(spreadsheet);
  var created = [];
  var kept = [];
  var added = [];
  SALESOPS_TEMPLATES.inputTabs.forEach(function (template) {
    var existing = findTemplateSheet_(spreadsheet, template);
    if (existing) {
      kept.push(existing.getName());
      return;
    }
    var sheet = spreadsheet.insertSheet(template.tab, spreadsheet.getSheets().length);
    created.push(template.tab);
    added.push({ template: template, sheet: sheet });
  });
  // Dropdowns may draw on a tab added later in the loop (Team -> Commission Plans), so they
  // are set once every tab exists.
  added.forEach(function (item) {
    fillTemplateTab_(spreadsheet, item.sheet, item.template, language);
  });
  return { created: created, kept: kept };
}

/** Headers, notes, default rows, formats, dropdowns and widths of one new tab. */
function fillTemplateTab_(spreadsheet, sheet, template, language) {
  var width = template.columns.length;
  var rowCount = SALESOPS_TEMPLATES.rows;
  if (sheet.getMaxColumns() > width) sheet.deleteColumns(width + 1, sheet.getMaxColumns() - width);
  if (sheet.getMaxRows() < rowCount) sheet.insertRowsAfter(sheet.getMaxRows(), rowCount - sheet.getMaxRows());
  var headers = template.columns.map(function (column) {
    return language === 'zh-CN' ? column.zh : column.header;
  });
  var notes = template.columns.map(function (column) {
    return language === 'zh-CN' && column.zhNote ? column.zhNote : column.note;
  });
  sheet.getRange(1, 1, 1, width).setValues([headers]).setFontWeight('bold').setNotes([notes]);
  sheet.setFrozenRows(1);
  var rows = template.rows[language] || template.rows.en;
  if (rows.length) {
    sheet.getRange(2, 1, rows.length, width).setValues(rows);
    var rowNotes = language === 'zh-CN' ? template.zhRowNotes : template.rowNotes;
    if (rowNotes.length) sheet.getRange(2, 1, rows.length, width).setNotes(rowNotes);
  }
  template.columns.forEach(function (column, index) {
    var cells = sheet.getRange(2, index + 1, rowCount - 1, 1);
    var zh = language === 'zh-CN';
    var numberFormat = zh && column.zhNumberFormat ? column.zhNumberFormat : column.numberFormat;
    if (numberFormat) cells.setNumberFormat(numberFormat);
    var rule = dropdownRule_(spreadsheet, column.dropdown, language);
    if (rule) cells.setDataValidation(rule);
    sheet.setColumnWidth(index + 1, zh && column.zhWidth ? column.zhWidth : column.width);
  });
  template.cellDropdowns.forEach(function (dropdown) {
    var rule = dropdownRule_(spreadsheet, dropdown, language);
    if (rule) sheet.getRange(dropdown.row, dropdown.column).setDataValidation(rule);
  });
}

/** A data-validation rule: a list of choices, or the cells of another tab's column. */
function dropdownRule_(spreadsheet, dropdown, language) {
  if (!dropdown) return null;
  var builder = SpreadsheetApp.newDataValidation().setAllowInvalid(!dropdown.strict);
  if (dropdown.list) {
    return builder.requireValueInList(dropdown.list[language] || dropdown.list.en, true).build();
  }
  var source = findTabByName_(spreadsheet, dropdown.sourceTab);
  if (!source) return null;
  var range = source.getRange(2, dropdown.sourceColumn, Math.max(source.getMaxRows() - 1, 1), 1);
  return builder.requireValueInRange(range, true).build();
}
