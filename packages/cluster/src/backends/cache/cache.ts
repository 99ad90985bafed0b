// The cache: a dedupe mark per event id (log:{id}) and the recent events of each source (recent:{source}), both expiring.

/** Default life of a dedupe mark: the bus's redelivery window (the config's busRedeliverySeconds explains the choice). */
export const DEDUPE_TTL_SECONDS = 120;
export const RECENT_PER_SOURCE = 100;
/** A source that sent nothing for this long loses its recent list: sources are client-chosen, so keys must not pile up. */
export const RECENT_TTL_SECONDS = 3600;

export interface RecentEvent {
  id: string;
  /** The event as JSON, as the processor stored it. */
  json: string;
}

export interface CachedEvent {
  id: string;
  source: string;
  /** The event as JSON; called only for the events that can still reach a list (the newest per source in the call). */
  toJson: () => string;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /**
   * For each event, in one round trip: sets log:{id} unless present (with the dedupe TTL) and, when it was new, pushes
   * the event onto recent:{source} (newest first, the newest RECENT_PER_SOURCE kept, the list's TTL renewed).
   * Returns which events were new, in input order; a repeated id inside one call is new only the first time.
   * Only the newest RECENT_PER_SOURCE events per source in one call are sent to the list: older ones would be trimmed
   * away at once. (An event among those already marked is skipped; it was listed on its first delivery.)
   */
  record(events: readonly CachedEvent[]): Promise<boolean[]>;
  /** Newest first. */
  recent(source: string, limit?: number): Promise<RecentEvent[]>;
  health(): Promise<void>;
  close(): Promise<void>;
}
