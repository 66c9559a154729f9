import { area } from '../occupancy/geometry.ts';
import { hasControlCharacters } from '../occupancy/slot-names.ts';
import { SLOT_KINDS, type Point, type Slot, type SlotClosure, type SlotKind } from '../occupancy/types.ts';
import { layoutKey, parseSceneFile, toSceneFile, type SceneFile, type SceneReference } from '../motion/scene.ts';
import { segmentsCross } from './row-split.ts';

/**
 * Layout files in and out, validated:
 * - `lotwatch`: the app's own layout, polygons normalised to the frame (0..1), and the frame they were marked on:
 *   `{ "slots": [{ "id", "name", "polygon": [[x, y], …] }], "frame": { "width", "height" } }`. A slot may also have a
 *   `"zone"` (text), a `"kind"` (one of `SLOT_KINDS`, default standard) and `"closed": { "reason", "until" }` (until:
 *   an ISO-8601 time or null); files without them (older ones) read as standard, open slots in no zone. Optionally
 *   `"scene"`: the small grey picture the slots were marked on (motion/scene.ts), so a layout brought back to the
 *   same camera can tell whether it moved since.
 *   `npm run eval -- --layout FILE` reads exactly this.
 * - `labelled-frame`: one labelled frame of ../shared/fixtures/FORMAT.md, pixels of `width` x `height`.
 * - `ultralytics`: Ultralytics' `bounding_boxes.json`, `[{ "points": [[x, y] x 4] }]`, pixels of an image whose size
 *   the file does not say.
 * A file is read whole or not at all: any problem gives a reason in words (which file, which slot, what is wrong).
 */
export type LayoutFormat = 'lotwatch' | 'labelled-frame' | 'ultralytics';

export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

export interface ImportedLayout {
  readonly format: LayoutFormat;
  /** Normalised to the frame: they fit any picture of the file's shape. */
  readonly slots: Slot[];
  /** The picture size the file was made for. */
  readonly frame: FrameSize;
  /** A labelled frame's picture and labels (what `npm run eval` and `train` score against). */
  readonly labelled?: LabelledDetails;
  /** The scene the slots were marked on (a lotwatch layout may carry it), tied to these slots. */
  readonly scene?: SceneReference;
}

export interface LabelledDetails {
  readonly image: string;
  readonly lot: string | null;
  readonly captured: string | null;
  readonly weather: string | null;
  /** Per slot id: true, false, or null (unknown in the source: left out of scoring). */
  readonly occupied: Readonly<Record<string, boolean | null>>;
}

/** A labelled slot: the slot and what the label says it holds. */
export interface LabelledSlot extends Slot {
  readonly occupied: boolean | null;
}

/** The slots of an imported labelled frame with their labels (null where the file has none). */
export function labelledSlotsOf(layout: ImportedLayout): LabelledSlot[] {
  return layout.slots.map((s) => ({ ...s, occupied: layout.labelled?.occupied[s.id] ?? null }));
}

export type ImportResult = { readonly ok: true; readonly layout: ImportedLayout } | { readonly ok: false; readonly error: string };

export interface LotwatchLayoutSlot {
  id: string;
  name: string;
  polygon: [number, number][];
  zone?: string;
  kind?: SlotKind;
  closed?: { reason: string; until: string | null };
}

export interface LotwatchLayoutFile {
  slots: LotwatchLayoutSlot[];
  frame: { width: number; height: number };
  scene?: SceneFile;
}

export interface LabelledFrameFile {
  image: string;
  width: number;
  height: number;
  lot: string | null;
  captured: string | null;
  weather: string | null;
  slots: { id: string; polygon: [number, number][]; occupied: boolean | null }[];
}

export type UltralyticsFile = { points: [number, number][] }[];

export const FORMAT_NAMES: Record<LayoutFormat, string> = {
  lotwatch: 'lotwatch layout',
  'labelled-frame': 'labelled frame (FORMAT.md)',
  ultralytics: 'Ultralytics bounding_boxes.json',
};

/** Corners a polygon may have; PKLot and Ultralytics use 4, a hand-drawn outline may use more. */
const MAX_POINTS = 64;
const MAX_SLOTS = 2000;
const MAX_ID = 64;
const MAX_NAME = 40;
const MAX_ZONE = 64;
const MAX_REASON = 200;
/** Labels drawn by hand sometimes overshoot the picture by a pixel; more than this is a wrong size or a wrong file. */
const EDGE_TOLERANCE_PX = 2;

class Invalid extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fmt = (n: number) => String(Math.round(n * 100) / 100);

/** Which of the three formats a parsed JSON value looks like, or null. */
export function detectFormat(data: unknown): LayoutFormat | null {
  if (Array.isArray(data)) return data.every((d) => isRecord(d) && 'points' in d) ? 'ultralytics' : null;
  if (!isRecord(data) || !('slots' in data)) return null;
  if ('frame' in data) return 'lotwatch';
  if ('width' in data || 'height' in data) return 'labelled-frame';
  return null;
}

/**
 * Reads a layout file of any of the three formats. `imageSize` is the size of the picture an Ultralytics file was
 * made on (the file does not say); the other formats carry their own.
 */
export function parseLayoutFile(text: string, fileName: string, imageSize?: FrameSize): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${fileName} is not a JSON file (${err instanceof Error ? err.message : String(err)}).` };
  }
  const format = detectFormat(data);
  if (format === 'lotwatch') return parseLotwatchLayout(data, fileName);
  if (format === 'labelled-frame') return parseLabelledFrame(data, fileName);
  if (format === 'ultralytics') {
    if (!imageSize) return { ok: false, error: `${fileName} is an Ultralytics file: say the size of the picture it was made on.` };
    return parseUltralytics(data, fileName, imageSize);
  }
  return {
    ok: false,
    error:
      `${fileName} is not a layout this app knows: expected a lotwatch layout ({"slots", "frame"}), a labelled frame ` +
      `({"width", "height", "slots"}) or an Ultralytics bounding_boxes.json ([{"points"}]).`,
  };
}

export function parseLotwatchLayout(data: unknown, fileName: string): ImportResult {
  return guarded(fileName, 'lotwatch', () => {
    if (!isRecord(data)) throw new Invalid('it is not a JSON object');
    const frame = readFrame(data['frame'], 'frame');
    const slots = readSlots(data['slots'], (raw, where) => {
      const id = readId(raw['id'], where);
      const name = raw['name'] === undefined ? id : readName(raw['name'], `${where} (id ${id})`);
      const polygon = readPolygon(raw['polygon'], `slot ${id}`, 1, 1, 'the frame (0..1)');
      return { id, name, polygon, ...readSlotExtras(raw, `slot ${id}`) };
    });
    const scene = readScene(data['scene']);
    return scene ? { slots, frame, scene: { ...scene, layout: layoutKey(slots) } } : { slots, frame };
  });
}

/** The optional scene of a lotwatch layout; one of another version's size is left out (the next frame is taken). */
function readScene(v: unknown): SceneReference | null {
  if (v === undefined) return null;
  try {
    return parseSceneFile(v);
  } catch (err) {
    throw new Invalid(err instanceof Error ? err.message : String(err));
  }
}

export function parseLabelledFrame(data: unknown, fileName: string): ImportResult {
  return guarded(fileName, 'labelled-frame', () => {
    if (!isRecord(data)) throw new Invalid('it is not a JSON object');
    const frame = readFrame(data, 'the file');
    const occupiedById: Record<string, boolean | null> = {};
    const slots = readSlots(data['slots'], (raw, where) => {
      const id = readId(raw['id'], where);
      const occupied = raw['occupied'];
      if (occupied !== undefined && occupied !== null && typeof occupied !== 'boolean') {
        throw new Invalid(`slot ${id}: "occupied" must be true, false or null, not ${JSON.stringify(occupied)}`);
      }
      occupiedById[id] = occupied ?? null;
      const polygon = readPolygon(raw['polygon'], `slot ${id}`, frame.width, frame.height, `the ${frame.width}x${frame.height} picture`);
      return { id, name: id, polygon };
    });
    const text = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : null);
    const image = text('image');
    if (image === null) throw new Invalid('"image" must name the picture the labels are for');
    return { slots, frame, labelled: { image, lot: text('lot'), captured: text('captured'), weather: text('weather'), occupied: occupiedById } };
  });
}

export function parseUltralytics(data: unknown, fileName: string, size: FrameSize): ImportResult {
  return guarded(fileName, 'ultralytics', () => {
    const frame = readFrame(size, 'the picture size');
    const slots = readSlots(data, (raw, where, i) => {
      const id = String(i + 1);
      const polygon = readPolygon(raw['points'], where, frame.width, frame.height, `the ${frame.width}x${frame.height} picture`);
      return { id, name: id, polygon };
    });
    return { slots, frame };
  });
}

function guarded(fileName: string, format: LayoutFormat, read: () => Omit<ImportedLayout, 'format'>): ImportResult {
  try {
    return { ok: true, layout: { format, ...read() } };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: `${fileName} (${FORMAT_NAMES[format]}): ${err.message}.` };
    throw err;
  }
}

function readFrame(v: unknown, where: string): FrameSize {
  if (!isRecord(v)) throw new Invalid(`${where} must say the picture's "width" and "height"`);
  const size = (key: 'width' | 'height') => {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 100_000) {
      throw new Invalid(`${where}: "${key}" must be a number of pixels above 0, not ${JSON.stringify(n)}`);
    }
    return n;
  };
  return { width: size('width'), height: size('height') };
}

function readSlots(v: unknown, read: (raw: Record<string, unknown>, where: string, i: number) => Slot): Slot[] {
  if (!Array.isArray(v)) throw new Invalid('"slots" must be a list');
  if (!v.length) throw new Invalid('it has no slots: there is nothing to import');
  if (v.length > MAX_SLOTS) throw new Invalid(`it has ${v.length} slots; at most ${MAX_SLOTS} can be imported`);
  const seen = new Set<string>();
  return v.map((raw, i) => {
    const where = `slot #${i + 1}`;
    if (!isRecord(raw)) throw new Invalid(`${where} is not an object`);
    const slot = read(raw, where, i);
    if (seen.has(slot.id)) throw new Invalid(`slot ${slot.id} appears twice (ids must be unique)`);
    seen.add(slot.id);
    return slot;
  });
}

function readId(v: unknown, where: string): string {
  const id = typeof v === 'number' && Number.isInteger(v) ? String(v) : v;
  if (typeof id !== 'string' || !id.trim()) throw new Invalid(`${where} has no "id"`);
  if (id.length > MAX_ID) throw new Invalid(`${where}: the id is longer than ${MAX_ID} characters`);
  if (hasControlCharacters(id)) throw new Invalid(`${where}: the id has control characters`);
  return id.trim();
}

function readName(v: unknown, where: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new Invalid(`${where}: "name" must be some text`);
  if (v.length > MAX_NAME) throw new Invalid(`${where}: the name is longer than ${MAX_NAME} characters`);
  if (hasControlCharacters(v)) throw new Invalid(`${where}: the name has control characters`);
  return v.trim();
}

/** A slot's zone, kind and closure, each only when the file has it (and the kind only when not standard). */
function readSlotExtras(raw: Record<string, unknown>, where: string): Pick<Slot, 'zone' | 'kind' | 'closed'> {
  const x: { zone?: string; kind?: SlotKind; closed?: SlotClosure } = {};
  const zone = raw['zone'];
  if (zone !== undefined && zone !== null && zone !== '') {
    if (typeof zone !== 'string' || !zone.trim() || zone.length > MAX_ZONE || /[\u0000-\u001f\u007f]/.test(zone)) {
      throw new Invalid(`${where}: "zone" must be text of at most ${MAX_ZONE} characters`);
    }
    x.zone = zone.trim();
  }
  const kind = raw['kind'];
  if (kind !== undefined && kind !== null) {
    if (typeof kind !== 'string' || !(SLOT_KINDS as readonly string[]).includes(kind)) {
      throw new Invalid(`${where}: "kind" must be one of ${SLOT_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
    }
    if (kind !== 'standard') x.kind = kind as SlotKind;
  }
  const closed = raw['closed'];
  if (closed !== undefined && closed !== null && closed !== false) {
    if (!isRecord(closed)) throw new Invalid(`${where}: "closed" must be {"reason": text, "until": a time or null}`);
    const reason = closed['reason'] ?? '';
    if (typeof reason !== 'string' || reason.length > MAX_REASON) throw new Invalid(`${where}: the closure's "reason" must be text of at most ${MAX_REASON} characters`);
    const until = closed['until'] ?? null;
    const ms = typeof until === 'string' ? Date.parse(until) : NaN;
    if (until !== null && Number.isNaN(ms)) throw new Invalid(`${where}: the closure's "until" must be an ISO-8601 time or null, not ${JSON.stringify(until)}`);
    x.closed = { reason: reason.trim(), until: until === null ? null : ms };
  }
  return x;
}

/** Reads a polygon in units of `w` x `h` and returns it normalised to 0..1. */
function readPolygon(v: unknown, where: string, w: number, h: number, frameName: string): Point[] {
  if (!Array.isArray(v)) throw new Invalid(`${where} has no polygon (a list of [x, y] corners)`);
  if (v.length < 3 || v.length > MAX_POINTS) throw new Invalid(`${where} has ${v.length} corners; a slot needs 3 to ${MAX_POINTS}`);
  const tol = w === 1 && h === 1 ? 1e-6 : EDGE_TOLERANCE_PX;
  const points = v.map((p: unknown, k): Point => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && Number.isFinite(c))) {
      throw new Invalid(`${where}, corner ${k + 1}: expected [x, y] numbers, found ${JSON.stringify(p)}`);
    }
    const [x, y] = p as [number, number];
    if (x < -tol || y < -tol || x > w + tol || y > h + tol) {
      throw new Invalid(`${where}, corner ${k + 1} (${fmt(x)}, ${fmt(y)}) is outside ${frameName}`);
    }
    return [Math.min(1, Math.max(0, x / w)), Math.min(1, Math.max(0, y / h))];
  });
  if (crossesItself(points)) throw new Invalid(`${where}: its outline crosses itself (corners out of order)`);
  if (area(points) < 1e-9) throw new Invalid(`${where} has no area (its corners are on one line)`);
  return points;
}

/** True when two edges that do not share a corner cross. */
function crossesItself(p: readonly Point[]): boolean {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsCross(p[i]!, p[(i + 1) % n]!, p[j]!, p[(j + 1) % n]!)) return true;
    }
  }
  return false;
}

const round = (v: number, places: number) => {
  const f = 10 ** places;
  return Math.round(v * f) / f;
};

/**
 * The app's own layout file. Coordinates keep 6 decimals: a tenth of a pixel on a 4K frame. The scene reference goes
 * with it when it belongs to these very slots (one taken before the last edit does not).
 */
export function toLotwatchLayout(slots: readonly Slot[], frame: FrameSize, scene?: SceneReference | null): LotwatchLayoutFile {
  const file: LotwatchLayoutFile = {
    slots: slots.map((s) => {
      const out: LotwatchLayoutSlot = { id: s.id, name: s.name, polygon: s.polygon.map(([x, y]) => [round(x, 6), round(y, 6)] as [number, number]) };
      if (s.zone !== undefined) out.zone = s.zone;
      if (s.kind !== undefined && s.kind !== 'standard') out.kind = s.kind;
      if (s.closed) out.closed = { reason: s.closed.reason, until: s.closed.until === null ? null : new Date(s.closed.until).toISOString() };
      return out;
    }),
    frame: { width: frame.width, height: frame.height },
  };
  return scene && scene.layout === layoutKey(slots) ? { ...file, scene: toSceneFile(scene) } : file;
}

/**
 * One labelled frame (FORMAT.md) in pixels of `frame`. `occupied` is null: what the detector thinks is a guess, and a
 * guess written as a label would be scored as the truth.
 */
export function toLabelledFrame(slots: readonly Slot[], frame: FrameSize, image: string): LabelledFrameFile {
  return {
    image,
    width: frame.width,
    height: frame.height,
    lot: null,
    captured: null,
    weather: null,
    slots: slots.map((s) => ({
      id: s.id,
      polygon: s.polygon.map(([x, y]) => [round(x * frame.width, 2), round(y * frame.height, 2)] as [number, number]),
      occupied: null,
    })),
  };
}

/** Ultralytics' bounding_boxes.json in whole pixels of `frame`, as its own point picker writes it. */
export function toUltralytics(slots: readonly Slot[], frame: FrameSize): UltralyticsFile {
  return slots.map((s) => ({ points: s.polygon.map(([x, y]) => [Math.round(x * frame.width), Math.round(y * frame.height)] as [number, number]) }));
}

/** How far apart two pictures' shapes are: 0 for the same width / height, 1/3 for 4:3 against 16:9 either way. */
export function aspectMismatch(a: FrameSize, b: FrameSize): number {
  const r = a.width / a.height / (b.width / b.height);
  return Math.max(r, 1 / r) - 1;
}
