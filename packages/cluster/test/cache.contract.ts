// Contract every Cache must meet: dedupe marks answered in input order, recent lists newest first and capped.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECENT_PER_SOURCE, type Cache, type RecentEvent } from '../src/backends/cache/cache.js';

/** Records ids under a source of their own: the dedupe answer alone. */
export const markSeen = (cache: Cache, ids: string[], source = `marks-${randomUUID()}`) =>
  cache.record(ids.map((id) => ({ id, source, toJson: () => '{}' })));
/** Records (new) events per source: the recent lists alone. */
export const pushRecent = (cache: Cache, bySource: Map<string, RecentEvent[]>) =>
  cache.record(
    [...bySource].flatMap(([source, events]) => events.map(({ id, json }) => ({ id, source, toJson: () => json }))),
  );

const recentEvents = (n: number, tag: string): RecentEvent[] =>
  Array.from({ length: n }, (_, i) => {
    const id = randomUUID();
    return { id, json: JSON.stringify({ id, tag, i }) };
  });
/** Sources are unique per test, so a shared server holds no list from another test or run. */
const newSource = () => `source-${randomUUID()}`;

export function cacheContract(name: string, make: () => Promise<Cache>): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;

    beforeAll(async () => {
      cache = await make();
    });
    afterAll(async () => {
      await cache?.close();
    });

    it('markSeen is true the first time and false after, in input order', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      expect(await markSeen(cache, [a, b])).toEqual([true, true]);
      expect(await markSeen(cache, [c, a, b])).toEqual([true, false, false]);
      expect(await markSeen(cache, [])).toEqual([]);
    });

    it('markSeen answers a repeat inside one call with false for every later occurrence', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      expect(await markSeen(cache, [a, b, a, a, b])).toEqual([true, true, false, false, false]);
    });

    it('markSeen handles 5,000 ids in one call', async () => {
      const ids = Array.from({ length: 5000 }, () => randomUUID());
      const first = await markSeen(cache, ids);
      expect(first.filter(Boolean)).toHaveLength(5000);
      const again = await markSeen(cache, [...ids.slice(0, 10), randomUUID()]);
      expect(again).toEqual([...Array<boolean>(10).fill(false), true]);
    });

    it('recent is newest first: the last event pushed is at the head', async () => {
      const source = newSource();
      const [e1, e2, e3, e4] = recentEvents(4, 'order');
      await pushRecent(cache, new Map([[source, [e1!, e2!, e3!]]]));
      expect(await cache.recent(source)).toEqual([e3, e2, e1]);
      await pushRecent(cache, new Map([[source, [e4!]]]));
      expect(await cache.recent(source)).toEqual([e4, e3, e2, e1]);
      expect(await cache.recent(source, 2)).toEqual([e4, e3]);
      expect(await cache.recent(source, 0)).toEqual([]);
    });

    it(`recent keeps only the newest ${RECENT_PER_SOURCE} per source`, async () => {
      const source = newSource();
      const older = recentEvents(RECENT_PER_SOURCE + 50, 'older');
      const newer = recentEvents(30, 'newer');
      await pushRecent(cache, new Map([[source, older]]));
      expect(await cache.recent(source)).toEqual(older.slice(-RECENT_PER_SOURCE).reverse());
      await pushRecent(cache, new Map([[source, newer]]));
      const expected = [...newer]
        .reverse()
        .concat([...older].reverse())
        .slice(0, RECENT_PER_SOURCE);
      expect(await cache.recent(source)).toEqual(expected);
      expect(await cache.recent(source, RECENT_PER_SOURCE * 3)).toHaveLength(RECENT_PER_SOURCE);
    });

    it('keeps sources apart, returns [] for an unknown one and ignores empty pushes', async () => {
      const [s1, s2] = [newSource(), newSource()];
      const [a, b] = recentEvents(2, 'apart');
      await pushRecent(
        cache,
        new Map([
          [s1, [a!]],
          [s2, [b!]],
          [newSource(), []],
        ]),
      );
      await pushRecent(cache, new Map());
      expect(await cache.recent(s1)).toEqual([a]);
      expect(await cache.recent(s2)).toEqual([b]);
      expect(await cache.recent(newSource())).toEqual([]);
    });

    it('returns the event JSON exactly as pushed', async () => {
      const source = newSource();
      const id = randomUUID();
      const json = JSON.stringify({ id, message: 'Zoë "quoted" \\ \n tab\t 日本 😀 \u2028', source: 'сервис' });
      await pushRecent(cache, new Map([[source, [{ id, json }]]]));
      const [back] = await cache.recent(source);
      expect(back).toEqual({ id, json });
    });

    it('pushes only the events whose mark was new, so a redelivered event is listed once', async () => {
      const source = newSource();
      const [a, b] = recentEvents(2, 'once');
      const batch = [a!, b!].map(({ id, json }) => ({ id, source, toJson: () => json }));
      expect(await cache.record(batch)).toEqual([true, true]);
      expect(await cache.record([...batch, batch[0]!])).toEqual([false, false, false]);
      expect(await cache.recent(source)).toEqual([b, a]);
      expect(await cache.record([])).toEqual([]);
    });

    it('serialises only the events that can reach a list: the newest per source', async () => {
      const source = newSource();
      const events = recentEvents(RECENT_PER_SOURCE + 40, 'lazy');
      let serialised = 0;
      await cache.record(
        events.map(({ id, json }) => ({
          id,
          source,
          toJson: () => {
            serialised++;
            return json;
          },
        })),
      );
      expect(serialised).toBe(RECENT_PER_SOURCE);
      expect(await cache.recent(source)).toEqual(events.slice(-RECENT_PER_SOURCE).reverse());
    });

    it('answers health', async () => {
      await expect(cache.health()).resolves.toBeUndefined();
    });
  });
}
