import type pg from 'pg';
import pino from 'pino';
import { signToken } from '../../src/auth/tokens.js';
import { createApp } from '../../src/http/app.js';
import type { CacheTtls } from '../../src/service/cache-ttls.js';
import { buildStack, type TestStack } from './service.js';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestApi {
  app: ReturnType<typeof createApp>;
  stack: TestStack;
  /** Sends a request as `token` (none when undefined), with a JSON body when given. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** The app over a real pool and a real cache (Redis if given, else memory), as clients see it. */
export function buildApi(
  pool: pg.Pool,
  options: { isShuttingDown?: () => boolean; redisUrl?: string; ttls?: CacheTtls } = {},
): TestApi {
  const stack = buildStack({
    pool,
    kind: options.redisUrl ? 'redis' : 'memory',
    redisUrl: options.redisUrl,
    ttls: options.ttls,
  });
  const app = createApp({
    service: stack.service,
    cache: stack.cache,
    pool,
    metrics: stack.metrics,
    logger: pino({ level: 'silent' }),
    authSecret: TEST_SECRET,
    isShuttingDown: options.isShuttingDown,
  });
  return {
    app,
    stack,
    call: (method, path, { token, body, headers = {} } = {}) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...headers,
          },
          body:
            body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    close: () => stack.close(),
  };
}

export const adminToken = () => signToken({ userId: 'ops', role: 'admin' }, TEST_SECRET);
export const userToken = (userId: string) => signToken({ userId, role: 'user' }, TEST_SECRET);

/** The problem+json body of a response, after checking that it is one. */
export async function problemOf(response: Response) {
  if (response.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(
      `expected problem+json, got ${response.headers.get('content-type')}: ${await response.text()}`,
    );
  }
  return (await response.json()) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    errors?: { field: string; message: string }[];
  };
}
