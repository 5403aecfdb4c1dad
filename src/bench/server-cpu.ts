import type { HttpFigures } from './load.js';

/**
 * `; server CPU a against b µs a request` when both the figure's server and its reference's
 * were measured: beside a ratio of requests/s, which the machine's other work moves, the cost
 * of a request on each side, which it hardly does.
 */
export function serverCpu(figure: HttpFigures): string {
  const { serverCpuMicros: mine, referenceServerCpuMicros: theirs } = figure;
  return mine === undefined || theirs === undefined
    ? ''
    : `; server CPU ${mine} against ${theirs} µs a request`;
}
