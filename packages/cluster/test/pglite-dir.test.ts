// The embedded store's data folder: one process per folder, a dead holder's lock taken over, a crash recoverable, --fresh.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir, removeDataDirs } from '../src/backends/store/pglite-dir.js';
import { createPgliteStore } from '../src/backends/store/pglite-store.js';

const WRITER = fileURLToPath(new URL('./fixtures/pglite-writer.ts', import.meta.url));

/** The pid of a process that has exited (so its lock is stale). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('pglite data folder', () => {
  const roots: string[] = [];
  const newRoot = async () => {
    const root = await mkdtemp(join(tmpdir(), 'logperf-pglite-dir-'));
    roots.push(root);
    return root;
  };
  afterEach(async () => {
    for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
  });

  it('lets one holder at a time have a folder, names the live holder, and takes over a dead one', async () => {
    const dataDir = join(await newRoot(), 'store');
    const release = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
    const store = createPgliteStore({ dataDir });
    await expect(store.init()).rejects.toThrow(/in use by process/);
    await store.close();
    await release();

    await writeFile(`${dataDir}.lock`, String(await deadPid()));
    const again = await lockDataDir(dataDir);
    await again();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('recovers every committed row after the writing process is killed, and --fresh empties the root', async () => {
    const root = await newRoot();
    const dataDir = join(root, 'store');
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let committed = 0;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`writer exited (${code}) before writing`)));
      child.stdout.on('data', (chunk: Buffer) => {
        const counts = chunk.toString().trim().split('\n').map(Number);
        committed = Math.max(committed, ...counts);
        if (committed >= 1000) resolve();
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(`${dataDir}.lock`)).toBe(true); // left behind by the crash

    const store = createPgliteStore({ dataDir, table: 'crash_test' });
    await store.init();
    const { rows, distinctIds } = await store.counts();
    expect(rows).toBeGreaterThanOrEqual(committed);
    expect(distinctIds).toBe(rows);
    await expect(removeDataDirs(root)).rejects.toThrow(/in use by process/);
    await store.close();
    await removeDataDirs(root);
    expect(existsSync(root)).toBe(false);
  }, 120_000);
});
