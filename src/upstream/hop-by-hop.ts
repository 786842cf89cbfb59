// RFC 9110 §7.6.1: connection-specific fields that must not be forwarded, plus `expect`, which
// only makes sense on the hop it was sent on (the body is already read).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'content-length',
]);

/**
 * True when a header must not cross to the next hop: the standard hop-by-hop set, any field that the
 * `Connection` header names, and `host` / `content-length`, which the next hop's client sets itself.
 */
export function isHopByHop(name: string, connectionTokens: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || connectionTokens.has(name);
}

/** Field names listed in a Connection header, lower-cased. */
export function connectionTokens(connection: string | string[] | undefined): ReadonlySet<string> {
  if (connection === undefined) return EMPTY;
  // Nearly every request and answer says just one of these; no need for a new set each time.
  if (connection === 'keep-alive') return KEEP_ALIVE;
  if (connection === 'close') return CLOSE;
  const joined = Array.isArray(connection) ? connection.join(',') : connection;
  return new Set(
    joined
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
}

const EMPTY: ReadonlySet<string> = new Set();
const KEEP_ALIVE: ReadonlySet<string> = new Set(['keep-alive']);
const CLOSE: ReadonlySet<string> = new Set(['close']);
