/**
 * Who may call: HS256 tokens signed with the service's secret and, when `AUTH_JWKS_URL` is set,
 * RS256/ES256 tokens from an identity provider (Keycloak, Auth0, Cognito, Entra) checked against
 * its published keys, with its issuer and audience.
 */
import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { positiveInteger } from '../config.js';
import { ConfigurationError } from '../config-error.js';
import { providerKeys } from './jwks.js';
import {
  type ClaimNames,
  InvalidTokenError,
  type Principal,
  principalFromClaims,
  verifyToken,
} from './tokens.js';

/** Verifies a bearer token. @throws InvalidTokenError, or KeysUnavailableError (provider down). */
export type TokenVerifier = (token: string) => Promise<{ principal: Principal; expiresAt: number }>;

export interface ProviderOptions {
  jwksUrl: URL;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  cacheMaxAgeMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

export interface AuthOptions {
  /** HS256 secret; tokens signed with it keep working next to a provider's. */
  secret?: string;
  provider?: ProviderOptions;
  claims?: ClaimNames;
}

/** Only asymmetric algorithms from a provider: an HS256 token never reaches its public keys. */
const PROVIDER_ALGORITHMS = ['RS256', 'ES256'];
/** Clock skew between this host and the provider that is tolerated, at most. */
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

/**
 * A verifier choosing by the token's `alg`: HS256 goes to the secret (if set), RS256/ES256 to
 * the provider's keys (if configured); anything else is refused.
 * @throws ConfigurationError when there is neither a secret nor a provider.
 */
export function createTokenVerifier(options: AuthOptions): TokenVerifier {
  const { secret, provider, claims } = options;
  if (!secret && !provider) throw new ConfigurationError('set AUTH_SECRET, AUTH_JWKS_URL or both');
  const keys = provider ? providerKeys(provider.jwksUrl, provider) : undefined;
  return async (token) => {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new InvalidTokenError('the token is not valid');
    }
    if (alg === 'HS256' && secret) return verifyToken(token, secret, claims);
    if (provider && keys && typeof alg === 'string' && PROVIDER_ALGORITHMS.includes(alg)) {
      return verifyProviderToken(token, keys, provider, claims);
    }
    throw new InvalidTokenError('the token is not valid');
  };
}

async function verifyProviderToken(
  token: string,
  keys: JWTVerifyGetKey,
  provider: ProviderOptions,
  claims: ClaimNames | undefined,
) {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: PROVIDER_ALGORITHMS,
      issuer: provider.issuer,
      audience: provider.audience,
      clockTolerance: provider.clockToleranceSeconds,
      requiredClaims: ['exp'],
    });
    return {
      principal: principalFromClaims(payload as Record<string, unknown>, claims),
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new InvalidTokenError('the token has expired');
    if (error instanceof errors.JWKSNoMatchingKey) {
      throw new InvalidTokenError("no key of the identity provider matches the token's kid");
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      throw new InvalidTokenError(`the token's ${error.claim} claim is not accepted`);
    }
    if (error instanceof errors.JOSEError) throw new InvalidTokenError('the token is not valid');
    throw error; // KeysUnavailableError, InvalidTokenError from the claims
  }
}

/**
 * The provider settings from `AUTH_JWKS_URL`, `AUTH_ISSUER`, `AUTH_AUDIENCE` (both required
 * with a provider: without them any token the provider signs for any application would do),
 * `AUTH_CLOCK_TOLERANCE_SECONDS` (30, at most 300), `AUTH_JWKS_CACHE_SECONDS` (600),
 * `AUTH_JWKS_COOLDOWN_SECONDS` (30); and the claim names `AUTH_ROLE_CLAIM`, `AUTH_USER_CLAIM`.
 * @throws ConfigurationError naming the variable.
 */
export function authOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  secret: string | undefined,
): AuthOptions {
  const claims = { role: env.AUTH_ROLE_CLAIM || 'role', user: env.AUTH_USER_CLAIM || 'sub' };
  const url = env.AUTH_JWKS_URL;
  if (!url) return { secret, claims };
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(url);
  } catch {
    throw new ConfigurationError(`AUTH_JWKS_URL is not a URL: "${url}"`);
  }
  const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = env;
  if (!issuer || !audience) {
    throw new ConfigurationError('AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE too');
  }
  const clockToleranceSeconds = positiveInteger(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 30);
  if (clockToleranceSeconds > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new ConfigurationError(
      `AUTH_CLOCK_TOLERANCE_SECONDS is at most ${MAX_CLOCK_TOLERANCE_SECONDS}`,
    );
  }
  return {
    secret,
    claims,
    provider: {
      jwksUrl,
      issuer,
      audience,
      clockToleranceSeconds,
      cacheMaxAgeMs: positiveInteger(env, 'AUTH_JWKS_CACHE_SECONDS', 600) * 1000,
      cooldownMs: positiveInteger(env, 'AUTH_JWKS_COOLDOWN_SECONDS', 30) * 1000,
      timeoutMs: 5_000,
    },
  };
}
