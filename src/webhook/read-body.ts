import type { IncomingMessage } from 'node:http';

export type BodyReading = { kind: 'complete'; body: Buffer } | { kind: 'too_large' } | { kind: 'aborted' };

/**
 * Reads the whole body as raw bytes, giving up as soon as it passes `maxBytes` (a chunked body has no
 * declared length to refuse in advance). The bytes are kept exactly as they arrived, for the HMAC.
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyReading> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;

    const finish = (reading: BodyReading): void => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      resolve(reading);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > maxBytes) {
        request.pause();
        finish({ kind: 'too_large' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void =>
      finish({ kind: 'complete', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
    const onAbort = (): void => finish({ kind: 'aborted' });
    // `close` before `end` means the connection went away mid-body.
    const onClose = (): void => {
      if (!request.complete) onAbort();
    };

    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}
