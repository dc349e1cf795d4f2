// Stand-ins for Utilities, PropertiesService, ScriptApp, LockService, Session and HtmlService,
// as the Apps Script reference documents them.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CHARSETS = { US_ASCII: 'ascii', UTF_8: 'utf8' };

function toBuffer(value, charset = 'utf8') {
  if (Array.isArray(value)) return Buffer.from(Int8Array.from(value).buffer);
  return Buffer.from(String(value), charset);
}

/** Utilities: HMAC bytes come back as Java bytes, signed -128..127, in a plain array. */
export function makeUtilities() {
  return {
    Charset: { US_ASCII: 'US_ASCII', UTF_8: 'UTF_8' },
    computeHmacSha256Signature(value, key, charset = 'UTF_8') {
      const encoding = CHARSETS[charset];
      if (!encoding) throw new Error('Exception: Invalid argument: charset');
      const digest = createHmac('sha256', toBuffer(key, encoding)).update(toBuffer(value, encoding)).digest();
      return Array.from(new Int8Array(digest.buffer, digest.byteOffset, digest.length));
    },
    getUuid: () => randomUUID(),
    sleep() {}
  };
}

class Properties {
  constructor(store) { this.store = store; }
  getProperty(key) { return this.store.has(key) ? this.store.get(key) : null; }
  getProperties() { return Object.fromEntries(this.store); }
  setProperty(key, value) { this.store.set(String(key), String(value)); return this; }
  setProperties(properties, deleteAllOthers = false) {
    if (deleteAllOthers) this.store.clear();
    for (const [key, value] of Object.entries(properties)) this.store.set(key, String(value));
    return this;
  }
  deleteProperty(key) { this.store.delete(key); return this; }
  deleteAllProperties() { this.store.clear(); return this; }
  getKeys() { return [...this.store.keys()]; }
}

export function makePropertiesService() {
  const stores = { document: new Map(), user: new Map(), script: new Map() };
  return {
    stores,
    getDocumentProperties: () => new Properties(stores.document),
    getUserProperties: () => new Properties(stores.user),
    getScriptProperties: () => new Properties(stores.script)
  };
}

/** ScriptApp: installable triggers of the current user, with Google's 20-per-script limit. */
export function makeScriptApp() {
  const triggers = [];
  let next = 1;
  const EventType = { ON_EDIT: 'ON_EDIT', ON_CHANGE: 'ON_CHANGE', ON_OPEN: 'ON_OPEN', ON_FORM_SUBMIT: 'ON_FORM_SUBMIT', CLOCK: 'CLOCK' };
  const TriggerSource = { SPREADSHEETS: 'SPREADSHEETS', CLOCK: 'CLOCK' };
  function install(handler, sourceId, eventType) {
    if (triggers.length >= 20) {
      throw new Error('Exception: This script has too many triggers. Triggers must be deleted from the script before more can be added.');
    }
    const uid = String(next++);
    const trigger = {
      getHandlerFunction: () => handler,
      getTriggerSourceId: () => sourceId,
      getTriggerSource: () => TriggerSource.SPREADSHEETS,
      getEventType: () => eventType,
      getUniqueId: () => uid
    };
    triggers.push(trigger);
    return trigger;
  }
  return {
    triggers,
    EventType,
    TriggerSource,
    AuthMode: { NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION' },
    newTrigger(functionName) {
      return {
        forSpreadsheet(sheet) {
          const sourceId = typeof sheet === 'string' ? sheet : sheet.getId();
          const builder = (eventType) => ({ create: () => install(functionName, sourceId, eventType) });
          return {
            onEdit: () => builder(EventType.ON_EDIT),
            onChange: () => builder(EventType.ON_CHANGE),
            onOpen: () => builder(EventType.ON_OPEN),
            onFormSubmit: () => builder(EventType.ON_FORM_SUBMIT)
          };
        }
      };
    },
    getProjectTriggers: () => triggers.slice(),
    getUserTriggers: (spreadsheet) => triggers.filter((t) => t.getTriggerSourceId() === spreadsheet.getId()),
    deleteTrigger(trigger) {
      const index = triggers.findIndex((t) => t.getUniqueId() === trigger.getUniqueId());
      if (index >= 0) triggers.splice(index, 1);
    }
  };
}

/** LockService: one document lock; `held` lets a test play another execution holding it. */
export function makeLockService() {
  const state = { held: false, heldByOther: false, taken: 0 };
  const lock = {
    tryLock() {
      if (state.heldByOther) return false;
      state.held = true; state.taken++; return true;
    },
    waitLock(timeout) {
      if (!lock.tryLock(timeout)) throw new Error('Exception: Lock timeout: another process was holding the lock for too long.');
    },
    hasLock: () => state.held,
    releaseLock() { state.held = false; }
  };
  return { state, getDocumentLock: () => lock, getScriptLock: () => lock, getUserLock: () => lock };
}

export function makeSession({ locale = 'en', email = 'owner@example.com', timeZone = 'Etc/UTC' } = {}) {
  return {
    getActiveUserLocale: () => locale,
    getActiveUser: () => ({ getEmail: () => email }),
    getEffectiveUser: () => ({ getEmail: () => email }),
    getScriptTimeZone: () => timeZone
  };
}

class HtmlOutput {
  constructor(content) { Object.assign(this, { content, title: '', width: 300 }); }
  getContent() { return this.content; }
  setContent(content) { this.content = content; return this; }
  append(content) { this.content += content; return this; }
  setTitle(title) { this.title = String(title); return this; }
  getTitle() { return this.title; }
  setWidth(width) { this.width = width; return this; }
  getWidth() { return this.width; }
}

/** HtmlService: files are read from the add-on's folder, `Sidebar` -> Sidebar.html. */
export function makeHtmlService(folder) {
  return {
    createHtmlOutput: (html = '') => new HtmlOutput(String(html)),
    createHtmlOutputFromFile(filename) {
      const name = filename.endsWith('.html') ? filename : `${filename}.html`;
      return new HtmlOutput(readFileSync(join(folder, name), 'utf8'));
    },
    SandboxMode: { IFRAME: 'IFRAME' }
  };
}
