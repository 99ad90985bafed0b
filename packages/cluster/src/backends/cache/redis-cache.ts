// The cache on a real Redis: dedupe marks log:{id} (SET NX EX) and lists recent:{source}, one script call per batch.
import { AppError, withTimeout } from '@logperf/core';
import { Redis } from 'ioredis';
import {
  DEDUPE_TTL_SECONDS,
  RECENT_PER_SOURCE,
  RECENT_TTL_SECONDS,
  type Cache,
  type CachedEvent,
  type RecentEvent,
} from './cache.js';

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key (default ''), so tests and several clusters can share one Redis. */
  keyPrefix?: string;
  /** Limit for one command, scripts included (default 5 s). */
  commandTimeoutMs?: number;
  /** Life of a dedupe mark (default DEDUPE_TTL_SECONDS). */
  dedupeTtlSeconds?: number;
}

/**
 * KEYS: the n dedupe keys, then the recent lists. ARGV: n, mark TTL, list cap, list TTL, then per event the index of
 * its list among the list keys (0: too old to be listed) and its entry ('' then). New marks' entries are pushed with one LPUSH per list (in input order, so
 * the last is the newest), then each touched list is trimmed and its TTL renewed once. Redis runs the script atomically,
 * so one call replaces a SET per event plus a second round trip.
 */
const RECORD_SCRIPT = `
local n = tonumber(ARGV[1])
local fresh = {}
local pending = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], '1', 'EX', ARGV[2], 'NX') then
    local listIndex = tonumber(ARGV[3 + 2 * i])
    if listIndex > 0 then
      local list = KEYS[n + listIndex]
      local entries = pending[list]
      if not entries then
        entries = {}
        pending[list] = entries
      end
      entries[#entries + 1] = ARGV[4 + 2 * i]
    end
    fresh[i] = 1
  else
    fresh[i] = 0
  end
end
for list, entries in pairs(pending) do
  for from = 1, #entries, 1000 do
    redis.call('LPUSH', list, unpack(entries, from, math.min(from + 999, #entries)))
  end
  redis.call('LTRIM', list, 0, tonumber(ARGV[3]) - 1)
  redis.call('EXPIRE', list, ARGV[4])
end
return fresh`;

type RecordingRedis = Redis & { logperfRecord(...args: (string | number)[]): Promise<number[]> };

/** The script's arguments for one batch: keys first (so ioredis prefixes them), then the values. */
function recordArgs(events: readonly CachedEvent[], dedupeTtlSeconds: number): (string | number)[] {
  const listIndex = new Map<string, number>();
  const remaining = new Map<string, number>();
  for (const { source } of events) remaining.set(source, (remaining.get(source) ?? 0) + 1);
  const perEvent: (string | number)[] = [];
  for (const { id, source, toJson } of events) {
    const left = remaining.get(source) ?? 0;
    remaining.set(source, left - 1);
    if (left > RECENT_PER_SOURCE) {
      perEvent.push(0, '');
      continue;
    }
    let index = listIndex.get(source);
    if (index === undefined) listIndex.set(source, (index = listIndex.size + 1));
    perEvent.push(index, JSON.stringify({ id, json: toJson() }));
  }
  const keys = [...events.map(({ id }) => `log:${id}`), ...[...listIndex.keys()].map((source) => `recent:${source}`)];
  return [keys.length, ...keys, events.length, dedupeTtlSeconds, RECENT_PER_SOURCE, RECENT_TTL_SECONDS, ...perEvent];
}

const HEALTH_TIMEOUT_MS = 2_000;

/** Each list entry is JSON `{"id": …, "json": …}`: the event text comes back byte for byte, whatever it holds. */
function decodeRecent(entry: string): RecentEvent {
  const parsed = JSON.parse(entry) as Partial<RecentEvent>;
  if (typeof parsed.id !== 'string' || typeof parsed.json !== 'string')
    throw new Error('redis cache: malformed recent entry');
  return { id: parsed.id, json: parsed.json };
}

export function createRedisCache(options: RedisCacheOptions): Cache {
  const dedupeTtlSeconds = options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS;
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
  // No fixed key count: the first argument of each call says how many keys follow (ioredis then uses EVALSHA).
  client.defineCommand('logperfRecord', { lua: RECORD_SCRIPT });
  const recorder = client as RecordingRedis;
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

    async record(events) {
      if (events.length === 0) return [];
      ensureConnected();
      try {
        const fresh = await recorder.logperfRecord(...recordArgs(events, dedupeTtlSeconds));
        return fresh.map((flag) => flag === 1);
      } catch (error) {
        throw new AppError('BACKEND_UNAVAILABLE', `redis: ${(error as Error).message}`, { cause: error });
      }
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
