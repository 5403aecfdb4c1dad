/**
 * The API's schemas: they validate requests and they are the OpenAPI document, so the two can
 * never disagree. Ids and money are strings; timestamps are ISO 8601.
 */
import { z } from '@hono/zod-openapi';
import {
  ADDRESS_PATTERN,
  DECIMAL_PATTERN,
  DEFAULT_PAGE_SIZE,
  ID_PATTERN,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_PAGE_SIZE,
} from '../service/validate.js';

export { DEFAULT_PAGE_SIZE };

const id = (description: string, example = '42') =>
  z
    .string()
    .regex(ID_PATTERN, 'must be a positive 64-bit integer')
    .openapi({ description, example });

const decimal = (description: string, example = '12.5') =>
  z
    .string()
    .regex(DECIMAL_PATTERN, 'must be a non-negative decimal string with at most 18 decimals')
    .openapi({ description, example });

const positiveAmount = decimal('A positive amount, at most 18 decimals', '1.5').refine(
  (value) => !/^0(\.0+)?$/.test(value),
  'must be greater than zero',
);

/**
 * The document states the pattern's source explicitly: zod-to-openapi writes a flagged regex as
 * its `toString()` minus the slashes, which leaked `/u` into the published pattern and made it
 * match nothing. JSON Schema 2020-12 patterns are ECMA-262 with the `u` flag implied.
 */
const address = () =>
  z
    .string()
    .regex(ADDRESS_PATTERN, 'must be 1 to 255 characters, none of them control characters')
    .openapi({ pattern: ADDRESS_PATTERN.source });

const timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-29T12:00:00.000Z' });

/**
 * A query-string integer written in plain digits. z.coerce.number() would also take "1e3",
 * "0x10" and " 12", so the digits are checked before the number is.
 */
const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'must be an integer written in digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const pageSize = queryInteger(1, MAX_PAGE_SIZE).openapi({
  type: 'integer',
  description: `Page size, 1 to ${MAX_PAGE_SIZE}`,
  example: DEFAULT_PAGE_SIZE,
});

const offset = queryInteger(0, 2 ** 31 - 1).openapi({ type: 'integer', example: 0 });

export const BalanceSchema = z
  .object({
    id: id('Balance id', '1'),
    userId: id('Owner'),
    tokenId: id('Token', '1'),
    amount: decimal('Token amount'),
    usdValue: decimal('Value in USD', '30.25'),
    address: z
      .string()
      .nullable()
      .openapi({ example: '0x3f5CE5FBFe3E9af3971dD833D26bA9b5C936f0bE' }),
    autoConvertThreshold: decimal('Auto-convert threshold').nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: id('Bumped by every write; the ETag', '1'),
  })
  .openapi('Balance');

export const EntrySchema = z
  .object({
    id: id('Entry id', '1'),
    balanceId: id('Balance id', '1'),
    kind: z.enum(['credit', 'debit', 'adjustment']),
    amount: z.string().openapi({
      description: 'Positive for credits and debits; the signed change for an adjustment',
      example: '1.5',
    }),
    balanceAfter: decimal('The amount right after this entry'),
    transferId: id('The transfer this entry is one side of; null for anything else', '7')
      .nullable()
      .openapi({ type: ['string', 'null'] }),
    createdAt: timestamp,
  })
  .openapi('Entry');

export const MovementSchema = z
  .object({ balance: BalanceSchema, entry: EntrySchema })
  .openapi('Movement');

export const BalanceListSchema = z
  .object({
    items: z.array(BalanceSchema),
    nextCursor: z
      .string()
      .nullable()
      .optional()
      .openapi({
        description:
          'Keyset pages and the unpaged list: pass as `cursor` for the next page, which continues ' +
          "in this page's order; null at the end (for the unpaged list: when it holds every balance)",
      }),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
  })
  .openapi('BalanceList');

export const EntryListSchema = z
  .object({
    items: z.array(EntrySchema),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `before` for the next page' }),
  })
  .openapi('EntryList');

export const TotalSchema = z
  .object({ userId: id('Owner'), totalUsd: decimal('Sum of usdValue', '30.25') })
  .openapi('Total');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:balance-service:problem:validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'For invalid input: each offending field' }),
  })
  .openapi('Problem');

export const BalanceIdParams = z.object({
  id: id('Balance id', '1').openapi({ param: { name: 'id', in: 'path' } }),
});

export const UserParams = z.object({
  userId: id('User id').openapi({ param: { name: 'userId', in: 'path' } }),
});

export const UserTokenParams = UserParams.extend({
  tokenId: id('Token id', '1').openapi({ param: { name: 'tokenId', in: 'path' } }),
});

export const UserBalancesQuery = z
  .object({
    limit: pageSize.optional(),
    offset: offset.optional(),
    cursor: z.string().max(200).optional().openapi({ description: "A page's nextCursor" }),
  })
  .refine((q) => q.offset === undefined || q.cursor === undefined, {
    message: 'offset and cursor cannot be combined',
    path: ['cursor'],
  });

export const ListBalancesQuery = z.object({
  address: address().optional().openapi({ description: 'Only balances at this address' }),
  limit: pageSize.optional(),
  offset: offset.optional(),
  after: id(
    "Keyset page: balances after this id (the previous page's nextCursor)",
    '20',
  ).optional(),
});

export const EntriesQuery = z.object({
  limit: pageSize.optional(),
  before: id('List entries older than this entry id', '100').optional(),
});

export const CreateBalanceBody = z
  .object({
    userId: id('Owner'),
    tokenId: id('Token', '1'),
    amount: decimal('Initial amount (default "0")').optional(),
    usdValue: decimal('Initial USD value (default "0")').optional(),
    address: address().nullable().optional(),
    autoConvertThreshold: decimal('Auto-convert threshold').nullable().optional(),
  })
  .strict()
  .openapi('NewBalance');

export const UpdateBalanceBody = z
  .object({
    amount: decimal('New amount (journaled as an adjustment)').optional(),
    usdValue: decimal('New USD value').optional(),
    address: address().nullable().optional().openapi({ description: 'null clears it' }),
    autoConvertThreshold: decimal('New threshold').nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to update' })
  .openapi('BalancePatch');

export const AmountBody = z.object({ amount: positiveAmount }).strict().openapi('Amount');

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .openapi({
      description:
        'A repeat with the same key and body, from the same caller (token subject), returns the first result and moves nothing',
      example: 'order-7f3a-debit',
    }),
});

export const IfMatchHeaders = z.object({
  'if-match': z.string().optional().openapi({
    description: "The balance's ETag (its version); the update fails with 412 if it changed",
    example: '"3"',
  }),
});

export const TransferBody = z
  .object({
    fromBalanceId: id('The balance debited', '1'),
    toBalanceId: id('The balance credited: another balance of the same token', '2'),
    amount: positiveAmount,
  })
  .strict()
  .refine((body) => body.fromBalanceId !== body.toBalanceId, {
    message: 'must differ from fromBalanceId',
    path: ['toBalanceId'],
  })
  .openapi('NewTransfer');

export const TransferSchema = z
  .object({
    id: id('Transfer id', '7'),
    fromBalanceId: id('The balance debited', '1'),
    toBalanceId: id('The balance credited', '2'),
    amount: decimal('The amount moved', '1.5'),
    createdAt: timestamp,
    debit: EntrySchema.openapi({ description: "The source's journal entry" }),
    credit: EntrySchema.openapi({ description: "The destination's journal entry" }),
  })
  .openapi('Transfer');

export const TransferResultSchema = z
  .object({ transfer: TransferSchema, from: BalanceSchema, to: BalanceSchema })
  .openapi('TransferResult');

export const TransferIdParams = z.object({
  id: id('Transfer id', '7').openapi({ param: { name: 'id', in: 'path' } }),
});
