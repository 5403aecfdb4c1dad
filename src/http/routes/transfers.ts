/** /v1/transfers: value moved between two balances of one token, atomically (admin). */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { notFound, requireAdmin } from '../auth.js';
import type { AppDeps, AppEnv } from '../env.js';
import {
  bodyProblems,
  commonProblems,
  jsonBody,
  outcomeUnknown,
  problem,
  security,
} from '../openapi.js';
import {
  IdempotencyHeaders,
  TransferBody,
  TransferIdParams,
  TransferResultSchema,
  TransferSchema,
} from '../schemas.js';

const tags = ['transfers'];

const createTransfer = createRoute({
  method: 'post',
  path: '/v1/transfers',
  tags,
  security,
  summary: 'Move an amount from one balance to another of the same token (admin), atomically',
  description:
    'One transaction debits the source and credits the destination; each side is journaled ' +
    'with the transfer id, so the two entries cancel out and the total is conserved. An ' +
    'overdraft changes nothing. With an Idempotency-Key, a repeat moves nothing and replays ' +
    'the first answer.',
  request: {
    headers: IdempotencyHeaders,
    body: { content: { 'application/json': { schema: TransferBody } }, required: true },
  },
  responses: {
    201: jsonBody(
      TransferResultSchema,
      'The transfer and both balances after it; Location names it. A replay carries ' +
        'Idempotent-Replayed: true',
    ),
    403: problem('Not an admin'),
    404: problem('No such balance (source or destination); nothing changed'),
    409: problem('Insufficient funds in the source; nothing changed'),
    ...bodyProblems,
    422: problem(
      'The balances hold different tokens, or the Idempotency-Key was used with a different ' +
        'request; nothing changed',
    ),
    502: outcomeUnknown,
    ...commonProblems,
  },
});

const getTransfer = createRoute({
  method: 'get',
  path: '/v1/transfers/{id}',
  tags,
  security,
  summary: 'A transfer with its two journal entries (admin)',
  request: { params: TransferIdParams },
  responses: {
    200: jsonBody(TransferSchema, 'The transfer'),
    403: problem('Not an admin'),
    404: problem('No such transfer'),
    ...commonProblems,
  },
});

/** This file's routes, for the typed client's AppType (see ../app-type.ts). */
export type TransferRoutes = [typeof createTransfer, typeof getTransfer];

export function registerTransferRoutes(app: OpenAPIHono<AppEnv>, { service }: AppDeps): void {
  app.openapi(createTransfer, async (c) => {
    requireAdmin(c);
    const { fromBalanceId, toBalanceId, amount } = c.req.valid('json');
    const { replayed, ...result } = await service.transfer(fromBalanceId, toBalanceId, amount, {
      idempotencyKey: c.req.valid('header')['idempotency-key'],
      subject: c.get('principal').userId,
    });
    if (replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/v1/transfers/${result.transfer.id}`);
    return c.json(result, 201);
  });

  app.openapi(getTransfer, async (c) => {
    requireAdmin(c);
    const transfer = await service.getTransfer(c.req.valid('param').id);
    if (!transfer) throw notFound('transfer');
    return c.json(transfer, 200);
  });
}
