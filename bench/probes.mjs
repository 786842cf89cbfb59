// Before anything is measured, one look at each variant's answers, so that a broken variant cannot
// produce a fast but wrong figure: a signed event must reach the app whole and come back with the app's
// answer; a verifying variant must also answer the same event again itself (dedupe) and refuse a body
// whose signature does not match.
import { PROFILES, eventSource } from './events.mjs';

const APP_ANSWER = '{"status":"received"}';

async function post(url, event, headers = event.headers) {
  const res = await fetch(url, { method: 'POST', headers, body: event.body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), appBytes: res.headers.get('x-app-bytes') };
}

export async function probeVariant(variant, url, secret) {
  const source = eventSource({ profile: variant.profile, bytes: 1024, secret });
  const event = source.next();
  const problems = [];
  const checks = [];

  const first = await post(url, event);
  if (first.status !== 200 || first.body !== APP_ANSWER)
    problems.push(`a signed event got ${first.status} ${first.body.slice(0, 200)}`);
  else if (Number(first.appBytes) !== event.body.length)
    problems.push(`the app received ${first.appBytes} of ${event.body.length} bytes`);
  else checks.push(`signed event delivered (${event.body.length} bytes)`);

  if (variant.sidecar || variant.verifies) {
    const again = await post(url, event);
    let answer;
    try {
      answer = JSON.parse(again.body);
    } catch {
      answer = undefined;
    }
    if (again.status !== 200 || answer?.status !== 'duplicate')
      problems.push(`its retry got ${again.status} ${again.body.slice(0, 200)}`);
    else checks.push('retry answered as duplicate');

    const other = source.next();
    const header = PROFILES[variant.profile].header;
    const signature = other.headers[header];
    const flipped = signature.slice(0, -3) + (signature.at(-3) === 'a' ? 'b' : 'a') + signature.slice(-2);
    const forged = await post(url, other, { ...other.headers, [header]: flipped });
    if (forged.status !== 403) problems.push(`a wrong signature got ${forged.status} ${forged.body.slice(0, 200)}`);
    else checks.push('wrong signature 403');
  }

  if (problems.length > 0) throw new Error(`probe of ${variant.label} failed: ${problems.join('; ')}`);
  return checks;
}
