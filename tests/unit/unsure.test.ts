import { describe, expect, it } from 'vitest';
import { isUnsure, UNSURE_LOGIT, unsureSlots } from '../../src/occupancy/unsure.ts';
import type { Slot, SlotState } from '../../src/occupancy/types.ts';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('isUnsure', () => {
  it.each([
    ['even', 0.5, true],
    ['just inside the band, occupied side', sigmoid(UNSURE_LOGIT - 0.01), true],
    ['just inside the band, free side', sigmoid(-UNSURE_LOGIT + 0.01), true],
    ['just outside, occupied side', sigmoid(UNSURE_LOGIT + 0.01), false],
    ['just outside, free side', sigmoid(-UNSURE_LOGIT - 0.01), false],
    ['certain free', 0, false],
    ['certain occupied', 1, false],
  ])('%s', (_, p, unsure) => {
    expect(isUnsure(p)).toBe(unsure);
  });
});

describe('unsureSlots', () => {
  const slot = (id: string, extra: Partial<Slot> = {}): Slot => ({ id, name: id.toUpperCase(), polygon: [[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]], ...extra });
  const state = (id: string, probability: number, extra: Partial<SlotState> = {}): SlotState => ({ id, occupied: probability >= 0.5, since: 0, probability, pending: null, ...extra });
  const now = 1_000_000;
  const slots = [slot('a'), slot('b'), slot('c'), slot('d', { closed: { reason: 'works', until: null } }), slot('e'), slot('f'), slot('g', { closed: { reason: 'market', until: now - 1 } })];
  const states = new Map(
    [
      state('a', 0.55),
      state('b', 0.97),
      state('c', 0.4, { pending: { occupied: true, since: now - 500, frames: 1 } }),
      state('d', 0.5),
      state('f', 0.3),
      state('g', 0.6),
    ].map((s) => [s.id, s]),
  );

  it('lists the open, settled slots near even, in layout order', () => {
    // b is sure, c is changing, d closed, e has no state yet; g's closure has ended.
    expect(unsureSlots(slots, states, now).map((s) => s.id)).toEqual(['a', 'f', 'g']);
  });

  it('is empty before any frame', () => {
    expect(unsureSlots(slots, new Map(), now)).toEqual([]);
  });
});
