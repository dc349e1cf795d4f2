/**
 * What the add-on says to the owner, in English and Chinese. The spreadsheet's locale picks.
 * Placeholders are written {name}.
 */

var SALESOPS_MESSAGES = {
  en: {
    menuTitle: 'Sales Ops',
    menuSetUp: 'Set up tabs',
    menuRecompute: 'Recompute now',
    menuConnect: 'Connect to server…',
    menuAutomaticOn: 'Turn automatic recompute on',
    menuAutomaticOff: 'Turn automatic recompute off',
    menuStatus: 'Status',
    sidebarTitle: 'Sales Ops',
    notConnected:
      'Sales Ops is not connected to a server. Open Sales Ops > Connect to server… and enter the server URL and secret.',
    unreachable:
      'Could not reach the Sales Ops server at {url}. Check the server URL and that the server is running.',
    badSignature:
      'The server refused the secret. Paste the webhook secret again, exactly as the operator gave it.',
    badClock:
      'The server refused the time: its clock is more than 5 minutes away from Google\'s. Ask the operator to set the server\'s clock right.',
    notAllowed:
      'The server does not allow this spreadsheet. Ask the operator to add {id} to the allowed spreadsheets.',
    notFound:
      'There is no Sales Ops server at {url} (it answered 404). Check the server URL.',
    tooLarge: 'The server refused the request as too large (413).',
    badRequest: 'The server could not read the request (400: {reason}).',
    otherAnswer: 'The server answered {status}{reason}. Try again in a minute; if it persists, tell the operator.',
    connected: 'Connected: the server knows this spreadsheet.',
    queued: 'Recompute queued: the computed tabs refresh in a few seconds.',
    alreadyQueued: 'Recompute already queued.',
    ignored: 'The server ignored this change (not an input tab).',
    refusedToast: 'Sales Ops did not recompute: {message}',
    toastTitle: 'Sales Ops',
    automaticOn: 'Automatic recompute is on: every edit of an input tab recomputes the reports.',
    automaticAlreadyOn: 'Automatic recompute was already on.',
    automaticOff: 'Automatic recompute is off. Use Sales Ops > Recompute now when you need fresh reports.',
    automaticNeedsConnection: 'Connect to the server first: Sales Ops > Connect to server…',
    busy: 'Sales Ops is busy with another request. Try again in a moment.',
    setUpCreated: 'Added the tabs: {tabs}.',
    setUpNothing: 'Every input tab is already here; nothing was changed.',
    setUpKept: 'Left as they are: {tabs}.',
    urlRequired: 'Enter the server URL.',
    urlNotHttps: 'The server URL must start with https://.',
    urlNotAllowed: 'This add-on may only call {prefixes}. Enter a URL that starts with one of them, or ask the operator to rebuild the add-on for your server.',
    secretRequired: 'Enter the webhook secret.',
    saved: 'Saved.'
  },
  'zh-CN': {
    menuTitle: '销售运营',
    menuSetUp: '创建输入表',
    menuRecompute: '立即重新计算',
    menuConnect: '连接服务器…',
    menuAutomaticOn: '开启自动重新计算',
    menuAutomaticOff: '关闭自动重新计算',
    menuStatus: '状态',
    sidebarTitle: '销售运营',
    notConnected: '销售运营尚未连接服务器。请打开 销售运营 > 连接服务器…，填写服务器地址和密钥。',
    unreachable: '无法连接销售运营服务器 {url}。请检查服务器地址，并确认服务器正在运行。',
    badSignature: '服务器拒绝了密钥。请按管理员提供的原样重新粘贴 Webhook 密钥。',
    badClock: '服务器拒绝了时间：服务器时钟与 Google 相差超过 5 分钟。请让管理员校准服务器时钟。',
    notAllowed: '服务器不允许此电子表格。请让管理员把 {id} 加入允许的表格列表。',
    notFound: '{url} 上没有销售运营服务器（返回 404）。请检查服务器地址。',
    tooLarge: '服务器认为请求过大而拒绝（413）。',
    badRequest: '服务器无法读取请求（400：{reason}）。',
    otherAnswer: '服务器返回 {status}{reason}。请稍后重试；如仍失败，请告知管理员。',
    connected: '已连接：服务器认识此电子表格。',
    queued: '已加入重新计算队列：计算表将在几秒内刷新。',
    alreadyQueued: '重新计算已在队列中。',
    ignored: '服务器忽略了此更改（不是输入表）。',
    refusedToast: '销售运营未能重新计算：{message}',
    toastTitle: '销售运营',
    automaticOn: '自动重新计算已开启：每次编辑输入表都会重新计算报表。',
    automaticAlreadyOn: '自动重新计算本来就是开启的。',
    automaticOff: '自动重新计算已关闭。需要最新报表时，请使用 销售运营 > 立即重新计算。',
    automaticNeedsConnection: '请先连接服务器：销售运营 > 连接服务器…',
    busy: '销售运营正在处理另一个请求，请稍后再试。',
    setUpCreated: '已添加：{tabs}。',
    setUpNothing: '所有输入表都已存在，未做任何更改。',
    setUpKept: '保持不变：{tabs}。',
    urlRequired: '请填写服务器地址。',
    urlNotHttps: '服务器地址必须以 https:// 开头。',
    urlNotAllowed: '此插件只能访问 {prefixes}。请填写以其中之一开头的地址，或让管理员为您的服务器重新构建插件。',
    secretRequired: '请填写 Webhook 密钥。',
    saved: '已保存。'
  }
};

/** The add-on's language for a Sheets locale such as `zh_CN` or `en_US`: `zh-CN` or `en`. */
function languageOf_(locale) {
  return /^zh/i.test(String(locale || '')) ? 'zh-CN' : 'en';
}

/** The language of this spreadsheet, or of the user when the spreadsheet cannot be read yet. */
function currentLanguage_(spreadsheet) {
  try {
    var ss = spreadsheet || SpreadsheetApp.getActiveSpreadsheet();
    if (ss) return languageOf_(ss.getSpreadsheetLocale());
  } catch (error) {
    // Before the add-on is authorised (AuthMode.NONE) the spreadsheet cannot be read.
  }
  try {
    return languageOf_(Session.getActiveUserLocale());
  } catch (error) {
    return 'en';
  }
}

/** The message `key` in `language`, with {placeholders} filled from `values`. */
function message_(key, language, values) {
  var table = SALESOPS_MESSAGES[language] || SALESOPS_MESSAGES.en;
  var text = table[key] || SALESOPS_MESSAGES.en[key] || key;
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return values && values[name] !== undefined ? String(values[name]) : whole;
  });
}
