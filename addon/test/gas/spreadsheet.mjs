// Stand-in for SpreadsheetApp: a spreadsheet of sheets of cells, its Ui, data validation.
// Behaves as https://developers.google.com/apps-script/reference/spreadsheet documents the
// calls the add-on makes, including the errors Google raises for misuse.

export function columnLetter(column) {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function parseA1(a1) {
  const cell = (text) => {
    const match = /^([A-Z]+)(\d+)$/.exec(text);
    if (!match) throw new Error(`Exception: Range not found`);
    let column = 0;
    for (const letter of match[1]) column = column * 26 + letter.charCodeAt(0) - 64;
    return [Number(match[2]), column];
  };
  const [first, last = first] = a1.toUpperCase().split(':');
  const [row, column] = cell(first);
  const [lastRow, lastColumn] = cell(last);
  return [row, column, lastRow - row + 1, lastColumn - column + 1];
}

export class Range {
  constructor(sheet, row, column, numRows, numColumns) {
    if (row < 1 || column < 1 || numRows < 1 || numColumns < 1) {
      throw new Error('Exception: The coordinates of the range are outside the dimensions of the sheet.');
    }
    Object.assign(this, { sheet, row, column, numRows, numColumns });
  }
  getSheet() { return this.sheet; }
  getRow() { return this.row; }
  getColumn() { return this.column; }
  getNumRows() { return this.numRows; }
  getNumColumns() { return this.numColumns; }
  getA1Notation() {
    const start = columnLetter(this.column) + this.row;
    if (this.numRows === 1 && this.numColumns === 1) return start;
    return `${start}:${columnLetter(this.column + this.numColumns - 1)}${this.row + this.numRows - 1}`;
  }
  #each(grid, write) {
    if (grid.length !== this.numRows) {
      throw new Error(`Exception: The number of rows in the data does not match the number of rows in the range. The data has ${grid.length} but the range has ${this.numRows}.`);
    }
    grid.forEach((line, r) => {
      if (line.length !== this.numColumns) {
        throw new Error(`Exception: The number of columns in the data does not match the number of columns in the range. The data has ${line.length} but the range has ${this.numColumns}.`);
      }
      line.forEach((value, c) => write(this.sheet.cell(this.row + r, this.column + c), value));
    });
    return this;
  }
  #all(write) {
    for (let r = 0; r < this.numRows; r++) {
      for (let c = 0; c < this.numColumns; c++) write(this.sheet.cell(this.row + r, this.column + c));
    }
    return this;
  }
  setValues(values) { return this.#each(values, (cell, value) => { cell.value = value; }); }
  setValue(value) { return this.#all((cell) => { cell.value = value; }); }
  getValues() {
    return Array.from({ length: this.numRows }, (_, r) => Array.from({ length: this.numColumns },
      (_, c) => this.sheet.peek(this.row + r, this.column + c).value ?? ''));
  }
  setNotes(notes) { return this.#each(notes, (cell, note) => { cell.note = note; }); }
  setFontWeight(weight) { return this.#all((cell) => { cell.fontWeight = weight; }); }
  setNumberFormat(format) { return this.#all((cell) => { cell.numberFormat = format; }); }
  setDataValidation(rule) { return this.#all((cell) => { cell.validation = rule; }); }
}

export class Sheet {
  constructor(spreadsheet, name, sheetId) {
    Object.assign(this, { spreadsheet, name, sheetId, cells: new Map(), frozenRows: 0,
      maxRows: 1000, maxColumns: 26, widths: new Map() });
  }
  getName() { return this.name; }
  getSheetId() { return this.sheetId; }
  getParent() { return this.spreadsheet; }
  getMaxRows() { return this.maxRows; }
  getMaxColumns() { return this.maxColumns; }
  cell(row, column) {
    if (row > this.maxRows || column > this.maxColumns) {
      throw new Error('Exception: The coordinates of the range are outside the dimensions of the sheet.');
    }
    const key = `${row},${column}`;
    if (!this.cells.has(key)) this.cells.set(key, {});
    return this.cells.get(key);
  }
  peek(row, column) { return this.cells.get(`${row},${column}`) || {}; }
  getRange(rowOrA1, column, numRows = 1, numColumns = 1) {
    if (typeof rowOrA1 === 'string') return new Range(this, ...parseA1(rowOrA1));
    return new Range(this, rowOrA1, column, numRows, numColumns);
  }
  setFrozenRows(rows) { this.frozenRows = rows; return this; }
  getFrozenRows() { return this.frozenRows; }
  setColumnWidth(column, pixels) { this.widths.set(column, pixels); return this; }
  getColumnWidth(column) { return this.widths.get(column) ?? 100; }
  deleteColumns(start, count) {
    if (count >= this.maxColumns) throw new Error('Exception: You can\'t delete all the columns on the sheet.');
    this.maxColumns -= count;
    return this;
  }
  insertRowsAfter(after, count) { this.maxRows += count; return this; }
}

export class Spreadsheet {
  constructor({ id = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', name = 'Sales', locale = 'en_US', sheets = ['Sheet1'] } = {}) {
    Object.assign(this, { id, name, locale, sheets: [], toasts: [], nextSheetId: 0 });
    sheets.forEach((title) => this.insertSheet(title));
    this.active = this.sheets[0] || null;
  }
  getId() { return this.id; }
  getName() { return this.name; }
  getUrl() { return `https://docs.google.com/spreadsheets/d/${this.id}/edit`; }
  getSpreadsheetLocale() { return this.locale; }
  getSheets() { return this.sheets.slice(); }
  getNumSheets() { return this.sheets.length; }
  getSheetByName(name) { return this.sheets.find((sheet) => sheet.name === name) || null; }
  insertSheet(name, index = this.sheets.length) {
    if (this.sheets.some((sheet) => sheet.name.toLowerCase() === String(name).toLowerCase())) {
      throw new Error(`Exception: A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new Sheet(this, String(name), this.nextSheetId++ === 0 ? 0 : 100000 + this.nextSheetId);
    this.sheets.splice(index, 0, sheet);
    this.active = sheet;
    return sheet;
  }
  getActiveSheet() { return this.active; }
  setActiveSheet(sheet) { this.active = sheet; return sheet; }
  toast(msg, title = '', timeoutSeconds = 5) { this.toasts.push({ msg: String(msg), title, timeoutSeconds }); }
}

class Menu {
  constructor(ui, caption) { Object.assign(this, { ui, caption, items: [] }); }
  addItem(caption, functionName) { this.items.push({ caption, functionName }); return this; }
  addSeparator() { this.items.push({ separator: true }); return this; }
  addSubMenu(menu) { this.items.push({ submenu: menu }); return this; }
  addToUi() { this.ui.menus.push(this); }
}

class Ui {
  constructor() { Object.assign(this, { menus: [], sidebars: [], alerts: [] }); }
  createMenu(caption) { return new Menu(this, caption); }
  createAddonMenu() { return new Menu(this, '(add-on name)'); }
  showSidebar(userInterface) { this.sidebars.push(userInterface); }
  alert(prompt) { this.alerts.push(String(prompt)); return 'OK'; }
}

class DataValidation {
  constructor(criteria, values, allowInvalid) { Object.assign(this, { criteria, values, allowInvalid }); }
  getCriteriaType() { return this.criteria; }
  getCriteriaValues() { return this.values; }
  getAllowInvalid() { return this.allowInvalid; }
}

class DataValidationBuilder {
  constructor() { Object.assign(this, { criteria: null, values: [], allowInvalid: true }); }
  requireValueInList(values, showDropdown = true) {
    this.criteria = 'VALUE_IN_LIST'; this.values = [Array.from(values), showDropdown]; return this;
  }
  requireValueInRange(range, showDropdown = true) {
    if (!(range instanceof Range)) throw new Error('Exception: Invalid argument: range');
    this.criteria = 'VALUE_IN_RANGE'; this.values = [range, showDropdown]; return this;
  }
  setAllowInvalid(allowInvalid) { this.allowInvalid = Boolean(allowInvalid); return this; }
  build() {
    if (!this.criteria) throw new Error('Exception: The data validation rule has no criteria.');
    return new DataValidation(this.criteria, this.values, this.allowInvalid);
  }
}

export function makeSpreadsheetApp(spreadsheet) {
  const ui = new Ui();
  return {
    ui,
    getActive: () => spreadsheet,
    getActiveSpreadsheet: () => spreadsheet,
    getUi: () => ui,
    newDataValidation: () => new DataValidationBuilder(),
    flush: () => {}
  };
}
