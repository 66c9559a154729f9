// A lot's corrections in real Chromium's IndexedDB: what the user taught the counter comes back exactly, per lot,
// after the database is closed, and an unreadable record starts the lot over instead of stopping it from counting.
import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../src/camera/frame.ts';
import { applyCorrection, emptyCalibration, type LotCalibration } from '../../src/evidence/calibration.ts';
import { makeCorrection, SlotEvidence } from '../../src/evidence/slot-evidence.ts';
import weightsJson from '../../src/evidence/weights.json';
import { parseWeights } from '../../src/evidence/weights.ts';
import type { Slot } from '../../src/occupancy/types.ts';
import { loadCalibration, saveCalibration } from '../../src/storage/calibration-store.ts';
import { tempDatabases } from './support/temp-db.ts';

const { fresh, open } = tempDatabases('lotwatch-calibration');
const weights = parseWeights(weightsJson);

/** A grey lot, 320x240, with a dark "car" in the first of four slots. */
function lotFrame(): RgbaFrame {
  const width = 320;
  const height = 240;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const car = x >= 20 && x < 70 && y >= 60 && y < 170;
      const v = car ? 30 + ((x * 7 + y * 3) % 40) : 120 + ((x + y) % 9);
      data.set([v, v, v, 255], (y * width + x) * 4);
    }
  return { width, height, data };
}
const slots: Slot[] = [0, 1, 2, 3].map((i) => {
  const x0 = (15 + i * 75) / 320;
  const x1 = (75 + i * 75) / 320;
  return { id: String(i + 1), name: String(i + 1), polygon: [[x0, 0.25], [x1, 0.25], [x1, 0.72], [x0, 0.72]] };
});

/**
 * Corrections made the way the app makes them: from the evidence of a real frame, one tap per slot. The third slot is
 * empty but tapped as taken (a car the picture does not show, say), so the lot is judged otherwise with the taps: one
 * frame's taps are held while the slots look the same, and teach no refit (that needs taps from several frames).
 */
async function taughtCalibration(): Promise<LotCalibration> {
  const result = await new SlotEvidence(weights).observe(lotFrame(), slots, []);
  let cal = emptyCalibration();
  result.features.forEach((f, i) => {
    cal = applyCorrection(cal, makeCorrection(f, i === 0 || i === 2, 'frame-1', weights, 1_700_000_000_000 + i), weights);
  });
  return cal;
}

describe('the calibration store', () => {
  it('gives back exactly what was saved, and the counter judges the lot the same with it', async () => {
    const db = await open(fresh());
    const cal = await taughtCalibration();
    expect(cal.corrections).toHaveLength(4);
    await saveCalibration(db, 'north', cal);
    const back = await loadCalibration(db, 'north');
    expect(back).toEqual(cal);
    const evidence = new SlotEvidence(weights);
    const withSaved = await evidence.observe(lotFrame(), slots, [], cal);
    const withLoaded = await evidence.observe(lotFrame(), slots, [], back);
    expect(withLoaded.observations).toEqual(withSaved.observations);
    // The corrections matter: without them the same frame is judged otherwise.
    const without = await evidence.observe(lotFrame(), slots, []);
    expect(without.observations).not.toEqual(withSaved.observations);
  });

  it('keeps each lot apart, and survives closing the database', async () => {
    const name = fresh();
    const db = await open(name);
    const cal = await taughtCalibration();
    await saveCalibration(db, 'north', cal);
    await saveCalibration(db, 'south', emptyCalibration());
    expect(await loadCalibration(db, 'east')).toBeNull();
    db.close();
    const again = await open(name);
    expect(await loadCalibration(again, 'north')).toEqual(cal);
    expect(await loadCalibration(again, 'south')).toEqual(emptyCalibration());
  });

  it('starts a lot over when its record cannot be read, without touching the others', async () => {
    const db = await open(fresh());
    const cal = await taughtCalibration();
    await saveCalibration(db, 'north', cal);
    await db.put('settings', { version: 99, corrections: 'from a future app' }, 'calibration:south');
    expect(await loadCalibration(db, 'south')).toBeNull();
    expect(await loadCalibration(db, 'north')).toEqual(cal);
  });
});
