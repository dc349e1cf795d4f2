// Stand-in for UrlFetchApp that makes the real HTTP request, synchronously (through a child
// process), so the add-on's code can call a real server. Follows Google's documented
// behaviour: `payload` with `contentType` (default application/x-www-form-urlencoded),
// `muteHttpExceptions` (else a code >= 400 throws), an exception when the address cannot be
// reached, and `followRedirects` (default true).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./http_child.mjs', import.meta.url));

class HTTPResponse {
  constructor(answer) { this.answer = answer; }
  getResponseCode() { return this.answer.status; }
  getContentText() { return Buffer.from(this.answer.body, 'base64').toString('utf8'); }
  getHeaders() { return { ...this.answer.headers }; }
  getAllHeaders() { return { ...this.answer.headers }; }
}

export function makeUrlFetchApp({ timeoutMs = 30000 } = {}) {
  const calls = [];
  return {
    calls,
    fetch(url, params = {}) {
      const method = String(params.method || 'get').toUpperCase();
      const headers = { ...(params.headers || {}) };
      let body = null;
      if (params.payload !== undefined && method !== 'GET') {
        headers['Content-Type'] = params.contentType || 'application/x-www-form-urlencoded';
        body = Buffer.from(String(params.payload), 'utf8').toString('base64');
      }
      const request = { url: String(url), method, headers, body, followRedirects: params.followRedirects !== false, timeoutMs };
      calls.push({ url: request.url, method, headers, payload: params.payload ?? null, params });
      const answer = JSON.parse(execFileSync(process.execPath, [CHILD], { input: JSON.stringify(request) }).toString('utf8'));
      if (answer.error) throw new Error(`Exception: Address unavailable: ${url}`);
      const response = new HTTPResponse(answer);
      if (answer.status >= 400 && !params.muteHttpExceptions) {
        throw new Error(`Exception: Request failed for ${url} returned code ${answer.status}. Truncated server response: ${response.getContentText().slice(0, 200)}`);
      }
      return response;
    }
  };
}
