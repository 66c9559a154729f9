// How much this device stores for lotwatch, in words. Pure.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export interface StorageFacts {
  /** From `navigator.storage.estimate()`; null when the browser does not say. */
  readonly usage: number | null;
  readonly quota: number | null;
  /** From `navigator.storage.persisted()`; null when unsupported. */
  readonly persisted: boolean | null;
}

export interface StorageSummary {
  readonly used: string;
  readonly persistence: string;
  /** Offer the "Keep data on this device" button. */
  readonly canAskToPersist: boolean;
}

export function summarizeStorage(f: StorageFacts): StorageSummary {
  const used =
    f.usage === null
      ? 'Storage use unknown in this browser'
      : f.quota
        ? `${formatBytes(f.usage)} used of ${formatBytes(f.quota)} available to this app`
        : `${formatBytes(f.usage)} used`;
  const persistence =
    f.persisted === null
      ? 'This browser cannot protect the data from automatic clean-up'
      : f.persisted
        ? 'Protected: the browser will not clear slots and settings to free space'
        : 'Not protected: the browser may clear it when the device runs short of space';
  return { used, persistence, canAskToPersist: f.persisted === false };
}
