// Performs HTTP requests for the UrlFetchApp stand-in, which must be synchronous as Google's
// is: the main thread posts a request and sleeps on a shared flag (Atomics.wait) until this
// worker has put the answer on the reply port and raised the flag.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', async ({ request, flag, port }) => {
  let answer;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === null ? undefined : Buffer.from(request.body, 'base64'),
      redirect: request.followRedirects ? 'follow' : 'manual',
      signal: AbortSignal.timeout(request.timeoutMs)
    });
    const body = Buffer.from(await response.arrayBuffer()).toString('base64');
    answer = { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch (error) {
    answer = { error: String(error.cause?.code || error.name || error) };
  }
  port.postMessage(answer);
  port.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
