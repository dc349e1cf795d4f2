/**
 * The sidebar's server side: what Sidebar.html calls through google.script.run.
 * The secret never goes back to the browser; only whether one is saved and its last
 * characters when it is long enough for that to reveal nothing useful.
 */

var SALESOPS_SIDEBAR_VIEWS = ['connect', 'status'];

/** Open the sidebar on one of its views. */
function showSidebar_(view) {
  var language = currentLanguage_(null);
  var page = HtmlService.createHtmlOutputFromFile('Sidebar').getContent();
  var start = SALESOPS_SIDEBAR_VIEWS.indexOf(view) >= 0 ? view : 'connect';
  var output = HtmlService.createHtmlOutput(page.replace('data-start-view="connect"', 'data-start-view="' + start + '"'))
    .setTitle(message_('sidebarTitle', language));
  SpreadsheetApp.getUi().showSidebar(output);
  return output;
}

/** How the saved secret is shown: never in full. */
function secretHint_(secret) {
  if (!secret) return '';
  return secret.length >= 20 ? '…' + secret.slice(-4) : '';
}

/** Everything the sidebar shows on opening. */
function sidebarState() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var connection = readConnection_();
  return {
    language: currentLanguage_(spreadsheet),
    spreadsheetId: spreadsheet.getId(),
    url: connection.url,
    secretSaved: Boolean(connection.secret),
    secretHint: secretHint_(connection.secret),
    allowedPrefixes: SALESOPS_ALLOWED_SERVER_PREFIXES.slice(),
    automatic: isAutomaticOn_(spreadsheet)
  };
}

/**
 * Check a URL and secret from the form; a blank secret keeps the saved one.
 * Returns `{connection}` or `{error}` (a sentence).
 */
function checkConnectionForm_(form, language) {
  var url = String((form && form.url) || '').trim();
  var secret = String((form && form.secret) || '').trim() || readConnection_().secret;
  if (!url) return { error: message_('urlRequired', language) };
  // The prefixes are the manifest's urlFetchWhitelist, https only (build.py refuses others).
  var base = url.replace(/\/*$/, '/');
  var allowed = SALESOPS_ALLOWED_SERVER_PREFIXES.some(function (prefix) {
    return base.toLowerCase().indexOf(prefix.toLowerCase()) === 0;
  });
  if (!allowed && !/^https:\/\//i.test(url)) return { error: message_('urlNotHttps', language) };
  if (!allowed) {
    return { error: message_('urlNotAllowed', language, { prefixes: SALESOPS_ALLOWED_SERVER_PREFIXES.join(', ') }) };
  }
  if (!secret) return { error: message_('secretRequired', language) };
  return { connection: { url: url.replace(/\/+$/, ''), secret: secret } };
}

/** Save the server URL and secret in the document properties. */
function saveConnection(form) {
  var language = currentLanguage_(null);
  var checked = checkConnectionForm_(form, language);
  if (checked.error) return { ok: false, message: checked.error };
  /** @type {Object<string, string>} */
  var values = {};
  values[SALESOPS_URL_PROPERTY] = checked.connection.url;
  values[SALESOPS_SECRET_PROPERTY] = checked.connection.secret;
  PropertiesService.getDocumentProperties().setProperties(values);
  return { ok: true, message: message_('saved', language), state: sidebarState() };
}

/**
 * Test connection: a signed GET /status/<id> with the form's values (or the saved ones).
 * Returns `{ok, kind, message}`; kind is connected, unreachable, signature, clock,
 * forbidden, invalid or answer.
 */
function testConnection(form) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var language = currentLanguage_(spreadsheet);
  var checked = checkConnectionForm_(form || readConnection_(), language);
  if (checked.error) return { ok: false, kind: 'invalid', message: checked.error };
  var outcome = fetchStatus_(checked.connection, spreadsheet.getId());
  var details = { url: checked.connection.url, id: spreadsheet.getId() };
  return { ok: outcome.status === 200, kind: outcomeKind_(outcome), message: describeOutcome_(outcome, language, details) };
}

/** A short name for what an outcome means. */
function outcomeKind_(outcome) {
  if (outcome.status === 0) return outcome.state === 'not_connected' ? 'invalid' : 'unreachable';
  if (outcome.status === 200) return 'connected';
  if (outcome.status === 401) return outcome.reason === 'clock' ? 'clock' : 'signature';
  if (outcome.status === 403) return 'forbidden';
  return 'answer';
}

/** The status view: the server's status of this spreadsheet and the last refused post. */
function statusReport() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var language = currentLanguage_(spreadsheet);
  var connection = readConnection_();
  var report = {
    language: language,
    automatic: isAutomaticOn_(spreadsheet),
    connected: Boolean(connection.url && connection.secret),
    server: null,
    problem: '',
    lastRefusal: lastRefusal_(),
    dataIssuesTab: Boolean(findTabByName_(spreadsheet, 'Data Issues'))
  };
  if (!report.connected) {
    report.problem = message_('notConnected', language);
    return report;
  }
  var outcome = fetchStatus_(connection, spreadsheet.getId());
  if (outcome.status === 200 && outcome.body) {
    report.server = outcome.body;
  } else {
    report.problem = describeOutcome_(outcome, language, { url: connection.url, id: spreadsheet.getId() });
  }
  return report;
}

/** Show the Data Issues tab; false when the spreadsheet has none yet. */
function openDataIssues() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = findTabByName_(spreadsheet, 'Data Issues');
  if (!sheet) return false;
  spreadsheet.setActiveSheet(sheet);
  return true;
}
