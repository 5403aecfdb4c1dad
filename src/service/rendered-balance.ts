/**
 * A balance as the cache holds it: the JSON the API answers, after the two fields a route
 * needs without parsing it (the owner, for the ownership check, and the version, the ETag):
 * `<userId> <version> <json>`. A hit is then sent as it is (README, Performance).
 */
import type { Balance } from './balance.js';
import { type JsonText, toJsonText } from './json-text.js';

export interface RenderedBalance {
  userId: string;
  version: string;
  json: JsonText<Balance>;
}

/** The cached form; ids and versions are digits, so spaces separate them. */
export function renderBalance(balance: Balance): string {
  return `${balance.userId} ${balance.version} ${toJsonText(balance)}`;
}

/** A cached balance back; undefined for anything else under its key (an older version's form). */
export function readRenderedBalance(cached: unknown): RenderedBalance | undefined {
  if (typeof cached !== 'string') return undefined;
  const afterUser = cached.indexOf(' ');
  const afterVersion = cached.indexOf(' ', afterUser + 1);
  if (afterUser === -1 || afterVersion === -1) return undefined;
  return {
    userId: cached.slice(0, afterUser),
    version: cached.slice(afterUser + 1, afterVersion),
    json: cached.slice(afterVersion + 1),
  };
}

export function parseRenderedBalance(rendered: RenderedBalance): Balance {
  return JSON.parse(rendered.json) as Balance;
}
