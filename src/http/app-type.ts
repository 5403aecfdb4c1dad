/**
 * The API's type for Hono's typed client (`hc<AppType>`), computed from the same route
 * definitions `createApp` registers, exactly as `app.openapi()` types them: inputs from the
 * request schemas, outputs from every documented response, problem+json ones included.
 *
 * Why from the definitions and not from `typeof app`: the routes are registered by one function
 * per resource on an app they are handed, so the app's own type does not carry them. A route
 * file lists its routes in an exported tuple type; a new route file adds its tuple here.
 */
import type {
  OpenAPIHono,
  RouteConfig,
  RouteConfigToTypedResponse,
  RouteHandler,
} from '@hono/zod-openapi';
import type { Handler, Input, ToSchema } from 'hono/types';
import type { AppEnv } from './env.js';
import type { BalanceRoutes } from './routes/balances.js';
import type { OperationRoutes } from './routes/operations.js';
import type { TransferRoutes } from './routes/transfers.js';
import type { UserRoutes } from './routes/users.js';

type AllRoutes = [...BalanceRoutes, ...UserRoutes, ...TransferRoutes, ...OperationRoutes];

/**
 * The route with every response status as a number. Responses spread into a route (such as
 * `...commonProblems`) come out keyed by strings ("400"), which zod-openapi's response typing
 * matches against numeric status codes and so silently drops.
 */
type NumericStatuses<R extends RouteConfig> = Omit<R, 'responses'> & {
  responses: {
    [K in keyof R['responses'] as K extends `${infer N extends number}` ? N : K]: R['responses'][K];
  };
};

/** One route's entry in the app's schema: method, Hono path, inputs and typed responses. */
type RouteSchema<R extends RouteConfig> =
  // biome-ignore lint/suspicious/noExplicitAny: only the path and input are inferred here
  RouteHandler<R> extends Handler<any, infer Path extends string, infer In extends Input, any>
    ? ToSchema<R['method'], Path, In, RouteConfigToTypedResponse<NumericStatuses<R>>>
    : never;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

type Schemas<Routes extends RouteConfig[]> = UnionToIntersection<
  { [K in keyof Routes]: RouteSchema<Routes[K]> }[number]
>;

/** The whole API as Hono's typed client sees it. */
export type AppType = OpenAPIHono<AppEnv, Schemas<AllRoutes>>;
