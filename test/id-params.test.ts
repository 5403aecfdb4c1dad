/**
 * The hottest reads check their path ids in the handler (src/http/id-params.ts) instead of
 * through zod-openapi's validator layer. Each answer must be exactly the validator's: the same
 * status and the same problem, for ids good and bad; and the route is documented as before.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../src/http/env.js';
import { idParams, withoutValidators } from '../src/http/id-params.js';
import { problemResponse, RequestValidationError, toProblem } from '../src/http/problem.js';
import { BalanceIdParams, UserParams, UserTokenParams } from '../src/http/schemas.js';

const SCHEMAS = {
  '/balances/{id}': BalanceIdParams,
  '/users/{userId}': UserParams,
  '/users/{userId}/tokens/{tokenId}': UserTokenParams,
};

/** Two apps serving the same routes: one through the validator layer, one through idParams. */
function apps() {
  const make = () => {
    const app = new OpenAPIHono<AppEnv>({
      defaultHook: (result) => {
        if (!result.success) throw new RequestValidationError(result.target, result.error);
      },
    });
    app.onError((error, c) => problemResponse(c, toProblem(error).problem));
    return app;
  };
  const validated = make();
  const inHandler = make();
  for (const [path, params] of Object.entries(SCHEMAS)) {
    const route = createRoute({
      method: 'get',
      path,
      request: { params },
      responses: { 200: { description: 'the ids' } },
    });
    validated.openapi(route, (c) => c.json(c.req.valid('param'), 200));
    inHandler.openapi(withoutValidators(inHandler, route), (c) =>
      c.json(idParams(c, route.request.params), 200),
    );
  }
  return { validated, inHandler };
}

const IDS = [
  '1',
  '42',
  '9223372036854775807',
  '9999999999999999999',
  '99999999999999999999',
  '0',
  '01',
  '-1',
  '+1',
  '1.5',
  '1e3',
  'abc',
  '%31', // "1", percent-encoded
  '%20', // a space
  '1%00',
  '%E0%A5%A7', // a Devanagari one
  '%ZZ',
  'x'.repeat(300),
];

describe('path ids checked in the handler', () => {
  const { validated, inHandler } = apps();

  it.each(IDS)('answer exactly as the validator does: %s', async (id) => {
    for (const path of [`/balances/${id}`, `/users/${id}`, `/users/7/tokens/${id}`]) {
      const [expected, actual] = await Promise.all(
        [validated, inHandler].map(async (app) => {
          const response = await app.request(path);
          return { status: response.status, body: await response.text() };
        }),
      );
      expect(actual, path).toEqual(expected);
    }
  });

  it('a good id passes, a bad one is the validator 400', async () => {
    expect((await inHandler.request('/users/7/tokens/8')).status).toBe(200);
    const refused = await inHandler.request('/users/7/tokens/0');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ errors: [{ field: 'param.tokenId' }] });
  });

  it('documents the route and its path parameters as the validated route does', () => {
    const document = (app: OpenAPIHono<AppEnv>) =>
      app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } }).paths;
    expect(document(inHandler)).toEqual(document(validated));
  });

  it('refuses a route with more to validate than its path ids', () => {
    const route = createRoute({
      method: 'get',
      path: '/balances/{id}',
      request: { params: BalanceIdParams, query: UserParams },
      responses: { 200: { description: 'the ids' } },
    });
    expect(() => withoutValidators(new OpenAPIHono<AppEnv>(), route)).toThrow(/only path ids/);
  });
});
