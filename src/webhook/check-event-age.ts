import { reject, type Rejection } from './outcome.js';

/** Refuses an event whose own timestamp is older than the replay window; 0 turns the check off. */
export function checkEventAge(
  timestamp: string | undefined,
  maxAgeSeconds: number,
  nowMs: number,
): Rejection | undefined {
  if (maxAgeSeconds === 0 || timestamp === undefined) return undefined;
  const eventMs = Date.parse(timestamp);
  if (Number.isNaN(eventMs)) return undefined;

  const ageSeconds = (nowMs - eventMs) / 1000;
  if (ageSeconds <= maxAgeSeconds) return undefined;
  return reject('stale_event', `The event is ${Math.floor(ageSeconds)} s old; at most ${maxAgeSeconds} s is accepted.`);
}
