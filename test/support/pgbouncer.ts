/**
 * Debian's `pgbouncer` (1.18) for the tests that need one. Where it is not installed those tests
 * skip and say why; under CI=true they fail instead.
 */
import { spawnSync } from 'node:child_process';
import { PGBOUNCER_BINARY } from '../../src/db/pgbouncer.js';

export { PgBouncer } from '../../src/db/pgbouncer.js';

/** Why PgBouncer tests cannot run here, or undefined. Throws under CI. */
export function pgbouncerSkipReason(): string | undefined {
  const found = spawnSync(PGBOUNCER_BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
  const reason = found
    ? undefined
    : `${PGBOUNCER_BINARY} is not installed (apt-get install pgbouncer)`;
  if (reason && process.env.CI) throw new Error(`CI must run the PgBouncer tests, but ${reason}`);
  if (reason) console.warn(`skipping PgBouncer tests: ${reason}`);
  return reason;
}
