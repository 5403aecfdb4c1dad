/** REDIS_CLUSTER_NODES: what config.ts accepts, and the one-line message for what it refuses. */
import { describe, expect, it } from 'vitest';
import { cacheConfigFromEnv } from '../src/config.js';
import { ConfigurationError } from '../src/config-error.js';

describe('REDIS_CLUSTER_NODES', () => {
  it('parses seed nodes, spaces around entries and IPv6 hosts in brackets included', () => {
    const config = cacheConfigFromEnv({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002',
    });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.redisUrl).toBeUndefined();
  });

  it('is undefined when unset or empty, leaving REDIS_URL or the in-memory store', () => {
    expect(cacheConfigFromEnv({}).redisClusterNodes).toBeUndefined();
    expect(cacheConfigFromEnv({ REDIS_CLUSTER_NODES: '' }).redisClusterNodes).toBeUndefined();
    expect(cacheConfigFromEnv({ REDIS_URL: 'redis://r:6379' }).redisUrl).toBe('redis://r:6379');
  });

  it.each([
    ['127.0.0.1:7000,,127.0.0.1:7001', /"" in .* is not host:port/],
    ['127.0.0.1:7000,', /"" in .* is not host:port/],
    ['127.0.0.1', /"127.0.0.1" .* is not host:port/],
    ['127.0.0.1:', /is not host:port/],
    ['127.0.0.1:abc', /is not host:port/],
    ['127.0.0.1:-1', /is not host:port/],
    ['127.0.0.1:0', /port 0 .* not between 1 and 65535/],
    ['127.0.0.1:65536', /port 65536 .* not between 1 and 65535/],
    ['redis://127.0.0.1:7000', /is not host:port/],
    ['::1:7000', /is not host:port/],
  ])('refuses %j with a ConfigurationError naming the entry', (raw, message) => {
    const parse = () => cacheConfigFromEnv({ REDIS_CLUSTER_NODES: raw });
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow(message);
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    expect(() =>
      cacheConfigFromEnv({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:7000' }),
    ).toThrow(/REDIS_URL .* or REDIS_CLUSTER_NODES .* not both/);
  });
});
