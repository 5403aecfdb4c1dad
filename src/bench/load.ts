/**
 * One autocannon run against a server, and what a figure is made of: requests/s, latencies,
 * the cores autocannon used, and, given the server's pid, the CPU the server spent a request.
 */
import autocannon from 'autocannon';
import { startProcessCpu } from './process-cpu.js';
import { round } from './stats.js';

export interface HttpFigures {
  name: string;
  method: string;
  path: string;
  requestsPerSecond: number;
  /** requests/s over the baseline's, in the same run. */
  ratioToBaseline: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Requests sent, and how many distinct paths they cycled through (a cold figure needs more paths). */
  requests: number;
  distinctPaths: number;
  /** CPU the load generator itself used, in cores: near 1, it was the bottleneck. */
  generatorCores: number;
  /**
   * The lean reference this figure is held to (src/bench/lean-reference.ts), measured right
   * before it, and that run's requests/s.
   */
  reference?: string;
  referenceRequestsPerSecond?: number;
  /** requests/s over the reference's. */
  ratioToReference?: number;
  /**
   * CPU the server process used a request (median over the runs), from /proc: unlike
   * requests/s, it hardly moves when the machine's other work takes cycles. Its reference's
   * beside it.
   */
  serverCpuMicros?: number;
  referenceServerCpuMicros?: number;
  /** How many runs this figure is the median of (a reference's: every run beside its figures). */
  runs?: number;
  /**
   * Requests sent through the scenario's paths by then, warm-ups and references included: over
   * `distinctPaths`, a cold scenario repeated keys.
   */
  pathsRequested?: number;
  /** The heaviest lists: requests/s over the lean reference's serving the same lists. */
  ratioToSameAnswers?: number;
  /** The largest answer among the scenario's paths, where the scenario weighs them. */
  largestResponseBytes?: number;
}

export interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  /** One path per request, cycled; a single path means every request hits the same key. */
  paths: string[];
  /**
   * Where the next request starts in `paths`, shared by every run of the scenario (copies
   * too), so a cold scenario's warm-up and its measured run never send the same path.
   */
  cursor: { next: number };
  body?: string;
}

/** The run with the median requests/s (the lower middle one of an even count). */
export function median<T extends { requestsPerSecond: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** The median of a field over runs, where every run has it. */
export function medianOf<T>(
  runs: T[],
  field: { [K in keyof T]: T[K] extends number | undefined ? K : never }[keyof T],
) {
  const values = runs.map((run) => run[field] as number | undefined);
  if (values.some((value) => value === undefined)) return undefined;
  const sorted = (values as number[]).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Loads one scenario on a running server (http-level.ts, replica-level.ts, scale-out.ts). */
export async function load(
  port: number,
  token: string,
  scenario: Scenario,
  options: { durationSeconds: number; connections: number; serverPid?: number },
): Promise<Omit<HttpFigures, 'ratioToBaseline'>> {
  const { cursor } = scenario;
  const serverCpu =
    options.serverPid === undefined ? undefined : startProcessCpu(options.serverPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    requests: [
      {
        method: scenario.method,
        body: scenario.body,
        setupRequest: (request) => {
          request.path = scenario.paths[cursor.next++ % scenario.paths.length] ?? '/healthz';
          return request;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMicros = (performance.now() - started) * 1000;
  return {
    name: scenario.name,
    method: scenario.method,
    path:
      scenario.paths.length === 1
        ? (scenario.paths[0] ?? '')
        : `${scenario.paths[0]} (and ${scenario.paths.length - 1} more)`,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    distinctPaths: new Set(scenario.paths).size,
    generatorCores: round((cpu.user + cpu.system) / wallMicros, 2),
    ...(serverCpu && {
      serverCpuMicros: round(serverCpu() / Math.max(1, result.requests.total), 1),
    }),
  };
}
