/**
 * `balance-service/client`: a typed HTTP client of the API, Hono's `hc` over the server's own
 * route types. Paths, parameters, bodies and every documented answer are typed (money stays a
 * decimal string; error answers are problem+json objects). It imports no server code at run
 * time.
 *
 * @example
 * const client = createBalanceClient('http://localhost:3000', { token });
 * const res = await client.v1.balances[':id'].$get({ param: { id: '1' } });
 * if (res.status === 200) console.log((await res.json()).amount); // "12.5"
 */
import { hc } from 'hono/client';
import type { AppType } from './http/app-type.js';

export type { AppType } from './http/app-type.js';
export type { Problem } from './http/problem.js';

export interface BalanceClientOptions {
  /** The bearer token; a function is called before every request (tokens that refresh). */
  token?: string | (() => string | Promise<string>);
  /** A fetch of your own (retries, tracing, tests); the global fetch by default. */
  fetch?: typeof fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** A typed client of the API at `baseUrl`, such as `http://localhost:3000`. */
export function createBalanceClient(baseUrl: string, options: BalanceClientOptions = {}) {
  const { token, headers = {} } = options;
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: async () => {
      const bearer = typeof token === 'function' ? await token() : token;
      return bearer ? { ...headers, Authorization: `Bearer ${bearer}` } : headers;
    },
  });
}

/** The client's type, for code that receives one. */
export type BalanceClient = ReturnType<typeof createBalanceClient>;
