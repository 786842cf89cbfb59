import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Something to do instead of (or before) answering normally. */
export type Fault =
  /** Answer with this status and the host's error body (Genesys-style on the API, OAuth-style on login). */
  | { kind: 'status'; status: number }
  /** 429 with `Retry-After` and Genesys's documented error body. */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** Answer normally, this much later. */
  | { kind: 'delay'; ms: number }
  /** Reset the connection (TCP RST) without answering. */
  | { kind: 'reset' };

type Host = 'login' | 'api';

// Genesys's `code` words for the statuses the tests use.
const ERROR_CODES: Record<number, string> = {
  401: 'bad.credentials',
  403: 'missing.permissions',
  404: 'not.found',
  429: 'too.many.requests',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'gateway.timeout',
};

/**
 * A stand-in for both Genesys Cloud hosts on one 127.0.0.1 port (tests pass its URL as the login and the
 * API URL), answering in the documented formats:
 * - `POST /oauth/token`: HTTP Basic client authentication against the accepted credentials and a
 *   form body `grant_type=client_credentials` → `{"access_token", "token_type": "bearer", "expires_in"}`;
 *   `401 {"error": "invalid_client", …}` for other credentials, `400` for a malformed request;
 * - `GET /api/v2/conversations/{id}` with `Authorization: Bearer <a token issued and not yet expired>` → a
 *   conversation; `401 {"message", "code": "bad.credentials", "status": 401}` for any other token,
 *   `404 not.found` for ids in missingConversations.
 * Faults queued with failLogin / failApi apply to the next requests of that host, in order.
 */
export class FakeGenesys {
  url = '';
  /** expires_in of the tokens issued from now on. */
  tokenLifetimeSeconds = 86_400;
  readonly missingConversations = new Set<string>();
  /** Every POST /oauth/token, accepted or not. */
  tokenRequests = 0;
  /** The client secret each token request presented, in order (to check rotation). */
  readonly presentedSecrets: string[] = [];
  /** Every access token issued. */
  readonly issuedTokens: string[] = [];
  /** Every request to the API host. */
  apiRequests = 0;

  readonly #server = createServer((request, response) => this.#handle(request, response));
  readonly #tokens = new Map<string, number>();
  readonly #faults: Record<Host, Array<{ fault: Fault; times: number }>> = { login: [], api: [] };
  readonly #timers = new Set<NodeJS.Timeout>();
  #clientId: string;
  #clientSecret: string;

  private constructor(clientId: string, clientSecret: string) {
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  static async start(clientId: string, clientSecret: string): Promise<FakeGenesys> {
    const fake = new FakeGenesys(clientId, clientSecret);
    fake.#server.listen(0, '127.0.0.1');
    await once(fake.#server, 'listening');
    fake.url = `http://127.0.0.1:${String((fake.#server.address() as AddressInfo).port)}`;
    return fake;
  }

  /** From now on only this pair gets tokens (a rotated client secret). */
  acceptCredentials(clientId: string, clientSecret: string): void {
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  /** Every token issued so far stops working at once, as if revoked. */
  expireTokens(): void {
    this.#tokens.clear();
  }

  /** The next `times` token requests get the fault (Infinity: until clearFaults). */
  failLogin(fault: Fault, times = 1): void {
    this.#faults.login.push({ fault, times });
  }

  /** The next `times` API requests get the fault (Infinity: an outage until clearFaults). */
  failApi(fault: Fault, times = 1): void {
    this.#faults.api.push({ fault, times });
  }

  clearFaults(): void {
    this.#faults.login = [];
    this.#faults.api = [];
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.close();
    this.#server.closeAllConnections();
    await once(this.#server, 'close');
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const host: Host = url.pathname === '/oauth/token' ? 'login' : 'api';
    if (host === 'login') this.tokenRequests += 1;
    else this.apiRequests += 1;

    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const fault = this.#takeFault(host);
      const answer = () =>
        host === 'login' ? this.#token(request, Buffer.concat(chunks), response) : this.#api(request, url, response);
      if (fault === undefined) return answer();
      switch (fault.kind) {
        case 'status':
          return host === 'login'
            ? sendOAuthError(response, fault.status, 'server_error', `Fault ${fault.status}`)
            : sendGenesysError(response, fault.status, `Fault ${fault.status}`);
        case 'rate-limit':
          response.setHeader('retry-after', String(fault.retryAfterSeconds));
          return sendGenesysError(
            response,
            429,
            `Rate limit exceeded the maximum. Retry the request in [${fault.retryAfterSeconds}] seconds`,
          );
        case 'delay': {
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            answer();
          }, fault.ms);
          this.#timers.add(timer);
          return;
        }
        case 'reset':
          return request.socket.resetAndDestroy();
      }
    });
  }

  #takeFault(host: Host): Fault | undefined {
    const next = this.#faults[host][0];
    if (next === undefined) return undefined;
    next.times -= 1;
    if (next.times <= 0) this.#faults[host].shift();
    return next.fault;
  }

  #token(request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const [scheme, encoded] = (request.headers.authorization ?? '').split(' ');
    const decoded = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const [id, secret] = colon < 0 ? ['', ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    this.presentedSecrets.push(secret);

    const form = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
    if (request.method !== 'POST' || !form) return sendOAuthError(response, 400, 'invalid_request', 'POST a form');
    const grant = new URLSearchParams(body.toString('utf8')).get('grant_type');
    if (grant !== 'client_credentials') {
      return sendOAuthError(response, 400, 'unsupported_grant_type', String(grant));
    }
    if (id !== this.#clientId || secret !== this.#clientSecret) {
      return sendOAuthError(response, 401, 'invalid_client', 'client not found');
    }
    const token = randomBytes(48).toString('base64url');
    this.#tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.issuedTokens.push(token);
    send(response, 200, { access_token: token, token_type: 'bearer', expires_in: this.tokenLifetimeSeconds });
  }

  #api(request: IncomingMessage, url: URL, response: ServerResponse): void {
    const match = /^\/api\/v2\/conversations\/([^/]+)$/.exec(url.pathname);
    if (!match) return sendGenesysError(response, 404, `Resource not found: ${url.pathname}`);
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const expiresAt = scheme === 'Bearer' && token ? this.#tokens.get(token) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return sendGenesysError(response, 401, 'Invalid login credentials.');
    }
    const id = decodeURIComponent(match[1]!);
    if (this.missingConversations.has(id)) return sendGenesysError(response, 404, `Conversation ${id} not found.`);
    send(response, 200, conversation(id));
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The login host's OAuth error body. */
function sendOAuthError(response: ServerResponse, status: number, error: string, description: string): void {
  send(response, status, { error, description, error_description: description });
}

/** Genesys Cloud's error body: `{message, code, status, contextId, details, errors}`. */
function sendGenesysError(response: ServerResponse, status: number, message: string): void {
  const code = ERROR_CODES[status] ?? 'unknown.error';
  send(response, status, { message, code, status, contextId: randomUUID(), details: [], errors: [] });
}

/** A voice conversation between a customer and an agent, shaped like `GET /api/v2/conversations/{id}`. */
export function conversation(id: string): Record<string, unknown> {
  const start = '2026-03-02T09:15:04.512Z';
  const agentId = '8e9f0a1b-2c3d-4e5f-9a6b-7c8d9e0f1a2b';
  return {
    id,
    startTime: start,
    participants: [
      {
        id: 'f0a8c1b2-6d3e-4b5a-9c7d-2e1f0a9b8c7d',
        startTime: start,
        connectedTime: start,
        purpose: 'customer',
        state: 'connected',
        direction: 'inbound',
        ani: 'tel:+13175550123',
        dnis: 'tel:+18005550199',
        calls: [{ id: '5b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', state: 'connected', recording: false, muted: false }],
      },
      {
        id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
        startTime: '2026-03-02T09:15:19.034Z',
        connectedTime: '2026-03-02T09:15:21.870Z',
        name: 'Support',
        userId: agentId,
        queueId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        purpose: 'agent',
        state: 'connected',
        direction: 'inbound',
        wrapupRequired: true,
      },
    ],
    recordingState: 'none',
    divisions: [
      {
        division: {
          id: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
          selfUri: '/api/v2/authorization/divisions/2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
        },
        entities: [{ id: agentId, selfUri: `/api/v2/users/${agentId}` }],
      },
    ],
    selfUri: `/api/v2/conversations/${id}`,
  };
}
