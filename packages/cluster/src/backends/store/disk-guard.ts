// Keeps the embedded store off a full disk. PostgreSQL writes its log in 16 MiB files; a write that finds no room for
// the next one fails inside PGlite, which does not recover (on a 48 MiB tmpfs the call never returned). So writes stop
// while the folder's file system has less than a margin free, with one clear error, and resume once there is room.
import { statfs } from 'node:fs/promises';
import { AppError } from '@logperf/core';
import { diskError, diskFullError, isInMemory } from './pglite-dir.js';

/** Free bytes below which the store refuses writes: four WAL files of 16 MiB. */
export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;
const CHECK_EVERY_MS = 1000;

export interface DiskGuardOptions {
  /** The data folder (memory:// is never checked). */
  where: string;
  minFreeBytes?: number;
  /** Free bytes of the folder's file system (tests). */
  freeBytes?: (dir: string) => Promise<number>;
  now?: () => number;
}

export interface DiskGuard {
  /** Throws the clear error while the file system has less than the margin free (read at most once a second). */
  check(): Promise<void>;
  /** A write failed: a disk-full error becomes the clear one and is remembered; the error to throw. */
  failed(error: unknown): unknown;
  /** A write succeeded: the store writes again. */
  succeeded(): void;
  /** Why the store cannot write now, or null. */
  failure(): string | null;
}

const statfsFree = async (dir: string) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

export function createDiskGuard(options: DiskGuardOptions): DiskGuard {
  const minFree = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  const freeBytes = options.freeBytes ?? statfsFree;
  const now = options.now ?? Date.now;
  let failure: string | null = null;
  let lowSpace: string | null = null;
  let last: { atMs: number; free: number } | undefined;
  return {
    async check() {
      if (isInMemory(options.where)) return;
      if (!last || now() - last.atMs >= CHECK_EVERY_MS) last = { atMs: now(), free: await freeBytes(options.where) };
      if (last.free >= minFree) {
        lowSpace = null;
        return;
      }
      const mib = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)} MiB`;
      const error = diskFullError(options.where, `${mib(last.free)} free on its disk, below the ${mib(minFree)} kept`);
      lowSpace = error.message;
      throw error;
    },
    failed(error) {
      const clear = diskError(error, options.where);
      if (clear !== error && clear instanceof AppError) failure = clear.message;
      return clear;
    },
    succeeded() {
      failure = null;
    },
    failure: () => lowSpace ?? failure,
  };
}
