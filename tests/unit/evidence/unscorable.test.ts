// The commands' guard: a slot that throws is reported by id and left out; the others are still scored.
import { describe, expect, it } from 'vitest';
import { runSkippingUnscorable } from '../../../scripts/lib/unscorable.ts';
import type { Slot } from '../../../src/occupancy/types.ts';

const slots: Slot[] = ['a', 'b', 'c', 'd'].map((id) => ({ id, name: id, polygon: [] }));
const evidence = async (ss: readonly Slot[]) => {
  if (ss.some((s) => s.id === 'b' || s.id === 'd')) throw new Error(`bad slot among ${ss.map((s) => s.id).join('')}`);
  return ss.map((s) => s.id.toUpperCase());
};

describe('runSkippingUnscorable', () => {
  it('runs all slots at once when none throws', async () => {
    const r = await runSkippingUnscorable('f.jpg', slots.filter((s) => s.id !== 'b' && s.id !== 'd'), evidence);
    expect(r).toEqual({ value: ['A', 'C'], kept: [0, 1], unscorable: [] });
  });
  it('reports the slots that throw by id and scores the rest', async () => {
    const r = await runSkippingUnscorable('f.jpg', slots, evidence);
    expect(r.value).toEqual(['A', 'C']);
    expect(r.kept).toEqual([0, 2]);
    expect(r.unscorable.map((u) => [u.frame, u.id, u.reason])).toEqual([
      ['f.jpg', 'b', 'bad slot among b'],
      ['f.jpg', 'd', 'bad slot among d'],
    ]);
  });
  it('never throws: a frame that fails whatever the slots reports every slot', async () => {
    const r = await runSkippingUnscorable('g.jpg', slots, () => Promise.reject(new Error('decoder lost')));
    expect(r.value).toBeNull();
    expect(r.unscorable.map((u) => u.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(r.unscorable.map((u) => u.reason))).toEqual(new Set(['decoder lost']));
  });
});
