// Scores the product's pipeline on labelled frames after a synthetic camera move: the analysis worker's steps in
// Node (SlotPlacer: scene reference, motion estimate, slots that follow; then COCO-SSD and SlotEvidence.observe),
// against the same frames unmoved, and against the slots left as marked. For the camera-moved test and eval-motion.
import type { RgbaFrame } from '../../src/camera/frame.ts';
import type { SlotEvidence } from '../../src/evidence/slot-evidence.ts';
import type { LabelledSlot } from '../../src/layout/layout-format.ts';
import { followMove, type CameraMove } from '../../src/motion/camera-move.ts';
import type { CameraWatch } from '../../src/motion/camera-watch.ts';
import { SlotPlacer } from '../../src/motion/slot-placer.ts';
import { DEFAULT_HYSTERESIS } from '../../src/occupancy/hysteresis.ts';
import { stepLot } from '../../src/occupancy/lot-state.ts';
import type { Detection, Slot } from '../../src/occupancy/types.ts';
import { confusion, scores, type Scores } from './metrics.ts';
import { moveFrame } from './move-frame.ts';

export interface MovedCase {
  readonly name: string;
  /** The frame the slots were marked on (the scene reference is taken from it). */
  readonly reference: RgbaFrame;
  /** The frame scored: the reference itself, or the same camera on another day. */
  readonly frame: RgbaFrame;
  readonly slots: readonly LabelledSlot[];
}

export interface MovedScores {
  readonly unmoved: Scores;
  /** The frames moved, the slots following the estimated move. */
  readonly followed: Scores;
  /** The frames moved, the slots left where they were marked (what lotwatch did before). */
  readonly asMarked: Scores;
  /** Per case and move: what the camera watch made of the moved frame. */
  readonly watches: { readonly name: string; readonly move: CameraMove; readonly camera: CameraWatch | null }[];
}

type Detect = (frame: RgbaFrame) => Promise<Detection[]>;
type Pair = { truth: boolean; predicted: boolean };

/**
 * Each case unmoved, then moved by each of `moves` (slots that a move takes even partly out of the picture are not
 * scored anywhere: what they hold is no longer in view).
 */
export async function scoreMoves(cases: readonly MovedCase[], moves: readonly CameraMove[], evidence: SlotEvidence, detect: Detect): Promise<MovedScores> {
  const unmoved: Pair[] = [];
  const followed: Pair[] = [];
  const asMarked: Pair[] = [];
  const watches: MovedScores['watches'][number][] = [];
  for (const c of cases) {
    const aspect = c.frame.height / c.frame.width;
    const layout: Slot[] = c.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
    const inView = (s: Slot) => moves.every((m) => followMove([s], m, aspect)[0]!.polygon.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1));
    const truth = new Map(c.slots.filter((s) => s.occupied !== null && inView(s)).map((s) => [s.id, s.occupied!]));
    const placer = new SlotPlacer();
    const scene = placer.place(c.reference, layout, 0).scene!;
    const score = async (frame: RgbaFrame, slots: readonly Slot[], detections: Detection[], into: Pair[]) => {
      const r = await evidence.observe(frame, slots, detections);
      const state = stepLot(null, slots, r.observations, 0, DEFAULT_HYSTERESIS);
      const seen = new Set(r.observations.map((o) => o.id));
      for (const s of state.slots) {
        const t = truth.get(s.id);
        // A slot given no evidence (not placed) is scored as wrong: a held count is not a right one.
        if (t !== undefined) into.push({ truth: t, predicted: seen.has(s.id) ? s.occupied : !t });
      }
    };
    placer.setScene(scene);
    const still = placer.place(c.frame, layout, 0);
    await score(c.frame, still.slots, await detect(c.frame), unmoved);
    for (const m of moves) {
      const moved = moveFrame(c.frame, m);
      placer.setScene(scene);
      const p = placer.place(moved, layout, 0);
      watches.push({ name: c.name, move: m, camera: p.camera });
      const detections = await detect(moved);
      await score(moved, p.slots, detections, followed);
      await score(moved, layout, detections, asMarked);
    }
  }
  return { unmoved: scores(confusion(unmoved)), followed: scores(confusion(followed)), asMarked: scores(confusion(asMarked)), watches };
}
