import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
      throw new Error(`AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    return { secret: given, generated: false };
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('AUTH_SECRET must be set when NODE_ENV=production');
  }
  try {
    return { secret: readFileSync(DEV_SECRET_FILE, 'utf8').trim(), generated: true };
  } catch {
    const secret = randomBytes(32).toString('base64url');
    mkdirSync(dirname(DEV_SECRET_FILE), { recursive: true });
    writeFileSync(DEV_SECRET_FILE, `${secret}\n`, { mode: 0o600 });
    return { secret, generated: true };
  }
}
