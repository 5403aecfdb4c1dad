/** Building blocks for route specs, so every route documents its answers the same way. */
import type { z } from '@hono/zod-openapi';
import { ProblemSchema } from './schemas.js';

export function jsonBody<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
}

export const notModified = { description: 'Not modified: the If-None-Match ETag is current' };

/** Answers every /v1 route can give. */
export const commonProblems = {
  400: problem('Invalid input; `errors` names each field'),
  401: problem('Missing, expired or invalid bearer token'),
  503: problem("PostgreSQL or the identity provider's keys are unreachable; retry later"),
} as const;

/** Answers every route that takes a JSON body can give, before its handler runs. */
export const bodyProblems = {
  413: problem('Body too large'),
  415: problem('The body is not sent as application/json'),
} as const;

/**
 * Writes only: the connection broke after the write was sent, so it may have been applied.
 * No Retry-After, on purpose: retry only with the same Idempotency-Key, or read first.
 */
export const outcomeUnknown = problem(
  'Outcome unknown (urn:balance-service:problem:outcome-unknown): the database connection broke ' +
    'after the write was sent, so it may or may not have been applied. No Retry-After: retry ' +
    'only with the same Idempotency-Key, or read the balance first',
);

export const security = [{ bearerAuth: [] }];

/**
 * If-None-Match is documented here rather than validated by a header schema: validating
 * headers builds an object of every header on each request, which cost a quarter of the warm
 * read path's throughput in `make bench`. The handler reads the one header it needs.
 */
export const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header' as const,
  required: false,
  description: 'An ETag from an earlier answer: 304 Not Modified if it is still current',
  schema: { type: 'string' as const, example: '"3"' },
};
