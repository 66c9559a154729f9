import { sanitizeSettings, type Settings } from '../settings/settings.ts';
import type { LotwatchDB } from './db.ts';

const KEY = 'settings';

export async function loadSettings(db: LotwatchDB): Promise<Settings> {
  return sanitizeSettings(await db.get('settings', KEY));
}

export async function saveSettings(db: LotwatchDB, settings: Settings): Promise<void> {
  await db.put('settings', { ...settings }, KEY);
}
