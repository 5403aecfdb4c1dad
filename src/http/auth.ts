import type { Context, MiddlewareHandler } from 'hono';
import { KeysUnavailableError } from '../auth/jwks.js';
import { InvalidTokenError, type Principal } from '../auth/tokens.js';
import type { TokenVerifier } from '../auth/verifier.js';
import type { AppEnv } from './env.js';
import { HttpProblem } from './problem.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="balance-service"' };

/** Tokens already verified, so a client's repeated requests skip the HMAC and key import. */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Every /v1 route needs `Authorization: Bearer <JWT>`; the principal is kept on the context.
 * A token that cannot be checked because the identity provider is down answers 503.
 */
export function authenticate(verifyToken: TokenVerifier): MiddlewareHandler<AppEnv> {
  // A token is immutable, so once its signature checked out only its expiry can change: the
  // cache keeps the principal and re-checks `exp` on every use. Oldest entries go first.
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
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
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) {
      c.set('principal', known.principal);
      await next();
      return;
    }
    try {
      const { principal, expiresAt } = await verifyToken(token);
      verified.delete(token);
      if (verified.size >= VERIFIED_TOKENS_KEPT) {
        verified.delete(verified.keys().next().value as string);
      }
      verified.set(token, { principal, expiresAt });
      c.set('principal', principal);
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        throw new HttpProblem(503, 'auth-unavailable', 'Service unavailable', error.message, {
          'Retry-After': '5',
        });
      }
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
