// Performs one HTTP request for the UrlFetchApp stand-in, which must be synchronous as
// Google's is: the request arrives as JSON on stdin, the answer leaves as JSON on stdout.
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
try {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body === null ? undefined : Buffer.from(request.body, 'base64'),
    redirect: request.followRedirects ? 'follow' : 'manual',
    signal: AbortSignal.timeout(request.timeoutMs)
  });
  const body = Buffer.from(await response.arrayBuffer()).toString('base64');
  process.stdout.write(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error.cause?.code || error.name || error) }));
}
