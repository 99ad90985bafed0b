// The Cache contract on a real Redis under a key prefix of its own, removed afterwards; plus the key layout and TTL.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RECENT_TTL_SECONDS } from '../src/backends/cache/cache.js';
import { createRedisCache } from '../src/backends/cache/redis-cache.js';
import { cacheContract, markSeen } from './cache.contract.js';
import { describeReal, realServices, redisProbe } from './real-services.js';

const url = realServices.redisUrl;
const keyPrefix = `logperf-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // the failing command reports it
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

const prefixedKeys = (redis: Redis) => redis.keys(`${keyPrefix}*`);

describeReal('redis cache on a real server', redisProbe, () => {
  afterAll(async () => {
    await withRedis(async (redis) => {
      const keys = await prefixedKeys(redis);
      if (keys.length > 0) await redis.del(...keys);
      expect(await prefixedKeys(redis)).toEqual([]);
    });
  });

  cacheContract('redis', async () => createRedisCache({ url, keyPrefix }));

  it('marks log:{id} with the configured TTL and keeps recent:{source} as JSON {id, json} with its own TTL', async () => {
    const dedupeTtlSeconds = 90;
    const cache = createRedisCache({ url, keyPrefix, dedupeTtlSeconds });
    try {
      const id = randomUUID();
      const json = JSON.stringify({ id, message: 'hello' });
      expect(await cache.record([{ id, source: 'layout-source', toJson: () => json }])).toEqual([true]);
      await withRedis(async (redis) => {
        const ttl = await redis.ttl(`${keyPrefix}log:${id}`);
        expect(ttl).toBeGreaterThan(dedupeTtlSeconds - 10);
        expect(ttl).toBeLessThanOrEqual(dedupeTtlSeconds);
        expect(await redis.get(`${keyPrefix}log:${id}`)).toBe('1');
        expect(await redis.lrange(`${keyPrefix}recent:layout-source`, 0, -1)).toEqual([JSON.stringify({ id, json })]);
        const listTtl = await redis.ttl(`${keyPrefix}recent:layout-source`);
        expect(listTtl).toBeGreaterThan(RECENT_TTL_SECONDS - 10);
        expect(listTtl).toBeLessThanOrEqual(RECENT_TTL_SECONDS);
      });
    } finally {
      await cache.close();
    }
  });
});

describe('redis cache without a server', () => {
  it('fails calls and health quickly instead of hanging', async () => {
    const cache = createRedisCache({ url: 'redis://127.0.0.1:1' });
    const started = Date.now();
    await expect(markSeen(cache, [randomUUID()])).rejects.toThrow();
    await expect(cache.health()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await cache.close();
  });
});
