import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the echo app answers: enough to show that the sidecar forwarded the exact body and its headers. */
export interface Echo {
  echo: true;
  bytes: number;
  /** The X-Genesys-* headers the app saw, which only the sidecar can have set. */
  genesysHeaders: Record<string, string>;
}

export interface EchoApp {
  url: string;
  /** How many requests reached the app: everything else was answered by the sidecar itself. */
  received(): number;
  close(): Promise<void>;
}

/** The app behind the sidecar: answers every request 200 with a JSON echo of what it received. */
export async function startEchoApp(): Promise<EchoApp> {
  let received = 0;
  const server = createServer((request, response) => {
    received += 1;
    echoBack(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function echoBack(request: IncomingMessage, response: ServerResponse): void {
  let bytes = 0;
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    const echo: Echo = { echo: true, bytes, genesysHeaders: genesysHeaders(request) };
    const text = JSON.stringify(echo);
    response
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      .end(text);
  });
  request.on('error', () => response.destroy());
}

function genesysHeaders(request: IncomingMessage): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-genesys-') && value !== undefined) seen[name] = String(value);
  }
  return seen;
}
