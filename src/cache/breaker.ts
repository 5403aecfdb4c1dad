import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** A cache call that did not answer within its deadline. */
export class CacheTimeoutError extends Error {
  constructor(ms: number) {
    super(`cache call exceeded its ${ms} ms deadline`);
  }
}

export interface BreakerOptions {
  /** Deadline of one call. */
  timeoutMs: number;
  /** How long the cache is skipped after a failed call. */
  cooldownMs: number;
  /** False for the in-memory store: it answers within the tick, a timer would only cost. */
  deadlines: boolean;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Deadline and cool-down: a failed or late cache call costs its caller the deadline, and the
 * requests of the next cool-down skip the cache instead of paying it again. When the cool-down
 * ends the next call simply tries; nothing else happens. A failure here is never data loss:
 * what to forget is the guard's decision (a new connection, a new Redis run), not the breaker's.
 */
export class Breaker {
  private skipUntil = 0;

  constructor(private readonly options: BreakerOptions) {}

  /** True while the cache is being skipped after a failure. */
  get open(): boolean {
    return this.skipUntil !== 0 && performance.now() < this.skipUntil;
  }

  /**
   * Runs `operation` under the deadline. A failure is counted and rethrown; with `trips` (the
   * default) it also starts the cool-down. Background work passes `trips: false` and its own
   * deadline, so a retry that fails does not turn requests away from a cache that answers them.
   */
  async call<R>(
    query: string,
    operation: () => Promise<R>,
    { timeoutMs = this.options.timeoutMs, trips = true } = {},
  ): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    let verdict: NodeJS.Immediate | undefined;
    try {
      if (!this.options.deadlines) return await operation();
      const deadline = new Promise<never>((_, reject) => {
        // The timer fires in the event loop's timers phase, before the poll phase reads the
        // sockets: after this process was busy for longer than the deadline (a long GC, large
        // answers), a reply that came in time is still unread. So the verdict waits for that
        // poll (setImmediate runs right after it): a stall of this process's own is not blamed
        // on Redis, and does not send every request to PostgreSQL for a cool-down.
        timer = setTimeout(() => {
          verdict = setImmediate(() => reject(new CacheTimeoutError(timeoutMs)));
        }, timeoutMs);
      });
      const attempt = operation();
      attempt.catch(() => {}); // it may fail after the deadline, with no one left to listen
      return await Promise.race([attempt, deadline]);
    } catch (error) {
      const { metrics, logger, cooldownMs } = this.options;
      const timedOut = error instanceof CacheTimeoutError;
      (timedOut ? metrics.cacheTimeouts : metrics.cacheErrors).inc({ query });
      if (trips) {
        if (!this.open) {
          logger.warn(
            { query, err: error instanceof Error ? error.message : String(error) },
            `cache ${timedOut ? 'timed out' : 'failed'}; reading PostgreSQL for the next ${cooldownMs} ms`,
          );
        }
        this.skipUntil = performance.now() + cooldownMs;
      }
      throw error;
    } finally {
      clearTimeout(timer);
      clearImmediate(verdict);
    }
  }
}
