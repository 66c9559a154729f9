import { checkScene, type SceneReference } from '../motion/scene.ts';
import type { LotwatchDB } from './db.ts';

/** The lot's scene reference, or null (none yet, or one this version cannot use: the next frame takes a new one). */
export async function loadScene(db: LotwatchDB, lot: string): Promise<SceneReference | null> {
  const stored = await db.get('scenes', lot);
  if (!stored) return null;
  try {
    return checkScene(stored);
  } catch {
    return null;
  }
}

export async function saveScene(db: LotwatchDB, lot: string, scene: SceneReference): Promise<void> {
  const { width, height, data, takenAt, layout } = scene;
  await db.put('scenes', { lotId: lot, width, height, data, takenAt, layout });
}

export async function clearScene(db: LotwatchDB, lot: string): Promise<void> {
  await db.delete('scenes', lot);
}
