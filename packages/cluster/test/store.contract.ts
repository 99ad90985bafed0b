// Contract every Store must meet: idempotent init and batch writes keyed by id, exact round-trips, large batches.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store, StoredEventInput } from '../src/backends/store/store.js';

const row = (overrides: Partial<StoredEventInput> = {}): StoredEventInput => ({
  id: randomUUID(),
  level: 'INFO',
  message: 'user logged in',
  source: 'auth-service',
  timestamp: Date.now() - 50,
  ingestedAt: Date.now(),
  ...overrides,
});
const rows = (n: number) => Array.from({ length: n }, () => row());

/** Exactly 64 KiB of UTF-8 built from 1-, 2-, 3- and 4-byte characters. */
function message64KiB(): string {
  const unit = 'a' + 'é' + '日' + '😀'; // 1 + 2 + 3 + 4 = 10 bytes
  const text = unit.repeat(6553) + 'abcdef';
  expect(Buffer.byteLength(text)).toBe(64 * 1024);
  return text;
}

export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await make();
      await store.init();
    });
    beforeEach(async () => {
      await store.truncate();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('init is idempotent, also when called concurrently', async () => {
      await Promise.all([store.init(), store.init(), store.init()]);
      await store.init();
      expect(await store.counts()).toEqual({ rows: 0, distinctIds: 0 });
      expect((await store.insertBatch(rows(3))).inserted).toBe(3);
    });

    it('writes a batch, counts it and reports a storedAt taken after the commit', async () => {
      const batch = rows(100);
      const before = Date.now();
      const result = await store.insertBatch(batch);
      expect(result.inserted).toBe(100);
      expect(result.storedAt).toBeGreaterThanOrEqual(before);
      expect(result.storedAt).toBeLessThanOrEqual(Date.now());
      expect(await store.counts()).toEqual({ rows: 100, distinctIds: 100 });
      const [stored] = await store.fetchByIds([batch[0]!.id]);
      // stored_at is the transaction start on the database clock: inside [before, storedAt] up to clock rounding.
      expect(stored!.storedAt).toBeGreaterThanOrEqual(before - 5);
      expect(stored!.storedAt).toBeLessThanOrEqual(result.storedAt + 5);
    });

    it('inserting the same batch again inserts nothing and leaves the counts unchanged', async () => {
      const batch = rows(200);
      expect((await store.insertBatch(batch)).inserted).toBe(200);
      expect((await store.insertBatch(batch)).inserted).toBe(0);
      expect(await store.counts()).toEqual({ rows: 200, distinctIds: 200 });
    });

    it('a mixed batch inserts only the new ids, and an id twice in one batch is stored once', async () => {
      const old = rows(50);
      await store.insertBatch(old);
      const fresh = rows(30);
      expect((await store.insertBatch([...old, ...fresh])).inserted).toBe(30);
      const repeated = row();
      expect((await store.insertBatch([repeated, { ...repeated, message: 'second copy' }])).inserted).toBe(1);
      expect(await store.counts()).toEqual({ rows: 81, distinctIds: 81 });
    });

    it('existingIds returns exactly the stored ones, in the caller’s spelling', async () => {
      const stored = rows(10);
      await store.insertBatch(stored);
      const absent = rows(5).map((r) => r.id);
      const upper = stored[0]!.id.toUpperCase();
      const found = await store.existingIds([...stored.map((r) => r.id), ...absent, upper]);
      expect(found).toEqual(new Set([...stored.map((r) => r.id), upper]));
      expect(await store.existingIds([])).toEqual(new Set());
    });

    it('round-trips unicode, a 64 KiB message, attributes and exact millisecond timestamps', async () => {
      const rich = row({
        level: 'ERROR',
        message: message64KiB(),
        source: 'сервис-認証-🚀',
        timestamp: Date.UTC(2024, 1, 29, 23, 59, 59, 999),
        traceId: 'trace-ß-ü-\u05d0\u05d1',
        attributes: {
          user: 'Zoë "quoted" \\ back',
          count: 42,
          ratio: 0.125,
          big: -1.5e300,
          ok: true,
          none: null,
          'kéy 🔑': 'värde',
        },
        ingestedAt: Date.UTC(2024, 2, 1, 0, 0, 0, 1),
      });
      const plain = row({ level: 'TRACE', message: '', attributes: {} });
      await store.insertBatch([rich, plain]);
      const fetched = await store.fetchByIds([plain.id, rich.id, randomUUID()]);
      const byId = new Map(fetched.map((e) => [e.id, e]));
      expect(fetched).toHaveLength(2);
      const { storedAt: richStoredAt, ...richBack } = byId.get(rich.id)!;
      const { storedAt: _plainStoredAt, ...plainBack } = byId.get(plain.id)!;
      expect(richBack).toStrictEqual(rich);
      expect(plainBack).toStrictEqual(plain);
      expect(Buffer.byteLength(richBack.message)).toBe(64 * 1024);
      expect(richStoredAt).toBeGreaterThan(rich.ingestedAt);
    });

    it('round-trips the characters COPY text escapes: backslash, tab, newline, carriage return, and \\N', async () => {
      const tricky = row({
        message: 'a\\b\tc\nd\re \\N \\. end\\',
        source: 'tab\tsource',
        traceId: '\\N',
        attributes: { path: 'C:\\dir\\file', lines: 'one\ntwo' },
      });
      await store.insertBatch([tricky]);
      const [back] = await store.fetchByIds([tricky.id]);
      const { storedAt: _storedAt, ...fields } = back!;
      expect(fields).toStrictEqual(tricky);
    });

    it('a failed write stores nothing and leaves nothing behind for the next one', async () => {
      const good = rows(20);
      await expect(store.insertBatch([...good.slice(0, 10), row({ id: 'not-a-uuid' })])).rejects.toThrow();
      expect(await store.counts()).toEqual({ rows: 0, distinctIds: 0 });
      expect((await store.insertBatch(good.slice(10))).inserted).toBe(10);
      expect(await store.counts()).toEqual({ rows: 10, distinctIds: 10 });
    });

    it('concurrent overlapping batches store each id exactly once and count each insert once', async () => {
      const ids = rows(600);
      const batches = [ids.slice(0, 300), ids.slice(200, 500), ids.slice(100, 600), ids.slice(0, 600)];
      const results = await Promise.all(batches.map((b) => store.insertBatch(b)));
      expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(600);
      expect(await store.counts()).toEqual({ rows: 600, distinctIds: 600 });
    });

    it('an empty batch is a no-op', async () => {
      await store.insertBatch(rows(2));
      expect((await store.insertBatch([])).inserted).toBe(0);
      expect(await store.counts()).toEqual({ rows: 2, distinctIds: 2 });
      expect(await store.fetchByIds([])).toEqual([]);
    });

    it('truncate deletes every row', async () => {
      const batch = rows(20);
      await store.insertBatch(batch);
      await store.truncate();
      expect(await store.counts()).toEqual({ rows: 0, distinctIds: 0 });
      expect(await store.existingIds(batch.map((r) => r.id))).toEqual(new Set());
    });

    it('writes a batch of 5,000 in one call', async () => {
      const batch = rows(5000);
      expect((await store.insertBatch(batch)).inserted).toBe(5000);
      expect(await store.counts()).toEqual({ rows: 5000, distinctIds: 5000 });
      expect((await store.existingIds(batch.map((r) => r.id))).size).toBe(5000);
    });

    it('lends its database to services of the same process, without letting them close it', async () => {
      const sql = store.sql();
      expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await sql.close();
      expect((await store.insertBatch(rows(2))).inserted).toBe(2);
    });

    it('answers health, and a closed store rejects its calls', async () => {
      await expect(store.health()).resolves.toBeUndefined();
      const other = await make();
      await other.init();
      await other.close();
      await expect(other.health()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      await expect(other.insertBatch(rows(1))).rejects.toThrow();
    });
  });
}
