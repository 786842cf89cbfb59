import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A request as the stand-in API server saw it. */
export interface KubeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  kind: 'get' | 'list' | 'watch';
  /** The HTTP status answered (0 while stalled). */
  status: number;
  /** Set when a watch was accepted and then ended with an ERROR 410 event. */
  goneEvent?: boolean;
  at: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

interface StoredSecret {
  namespace: string;
  name: string;
  resourceVersion: number;
  data: Record<string, string>;
}

interface HistoryEntry {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resourceVersion: number;
  secret: StoredSecret;
}

interface OpenWatch {
  namespace: string;
  name: string | undefined;
  response: ServerResponse;
  timer: NodeJS.Timeout | undefined;
}

export const FAKE_TOKEN = 'fake-bearer-token-for-tests';

/**
 * A stand-in for the Kubernetes API server's Secret endpoints, on 127.0.0.1, speaking the real wire format:
 * - `GET /api/v1/namespaces/{ns}/secrets/{name}` → a v1 Secret, or a 404 Status;
 * - `GET /api/v1/namespaces/{ns}/secrets[?fieldSelector=metadata.name=X]` → a SecretList whose
 *   `metadata.resourceVersion` is the store's current version;
 * - the same with `watch=1|true` → a chunked stream of `{"type":…,"object":…}` lines: from
 *   `resourceVersion=N` every change after N, then live ones; without one (or "0"), synthetic ADDED events
 *   for what exists; `allowWatchBookmarks` gets BOOKMARK events from `bookmark()`; `timeoutSeconds` ends it.
 * Versions below `expireBelow(n)` answer 410 Gone, as an HTTP status (the way a watch is refused before it
 * starts) or as an ERROR event carrying a 410 Status (the way the API server reports it on a 200 stream).
 * Every request must carry `Authorization: Bearer FAKE_TOKEN`, so a client can only get in through the
 * kubeconfig that `writeKubeconfig` writes.
 */
export class FakeKubeApi {
  readonly requests: KubeRequest[] = [];
  #server = createServer((request, response) =>
    this.#handle(request.method ?? 'GET', request.url ?? '/', request.headers, response),
  );
  #secrets = new Map<string, StoredSecret>();
  #history: HistoryEntry[] = [];
  #resourceVersion = 100;
  #expiredBelow = 0;
  #expiryAs: 'status' | 'event' = 'status';
  #failures: Array<{ status: number; kinds: Array<KubeRequest['kind']> }> = [];
  #stalls: Array<Array<KubeRequest['kind']>> = [];
  #stalled = new Set<ServerResponse>();
  #watches = new Set<OpenWatch>();
  #watchWaiters: Array<() => void> = [];
  url = '';

  static async start(): Promise<FakeKubeApi> {
    const api = new FakeKubeApi();
    api.#server.listen(0, '127.0.0.1');
    await once(api.#server, 'listening');
    api.url = `http://127.0.0.1:${String((api.#server.address() as AddressInfo).port)}`;
    return api;
  }

  /** The store's current resourceVersion (the last change's), as list answers report it. */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  get openWatches(): number {
    return this.#watches.size;
  }

  /** Requests held open without an answer (see stallNext) whose connection the client has not closed. */
  get stalledRequests(): number {
    return this.#stalled.size;
  }

  /** Creates or replaces a Secret (string values are UTF-8) and sends ADDED or MODIFIED to open watches. */
  setSecret(namespace: string, name: string, data: Record<string, string | Buffer>): string {
    const key = `${namespace}/${name}`;
    const type = this.#secrets.has(key) ? 'MODIFIED' : 'ADDED';
    const encoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [
        k,
        (typeof v === 'string' ? Buffer.from(v, 'utf8') : v).toString('base64'),
      ]),
    );
    const secret: StoredSecret = { namespace, name, resourceVersion: ++this.#resourceVersion, data: encoded };
    this.#secrets.set(key, secret);
    this.#record(type, secret);
    return String(secret.resourceVersion);
  }

  /** Deletes a Secret and sends DELETED (carrying its last state at the new version) to open watches. */
  deleteSecret(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    const existing = this.#secrets.get(key);
    if (!existing) throw new Error(`no Secret ${key}`);
    this.#secrets.delete(key);
    const tombstone = { ...existing, resourceVersion: ++this.#resourceVersion };
    this.#record('DELETED', tombstone);
    return String(tombstone.resourceVersion);
  }

  /** Sends a BOOKMARK at the current version to every open watch that asked for bookmarks. */
  bookmark(): string {
    for (const watch of this.#watches) {
      this.#send(watch, 'BOOKMARK', {
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { resourceVersion: this.resourceVersion },
      });
    }
    return this.resourceVersion;
  }

  /** Cuts every open watch connection without a word (a TCP reset, as a restarting API server or a proxy would). */
  dropWatches(): void {
    for (const watch of [...this.#watches]) {
      this.#forget(watch);
      watch.response.socket?.destroy();
    }
  }

  /** Ends every open watch cleanly, as the API server does when a watch's timeout is up. */
  endWatches(): void {
    for (const watch of [...this.#watches]) {
      this.#forget(watch);
      watch.response.end();
    }
  }

  /**
   * Watches from a resourceVersion below `resourceVersion` are answered 410 Gone: refused with an HTTP 410
   * Status, or accepted and then told with an ERROR event (the two ways an API server says it).
   */
  expireBelow(resourceVersion: string | number, as: 'status' | 'event' = 'status'): void {
    this.#expiredBelow = Number(resourceVersion);
    this.#expiryAs = as;
  }

  /** The next `count` requests of these kinds are answered with `status` and a Status body. */
  failNext(count: number, status: number, kinds: Array<KubeRequest['kind']> = ['get', 'list', 'watch']): void {
    for (let i = 0; i < count; i += 1) this.#failures.push({ status, kinds });
  }

  /** The next `count` requests of these kinds get no answer at all, not even headers, until closed. */
  stallNext(count: number, kinds: Array<KubeRequest['kind']> = ['get', 'list', 'watch']): void {
    for (let i = 0; i < count; i += 1) this.#stalls.push(kinds);
  }

  requestsOf(kind: KubeRequest['kind']): KubeRequest[] {
    return this.requests.filter((request) => request.kind === kind);
  }

  /** Resolves once at least `count` watches are open (or rejects after `timeoutMs`). */
  async waitForWatches(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#watches.size < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${String(count)} open watches, have ${String(this.#watches.size)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#watchWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, response: ServerResponse): void {
    const url = new URL(rawUrl, 'http://fake');
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.pathname);
    const watching = url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true';
    const kind: KubeRequest['kind'] = match?.[2] !== undefined ? 'get' : watching ? 'watch' : 'list';
    const recorded: KubeRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      kind,
      status: 200,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const answer = (status: number, body: object): void => {
      recorded.status = status;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };

    if (headers.authorization !== `Bearer ${FAKE_TOKEN}`) {
      answer(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (!match || method !== 'GET') {
      answer(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const stallIndex = this.#stalls.findIndex((kinds) => kinds.includes(kind));
    if (stallIndex >= 0) {
      this.#stalls.splice(stallIndex, 1);
      recorded.status = 0;
      this.#stalled.add(response);
      response.on('close', () => this.#stalled.delete(response));
      return;
    }
    const failureIndex = this.#failures.findIndex((failure) => failure.kinds.includes(kind));
    if (failureIndex >= 0) {
      const [failure] = this.#failures.splice(failureIndex, 1);
      answer(failure!.status, status(failure!.status, 'InternalError', `injected failure ${String(failure!.status)}`));
      return;
    }
    const namespace = decodeURIComponent(match[1]!);

    if (kind === 'get') {
      const name = decodeURIComponent(match[2]!);
      const secret = this.#secrets.get(`${namespace}/${name}`);
      if (secret) answer(200, secretJson(secret));
      else
        answer(404, { ...status(404, 'NotFound', `secrets "${name}" not found`), details: { name, kind: 'secrets' } });
      return;
    }

    const selector = url.searchParams.get('fieldSelector');
    let name: string | undefined;
    if (selector !== null && selector !== '') {
      const selected = /^metadata\.name=(.+)$/.exec(selector);
      if (!selected) {
        answer(400, status(400, 'BadRequest', `unable to parse requirement: ${selector}`));
        return;
      }
      name = selected[1];
    }
    const matches = (secret: StoredSecret): boolean =>
      secret.namespace === namespace && (name === undefined || secret.name === name);

    if (kind === 'list') {
      answer(200, {
        kind: 'SecretList',
        apiVersion: 'v1',
        metadata: { resourceVersion: this.resourceVersion },
        items: [...this.#secrets.values()].filter(matches).map(secretJson),
      });
      return;
    }

    const from = url.searchParams.get('resourceVersion');
    const fromVersion = from === null || from === '' || from === '0' ? undefined : Number(from);
    const expired = fromVersion !== undefined && fromVersion < this.#expiredBelow;
    const tooOld = status(
      410,
      'Expired',
      `too old resource version: ${String(fromVersion)} (${String(this.#expiredBelow)})`,
    );
    if (expired && this.#expiryAs === 'status') {
      answer(410, tooOld);
      return;
    }

    recorded.status = 200;
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    const watch: OpenWatch = { namespace, name, response, timer: undefined };
    if (expired) {
      recorded.goneEvent = true;
      this.#send(watch, 'ERROR', tooOld);
      response.end();
      return;
    }
    this.#watches.add(watch);
    response.on('close', () => this.#forget(watch));
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) {
      watch.timer = setTimeout(() => {
        this.#forget(watch);
        response.end();
      }, timeoutSeconds * 1000);
    }

    if (fromVersion === undefined) {
      for (const secret of this.#secrets.values()) if (matches(secret)) this.#send(watch, 'ADDED', secretJson(secret));
    } else {
      for (const entry of this.#history) {
        if (entry.resourceVersion > fromVersion && matches(entry.secret))
          this.#send(watch, entry.type, secretJson(entry.secret));
      }
    }
    for (const wake of this.#watchWaiters.splice(0)) wake();
  }

  #record(type: HistoryEntry['type'], secret: StoredSecret): void {
    this.#history.push({ type, resourceVersion: secret.resourceVersion, secret });
    for (const watch of this.#watches) {
      if (watch.namespace === secret.namespace && (watch.name === undefined || watch.name === secret.name)) {
        this.#send(watch, type, secretJson(secret));
      }
    }
  }

  #send(watch: OpenWatch, type: WatchEventType, object: object): void {
    watch.response.write(`${JSON.stringify({ type, object })}\n`);
  }

  #forget(watch: OpenWatch): void {
    clearTimeout(watch.timer);
    this.#watches.delete(watch);
  }
}

function secretJson(secret: StoredSecret): object {
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: {
      name: secret.name,
      namespace: secret.namespace,
      uid: `uid-${secret.namespace}-${secret.name}`,
      resourceVersion: String(secret.resourceVersion),
      creationTimestamp: '2026-12-03T16:00:00Z',
    },
    type: 'Opaque',
    data: secret.data,
  };
}

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export interface Kubeconfig {
  /** The kubeconfig file: cluster at the stand-in's URL, a dummy bearer token, `namespace` as the default. */
  path: string;
  remove(): Promise<void>;
}

/** Writes a kubeconfig (YAML) for `server` into a fresh temporary directory. */
export async function writeKubeconfig(server: string, namespace = 'default', token = FAKE_TOKEN): Promise<Kubeconfig> {
  const dir = await mkdtemp(join(tmpdir(), 'gws-kubeconfig-'));
  const path = join(dir, 'config');
  // Plain http to loopback: the client refuses http:// unless TLS verification is explicitly off.
  const yaml = `apiVersion: v1
kind: Config
clusters:
  - name: stand-in
    cluster:
      server: ${server}
      insecure-skip-tls-verify: true
users:
  - name: stand-in-user
    user:
      token: ${token}
contexts:
  - name: stand-in
    context:
      cluster: stand-in
      user: stand-in-user
      namespace: ${namespace}
current-context: stand-in
`;
  await writeFile(path, yaml, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
