// One lot seen by several cameras: each camera's latest state and presence become one lot state. Pure.
//
// - Slots are namespaced by camera: slot `7` of camera `north` is `north/7` in the lot.
// - An overlap is a slot two cameras both see. The owner marks it by giving it the same name in the same zone on each
//   camera; it is counted once, under the first camera (by id) that is online, with the others in `seen_by`.
// - When overlapping cameras disagree, occupied wins: a car seen by either camera is there (a camera with a poor view
//   of a bay misses cars far more often than it invents them). A closure on either closes the slot.
// - An offline camera's slots are unknown (`unknown: true`, their last seen state kept): counted in neither available
//   nor total, never as free. The lot is then `partial`. So are a camera's slots once it is back, until it sends a state.
import { breakdown, type CameraSummary, type LotMetadata, type SlotMetadata } from '../../src/share/metadata.ts';
import type { Layout, LayoutSlot } from '../../src/share/protocol.ts';

export interface CameraInput {
  camera: string;
  online: boolean;
  /** When `online` last changed (epoch ms), or null: never seen. */
  since: number | null;
  /** Its state was sent since it came online (false: a camera back online has not said how things are yet). */
  fresh?: boolean;
  /** The camera's latest published state, or null before its first. */
  metadata: LotMetadata | null;
  layout: Layout | null;
}

export interface MergedLot {
  metadata: LotMetadata;
  layout: Layout;
}

/** `<camera>/<slot id>`: a slot's id in the merged lot. */
export const cameraSlotId = (camera: string, id: string): string => `${camera}/${id}`;

const iso = (ms: number) => new Date(ms).toISOString();
const overlapKey = (s: { zone?: string; name: string }): string | null => (s.zone !== undefined && s.name.trim() !== '' ? `${s.zone}\u0000${s.name}` : null);

export function mergeCameras(inputs: readonly CameraInput[], fallbackTime: number): MergedLot {
  const cams = [...inputs].sort((a, b) => (a.camera < b.camera ? -1 : a.camera > b.camera ? 1 : 0));
  // Each camera's slots, online cameras first so that an overlap's primary entry is one that is known.
  const known = (c: CameraInput) => c.online && c.fresh !== false;
  const entries: { cam: CameraInput; slot: SlotMetadata }[] = [];
  for (const cam of [...cams.filter(known), ...cams.filter((c) => !known(c))]) {
    for (const s of cam.metadata?.slots ?? []) entries.push({ cam, slot: s });
  }
  const groups = new Map<string, SlotMetadata>();
  const merged: SlotMetadata[] = [];
  /** Secondary slot id → the merged slot it was counted in. */
  const sameAs = new Map<string, string>();
  for (const { cam, slot } of entries) {
    const id = cameraSlotId(cam.camera, slot.id);
    const { seen_by: _seen, unknown: _unknown, camera: _camera, ...own } = slot;
    const entry: SlotMetadata = { ...own, id, camera: cam.camera, ...(known(cam) ? {} : { unknown: true as const }) };
    const key = overlapKey(slot);
    const primary = key === null ? undefined : groups.get(key);
    if (!primary || primary.camera === cam.camera || primary.seen_by?.includes(cam.camera)) {
      if (key !== null && !primary) groups.set(key, entry);
      merged.push(entry);
      continue;
    }
    sameAs.set(id, primary.id);
    primary.seen_by = [...(primary.seen_by ?? []), cam.camera];
    // Online cameras come first, so an unknown primary has only unknown partners: its last seen state stays.
    if (!entry.unknown && entry.occupied && !primary.occupied) {
      primary.occupied = true;
      primary.since = entry.since;
      primary.probability = entry.probability;
    }
    if (entry.closed && !primary.closed) primary.closed = entry.closed;
  }
  // Keep the lot's slots in camera order (then each camera's own order), whatever order overlaps were resolved in.
  const order = new Map(cams.map((c, i) => [c.camera, i]));
  merged.sort((a, b) => order.get(a.camera!)! - order.get(b.camera!)!);

  const b = breakdown(merged);
  const cameras: Record<string, CameraSummary> = {};
  let latest = -Infinity;
  for (const c of cams) {
    const m = c.metadata;
    cameras[c.camera] = {
      online: c.online,
      since: c.since === null ? null : iso(c.since),
      total: m?.total_slots ?? 0,
      occupied: m?.occupied_slots ?? 0,
      available: m?.available_slots ?? 0,
      ...(m?.camera_moved ? { camera_moved: true } : {}),
    };
    // The lot changes when a camera's state does, and when a camera comes or goes (its slots become (un)known).
    if (m) latest = Math.max(latest, Date.parse(m.last_updated));
    if (c.since !== null) latest = Math.max(latest, c.since);
  }
  const metadata: LotMetadata = {
    total_slots: b.counts.total,
    occupied_slots: b.counts.occupied,
    available_slots: b.counts.available,
    last_updated: iso(Number.isFinite(latest) ? latest : fallbackTime),
    slots: merged,
    zones: b.zones,
    kinds: b.kinds,
    closed_slots: b.closed,
    cameras,
    partial: cams.some((c) => !known(c)),
    unknown_slots: b.unknown,
    ...(cams.some((c) => c.metadata?.camera_moved) ? { camera_moved: true } : {}),
  };
  return { metadata, layout: mergeLayouts(cams, sameAs) };
}

function mergeLayouts(cams: readonly CameraInput[], sameAs: ReadonlyMap<string, string>): Layout {
  const slots: LayoutSlot[] = [];
  const frames: NonNullable<Layout['cameras']> = {};
  for (const c of cams) {
    frames[c.camera] = c.layout?.frame ? { frame: c.layout.frame } : {};
    for (const s of c.layout?.slots ?? []) {
      const id = cameraSlotId(c.camera, s.id);
      const primary = sameAs.get(id);
      slots.push({ ...s, id, camera: c.camera, ...(primary ? { same_as: primary } : {}) });
    }
  }
  return { slots, cameras: frames };
}
