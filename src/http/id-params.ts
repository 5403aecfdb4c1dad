/**
 * The hottest reads (a balance by id, a user's balance of a token, a user's total) take only ids
 * in their path. Their routes are documented as any other, but their ids are checked in the
 * handler rather than by zod-openapi's validator layer: that layer (a middleware, an async zod
 * parse, the validated data stored on the context) measured about a tenth of a cached read's
 * CPU (README, Performance). An id that fails the check is handed to the route's own schema, so
 * the 400 is word for word the validator's (test/id-params.test.ts).
 */
import type { OpenAPIHono, RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ID_PATTERN } from '../service/validate.js';
import type { AppEnv } from './env.js';
import { RequestValidationError } from './problem.js';

/** A params schema made of ids alone (schemas.ts: BalanceIdParams, UserParams, UserTokenParams). */
type IdParamsSchema = z.ZodObject;

/**
 * For `app.openapi(withoutValidators(app, route), handler)`: the route documented in full, and
 * registered with no validator layer; its handler reads its ids with `idParams`. Only for
 * routes whose sole input is their path ids.
 */
export function withoutValidators<R extends RouteConfig & { request: { params: IdParamsSchema } }>(
  app: OpenAPIHono<AppEnv>,
  route: R,
): Omit<R, 'request'> & { hide: true } {
  if (Object.keys(route.request).length !== 1) {
    throw new Error(`${route.path}: only path ids can skip the validator layer`);
  }
  app.openAPIRegistry.registerPath(route);
  const { request: _validatedInHandler, ...rest } = route;
  return { ...rest, hide: true };
}

/** The route's path ids, checked as its schema checks them; a 400 from that schema if not. */
export function idParams<S extends IdParamsSchema>(c: Context, schema: S): z.output<S> {
  const params: Record<string, string> = {};
  for (const name in schema.shape) {
    const value = c.req.param(name);
    if (value === undefined || !ID_PATTERN.test(value)) return fromSchema(c, schema);
    params[name] = value;
  }
  return params as z.output<S>;
}

function fromSchema<S extends IdParamsSchema>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.param());
  if (!result.success) throw new RequestValidationError('param', result.error);
  return result.data;
}
