import type { HttpFigures } from './load.js';
import type { Target } from './report.js';

/**
 * A figure's target as a share of the lean reference it is held to, or undefined when it was
 * not held to one. Beside the ratio of requests/s, which the machine's other work moves, the
 * server CPU a request on each side, which it hardly does.
 */
export function referenceTarget(
  name: string,
  figure: HttpFigures | undefined,
  share: number,
): Target | undefined {
  if (figure?.ratioToReference === undefined) return undefined;
  const { serverCpuMicros: mine, referenceServerCpuMicros: theirs } = figure;
  const cpu =
    mine === undefined || theirs === undefined
      ? ''
      : `; server CPU ${mine} against ${theirs} µs a request`;
  return {
    name: `${name}: of ${figure.reference?.replace(/^reference, /, 'the lean reference, ')}`,
    goal: `at least ${share * 100}% of its requests/s`,
    measured: `${(figure.ratioToReference * 100).toFixed(0)}% (${figure.requestsPerSecond} of ${figure.referenceRequestsPerSecond}/s${cpu})`,
    met: figure.ratioToReference >= share,
  };
}
