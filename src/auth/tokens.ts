/**
 * Bearer tokens: HS256 JWTs signed with the service's secret, whose `sub` is the user id and
 * `role` is `user` or `admin` (the claim names are configurable, for provider tokens too).
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
/** Longest subject accepted: providers' subjects are UUIDs or shorter. */
export const MAX_SUBJECT_LENGTH = 255;

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

/** Which claims name the user and the role: providers name them differently. */
export interface ClaimNames {
  /** A claim name, or a dotted path into nested claims (`realm_access.roles`). */
  role: string;
  user: string;
}

export const DEFAULT_CLAIMS: ClaimNames = { role: 'role', user: 'sub' };

/**
 * The principal of a verified token's claims. The role claim may be a string or a list of
 * strings (provider role lists): `admin` wins over `user`.
 * @throws InvalidTokenError when a claim is missing or not usable.
 */
export function principalFromClaims(
  payload: Record<string, unknown>,
  claims: ClaimNames = DEFAULT_CLAIMS,
): Principal {
  const roleValue = claimAt(payload, claims.role);
  const roles = Array.isArray(roleValue) ? roleValue : [roleValue];
  const role = roles.includes('admin') ? 'admin' : roles.includes('user') ? 'user' : undefined;
  if (!role) throw new InvalidTokenError(`the token has no valid role (${claims.role})`);
  const userId = claimAt(payload, claims.user);
  // The subject scopes idempotency keys (part of an indexed key): an unbounded one is refused.
  if (
    typeof userId !== 'string' ||
    userId.length === 0 ||
    userId.length > MAX_SUBJECT_LENGTH ||
    (role === 'user' && !ID_PATTERN.test(userId))
  ) {
    throw new InvalidTokenError(`the token has no valid subject (${claims.user})`);
  }
  return { userId, role };
}

function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The principal of a valid HS256 token, and when the token expires (ms since the epoch). Only
 * HS256 is accepted (so `alg: none` and any other algorithm fail), the signature must match,
 * and `exp` must be present and in the future.
 * @throws InvalidTokenError saying what is wrong.
 */
export async function verifyToken(
  token: string,
  secret: string,
  claims: ClaimNames = DEFAULT_CLAIMS,
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
  const { exp } = payload;
  if (typeof exp !== 'number') throw new InvalidTokenError('the token has no expiry (exp)');
  return { principal: principalFromClaims(payload, claims), expiresAt: exp * 1000 };
}
