import type pg from 'pg';
import pino from 'pino';
import { signToken } from '../../src/auth/tokens.js';
import type { TokenVerifier } from '../../src/auth/verifier.js';
import { createApp } from '../../src/http/app.js';
import type { CacheTtls } from '../../src/service/cache-ttls.js';
import { type OpenApiDocument, OpenApiTraffic, type SentRequest } from './openapi-traffic.js';
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
  options: {
    isShuttingDown?: () => boolean;
    redisUrl?: string;
    ttls?: CacheTtls;
    /** Token checks of its own (a provider's JWKS); HS256 with TEST_SECRET otherwise. */
    verifyToken?: TokenVerifier;
    /** Most balances the unpaged user list answers (USER_BALANCES_LIMIT). */
    userBalancesLimit?: number;
  } = {},
): TestApi {
  const stack = buildStack({
    pool,
    kind: options.redisUrl ? 'redis' : 'memory',
    redisUrl: options.redisUrl,
    ttls: options.ttls,
    userBalancesLimit: options.userBalancesLimit,
  });
  const app = createApp({
    service: stack.service,
    cache: stack.cache,
    pool,
    metrics: stack.metrics,
    logger: pino({ level: 'silent' }),
    authSecret: TEST_SECRET,
    verifyToken: options.verifyToken,
    isShuttingDown: options.isShuttingDown,
  });
  let traffic: Promise<OpenApiTraffic> | undefined;
  return {
    app,
    stack,
    call: async (method, path, { token, body, headers = {} } = {}) => {
      const request: SentRequest = {
        method,
        url: path,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      };
      const response = await app.request(path, {
        method,
        headers: request.headers,
        body: request.body,
      });
      traffic ??= loadTraffic(app);
      await expectConforming(await traffic, request, response);
      return response;
    },
    close: () => stack.close(),
  };
}

/** The app's own /openapi.json, ready to check traffic against. */
async function loadTraffic(app: ReturnType<typeof createApp>): Promise<OpenApiTraffic> {
  const response = await app.request('/openapi.json');
  return new OpenApiTraffic((await response.json()) as OpenApiDocument);
}

/**
 * Fails the calling test when the exchange contradicts the document: the response is not what it
 * documents, or a request it refuses was accepted.
 */
async function expectConforming(traffic: OpenApiTraffic, request: SentRequest, response: Response) {
  const problems = await traffic.responseProblems(request, response);
  if (response.status < 400) {
    problems.push(...traffic.requestProblems(request).map((p) => `accepted although ${p}`));
  }
  if (problems.length > 0) {
    throw new Error(
      `${request.method} ${request.url} -> ${response.status} contradicts /openapi.json:\n  ${problems.join('\n  ')}`,
    );
  }
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
