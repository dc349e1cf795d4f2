/**
 * Automatic recompute: the installable edit and change triggers (SPEC section 7).
 * Simple triggers cannot fetch URLs, so the menu installs these in code, one of each per
 * spreadsheet. A handler never throws: a refused or failed post becomes a toast and a note
 * for the sidebar.
 */

var SALESOPS_EDIT_HANDLER = 'onSheetEdit';
var SALESOPS_CHANGE_HANDLER = 'onSheetChange';
// Changes that move data without an edit event: rows, columns or tabs inserted or removed.
// OTHER covers a tab renamed or a range sorted, which also change what the reader finds.
var SALESOPS_STRUCTURAL_CHANGES = [
  'INSERT_ROW', 'REMOVE_ROW', 'INSERT_COLUMN', 'REMOVE_COLUMN', 'INSERT_GRID', 'REMOVE_GRID', 'OTHER'
];

/** The installable edit trigger: post one notice for an edit of an input tab. */
function onSheetEdit(e) {
  try {
    var range = e && e.range;
    if (!range) return null;
    var tab = range.getSheet().getName();
    if (!isInputTabName_(tab)) return null;
    var spreadsheet = (e && e.source) || SpreadsheetApp.getActiveSpreadsheet();
    return notifyServer_(spreadsheet, tab, range.getA1Notation());
  } catch (error) {
    return reportFailure_(e && e.source, '', '', error);
  }
}

/** The installable change trigger: post once for a structural change, never for EDIT. */
function onSheetChange(e) {
  try {
    var changeType = e && e.changeType;
    if (SALESOPS_STRUCTURAL_CHANGES.indexOf(changeType) < 0) return null;
    var spreadsheet = (e && e.source) || SpreadsheetApp.getActiveSpreadsheet();
    return notifyServer_(spreadsheet, '', '');
  } catch (error) {
    return reportFailure_(e && e.source, '', '', error);
  }
}

/**
 * Post one edit notice. On anything but 200/202 show a short toast and remember the refusal.
 * Returns the outcome, with its sentence in `message`.
 */
function notifyServer_(spreadsheet, sheet, range) {
  var language = currentLanguage_(spreadsheet);
  var connection = readConnection_();
  var outcome;
  if (!connection.url || !connection.secret) {
    outcome = { status: 0, state: 'not_connected', reason: '', body: null };
  } else {
    outcome = postEdit_(connection, spreadsheet.getId(), sheet, range);
  }
  outcome.message = describeOutcome_(outcome, language, { url: connection.url, id: spreadsheet.getId() });
  if (!isAccepted_(outcome)) {
    rememberRefusal_(outcome, sheet, range, outcome.message);
    toast_(spreadsheet, message_('refusedToast', language, { message: outcome.message }), language);
  }
  return outcome;
}

/** An unexpected exception inside a trigger: toast and remember it, never rethrow. */
function reportFailure_(spreadsheet, sheet, range, error) {
  var outcome = { status: 0, state: 'error', reason: String((error && error.message) || error), body: null };
  outcome.message = outcome.reason;
  rememberRefusal_(outcome, sheet, range, outcome.message);
  try {
    var ss = spreadsheet || SpreadsheetApp.getActiveSpreadsheet();
    var language = currentLanguage_(ss);
    toast_(ss, message_('refusedToast', language, { message: outcome.message }), language);
  } catch (ignored) {
    // Nothing more can be done without a spreadsheet to show the toast in.
  }
  return outcome;
}

/** A short toast in the spreadsheet; never throws. */
function toast_(spreadsheet, text, language) {
  try {
    spreadsheet.toast(text, message_('toastTitle', language), 10);
  } catch (error) {
    // A toast is a courtesy; the refusal is remembered for the sidebar anyway.
  }
}

/** This spreadsheet's installable Sales Ops triggers of the current user, by handler. */
function salesopsTriggers_(spreadsheet) {
  var id = spreadsheet.getId();
  return ScriptApp.getProjectTriggers().filter(function (trigger) {
    var handler = trigger.getHandlerFunction();
    return (
      (handler === SALESOPS_EDIT_HANDLER || handler === SALESOPS_CHANGE_HANDLER) &&
      trigger.getTriggerSourceId() === id
    );
  });
}

/** True when both triggers are installed for this spreadsheet. */
function isAutomaticOn_(spreadsheet) {
  var handlers = salesopsTriggers_(spreadsheet).map(function (trigger) {
    return trigger.getHandlerFunction();
  });
  return handlers.indexOf(SALESOPS_EDIT_HANDLER) >= 0 && handlers.indexOf(SALESOPS_CHANGE_HANDLER) >= 0;
}

/**
 * Install the edit and change triggers that are missing, under the document lock so two
 * clicks never create two of either. Returns 'on', 'already' or 'busy'.
 */
function turnAutomaticOn_(spreadsheet) {
  var lock = LockService.getDocumentLock();
  if (!lock.tryLock(10000)) return 'busy';
  try {
    var present = salesopsTriggers_(spreadsheet).map(function (trigger) {
      return trigger.getHandlerFunction();
    });
    var created = 0;
    if (present.indexOf(SALESOPS_EDIT_HANDLER) < 0) {
      ScriptApp.newTrigger(SALESOPS_EDIT_HANDLER).forSpreadsheet(spreadsheet).onEdit().create();
      created++;
    }
    if (present.indexOf(SALESOPS_CHANGE_HANDLER) < 0) {
      ScriptApp.newTrigger(SALESOPS_CHANGE_HANDLER).forSpreadsheet(spreadsheet).onChange().create();
      created++;
    }
    return created ? 'on' : 'already';
  } finally {
    lock.releaseLock();
  }
}

/** Remove this spreadsheet's Sales Ops triggers; returns how many were removed. */
function turnAutomaticOff_(spreadsheet) {
  var triggers = salesopsTriggers_(spreadsheet);
  triggers.forEach(function (trigger) {
    ScriptApp.deleteTrigger(trigger);
  });
  return triggers.length;
}
