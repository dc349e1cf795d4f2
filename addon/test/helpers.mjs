// Shared by the tests: reference servers (one per set of options, started once per test
// file and stopped when it exits) and what they received from one add-on.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./reference_server.mjs', import.meta.url));
export const SECRET = 'a-long-test-secret-0123456789abcdef';
export const SPREADSHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
// A port nothing listens on: the discard port, closed on test machines.
export const UNREACHABLE_URL = 'http://127.0.0.1:9';

const servers = new Map();
const children = [];
process.on('exit', () => children.forEach((child) => child.kill()));

async function start({ secret = SECRET, allow = [SPREADSHEET_ID], clockOffset = 0, status = null }) {
  const args = [SERVER, `--secret=${secret}`, `--allow=${allow.join(',')}`, `--clock-offset=${clockOffset}`];
  if (status) args.push(`--status=${JSON.stringify(status)}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout.setEncoding('utf8');
  let output = '';
  while (!/listening \d+/.test(output)) {
    const [chunk] = await once(child.stdout, 'data');
    output += chunk;
  }
  const url = `http://127.0.0.1:${/listening (\d+)/.exec(output)[1]}`;
  // Let the test process end on its own; its exit handler stops the server.
  child.stdout.destroy();
  child.unref();
  return {
    url,
    /** What this server queued from `addon`'s requests, in order. */
    async received(addon) {
      const ids = addon.fetches.filter((f) => f.payload).map((f) => JSON.parse(f.payload).event_id);
      const all = await (await fetch(`${url}/_received`)).json();
      return all.filter((entry) => ids.includes(entry.body.event_id));
    }
  };
}

/** The reference server for these options, started on first use. */
export function serverWith(options = {}) {
  const key = JSON.stringify(options);
  if (!servers.has(key)) servers.set(key, start(options));
  return servers.get(key);
}

/** Document properties connecting the add-on to a server. */
export function connection(url, secret = SECRET) {
  return { SALESOPS_SERVER_URL: url, SALESOPS_WEBHOOK_SECRET: secret };
}
