import { describe, expect, it } from 'vitest';
import { DEFAULT_HYSTERESIS, observedState, stepSlot, type HysteresisSettings } from '../../src/occupancy/hysteresis.ts';
import type { SlotState } from '../../src/occupancy/types.ts';

const s: HysteresisSettings = { threshold: 0.5, band: 0.05, holdFrames: 3, holdMs: 1000 };

/** Runs a slot through [time, probability] frames and returns its occupied flag after each. */
function run(frames: [number, number][], settings = s): boolean[] {
  let state: SlotState | undefined;
  return frames.map(([t, p]) => {
    state = stepSlot(state, 'x', p, t, settings);
    return state.occupied;
  });
}

describe('observedState', () => {
  it.each([
    [0.9, true],
    [0.55, true],
    [0.54, null],
    [0.5, null],
    [0.45, null],
    [0.44, false],
    [0, false],
  ])('p=%s → %s', (p, expected) => {
    expect(observedState(p, s)).toBe(expected);
  });
});

describe('stepSlot', () => {
  it.each([
    { name: 'first frame decides at once', frames: [[0, 0.9]], expected: [true] },
    { name: 'first frame in the dead band falls back to the threshold', frames: [[0, 0.52]], expected: [true] },
    {
      name: 'a one-frame flicker is ignored',
      frames: [[0, 0.1], [500, 0.9], [1000, 0.1], [1500, 0.1]],
      expected: [false, false, false, false],
    },
    {
      name: 'a change that holds 3 frames and 1 s is taken',
      frames: [[0, 0.1], [500, 0.9], [1000, 0.9], [1500, 0.9]],
      expected: [false, false, false, true],
    },
    {
      name: 'enough frames but not enough time waits',
      frames: [[0, 0.1], [100, 0.9], [200, 0.9], [300, 0.9], [1100, 0.9]],
      expected: [false, false, false, false, true],
    },
    {
      name: 'enough time but not enough frames waits',
      frames: [[0, 0.1], [100, 0.9], [5000, 0.9], [5100, 0.9]],
      expected: [false, false, false, true],
    },
    {
      name: 'dead-band frames neither confirm nor cancel a pending change',
      frames: [[0, 0.1], [500, 0.9], [1000, 0.5], [1500, 0.9], [2000, 0.9]],
      expected: [false, false, false, false, true],
    },
    {
      name: 'an interruption restarts the count',
      frames: [[0, 0.9], [500, 0.1], [1000, 0.1], [1500, 0.9], [2000, 0.1], [2500, 0.1], [2900, 0.1], [3000, 0.1]],
      expected: [true, true, true, true, true, true, true, false],
    },
  ] as { name: string; frames: [number, number][]; expected: boolean[] }[])('$name', ({ frames, expected }) => {
    expect(run(frames)).toEqual(expected);
  });

  it('with both holds at 0 it follows the evidence frame by frame', () => {
    expect(run([[0, 0.1], [1, 0.9], [2, 0.1]], { ...s, holdFrames: 0, holdMs: 0 })).toEqual([false, true, false]);
  });

  it('records when the change began, not when it was confirmed', () => {
    let st = stepSlot(undefined, 'x', 0.1, 0, s);
    for (const t of [1000, 1500, 2000]) st = stepSlot(st, 'x', 0.9, t, s);
    expect(st).toMatchObject({ occupied: true, since: 1000, pending: null, probability: 0.9 });
  });

  // What the defaults promise users (README: "a slot changes only after the new state held for 3 frames and 2
  // seconds"), at the default cadence of one frame a second.
  it.each([
    { name: 'a car driving past (one frame) does not flip a free slot', frames: [[0, 0.1], [1000, 0.95], [2000, 0.1], [3000, 0.1]], expected: [false, false, false, false] },
    { name: 'two frames are not enough', frames: [[0, 0.1], [1000, 0.95], [2000, 0.95], [3000, 0.1]], expected: [false, false, false, false] },
    { name: 'a car that parks is counted on the third frame, two seconds on', frames: [[0, 0.1], [1000, 0.95], [2000, 0.95], [3000, 0.95]], expected: [false, false, false, true] },
    { name: 'three quick frames within two seconds wait for the time', frames: [[0, 0.1], [1000, 0.95], [1500, 0.95], [2000, 0.95], [3000, 0.95]], expected: [false, false, false, false, true] },
    { name: 'evidence at the decision boundary changes nothing', frames: [[0, 0.9], [1000, 0.5], [2000, 0.5], [3000, 0.5], [4000, 0.5]], expected: [true, true, true, true, true] },
  ] as { name: string; frames: [number, number][]; expected: boolean[] }[])('with the defaults, $name', ({ frames, expected }) => {
    expect(run(frames, DEFAULT_HYSTERESIS)).toEqual(expected);
  });
});
