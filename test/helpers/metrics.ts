/** The value of one sample in Prometheus text format, or undefined when the series is absent. */
export function sampleValue(exposition: string, name: string, labels = ''): number | undefined {
  const series = labels ? `${name}{${labels}}` : name;
  for (const line of exposition.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
