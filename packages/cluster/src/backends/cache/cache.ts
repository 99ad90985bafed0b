// The cache: a dedupe mark per event id (log:{id}, TTL 1 h) and the recent events of each source.

export const DEDUPE_TTL_SECONDS = 3600;
export const RECENT_PER_SOURCE = 100;

export interface RecentEvent {
  id: string;
  /** The event as JSON, as the processor stored it. */
  json: string;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** Sets log:{id} for each id not yet marked (TTL 1 h); returns which ids were new, in input order. */
  markSeen(ids: readonly string[]): Promise<boolean[]>;
  /** Prepends events to each source's recent list, keeping the newest RECENT_PER_SOURCE. */
  pushRecent(bySource: ReadonlyMap<string, readonly RecentEvent[]>): Promise<void>;
  /** Newest first. */
  recent(source: string, limit?: number): Promise<RecentEvent[]>;
  health(): Promise<void>;
  close(): Promise<void>;
}
