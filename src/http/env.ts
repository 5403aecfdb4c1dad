import type pg from 'pg';
import type { Principal } from '../auth/tokens.js';
import type { TokenVerifier } from '../auth/verifier.js';
import type { ReadThroughCache } from '../cache/read-through-cache.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { BalanceService } from '../service/balance-service.js';
import type { AccessLog } from './access-log.js';

/** What the app is built from; it opens nothing itself. */
export interface AppDeps {
  service: BalanceService;
  cache: ReadThroughCache;
  /** Only for the readiness probe's `SELECT 1`. */
  pool: pg.Pool;
  metrics: Metrics;
  logger: Logger;
  /** Where each request's line goes; by default `logger.info(fields, 'request')`. */
  accessLog?: AccessLog;
  /** The HS256 secret; used when `verifyToken` is not given. */
  authSecret?: string;
  /** Checks bearer tokens (HS256 and/or an identity provider's); see src/auth/verifier.ts. */
  verifyToken?: TokenVerifier;
  /** True once shutdown has begun: /readyz then answers 503. */
  isShuttingDown?: () => boolean;
  /** What /metrics serves; by default this process's registry (a worker gets all workers'). */
  metricsText?: () => Promise<string>;
  /** Largest request body accepted; default 8 KiB. */
  bodyLimitBytes?: number;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
