import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';

import { resolveProfile } from '../signature/profiles.js';
import { sign } from '../signature/sign.js';
import type { Echo } from './echo-app.js';

/** The two profiles the demo runs a sidecar for; a sidecar verifies exactly one. */
export type DemoProfile = 'purecloud' | 'open-messaging';

/** Who answered: the app ("from app"), the sidecar's dedupe ("duplicate"), or the sidecar's error reason. */
export interface Answer {
  status: number;
  result: string;
}

export interface DemoRequest {
  profile: DemoProfile;
  label: string;
  body: Buffer;
  headers: Record<string, string>;
  expected: Answer;
}

export interface Reply {
  status: number;
  text: string;
}

const FROM_APP = 'from app';
const DUPLICATE = 'duplicate';
// Long enough for any answer on loopback; a row that gets none shows ✗ instead of stalling the demo.
const REQUEST_TIMEOUT_MS = 5_000;

const DELIVERED: Answer = { status: 200, result: FROM_APP };
const ALREADY_DELIVERED: Answer = { status: 200, result: DUPLICATE };

function refused(status: number, reason: string): Answer {
  return { status, result: reason };
}

/** The realistic mix, in sending order: each retry right after the delivery it repeats. */
export function demoRequests(secret: string, maxBodyBytes: number): DemoRequest[] {
  // `signedBytes` is what the sender signed: normally the body itself, undefined for no signature at all.
  const row = (
    profile: DemoProfile,
    label: string,
    body: Buffer,
    signedBytes: Buffer | undefined,
    expected: Answer,
  ): DemoRequest => ({
    profile,
    label,
    body,
    headers: signedBytes === undefined ? {} : signatureHeader(profile, signedBytes, secret),
    expected,
  });

  const event = purecloudEvent({ state: 'connected' });
  const beforeTampering = purecloudEvent({ state: 'connected' });
  const tampered = withText(beforeTampering, '"state":"connected"', '"state":"disconnected"');
  // Cut off mid-object, as by a sender bug; the signature covers exactly these bytes.
  const truncated = purecloudEvent({ state: 'connected' }).subarray(0, 60);
  const oversized = purecloudEvent({ transcript: 'x'.repeat(Math.ceil(maxBodyBytes * 1.5)) });
  const oversizedLabel = `${kib(oversized.length)} body, limit ${kib(maxBodyBytes)}`;
  const unsigned = purecloudEvent({ state: 'disconnected' });
  const message = openMessagingMessage();

  return [
    row('purecloud', 'event, valid signature', event, event, DELIVERED),
    row('purecloud', 'the same bytes again (a retry)', event, event, ALREADY_DELIVERED),
    row('purecloud', 'event changed after signing', tampered, beforeTampering, refused(403, 'invalid_signature')),
    row('purecloud', 'malformed JSON, correctly signed', truncated, truncated, refused(400, 'malformed_json')),
    row('purecloud', oversizedLabel, oversized, oversized, refused(413, 'payload_too_large')),
    row('purecloud', 'event without a signature header', unsigned, undefined, refused(400, 'missing_signature')),
    row('open-messaging', 'Text message, X-Hub-Signature-256', message, message, DELIVERED),
    row('open-messaging', 'the same message again (a retry)', message, message, ALREADY_DELIVERED),
  ];
}

/** The header a sender using this profile would put on these exact bytes. */
function signatureHeader(profile: DemoProfile, body: Buffer, secret: string): Record<string, string> {
  const { header, encoding, prefixed } = resolveProfile(profile);
  return { [header]: sign(body, secret, { encoding, prefixed }) };
}

/** The `{id, type, data, timestamp}` envelope of the purecloud convention, with fresh ids. */
function purecloudEvent(details: Record<string, unknown>): Buffer {
  const data = { id: randomUUID(), type: 'voice', ...details };
  const envelope = { id: randomUUID(), type: 'conversation:updated', data, timestamp: new Date().toISOString() };
  return Buffer.from(JSON.stringify(envelope));
}

/** An outbound Open Messaging "normalized message", shaped like the one in Genesys Cloud's documentation. */
function openMessagingMessage(): Buffer {
  const messageId = randomUUID().replaceAll('-', '');
  const integrationId = randomUUID();
  const message = {
    id: messageId,
    channel: {
      id: integrationId,
      platform: 'Open',
      type: 'Private',
      to: { id: 'customer-4711@demo-messenger', idType: 'Opaque' },
      from: { nickname: 'Open Messaging Integration', id: integrationId, idType: 'Opaque' },
      time: new Date().toISOString(),
      messageId,
    },
    type: 'Text',
    text: 'Your parcel is on its way.',
    direction: 'Outbound',
    originatingEntity: 'Human',
    conversationId: randomUUID(),
  };
  return Buffer.from(JSON.stringify(message));
}

function withText(body: Buffer, from: string, to: string): Buffer {
  return Buffer.from(body.toString('utf8').replace(from, to));
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

/** Reads who answered from the reply body: the app's echo, the sidecar's duplicate answer, or its error. */
export function describeReply(reply: Reply): { answer: Answer; detail: string } {
  const body = parseObject(reply.text);
  const answer = (result: string): Answer => ({ status: reply.status, result });
  if (typeof body.error === 'string') return { answer: answer(body.error), detail: String(body.message ?? '') };
  if (body.status === DUPLICATE) {
    return { answer: answer(DUPLICATE), detail: `already delivered: ${String(body.event_id)}` };
  }
  if (body.echo === true) return { answer: answer(FROM_APP), detail: describeEcho(body as unknown as Echo) };
  return { answer: answer('unexpected body'), detail: reply.text.slice(0, 80) };
}

function describeEcho(echo: Echo): string {
  const headers = Object.entries(echo.genesysHeaders).map(
    ([name, value]) => `${name.replace(/^x-genesys-/, '')}=${value}`,
  );
  return `app saw ${echo.bytes} B; ${headers.join(' ')}`;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function postJson(url: string, body: Buffer, headers: Record<string, string>): Promise<Reply> {
  return call(url, 'POST', body, { 'content-type': 'application/json', ...headers });
}

export function get(url: string): Promise<Reply> {
  return call(url, 'GET', Buffer.alloc(0), {});
}

// One connection per request (no agent), so no idle keep-alive socket outlives the demo.
function call(url: string, method: string, body: Buffer, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, {
      method,
      headers: { ...headers, 'content-length': body.length },
      agent: false,
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('close', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    // A sidecar refusing an oversized body answers 413 and closes without reading the rest, so sending the
    // rest can fail (EPIPE / ECONNRESET) after the answer arrived: that is the refusal working, not an error.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.setTimeout(REQUEST_TIMEOUT_MS, () => {
      request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`));
    });
    request.end(body);
  });
}
