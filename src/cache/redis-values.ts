/**
 * What the single-Redis and the cluster stores say to Redis alike: values as readable text (so
 * `redis-cli get balance:1` shows what a process would read), and the two one-key writes of
 * the guard. One key each, so they stay on one slot in a cluster.
 */
import type { Tagged } from './generation-guard.js';

/**
 * A tagged value whose value is a string (a rendered balance or list, a total) is stored as it is
 * after a header line naming its epoch and generation, which hold no space or newline:
 * `text <epoch> <generation>\n<string>`. A hit then neither unescapes nor parses it: for a
 * 60 kB rendered list, JSON.parse of it as a JSON string took 63 µs, this 0.2 µs (README,
 * Performance). Everything else is JSON.
 */
const TEXT_HEADER = 'text ';

/** How a value is stored: see TEXT_HEADER. */
export function encode(value: unknown): string {
  return isTaggedText(value)
    ? `${TEXT_HEADER}${value.e} ${value.g}\n${value.v}`
    : JSON.stringify(value);
}

/** A stored value, or undefined for nil; the caller knows what it stored. */
export function decode<T>(raw: string | null): T {
  if (raw === null) return undefined as T;
  if (!raw.startsWith(TEXT_HEADER)) return JSON.parse(raw) as T;
  const endOfHeader = raw.indexOf('\n');
  const space = raw.indexOf(' ', TEXT_HEADER.length);
  if (endOfHeader === -1 || space === -1 || space > endOfHeader) {
    throw new Error('a cached text value has no header line');
  }
  const tagged: Tagged<string> = {
    e: raw.slice(TEXT_HEADER.length, space),
    g: raw.slice(space + 1, endOfHeader),
    v: raw.slice(endOfHeader + 1),
  };
  return tagged as T;
}

function isTaggedText(value: unknown): value is Tagged<string> {
  if (value === null || typeof value !== 'object') return false;
  const { e, g, v } = value as Partial<Tagged<unknown>>;
  return (
    typeof v === 'string' &&
    typeof e === 'string' &&
    typeof g === 'string' &&
    !/\s/.test(e) &&
    !/\s/.test(g)
  );
}

/** SET … NX GET (Redis 7): the old value, or nil when this call set it. */
export function setIfAbsentCommand(key: string, value: unknown, ttlMs: number): string[] {
  return ['SET', key, encode(value), 'NX', 'GET', 'PX', String(ttlMs)];
}

/** Replaces the key only if it still holds what the caller saw ('' standing for absent). */
export const COMPARE_AND_SET = `
local held = redis.call('GET', KEYS[1])
if (held == false and ARGV[1] == '') or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return ARGV[2]
end
return held`;

/** COMPARE_AND_SET's arguments for one key. */
export function compareAndSetArguments(expected: unknown, value: unknown) {
  return {
    arguments: [expected === undefined ? '' : JSON.stringify(expected), JSON.stringify(value)],
  };
}

/**
 * The atomic replace of an invalidation whose generations carry LSNs (generation-lsn.ts):
 * each generation set, keeping the higher LSN of the one held and the one written, then the
 * values unlinked. KEYS: the generations, then the values; ARGV: TTL in ms, how many
 * generations, their JSON values. Values are JSON strings, so an LSN sits before the closing
 * quote.
 */
export const REPLACE_KEEPING_LSN = `
local ttl = ARGV[1]
local count = tonumber(ARGV[2])
for i = 1, count do
  local value = ARGV[i + 2]
  local held = redis.call('GET', KEYS[i])
  if held then
    local heldLsn = string.match(held, '@(%x+)"$')
    local lsn = string.match(value, '@(%x+)"$')
    if heldLsn and lsn and #heldLsn == #lsn and heldLsn > lsn then
      value = string.sub(value, 1, #value - #lsn - 1) .. heldLsn .. '"'
    end
  end
  redis.call('SET', KEYS[i], value, 'PX', ttl)
end
for i = count + 1, #KEYS do
  redis.call('UNLINK', KEYS[i])
end
return count`;

/** REPLACE_KEEPING_LSN's keys and arguments for one replace (on one slot in a cluster). */
export function replaceKeepingLsnArguments(
  set: [string, string][],
  ttlMs: number,
  remove: string[],
) {
  return {
    keys: [...set.map(([key]) => key), ...remove],
    arguments: [
      String(ttlMs),
      String(set.length),
      ...set.map(([, value]) => JSON.stringify(value)),
    ],
  };
}
