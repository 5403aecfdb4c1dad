/**
 * The headers every response carries: hono's secure headers, `X-Request-Id`, and
 * `Connection: close` while the server drains for shutdown.
 *
 * Why not hono's `secureHeaders()` and `requestId()` themselves: each header they add goes
 * through a web `Headers` object (a dozen validated `set`s per response, then converted back
 * for Node), which measured about a tenth of a cached read (README, Performance). So the hot
 * read routes build their response with every header already in one plain record
 * (`preparedJson`, `preparedEmpty`), which @hono/node-server writes as it is; any other
 * response (writes, problems, docs) gets the same headers added here after it is made.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler, type TypedResponse } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import type { JsonText } from '../service/json-text.js';
import type { AppEnv } from './env.js';

type Context = Parameters<MiddlewareHandler<AppEnv>>[0];

/** hono's secureHeaders() defaults, read once from the middleware itself, so they stay hono's. */
export const SECURE_HEADERS: Readonly<Record<string, string>> = await (async () => {
  const probe = new Hono().use(secureHeaders()).get('/', (c) => c.body(null, 204));
  return Object.freeze(Object.fromEntries((await probe.request('/')).headers));
})();

/** A client's own request id is kept when it is short and plain (hono's requestId rule). */
const CLIENT_REQUEST_ID = /^[\w\-=]{1,255}$/;

/** Responses that already carry every header of SECURE_HEADERS and the request id. */
const prepared = new WeakSet<Response>();

/** Names the request: the client's own id when it is plain, else a new one. */
export function nameRequest(c: Context): void {
  const sent = c.req.header('x-request-id');
  c.set('requestId', sent !== undefined && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID());
}

/** Adds every header to a response that was not prepared with them; `Connection: close` while draining. */
export function completeHeaders(c: Context, draining: boolean): void {
  if (prepared.has(c.res) && !draining) return;
  const headers = c.res.headers;
  for (const [name, value] of Object.entries(SECURE_HEADERS)) headers.set(name, value);
  headers.set('x-request-id', c.get('requestId'));
  // Ask keep-alive clients to reconnect, to another instance.
  if (draining) headers.set('connection', 'close');
}

function prepare(c: Context, body: string | null, status: StatusCode, headers: object): Response {
  const response = new Response(body, {
    status,
    headers: { ...SECURE_HEADERS, 'x-request-id': c.get('requestId'), ...headers },
  });
  prepared.add(response);
  return response;
}

/**
 * `c.json(body, status)` with `headers`, every header in one record, for a body rendered as
 * JSON text (a cached balance or list is sent as it is).
 */
export function preparedJson<T, S extends ContentfulStatusCode>(
  c: Context,
  json: JsonText<T>,
  status: S,
  headers: Record<string, string>,
) {
  const response = prepare(c, json, status, { 'content-type': 'application/json', ...headers });
  return response as Response & TypedResponse<JSONParsed<T>, S, 'json'>;
}

/** `c.body(null, status)` with `headers`, every header in one record. */
export function preparedEmpty<S extends StatusCode>(
  c: Context,
  status: S,
  headers: Record<string, string>,
) {
  return prepare(c, null, status, headers) as Response & TypedResponse<null, S, 'body'>;
}
