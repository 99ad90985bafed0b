// `logperf up` with the embedded store in a data folder: its size and memory in /api/node/stats, one process per
// folder (a second `up` on it fails with a clear message), and `--fresh` refused while the holder runs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, startCli } from './cli-process.js';

const run = promisify(execFile);
const PORTS = ['gateway', 'processor', 'loadgen', 'monitor', 'analyzer'].flatMap((role) => [`--${role}-port`, '0']);

describe('logperf up with the store on disk', () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it('reports its memory and store, and holds the folder against a second process', async () => {
    const root = await mkdtemp(join(tmpdir(), 'logperf-up-'));
    roots.push(root);
    const env = { LOGPERF_PGLITE_DIR: root, LOGPERF_LOG_LEVEL: 'warn' };
    const up = await startCli(['up', ...PORTS], env, 120_000);
    try {
      const stats = (await (await fetch(`${up.urls.processor}/api/node/stats`)).json()) as {
        pid: number;
        resources: { rssBytes: number | null };
        store: { where: string; sizeBytes: number; retention: { windowSeconds: number; rotations: number } };
      };
      expect(stats.resources.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(stats.store).toMatchObject({
        where: join(root, 'store'),
        retention: { windowSeconds: 600, rotations: 0 },
      });
      expect(stats.store.sizeBytes).toBeGreaterThan(1024 * 1024); // an initialised PostgreSQL cluster

      const second = run(process.execPath, [CLI_MAIN, 'up', ...PORTS], { env: { ...process.env, ...env } });
      await expect(second).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`is in use by process ${stats.pid}`) as unknown,
      });
      const fresh = run(process.execPath, [CLI_MAIN, 'up', '--fresh', ...PORTS], { env: { ...process.env, ...env } });
      await expect(fresh).rejects.toMatchObject({ stderr: expect.stringContaining('in use by process') as unknown });
    } finally {
      expect(await up.stop('SIGTERM')).toBe(0);
    }
  }, 180_000);
});
