/**
 * `http_request_duration_seconds` and `http_requests_in_flight` for every request. Labels stay
 * bounded whatever a client sends: the route is the matched route's template (never the raw
 * path), unknown methods count as `other`, and requests no route matched as `unmatched`.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../metrics.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
const UNMATCHED = 'unmatched';

/** Hono's `/v1/balances/:id` (with an optional `{regex}`) as OpenAPI's `/v1/balances/{id}`. */
export function openApiTemplate(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

/**
 * Times every request, for the outermost middleware (observe.ts): `started` as a request comes
 * in, `finished` once its response is made. The label values are looked up, not built: a
 * template is converted once per route, and the labelled histogram child is kept per method,
 * route and status class, so a request costs a route lookup and an observe.
 */
export function requestMetrics(metrics: Metrics) {
  const { httpRequestDuration, httpRequestsInFlight } = metrics;
  const templates = new Map<string, string>();
  // method -> route -> status class -> the histogram child for those labels
  const children = new Map<string, Map<string, Map<string, { observe(v: number): void }>>>();

  const child = (method: string, route: string, statusClass: string) => {
    const byRoute = getOrAdd(children, method, () => new Map());
    const byStatus = getOrAdd(byRoute, route, () => new Map());
    return getOrAdd(byStatus, statusClass, () =>
      httpRequestDuration.labels({ method, route, status_class: statusClass }),
    );
  };

  const routeOf = (c: Context): string => {
    // Middleware is registered for every method ('ALL'); a route handler for its own, and it
    // comes last among the matches. Nothing but middleware matched means no route did.
    const last = matchedRoutes(c).at(-1);
    if (!last || last.method === 'ALL') return UNMATCHED;
    let template = templates.get(last.path);
    if (template === undefined) {
      template = openApiTemplate(last.path);
      templates.set(last.path, template);
    }
    return template;
  };

  return {
    started(): void {
      httpRequestsInFlight.inc();
    },
    finished(c: Context, seconds: number): void {
      httpRequestsInFlight.dec();
      const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'other';
      const statusClass = STATUS_CLASSES[Math.floor(c.res.status / 100)] ?? 'other';
      child(method, routeOf(c), statusClass).observe(seconds);
    },
  };
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
