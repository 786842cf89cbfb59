import { z } from 'zod';

// Unknown fields are stripped from the parse result, never rejected: the app still receives the exact
// signed bytes, and the result only feeds our own decisions (event id, type, timestamp).
const isoTimestamp = z.iso.datetime({ offset: true });

/** The `{id, type, data, timestamp}` envelope of the tutorial's X-PureCloud-Webhook-Signature convention. */
export const purecloudPayload = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({}),
  timestamp: isoTimestamp,
});

/**
 * A Genesys Cloud Open Messaging "normalized message": every top-level field is optional, but a known
 * field that is present must have its documented type.
 */
export const openMessagingPayload = z.object({
  id: z.string().optional(),
  channel: z.object({ time: isoTimestamp.optional() }).optional(),
  type: z.enum(['Text', 'Structured', 'Receipt', 'Event']).optional(),
  text: z.string().optional(),
  content: z.array(z.unknown()).optional(),
  events: z.array(z.unknown()).optional(),
  direction: z.string().optional(),
  status: z.string().optional(),
  isFinalReceipt: z.boolean().optional(),
  conversationId: z.string().optional(),
});

/** Any JSON object; `id`, `type` and `timestamp` are read when they are strings. */
export const customPayload = z.object({
  id: z.unknown().optional(),
  type: z.unknown().optional(),
  timestamp: z.unknown().optional(),
});
