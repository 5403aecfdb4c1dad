/**
 * Tokens from an identity provider: RS256/ES256 checked against its JWKS (a local node:http
 * server), issuer, audience and expiry checked, keys rotated by `kid`, refetches rate limited,
 * algorithm confusion refused, and a provider outage answered from cached keys or with 503.
 */
import { createHmac } from 'node:crypto';
import { exportSPKI } from 'jose';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import {
  type AuthOptions,
  authOptionsFromEnv,
  createTokenVerifier,
  type ProviderOptions,
} from '../src/auth/verifier.js';
import { ConfigurationError } from '../src/config-error.js';
import { createPool } from '../src/db/pool.js';
import { freePort } from '../src/net/free-port.js';
import { buildApi, problemOf, TEST_SECRET, type TestApi } from './support/api.js';
import {
  AUDIENCE,
  ISSUER,
  JwksProvider,
  providerToken,
  type SigningKey,
  signingKey,
} from './support/jwks-provider.js';

let pool: pg.Pool;
let provider: JwksProvider;
let rsa: SigningKey;
let ec: SigningKey;
const apis: TestApi[] = [];

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  rsa = await signingKey('rsa-1', 'RS256');
  ec = await signingKey('ec-1', 'ES256');
  provider = await new JwksProvider().start();
});

afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

afterAll(async () => {
  await provider?.stop();
  await pool?.end();
});

function providerOptions(overrides: Partial<ProviderOptions> = {}): ProviderOptions {
  return {
    jwksUrl: provider.url,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: 30,
    cacheMaxAgeMs: 600_000,
    cooldownMs: 30_000,
    timeoutMs: 2_000,
    ...overrides,
  };
}

/** The app checking tokens with `options`; its status for GET /v1/users/42/total. */
function appWith(options: AuthOptions) {
  const api = buildApi(pool, { verifyToken: createTokenVerifier(options) });
  apis.push(api);
  return async (token: string) => api.call('GET', '/v1/users/42/total', { token });
}

const statusOf = async (response: Promise<Response>) => (await response).status;

describe('tokens from an identity provider (AUTH_JWKS_URL)', () => {
  it('accepts RS256 and ES256 tokens from the provider, and HS256 ones signed with the secret', async () => {
    provider.keys = [rsa, ec];
    const call = appWith({ secret: TEST_SECRET, provider: providerOptions() });
    expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
    expect(await statusOf(call(await providerToken(ec)))).toBe(200);
    expect(await statusOf(call(await signToken({ userId: '42', role: 'user' }, TEST_SECRET)))).toBe(
      200,
    );
    // The role and user come from the token: user 42 may not read user 43's total.
    const other = await call(await providerToken(rsa, { sub: '43' }));
    expect(other.status).toBe(404);
  });

  it('reads the role and user id from configured claims, nested ones and role lists included', async () => {
    provider.keys = [rsa];
    const call = appWith({
      provider: providerOptions(),
      claims: { role: 'realm_access.roles', user: 'balance_user_id' },
    });
    const keycloakLike = { sub: 'f81d4fae-7dec-11d0', balance_user_id: '42' };
    const asAdmin = await providerToken(rsa, {
      ...keycloakLike,
      role: undefined,
      realm_access: { roles: ['offline_access', 'admin'] },
    });
    expect(await statusOf(call(asAdmin))).toBe(200);
    const asUser = await providerToken(rsa, { ...keycloakLike, realm_access: { roles: ['user'] } });
    expect(await statusOf(call(asUser))).toBe(200);
    const noRole = await call(
      await providerToken(rsa, { ...keycloakLike, realm_access: { roles: [] } }),
    );
    expect(noRole.status).toBe(401);
    expect((await problemOf(noRole)).detail).toBe(
      'the token has no valid role (realm_access.roles)',
    );
  });

  it('refuses a wrong issuer or audience, and an expiry past the bounded clock skew', async () => {
    provider.keys = [rsa];
    const call = appWith({ provider: providerOptions({ clockToleranceSeconds: 30 }) });
    const now = Math.floor(Date.now() / 1000);
    const wrongIssuer = await call(await providerToken(rsa, {}, { issuer: 'https://evil.test' }));
    expect((await problemOf(wrongIssuer)).detail).toBe("the token's iss claim is not accepted");
    const wrongAudience = await call(await providerToken(rsa, {}, { audience: 'another-app' }));
    expect((await problemOf(wrongAudience)).detail).toBe("the token's aud claim is not accepted");
    expect(await statusOf(call(await providerToken(rsa, {}, { expiresAt: now - 10 })))).toBe(200);
    const expired = await call(await providerToken(rsa, {}, { expiresAt: now - 120 }));
    expect((await problemOf(expired)).detail).toBe('the token has expired');
  });

  it('fetches the keys again when a token names a new kid: rotation', async () => {
    provider.keys = [rsa];
    const call = appWith({ provider: providerOptions({ cooldownMs: 0 }) });
    const before = provider.fetches;
    expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
    const rotated = await signingKey('rsa-2', 'RS256');
    provider.keys = [rotated];
    expect(await statusOf(call(await providerToken(rotated)))).toBe(200);
    expect(provider.fetches - before).toBe(2);
    // The retired key is gone from the provider, so its new tokens are refused.
    const retired = await call(await providerToken(rsa));
    expect(retired.status).toBe(401);
    expect((await problemOf(retired)).detail).toBe(
      "no key of the identity provider matches the token's kid",
    );
  });

  it('refuses unknown kids without fetching the keys again inside the cool-down', async () => {
    provider.keys = [rsa];
    const call = appWith({ provider: providerOptions({ cooldownMs: 30_000 }) });
    const before = provider.fetches;
    expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
    for (let i = 0; i < 5; i++) {
      const forged = await providerToken(rsa, {}, { kid: `made-up-${i}` });
      expect(await statusOf(call(forged))).toBe(401);
    }
    expect(provider.fetches - before).toBe(1);
  });

  it('refuses a token HMAC-signed with the public key (algorithm confusion) and alg none', async () => {
    provider.keys = [rsa];
    const pem = await exportSPKI(rsa.publicKey);
    const claims = {
      sub: '42',
      role: 'admin',
      iss: ISSUER,
      aud: AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' })}.${encode(claims)}`;
    const forgeries = [pem, JSON.stringify(rsa.jwk), rsa.jwk.n ?? ''].map(
      (secret) =>
        `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`,
    );
    const algNone = `${encode({ alg: 'none', kid: rsa.kid })}.${encode(claims)}.`;
    for (const options of [
      { provider: providerOptions() },
      { secret: TEST_SECRET, provider: providerOptions() },
    ]) {
      const call = appWith(options);
      for (const token of [...forgeries, algNone]) {
        expect(await statusOf(call(token))).toBe(401);
      }
      expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
    }
  });

  it('keeps accepting tokens with the cached keys while the provider is down', async () => {
    provider.keys = [rsa];
    // Keys count as stale after 1 ms, so every request below tries the provider first.
    const call = appWith({ provider: providerOptions({ cacheMaxAgeMs: 1, cooldownMs: 0 }) });
    expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
    await provider.stop();
    try {
      const fetchedAt = Date.now();
      while (Date.now() < fetchedAt + 2); // the cached keys are now past their max age
      expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
      expect(await statusOf(call(await providerToken(rsa, {}, { kid: 'rsa-unknown' })))).toBe(401);
    } finally {
      await provider.start();
    }
    expect(await statusOf(call(await providerToken(rsa)))).toBe(200);
  });

  it('answers 503 problem+json, not 500, when no keys were ever fetched and the provider is down', async () => {
    const nobody = new URL(`http://127.0.0.1:${await freePort()}/certs`);
    const call = appWith({ secret: TEST_SECRET, provider: providerOptions({ jwksUrl: nobody }) });
    const response = await call(await providerToken(rsa));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await problemOf(response)).toMatchObject({
      type: 'urn:balance-service:problem:auth-unavailable',
      status: 503,
    });
    // HS256 tokens do not need the provider.
    expect(await statusOf(call(await signToken({ userId: '42', role: 'user' }, TEST_SECRET)))).toBe(
      200,
    );
  });
});

describe('authOptionsFromEnv', () => {
  it('needs the issuer and audience with a JWKS URL, and bounds the clock tolerance', () => {
    const base = { AUTH_JWKS_URL: 'http://127.0.0.1:1/certs' };
    expect(() => authOptionsFromEnv(base, undefined)).toThrow(ConfigurationError);
    const full = { ...base, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };
    expect(authOptionsFromEnv(full, undefined).provider).toMatchObject({
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 30,
    });
    expect(() =>
      authOptionsFromEnv({ ...full, AUTH_CLOCK_TOLERANCE_SECONDS: '3600' }, undefined),
    ).toThrow('AUTH_CLOCK_TOLERANCE_SECONDS is at most 300');
    expect(authOptionsFromEnv({ AUTH_ROLE_CLAIM: 'groups' }, 's').claims).toEqual({
      role: 'groups',
      user: 'sub',
    });
  });
});
