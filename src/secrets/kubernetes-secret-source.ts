import { existsSync, readFileSync } from 'node:fs';
import type { Agent } from 'node:http';

import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  Observable,
  Watch,
  type ObservableMiddleware,
  type V1Secret,
} from '@kubernetes/client-node';

import type { Logger } from '../observability/logger.js';
import type { SecretKey } from './keyring.js';
import { trimSecret } from './read-secret-path.js';
import type { SecretReading, SecretSource } from './secret-source.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const LIST_TIMEOUT_MS = 10_000;
export const SERVICE_ACCOUNT_NAMESPACE_FILE = `${SERVICE_ACCOUNT_DIR}/namespace`;

/**
 * The kubeconfig to reach the API with: an explicit KUBECONFIG wins; inside a pod, the service account's
 * token and CA; otherwise the default loader (~/.kube/config, then in-cluster, then localhost:8080).
 */
export function loadKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  const inPod = Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(`${SERVICE_ACCOUNT_DIR}/token`);
  if (!process.env.KUBECONFIG && inPod) kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** The pod's own namespace, from its service account; undefined outside a pod. */
export function serviceAccountNamespace(file: string = SERVICE_ACCOUNT_NAMESPACE_FILE): string | undefined {
  try {
    const namespace = readFileSync(file, 'utf8').trim();
    return namespace.length > 0 ? namespace : undefined;
  } catch {
    return undefined;
  }
}

export interface KubernetesSecretSourceOptions {
  name: string;
  namespace: string;
  kubeConfig: KubeConfig;
  logger: Logger;
  /** First reconnect delay; doubles per failure in a row, with jitter. Default 500 ms. */
  initialBackoffMs?: number;
  /** Longest reconnect delay. Default 30 s. */
  maxBackoffMs?: number;
}

// The API server ends a watch after the timeout it is given; client-go asks for 5–10 minutes, and so do we.
// A watch still open well past that is silently dead (a peer that vanished without a FIN) and is dropped.
const WATCH_TIMEOUT_MIN_S = 300;
const WATCH_TIMEOUT_MAX_S = 600;
const WATCH_OVERDUE_MS = 60_000;
// How long stop() waits for a watch request that has not got its response headers yet (see #stopWatch).
const STOP_WAIT_MS = 1_000;

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

interface WatchedObject {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string> | null;
}

interface OpenWatch {
  id: number;
  controller: AbortController | undefined;
  startedAt: number;
  /** When the response headers came in. */
  connectedAt: number | undefined;
  timeoutSeconds: number;
  overdueTimer: NodeJS.Timeout | undefined;
}

/**
 * One Secret watched through the Kubernetes API, so a rotation lands within about a second instead of after
 * the kubelet's sync delay. Every key of the Secret is an accepted secret.
 *
 * It lists the Secret with a `metadata.name` field selector rather than GETting it: a list answers with the
 * collection's current resourceVersion, which is what a watch must start from. An object's own
 * resourceVersion is as old as its last change, and the API server answers a watch from a version older
 * than its watch window with 410 Gone; a Secret untouched for a while would loop through GET → 410 → GET
 * (kubectl wait moved from GET to a filtered list for this reason). The field selector is also what lets
 * RBAC `resourceNames` authorize the list and the watch. A Secret that does not exist yet is an empty list
 * with a resourceVersion all the same, so its creation arrives through the watch as ADDED.
 *
 * The watch uses the library's Watch and resumes from the last resourceVersion seen (events and
 * bookmarks); a watch that ends or fails reconnects after an exponential backoff with jitter; 410 Gone,
 * as an HTTP status or as an ERROR event, lists again for a fresh resourceVersion. Readings carry no keys
 * when the Secret is missing, was deleted or cannot be listed; the manager then keeps the last good set.
 */
export class KubernetesSecretSource implements SecretSource {
  readonly location: string;
  readonly #name: string;
  readonly #namespace: string;
  readonly #kubeConfig: KubeConfig;
  readonly #logger: Logger;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #api: CoreV1Api;
  readonly #watcher: Watch;

  #report: (reading: SecretReading) => void = () => undefined;
  #resourceVersion: string | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #listAbort: AbortController | undefined;
  #listing: Promise<void> | undefined;
  #watch: OpenWatch | undefined;
  #watchRequest: Promise<AbortController | undefined> | undefined;
  #watchIds = 0;
  #watchAgents = new Set<Agent>();
  #stopped = false;

  constructor(options: KubernetesSecretSourceOptions) {
    this.#name = options.name;
    this.#namespace = options.namespace;
    this.#kubeConfig = options.kubeConfig;
    this.#logger = options.logger;
    this.#initialBackoffMs = options.initialBackoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.location = `${options.namespace}/${options.name}`;
    this.#api = this.#kubeConfig.makeApiClient(CoreV1Api);
    this.#watcher = new Watch(this.#watchConfig());
  }

  /** Resolves once the first reading is reported, whether it found the Secret or not. */
  async start(report: (reading: SecretReading) => void): Promise<void> {
    this.#report = report;
    await this.#list();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#listAbort?.abort();
    await Promise.all([this.#listing, this.#stopWatch()]);
  }

  /** Lists the Secret, reports what it holds, then watches from the list's resourceVersion. */
  #list(): Promise<void> {
    const abort = new AbortController();
    this.#listAbort = abort;
    this.#listing = (async () => {
      let secret: V1Secret | undefined;
      let resourceVersion: string | undefined;
      try {
        const list = await this.#api.listNamespacedSecret(
          { namespace: this.#namespace, fieldSelector: this.#fieldSelector() },
          // The client sets no timeout of its own; a hung API server must not stall start-up or a relist.
          withSignal(AbortSignal.any([abort.signal, AbortSignal.timeout(LIST_TIMEOUT_MS)])),
        );
        secret = list.items.find((item) => item.metadata?.name === this.#name);
        resourceVersion = list.metadata?.resourceVersion;
      } catch (error) {
        if (this.#stopped) return;
        const reason = `cannot list the Secret: ${describeError(error)}`;
        this.#report({ keys: [], problems: [`${this.location}: ${reason}`] });
        this.#retry(reason, () => this.#list());
        return;
      }
      if (this.#stopped) return;
      this.#report(secret ? readingOf(this.location, secret.data) : missing(this.location, 'Secret not found'));
      this.#resourceVersion = resourceVersion;
      this.#startWatch();
    })().finally(() => {
      this.#listing = undefined;
      this.#listAbort = undefined;
    });
    return this.#listing;
  }

  #startWatch(): void {
    if (this.#stopped) return;
    const id = ++this.#watchIds;
    // Spread over a range so that many replicas do not all reconnect at once.
    const timeoutSeconds = Math.floor(
      WATCH_TIMEOUT_MIN_S + Math.random() * (WATCH_TIMEOUT_MAX_S - WATCH_TIMEOUT_MIN_S),
    );
    const open: OpenWatch = {
      id,
      controller: undefined,
      startedAt: Date.now(),
      connectedAt: undefined,
      timeoutSeconds,
      overdueTimer: undefined,
    };
    open.overdueTimer = setTimeout(
      () => {
        this.#endWatch(id);
        this.#retry('the watch stayed open past its timeout without a word; it is presumed dead', () =>
          this.#startWatch(),
        );
      },
      timeoutSeconds * 1000 + WATCH_OVERDUE_MS,
    ).unref();
    this.#watch = open;

    const request = this.#watcher
      .watch(
        `/api/v1/namespaces/${encodeURIComponent(this.#namespace)}/secrets`,
        {
          fieldSelector: this.#fieldSelector(),
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        },
        (type, object) => this.#onEvent(id, type as WatchEventType, object as WatchedObject),
        (error) => this.#onWatchEnd(id, error),
      )
      .then(
        (controller) => {
          // The library hands out the controller only once the response headers are in.
          if (this.#watch?.id === id) {
            open.controller = controller;
            open.connectedAt = Date.now();
          } else {
            controller.abort();
          }
          return controller;
        },
        (error: unknown) => {
          this.#onWatchEnd(id, error);
          return undefined;
        },
      );
    this.#watchRequest = request;
    void request.finally(() => {
      if (this.#watchRequest === request) this.#watchRequest = undefined;
    });
  }

  #onEvent(id: number, type: WatchEventType, object: WatchedObject): void {
    if (this.#stopped || this.#watch?.id !== id) return;
    if (type === 'ERROR') {
      const expired = object.code === 410;
      const reason = `watch ERROR event: ${describeStatus(object)}`;
      this.#endWatch(id);
      if (expired) this.#retry(`${reason}; listing again for a fresh resourceVersion`, () => this.#list());
      else this.#retry(reason, () => this.#startWatch());
      return;
    }
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion) this.#resourceVersion = resourceVersion;
    // Anything but an error shows the connection works, so the next failure starts the backoff afresh.
    this.#failures = 0;
    if (type === 'BOOKMARK' || object.metadata?.name !== this.#name) return;
    if (type === 'ADDED' || type === 'MODIFIED') this.#report(readingOf(this.location, object.data));
    else if (type === 'DELETED') this.#report(missing(this.location, 'Secret deleted'));
  }

  #onWatchEnd(id: number, error: unknown): void {
    if (this.#stopped || this.#watch?.id !== id) return;
    const open = this.#watch;
    this.#endWatch(id);
    // A watch that held for a while was healthy: what ended it is a new problem, not one more in a row.
    if (open.connectedAt !== undefined && Date.now() - open.connectedAt >= this.#maxBackoffMs) this.#failures = 0;
    if (statusCodeOf(error) === 410) {
      this.#retry(`watch answered ${describeError(error)}; listing again for a fresh resourceVersion`, () =>
        this.#list(),
      );
      return;
    }
    if (error === null || error === undefined) {
      // The server ends every watch at the timeout we asked for; renewing it then is routine.
      if (Date.now() - open.startedAt >= open.timeoutSeconds * 1000 - 1000) {
        this.#logger.debug(
          { source: this.location, resourceVersion: this.#resourceVersion },
          'kubernetes secret watch renewed',
        );
        this.#startWatch();
        return;
      }
      this.#retry('the server closed the watch', () => this.#startWatch());
      return;
    }
    this.#retry(`the watch failed: ${describeError(error)}`, () => this.#startWatch());
  }

  /** Forgets the current watch and closes its connection, even one still waiting for its answer. */
  #endWatch(id: number): void {
    const open = this.#watch;
    if (open?.id !== id) return;
    this.#watch = undefined;
    clearTimeout(open.overdueTimer);
    open.controller?.abort();
    // Only one watch exists at a time, so every agent kept so far served this one.
    for (const agent of this.#watchAgents) agent.destroy();
    this.#watchAgents.clear();
  }

  /**
   * The library's Watch takes no AbortSignal and hands out its AbortController only once the response
   * headers are in, so a watch request still connecting cannot be aborted that way. The Watch gets its HTTP
   * agent from this kubeconfig (`applyToFetchOptions`, see #watchConfig), a fresh one per request; #endWatch
   * destroys it, which ends a request that the API server has not answered. The short wait here is a
   * fallback should a later library version stop taking the agent from there.
   */
  async #stopWatch(): Promise<void> {
    const open = this.#watch;
    if (open) this.#endWatch(open.id);
    const request = this.#watchRequest;
    if (!request) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([request, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** The caller's kubeconfig, except that the HTTP agent of each watch request is kept for stop(). */
  #watchConfig(): KubeConfig {
    const base = this.#kubeConfig;
    const config = Object.create(base) as KubeConfig;
    config.applyToFetchOptions = async (options) => {
      const init = await base.applyToFetchOptions(options);
      // Credentials can take a while (an exec plugin, say): a source stopped meanwhile sends nothing.
      if (this.#stopped) throw new Error('the source was stopped');
      const agent = init.agent as Agent | undefined;
      if (agent && typeof agent.destroy === 'function') this.#watchAgents.add(agent);
      return init;
    };
    return config;
  }

  /** Runs `next` after an exponential backoff with equal jitter, logging one line with the reason. */
  #retry(reason: string, next: () => unknown): void {
    if (this.#stopped) return;
    const ceiling = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** Math.min(this.#failures, 30));
    const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.#failures += 1;
    this.#logger.warn(
      {
        source: this.location,
        reason,
        retryInMs: delayMs,
        attempt: this.#failures,
        resourceVersion: this.#resourceVersion,
      },
      'kubernetes secret watch reconnecting',
    );
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) void next();
    }, delayMs).unref();
  }

  #fieldSelector(): string {
    return `metadata.name=${this.#name}`;
  }
}

/** The Secret's keys, base64-decoded and trimmed of trailing CR/LF; empty ones are named in problems. */
function readingOf(location: string, data: Record<string, string> | null | undefined): SecretReading {
  const keys: SecretKey[] = [];
  const problems: string[] = [];
  for (const name of Object.keys(data ?? {}).sort()) {
    const value = trimSecret(Buffer.from(data?.[name] ?? '', 'base64'));
    if (value.length === 0) problems.push(`${location} key ${name}: empty, ignored`);
    else keys.push({ name, value });
  }
  if (keys.length === 0 && problems.length === 0) problems.push(`${location}: the Secret has no data`);
  return { keys, problems };
}

function missing(location: string, why: string): SecretReading {
  return { keys: [], problems: [`${location}: ${why}`] };
}

/** Request options that make a generated API call abortable (the generated client has no other way in). */
function withSignal(signal: AbortSignal): { middleware: ObservableMiddleware[]; middlewareMergeStrategy: 'append' } {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** A short reason for logs and problems: a status and the API's own message, never headers or bodies. */
function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const status = parseStatus(error.body);
    return status ? `HTTP ${String(error.code)}: ${describeStatus(status)}` : `HTTP ${String(error.code)}`;
  }
  const statusCode = statusCodeOf(error);
  if (statusCode !== undefined) return `HTTP ${String(statusCode)} ${(error as Error).message}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function describeStatus(status: WatchedObject): string {
  const parts = [status.code === undefined ? undefined : String(status.code), status.reason, status.message];
  return parts.filter((part) => part !== undefined && part !== '').join(' ') || 'unknown error';
}

function parseStatus(body: unknown): WatchedObject | undefined {
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    if (parsed && typeof parsed === 'object' && (parsed as WatchedObject).kind === 'Status')
      return parsed as WatchedObject;
  } catch {
    // Not JSON: the status code alone will do.
  }
  return undefined;
}
