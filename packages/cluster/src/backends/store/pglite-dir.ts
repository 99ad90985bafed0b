// Where the embedded store lives: a data folder on disk held by one process at a time (a lock file with its pid), or memory://.
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '@logperf/core';

/** PGlite's own spelling of "keep it in memory" (tests, and users who want nothing on disk). */
export const IN_MEMORY = 'memory://';
export const isInMemory = (dir: string) => dir.startsWith(IN_MEMORY);
/** Each process's folder under the root (LOGPERF_PGLITE_DIR): `store` for the cluster, a service's name alone. */
export const dataDirOf = (root: string, name: string) => (isInMemory(root) ? IN_MEMORY : join(resolve(root), name));
const lockPathOf = (dataDir: string) => `${dataDir}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockHolder(lockPath: string): Promise<number | undefined> {
  const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

const inUse = (dataDir: string, pid: number) =>
  new AppError(
    'BACKEND_UNAVAILABLE',
    `the embedded store ${dataDir} is in use by process ${pid} (lock ${lockPathOf(dataDir)}); stop that process or ` +
      `give this one another folder (LOGPERF_PGLITE_DIR / --pglite-dir)`,
  );

/**
 * Two PostgreSQL instances on one folder corrupt it, so a folder belongs to one process: the lock file beside it
 * names the holder's pid. A lock whose process is gone (a crash, kill -9) is taken over. Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = lockPathOf(dataDir);
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(lockPath, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw diskError(error, dataDir);
    }
    const holder = await lockHolder(lockPath);
    if (holder !== undefined) throw inUse(dataDir, holder);
    await rm(lockPath, { force: true }); // stale: its process is gone
  }
  throw new AppError('BACKEND_UNAVAILABLE', `could not take the lock ${lockPath}`);
}

/** `--fresh`: removes every data folder under the root, unless a live process holds one. */
export async function removeDataDirs(root: string): Promise<void> {
  if (isInMemory(root)) return;
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.endsWith('.lock'))) {
    const holder = await lockHolder(join(root, entry));
    if (holder !== undefined) throw inUse(join(root, entry.slice(0, -'.lock'.length)), holder);
  }
  await rm(root, { recursive: true, force: true });
}

/** Bytes the folder takes on disk (apparent sizes of its files). */
export async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  let total = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

const DISK_FULL = /ENOSPC|No space left on device|could not extend file|could not write/i;

/** A full disk shows up as a PostgreSQL or file-system message; it becomes one clear error naming the folder. */
export function diskError(error: unknown, dataDir: string): unknown {
  const message = String((error as Error | undefined)?.message ?? error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && !DISK_FULL.test(message)) return error;
  return diskFullError(dataDir, message, error);
}

/** The one error a full disk becomes: which folder, what was seen, what to do. Retried by the bus, so Retry-After. */
export function diskFullError(dataDir: string, detail: string, cause?: unknown): AppError {
  return new AppError(
    'BACKEND_UNAVAILABLE',
    `the disk holding the embedded store ${dataDir} is full (${detail}); free space, or shorten the retention ` +
      `(LOGPERF_STORE_RETENTION_SECONDS) or use LOGPERF_PGLITE_DIR to move it`,
    { retryAfterSeconds: 5, ...(cause === undefined ? {} : { cause }) },
  );
}
