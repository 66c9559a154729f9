import { parseCalibration, type LotCalibration } from '../evidence/calibration.ts';
import type { LotwatchDB } from './db.ts';

// Corrections live in the key-value store under the lot's id, so they survive updates with the slots they belong to.
const key = (lot: string) => `calibration:${lot}`;

export async function loadCalibration(db: LotwatchDB, lot: string): Promise<LotCalibration | null> {
  const stored = await db.get('settings', key(lot));
  if (stored === undefined) return null;
  try {
    return parseCalibration(stored);
  } catch {
    // Unreadable (written by a future version?): start over rather than fail to count.
    return null;
  }
}

export async function saveCalibration(db: LotwatchDB, lot: string, calibration: LotCalibration): Promise<void> {
  await db.put('settings', calibration, key(lot));
}
