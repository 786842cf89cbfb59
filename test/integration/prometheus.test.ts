// The dashboard, the alert rules and the exported metrics checked against each other by a real Prometheus:
// it scrapes a live sidecar (in this process) every second while mixed traffic flows, loads
// deploy/prometheus/alerts.yaml, and then answers every query of the Grafana dashboard through its HTTP API.
// Each query must parse and return data, so a renamed metric or label breaks this test, not a dashboard.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test, type TestContext } from 'node:test';

import { purecloudEvent, purecloudSignature, SECRET } from '../helpers/events.js';
import { post } from '../helpers/post.js';
import { findPrometheus, startPrometheus, type RunningPrometheus, type VectorSample } from '../helpers/prometheus.js';
import { startRecordingUpstream, type RecordingUpstream } from '../helpers/recording-upstream.js';
import { makeSecretVolume, type SecretVolume } from '../helpers/secret-volume.js';
import { startTestSidecar, type TestSidecar } from '../helpers/test-sidecar.js';

// Compiled to dist/test/integration: the repository root is three levels up.
const DASHBOARD_FILE = fileURLToPath(new URL('../../../deploy/grafana/genesys-webhook-sidecar.json', import.meta.url));
const RULES_FILE = fileURLToPath(new URL('../../../deploy/prometheus/alerts.yaml', import.meta.url));

const JOB = 'genesys-webhook-sidecar';
const SIGNATURE = 'x-purecloud-webhook-signature';
/** What Grafana's $__rate_interval stands for here: several 1 s scrapes, and all of the traffic. */
const RATE_INTERVAL = '15s';
const TRAFFIC_MS = 5_000;
const ROUND_MS = 200;
const PROMETHEUS = findPrometheus();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------------------------------ dashboard

interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  definition?: string;
  query?: string | { query?: string };
  allValue?: string;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every panel, including those nested in collapsed rows. */
function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const queryPanels = allPanels(dashboard.panels).filter((panel) => panel.type !== 'row');
const dashboardQueries = queryPanels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, refId: target.refId, expr: target.expr })),
);
const variables = dashboard.templating.list;

/**
 * A dashboard expression as Grafana would send it with every variable set to "All": the interval macros
 * become RATE_INTERVAL and template variables their match-everything regex (our variables' allValue).
 */
function toPromQL(expr: string): string {
  return expr
    .replace(/\$\{?__(?:rate_interval|interval|range)\}?/g, RATE_INTERVAL)
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}

/** Names of the template variables an expression uses (Grafana's `$name` and `${name}` forms). */
function variablesIn(expr: string): string[] {
  return [...expr.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((name) => !name.startsWith('__'));
}

function variableQuery(variable: Variable): string {
  if (variable.definition) return variable.definition;
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

// ------------------------------------------------------------------------------------------ rules

const rulesText = readFileSync(RULES_FILE, 'utf8');
const alertNames = [...rulesText.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)].map((match) => match[1]!);

/** Every series selector (`genesys_webhook_…{…}`) the rules use, so each can be checked for data. */
const ruleSelectors = [
  ...new Set([...rulesText.matchAll(/\b(genesys_webhook_\w+)(\{[^}]*\})?/g)].map((match) => match[0])),
];

// ------------------------------------------------------------------------------------------ tests

describe('the Grafana dashboard file', () => {
  test('is a schema-39-era dashboard whose panels all query Prometheus through the datasource variable', () => {
    assert.equal(dashboard.uid, 'genesys-webhook-sidecar');
    assert.ok(
      dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41,
      `schemaVersion ${dashboard.schemaVersion}`,
    );
    const datasource = variables.find((variable) => variable.type === 'datasource');
    assert.ok(datasource, 'a datasource template variable');
    const ids = allPanels(dashboard.panels).map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const panel of queryPanels) {
      assert.ok((panel.targets ?? []).length > 0, `panel "${panel.title}" has queries`);
      assert.equal(
        panel.datasource?.uid,
        `\${${datasource.name}}`,
        `panel "${panel.title}" uses the datasource variable`,
      );
      for (const target of panel.targets ?? []) {
        assert.ok(target.expr.trim(), `panel "${panel.title}" ${target.refId} has an expression`);
        assert.equal(
          target.datasource?.uid,
          `\${${datasource.name}}`,
          `panel "${panel.title}" ${target.refId} uses the datasource variable`,
        );
      }
    }
  });

  test('uses only declared template variables, each with a match-everything "All"', () => {
    const declared = new Map(variables.map((variable) => [variable.name, variable]));
    for (const { panel, refId, expr } of dashboardQueries) {
      for (const name of variablesIn(expr))
        assert.ok(declared.has(name), `panel "${panel}" ${refId} uses undeclared $${name}`);
    }
    for (const variable of variables.filter((one) => one.type === 'query')) {
      assert.equal(variable.allValue, '.*', `$${variable.name} "All" matches every value`);
    }
  });

  test('uses $__rate_interval in every range vector', () => {
    for (const { panel, refId, expr } of dashboardQueries) {
      for (const match of expr.matchAll(/\[([^\]]+)\]/g)) {
        assert.equal(match[1], '$__rate_interval', `panel "${panel}" ${refId}: [${match[1]}]`);
      }
    }
  });
});

describe(
  'a real Prometheus scraping a live sidecar under traffic',
  {
    skip: PROMETHEUS
      ? false
      : 'no `prometheus` binary on PATH (apt-get install --no-install-recommends prometheus; .ci/run installs it)',
  },
  () => {
    let app: RecordingUpstream;
    let volume: SecretVolume;
    let sidecar: TestSidecar;
    let prometheus: RunningPrometheus;

    async function vector(expr: string): Promise<VectorSample[]> {
      const answer = await prometheus.query(expr);
      assert.equal(answer.status, 'success', `${expr}: ${answer.error ?? ''}`);
      return answer.data?.result as VectorSample[];
    }

    /** Polls an instant query until `accept` says yes; fails with the last answer after `limitMs`. */
    async function waitForQuery(
      expr: string,
      accept: (samples: VectorSample[]) => boolean,
      limitMs = 10_000,
    ): Promise<void> {
      const deadline = Date.now() + limitMs;
      let samples: VectorSample[] = [];
      while (Date.now() < deadline) {
        samples = await vector(expr);
        if (accept(samples)) return;
        await sleep(200);
      }
      assert.fail(
        `${expr} did not reach the expected value within ${limitMs} ms: ${JSON.stringify(samples)}\n${prometheus.output()}`,
      );
    }

    before(async () => {
      app = await startRecordingUpstream();
      // The app's answer depends on the event: 500s and 409s for the status classes, and answers slower
      // than UPSTREAM_TIMEOUT_MS for 504 upstream_timeout.
      app.answerWith((request) => {
        const state = (JSON.parse(request.body.toString('utf8')) as { data?: { state?: string } }).data?.state;
        if (state === 'app-error') return { status: 500, body: '{"error":"boom"}' };
        if (state === 'conflict') return { status: 409, body: '{"error":"conflict"}' };
        if (state === 'slow') return { delayMs: 600 };
        return {};
      });
      volume = await makeSecretVolume({ current: SECRET });
      sidecar = await startTestSidecar({
        UPSTREAM_URL: app.url,
        WEBHOOK_SECRET_PATH: volume.path,
        UPSTREAM_TIMEOUT_MS: '300',
      });
      prometheus = await startPrometheus({
        binary: PROMETHEUS!,
        jobName: JOB,
        targets: [`127.0.0.1:${sidecar.adminPort}`],
        ruleFiles: [RULES_FILE],
        interval: '1s',
      });
      await waitForQuery(`up{job="${JOB}"}`, (samples) => samples[0]?.value[1] === '1');

      // Mixed traffic for TRAFFIC_MS, as a round of requests every ROUND_MS.
      const surprises: string[] = [];
      const expect = async (what: string, status: number, answer: Promise<{ status: number }>) => {
        const got = (await answer).status;
        if (got !== status) surprises.push(`${what}: ${got} instead of ${status}`);
      };
      const endpoint = `${sidecar.webhookUrl}/webhook/genesys`;
      const signed = (body: Buffer | string) => ({ [SIGNATURE]: purecloudSignature(body) });
      const started = Date.now();
      for (let round = 0; Date.now() - started < TRAFFIC_MS; round += 1) {
        const roundStarted = Date.now();
        const valid = purecloudEvent();
        const malformed = '{"id": "broken", ';
        const requests = [
          (async () => {
            await expect('valid event', 200, post(endpoint, valid, signed(valid)));
            await expect('its retry (duplicate)', 200, post(endpoint, valid, signed(valid)));
          })(),
          expect(
            'bad signature',
            403,
            post(endpoint, purecloudEvent(), { [SIGNATURE]: purecloudSignature('other', SECRET) }),
          ),
          expect('missing signature', 400, post(endpoint, purecloudEvent())),
          expect('malformed JSON', 400, post(endpoint, malformed, signed(malformed))),
        ];
        const special = (state: string, status: number) => {
          const body = purecloudEvent({ data: { state } });
          requests.push(expect(`app answering ${state}`, status, post(endpoint, body, signed(body))));
        };
        if (round % 3 === 0) special('app-error', 500);
        if (round % 4 === 1) special('conflict', 409);
        if (round % 5 === 2) special('slow', 504);
        // A secret rotation in the middle of the traffic, as the kubelet would write it.
        if (round === 10) requests.push(volume.update({ current: SECRET, next: 'next-secret' }));
        await Promise.all(requests);
        await sleep(Math.max(0, ROUND_MS - (Date.now() - roundStarted)));
      }
      const trafficEnded = Date.now() / 1000;
      assert.deepEqual(surprises, [], 'the traffic got the answers it should');

      // One complete scrape after the last request, so every counter holds the whole traffic.
      await waitForQuery(`timestamp(up{job="${JOB}"})`, (samples) => Number(samples[0]?.value[1]) > trafficEnded + 0.2);
    });

    after(async () => {
      await prometheus?.stop();
      await sidecar?.close();
      await app?.close();
      await volume?.remove();
    });

    test('the alert rules are loaded by the server and evaluate with health ok', async () => {
      interface RuleGroup {
        file: string;
        rules: Array<{ name: string; type: string; health: string; lastError?: string }>;
      }
      let rules: RuleGroup['rules'] = [];
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const answer = await prometheus.api<{ groups: RuleGroup[] }>('/api/v1/rules');
        assert.equal(answer.status, 'success', answer.error);
        rules = answer.data!.groups.flatMap((group) => group.rules);
        if (rules.length > 0 && rules.every((rule) => rule.health !== 'unknown')) break;
        await sleep(200);
      }
      assert.ok(alertNames.length >= 5, `alerts found in ${RULES_FILE}: ${alertNames.join(', ')}`);
      assert.deepEqual(rules.map((rule) => rule.name).sort(), [...alertNames].sort());
      for (const rule of rules) {
        assert.equal(rule.type, 'alerting', rule.name);
        assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
      }
    });

    test('every series the alert rules select exists', async () => {
      const missing: string[] = [];
      for (const selector of ruleSelectors) {
        if ((await vector(`count(${selector})`)).length === 0) missing.push(selector);
      }
      assert.deepEqual(missing, [], 'rule selectors without any series');
    });

    test('every dashboard query parses and returns data', async (t: TestContext) => {
      const problems: string[] = [];
      for (const { panel, refId, expr } of dashboardQueries) {
        const promql = toPromQL(expr);
        const answer = await prometheus.query(promql);
        if (answer.status !== 'success') {
          problems.push(`"${panel}" ${refId}: ${answer.errorType ?? 'error'}: ${answer.error ?? ''}\n    ${promql}`);
        } else if (Array.isArray(answer.data?.result) && answer.data.result.length === 0) {
          problems.push(`"${panel}" ${refId}: no data\n    ${promql}`);
        }
      }
      t.diagnostic(
        `${dashboardQueries.length} queries from ${queryPanels.length} panels evaluated, ${problems.length} problems`,
      );
      assert.ok(dashboardQueries.length >= 20, `only ${dashboardQueries.length} dashboard queries`);
      assert.equal(
        problems.length,
        0,
        `dashboard queries that fail against a live sidecar:\n  ${problems.join('\n  ')}`,
      );
    });

    test("the traffic shows in the dashboard's numbers", async () => {
      /** The samples of one dashboard query, keyed by the value of `label` (or '' for a single series). */
      async function panelValues(title: string, refId: string, label?: string): Promise<Map<string, number>> {
        const target = dashboardQueries.find((query) => query.panel === title && query.refId === refId);
        assert.ok(target, `the dashboard has a panel "${title}" with a query ${refId}`);
        const samples = await vector(toPromQL(target.expr));
        return new Map(samples.map((sample) => [label ? (sample.metric[label] ?? '') : '', Number(sample.value[1])]));
      }
      const positive = (values: Map<string, number>, key: string, what: string) => {
        const value = values.get(key);
        assert.ok(
          value !== undefined && Number.isFinite(value) && value > 0,
          `${what}: ${value} (${JSON.stringify([...values])})`,
        );
      };

      positive(await panelValues('Delivered', 'A'), '', 'delivered rate');
      positive(await panelValues('Duplicates', 'A'), '', 'duplicate rate');
      positive(await panelValues('Invalid signatures', 'A'), '', 'invalid signature rate');
      positive(await panelValues('Failed (5xx, retried)', 'A'), '', 'failed rate');

      const rejected = await panelValues('Rejected by reason (4xx, never retried)', 'A', 'reason');
      for (const reason of ['invalid_signature', 'missing_signature', 'malformed_json'])
        positive(rejected, reason, `rejected ${reason}`);
      assert.equal(
        rejected.get('payload_too_large'),
        0,
        'a reason without traffic is a zero series, not a missing one',
      );
      positive(
        await panelValues('Failed by reason (5xx, retried)', 'A', 'reason'),
        'upstream_timeout',
        'failed upstream_timeout',
      );

      const classes = await panelValues('App answers by status class', 'A', 'code');
      for (const code of ['2xx', '4xx', '5xx']) positive(classes, code, `app answers ${code}`);

      positive(await panelValues('Request latency (answer to the sender)', 'C'), '', 'request latency p99');
      const byOutcome = await panelValues('Request latency p99 by outcome', 'A', 'outcome');
      for (const outcome of ['delivered', 'duplicate', 'rejected', 'failed', 'app_error'])
        positive(byOutcome, outcome, `p99 of ${outcome}`);
      positive(await panelValues('App latency (upstream)', 'B'), '', 'app latency p99');

      assert.equal(
        (await panelValues('Secrets loaded (min over pods)', 'A')).get(''),
        2,
        'both keys of the rotated Secret are loaded',
      );
      positive(
        await panelValues('Secret reloads by result', 'A', 'result'),
        'success',
        'successful reloads (start and rotation)',
      );
      const sinceReload = (await panelValues('Since last secret reload', 'A')).get('');
      assert.ok(
        sinceReload !== undefined && sinceReload >= 0 && sinceReload < 60,
        `seconds since the rotation: ${sinceReload}`,
      );
      positive(
        await panelValues('Dedupe entries', 'A', 'instance'),
        `127.0.0.1:${sidecar.adminPort}`,
        'dedupe entries',
      );
      positive(await panelValues('Memory', 'A', 'instance'), `127.0.0.1:${sidecar.adminPort}`, 'resident memory');
      positive(await panelValues('CPU', 'A', 'instance'), `127.0.0.1:${sidecar.adminPort}`, 'CPU');
    });

    test('every template variable query finds values', async () => {
      for (const variable of variables.filter((one) => one.type === 'query')) {
        const query = variableQuery(variable);
        const parsed = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
        assert.ok(parsed, `$${variable.name}: ${query} is a label_values(selector, label) query`);
        const answer = await prometheus.api<string[]>(`/api/v1/label/${parsed[2]}/values`, {
          'match[]': toPromQL(parsed[1]!),
        });
        assert.equal(answer.status, 'success', `$${variable.name}: ${answer.error ?? ''}`);
        assert.ok((answer.data ?? []).length > 0, `$${variable.name}: ${query} finds no values`);
      }
      const jobs = await prometheus.api<string[]>('/api/v1/label/job/values', {
        'match[]': 'genesys_webhook_accepted_total',
      });
      assert.deepEqual(jobs.data, [JOB]);
    });
  },
);
