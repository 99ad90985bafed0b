// The cache: a dedupe mark per event id (log:{id}) and the recent events of each source (recent:{source}), both expiring.

/** Default life of a dedupe mark; the config's dedupeTtlSeconds (LOGPERF_DEDUPE_TTL_SECONDS) explains the choice. */
export const DEDUPE_TTL_SECONDS = 120;
export const RECENT_PER_SOURCE = 100;
/** A source that sent nothing for this long loses its recent list: sources are client-chosen, so keys must not pile up. */
export const RECENT_TTL_SECONDS = 3600;

export interface RecentEvent {
  id: string;
  /** The event as JSON, as the processor stored it. */
  json: string;
}

export interface CachedEvent extends RecentEvent {
  source: string;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /**
   * For each event, in one round trip: sets log:{id} unless present (with the dedupe TTL) and, when it was new, pushes
   * the event onto recent:{source} (newest first, the newest RECENT_PER_SOURCE kept, the list's TTL renewed).
   * Returns which events were new, in input order; a repeated id inside one call is new only the first time.
   */
  record(events: readonly CachedEvent[]): Promise<boolean[]>;
  /** Newest first. */
  recent(source: string, limit?: number): Promise<RecentEvent[]>;
  health(): Promise<void>;
  close(): Promise<void>;
}
