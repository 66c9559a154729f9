// The user's history settings: how long raw events are kept before they are compacted into hourly figures.

export interface HistorySettings {
  /** Days of raw events (every change, with its confidence) kept before compaction. */
  readonly retentionDays: number;
}

export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { retentionDays: 30 };
export const RETENTION_RANGE = [1, 3650] as const;

export function sanitizeHistorySettings(input: unknown): HistorySettings {
  const v = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).retentionDays : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return DEFAULT_HISTORY_SETTINGS;
  return { retentionDays: Math.min(RETENTION_RANGE[1], Math.max(RETENTION_RANGE[0], Math.round(v))) };
}
