/**
 * The Sales Ops menu, added when the spreadsheet opens, and what each item does.
 */

/** Simple trigger: add the menu. Runs in AuthMode.NONE before an add-on is authorised. */
function onOpen(e) {
  var language = currentLanguage_(null);
  var ui = SpreadsheetApp.getUi();
  var menu = SALESOPS_EDITOR_ADD_ON ? ui.createAddonMenu() : ui.createMenu(message_('menuTitle', language));
  menu
    .addItem(message_('menuSetUp', language), 'menuSetUpTabs')
    .addItem(message_('menuRecompute', language), 'menuRecomputeNow')
    .addSeparator()
    .addItem(message_('menuConnect', language), 'menuConnect')
    .addItem(message_('menuAutomaticOn', language), 'menuAutomaticOn')
    .addItem(message_('menuAutomaticOff', language), 'menuAutomaticOff')
    .addSeparator()
    .addItem(message_('menuStatus', language), 'menuStatus')
    .addToUi();
}

/** An Editor add-on installed from the Marketplace: show the menu at once. */
function onInstall(e) {
  onOpen(e);
}

/** Set up tabs: add the missing input tabs, never touching one that exists. */
function menuSetUpTabs() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var language = currentLanguage_(spreadsheet);
  var result = setUpTabs_(spreadsheet);
  var lines = [];
  lines.push(
    result.created.length
      ? message_('setUpCreated', language, { tabs: result.created.join(', ') })
      : message_('setUpNothing', language)
  );
  if (result.created.length && result.kept.length) {
    lines.push(message_('setUpKept', language, { tabs: result.kept.join(', ') }));
  }
  SpreadsheetApp.getUi().alert(lines.join('\n'));
  return result;
}

/** Recompute now: one post with no tab and no range. */
function menuRecomputeNow() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var outcome = notifyServer_(spreadsheet, '', '');
  if (isAccepted_(outcome)) toast_(spreadsheet, outcome.message, currentLanguage_(spreadsheet));
  return outcome;
}

/** Connect to server…: the sidebar's connection view. */
function menuConnect() {
  showSidebar_('connect');
}

/** Status: the sidebar's status view. */
function menuStatus() {
  showSidebar_('status');
}

/** Turn automatic recompute on: install the edit and change triggers once. */
function menuAutomaticOn() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var language = currentLanguage_(spreadsheet);
  var connection = readConnection_();
  if (!connection.url || !connection.secret) {
    SpreadsheetApp.getUi().alert(message_('automaticNeedsConnection', language));
    showSidebar_('connect');
    return 'not_connected';
  }
  var result = turnAutomaticOn_(spreadsheet);
  var key = { on: 'automaticOn', already: 'automaticAlreadyOn', busy: 'busy' }[result];
  toast_(spreadsheet, message_(key, language), language);
  return result;
}

/** Turn automatic recompute off: remove this spreadsheet's triggers. */
function menuAutomaticOff() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var language = currentLanguage_(spreadsheet);
  var removed = turnAutomaticOff_(spreadsheet);
  toast_(spreadsheet, message_('automaticOff', language), language);
  return removed;
}
