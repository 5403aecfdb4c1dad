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
  503: problem('PostgreSQL is unreachable; retry later'),
} as const;

export const security = [{ bearerAuth: [] }];
