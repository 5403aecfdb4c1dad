import { availableParallelism } from 'node:os';
import { ConfigurationError } from '../config-error.js';

/**
 * How many API processes `npm start` runs: `WORKERS` (a count, or `auto` for the cores this
 * process may use); 1 when unset.
 *
 * @throws ConfigurationError on anything else, or on more than one worker with the in-memory
 * cache: each worker would keep its own copy of a balance, and a write through one worker could
 * not make the others' copies stale before it is acknowledged.
 */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.WORKERS?.trim() || '1';
  const count = raw === 'auto' ? availableParallelism() : Number(raw);
  if (!Number.isInteger(count) || count < 1) {
    throw new ConfigurationError(`WORKERS must be a positive integer or "auto", got "${raw}"`);
  }
  if (count > 1 && !env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
    throw new ConfigurationError(
      `WORKERS=${raw} needs REDIS_URL or REDIS_CLUSTER_NODES: with the in-memory cache each worker would serve values that another worker's write made stale`,
    );
  }
  return count;
}
