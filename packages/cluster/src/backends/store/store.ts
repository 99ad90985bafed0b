// The store: PostgreSQL's log_events table (or PGlite's), written in idempotent batches keyed by event id.
import type { LogLevel } from '@logperf/core';
import type { SqlClient } from '@logperf/platform';

export interface StoredEventInput {
  id: string;
  level: LogLevel;
  message: string;
  source: string;
  /** Event timestamp, epoch ms. */
  timestamp: number;
  traceId?: string | undefined;
  attributes?: Record<string, string | number | boolean | null> | undefined;
  /** When the processor took the event off the bus, epoch ms. */
  ingestedAt: number;
}

/** A stored row, read back as the processor wrote it. */
export interface StoredEvent extends StoredEventInput {
  /** stored_at: the start of the inserting transaction on the database clock, epoch ms. */
  storedAt: number;
}

export interface InsertResult {
  /** Rows newly written; ids already present are skipped (ON CONFLICT DO NOTHING). */
  inserted: number;
  /** When the commit was acknowledged, epoch ms on this process's clock (stored_at is a few ms earlier, on the database's). */
  storedAt: number;
}

export interface StoreCounts {
  rows: number;
  distinctIds: number;
}

/** What the embedded store takes and keeps (shown in /api/node/stats and on the dashboard). */
export interface StoreUsage {
  /** The data folder, or memory://. */
  where: string;
  /** Bytes on disk (or in memory for memory://); null with a reason when it cannot be read. */
  sizeBytes: number | null;
  sizeUnavailable?: string;
  /** Why writes are refused now (its disk is full: disk-guard.ts), or null. */
  writeError: string | null;
  retention: { windowSeconds: number; rotations: number; segmentStartedAt: number };
}

export interface Store {
  readonly kind: 'pglite' | 'postgres';
  /** Creates log_events (and its indexes) if absent. */
  init(): Promise<void>;
  /** Writes the batch in one transaction; resolves after commit. */
  insertBatch(events: readonly StoredEventInput[]): Promise<InsertResult>;
  /** Which of these ids are stored. */
  existingIds(ids: readonly string[]): Promise<Set<string>>;
  /** The stored rows among these ids, oldest stored_at first (tests and verification: exact round-trips, per-event latency). */
  fetchByIds(ids: readonly string[]): Promise<StoredEvent[]>;
  /** The store's own database connection, for services in this process that keep tables beside log_events; closing it is a no-op (the store owns it). */
  sql(): SqlClient;
  counts(): Promise<StoreCounts>;
  /** Deletes every row (tests and benchmarks only). */
  truncate(): Promise<void>;
  health(): Promise<void>;
  /** Why the store cannot write now (the embedded store's disk is full), or null; absent where it is not watched. */
  writeFailure?(): string | null;
  /** The embedded store's size and retention (PGlite only: PostgreSQL's size is its own server's business). */
  usage?(): Promise<StoreUsage>;
  close(): Promise<void>;
}
