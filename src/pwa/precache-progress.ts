// How much of the offline copy (the precache) is stored: bytes and files. Pure; the service worker feeds it.

/** Whether the app works offline:
 * - `unsupported`: no service worker in this browser (or not a secure context): works online only.
 * - `starting`: registering.
 * - `caching`: the first install is storing the app and the model.
 * - `ready`: everything is cached; the app opens and counts offline.
 * - `failed`: registration or the first install failed; works online, tries again on the next visit.
 */
export type OfflineState = 'unsupported' | 'starting' | 'caching' | 'ready' | 'failed';

export interface PrecacheProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface SizedEntry {
  /** Absolute URL of the file. */
  readonly url: string;
  /** Its size in bytes, as known at build time (0 when unknown). */
  readonly bytes: number;
}

/** Counts bytes as they stream in and files as they land in the cache, capped at each file's known size. */
export class PrecacheTally {
  private readonly sizes = new Map<string, number>();
  private readonly received = new Map<string, number>();
  private readonly finished = new Set<string>();

  constructor(entries: readonly SizedEntry[]) {
    // A URL listed twice keeps the size it was given (the other listing may not know it).
    for (const e of entries) this.sizes.set(e.url, Math.max(this.sizes.get(e.url) ?? 0, e.bytes));
  }

  /** Bytes of a file arrived (called per chunk). Unknown URLs are not part of the precache and are ignored. */
  addBytes(url: string, bytes: number): void {
    if (!this.sizes.has(url) || this.finished.has(url)) return;
    this.received.set(url, (this.received.get(url) ?? 0) + bytes);
  }

  /** The file is stored (or was already stored by an earlier version). */
  finish(url: string): void {
    if (this.sizes.has(url)) this.finished.add(url);
  }

  get progress(): PrecacheProgress {
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const [url, size] of this.sizes) {
      bytesTotal += size;
      bytesDone += this.finished.has(url) ? size : Math.min(size, this.received.get(url) ?? 0);
    }
    return { bytesDone, bytesTotal, filesDone: this.finished.size, filesTotal: this.sizes.size };
  }
}

/** 0..1 for a progress bar: by bytes when sizes are known, else by files. */
export function progressFraction(p: PrecacheProgress): number {
  if (p.bytesTotal > 0) return Math.min(1, p.bytesDone / p.bytesTotal);
  return p.filesTotal > 0 ? Math.min(1, p.filesDone / p.filesTotal) : 0;
}
