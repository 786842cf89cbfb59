import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';

import { createLogger } from '../../src/observability/logger.js';
import {
  KubernetesSecretSource,
  loadKubeConfig,
  serviceAccountNamespace,
} from '../../src/secrets/kubernetes-secret-source.js';
import type { SecretReading } from '../../src/secrets/secret-source.js';
import { FAKE_TOKEN, FakeKubeApi, writeKubeconfig } from '../helpers/fake-kube-api.js';

const NAMESPACE = 'payments';
const NAME = 'genesys-webhook';

interface TimedReading extends SecretReading {
  at: number;
}

interface Harness {
  api: FakeKubeApi;
  source: KubernetesSecretSource;
  readings: TimedReading[];
  log(): string;
  /** The first reading after the `after`-th that satisfies `match`. */
  nextReading(after: number, match: (reading: TimedReading) => boolean, timeoutMs?: number): Promise<TimedReading>;
  start(): Promise<void>;
}

/** The stand-in API server, a kubeconfig pointing at it, and a source built from that kubeconfig. */
async function setUp(t: TestContext, prepare: (api: FakeKubeApi) => void = () => undefined): Promise<Harness> {
  const api = await FakeKubeApi.start();
  prepare(api);
  const kubeconfig = await writeKubeconfig(api.url, NAMESPACE);
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfig.path;
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig();
  } finally {
    if (previous === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previous;
  }

  const lines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const source = new KubernetesSecretSource({
    name: NAME,
    namespace: NAMESPACE,
    kubeConfig,
    logger,
    initialBackoffMs: 40,
    maxBackoffMs: 400,
  });
  const readings: TimedReading[] = [];
  const waiters = new Set<() => void>();

  t.after(async () => {
    await source.stop();
    await api.close();
    await kubeconfig.remove();
  });

  return {
    api,
    source,
    readings,
    log: () => lines.join(''),
    start: () =>
      source.start((reading) => {
        readings.push({ ...reading, at: Date.now() });
        for (const wake of waiters) wake();
      }),
    async nextReading(after, match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = readings.slice(after).find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `no matching reading within ${String(timeoutMs)} ms; got ${JSON.stringify(summary(readings))}`,
          );
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
  };
}

function summary(readings: SecretReading[]): Array<{ keys: Record<string, string>; problems: string[] }> {
  return readings.map((reading) => ({
    keys: Object.fromEntries(reading.keys.map((key) => [key.name, key.value.toString('utf8')])),
    problems: reading.problems,
  }));
}

function valuesOf(reading: SecretReading): Record<string, string> {
  return Object.fromEntries(reading.keys.map((key) => [key.name, key.value.toString('utf8')]));
}

function hasValue(name: string, value: string): (reading: SecretReading) => boolean {
  return (reading) => reading.keys.some((key) => key.name === name && key.value.toString('utf8') === value);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('KubernetesSecretSource against a stand-in API server', () => {
  test('reports every key of the Secret from its first list, decoded and trimmed, naming empty values as problems', async (t) => {
    const h = await setUp(t, (api) => {
      api.setSecret(NAMESPACE, NAME, {
        current: 'value-current\r\n',
        previous: Buffer.from([0, 1, 2, 255]),
        blank: '',
      });
      api.setSecret(NAMESPACE, 'some-other-secret', { current: 'not ours' });
    });
    await h.start();

    assert.equal(h.readings.length, 1, 'start() resolves once the first reading is reported');
    const [first] = h.readings;
    assert.deepEqual(
      first!.keys.map((key) => key.name),
      ['current', 'previous'],
    );
    assert.equal(first!.keys[0]!.value.toString('utf8'), 'value-current');
    assert.deepEqual(first!.keys[1]!.value, Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(first!.problems, [`${NAMESPACE}/${NAME} key blank: empty, ignored`]);
    assert.equal(h.source.location, `${NAMESPACE}/${NAME}`);

    const [list] = h.api.requestsOf('list');
    assert.equal(list!.path, `/api/v1/namespaces/${NAMESPACE}/secrets`);
    assert.equal(list!.query.get('fieldSelector'), `metadata.name=${NAME}`);
    assert.equal(list!.headers.authorization, `Bearer ${FAKE_TOKEN}`, 'the token comes from the kubeconfig');

    await h.api.waitForWatches(1);
    const [watch] = h.api.requestsOf('watch');
    assert.equal(watch!.query.get('fieldSelector'), `metadata.name=${NAME}`);
    assert.equal(
      watch!.query.get('resourceVersion'),
      h.api.resourceVersion,
      "the watch starts from the list's resourceVersion",
    );
    assert.equal(watch!.query.get('allowWatchBookmarks'), 'true');
    assert.ok(Number(watch!.query.get('timeoutSeconds')) >= 300);
  });

  test('delivers a modification through the watch within about a second', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);

    const latencies: number[] = [];
    for (let round = 2; round <= 6; round += 1) {
      const before = h.readings.length;
      const changedAt = Date.now();
      h.api.setSecret(NAMESPACE, NAME, { current: `value-${String(round)}`, previous: `value-${String(round - 1)}` });
      const reading = await h.nextReading(before, hasValue('current', `value-${String(round)}`));
      latencies.push(reading.at - changedAt);
      assert.deepEqual(valuesOf(reading), {
        current: `value-${String(round)}`,
        previous: `value-${String(round - 1)}`,
      });
    }
    t.diagnostic(`modification → reading latency, ms: ${latencies.join(', ')}`);
    // About a second is the promise; the machines that run this are noisy, so the bound has slack.
    assert.ok(Math.max(...latencies) < 3_000, `latencies ${latencies.join(', ')} ms`);
    assert.equal(h.api.requestsOf('list').length, 1, 'modifications arrive through the watch, not by listing again');
  });

  test('reports a reading without keys when the Secret is deleted, and its keys again when it is created anew', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);

    h.api.deleteSecret(NAMESPACE, NAME);
    const deleted = await h.nextReading(1, (reading) => reading.keys.length === 0);
    assert.deepEqual(deleted.problems, [`${NAMESPACE}/${NAME}: Secret deleted`]);

    h.api.setSecret(NAMESPACE, NAME, { current: 'two' });
    const back = await h.nextReading(2, hasValue('current', 'two'));
    assert.deepEqual(valuesOf(back), { current: 'two' });
  });

  test('after a dropped connection, watches again from the last resourceVersion it saw and still delivers later changes', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);
    const lastSeen = h.api.setSecret(NAMESPACE, NAME, { current: 'two' });
    await h.nextReading(1, hasValue('current', 'two'));
    // Changes to other Secrets move the store's version on without reaching this watch.
    h.api.setSecret(NAMESPACE, 'unrelated', { x: 'y' });

    h.api.dropWatches();
    await h.api.waitForWatches(1);
    const resumed = h.api.requestsOf('watch').at(-1)!;
    assert.equal(resumed.query.get('resourceVersion'), lastSeen);
    assert.equal(h.api.requestsOf('list').length, 1, 'a dropped watch resumes without listing again');

    const before = h.readings.length;
    h.api.setSecret(NAMESPACE, NAME, { current: 'three' });
    await h.nextReading(before, hasValue('current', 'three'));

    // A watch the server ends cleanly is renewed the same way.
    const latest = h.api.resourceVersion;
    h.api.endWatches();
    await h.api.waitForWatches(1);
    assert.equal(h.api.requestsOf('watch').at(-1)!.query.get('resourceVersion'), latest);
    h.api.setSecret(NAMESPACE, NAME, { current: 'four' });
    await h.nextReading(before, hasValue('current', 'four'));

    assert.match(
      h.log(),
      /"level":"warn".*"reason":"[^"]*closed the watch[^"]*".*kubernetes secret watch reconnecting/,
    );
  });

  test('resumes from the resourceVersion of the latest bookmark', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);
    h.api.setSecret(NAMESPACE, 'unrelated', { x: 'y' });
    const bookmarked = h.api.bookmark();
    await new Promise((resolve) => setTimeout(resolve, 100));

    h.api.dropWatches();
    await h.api.waitForWatches(1);
    assert.equal(h.api.requestsOf('watch').at(-1)!.query.get('resourceVersion'), bookmarked);
    assert.equal(h.readings.length, 1, 'a bookmark is not a reading');
  });

  test('when the resumed watch is refused with HTTP 410 Gone, lists the Secret again and watches from the fresh resourceVersion', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);
    const seen = h.api.requestsOf('watch')[0]!.query.get('resourceVersion');

    // The connection drops, the Secret changes meanwhile, and the server compacts away the versions the
    // client knows: its resumed watch is refused.
    h.api.dropWatches();
    const fresh = h.api.setSecret(NAMESPACE, NAME, { current: 'two' });
    h.api.expireBelow(fresh, 'status');

    const relisted = await h.nextReading(1, hasValue('current', 'two'));
    assert.deepEqual(valuesOf(relisted), { current: 'two' });
    await h.api.waitForWatches(1);
    const watches = h.api.requestsOf('watch');
    const refused = watches.find((request) => request.status === 410);
    assert.ok(refused, 'a watch was refused with 410');
    assert.equal(refused.query.get('resourceVersion'), seen);
    assert.equal(h.api.requestsOf('list').length, 2);
    assert.ok(h.api.requestsOf('list')[1]!.at >= refused.at, 'listed again after the 410');
    assert.equal(watches.at(-1)!.query.get('resourceVersion'), fresh);

    const before = h.readings.length;
    h.api.setSecret(NAMESPACE, NAME, { current: 'three' });
    await h.nextReading(before, hasValue('current', 'three'));
    assert.match(h.log(), /"reason":"watch answered HTTP 410[^"]*listing again/);
  });

  test('when the watch reports 410 Gone as an ERROR event, lists the Secret again and carries on', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);

    h.api.dropWatches();
    const fresh = h.api.setSecret(NAMESPACE, NAME, { current: 'two' });
    h.api.expireBelow(fresh, 'event');

    await h.nextReading(1, hasValue('current', 'two'));
    await h.api.waitForWatches(1);
    assert.ok(h.api.requestsOf('watch').some((request) => request.goneEvent === true));
    assert.equal(h.api.requestsOf('list').length, 2);
    assert.equal(h.api.requestsOf('watch').at(-1)!.query.get('resourceVersion'), fresh);

    const before = h.readings.length;
    h.api.setSecret(NAMESPACE, NAME, { current: 'three' });
    await h.nextReading(before, hasValue('current', 'three'));
    assert.match(h.log(), /"reason":"watch ERROR event: 410 Expired too old resource version[^"]*listing again/);
  });

  test('reports a problem when the Secret does not exist at start, and its keys as soon as it is created', async (t) => {
    const h = await setUp(t);
    await h.start();
    assert.equal(h.readings.length, 1);
    assert.deepEqual(h.readings[0]!.keys, []);
    assert.deepEqual(h.readings[0]!.problems, [`${NAMESPACE}/${NAME}: Secret not found`]);

    await h.api.waitForWatches(1);
    const createdAt = Date.now();
    h.api.setSecret(NAMESPACE, NAME, { current: 'arrived' });
    const arrived = await h.nextReading(1, hasValue('current', 'arrived'));
    t.diagnostic(`creation → reading latency: ${String(arrived.at - createdAt)} ms`);
    assert.ok(arrived.at - createdAt < 3_000);
  });

  test('reports a failed first list as a problem instead of throwing, and retries with backoff until it succeeds', async (t) => {
    const h = await setUp(t, (api) => {
      api.setSecret(NAMESPACE, NAME, { current: 'one' });
      api.failNext(3, 503, ['list']);
    });
    await h.start();
    assert.equal(h.readings.length, 1);
    assert.deepEqual(h.readings[0]!.keys, []);
    assert.match(
      h.readings[0]!.problems[0]!,
      /^payments\/genesys-webhook: cannot list the Secret: HTTP 503: 503 InternalError injected failure 503$/,
    );

    await h.nextReading(1, hasValue('current', 'one'));
    const lists = h.api.requestsOf('list');
    assert.deepEqual(
      lists.map((request) => request.status),
      [503, 503, 503, 200],
    );
    const gaps = lists.slice(1).map((request, index) => request.at - lists[index]!.at);
    // Delays are drawn from [ceiling/2, ceiling] with the ceiling doubling from 40 ms: ≥ 20, ≥ 40, ≥ 80 ms.
    assert.ok(gaps[0]! >= 15 && gaps[1]! >= 35 && gaps[2]! >= 75, `gaps ${gaps.join(', ')} ms`);
    assert.equal((h.log().match(/kubernetes secret watch reconnecting/g) ?? []).length, 3, 'one warning per retry');
  });

  test('a watch refused by the server is retried with backoff from the same resourceVersion', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    h.api.failNext(2, 500, ['watch']);
    await h.start();
    await h.api.waitForWatches(1);
    const watches = h.api.requestsOf('watch');
    assert.deepEqual(
      watches.map((request) => request.status),
      [500, 500, 200],
    );
    assert.ok(
      watches.every((request) => request.query.get('resourceVersion') === watches[0]!.query.get('resourceVersion')),
    );
    assert.equal(h.api.requestsOf('list').length, 1);
  });

  test('never writes a secret value to its log', async (t) => {
    const values = ['s3cr3t-value-one', 's3cr3t-value-two'];
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: values[0]! }));
    await h.start();
    await h.api.waitForWatches(1);
    h.api.setSecret(NAMESPACE, NAME, { current: values[1]! });
    await h.nextReading(1, hasValue('current', values[1]!));
    h.api.dropWatches();
    await h.api.waitForWatches(1);
    h.api.expireBelow(h.api.setSecret(NAMESPACE, 'unrelated', { x: 'y' }), 'event');
    h.api.dropWatches();
    await waitFor(() => h.api.requestsOf('list').length === 2, 'a second list');

    const log = h.log();
    assert.match(log, /reconnecting/);
    for (const value of values) {
      assert.ok(!log.includes(value), 'a value in the log');
      assert.ok(!log.includes(Buffer.from(value).toString('base64')), "a value's base64 in the log");
    }
  });

  test('stop() closes the watch at once and leaves nothing running', async (t) => {
    const h = await setUp(t, (api) => api.setSecret(NAMESPACE, NAME, { current: 'one' }));
    await h.start();
    await h.api.waitForWatches(1);

    const stopping = Date.now();
    await h.source.stop();
    const took = Date.now() - stopping;
    assert.ok(took < 500, `stop() took ${String(took)} ms`);
    await waitFor(() => h.api.openWatches === 0, 'the server to see the watch close');

    const requests = h.api.requests.length;
    h.api.setSecret(NAMESPACE, NAME, { current: 'two' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.api.requests.length, requests, 'no request after stop()');
    assert.equal(h.readings.length, 1, 'no reading after stop()');
  });

  test('stop() ends a watch request that the API server never answers, without waiting for it', async (t) => {
    const h = await setUp(t, (api) => {
      api.setSecret(NAMESPACE, NAME, { current: 'one' });
      api.stallNext(1, ['watch']);
    });
    await h.start();
    await waitFor(() => h.api.stalledRequests === 1, 'the watch request to arrive');

    const stopping = Date.now();
    await h.source.stop();
    const took = Date.now() - stopping;
    assert.ok(took < 500, `stop() took ${String(took)} ms`);
    await waitFor(() => h.api.stalledRequests === 0, 'the client to close the stalled request');
  });

  test('stop() aborts a first list that the API server never answers, and start() then resolves', async (t) => {
    const h = await setUp(t, (api) => api.stallNext(1, ['list']));
    const starting = h.start();
    await waitFor(() => h.api.stalledRequests === 1, 'the list request to arrive');

    const stopping = Date.now();
    await h.source.stop();
    await starting;
    assert.ok(Date.now() - stopping < 500);
    assert.equal(h.readings.length, 0, 'nothing is reported after stop()');
    await waitFor(() => h.api.stalledRequests === 0, 'the client to close the stalled request');
  });

  test('stop() during a backoff wait resolves at once and cancels the retry', async (t) => {
    const h = await setUp(t, (api) => api.failNext(50, 503, ['list']));
    await h.start();
    await waitFor(() => h.api.requestsOf('list').length >= 2, 'a retry');
    const stopping = Date.now();
    await h.source.stop();
    assert.ok(Date.now() - stopping < 200);
    const lists = h.api.requestsOf('list').length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(h.api.requestsOf('list').length, lists, 'no retry after stop()');
  });

  test('an API server that cannot be reached gives a reading with the reason, not an exception', async (t) => {
    const h = await setUp(t);
    await h.api.close();
    await h.start();
    assert.equal(h.readings.length, 1);
    assert.deepEqual(h.readings[0]!.keys, []);
    assert.match(h.readings[0]!.problems[0]!, /cannot list the Secret: .*ECONNREFUSED/);
    assert.ok(!h.readings[0]!.problems[0]!.includes(FAKE_TOKEN));
  });
});

describe('serviceAccountNamespace', () => {
  test("reads the pod's namespace from the service account file and gives undefined where there is none", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gws-sa-'));
    try {
      await writeFile(join(dir, 'namespace'), 'payments\n');
      assert.equal(serviceAccountNamespace(join(dir, 'namespace')), 'payments');
      await writeFile(join(dir, 'empty'), '');
      assert.equal(serviceAccountNamespace(join(dir, 'empty')), undefined);
      assert.equal(serviceAccountNamespace(join(dir, 'missing')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
