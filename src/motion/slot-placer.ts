// The analysis worker's side of "the camera moved", kept out of the worker so Node runs the very same steps (the
// camera-moved accuracy test, scripts/eval-motion.ts): one per lot, fed every analysed frame.
import type { RgbaFrame } from '../camera/frame.ts';
import type { Slot } from '../occupancy/types.ts';
import { placeSlots, STEADY, watchCamera, type CameraWatch } from './camera-watch.ts';
import { downscaleGrey } from './grey.ts';
import { estimateMotion, prepareReference, type PreparedReference } from './registration.ts';
import { layoutKey, type SceneReference } from './scene.ts';

export interface Placement {
  /** The slots to take evidence from on this frame (see placeSlots): none when they cannot be placed. */
  readonly slots: readonly Slot[];
  /** Where the camera is against the reference (null: no slots, nothing to place). */
  readonly camera: CameraWatch | null;
  /** The frame became the scene reference: there was none, or the slots changed since it was taken. */
  readonly scene?: SceneReference;
}

export class SlotPlacer {
  private scene: { prepared: PreparedReference; layout: string } | null = null;
  private watch: CameraWatch = STEADY;

  /** The lot's reference (as stored with the layout), or null to take it again from the next frame with slots. */
  setScene(s: SceneReference | null): void {
    this.scene = s ? { prepared: prepareReference(s), layout: s.layout } : null;
    this.watch = STEADY;
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
    this.watch = watchCamera(this.watch, estimateMotion(this.scene.prepared, grey, this.watch.move).move);
    return { slots: placeSlots(slots, this.watch, frame.height / frame.width), camera: this.watch };
  }
}
