// Hand-made weights with round numbers, for tests that need an EvidenceWeights without training.
import type { EvidenceWeights } from '../../../src/evidence/weights.ts';

export function testWeights(channels = 4): EvidenceWeights {
  return {
    format: 'lotwatch-evidence-weights',
    version: 1,
    id: 'test-weights',
    probe: { node: 'n', tile: 75, grid: 4, crops: ['rectified'] },
    hand: { w: new Array(11).fill(0.1), b: -0.5 },
    square: null,
    rectified: { w: new Array(channels).fill(0.25), b: 0 },
    fusion: { w: [0.5, 0, 1, 2], b: -0.25 },
    patchOnly: { w: [1.5], b: 0.1 },
    training: { command: 'test', date: '2026-01-01T00:00:00Z', frames: [], options: {} },
  };
}
