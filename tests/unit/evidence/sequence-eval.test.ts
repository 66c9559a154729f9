// `npm run eval -- --sequence` on two real close-view frames (weights that never saw them): the incremental path
// against the full path, step by step.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SequenceReport } from '../../../scripts/lib/sequence.ts';
import { fixturesAvailable } from '../../support/fixtures.ts';
import { lotFolder } from '../../support/lot-folder.ts';

const haveFixtures = fixturesAvailable();
const root = resolve(import.meta.dirname, '..', '..', '..');

describe.skipIf(!haveFixtures)('eval --sequence (real weights, WASM)', { timeout: 300_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lotwatch-seq-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('scores every step both ways: changes re-evaluated on their step, recomputed slots exactly as the full path', () => {
    // acpds-train is not in the shipped weights' training set; two frames with free slots next to parked cars.
    const lot = lotFolder(join(tmp, 'lot'), 'acpds-train', (_, f) => f === 'GOPR0029.json' || f === 'GOPR0031.json');
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'eval.ts'), '--lot', lot, '--sequence', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(stdout).toMatch(/incremental agrees with the full path on [01]\.\d{4} of slot decisions/);
    const json = JSON.parse(stdout.trim().split('\n').pop()!) as { frames: number; sequence: SequenceReport };
    const r = json.sequence;
    expect(json.frames).toBe(2);
    expect(r.steps).toBe(12);
    expect(r.slotDecisions).toBe(6 * (17 + 22));
    // A real frame after another lot recomputes everything: the two paths are the same computation.
    expect(r.byKind.frame!.agreement).toBe(1);
    expect(r.byKind.frame!.recomputedShare).toBe(1);
    // A car arriving, then leaving: re-evaluated on its own step, and decided as the full path decides.
    expect(r.oneSlotChanges.steps).toBe(4);
    expect(r.oneSlotChanges.reevaluated).toBe(4);
    expect(r.oneSlotChanges.sameDecision).toBe(4);
    // Recomputed slots are computed with their own mosaic group: bit-identical to the full path.
    expect(r.recomputedEvidenceDiff).toBe(0);
    // Right after a real frame nothing is recomputed for noise, only what the slow refresh comes round to (with a
    // per-tile model each slot is its own refresh group: about one slot in refreshFrames a step): what differs is the
    // full path's own noise.
    expect(r.byKind.still!.recomputedShare).toBe(r.byKind.still!.refreshedShare);
    expect(r.byKind.still!.refreshedShare).toBeLessThan(0.05);
    expect(r.byKind.still!.agreement).toBe(r.byKind.still!.fullSelfAgreement);
    expect(r.byKind.cloud!.recomputedShare).toBeLessThan(0.1);
    expect(Math.abs(r.balancedAccuracyLoss)).toBeLessThan(0.05);
  });
});
