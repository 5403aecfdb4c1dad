/**
 * The outermost middleware: names each request, completes its response's headers, times it
 * for the metrics and writes its access-log line. One layer, not three: every async layer
 * costs each request a closure, a promise and a dispatch (README, Performance).
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { type AccessLog, accessLogThrough } from './access-log.js';
import type { AppEnv } from './env.js';
import { requestMetrics } from './http-metrics.js';
import { completeHeaders, nameRequest } from './response-headers.js';

export function observeRequests(deps: {
  metrics: Metrics;
  logger: Logger;
  accessLog?: AccessLog;
  isShuttingDown?: () => boolean;
}): MiddlewareHandler<AppEnv> {
  const { logger, isShuttingDown } = deps;
  const accessLog = deps.accessLog ?? accessLogThrough(logger);
  const timing = requestMetrics(deps.metrics);
  return async (c, next) => {
    const started = performance.now();
    timing.started();
    nameRequest(c);
    try {
      await next();
    } finally {
      completeHeaders(c, isShuttingDown?.() === true);
      const ms = performance.now() - started;
      timing.finished(c, ms / 1000);
      const fields = {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 10) / 10,
      };
      if (c.res.status >= 500) logger.error(fields, 'request failed');
      else accessLog(fields);
    }
  };
}
