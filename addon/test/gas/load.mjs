// Runs the add-on's script files as Apps Script does: every .js file of addon/ in one
// global scope, with Google's services replaced by the stand-ins of this folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

import { makeSpreadsheetApp, Spreadsheet } from './spreadsheet.mjs';
import { makeHtmlService, makeLockService, makePropertiesService, makeScriptApp, makeSession, makeUtilities } from './services.mjs';
import { makeUrlFetchApp } from './urlfetch.mjs';

export const ADDON_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Replace the context's `Date` with one running `offsetSeconds` ahead (or behind, when
 * negative) of this machine's clock: Google's clock, as the add-on reads it, gone wrong.
 */
function skewClock(context, offsetSeconds) {
  const skew = vm.runInContext(`(function (offsetMs) {
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args) { if (args.length === 0) super(RealDate.now() + offsetMs); else super(...args); }
      static now() { return RealDate.now() + offsetMs; }
    }
    return SkewedDate;
  })`, context);
  context.Date = skew(offsetSeconds * 1000);
}

/**
 * A fresh add-on in a fresh spreadsheet. Options: `spreadsheet` (Spreadsheet constructor
 * options), `userLocale`, `properties` (document properties to start with),
 * `allowedPrefixes` (to let the sidebar accept a local test server), `clockOffsetSeconds`
 * (the add-on's clock that far from this machine's).
 */
export function loadAddon(options = {}) {
  const spreadsheet = new Spreadsheet(options.spreadsheet);
  const google = {
    SpreadsheetApp: makeSpreadsheetApp(spreadsheet),
    UrlFetchApp: makeUrlFetchApp(),
    Utilities: makeUtilities(),
    PropertiesService: makePropertiesService(),
    ScriptApp: makeScriptApp(),
    LockService: makeLockService(),
    Session: makeSession({ locale: options.userLocale || 'en' }),
    HtmlService: makeHtmlService(ADDON_DIR)
  };
  const context = vm.createContext({ ...google, console });
  if (options.clockOffsetSeconds) skewClock(context, options.clockOffsetSeconds);
  for (const file of readdirSync(ADDON_DIR).filter((name) => name.endsWith('.js')).sort()) {
    vm.runInContext(readFileSync(join(ADDON_DIR, file), 'utf8'), context, { filename: file });
  }
  for (const [key, value] of Object.entries(options.properties || {})) {
    google.PropertiesService.stores.document.set(key, String(value));
  }
  if (options.allowedPrefixes) context.SALESOPS_ALLOWED_SERVER_PREFIXES = options.allowedPrefixes;
  return {
    context,
    google,
    spreadsheet,
    ui: google.SpreadsheetApp.ui,
    properties: google.PropertiesService.stores.document,
    fetches: google.UrlFetchApp.calls,
    /** Call a global function of the add-on, as a trigger or google.script.run does. */
    call: (name, ...args) => context[name](...args),
    /** An edit event as the installable edit trigger passes it. */
    editEvent(tab, a1, extra = {}) {
      const sheet = spreadsheet.getSheetByName(tab) || spreadsheet.insertSheet(tab);
      return { authMode: 'FULL', range: sheet.getRange(a1), source: spreadsheet, triggerUid: '1', user: { getEmail: () => 'owner@example.com' }, ...extra };
    },
    /**
     * A change event as the installable change trigger passes it: Google documents authMode,
     * changeType, triggerUid and user, and no `source`.
     */
    changeEvent(changeType) {
      return { authMode: 'FULL', changeType, triggerUid: '2', user: { getEmail: () => 'owner@example.com' } };
    }
  };
}
