// A small server that answers as SPEC section 7 says (signature and clock, 413/401/400/403,
// duplicates, ignored tabs, 202 queued, signed GET /status/<id>), checking every signature
// with Node's own crypto. The add-on's tests post to it over real HTTP; it is not the product's
// server, which its own tests cover.
//   node reference_server.mjs --secret S --allow ID[,ID] [--clock-offset SECONDS] [--status JSON]
// Prints "listening <port>"; GET /_received lists what arrived.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import vm from 'node:vm';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    secret: { type: 'string' },
    allow: { type: 'string', default: '' },
    'clock-offset': { type: 'string', default: '0' },
    status: { type: 'string', default: '' }
  }
});
const secret = args.secret;
const allowed = new Set(args.allow.split(',').filter(Boolean));
const clockOffset = Number(args['clock-offset']);
const templates = vm.runInNewContext(
  readFileSync(new URL('../Templates.js', import.meta.url), 'utf8') + ';SALESOPS_TEMPLATES'
);
const inputKeys = new Set(templates.inputTabs.flatMap((t) => [t.tab, t.zh]).map((n) => n.trim().toLowerCase()));
const received = [];
const seen = new Set();

function verify(headers, raw) {
  const timestamp = headers['x-salesops-timestamp'] || '';
  const given = String(headers['x-salesops-signature'] || '');
  const expected = 'sha256=' + createHmac('sha256', secret).update(Buffer.concat([Buffer.from(timestamp + '.'), raw])).digest('hex');
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return 'signature';
  const now = Math.floor(Date.now() / 1000) + clockOffset;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 300) return 'clock';
  return null;
}

function answer(response, status, body) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function handleEdit(request, raw, response) {
  if (raw.length > 64 * 1024) return answer(response, 413, { status: 'rejected', reason: 'too large' });
  const failure = verify(request.headers, raw);
  if (failure) return answer(response, 401, { status: 'rejected', reason: failure });
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return answer(response, 400, { status: 'rejected', reason: 'malformed JSON' });
  }
  const fields = ['spreadsheet_id', 'sheet', 'range', 'event_id', 'edited_at'];
  if (!body || fields.some((f) => typeof body[f] !== 'string') || !body.spreadsheet_id || !body.event_id || Number.isNaN(Date.parse(body.edited_at))) {
    return answer(response, 400, { status: 'rejected', reason: 'fields' });
  }
  if (!allowed.has(body.spreadsheet_id)) return answer(response, 403, { status: 'rejected', reason: 'spreadsheet not allowed' });
  if (seen.has(body.event_id)) return answer(response, 200, { status: 'duplicate', reason: 'already queued' });
  seen.add(body.event_id);
  if (body.sheet && !inputKeys.has(body.sheet.trim().toLowerCase())) return answer(response, 200, { status: 'ignored', reason: 'not an input tab' });
  received.push({ body, raw: raw.toString('utf8'), headers: request.headers });
  return answer(response, 202, { status: 'queued', reason: '' });
}

function handleStatus(request, id, response) {
  const failure = verify(request.headers, Buffer.alloc(0));
  if (failure) return answer(response, 401, { status: 'rejected', reason: failure });
  if (!allowed.has(id)) return answer(response, 403, { status: 'rejected', reason: 'spreadsheet not allowed' });
  const status = args.status ? JSON.parse(args.status) : { state: 'idle', last_sync: null, last_error: null };
  return answer(response, 200, { spreadsheet_id: id, ...status });
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url, 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/hooks/sheets-edit') return handleEdit(request, raw, response);
    if (request.method === 'GET' && url.pathname.startsWith('/status/')) {
      return handleStatus(request, decodeURIComponent(url.pathname.slice('/status/'.length)), response);
    }
    if (request.method === 'GET' && url.pathname === '/_received') return answer(response, 200, received);
    return answer(response, 404, { status: 'not found', reason: '' });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
