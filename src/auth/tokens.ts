/**
 * Bearer tokens: HS256 JWTs whose `sub` is the user id and `role` is `user` or `admin`.
 */
import { sign, verify } from 'hono/jwt';
import { ID_PATTERN } from '../service/validate.js';

export type Role = 'user' | 'admin';

/** Who is calling, once their token checked out. */
export interface Principal {
  userId: string;
  role: Role;
}

export class InvalidTokenError extends Error {}

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

export function signToken(
  principal: Principal,
  secret: string,
  ttlSeconds = DEFAULT_TTL_SECONDS,
  now = Date.now(),
): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  return sign(
    { sub: principal.userId, role: principal.role, iat: issuedAt, exp: issuedAt + ttlSeconds },
    secret,
    'HS256',
  );
}

/**
 * The principal of a valid token, and when the token expires (ms since the epoch). Only HS256 is accepted (so `alg: none` and any other
 * algorithm fail), the signature must match, and `exp` must be present and in the future.
 * @throws InvalidTokenError saying what is wrong.
 */
export async function verifyToken(
  token: string,
  secret: string,
): Promise<{ principal: Principal; expiresAt: number }> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secret, 'HS256');
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    throw new InvalidTokenError(
      name === 'JwtTokenExpired' ? 'the token has expired' : 'the token is not valid',
    );
  }
  const { sub, role, exp } = payload;
  if (typeof exp !== 'number') throw new InvalidTokenError('the token has no expiry (exp)');
  if (role !== 'user' && role !== 'admin')
    throw new InvalidTokenError('the token has no valid role');
  if (typeof sub !== 'string' || (role === 'user' && !ID_PATTERN.test(sub))) {
    throw new InvalidTokenError('the token has no valid subject (sub)');
  }
  return { principal: { userId: sub, role }, expiresAt: exp * 1000 };
}
