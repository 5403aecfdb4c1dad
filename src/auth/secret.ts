import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../config-error.js';
import { projectRoot } from '../db/database-server.js';

const MIN_SECRET_LENGTH = 32;
const DEV_SECRET_FILE = join(projectRoot, '.data', 'auth-secret');

/**
 * The HS256 secret: AUTH_SECRET when set. In development without it, one is generated once and
 * kept in the git-ignored `.data/auth-secret`, so tokens survive restarts. In production
 * (`NODE_ENV=production`) a missing or short secret is an error.
 *
 * @throws Error naming what to set.
 */
export function resolveAuthSecret(env: NodeJS.ProcessEnv = process.env): {
  secret: string;
  generated: boolean;
} {
  const given = env.AUTH_SECRET;
  if (given) {
    if (given.length < MIN_SECRET_LENGTH) {
      throw new ConfigurationError(`AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return { secret: given, generated: false };
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigurationError('AUTH_SECRET must be set when NODE_ENV=production');
  }
  mkdirSync(dirname(DEV_SECRET_FILE), { recursive: true });
  try {
    // Exclusive creation: of two first starts at once, one writes and both read its secret.
    writeFileSync(DEV_SECRET_FILE, `${randomBytes(32).toString('base64url')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { secret: readDevSecret(), generated: true };
}

/** The dev secret, waiting briefly for a concurrent first start that created it to write it. */
function readDevSecret(): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const secret = readFileSync(DEV_SECRET_FILE, 'utf8').trim();
    if (secret) return secret;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  throw new ConfigurationError(`${DEV_SECRET_FILE} is empty: delete it, or set AUTH_SECRET`);
}
