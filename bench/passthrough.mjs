// The bare Node passthrough, written the obvious way: a node:http server that reads the body and forwards
// it with a node:http client over a keep-alive agent, then pipes the app's answer back. Nothing else: no
// verification, no parsing, no header hygiene. The sidecar's throughput target is measured against this.
// Child entry: `node bench/passthrough.mjs <appPort>`; reports {type: 'ready', port} over IPC.
import http from 'node:http';

const appPort = Number(process.argv[2]);
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const upstream = http.request(
      { host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    upstream.end(body);
  });
});
server.keepAliveTimeout = 600_000;

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('disconnect', () => process.exit(0));
