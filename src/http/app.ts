import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createTokenVerifier } from '../auth/verifier.js';
import { authenticate } from './auth.js';
import { registerDocs } from './docs.js';
import type { AppDeps, AppEnv } from './env.js';
import { observeRequests } from './observe.js';
import { HttpProblem, problemResponse, RequestValidationError, toProblem } from './problem.js';
import { registerBalanceRoutes } from './routes/balances.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerTransferRoutes } from './routes/transfers.js';
import { registerUserRoutes } from './routes/users.js';

const DEFAULT_BODY_LIMIT_BYTES = 8 * 1024;

export const OPENAPI_INFO = {
  title: 'balance-service',
  version: '1.0.0',
  description:
    'Wallet balances in PostgreSQL. Ids and money are decimal strings; timestamps are ISO 8601; ' +
    'errors are application/problem+json (RFC 9457). Every /v1 route needs a bearer JWT: HS256 ' +
    "signed with the service's secret, or RS256/ES256 from the identity provider when one is " +
    'configured. `sub` is the user id, `role` is `user` (own balances only) or `admin` (claim ' +
    'names configurable).',
};

/**
 * The HTTP API, built from explicit dependencies; it opens no connection and reads no
 * environment, so tests build their own and call `app.request()`.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new RequestValidationError(result.target, result.error);
    },
  });

  app.use(observeRequests(deps));
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    onError: () => {
      throw new HttpProblem(
        413,
        'body-too-large',
        'Payload too large',
        `the body exceeds ${deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES} bytes`,
      );
    },
  });
  const authenticated = authenticate(
    deps.verifyToken ?? createTokenVerifier({ secret: deps.authSecret }),
  );
  // GET and HEAD carry no body we read. Skipping them matters: bodyLimit asks for the raw
  // request's body, which makes @hono/node-server build a whole web Request (headers copied,
  // an AbortController) for every read; measured by make bench (README, Performance). One
  // layer for both, as in observe.ts.
  app.use('/v1/*', (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? authenticated(c, next)
      : limitBody(c, async () => {
          await authenticated(c, next);
        }),
  );

  registerOperationRoutes(app, deps);
  registerBalanceRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerTransferRoutes(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: OPENAPI_INFO });
  registerDocs(app);

  app.notFound((c) =>
    problemResponse(c, {
      type: 'urn:balance-service:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: `no route for ${c.req.method} ${c.req.path}`,
    }),
  );
  app.onError((error, c) => {
    const { problem, headers, serverFault } = toProblem(error);
    if (serverFault) {
      deps.logger.error({ requestId: c.get('requestId'), err: error }, 'request failed');
    }
    return problemResponse(c, problem, headers);
  });
  return app;
}
