// The command-line runner other test suites use to drive the add-on against a real server.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SECRET, serverWith, SPREADSHEET_ID } from './helpers.mjs';

const RUNNER = fileURLToPath(new URL('./run_edit.mjs', import.meta.url));
const run = (...args) => JSON.parse(execFileSync(process.execPath, [RUNNER, ...args]).toString('utf8'));

test('the runner posts an edit and prints the outcome and the request as JSON', async () => {
  const server = await serverWith();
  const result = run('--url', server.url, '--secret', SECRET, '--spreadsheet', SPREADSHEET_ID, '--tab', 'Pipeline', '--range', 'B2:D9');
  assert.equal(result.outcome.status, 202);
  assert.equal(result.requests.length, 1);
  assert.equal(JSON.parse(result.requests[0].payload).range, 'B2:D9');
  assert.deepEqual(result.toasts, []);
  assert.equal(result.last_refusal, null);
});

test('the runner reports a wrong secret from Test connection and from an edit', async () => {
  const server = await serverWith();
  const common = ['--url', server.url, '--secret', 'wrong-secret-000000000000', '--spreadsheet', SPREADSHEET_ID];
  assert.equal(run(...common, '--test-connection').outcome.kind, 'signature');
  const edit = run(...common, '--change', 'INSERT_ROW');
  assert.equal(edit.outcome.status, 401);
  assert.equal(edit.last_refusal.reason, 'signature');
});

test('the runner refuses missing arguments with a clear message', () => {
  const result = spawnSync(process.execPath, [RUNNER, '--url', 'http://x']);
  assert.equal(result.status, 2);
  assert.match(result.stderr.toString(), /^Error: --secret is required\. Usage: /);
});
