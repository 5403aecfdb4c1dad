/**
 * What the single-Redis and the cluster stores say to Redis alike: values as JSON (so
 * `redis-cli get balance:1` shows what a process would read), and the two one-key writes of
 * the guard. One key each, so they stay on one slot in a cluster.
 */

/** A stored JSON value, or undefined for nil; the caller knows what it stored. */
export function decode<T>(raw: string | null): T {
  return (raw === null ? undefined : JSON.parse(raw)) as T;
}

/** SET … NX GET (Redis 7): the old value, or nil when this call set it. */
export function setIfAbsentCommand(key: string, value: unknown, ttlMs: number): string[] {
  return ['SET', key, JSON.stringify(value), 'NX', 'GET', 'PX', String(ttlMs)];
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
