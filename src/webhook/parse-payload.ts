import type { z } from 'zod';

import { reject, type Rejection } from './outcome.js';

// fatal: invalid UTF-8 is an error rather than silently replaced, so what we validate is what was signed.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8, then JSON. Never throws: hostile input (deep nesting included) becomes a rejection. */
export function parseJson(rawBody: Buffer): { value: unknown } | Rejection {
  let text: string;
  try {
    text = utf8.decode(rawBody);
  } catch {
    return reject('malformed_json', 'The body is not valid UTF-8.');
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return reject('malformed_json', 'The body is not valid JSON.');
  }
}

/** Applies the profile's rules; the rejection names every failing field. */
export function validatePayload(value: unknown, schema: z.ZodType<object>): { payload: object } | Rejection {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('invalid_payload', 'The body must be a JSON object.');
  }
  const result = schema.safeParse(value);
  if (result.success) return { payload: result.data };

  const fields = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    return `${field}: ${issue.message}`;
  });
  return reject('invalid_payload', `The payload does not match the expected shape: ${fields.join('; ')}.`);
}
