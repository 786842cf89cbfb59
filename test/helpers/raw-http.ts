import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves once the peer closes the connection (with the time it took), or rejects after `limitMs`. */
  closed(limitMs: number): Promise<number>;
  /** Resolves with the first complete status line and headers received. */
  head(): Promise<string>;
}

/** A plain TCP client for what an HTTP client library will not send: half requests, hand-made chunks. */
export async function openRaw(url: string): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);

  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  return {
    socket,
    received: () => text,
    closed: (limitMs) =>
      Promise.race([
        closedAt,
        new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs).unref(),
        ),
      ]),
    head: () =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const end = text.indexOf('\r\n\r\n');
          if (end !== -1) resolve(text.slice(0, end));
          else if (socket.destroyed) reject(new Error(`closed before a response head: ${JSON.stringify(text)}`));
          else setTimeout(check, 5);
        };
        check();
      }),
  };
}
