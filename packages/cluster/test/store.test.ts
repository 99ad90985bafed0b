// The Store contract on the embedded PGlite store, plus what is PGlite's own: a data directory that persists.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPgliteStore } from '../src/backends/store/pglite-store.js';
import { checkTable } from '../src/backends/store/schema.js';
import { storeContract } from './store.contract.js';

storeContract('pglite (in memory)', async () => createPgliteStore());

describe('pglite store', () => {
  it('keeps its rows in a data directory across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'logperf-pglite-'));
    try {
      const id = randomUUID();
      const first = createPgliteStore({ dataDir, table: 'events_on_disk' });
      await first.init();
      await first.insertBatch([
        { id, level: 'WARN', message: 'kept', source: 'disk', timestamp: Date.now(), ingestedAt: Date.now() },
      ]);
      await first.close();
      const second = createPgliteStore({ dataDir, table: 'events_on_disk' });
      await second.init();
      expect(await second.existingIds([id])).toEqual(new Set([id]));
      expect(await second.counts()).toEqual({ rows: 1, distinctIds: 1 });
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('accepts only plain lower-case table names, since they are spliced into SQL', () => {
    expect(checkTable('log_events_2')).toBe('log_events_2');
    for (const bad of ['', 'LogEvents', '1abc', 'a-b', 'x; drop table y', 'a'.repeat(64), 'ä']) {
      expect(() => checkTable(bad)).toThrow(/identifier/);
      expect(() => createPgliteStore({ table: bad })).toThrow(/identifier/);
    }
  });
});
