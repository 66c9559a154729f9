import { CAMERA_ID_PATTERN, LOT_ID_PATTERN } from '../share/protocol.ts';
import type { LotwatchDB } from './db.ts';

/** Where this counter publishes: the relay's address, the lot, and the lot's publish token (kept on this device only). */
export interface RelayConfig {
  readonly url: string;
  readonly lot: string;
  readonly token: string;
  /** Publishing as one camera of a lot seen by several. */
  readonly camera?: string;
}

const KEY = 'relay';

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

export async function loadRelayConfig(db: LotwatchDB): Promise<RelayConfig | null> {
  return sanitizeRelayConfig(await db.get('settings', KEY));
}

export async function saveRelayConfig(db: LotwatchDB, config: RelayConfig | null): Promise<void> {
  if (config) await db.put('settings', { ...config }, KEY);
  else await db.delete('settings', KEY);
}
