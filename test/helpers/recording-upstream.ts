import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface UpstreamAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

export interface RecordingUpstream {
  url: string;
  requests: RecordedRequest[];
  /** How the next requests are answered; the default is 200 with a small JSON body. */
  answerWith(answer: (request: RecordedRequest) => UpstreamAnswer): void;
  close(): Promise<void>;
}

/** A real app stand-in on an ephemeral loopback port that records every request it receives. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  let answer: (request: RecordedRequest) => UpstreamAnswer = () => ({});

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const plan = answer(recorded);
      setTimeout(() => {
        if (plan.reset) {
          request.socket.destroy();
          return;
        }
        response
          .writeHead(plan.status ?? 200, { 'content-type': 'application/json', ...plan.headers })
          .end(plan.body ?? '{"received":true}');
      }, plan.delayMs ?? 0);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerWith(next) {
      answer = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
