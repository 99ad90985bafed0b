// The cache on a real Redis: dedupe marks log:{id} (SET NX EX) and lists recent:{source}, one pipeline per call.
import { AppError, withTimeout } from '@logperf/core';
import { Redis } from 'ioredis';
import { DEDUPE_TTL_SECONDS, RECENT_PER_SOURCE, type Cache, type RecentEvent } from './cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key (default ''), so tests and several clusters can share one Redis. */
  keyPrefix?: string;
  /** Limit for one command, pipelines included (default 5 s). */
  commandTimeoutMs?: number;
}

const HEALTH_TIMEOUT_MS = 2_000;

/** Each list entry is JSON `{"id": …, "json": …}`: the event text comes back byte for byte, whatever it holds. */
function decodeRecent(entry: string): RecentEvent {
  const parsed = JSON.parse(entry) as Partial<RecentEvent>;
  if (typeof parsed.id !== 'string' || typeof parsed.json !== 'string')
    throw new Error('redis cache: malformed recent entry');
  return { id: parsed.id, json: parsed.json };
}

type PipelineResults = [Error | null, unknown][] | null;

/** A pipeline reports failures per command; any one of them fails the whole call. */
function checked(results: PipelineResults): unknown[] {
  if (results === null) throw new AppError('BACKEND_UNAVAILABLE', 'redis: pipeline returned no results');
  return results.map(([error, value]) => {
    if (error) throw new AppError('BACKEND_UNAVAILABLE', `redis: ${error.message}`, { cause: error });
    return value;
  });
}

export function createRedisCache(options: RedisCacheOptions): Cache {
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? '',
    lazyConnect: false,
    connectTimeout: 5_000,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    // Commands issued while (re)connecting wait in the offline queue, but only for two reconnect attempts:
    // a dead Redis fails a call within a second instead of holding the processor's batch forever.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
  });
  let lastError: Error | undefined;
  let wasReady = false;
  // Connection errors arrive as events too; ioredis reconnects by itself, and the failing calls report them.
  client.on('error', (error: Error) => (lastError = error));
  client.on('ready', () => {
    lastError = undefined;
    wasReady = true;
  });
  /**
   * Once Redis has been reachable, a lost connection fails writes at once instead of queueing them while ioredis
   * reconnects (its backoff reaches 2 s per attempt): a processor's batch must not wait on its accelerator.
   * Measured: with the queue, a processor stored 500 events/s while Redis was down; failing fast, it keeps its rate.
   */
  const ensureConnected = () => {
    if (wasReady && client.status !== 'ready') {
      throw new AppError(
        'BACKEND_UNAVAILABLE',
        `redis: not connected (${client.status}${lastError ? `: ${lastError.message}` : ''})`,
      );
    }
  };

  return {
    kind: 'redis',

    async markSeen(ids) {
      if (ids.length === 0) return [];
      ensureConnected();
      const pipeline = client.pipeline();
      for (const id of ids) pipeline.set(`log:${id}`, '1', 'EX', DEDUPE_TTL_SECONDS, 'NX');
      // SET … NX answers OK when it set the key and null when the key already existed.
      return checked(await pipeline.exec()).map((reply) => reply === 'OK');
    },

    async pushRecent(bySource) {
      ensureConnected();
      const pipeline = client.pipeline();
      for (const [source, events] of bySource) {
        if (events.length === 0) continue;
        const key = `recent:${source}`;
        // LPUSH a b c leaves c at the head: the last event of the input becomes the newest.
        pipeline.lpush(key, ...events.slice(-RECENT_PER_SOURCE).map(({ id, json }) => JSON.stringify({ id, json })));
        pipeline.ltrim(key, 0, RECENT_PER_SOURCE - 1);
      }
      if (pipeline.length > 0) checked(await pipeline.exec());
    },

    async recent(source, limit = RECENT_PER_SOURCE) {
      const count = Math.min(Math.max(0, Math.floor(limit)), RECENT_PER_SOURCE);
      if (count === 0) return [];
      const entries = await client.lrange(`recent:${source}`, 0, count - 1);
      return entries.map(decodeRecent);
    },

    async health() {
      try {
        await withTimeout(
          client.ping(),
          HEALTH_TIMEOUT_MS,
          () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`),
        );
      } catch (error) {
        const reason = lastError ? `${(error as Error).message} (${lastError.message})` : (error as Error).message;
        throw new AppError('BACKEND_UNAVAILABLE', `redis: ${reason}`, { cause: error });
      }
    },

    async close() {
      if (client.status === 'end') return;
      // QUIT lets queued replies arrive; if Redis is unreachable, drop the socket instead of waiting.
      if (client.status === 'ready') await client.quit().catch(() => undefined);
      client.disconnect();
    },
  };
}
