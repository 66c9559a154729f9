// Reads slot layouts for the evidence: the app's layout export, or a labelled frame in the fixture format
// (../shared/fixtures/FORMAT.md). Both become normalised 4-point slots. Validates everything it reads.
import { boundingBox, boxToPolygon, normalisePolygon } from '../occupancy/geometry.ts';
import type { Point, Slot } from '../occupancy/types.ts';

/** The app's layout export: polygons normalised to 0..1. */
export interface LayoutExport {
  readonly slots: readonly { readonly id: string; readonly name: string; readonly polygon: readonly Point[] }[];
  readonly frame: { readonly width: number; readonly height: number };
}

/** One labelled frame (FORMAT.md): pixel polygons, occupied true/false/null. */
export interface LabelledFrame {
  readonly image: string;
  readonly width: number;
  readonly height: number;
  readonly lot?: string | null;
  readonly captured?: string | null;
  readonly weather?: string | null;
  readonly slots: readonly { readonly id: string; readonly polygon: readonly Point[]; readonly occupied: boolean | null }[];
}

export interface LabelledSlot extends Slot {
  readonly occupied: boolean | null;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function points(v: unknown, where: string): Point[] {
  if (!Array.isArray(v) || (v.length !== 4 && v.length !== 2)) throw new Error(`${where}: a polygon needs 4 points (or 2 corners of a rectangle)`);
  const pts = v.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !isNum(p[0]) || !isNum(p[1])) throw new Error(`${where}: point ${i} is not [x, y]`);
    return [p[0], p[1]] as const;
  });
  // Two corners describe an axis-aligned rectangle.
  return pts.length === 2 ? boxToPolygon(boundingBox(pts)) : pts;
}

export function parseLabelledFrame(json: unknown, where = 'label'): LabelledFrame {
  const o = json as Record<string, unknown> | null;
  if (!o || typeof o.image !== 'string' || !isNum(o.width) || !isNum(o.height) || !Array.isArray(o.slots)) {
    throw new Error(`${where}: not a labelled frame (image, width, height, slots)`);
  }
  const slots = o.slots.map((s: unknown, i: number) => {
    const r = s as Record<string, unknown> | null;
    if (!r || (typeof r.id !== 'string' && !isNum(r.id))) throw new Error(`${where}: slot ${i} has no id`);
    const occ = r.occupied;
    if (occ !== true && occ !== false && occ !== null && occ !== undefined) throw new Error(`${where}: slot ${String(r.id)} occupied must be true, false or null`);
    return { id: String(r.id), polygon: points(r.polygon, `${where} slot ${String(r.id)}`), occupied: occ ?? null };
  });
  return {
    image: o.image,
    width: o.width,
    height: o.height,
    lot: typeof o.lot === 'string' ? o.lot : null,
    captured: typeof o.captured === 'string' ? o.captured : null,
    weather: typeof o.weather === 'string' ? o.weather : null,
    slots,
  };
}

/** The labelled slots of a frame, normalised to its size. */
export function labelledSlots(f: LabelledFrame): LabelledSlot[] {
  return f.slots.map((s) => ({ id: s.id, name: s.id, polygon: normalisePolygon(s.polygon, f.width, f.height), occupied: s.occupied }));
}

export function parseLayoutExport(json: unknown, where = 'layout'): LayoutExport {
  const o = json as Record<string, unknown> | null;
  if (!o || !Array.isArray(o.slots)) throw new Error(`${where}: not a layout (slots)`);
  const fr = o.frame as Record<string, unknown> | undefined;
  if (!fr || !isNum(fr.width) || !isNum(fr.height)) throw new Error(`${where}: frame.width and frame.height are required`);
  const slots = o.slots.map((s: unknown, i: number) => {
    const r = s as Record<string, unknown> | null;
    if (!r || (typeof r.id !== 'string' && !isNum(r.id))) throw new Error(`${where}: slot ${i} has no id`);
    const polygon = points(r.polygon, `${where} slot ${String(r.id)}`);
    if (!polygon.every(([x, y]) => x >= -0.01 && x <= 1.01 && y >= -0.01 && y <= 1.01)) {
      throw new Error(`${where}: slot ${String(r.id)} polygon is not normalised to 0..1`);
    }
    return { id: String(r.id), name: typeof r.name === 'string' ? r.name : String(r.id), polygon };
  });
  return { slots, frame: { width: fr.width, height: fr.height } };
}

/** A layout file of either kind, as normalised slots. */
export function readLayout(json: unknown, where = 'layout'): Slot[] {
  const o = json as Record<string, unknown> | null;
  if (o && typeof o.image === 'string') return labelledSlots(parseLabelledFrame(json, where)).map(({ id, name, polygon }) => ({ id, name, polygon }));
  return parseLayoutExport(json, where).slots.map((s) => ({ id: s.id, name: s.name, polygon: s.polygon }));
}
