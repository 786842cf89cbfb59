// The stand-in app: reads the whole body and answers 200 with a small JSON body, nothing else.
// Child entry: `node bench/app.mjs`; listens on an ephemeral loopback port and tells the parent which
// (IPC message {type: 'ready', port}); exits when the parent goes away.
import http from 'node:http';

const ANSWER = Buffer.from('{"status":"received"}');

const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length, 'x-app-bytes': bytes });
    res.end(ANSWER);
  });
});
// Keep idle keep-alive connections from proxies open for the whole run.
server.keepAliveTimeout = 600_000;

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('disconnect', () => process.exit(0));
