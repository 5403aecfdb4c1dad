/**
 * An identity provider's signing keys, fetched from its JWKS URL by jose: cached for
 * `cacheMaxAgeMs`, fetched again when a token names an unknown `kid` (at most once per
 * `cooldownMs`, so a flood of made-up `kid`s cannot turn into a flood of fetches). While the
 * provider is unreachable, the keys last fetched keep working; with none fetched yet, a token
 * cannot be checked at all, which is the provider's outage, not the caller's fault.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';

/** The provider's keys could not be fetched and none were fetched before. */
export class KeysUnavailableError extends Error {}

export interface ProviderKeyOptions {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  /** Deadline of one JWKS fetch. */
  timeoutMs: number;
}

/** JOSE errors that mean "the JWKS could not be fetched", as opposed to "this key is wrong". */
const FETCH_FAILURE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID']);

function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true; // fetch() itself: refused, DNS, reset
  return FETCH_FAILURE_CODES.has(error.code);
}

/**
 * The key-lookup function for jose's `jwtVerify`, over the JWKS at `url`.
 * @throws KeysUnavailableError (from the returned function) when no keys can be had.
 */
export function providerKeys(url: URL, options: ProviderKeyOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: options.cacheMaxAgeMs,
    cooldownDuration: options.cooldownMs,
    timeoutDuration: options.timeoutMs,
  });
  let stale: { jwks: JSONWebKeySet; keys: JWTVerifyGetKey } | undefined;
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      const last = remote.jwks();
      if (!last) {
        throw new KeysUnavailableError(
          `the identity provider's keys cannot be fetched from ${url}`,
          {
            cause: error,
          },
        );
      }
      if (stale?.jwks !== last) stale = { jwks: last, keys: createLocalJWKSet(last) };
      return stale.keys(header, token);
    }
  };
}
