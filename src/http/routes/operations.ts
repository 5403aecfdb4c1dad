/** Liveness, readiness and metrics: unauthenticated, for orchestrators and scrapers. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../env.js';
import { jsonBody } from '../openapi.js';

const READINESS_DEADLINE_MS = 1_000;
const tags = ['operations'];

const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not ready']),
    database: z.enum(['up', 'down']),
    shuttingDown: z.boolean(),
    cache: z.object({
      kind: z.enum(['redis', 'memory']),
      healthy: z.boolean(),
      pendingInvalidations: z.number().int(),
    }),
  })
  .openapi('Readiness');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags,
  summary: 'Liveness: the process answers',
  responses: { 200: jsonBody(z.object({ status: z.literal('ok') }), 'Alive') },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'Readiness: PostgreSQL answers and no shutdown has begun; the cache state is reported',
  description: 'A degraded cache does not make the service unready: reads then go to PostgreSQL.',
  responses: {
    200: jsonBody(ReadinessSchema, 'Ready'),
    503: jsonBody(ReadinessSchema, 'Not ready'),
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags,
  summary: 'Prometheus metrics',
  responses: {
    200: {
      description: 'Text exposition format',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});

export function registerOperationRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyz, async (c) => {
    const shuttingDown = deps.isShuttingDown?.() ?? false;
    const database = (await databaseAnswers(deps)) ? 'up' : 'down';
    const ready = database === 'up' && !shuttingDown;
    const body = {
      status: ready ? ('ready' as const) : ('not ready' as const),
      database: database as 'up' | 'down',
      shuttingDown,
      cache: deps.cache.health(),
    };
    return ready ? c.json(body, 200) : c.json(body, 503);
  });

  app.openapi(metricsRoute, async (c) => {
    const { registry } = deps.metrics;
    const text = await (deps.metricsText ?? (() => registry.metrics()))();
    return c.text(text, 200, { 'Content-Type': registry.contentType });
  });
}

async function databaseAnswers({ pool }: AppDeps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, READINESS_DEADLINE_MS, false);
  });
  const ping = pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The routes above as types: what the typed client is built from. */
export type OperationRoutes = [typeof healthz, typeof readyz, typeof metricsRoute];
