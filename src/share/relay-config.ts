import { CAMERA_ID_PATTERN, LOT_ID_PATTERN } from './protocol.ts';
import type { PublisherStatus } from './relay-client.ts';

/** Where this counter publishes: the relay's address, the lot, and the lot's publish token (kept on this device only). */
export interface RelayConfig {
  readonly url: string;
  readonly lot: string;
  readonly token: string;
  /** Publishing as one camera of a lot seen by several. */
  readonly camera?: string;
}

/** The counter's link to its relay: none, the lot being created, or the publisher's own status. */
export type RelayStatus = 'off' | 'creating' | PublisherStatus;

/** A stored or typed relay setting, checked: an http(s) address, a valid lot id and a token; otherwise null. */
export function sanitizeRelayConfig(v: unknown): RelayConfig | null {
  if (typeof v !== 'object' || v === null) return null;
  const { url, lot, token, camera } = v as Record<string, unknown>;
  if (typeof url !== 'string' || typeof lot !== 'string' || typeof token !== 'string') return null;
  if (!LOT_ID_PATTERN.test(lot) || !token) return null;
  const cam = typeof camera === 'string' && CAMERA_ID_PATTERN.test(camera) ? { camera } : {};
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  } catch {
    return null;
  }
  return { url, lot, token, ...cam };
}
