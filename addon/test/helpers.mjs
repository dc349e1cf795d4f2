// Shared by the tests: start the reference server, read what it received.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./reference_server.mjs', import.meta.url));
export const SECRET = 'a-long-test-secret-0123456789abcdef';
export const SPREADSHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

/** Start the reference server; `t.after` stops it. Returns `{url, received()}`. */
export async function startServer(t, { secret = SECRET, allow = [SPREADSHEET_ID], clockOffset = 0, status = null } = {}) {
  const args = [SERVER, '--secret', secret, '--allow', allow.join(','), '--clock-offset', String(clockOffset)];
  if (status) args.push('--status', JSON.stringify(status));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  let output = '';
  while (!/listening \d+/.test(output)) {
    const [chunk] = await once(child.stdout, 'data');
    output += chunk;
  }
  const url = `http://127.0.0.1:${/listening (\d+)/.exec(output)[1]}`;
  return { url, received: async () => (await fetch(`${url}/_received`)).json() };
}

/** Document properties connecting the add-on to a server. */
export function connection(url, secret = SECRET) {
  return { SALESOPS_SERVER_URL: url, SALESOPS_WEBHOOK_SECRET: secret };
}
