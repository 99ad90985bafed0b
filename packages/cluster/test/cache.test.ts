// The Cache contract on the in-memory cache, plus its own promises: TTL on an injected clock and bounded memory.
import { describe, expect, it } from 'vitest';
import { DEDUPE_TTL_SECONDS, RECENT_PER_SOURCE, RECENT_TTL_SECONDS } from '../src/backends/cache/cache.js';
import { createMemoryCache } from '../src/backends/cache/memory-cache.js';
import { cacheContract, markSeen, pushRecent } from './cache.contract.js';

cacheContract('memory', async () => createMemoryCache());

const event = (id: string) => ({ id, json: `{"id":"${id}"}` });
/** 100 UTF-16 units, so 200 bytes by the cache's count. */
const event200Bytes = (id: string) => ({ id, json: 'x'.repeat(100 - id.length) });

describe('memory cache', () => {
  it(`expires a mark after ${DEDUPE_TTL_SECONDS} s and treats it as absent`, async () => {
    let clock = 1_700_000_000_000;
    const cache = createMemoryCache({ now: () => clock });
    expect(await markSeen(cache, ['a'])).toEqual([true]);
    clock += DEDUPE_TTL_SECONDS * 1000 - 1;
    expect(await markSeen(cache, ['a', 'b'])).toEqual([false, true]);
    clock += 1;
    // a's TTL ran out exactly now; b, marked 1 ms before, is still live.
    expect(await markSeen(cache, ['a', 'b'])).toEqual([true, false]);
    clock += DEDUPE_TTL_SECONDS * 1000;
    expect(await markSeen(cache, ['a', 'b'])).toEqual([true, true]);
  });

  it('takes the dedupe TTL from its options', async () => {
    let clock = 0;
    const cache = createMemoryCache({ now: () => clock, dedupeTtlSeconds: 5 });
    expect(await markSeen(cache, ['a'])).toEqual([true]);
    clock = 4_999;
    expect(await markSeen(cache, ['a'])).toEqual([false]);
    clock = 5_000;
    expect(await markSeen(cache, ['a'])).toEqual([true]);
  });

  it(`drops a source's recent list ${RECENT_TTL_SECONDS} s after its last push`, async () => {
    let clock = 0;
    const cache = createMemoryCache({ now: () => clock });
    await pushRecent(cache, new Map([['s', [event('1')]]]));
    clock = RECENT_TTL_SECONDS * 1000 - 1;
    expect(await cache.recent('s')).toHaveLength(1);
    clock = RECENT_TTL_SECONDS * 1000;
    expect(await cache.recent('s')).toEqual([]);
  });

  it('a repeat sighting does not extend a mark (like SET NX)', async () => {
    let clock = 0;
    const cache = createMemoryCache({ now: () => clock });
    await markSeen(cache, ['a']);
    clock = DEDUPE_TTL_SECONDS * 500;
    expect(await markSeen(cache, ['a'])).toEqual([false]);
    clock = DEDUPE_TTL_SECONDS * 1000;
    expect(await markSeen(cache, ['a'])).toEqual([true]);
  });

  it('keeps at most maxEntries marks, dropping the oldest', async () => {
    const cache = createMemoryCache({ maxEntries: 3 });
    expect(await markSeen(cache, ['a', 'b', 'c', 'd'])).toEqual([true, true, true, true]);
    expect(await markSeen(cache, ['d', 'c', 'b'])).toEqual([false, false, false]);
    // 'a' was evicted: it reads as new (the store's ON CONFLICT still keeps the row single).
    expect(await markSeen(cache, ['a'])).toEqual([true]);
    expect(await markSeen(cache, ['b'])).toEqual([true]);
  });

  it('keeps at most maxSources recent lists, dropping the one pushed to least recently', async () => {
    const cache = createMemoryCache({ maxSources: 2 });
    await pushRecent(cache, new Map([['s1', [event('1')]]]));
    await pushRecent(cache, new Map([['s2', [event('2')]]]));
    await pushRecent(cache, new Map([['s1', [event('1b')]]]));
    await pushRecent(cache, new Map([['s3', [event('3')]]]));
    expect(await cache.recent('s2')).toEqual([]);
    expect((await cache.recent('s1')).map((e) => e.id)).toEqual(['1b', '1']);
    expect((await cache.recent('s3')).map((e) => e.id)).toEqual(['3']);
  });

  it('stays within maxRecentBytes by dropping the oldest events of the stalest source first', async () => {
    // The budget holds five 200-byte events.
    const cache = createMemoryCache({ maxRecentBytes: 1000 });
    await pushRecent(cache, new Map([['old', ['a', 'b', 'c'].map((id) => event200Bytes(id))]]));
    await pushRecent(cache, new Map([['new', ['d', 'e', 'f'].map((id) => event200Bytes(id))]]));
    expect((await cache.recent('old')).map((e) => e.id)).toEqual(['c', 'b']);
    expect((await cache.recent('new')).map((e) => e.id)).toEqual(['f', 'e', 'd']);
    await pushRecent(
      cache,
      new Map([['new', Array.from({ length: RECENT_PER_SOURCE }, (_, i) => event200Bytes(`n${i}`))]]),
    );
    expect(await cache.recent('old')).toEqual([]);
    expect((await cache.recent('new')).map((e) => e.id)).toEqual(['n99', 'n98', 'n97', 'n96', 'n95']);
  });

  it('rejects bad bounds and every call after close', async () => {
    expect(() => createMemoryCache({ maxEntries: 0 })).toThrow(/maxEntries/);
    const cache = createMemoryCache();
    await cache.close();
    await expect(markSeen(cache, ['a'])).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(cache.health()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
});
