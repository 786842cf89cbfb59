import { createHmac } from 'node:crypto';

import type { SignatureEncoding } from './verify-signature.js';

export interface SignOptions {
  encoding: SignatureEncoding;
  /** Put "sha256=" in front, as Open Messaging (and GitHub-style senders) do. */
  prefixed: boolean;
}

/** The signature header value a sender would put on this exact body. */
export function sign(rawBody: Buffer | string, secret: string | Buffer, options: SignOptions): string {
  const digest = createHmac('sha256', secret).update(rawBody).digest(options.encoding);
  return options.prefixed ? `sha256=${digest}` : digest;
}
