import { clamp } from '../occupancy/geometry.ts';
import { VEHICLE_CLASSES, type Detection, type VehicleClass } from '../occupancy/types.ts';

/** One object as COCO-SSD reports it: bbox is [x, y, width, height] in pixels. */
export interface CocoObject {
  readonly bbox: readonly [number, number, number, number];
  readonly class: string;
  readonly score: number;
}

const isVehicle = (c: string): c is VehicleClass => (VEHICLE_CLASSES as readonly string[]).includes(c);

/** Keeps vehicles only and expresses their boxes in normalised frame coordinates, clipped to the frame. */
export function toVehicleDetections(objects: readonly CocoObject[], width: number, height: number): Detection[] {
  const out: Detection[] = [];
  for (const o of objects) {
    if (!isVehicle(o.class)) continue;
    const [x, y, w, h] = o.bbox;
    const x0 = clamp(x / width, 0, 1);
    const y0 = clamp(y / height, 0, 1);
    const x1 = clamp((x + w) / width, 0, 1);
    const y1 = clamp((y + h) / height, 0, 1);
    if (x1 <= x0 || y1 <= y0) continue;
    out.push({ label: o.class, score: o.score, box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } });
  }
  return out;
}
