// The analysis worker's side of "the camera moved", kept out of the worker so Node runs the very same steps (the
// camera-moved accuracy test, scripts/eval-motion.ts): one per lot, fed every analysed frame.
import type { RgbaFrame } from '../camera/frame.ts';
import type { Slot } from '../occupancy/types.ts';
import { placeSlots, STEADY, watchCamera, type CameraWatch } from './camera-watch.ts';
import { downscaleGrey, type GreyImage } from './grey.ts';
import { estimateMotion, prepareReference, type MotionEstimate, type PreparedReference } from './registration.ts';
import { layoutKey, type SceneReference } from './scene.ts';

export interface Placement {
  /** The slots to take evidence from on this frame (see placeSlots): none when they cannot be placed. */
  readonly slots: readonly Slot[];
  /** Where the camera is against the reference (null: no slots, nothing to place). */
  readonly camera: CameraWatch | null;
  /** The frame became the scene reference: there was none, or the slots changed since it was taken. */
  readonly scene?: SceneReference;
}

/**
 * A picture that differs from the last one estimated by less than this (mean absolute difference, grey levels) shows
 * the same view: its estimate is reused. Sensor noise after the 16-sample average stays below it; a shift of a pixel,
 * a car driving through or a cloud does not (the lot video's frames a quarter second apart differ by 1.5).
 */
export const SAME_PICTURE = 1;

export class SlotPlacer {
  private scene: { prepared: PreparedReference; layout: string } | null = null;
  private watch: CameraWatch = STEADY;
  /** The last picture estimated, and what the estimate found. */
  private last: { grey: GreyImage; estimate: MotionEstimate } | null = null;

  /** The lot's reference (as stored with the layout), or null to take it again from the next frame with slots. */
  setScene(s: SceneReference | null): void {
    this.scene = s ? { prepared: prepareReference(s), layout: s.layout } : null;
    this.watch = STEADY;
    this.last = null;
  }

  /**
   * Where `slots` are on `frame`. A frame whose slots have no reference yet, or were drawn, moved or imported since it
   * was taken, becomes the reference: the slots were marked on this view.
   */
  place(frame: RgbaFrame, slots: readonly Slot[], now: number): Placement {
    if (slots.length === 0) return { slots, camera: null };
    const grey = downscaleGrey(frame);
    const layout = layoutKey(slots);
    if (!this.scene || this.scene.layout !== layout) {
      const scene: SceneReference = { ...grey, takenAt: now, layout };
      this.setScene(scene);
      return { slots, camera: this.watch, scene };
    }
    const last = this.last;
    const estimate = last && meanAbsDiff(last.grey, grey) < SAME_PICTURE ? last.estimate : estimateMotion(this.scene.prepared, grey, this.watch.move);
    if (estimate !== last?.estimate) this.last = { grey, estimate };
    this.watch = watchCamera(this.watch, estimate.move);
    return { slots: placeSlots(slots, this.watch, frame.height / frame.width), camera: this.watch };
  }
}

function meanAbsDiff(a: GreyImage, b: GreyImage): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}
