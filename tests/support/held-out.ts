// The acpds recording sessions the shipped weights are trained without (`npm run train -- … --hold-out acpds:8`,
// docs/accuracy.md): the frames tests score as close views the weights never saw.
import { basename, resolve } from 'node:path';
import { heldOutSessions, parseHoldOut } from '../../scripts/lib/dataset.ts';
import { readLot } from '../../scripts/lib/lots.ts';
import { fixture } from './fixtures.ts';

export const SHIPPED_HOLD_OUT = 'acpds:8';

/** acpds-train label files of each held-out session (sessions and frames in recording order). */
export function heldOutAcpdsTrain(): string[][] {
  const train = resolve(fixture('lots', 'acpds-train'));
  const frames = [...readLot(fixture('lots', 'acpds')), ...readLot(train)];
  const session = heldOutSessions(frames.map((source) => ({ lot: source.lot, source })), parseHoldOut(SHIPPED_HOLD_OUT));
  const out: string[][] = [];
  frames.forEach((f, i) => {
    const s = session[i];
    if (s === null || s === undefined || f.dir !== train) return;
    (out[s] ??= []).push(basename(f.labelPath));
  });
  return out.filter((s) => s.length > 0);
}
