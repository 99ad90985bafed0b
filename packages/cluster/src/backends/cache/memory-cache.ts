// The embedded cache: dedupe marks with a TTL and per-source recent lists, in this process, in bounded memory.
import { AppError } from '@logperf/core';
import {
  DEDUPE_TTL_SECONDS,
  RECENT_PER_SOURCE,
  RECENT_TTL_SECONDS,
  type Cache,
  type CachedEvent,
  type RecentEvent,
} from './cache.js';

export interface MemoryCacheOptions {
  /** Dedupe marks kept at most (default 1,000,000, about 100 MB); past it the oldest mark is dropped. */
  maxEntries?: number;
  /** Sources whose recent lists are kept (default 10,000); the source pushed to least recently goes first. */
  maxSources?: number;
  /** Budget for all recent lists, counting two bytes per UTF-16 unit (default 64 MiB). */
  maxRecentBytes?: number;
  /** Life of a dedupe mark (default DEDUPE_TTL_SECONDS). */
  dedupeTtlSeconds?: number;
  /** Clock in epoch ms (tests inject one to expire marks). */
  now?: () => number;
}

interface RecentList {
  /** Newest first. */
  events: RecentEvent[];
  bytes: number;
  /** Renewed by every push, like EXPIRE on recent:{source}. */
  expiresAt: number;
}

const eventBytes = (event: RecentEvent) => 2 * (event.id.length + event.json.length);
const listBytes = (events: readonly RecentEvent[]) => events.reduce((sum, event) => sum + eventBytes(event), 0);

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`memory cache: ${name} must be a positive integer, got ${value}`);
  return value;
}

export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const maxEntries = positiveInteger(options.maxEntries ?? 1_000_000, 'maxEntries');
  const maxSources = positiveInteger(options.maxSources ?? 10_000, 'maxSources');
  const maxRecentBytes = positiveInteger(options.maxRecentBytes ?? 64 * 1024 * 1024, 'maxRecentBytes');
  const now = options.now ?? Date.now;
  const ttlMs = positiveInteger(options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS, 'dedupeTtlSeconds') * 1000;
  /**
   * id → expiry (epoch ms). Every mark lives the same TTL and a repeat sighting does not extend it
   * (as with Redis SET NX), so insertion order is expiry order: the oldest entry is both the first to
   * expire and the one to evict. That is why a hit does not move an entry the way a classic LRU would.
   */
  const marks = new Map<string, number>();
  /** source → list; Map order is push recency, least recent first. */
  const recentLists = new Map<string, RecentList>();
  let recentBytes = 0;
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new AppError('BACKEND_UNAVAILABLE', 'memory cache is closed');
  };

  const dropExpired = (at: number) => {
    for (const [id, expiresAt] of marks) {
      if (expiresAt > at) break;
      marks.delete(id);
    }
  };

  const enforceRecentBounds = () => {
    for (const [source, list] of recentLists) {
      if (recentLists.size <= maxSources && recentBytes <= maxRecentBytes) break;
      // Over the source bound the whole list goes; over the byte budget only as much as needed, oldest first.
      while (list.events.length > 0 && (recentLists.size > maxSources || recentBytes > maxRecentBytes)) {
        const dropped = list.events.pop()!;
        list.bytes -= eventBytes(dropped);
        recentBytes -= eventBytes(dropped);
      }
      if (list.events.length === 0) recentLists.delete(source);
    }
  };

  const push = (source: string, events: readonly CachedEvent[], at: number) => {
    const previous = recentLists.get(source);
    recentLists.delete(source); // re-inserted below as the most recently pushed
    const kept = previous && previous.expiresAt > at ? previous.events : [];
    const added = events
      .slice(-RECENT_PER_SOURCE)
      .reverse()
      .map(({ id, toJson }) => ({ id, json: toJson() }));
    const merged = added.concat(kept).slice(0, RECENT_PER_SOURCE);
    const bytes = listBytes(merged);
    recentBytes += bytes - (previous?.bytes ?? 0);
    recentLists.set(source, { events: merged, bytes, expiresAt: at + RECENT_TTL_SECONDS * 1000 });
  };

  return {
    kind: 'memory',

    async record(events) {
      ensureOpen();
      const at = now();
      dropExpired(at);
      const fresh = events.map(({ id }) => {
        const expiresAt = marks.get(id);
        if (expiresAt !== undefined && expiresAt > at) return false;
        marks.delete(id); // an expired mark is re-inserted at the end, keeping the order by expiry
        marks.set(id, at + ttlMs);
        if (marks.size > maxEntries) marks.delete(marks.keys().next().value!);
        return true;
      });
      const bySource = new Map<string, CachedEvent[]>();
      events.forEach((event, i) => {
        if (!fresh[i]) return;
        const list = bySource.get(event.source);
        if (list) list.push(event);
        else bySource.set(event.source, [event]);
      });
      for (const [source, added] of bySource) push(source, added, at);
      enforceRecentBounds();
      return fresh;
    },

    async recent(source, limit = RECENT_PER_SOURCE) {
      ensureOpen();
      const list = recentLists.get(source);
      const events = list && list.expiresAt > now() ? list.events : [];
      return events.slice(0, Math.max(0, limit)).map(({ id, json }) => ({ id, json }));
    },

    async health() {
      ensureOpen();
    },

    async close() {
      closed = true;
      marks.clear();
      recentLists.clear();
      recentBytes = 0;
    },
  };
}
