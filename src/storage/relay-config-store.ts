import { sanitizeRelayConfig, type RelayConfig } from '../share/relay-config.ts';
import type { LotwatchDB } from './db.ts';

const KEY = 'relay';

export async function loadRelayConfig(db: LotwatchDB): Promise<RelayConfig | null> {
  return sanitizeRelayConfig(await db.get('settings', KEY));
}

export async function saveRelayConfig(db: LotwatchDB, config: RelayConfig | null): Promise<void> {
  if (config) await db.put('settings', { ...config }, KEY);
  else await db.delete('settings', KEY);
}
