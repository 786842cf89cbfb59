// Turns the samples of a run into figures relative to the same run's baselines, checks them against the
// targets of issue 5, and renders the tables (Markdown, which also reads well on a terminal).

export const median = (values) => {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const max = (values) => Math.max(...values.filter(Number.isFinite));
const fmt = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const signed = (value, digits) =>
  Number.isFinite(value) ? `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}` : '–';
const MB = 1024 * 1024;

/** Per-round ratio or difference against a baseline measured in the same round, then the median. */
function paired(samples, baseline, pick, combine) {
  if (!baseline) return NaN;
  return median(samples.map((s, i) => (baseline[i] ? combine(pick(s), pick(baseline[i])) : NaN)));
}
const ratio = (a, b) => a / b;
const difference = (a, b) => a - b;

export function badAnswers(sample) {
  const wrongStatus = Object.entries(sample.statuses).reduce((n, [code, count]) => n + (code === '200' ? 0 : count), 0);
  return wrongStatus + sample.errors + sample.timeouts + sample.mismatches;
}

/** Figures of one body size: one row per variant for each phase. */
export function summarize(variants, size) {
  const thr = size.throughput;
  const fixed = size.paced;
  const throughput = variants
    .filter((v) => thr[v.key])
    .map((v) => {
      const s = thr[v.key];
      return {
        variant: v,
        rps: median(s.map((x) => x.rps)),
        perRound: s.map((x) => x.rps),
        vsDirect: paired(s, thr.direct, (x) => x.rps, ratio),
        vsPassthrough: paired(s, thr.passthrough, (x) => x.rps, ratio),
        cpuMsPerReq: median(s.map((x) => x.proxyCpuMsPerReq)),
        appCpuMsPerReq: median(s.map((x) => x.appCpuMsPerReq)),
        loaderBusy: max(s.map((x) => x.loaderBusy)),
        bad: s.reduce((n, x) => n + badAnswers(x), 0),
        answers: s.reduce((n, x) => n + x.answers, 0),
      };
    });
  const rate = variants
    .filter((v) => fixed[v.key])
    .map((v) => {
      const s = fixed[v.key];
      return {
        variant: v,
        rps: median(s.map((x) => x.rps)),
        p50: median(s.map((x) => x.latencyMs.p50)),
        p99: median(s.map((x) => x.latencyMs.p99)),
        p999: median(s.map((x) => x.latencyMs.p999)),
        addedP50: paired(s, fixed.direct, (x) => x.latencyMs.p50, difference),
        p99VsPassthrough: paired(s, fixed.passthrough, (x) => x.latencyMs.p99, ratio),
        cpuMsPerReq: median(s.map((x) => x.proxyCpuMsPerReq)),
        cpuVsPassthrough: paired(s, fixed.passthrough, (x) => x.proxyCpuMsPerReq, ratio),
        appCpuMsPerReq: median(s.map((x) => x.appCpuMsPerReq)),
        peakRssMB: max(s.map((x) => x.peakRssBytes / MB)),
        maxLagMs: max(s.map((x) => x.maxLagMs)),
        bad: s.reduce((n, x) => n + badAnswers(x), 0),
        answers: s.reduce((n, x) => n + x.answers, 0),
      };
    });
  return { bytes: size.bytes, rounds: size.rounds, throughput, rate };
}

/** The targets of issue 5, judged on the first (≈1 KB) body size. */
export function judgeTargets(summary, settings) {
  const thr = (key) => summary.throughput.find((r) => r.variant.key === key);
  const fix = (key) => summary.rate.find((r) => r.variant.key === key);
  const rows = [];
  const check = (target, key, value, shown, met) => {
    if (value === undefined || !Number.isFinite(value)) return;
    rows.push({
      target,
      variant: summary.rate.concat(summary.throughput).find((r) => r.variant.key === key).variant.label,
      shown,
      met: met(value),
    });
  };
  for (const key of ['sidecar-purecloud', 'sidecar-open-messaging']) {
    check(
      'max throughput ≥ 1.1 × bare Node passthrough',
      key,
      thr(key)?.vsPassthrough,
      `${fmt(thr(key)?.vsPassthrough, 2)} ×`,
      (v) => v >= 1.1,
    );
  }
  for (const key of [
    'sidecar-purecloud',
    'sidecar-open-messaging',
    'sidecar-purecloud-remembered',
    'sidecar-open-messaging-remembered',
  ]) {
    check(
      `≤ 0.25 CPU-ms per request at ${settings.rate} req/s`,
      key,
      fix(key)?.cpuMsPerReq,
      `${fmt(fix(key)?.cpuMsPerReq, 3)} ms`,
      (v) => v <= 0.25,
    );
  }
  for (const key of ['sidecar-purecloud', 'sidecar-open-messaging']) {
    check(
      `added p50 over direct at ${settings.rate} req/s ≤ 0.4 ms`,
      key,
      fix(key)?.addedP50,
      `${signed(fix(key)?.addedP50, 3)} ms`,
      (v) => v <= 0.4,
    );
  }
  for (const key of ['sidecar-purecloud', 'sidecar-open-messaging']) {
    check(
      "p99 no worse than the bare passthrough's",
      key,
      fix(key)?.p99VsPassthrough,
      `${fmt(fix(key)?.p99VsPassthrough, 2)} ×`,
      (v) => v <= 1,
    );
  }
  for (const key of ['sidecar-purecloud-remembered', 'sidecar-open-messaging-remembered']) {
    check(
      `peak RSS ≤ 80 MB at ${settings.rate} req/s with ${settings.prefill.toLocaleString('en-US')} remembered events`,
      key,
      fix(key)?.peakRssMB,
      `${fmt(fix(key)?.peakRssMB, 1)} MB`,
      (v) => v <= 80,
    );
  }
  return rows;
}

function table(header, rows, alignRight) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (alignRight(i) ? '---:' : '---')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

export function throughputTable(summary) {
  return table(
    [
      'variant',
      'req/s (median)',
      'req/s per round',
      '× direct',
      '× passthrough',
      'proxy CPU ms/req',
      'app CPU ms/req',
      'load generator busy',
      'bad answers',
    ],
    summary.throughput.map((r) => [
      r.variant.label,
      fmt(r.rps, 0),
      r.perRound.map((x) => fmt(x, 0)).join(' / '),
      fmt(r.vsDirect, 2),
      r.variant.key === 'passthrough' ? '1' : fmt(r.vsPassthrough, 2),
      fmt(r.cpuMsPerReq, 3),
      fmt(r.appCpuMsPerReq, 3),
      `${fmt(r.loaderBusy * 100, 0)} %`,
      `${r.bad} of ${r.answers}`,
    ]),
    (i) => i > 0 && i !== 2,
  );
}

export function rateTable(summary) {
  return table(
    [
      'variant',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'p50 − direct',
      'p99 × passthrough',
      'CPU ms/req (s per 1,000)',
      'CPU × passthrough',
      'peak RSS MB',
      'req/s',
      'bad answers',
    ],
    summary.rate.map((r) => [
      r.variant.label,
      fmt(r.p50, 3),
      fmt(r.p99, 2),
      fmt(r.p999, 2),
      r.variant.key === 'direct' ? '–' : signed(r.addedP50, 3),
      fmt(r.p99VsPassthrough, 2),
      fmt(r.cpuMsPerReq, 3),
      fmt(r.cpuVsPassthrough, 2),
      fmt(r.peakRssMB, 1),
      fmt(r.rps, 0),
      `${r.bad} of ${r.answers}`,
    ]),
    (i) => i > 0,
  );
}

export function targetsTable(rows) {
  return table(
    ['target (issue 5)', 'variant', 'measured', 'met?'],
    rows.map((r) => [r.target, r.variant, r.shown, r.met ? 'met' : '**not met**']),
    () => false,
  );
}

export function kib(bytes) {
  return bytes >= 1024 ? `${fmt(bytes / 1024, bytes % 1024 ? 1 : 0)} KiB` : `${bytes} B`;
}
