/**
 * The access log: one line a request. The server's lines are pino's own JSON shape (level,
 * time, the base fields, the request's fields, msg), so log pipelines see one format, but they
 * are formatted from a fixed template and written to pino's destination once per turn of the
 * event loop, all the requests of that turn in one write. Through `logger.info` a line cost
 * about four times as much (pino serialises any object, then each line is a write of its own):
 * a tenth of a cached read's CPU (README, Performance).
 */
import type { Logger } from '../logger.js';

export interface AccessLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

export type AccessLog = (line: AccessLine) => void;

/** Through any Logger, as `info(fields, 'request')`: for apps built without a server. */
export function accessLogThrough(logger: Logger): AccessLog {
  return (line) => logger.info(line, 'request');
}

/** pino's info level number. */
const INFO = 30;

/**
 * Lines as pino writes them with `base` as its base fields, batched to `write`. `flush` writes
 * what the current turn holds (at exit, before the destination's own flush).
 */
export function batchedAccessLog(
  write: (text: string) => void,
  base: Record<string, string>,
): AccessLog & { flush(): void } {
  const prefix = `{"level":${INFO},"time":`;
  const baseFields = Object.keys(base).length > 0 ? `${JSON.stringify(base).slice(1, -1)},` : '';
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  const log = (line: AccessLine) => {
    if (pending === '') setImmediate(flush);
    pending += `${prefix}${Date.now()},${baseFields}"requestId":${JSON.stringify(line.requestId)},"method":${JSON.stringify(line.method)},"path":${JSON.stringify(line.path)},"status":${line.status},"ms":${line.ms},"msg":"request"}\n`;
  };
  return Object.assign(log, { flush });
}
