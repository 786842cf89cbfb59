import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureEncoding = 'hex' | 'base64';

const SHA256_BYTES = 32;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;
// Standard base64 of 32 bytes: 43 symbols and one "=" of padding (the padding may be left off).
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=?$/;
const PREFIX = 'sha256=';

/**
 * Decodes a signature header value into the 32 digest bytes it claims, or undefined when it cannot be a
 * SHA-256 digest in the given encoding. A leading "sha256=" is accepted with either encoding.
 */
export function decodeSignature(headerValue: string, encoding: SignatureEncoding): Buffer | undefined {
  let text = headerValue.trim();
  if (text.slice(0, PREFIX.length).toLowerCase() === PREFIX) text = text.slice(PREFIX.length);

  if (encoding === 'hex') return HEX_DIGEST.test(text) ? Buffer.from(text, 'hex') : undefined;
  if (!BASE64_DIGEST.test(text)) return undefined;
  const digest = Buffer.from(text, 'base64');
  return digest.length === SHA256_BYTES ? digest : undefined;
}

/**
 * True when the signature matches the HMAC-SHA256 of the raw body under any of the keys. Every key is
 * compared, in constant time, so the answer's timing says nothing about which key matched or how much of
 * the digest was right.
 */
export function verifySignature(
  rawBody: Buffer,
  headerValue: string,
  encoding: SignatureEncoding,
  keys: readonly Buffer[],
): boolean {
  const claimed = decodeSignature(headerValue, encoding);
  if (claimed === undefined) return false;

  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(rawBody).digest();
    if (timingSafeEqual(expected, claimed)) matched = true;
  }
  return matched;
}
