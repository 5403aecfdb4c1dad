import type { Context, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import type { JsonText } from '../service/json-text.js';
import type { AppEnv } from './env.js';
import { HttpProblem } from './problem.js';
import { preparedEmpty, preparedJson } from './response-headers.js';

/** A balance's ETag is its version: it changes exactly when the balance does. */
export function versionEtag(version: string): string {
  return `"${version}"`;
}

/** A list's ETag: the tag computed from its rows when it was read (user-balance-list.ts). */
export function tagEtag(tag: string): string {
  return `"${tag}"`;
}

/** A user's total: the body changes exactly when the amount does (the user is in the URL). */
export function totalEtag(totalUsd: string): string {
  return `"total-${totalUsd}"`;
}

/** True when If-None-Match names `etag` (or `*`), so a 304 can be sent instead of the body. */
export function isNotModified(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  const weakless = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => weakless(tag) === weakless(etag));
}

/**
 * A cached read's answer: 304 when If-None-Match names `etag`, else 200 with the body, JSON
 * text rendered before (a cached balance or list is sent as it is).
 */
export function jsonOrNotModified<T>(
  c: Context<AppEnv>,
  json: JsonText<T>,
  etag: string,
):
  | (Response & TypedResponse<JSONParsed<T>, 200, 'json'>)
  | (Response & TypedResponse<null, 304, 'body'>) {
  if (isNotModified(c, etag)) return preparedEmpty(c, 304, { etag });
  return preparedJson(c, json, 200, { etag });
}

/**
 * The version an If-Match header demands, or undefined when there is none (or `*`). If-Match
 * uses strong comparison, so a weak or malformed tag can never match: 412.
 */
export function versionFromIfMatch(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^"([1-9][0-9]{0,18})"$/.exec(header.trim());
  if (!match?.[1] || BigInt(match[1]) > 9223372036854775807n) {
    throw new HttpProblem(
      412,
      'precondition-failed',
      'Precondition failed',
      `If-Match ${header} cannot match a balance version`,
    );
  }
  return match[1];
}
