#!/usr/bin/env node
// Runs the add-on's own trigger code under the Apps Script stand-ins against any server and
// prints the outcome as JSON, so a test in another language can drive it:
//
//   node addon/test/run_edit.mjs --url URL --secret SECRET --spreadsheet ID --tab TAB --range A1
//   node addon/test/run_edit.mjs ... --change INSERT_ROW      (onSheetChange instead)
//   node addon/test/run_edit.mjs ... --recompute              (the menu's Recompute now)
//   node addon/test/run_edit.mjs ... --test-connection        (the sidebar's Test connection)
//   node addon/test/run_edit.mjs ... --status                 (the sidebar's status view)
//   ... --clock-offset SECONDS    the add-on's clock that far ahead of (or, negative, behind) this machine's
//
// Prints {"outcome", "requests": [{url, method, headers, payload}], "toasts", "last_refusal"};
// exits 0 whatever the server answered (the outcome says it), 2 on bad arguments.
import { parseArgs } from 'node:util';

import { loadAddon } from './gas/load.mjs';

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      url: { type: 'string' },
      secret: { type: 'string' },
      spreadsheet: { type: 'string' },
      tab: { type: 'string', default: 'Pipeline' },
      range: { type: 'string', default: 'A2' },
      locale: { type: 'string', default: 'en_US' },
      change: { type: 'string' },
      recompute: { type: 'boolean', default: false },
      'test-connection': { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
      'clock-offset': { type: 'string', default: '0' }
    }
  }));
  if (!Number.isFinite(Number(options['clock-offset']))) throw new Error('--clock-offset takes a number of seconds');
  for (const required of ['url', 'secret', 'spreadsheet']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
} catch (error) {
  process.stderr.write(`Error: ${error.message}. Usage: run_edit.mjs --url URL --secret SECRET --spreadsheet ID [--tab TAB --range A1 | --change TYPE | --recompute | --test-connection | --status] [--clock-offset SECONDS]\n`);
  process.exit(2);
}

const addon = loadAddon({
  spreadsheet: { id: options.spreadsheet, locale: options.locale, sheets: [options.tab] },
  properties: { SALESOPS_SERVER_URL: options.url, SALESOPS_WEBHOOK_SECRET: options.secret },
  // The stand-in is not Google: let the sidebar's check accept the server under test.
  allowedPrefixes: [options.url.replace(/\/*$/, '/')],
  clockOffsetSeconds: Number(options['clock-offset'])
});

let outcome;
if (options['test-connection']) {
  outcome = addon.call('testConnection', { url: options.url, secret: options.secret });
} else if (options.status) {
  outcome = addon.call('statusReport');
} else if (options.recompute) {
  outcome = addon.call('menuRecomputeNow');
} else if (options.change) {
  outcome = addon.call('onSheetChange', addon.changeEvent(options.change));
} else {
  outcome = addon.call('onSheetEdit', addon.editEvent(options.tab, options.range));
}

const refusal = addon.properties.get('SALESOPS_LAST_REFUSED_POST');
process.stdout.write(JSON.stringify({
  outcome: outcome ?? null,
  requests: addon.fetches.map(({ url, method, headers, payload }) => ({ url, method, headers, payload })),
  toasts: addon.spreadsheet.toasts.map((t) => t.msg),
  last_refusal: refusal ? JSON.parse(refusal) : null
}, null, 2) + '\n');
