/**
 * The signed transport (SPEC section 7): the only code that calls the Sales Ops server.
 * It reads the connection from the document properties, signs every request with
 * HMAC-SHA256(secret, timestamp + "." + body), and turns every answer, and every failure to
 * get one, into an outcome object; it never throws.
 */

var SALESOPS_URL_PROPERTY = 'SALESOPS_SERVER_URL';
var SALESOPS_SECRET_PROPERTY = 'SALESOPS_WEBHOOK_SECRET';
var SALESOPS_REFUSAL_PROPERTY = 'SALESOPS_LAST_REFUSED_POST';
var SALESOPS_EDIT_PATH = '/hooks/sheets-edit';
var SALESOPS_STATUS_PATH = '/status/';

/** The saved connection: `{url, secret}`, empty strings when not set. */
function readConnection_() {
  var properties = PropertiesService.getDocumentProperties();
  return {
    url: properties.getProperty(SALESOPS_URL_PROPERTY) || '',
    secret: properties.getProperty(SALESOPS_SECRET_PROPERTY) || ''
  };
}

/**
 * Lower-case hex of a byte array. Apps Script's byte arrays hold signed Java bytes
 * (-128..127): `& 0xff` turns -1 into ff instead of "-1".
 */
function bytesToHex_(bytes) {
  var hex = '';
  for (var i = 0; i < bytes.length; i++) {
    var value = bytes[i] & 0xff;
    hex += (value < 16 ? '0' : '') + value.toString(16);
  }
  return hex;
}

/** The `X-Salesops-Signature` value for a timestamp and raw body. */
function signRequest_(secret, timestamp, body) {
  var bytes = Utilities.computeHmacSha256Signature(
    timestamp + '.' + body,
    secret,
    Utilities.Charset.UTF_8
  );
  return 'sha256=' + bytesToHex_(bytes);
}

/**
 * JSON with every non-ASCII character escaped (\uXXXX), so the bytes signed and the bytes
 * sent are the same whatever charset a layer picks (tab names may be Chinese).
 */
function asciiJson_(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, function (character) {
    return '\\u' + ('0000' + character.charCodeAt(0).toString(16)).slice(-4);
  });
}

/** The server's base URL joined with a path, with exactly one slash between them. */
function endpointUrl_(baseUrl, path) {
  return String(baseUrl).replace(/\/+$/, '') + path;
}

/**
 * One signed request. Returns `{status, state, reason, body}`; `status` is 0 when the server
 * could not be reached (UrlFetchApp throws for DNS and connection failures even with
 * muteHttpExceptions), and `state` is the answer's `status` field.
 */
function sendSigned_(connection, method, path, body) {
  var timestamp = String(Math.floor(Date.now() / 1000));
  var options = {
    method: method,
    muteHttpExceptions: true,
    followRedirects: false,
    headers: {
      'X-Salesops-Timestamp': timestamp,
      'X-Salesops-Signature': signRequest_(connection.secret, timestamp, body)
    }
  };
  if (method === 'post') {
    options.contentType = 'application/json';
    options.payload = body;
  }
  var url = endpointUrl_(connection.url, path);
  var response;
  try {
    response = UrlFetchApp.fetch(url, options);
  } catch (error) {
    return { status: 0, state: 'unreachable', reason: String((error && error.message) || error), body: null };
  }
  var answer = null;
  try {
    answer = JSON.parse(response.getContentText());
  } catch (error) {
    answer = null;
  }
  var fields = answer && typeof answer === 'object' ? answer : {};
  return {
    status: response.getResponseCode(),
    state: typeof fields.status === 'string' ? fields.status : '',
    reason: typeof fields.reason === 'string' ? fields.reason : '',
    body: answer
  };
}

/** The JSON body of an edit notice: `sheet` and `range` empty for a change with no one tab. */
function editNotice_(spreadsheetId, sheet, range) {
  return asciiJson_({
    spreadsheet_id: spreadsheetId,
    sheet: sheet,
    range: range,
    event_id: Utilities.getUuid(),
    edited_at: new Date().toISOString()
  });
}

/** POST one edit notice; one UrlFetchApp.fetch whatever the size of the edited range. */
function postEdit_(connection, spreadsheetId, sheet, range) {
  return sendSigned_(connection, 'post', SALESOPS_EDIT_PATH, editNotice_(spreadsheetId, sheet, range));
}

/** GET the server's status of a spreadsheet, signed over an empty body. */
function fetchStatus_(connection, spreadsheetId) {
  return sendSigned_(connection, 'get', SALESOPS_STATUS_PATH + encodeURIComponent(spreadsheetId), '');
}

/** True when the server took the request (200 or 202). */
function isAccepted_(outcome) {
  return outcome.status === 200 || outcome.status === 202;
}

/** A sentence for the owner saying what an outcome means. */
function describeOutcome_(outcome, language, details) {
  var values = {
    url: (details && details.url) || '',
    id: (details && details.id) || '',
    status: outcome.status,
    reason: outcome.reason ? ' (' + outcome.reason + ')' : ''
  };
  if (outcome.status === 0) {
    return message_(outcome.state === 'not_connected' ? 'notConnected' : 'unreachable', language, values);
  }
  if (outcome.status === 202) return message_('queued', language, values);
  if (outcome.status === 200) {
    if (outcome.state === 'duplicate') return message_('alreadyQueued', language, values);
    if (outcome.state === 'ignored') return message_('ignored', language, values);
    return message_('connected', language, values);
  }
  if (outcome.status === 401) {
    return message_(outcome.reason === 'clock' ? 'badClock' : 'badSignature', language, values);
  }
  if (outcome.status === 403) return message_('notAllowed', language, values);
  if (outcome.status === 404) return message_('notFound', language, values);
  if (outcome.status === 413) return message_('tooLarge', language, values);
  if (outcome.status === 400) {
    return message_('badRequest', language, { reason: outcome.reason || 'malformed' });
  }
  return message_('otherAnswer', language, values);
}

/** Remember a refused or failed post for the sidebar's status view. */
function rememberRefusal_(outcome, sheet, range, text) {
  try {
    PropertiesService.getDocumentProperties().setProperty(
      SALESOPS_REFUSAL_PROPERTY,
      JSON.stringify({
        at: new Date().toISOString(),
        status: outcome.status,
        reason: outcome.reason || outcome.state || '',
        sheet: sheet,
        range: range,
        message: text
      })
    );
  } catch (error) {
    // Storing the note is best effort: the toast already told the owner.
  }
}

/** The last refused post, or null. */
function lastRefusal_() {
  var text = PropertiesService.getDocumentProperties().getProperty(SALESOPS_REFUSAL_PROPERTY);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    return null;
  }
}
