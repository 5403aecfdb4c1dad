/** /v1/users/{userId}: a user's balances, one of their tokens, and their total in USD. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type CacheTtls, describeTtl } from '../../service/cache-ttls.js';
import { toJsonText } from '../../service/json-text.js';
import { canRead, notFound } from '../auth.js';
import type { AppDeps, AppEnv } from '../env.js';
import { jsonOrNotModified, tagEtag, totalEtag, versionEtag } from '../etag.js';
import { idParams, withoutValidators } from '../id-params.js';
import {
  commonProblems,
  ifNoneMatch,
  jsonBody,
  notModified,
  problem,
  security,
} from '../openapi.js';
import {
  BalanceListSchema,
  BalanceSchema,
  DEFAULT_PAGE_SIZE,
  TotalSchema,
  UserBalancesQuery,
  UserParams,
  UserTokenParams,
} from '../schemas.js';

const tags = ['users'];

/** Descriptions state the TTLs and the list limit in force, which the environment may change. */
const listUserBalancesRoute = (ttls: CacheTtls, listLimit: number) =>
  createRoute({
    method: 'get',
    path: '/v1/users/{userId}/balances',
    tags,
    security,
    summary: "A user's balances",
    description:
      `With no query: the user's balances in token order, at most ${listLimit} of them ` +
      `(cached ${describeTtl(ttls.byUserMs)}, with an ETag); \`nextCursor\` is null when that is ` +
      'all of them, otherwise a token-order cursor: pass it as `cursor` for the next ' +
      `${listLimit} (or \`limit\`) in token order, each page with its own \`nextCursor\`. ` +
      'With `offset` (and `limit`): a page, newest first. With `limit` alone or a newest-first ' +
      "page's `cursor`: a keyset page, newest first. A cursor continues the order it came from; " +
      'one this service did not make is a 400.',
    request: { params: UserParams, query: UserBalancesQuery },
    parameters: [ifNoneMatch],
    responses: {
      200: jsonBody(BalanceListSchema, 'The balances'),
      304: notModified,
      404: problem('Not your balances'),
      ...commonProblems,
    },
  });

const getUserTokenRoute = (ttls: CacheTtls) =>
  createRoute({
    method: 'get',
    path: '/v1/users/{userId}/tokens/{tokenId}',
    tags,
    security,
    summary: `A user's balance of one token (cached ${describeTtl(ttls.byUserAndTokenMs)})`,
    request: { params: UserTokenParams },
    parameters: [ifNoneMatch],
    responses: {
      200: jsonBody(BalanceSchema, 'The balance; ETag is its version'),
      304: notModified,
      404: problem('No such balance, or not yours'),
      ...commonProblems,
    },
  });

const getUserTotalRoute = (ttls: CacheTtls) =>
  createRoute({
    method: 'get',
    path: '/v1/users/{userId}/total',
    tags,
    security,
    summary: `Sum of a user's usdValue (cached ${describeTtl(ttls.totalByUserMs)})`,
    request: { params: UserParams },
    parameters: [ifNoneMatch],
    responses: {
      200: jsonBody(TotalSchema, 'The total, "0" when the user has no balances'),
      304: notModified,
      404: problem('Not your balances'),
      ...commonProblems,
    },
  });

/** Users read only their own: anyone else's is answered as if it did not exist. */
function ownUserId(c: Context<AppEnv>, userId: string): string {
  if (!canRead(c.get('principal'), userId)) throw notFound('user');
  return userId;
}

export function registerUserRoutes(app: OpenAPIHono<AppEnv>, { service }: AppDeps): void {
  app.openapi(listUserBalancesRoute(service.ttls, service.userBalancesLimit), async (c) => {
    const userId = ownUserId(c, c.req.valid('param').userId);
    const { limit, offset, cursor } = c.req.valid('query');
    if (offset !== undefined) {
      const size = limit ?? DEFAULT_PAGE_SIZE;
      return c.json(
        { items: await service.getByUser(userId, size, offset), limit: size, offset },
        200,
      );
    }
    if (limit !== undefined || cursor !== undefined) {
      return c.json(await service.getByUserAfter(userId, limit, cursor), 200);
    }
    // Rendered and tagged when read from PostgreSQL: a hit sends the cached text as it is.
    const { json, tag } = await service.findByUserIdRendered(userId);
    return jsonOrNotModified(c, json, tagEtag(tag));
  });

  const getUserToken = getUserTokenRoute(service.ttls);
  app.openapi(withoutValidators(app, getUserToken), async (c) => {
    const { userId, tokenId } = idParams(c, getUserToken.request.params);
    const balance = await service.findByUserIdAndTokenIdRendered(ownUserId(c, userId), tokenId);
    if (!balance) throw notFound('balance');
    return jsonOrNotModified(c, balance.json, versionEtag(balance.version));
  });

  const getUserTotal = getUserTotalRoute(service.ttls);
  app.openapi(withoutValidators(app, getUserTotal), async (c) => {
    const userId = ownUserId(c, idParams(c, getUserTotal.request.params).userId);
    const totalUsd = await service.totalBalanceByUser(userId);
    return jsonOrNotModified(c, toJsonText({ userId, totalUsd }), totalEtag(totalUsd));
  });
}

/** The routes above as types: what the typed client is built from. */
export type UserRoutes = [
  ReturnType<typeof listUserBalancesRoute>,
  ReturnType<typeof getUserTokenRoute>,
  ReturnType<typeof getUserTotalRoute>,
];
