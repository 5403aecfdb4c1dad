import type { Context, MiddlewareHandler } from 'hono';
import { InvalidTokenError, type Principal, verifyToken } from '../auth/tokens.js';
import type { AppEnv } from './env.js';
import { HttpProblem } from './problem.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="balance-service"' };

/** Every /v1 route needs `Authorization: Bearer <JWT>`; the principal is kept on the context. */
export function authenticate(secret: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '')?.[1];
    if (!token) {
      throw new HttpProblem(
        401,
        'unauthorized',
        'Unauthorized',
        'send Authorization: Bearer <token>',
        CHALLENGE,
      );
    }
    try {
      c.set('principal', await verifyToken(token, secret));
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new HttpProblem(401, 'unauthorized', 'Unauthorized', error.message, {
        'WWW-Authenticate': `${CHALLENGE['WWW-Authenticate']}, error="invalid_token"`,
      });
    }
    await next();
  };
}

/** Writes, address lookups and listing every balance are for admins. */
export function requireAdmin(c: Context<AppEnv>): void {
  if (c.get('principal').role !== 'admin') {
    throw new HttpProblem(403, 'forbidden', 'Forbidden', 'this needs the admin role');
  }
}

/**
 * A user sees only their own balances; anyone else's answers 404, exactly as a missing one
 * does, so the API never tells whether another user's balance exists.
 */
export function canRead(principal: Principal, ownerUserId: string): boolean {
  return principal.role === 'admin' || principal.userId === ownerUserId;
}

export function notFound(what: string): HttpProblem {
  return new HttpProblem(404, 'not-found', 'Not found', `${what} not found`);
}
