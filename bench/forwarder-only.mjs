// The sidecar's own HTTP hop with none of its checks: a node:http server that reads the body and sends it
// on with the sidecar's built Forwarder (undici), then answers with the app's status, headers and body. Its
// row is the floor under the sidecar's figures; the distance from it is what verification, parsing, dedupe,
// logging and metrics cost.
// Child entry: `node bench/forwarder-only.mjs <appPort>` with BENCH_BUILD_DIR; reports {type: 'ready', port}.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const appPort = Number(process.argv[2]);
const built = (...parts) => pathToFileURL(path.join(process.env.BENCH_BUILD_DIR, 'src', ...parts)).href;
const { Forwarder } = await import(built('upstream', 'forwarder.js'));
// The sidecar's own header copy (not a spread, which on Node 20 costs a hidden class per answer).
const { copyHeaders } = await import(built('http', 'copy-headers.js'));
const forwarder = new Forwarder(new URL(`http://127.0.0.1:${appPort}`), 9_000);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    const headers = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    const body = Buffer.concat(chunks);
    const result = await forwarder.forward({ method: 'POST', pathAndQuery: req.url, headers, body }, 9_000);
    if (result.kind !== 'answered') res.writeHead(result.kind === 'timeout' ? 504 : 502).end();
    else {
      const answerHeaders = copyHeaders(result.headers);
      answerHeaders['content-length'] = result.body.length;
      res.writeHead(result.status, answerHeaders).end(result.body);
    }
  });
});
server.keepAliveTimeout = 600_000;

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('disconnect', () => process.exit(0));
