/** The bench's outputs: a Markdown summary, an SVG chart, and the change from the last run. */
import { heaviestListTargets } from './heaviest-lists.js';
import type { HttpFigures } from './load.js';
import type { PaginationFigures } from './pagination.js';
import type { QueryFigures } from './query-level.js';
import { referenceTarget } from './reference-target.js';
import type { ScaleOutFigures } from './scale-out.js';
import { scaleOutSection, scaleOutSvg } from './scale-out-report.js';

export interface ScalingFigures {
  rows: number;
  coldP50: number;
  warmP50: number;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** Undefined for a figure reported beside the targets, with no goal of its own. */
  met: boolean | undefined;
}

export interface BenchResults {
  startedAt: string;
  machine: Record<string, string | number>;
  postgres: Record<string, string>;
  knobs: Record<string, number | boolean>;
  queries: QueryFigures[];
  http: HttpFigures[];
  /** WORKERS=1, WORKERS=2 and Redis Cluster (src/bench/scale-out.ts); absent in older runs. */
  scaleOut?: ScaleOutFigures[];
  pagination: PaginationFigures[];
  scaling: ScalingFigures[];
  targets: Target[];
  notes: string[];
}

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const http = (name: string) => results.http.find((f) => f.name === name);
  const query = (cache: string) =>
    results.queries.find((f) => f.query === 'findById' && f.cache === cache);
  const targets: Target[] = [];
  // Held to the lean references of the same run: what this stack alone does on this machine.
  for (const [name, goal] of [
    ['balance by id, warm (Redis)', 0.6],
    ['balance by id, warm', 0.6],
    ['balance by id, cold', 0.6],
    ['user token, warm (Redis)', 0.5],
    ['user total, warm (Redis)', 0.5],
  ] as const) {
    const target = referenceTarget(name, http(name), goal);
    if (target) targets.push(target);
  }
  targets.push(...heaviestListTargets(results.http));
  const warm = http('balance by id, warm (Redis)') ?? http('balance by id, warm');
  if (warm) {
    targets.push({
      name: `${warm.name}: p99 at ${results.knobs.connections} connections`,
      goal: 'at most 10 ms',
      measured: `${warm.p99} ms`,
      met: warm.p99 <= 10,
    });
  }
  for (const [cache, goal] of [
    ['redis', 0.25],
    ['memory', 0.02],
  ] as const) {
    const figure = query(cache);
    if (figure) {
      targets.push({
        name: `service-level cache hit (${cache})`,
        goal: `p50 under ${goal} ms`,
        measured: `${figure.warm.p50} ms`,
        met: figure.warm.p50 < goal,
      });
    }
  }
  const first = results.pagination[0];
  const deepest = results.pagination.at(-1);
  if (first && deepest && deepest.page > 1) {
    const ratio = deepest.keysetP50 / Math.max(first.keysetP50, 1e-6);
    targets.push({
      name: `keyset page at depth ${deepest.page}`,
      goal: 'within 1.5x of the first page',
      measured: `${ratio.toFixed(2)}x`,
      met: ratio <= 1.5,
    });
  }
  return targets;
}

export function markdownSummary(results: BenchResults, previous?: BenchResults): string {
  const change = (now: number, before: number | undefined) =>
    before === undefined || before === 0
      ? ''
      : ` (${now >= before ? '+' : ''}${(((now - before) / before) * 100).toFixed(0)}%)`;
  const lines = [
    `# Benchmark, ${results.startedAt}`,
    '',
    `Machine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; PostgreSQL ${results.postgres.version}; ${results.knobs.rows} rows.`,
    previous ? `Changes in brackets are against the previous run (${previous.startedAt}).` : '',
    '',
    '## Targets',
    '',
    '| target | goal | measured | |',
    '| --- | --- | --- | --- |',
    ...results.targets.map(
      (t) =>
        `| ${t.name} | ${t.goal} | ${t.measured} | ${t.met === undefined ? '' : t.met ? 'met' : 'missed'} |`,
    ),
    '',
    '## Service calls (in process; cold = cache lookup, PostgreSQL over loopback, cache store; warm = cache alone)',
    '',
    '| query | cache | cold p50 / p99 ms | warm p50 / p99 ms | speedup |',
    '| --- | --- | --- | --- | --- |',
    ...results.queries.map((f) => {
      const before = previous?.queries.find((p) => p.query === f.query && p.cache === f.cache);
      return `| ${f.query} | ${f.cache} | ${f.cold.p50}${change(f.cold.p50, before?.cold.p50)} / ${f.cold.p99} | ${f.warm.p50}${change(f.warm.p50, before?.warm.p50)} / ${f.warm.p99} | ${f.speedup}x |`;
    }),
    '',
    `## HTTP (autocannon, ${results.knobs.connections} connections, ${results.knobs.durationSeconds} s each, loopback; in-memory cache unless "(Redis)"; "reference" rows are the lean references of src/bench/lean-reference.ts, each run right before every figure held to it)`,
    '',
    "| scenario | requests/s | of /healthz | of its reference | server CPU µs a request (its reference's) | p50 / p90 / p99 ms | errors | non-2xx |",
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.http.map((f) => {
      const before = previous?.http.find((p) => p.name === f.name);
      const ofReference =
        f.ratioToReference === undefined
          ? ''
          : `${(f.ratioToReference * 100).toFixed(0)}% (of ${f.referenceRequestsPerSecond}/s)`;
      const name = f.runs && f.runs > 1 ? `${f.name} (median of ${f.runs} runs)` : f.name;
      const cpu = `${f.serverCpuMicros ?? ''}${f.referenceServerCpuMicros === undefined ? '' : ` (${f.referenceServerCpuMicros})`}`;
      return `| ${name} | ${f.requestsPerSecond}${change(f.requestsPerSecond, before?.requestsPerSecond)} | ${(f.ratioToBaseline * 100).toFixed(0)}% | ${ofReference} | ${cpu} | ${f.p50} / ${f.p90} / ${f.p99} | ${f.errors} | ${f.non2xx} |`;
    }),
    '',
    ...scaleOutSection(results.scaleOut, Number(results.machine.cpus), previous?.scaleOut),
    '## Pagination (p50 ms, page of 20)',
    '',
    '| page | offset | keyset |',
    '| --- | --- | --- |',
    ...results.pagination.map((f) => `| ${f.page} | ${f.offsetP50} | ${f.keysetP50} |`),
    '',
    '## Scaling (findById p50 ms, in-memory cache)',
    '',
    '| rows | cold | warm |',
    '| --- | --- | --- |',
    ...results.scaling.map((f) => `| ${f.rows} | ${f.coldP50} | ${f.warmP50} |`),
    '',
    ...(results.notes.length ? ['## Notes', '', ...results.notes.map((n) => `- ${n}`), ''] : []),
  ];
  return lines.join('\n');
}

/** Bars of warm against cold p50 per query and cache, and the pagination curve, as one SVG. */
export function svgChart(results: BenchResults): string {
  const width = 900;
  const barHeight = 14;
  const left = 250;
  const maxCold = Math.max(...results.queries.map((f) => f.cold.p50), 0.001);
  const scale = (ms: number) => Math.max(1, (ms / maxCold) * (width - left - 120));
  const bars = results.queries.flatMap((f, i) => {
    const y = 50 + i * (2 * barHeight + 10);
    return [
      `<text x="${left - 8}" y="${y + barHeight}" text-anchor="end">${f.query} (${f.cache})</text>`,
      `<rect x="${left}" y="${y}" width="${scale(f.cold.p50)}" height="${barHeight}" fill="#c0504d"/>`,
      `<text x="${left + scale(f.cold.p50) + 6}" y="${y + 11}">cold ${f.cold.p50} ms</text>`,
      `<rect x="${left}" y="${y + barHeight}" width="${scale(f.warm.p50)}" height="${barHeight}" fill="#4f81bd"/>`,
      `<text x="${left + scale(f.warm.p50) + 6}" y="${y + barHeight + 11}">warm ${f.warm.p50} ms</text>`,
    ];
  });
  const top = 70 + results.queries.length * (2 * barHeight + 10);
  const chartHeight = 200;
  const maxPage = Math.max(...results.pagination.map((f) => f.page), 1);
  const maxMs = Math.max(...results.pagination.flatMap((f) => [f.offsetP50, f.keysetP50]), 0.001);
  const x = (page: number) =>
    left + (Math.log10(page) / Math.max(Math.log10(maxPage), 1)) * (width - left - 120);
  const y = (ms: number) => top + 30 + chartHeight - (ms / maxMs) * chartHeight;
  const line = (pick: (f: PaginationFigures) => number) =>
    results.pagination.map((f) => `${x(f.page).toFixed(1)},${y(pick(f)).toFixed(1)}`).join(' ');
  const scaleOut = scaleOutSvg(results.scaleOut, top + chartHeight + 70, left, width);
  const height = top + chartHeight + 80 + scaleOut.height;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12" role="img">
<title>balance-service benchmark, ${results.startedAt}: service call latency cold and warm, and pagination by depth</title>
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="25" font-size="16">Service call latency, p50 (red: cold, blue: warm), ${results.knobs.rows} rows</text>
${bars.join('\n')}
<text x="20" y="${top + 15}" font-size="16">Pagination p50 by page (log scale; red: offset, blue: keyset); top of axis ${maxMs} ms</text>
<line x1="${left}" y1="${top + 30 + chartHeight}" x2="${width - 100}" y2="${top + 30 + chartHeight}" stroke="#999"/>
<polyline fill="none" stroke="#c0504d" stroke-width="2" points="${line((f) => f.offsetP50)}"/>
<polyline fill="none" stroke="#4f81bd" stroke-width="2" points="${line((f) => f.keysetP50)}"/>
${results.pagination.map((f) => `<text x="${x(f.page).toFixed(1)}" y="${top + chartHeight + 48}" text-anchor="middle">page ${f.page}</text>`).join('\n')}
${scaleOut.svg}
</svg>
`;
}
