/**
 * A stand-in identity provider: a JWKS endpoint on 127.0.0.1 (node:http) whose keys a test
 * rotates, that counts the fetches it answers, and that can go down and come back on its port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const ISSUER = 'https://idp.test/realms/balances';
export const AUDIENCE = 'balance-service';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, jwk };
}

/** A token as a provider issues it; `claims` and `options` override the defaults. */
export async function providerToken(
  key: SigningKey,
  claims: Record<string, unknown> = {},
  options: { issuer?: string; audience?: string; expiresAt?: number; kid?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: '42', role: 'user', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID()) // every token distinct: the app caches verified ones
    .setExpirationTime(options.expiresAt ?? now + 300)
    .sign(key.privateKey);
}

export class JwksProvider {
  keys: SigningKey[] = [];
  fetches = 0;
  private server: Server | undefined;
  private port = 0;

  get url(): URL {
    return new URL(`http://127.0.0.1:${this.port}/protocol/openid-connect/certs`);
  }

  /** Listens (again, on the same port after `stop`). */
  async start(): Promise<this> {
    const server = createServer((_request, response) => {
      this.fetches++;
      response.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
      response.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Goes down: the port refuses connections. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  }
}
