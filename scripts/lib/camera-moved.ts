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
import { toAnalysisFrame } from './resize.ts';

export interface MovedCase {
  readonly name: string;
  /** The frame the slots were marked on (the scene reference is taken from it). */
  readonly reference: RgbaFrame;
  /**
   * The picture scored (the reference's, or the same camera's on another day), as decoded: it is moved at its own
   * resolution, then reduced to the analysis size like any frame, so the move's resampling does not blur the frame the
   * evidence sees (warped at the analysis size, acpds frames lost 0.02 of balanced accuracy to the blur alone).
   */
  readonly picture: RgbaFrame;
  readonly slots: readonly LabelledSlot[];
}

export interface MovedScores {
  readonly unmoved: Scores;
  /** The frames moved, the slots following the estimated move. */
  readonly followed: Scores;
  /** The frames moved, the slots left where they were marked (what lotwatch did before). */
  readonly asMarked: Scores;
  /**
   * The frames moved, the slots moved by the true move (when asked for): what a perfect estimate would give. Its gap to
   * `unmoved` is the evidence's own response to a changed picture (COCO-SSD sees another crop, the edges are filled).
   */
  readonly oracle: Scores | null;
  /** Per case and move: what the camera watch made of the moved frame. */
  readonly watches: { readonly name: string; readonly move: CameraMove; readonly camera: CameraWatch | null }[];
}

type Detect = (frame: RgbaFrame) => Promise<Detection[]>;
type Pair = { truth: boolean; predicted: boolean };

/**
 * Each case unmoved, then moved by each of `moves` (slots that a move takes even partly out of the picture are not
 * scored anywhere: what they hold is no longer in view).
 */
export async function scoreMoves(
  cases: readonly MovedCase[],
  moves: readonly CameraMove[],
  evidence: SlotEvidence,
  detect: Detect,
  withOracle = false,
): Promise<MovedScores> {
  const unmoved: Pair[] = [];
  const followed: Pair[] = [];
  const asMarked: Pair[] = [];
  const oracle: Pair[] = [];
  const watches: MovedScores['watches'][number][] = [];
  for (const c of cases) {
    const frame = toAnalysisFrame(c.picture);
    const aspect = frame.height / frame.width;
    const layout: Slot[] = c.slots.map(({ id, name, polygon }) => ({ id, name, polygon }));
    const inView = (s: Slot) => moves.every((m) => followMove([s], m, aspect)[0]!.polygon.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1));
    const truth = new Map(c.slots.filter((s) => s.occupied !== null && inView(s)).map((s) => [s.id, s.occupied!]));
    const placer = new SlotPlacer();
    const scene = placer.place(c.reference, layout, 0).scene!;
    const score = async (frame: RgbaFrame, slots: readonly Slot[], detections: Detection[], into: Pair[]) => {
      const r = await evidence.observe(frame, slots, detections);
      const state = stepLot(null, slots, r.observations, 0, DEFAULT_HYSTERESIS);
      const decided = new Map(state.slots.map((s) => [s.id, s.occupied]));
      // Every scored slot counts; one given no evidence (not placed: the counts are held) is scored as wrong.
      for (const [id, t] of truth) into.push({ truth: t, predicted: decided.get(id) ?? !t });
    };
    placer.setScene(scene);
    const still = placer.place(frame, layout, 0);
    await score(frame, still.slots, await detect(frame), unmoved);
    for (const m of moves) {
      const moved = toAnalysisFrame(moveFrame(c.picture, m));
      placer.setScene(scene);
      const p = placer.place(moved, layout, 0);
      watches.push({ name: c.name, move: m, camera: p.camera });
      const detections = await detect(moved);
      await score(moved, p.slots, detections, followed);
      await score(moved, layout, detections, asMarked);
      if (withOracle) await score(moved, followMove(layout, m, aspect), detections, oracle);
    }
  }
  return {
    unmoved: scores(confusion(unmoved)),
    followed: scores(confusion(followed)),
    asMarked: scores(confusion(asMarked)),
    oracle: withOracle ? scores(confusion(oracle)) : null,
    watches,
  };
}
