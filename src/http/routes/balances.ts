/** /v1/balances: one balance, its writes and its journal; listing and address lookup for admins. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type CacheTtls, describeTtl } from '../../service/cache-ttls.js';
import { canRead, notFound, requireAdmin } from '../auth.js';
import type { AppDeps, AppEnv } from '../env.js';
import { jsonOrNotModified, versionEtag, versionFromIfMatch } from '../etag.js';
import { idParams, withoutValidators } from '../id-params.js';
import {
  bodyProblems,
  commonProblems,
  ifNoneMatch,
  jsonBody,
  notModified,
  outcomeUnknown,
  problem,
  security,
} from '../openapi.js';
import {
  AmountBody,
  BalanceIdParams,
  BalanceListSchema,
  BalanceSchema,
  CreateBalanceBody,
  DEFAULT_PAGE_SIZE,
  EntriesQuery,
  EntryListSchema,
  IdempotencyHeaders,
  IfMatchHeaders,
  ListBalancesQuery,
  MovementSchema,
  UpdateBalanceBody,
} from '../schemas.js';

const tags = ['balances'];

/** The summary states the TTL in force, which `CACHE_TTL_BY_ID_SECONDS` may have changed. */
const getBalanceRoute = (ttls: CacheTtls) =>
  createRoute({
    method: 'get',
    path: '/v1/balances/{id}',
    tags,
    security,
    summary: `A balance by id (cached ${describeTtl(ttls.byIdMs)})`,
    request: { params: BalanceIdParams },
    parameters: [ifNoneMatch],
    responses: {
      200: jsonBody(BalanceSchema, 'The balance; ETag is its version'),
      304: notModified,
      404: problem('No such balance, or not yours'),
      ...commonProblems,
    },
  });

const listBalances = createRoute({
  method: 'get',
  path: '/v1/balances',
  tags,
  security,
  summary:
    'Every balance in id order, by offset or by keyset (`after`); or those at one address (admin)',
  request: { query: ListBalancesQuery },
  responses: {
    200: jsonBody(BalanceListSchema, 'A page of balances'),
    403: problem('Not an admin'),
    ...commonProblems,
  },
});

const createBalance = createRoute({
  method: 'post',
  path: '/v1/balances',
  tags,
  security,
  summary: 'Create a balance (admin)',
  request: {
    body: { content: { 'application/json': { schema: CreateBalanceBody } }, required: true },
  },
  responses: {
    201: jsonBody(BalanceSchema, 'Created; Location names it'),
    403: problem('Not an admin'),
    409: problem('The user already has a balance for this token'),
    ...bodyProblems,
    502: outcomeUnknown,
    ...commonProblems,
  },
});

const updateBalance = createRoute({
  method: 'patch',
  path: '/v1/balances/{id}',
  tags,
  security,
  summary: 'Change fields of a balance (admin); If-Match makes it conditional',
  request: {
    params: BalanceIdParams,
    headers: IfMatchHeaders,
    body: { content: { 'application/json': { schema: UpdateBalanceBody } }, required: true },
  },
  responses: {
    200: jsonBody(BalanceSchema, 'The updated balance'),
    403: problem('Not an admin'),
    404: problem('No such balance'),
    412: problem('If-Match does not name the current version'),
    ...bodyProblems,
    502: outcomeUnknown,
    ...commonProblems,
  },
});

const deleteBalance = createRoute({
  method: 'delete',
  path: '/v1/balances/{id}',
  tags,
  security,
  summary: 'Close an empty balance (admin); its journal stays readable by admins',
  description:
    'A soft delete: the balance answers 404 from then on and its user may open a new balance ' +
    'of the same token, but its row and its whole journal stay, so the journal still sums to ' +
    'every balance that ever existed. A balance that is not empty is refused with 409.',
  request: { params: BalanceIdParams },
  responses: {
    204: { description: 'Closed' },
    403: problem('Not an admin'),
    404: problem('No such balance'),
    409: problem(
      'Balance not empty (urn:balance-service:problem:balance-not-empty); nothing changed',
    ),
    502: outcomeUnknown,
    ...commonProblems,
  },
});

/** Only a debit can run short; typed per kind, so the typed client sees 409 on debits alone. */
function insufficientFunds<Kind extends 'credit' | 'debit'>(kind: Kind) {
  return (
    kind === 'debit' ? { 409: problem('Insufficient funds; nothing changed') } : {}
  ) as Kind extends 'debit' ? { 409: ReturnType<typeof problem> } : Record<never, never>;
}

function movementRoute<Kind extends 'credit' | 'debit'>(kind: Kind) {
  return createRoute({
    method: 'post',
    path: `/v1/balances/{id}/${kind}`,
    tags,
    security,
    summary: `${kind === 'credit' ? 'Add to' : 'Subtract from'} a balance (admin), journaled`,
    request: {
      params: BalanceIdParams,
      headers: IdempotencyHeaders,
      body: { content: { 'application/json': { schema: AmountBody } }, required: true },
    },
    responses: {
      200: jsonBody(
        MovementSchema,
        'The balance after, and its journal entry. A replay carries Idempotent-Replayed: true',
      ),
      403: problem('Not an admin'),
      404: problem('No such balance'),
      ...insufficientFunds(kind),
      ...bodyProblems,
      422: problem('Idempotency-Key already used with a different request'),
      502: outcomeUnknown,
      ...commonProblems,
    },
  });
}

const listEntries = createRoute({
  method: 'get',
  path: '/v1/balances/{id}/entries',
  tags,
  security,
  summary:
    'The journal of a balance, newest first, paged; admins also read closed balances’ journals',
  request: { params: BalanceIdParams, query: EntriesQuery },
  responses: {
    200: jsonBody(EntryListSchema, 'A page of entries'),
    404: problem('No such balance, or not yours'),
    ...commonProblems,
  },
});

export function registerBalanceRoutes(app: OpenAPIHono<AppEnv>, { service }: AppDeps): void {
  const getBalance = getBalanceRoute(service.ttls);
  app.openapi(withoutValidators(app, getBalance), async (c) => {
    // Cached as the JSON answered, after its owner and version: a hit parses nothing.
    const balance = await service.findByIdRendered(idParams(c, getBalance.request.params).id);
    if (!balance || !canRead(c.get('principal'), balance.userId)) throw notFound('balance');
    return jsonOrNotModified(c, balance.json, versionEtag(balance.version));
  });

  app.openapi(listBalances, async (c) => {
    requireAdmin(c);
    const { address, limit = DEFAULT_PAGE_SIZE, offset = 0, after } = c.req.valid('query');
    if (address !== undefined) {
      return c.json({ items: await service.findByAddress(address, limit) }, 200);
    }
    if (after !== undefined) return c.json(await service.getAllAfter(limit, after), 200);
    return c.json({ items: await service.getAll(limit, offset), limit, offset }, 200);
  });

  app.openapi(createBalance, async (c) => {
    requireAdmin(c);
    const balance = await service.create(c.req.valid('json'));
    c.header('Location', `/v1/balances/${balance.id}`);
    c.header('ETag', versionEtag(balance.version));
    return c.json(balance, 201);
  });

  app.openapi(updateBalance, async (c) => {
    requireAdmin(c);
    const expectedVersion = versionFromIfMatch(c.req.valid('header')['if-match']);
    const balance = await service.update(c.req.valid('param').id, c.req.valid('json'), {
      expectedVersion,
    });
    c.header('ETag', versionEtag(balance.version));
    return c.json(balance, 200);
  });

  app.openapi(deleteBalance, async (c) => {
    requireAdmin(c);
    await service.delete(c.req.valid('param').id);
    return c.body(null, 204);
  });

  for (const kind of ['credit', 'debit'] as const) {
    app.openapi(movementRoute(kind), async (c) => {
      requireAdmin(c);
      const { id } = c.req.valid('param');
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const { replayed, ...movement } = await service[kind](id, c.req.valid('json').amount, {
        idempotencyKey,
        subject: c.get('principal').userId,
      });
      if (replayed) c.header('Idempotent-Replayed', 'true');
      c.header('ETag', versionEtag(movement.balance.version));
      return c.json(movement, 200);
    });
  }

  app.openapi(listEntries, async (c) => {
    const { id } = c.req.valid('param');
    const principal = c.get('principal');
    // The books outlive a balance: an admin reads a closed balance's journal too.
    const owner =
      principal.role === 'admin'
        ? await service.findIncludingClosed(id)
        : await service.findById(id);
    if (!owner || !canRead(principal, owner.userId)) throw notFound('balance');
    const { limit = DEFAULT_PAGE_SIZE, before } = c.req.valid('query');
    return c.json(await service.getEntries(id, limit, before), 200);
  });
}

/** The routes above as types, in the order registered: what the typed client is built from. */
export type BalanceRoutes = [
  ReturnType<typeof getBalanceRoute>,
  typeof listBalances,
  typeof createBalance,
  typeof updateBalance,
  typeof deleteBalance,
  ReturnType<typeof movementRoute<'credit'>>,
  ReturnType<typeof movementRoute<'debit'>>,
  typeof listEntries,
];
