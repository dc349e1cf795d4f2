// Stand-in for UrlFetchApp that makes the real HTTP request, synchronously (a worker thread
// fetches while this thread waits), so the add-on's code can call a real server. Follows Google's documented
// behaviour: `payload` with `contentType` (default application/x-www-form-urlencoded),
// `muteHttpExceptions` (else a code >= 400 throws), an exception when the address cannot be
// reached, and `followRedirects` (default true).
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

let worker = null;

/** Send one request to the worker and block until it answers, as UrlFetchApp.fetch does. */
function fetchSync(request) {
  if (!worker) {
    worker = new Worker(new URL('./http_worker.mjs', import.meta.url));
    worker.unref();
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ request, flag, port: port2 }, [port2]);
  Atomics.wait(flag, 0, 0, request.timeoutMs + 5000);
  const message = receiveMessageOnPort(port1);
  port1.close();
  return message ? message.message : { error: 'timeout' };
}

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
      const answer = fetchSync(request);
      if (answer.error) throw new Error(`Exception: Address unavailable: ${url}`);
      const response = new HTTPResponse(answer);
      if (answer.status >= 400 && !params.muteHttpExceptions) {
        throw new Error(`Exception: Request failed for ${url} returned code ${answer.status}. Truncated server response: ${response.getContentText().slice(0, 200)}`);
      }
      return response;
    }
  };
}
